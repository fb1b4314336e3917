//! The dataflow's structure as an SDMX-ML 2.1 Structure message: the dataflow, its data
//! structure definition, the concept scheme and the codelists, or those of them a query
//! asks for. Clients check data and queries against it (a code not in a codelist is not
//! asked for), so every dimension and coded attribute names its codelist.

use std::io;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::{Code, AGENCY, CONCEPT_SCHEME, DATAFLOW, DATA_STRUCTURE, VERSION};

const MESSAGE: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message";
const STRUCTURE: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure";
const COMMON: &str = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common";

/// What a component of the data structure is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Dimension,
    Time,
    Attribute,
    Measure,
}

/// One component: its concept's id and names, what it is, and its codelist or the kind of
/// text it holds.
struct Component {
    id: &'static str,
    role: Role,
    codelist: Option<&'static str>,
    text_type: &'static str,
    name_en: &'static str,
    name_vi: &'static str,
}

const COMPONENTS: &[Component] = &[
    Component {
        id: "INDICATOR",
        role: Role::Dimension,
        codelist: Some("CL_INDICATOR"),
        text_type: "String",
        name_en: "Indicator",
        name_vi: "Chỉ tiêu",
    },
    Component {
        id: "REF_AREA",
        role: Role::Dimension,
        codelist: Some("CL_AREA"),
        text_type: "String",
        name_en: "Reference area",
        name_vi: "Đơn vị hành chính",
    },
    Component {
        id: "SEX",
        role: Role::Dimension,
        codelist: Some("CL_SEX"),
        text_type: "String",
        name_en: "Sex",
        name_vi: "Giới tính",
    },
    Component {
        id: "AGE",
        role: Role::Dimension,
        codelist: Some("CL_AGE"),
        text_type: "String",
        name_en: "Age",
        name_vi: "Nhóm tuổi",
    },
    Component {
        id: "ETHNICITY",
        role: Role::Dimension,
        codelist: Some("CL_ETHNICITY"),
        text_type: "String",
        name_en: "Ethnic group",
        name_vi: "Dân tộc",
    },
    Component {
        id: "TIME_PERIOD",
        role: Role::Time,
        codelist: None,
        text_type: "ObservationalTimePeriod",
        name_en: "Time period",
        name_vi: "Kỳ báo cáo",
    },
    Component {
        id: "OBS_STATUS",
        role: Role::Attribute,
        codelist: Some("CL_OBS_STATUS"),
        text_type: "String",
        name_en: "Observation status",
        name_vi: "Trạng thái số liệu",
    },
    Component {
        id: "CONF_STATUS",
        role: Role::Attribute,
        codelist: Some("CL_CONF_STATUS"),
        text_type: "String",
        name_en: "Confidentiality status",
        name_vi: "Tình trạng bảo mật",
    },
    Component {
        id: "COMMENT_OBS",
        role: Role::Attribute,
        codelist: None,
        text_type: "String",
        name_en: "Observation comment",
        name_vi: "Ghi chú",
    },
    Component {
        id: "NUMERATOR",
        role: Role::Attribute,
        codelist: None,
        text_type: "Double",
        name_en: "Numerator",
        name_vi: "Tử số",
    },
    Component {
        id: "DENOMINATOR",
        role: Role::Attribute,
        codelist: None,
        text_type: "Double",
        name_en: "Denominator",
        name_vi: "Mẫu số",
    },
    Component {
        id: "OBS_VALUE",
        role: Role::Measure,
        codelist: None,
        text_type: "Double",
        name_en: "Observation value",
        name_vi: "Giá trị",
    },
];

/// Whether an attribute is given with every value (its status and confidentiality are;
/// a comment, numerator and denominator only when the value has them).
fn mandatory(id: &str) -> bool {
    matches!(id, "OBS_STATUS" | "CONF_STATUS")
}

/// A codelist with its codes.
pub struct Codelist {
    pub id: &'static str,
    pub name_en: &'static str,
    pub name_vi: &'static str,
    pub codes: Vec<Code>,
}

/// Every codelist the structure uses, by id, in the order a message lists them.
pub const CODELISTS: &[&str] =
    &["CL_INDICATOR", "CL_AREA", "CL_SEX", "CL_AGE", "CL_ETHNICITY", "CL_OBS_STATUS", "CL_CONF_STATUS"];

/// What a Structure message holds.
#[derive(Default)]
pub struct Structures {
    pub dataflow: bool,
    pub data_structure: bool,
    pub concept_scheme: bool,
    pub codelists: Vec<Codelist>,
}

/// The message, prepared at `prepared` (RFC 3339) under the message id `id`.
pub fn message(structures: &Structures, id: &str, prepared: &str) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("mes:Structure")
        .with_attributes([("xmlns:mes", MESSAGE), ("xmlns:str", STRUCTURE), ("xmlns:com", COMMON)])
        .write_inner_content(|w| {
            header(w, id, prepared, |_| Ok(()))?;
            w.create_element("mes:Structures").write_inner_content(|w| {
                if structures.dataflow {
                    w.create_element("str:Dataflows").write_inner_content(dataflow)?;
                }
                if !structures.codelists.is_empty() {
                    w.create_element("str:Codelists")
                        .write_inner_content(|w| structures.codelists.iter().try_for_each(|list| codelist(w, list)))?;
                }
                if structures.concept_scheme {
                    w.create_element("str:Concepts").write_inner_content(concept_scheme)?;
                }
                if structures.data_structure {
                    w.create_element("str:DataStructures").write_inner_content(data_structure)?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

type W = Writer<Vec<u8>>;

/// A message's header; `more` writes what follows the sender (a data message's structure).
pub(super) fn header(
    w: &mut W,
    id: &str,
    prepared: &str,
    more: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<()> {
    w.create_element("mes:Header").write_inner_content(|w| {
        w.create_element("mes:ID").write_text_content(BytesText::new(id))?;
        w.create_element("mes:Test").write_text_content(BytesText::new("false"))?;
        w.create_element("mes:Prepared").write_text_content(BytesText::new(prepared))?;
        w.create_element("mes:Sender").with_attribute(("id", AGENCY)).write_empty()?;
        more(w)
    })?;
    Ok(())
}

fn urn(class: &str, id: &str) -> String {
    format!("urn:sdmx:org.sdmx.infomodel.{class}={AGENCY}:{id}({VERSION})")
}

/// `com:Name` in English and Vietnamese (English first: clients show it by default).
fn names(w: &mut W, en: &str, vi: &str) -> io::Result<()> {
    for (lang, name) in [("en", en), ("vi", vi)] {
        let name = super::xml_safe(name);
        w.create_element("com:Name").with_attribute(("xml:lang", lang)).write_text_content(BytesText::new(&name))?;
    }
    Ok(())
}

/// A maintainable artefact's element: id, agency, version, URN, final.
fn maintainable<'a>(
    w: &'a mut W,
    element: &'a str,
    id: &'a str,
    class: &str,
) -> quick_xml::writer::ElementWriter<'a, Vec<u8>> {
    w.create_element(element).with_attributes([
        ("id", id),
        ("urn", urn(class, id).as_str()),
        ("agencyID", AGENCY),
        ("version", VERSION),
        ("isFinal", "true"),
    ])
}

/// `<Ref …/>` to a maintainable artefact (SDMX-ML writes references unqualified).
fn reference(w: &mut W, id: &str, package: &str, class: &str) -> io::Result<()> {
    w.create_element("Ref")
        .with_attributes([
            ("id", id),
            ("version", VERSION),
            ("agencyID", AGENCY),
            ("package", package),
            ("class", class),
        ])
        .write_empty()?;
    Ok(())
}

fn dataflow(w: &mut W) -> io::Result<()> {
    maintainable(w, "str:Dataflow", DATAFLOW, "datastructure.Dataflow").write_inner_content(|w| {
        names(w, "Gender equality indicators of Vietnam", "Chỉ tiêu thống kê giới của Việt Nam")?;
        w.create_element("str:Structure")
            .write_inner_content(|w| reference(w, DATA_STRUCTURE, "datastructure", "DataStructure"))?;
        Ok(())
    })?;
    Ok(())
}

fn codelist(w: &mut W, list: &Codelist) -> io::Result<()> {
    maintainable(w, "str:Codelist", list.id, "codelist.Codelist").write_inner_content(|w| {
        names(w, list.name_en, list.name_vi)?;
        for code in &list.codes {
            let code_urn = format!("{}.{}", urn("codelist.Code", list.id), code.id);
            w.create_element("str:Code")
                .with_attributes([("id", code.id.as_str()), ("urn", code_urn.as_str())])
                .write_inner_content(|w| {
                    names(w, &code.name_en, &code.name_vi)?;
                    if let Some(description) = &code.description {
                        w.create_element("com:Description")
                            .with_attribute(("xml:lang", "vi"))
                            .write_text_content(BytesText::new(&super::xml_safe(description)))?;
                    }
                    if let Some(parent) = &code.parent {
                        w.create_element("str:Parent").write_inner_content(|w| {
                            w.create_element("Ref").with_attribute(("id", parent.as_str())).write_empty()?;
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn concept_scheme(w: &mut W) -> io::Result<()> {
    maintainable(w, "str:ConceptScheme", CONCEPT_SCHEME, "conceptscheme.ConceptScheme").write_inner_content(|w| {
        names(w, "Concepts of the gender equality indicators", "Khái niệm của các chỉ tiêu thống kê giới")?;
        for c in COMPONENTS {
            let concept_urn = format!("{}.{}", urn("conceptscheme.Concept", CONCEPT_SCHEME), c.id);
            w.create_element("str:Concept")
                .with_attributes([("id", c.id), ("urn", concept_urn.as_str())])
                .write_inner_content(|w| names(w, c.name_en, c.name_vi))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn data_structure(w: &mut W) -> io::Result<()> {
    maintainable(w, "str:DataStructure", DATA_STRUCTURE, "datastructure.DataStructure").write_inner_content(|w| {
        names(w, "Gender equality indicators", "Chỉ tiêu thống kê giới")?;
        w.create_element("str:DataStructureComponents").write_inner_content(|w| {
            let descriptor = |w: &mut W, element: &str, id: &str, role: &[Role]| -> io::Result<()> {
                let descriptor_urn = format!("{}.{id}", urn(&format!("datastructure.{id}"), DATA_STRUCTURE));
                w.create_element(element)
                    .with_attributes([("id", id), ("urn", descriptor_urn.as_str())])
                    .write_inner_content(|w| {
                        let mut position = 0;
                        for c in COMPONENTS.iter().filter(|c| role.contains(&c.role)) {
                            position += 1;
                            component(w, c, position)?;
                        }
                        Ok(())
                    })?;
                Ok(())
            };
            descriptor(w, "str:DimensionList", "DimensionDescriptor", &[Role::Dimension, Role::Time])?;
            descriptor(w, "str:AttributeList", "AttributeDescriptor", &[Role::Attribute])?;
            descriptor(w, "str:MeasureList", "MeasureDescriptor", &[Role::Measure])?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn component(w: &mut W, c: &Component, position: usize) -> io::Result<()> {
    let (element, class) = match c.role {
        Role::Dimension => ("str:Dimension", "Dimension"),
        Role::Time => ("str:TimeDimension", "TimeDimension"),
        Role::Attribute => ("str:Attribute", "DataAttribute"),
        Role::Measure => ("str:PrimaryMeasure", "PrimaryMeasure"),
    };
    let component_urn = format!("{}.{}", urn(&format!("datastructure.{class}"), DATA_STRUCTURE), c.id);
    let position = position.to_string();
    let mut start = w.create_element(element).with_attributes([("id", c.id), ("urn", component_urn.as_str())]);
    match c.role {
        Role::Dimension | Role::Time => start = start.with_attribute(("position", position.as_str())),
        Role::Attribute => {
            start =
                start.with_attribute(("assignmentStatus", if mandatory(c.id) { "Mandatory" } else { "Conditional" }))
        }
        Role::Measure => {}
    }
    start.write_inner_content(|w| {
        w.create_element("str:ConceptIdentity").write_inner_content(|w| {
            w.create_element("Ref")
                .with_attributes([
                    ("id", c.id),
                    ("maintainableParentID", CONCEPT_SCHEME),
                    ("maintainableParentVersion", VERSION),
                    ("agencyID", AGENCY),
                    ("package", "conceptscheme"),
                    ("class", "Concept"),
                ])
                .write_empty()?;
            Ok(())
        })?;
        w.create_element("str:LocalRepresentation").write_inner_content(|w| {
            match c.codelist {
                Some(list) => {
                    w.create_element("str:Enumeration")
                        .write_inner_content(|w| reference(w, list, "codelist", "Codelist"))?;
                }
                None => {
                    w.create_element("str:TextFormat").with_attribute(("textType", c.text_type)).write_empty()?;
                }
            }
            Ok(())
        })?;
        if c.role == Role::Attribute {
            w.create_element("str:AttributeRelationship").write_inner_content(|w| {
                w.create_element("str:PrimaryMeasure").write_inner_content(|w| {
                    w.create_element("Ref").with_attribute(("id", "OBS_VALUE")).write_empty()?;
                    Ok(())
                })?;
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The names of a codelist of the structure.
pub fn codelist_names(id: &str) -> Option<(&'static str, &'static str)> {
    Some(match id {
        "CL_INDICATOR" => ("Indicators", "Chỉ tiêu"),
        "CL_AREA" => ("Administrative units of Vietnam", "Đơn vị hành chính Việt Nam"),
        "CL_SEX" => ("Sex", "Giới tính"),
        "CL_AGE" => ("Age groups", "Nhóm tuổi"),
        "CL_ETHNICITY" => ("Ethnic groups", "Dân tộc"),
        "CL_OBS_STATUS" => ("Observation status", "Trạng thái số liệu"),
        "CL_CONF_STATUS" => ("Confidentiality status", "Tình trạng bảo mật"),
        _ => return None,
    })
}

/// The attributes' ids, in the structure's order.
pub fn attribute_ids() -> impl Iterator<Item = &'static str> {
    COMPONENTS.iter().filter(|c| c.role == Role::Attribute).map(|c| c.id)
}

/// A component's English name, for SDMX-JSON.
pub fn component_name(id: &str) -> &'static str {
    COMPONENTS.iter().find(|c| c.id == id).map(|c| c.name_en).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_structure_names_each_codelist_its_dimensions_use() {
        let sex = Codelist { id: "CL_SEX", name_en: "Sex", name_vi: "Giới tính", codes: super::super::sex_codes() };
        let all = Structures { dataflow: true, data_structure: true, concept_scheme: true, codelists: vec![sex] };
        let xml = String::from_utf8(message(&all, "S1", "2026-12-02T00:00:00Z").expect("written")).expect("utf-8");
        for part in [
            r#"<str:Dataflow id="DF_GENDER" urn="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=GDH:DF_GENDER(1.0)" agencyID="GDH" version="1.0" isFinal="true">"#,
            r#"<str:Code id="_T" urn="urn:sdmx:org.sdmx.infomodel.codelist.Code=GDH:CL_SEX(1.0)._T">"#,
            r#"<com:Name xml:lang="vi">Nữ</com:Name>"#,
            r#"<str:TimeDimension id="TIME_PERIOD" urn="urn:sdmx:org.sdmx.infomodel.datastructure.TimeDimension=GDH:DSD_GENDER(1.0).TIME_PERIOD" position="6">"#,
            r#"<Ref id="CL_SEX" version="1.0" agencyID="GDH" package="codelist" class="Codelist"/>"#,
        ] {
            assert!(xml.contains(part), "{part} missing from\n{xml}");
        }
        let order: Vec<usize> = ["<str:Dataflows>", "<str:Codelists>", "<str:Concepts>", "<str:DataStructures>"]
            .iter()
            .map(|part| xml.find(part).expect("each part"))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "the schema's order: {order:?}");
    }
}
