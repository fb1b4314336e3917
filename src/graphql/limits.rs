//! Limits checked on an operation's text before anything runs, beyond what async-graphql
//! checks itself (depth, complexity, parser recursion, directives per field): the number
//! of tokens, aliases and directives, and the size of every page asked for. Each exceeded
//! limit is a BAD_USER_INPUT naming it.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Name, Positioned, Request, ServerError, Value as ConstValue, Variables};

use super::ApiSettings;
use crate::error::ErrorCode;

/// A request error with a code, as every error this API answers carries one.
pub fn request_error(message: impl Into<String>, code: ErrorCode) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    error
}

/// Checks the operation's size and shape; parses it once (async-graphql keeps the parse).
pub fn check(request: &mut Request, settings: &ApiSettings) -> Result<(), ServerError> {
    // Taken out while the parse borrows the request, and put back whatever the outcome.
    let variables = std::mem::take(&mut request.variables);
    let checked = check_document(request, &variables, settings);
    request.variables = variables;
    checked
}

fn check_document(request: &mut Request, variables: &Variables, settings: &ApiSettings) -> Result<(), ServerError> {
    let tokens = count_tokens(&request.query, settings.max_tokens + 1);
    if tokens > settings.max_tokens {
        return Err(request_error(
            format!("the operation has more than {} tokens (limit: tokens)", settings.max_tokens),
            ErrorCode::BadUserInput,
        ));
    }
    let operation_name = request.operation_name.clone();
    let document = request.parsed_query().map_err(|mut e| {
        e.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", ErrorCode::BadUserInput.as_str());
        e
    })?;
    let fields = expanded_fields(document);
    if fields > settings.max_fields {
        return Err(request_error(
            format!(
                "the operation selects more than {} fields once its fragments are written out (limit: fields)",
                settings.max_fields
            ),
            ErrorCode::BadUserInput,
        ));
    }
    let shape = Shape::of(document);
    if shape.aliases > settings.max_aliases {
        return Err(request_error(
            format!(
                "the operation uses {} aliases, more than {} (limit: aliases)",
                shape.aliases, settings.max_aliases
            ),
            ErrorCode::BadUserInput,
        ));
    }
    if shape.directives > settings.max_directives {
        return Err(request_error(
            format!(
                "the operation uses {} directives, more than {} (limit: directives)",
                shape.directives, settings.max_directives
            ),
            ErrorCode::BadUserInput,
        ));
    }
    if let Some(first) = page_outside(document, operation_name.as_deref(), variables, settings.max_page_size) {
        let mut error = request_error(
            format!("first: {first} asks for a page outside 0 to {} rows (limit: page size)", settings.max_page_size),
            ErrorCode::BadUserInput,
        );
        // Named as every other bad argument is.
        error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("argument", "first");
        return Err(error);
    }
    Ok(())
}

/// Lexical tokens of GraphQL text, counted up to `stop` (no need to read a huge text to the end).
fn count_tokens(text: &str, stop: usize) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() && count < stop {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                count += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                count += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                count += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
            }
            _ => {
                count += 1;
                i += 1;
            }
        }
    }
    count
}

/// Fields selected with every fragment spread written out, saturating. Checked before
/// async-graphql validates, because validation writes the spreads out: twenty fragments
/// that each spread the next twice are 60 tokens and a million fields, seconds of CPU.
/// Each fragment is counted once and remembered; a cycle counts nothing here (validation
/// refuses it).
fn expanded_fields(document: &ExecutableDocument) -> usize {
    fn set<'d>(
        document: &'d ExecutableDocument,
        selections: &'d SelectionSet,
        fragments: &mut HashMap<&'d str, Option<usize>>,
    ) -> usize {
        selections.items.iter().fold(0usize, |sum, item| {
            let more = match &item.node {
                Selection::Field(field) => {
                    1usize.saturating_add(set(document, &field.node.selection_set.node, fragments))
                }
                Selection::InlineFragment(inline) => set(document, &inline.node.selection_set.node, fragments),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match fragments.get(name) {
                        Some(Some(known)) => *known,
                        Some(None) => 0, // a cycle, being counted
                        None => match document.fragments.get(&spread.node.fragment_name.node) {
                            None => 0, // unknown: validation refuses it
                            Some(fragment) => {
                                fragments.insert(name, None);
                                let fields = set(document, &fragment.node.selection_set.node, fragments);
                                fragments.insert(name, Some(fields));
                                fields
                            }
                        },
                    }
                }
            };
            sum.saturating_add(more)
        })
    }

    let mut fragments = HashMap::new();
    document.operations.iter().fold(0usize, |sum, (_, operation)| {
        sum.saturating_add(set(document, &operation.node.selection_set.node, &mut fragments))
    })
}

/// Aliases and directives written in a document, each fragment counted once where it is
/// defined (its spreads are bounded by the depth and complexity limits).
#[derive(Debug, Default, PartialEq)]
struct Shape {
    aliases: usize,
    directives: usize,
}

impl Shape {
    fn of(document: &ExecutableDocument) -> Shape {
        let mut shape = Shape::default();
        for (_, operation) in document.operations.iter() {
            shape.directives += operation.node.directives.len();
            for variable in &operation.node.variable_definitions {
                shape.directives += variable.node.directives.len();
            }
            shape.add(&operation.node.selection_set.node);
        }
        for fragment in document.fragments.values() {
            shape.directives += fragment.node.directives.len();
            shape.add(&fragment.node.selection_set.node);
        }
        shape
    }

    fn add(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    self.aliases += usize::from(field.node.alias.is_some());
                    self.directives += field.node.directives.len();
                    self.add(&field.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => self.directives += spread.node.directives.len(),
                Selection::InlineFragment(inline) => {
                    self.directives += inline.node.directives.len();
                    self.add(&inline.node.selection_set.node);
                }
            }
        }
    }
}

/// The operation a request runs: the only one, or the one `operationName` names. None when
/// that is ambiguous or names nothing (execution then refuses the request).
pub fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.iter().find(|(n, _)| n.as_str() == name).map(|(_, o)| o)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The first `first` of a page outside `0..=max` in the operation that runs (through the
/// fragments it spreads), as written or as its variable, or that operation's default for
/// it, gives it. Checked before anything runs because the resolver of a page would refuse
/// an oversized one only after the fields before it had run, a mutation's writes included.
/// A value that is not an integer is left to validation.
fn page_outside(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    max: usize,
) -> Option<i64> {
    struct Walk<'d> {
        document: &'d ExecutableDocument,
        variables: &'d Variables,
        defaults: HashMap<&'d Name, &'d ConstValue>,
        spread: HashSet<&'d Name>,
        max: i64,
    }

    impl<'d> Walk<'d> {
        fn set(&mut self, set: &'d SelectionSet) -> Option<i64> {
            set.items.iter().find_map(|item| match &item.node {
                Selection::Field(field) => self.size(&field.node).or_else(|| self.set(&field.node.selection_set.node)),
                Selection::InlineFragment(inline) => self.set(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // Each fragment once: its `first`s are the same wherever it is spread.
                    if !self.spread.insert(name) {
                        return None;
                    }
                    let fragment = self.document.fragments.get(name)?;
                    self.set(&fragment.node.selection_set.node)
                }
            })
        }

        fn size(&self, field: &Field) -> Option<i64> {
            let first = field.get_argument("first")?.node.clone().into_const_with(|name| {
                self.variables.get(&name).or_else(|| self.defaults.get(&name).copied()).cloned().ok_or(())
            });
            match first {
                Ok(ConstValue::Number(n)) => n.as_i64().filter(|n| !(0..=self.max).contains(n)),
                _ => None,
            }
        }
    }

    let operation = selected_operation(document, operation_name)?;
    let defaults = operation
        .node
        .variable_definitions
        .iter()
        .filter_map(|v| v.node.default_value.as_ref().map(|d| (&v.node.name.node, &d.node)))
        .collect();
    let mut walk =
        Walk { document, variables, defaults, spread: HashSet::new(), max: i64::try_from(max).unwrap_or(i64::MAX) };
    walk.set(&operation.node.selection_set.node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_as_graphql_reads_them() {
        assert_eq!(count_tokens("{ me { role } }", 100), 6);
        assert_eq!(count_tokens("query Q($a: Int = 1) { plans(areaCode: \"2 1 6\") { code } } # a comment", 100), 21);
        assert_eq!(count_tokens("{ a ...F } fragment F on Q { b }", 100), 12);
        assert_eq!(count_tokens(&"a ".repeat(1_000_000), 10), 10, "stops early");
    }

    #[test]
    fn aliases_and_directives_are_counted_once_where_written() {
        let mut request = Request::new(
            "query { a: me { role } b: me @include(if: true) { role } ...F } \
             fragment F on Query { c: me { role @skip(if: false) } }",
        );
        let document = request.parsed_query().expect("parses");
        assert_eq!(Shape::of(document), Shape { aliases: 3, directives: 2 });
    }

    #[test]
    fn fields_are_counted_with_fragments_written_out_once_each() {
        let fields = |text: &str| expanded_fields(Request::new(text).parsed_query().expect("parses"));
        assert_eq!(fields("{ me { role } plans { code } }"), 4);
        assert_eq!(fields("{ ...F ...F } fragment F on Query { me { role } }"), 4);
        assert_eq!(fields("{ ... on Query { me { role } } }"), 2);
        // A cycle or an unknown fragment counts nothing here; validation refuses them.
        assert_eq!(fields("{ ...A } fragment A on Query { me ...B } fragment B on Query { ...A }"), 1);
        assert_eq!(fields("{ ...Missing }"), 0);
        // Doubling spreads: 2^40 fields, counted in 40 steps without overflow.
        let mut bomb = String::from("{ ...F0 } ");
        for i in 0..40 {
            bomb.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }} ", i + 1, i + 1));
        }
        bomb.push_str("fragment F40 on Query { me { role } }");
        assert_eq!(fields(&bomb), 2usize.pow(41));
    }

    #[test]
    fn pages_are_read_from_literals_variables_defaults_and_fragments() {
        let outside = |text: &str, variables: serde_json::Value| {
            let mut request = Request::new(text);
            page_outside(request.parsed_query().expect("parses"), None, &Variables::from_json(variables), 1_000)
        };
        let none = serde_json::json!({});
        assert_eq!(outside("{ observations(first: 1000) { totalCount } }", none.clone()), None);
        assert_eq!(outside("{ observations { totalCount } }", none.clone()), None);
        assert_eq!(outside("{ observations(first: 1001) { totalCount } }", none.clone()), Some(1001));
        assert_eq!(outside("{ auditLog(first: -1) { id } }", none.clone()), Some(-1));
        let variable = "query Q($n: Int = 5000) { observations(first: $n) { totalCount } }";
        assert_eq!(outside(variable, none.clone()), Some(5000), "the default applies");
        assert_eq!(outside(variable, serde_json::json!({ "n": 10 })), None, "the variable wins");
        assert_eq!(outside("query Q($n: Int) { observations(first: $n) { totalCount } }", none.clone()), None);
        let nested = "{ ...F } fragment F on Query { indicators { ... on Indicator { observations(first: 2000) { totalCount } } } }";
        assert_eq!(outside(nested, none.clone()), Some(2000));
        assert_eq!(outside("{ observations(first: \"many\") { totalCount } }", none), None, "left to validation");
    }

    #[test]
    fn pages_are_read_in_the_operation_that_runs_with_its_own_defaults() {
        // Another operation's default for the same variable cannot hide the big page.
        let text = "query Big($n: Int = 5000) { observations(first: $n) { totalCount } } \
                    query Decoy($n: Int = 1) { observations(first: $n) { totalCount } }";
        let outside = |name: &str| {
            let mut request = Request::new(text);
            page_outside(request.parsed_query().expect("parses"), Some(name), &Variables::default(), 1_000)
        };
        for _ in 0..20 {
            assert_eq!(outside("Big"), Some(5000));
            assert_eq!(outside("Decoy"), None, "the operation that does not run is not refused for it");
        }
        // Fragments are read where they are spread, once, cycles included.
        let spread = "query Q { ...A } fragment A on Query { ...B ...A } \
                      fragment B on Query { indicators { observations(first: 2000) { totalCount } } } \
                      fragment Unused on Query { observations(first: 9999) { totalCount } }";
        let mut request = Request::new(spread);
        let document = request.parsed_query().expect("parses");
        assert_eq!(page_outside(document, Some("Q"), &Variables::default(), 1_000), Some(2000));
    }
}
