//! Limits checked on an operation's text before anything runs, beyond what async-graphql
//! checks itself (depth, complexity, parser recursion, directives per field): the number
//! of tokens, aliases and directives. Each exceeded limit is a BAD_USER_INPUT naming it.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Request, ServerError};

use super::ApiSettings;

/// A request error with a code, as every error this API answers carries one.
pub fn request_error(message: impl Into<String>, code: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

/// Checks the operation's size and shape; parses it once (async-graphql keeps the parse).
pub fn check(request: &mut Request, settings: &ApiSettings) -> Result<(), ServerError> {
    let tokens = count_tokens(&request.query, settings.max_tokens + 1);
    if tokens > settings.max_tokens {
        return Err(request_error(
            format!("the operation has more than {} tokens (limit: tokens)", settings.max_tokens),
            "BAD_USER_INPUT",
        ));
    }
    let document = request.parsed_query().map_err(|mut e| {
        e.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", "BAD_USER_INPUT");
        e
    })?;
    let fields = expanded_fields(document);
    if fields > settings.max_fields {
        return Err(request_error(
            format!(
                "the operation selects more than {} fields once its fragments are written out (limit: fields)",
                settings.max_fields
            ),
            "BAD_USER_INPUT",
        ));
    }
    let shape = Shape::of(document);
    if shape.aliases > settings.max_aliases {
        return Err(request_error(
            format!(
                "the operation uses {} aliases, more than {} (limit: aliases)",
                shape.aliases, settings.max_aliases
            ),
            "BAD_USER_INPUT",
        ));
    }
    if shape.directives > settings.max_directives {
        return Err(request_error(
            format!(
                "the operation uses {} directives, more than {} (limit: directives)",
                shape.directives, settings.max_directives
            ),
            "BAD_USER_INPUT",
        ));
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
    use std::collections::HashMap;

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
}
