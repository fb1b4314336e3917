//! `schema.graphql` is the served schema written out, and it holds the contract's names.

use std::collections::HashMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
const CONTRACT_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/contract.graphql");

#[test]
fn schema_file_is_the_served_schema() {
    let served = gender_data_hub::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, &served).expect("write schema.graphql");
    }
    let file = std::fs::read_to_string(SCHEMA_FILE).expect("read schema.graphql");
    assert!(
        file == served,
        "schema.graphql differs from the served schema; run `UPDATE_SCHEMA=1 cargo test --test api schema::` and review the diff"
    );
}

/// Each contract type, field, argument, enum value and input field, as "Type.field(arg: T): T".
fn signatures(sdl: &str) -> HashMap<String, String> {
    let document = parse_schema(sdl).expect("parse SDL");
    let mut out = HashMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else { continue };
        let ty = ty.node;
        let name = ty.name.node.to_string();
        out.insert(name.clone(), String::new());
        match ty.kind {
            TypeKind::Object(object) => {
                for field in object.fields {
                    let field = field.node;
                    let key = format!("{name}.{}", field.name.node);
                    out.insert(key.clone(), field.ty.node.to_string());
                    for arg in field.arguments {
                        out.insert(format!("{key}({})", arg.node.name.node), arg.node.ty.node.to_string());
                    }
                }
            }
            TypeKind::InputObject(input) => {
                for field in input.fields {
                    out.insert(format!("{name}.{}", field.node.name.node), field.node.ty.node.to_string());
                }
            }
            TypeKind::Enum(e) => {
                for value in e.values {
                    out.insert(format!("{name}.{}", value.node.value.node), String::new());
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn served_schema_holds_the_whole_contract() {
    let contract = std::fs::read_to_string(CONTRACT_FILE).expect("read contract.graphql");
    let contract = signatures(&contract);
    let served = signatures(&gender_data_hub::graphql::sdl());
    let mut missing: Vec<String> = contract
        .iter()
        .filter_map(|(key, ty)| match served.get(key) {
            None => Some(format!("{key} is missing")),
            Some(served_ty) if served_ty != ty => Some(format!("{key} is {served_ty}, the contract says {ty}")),
            Some(_) => None,
        })
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "the served schema breaks the contract:\n{}", missing.join("\n"));
    // The check has teeth: it covers every part of the contract.
    for key in [
        "Query.plans(areaCode)",
        "Target.assignments",
        "Comparator.ACHIEVED",
        "Plan.reportingDeadlines",
        "Mutation.revokeToken(jti)",
        "Subscription.observationChanged(filter)",
    ] {
        assert!(contract.contains_key(key), "{key} not found in the contract");
    }
}
