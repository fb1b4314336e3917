//! Automatic persisted queries (Apollo's protocol, version 1): once the server has seen a
//! query's text, a client may send the text's SHA-256 in its place (`extensions.
//! persistedQuery.sha256Hash`), so a dashboard polling the same few queries sends a few
//! bytes each time. The server keeps texts, not parses, in a bounded LRU shared by every
//! caller: a text is the same for everyone (who may run it is decided when it runs), and
//! a hash names only the text it is the digest of. A hash the server does not know (or
//! has forgotten) is PERSISTED_QUERY_NOT_FOUND; the client then sends text and hash
//! together, as Apollo's clients do on their own.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::{Request, ServerError};
use sha2::{Digest, Sha256};

use super::limits::request_error;
use crate::error::ErrorCode;

/// The message Apollo's clients look for (older ones read it, not the code).
const NOT_FOUND: &str = "PersistedQueryNotFound";

/// Texts by hash, the least recently used forgotten first.
pub struct PersistedQueries {
    texts: Mutex<lru::LruCache<String, String>>,
}

/// A text to keep under its hash once it has passed the request limits.
pub struct ToRemember {
    hash: String,
    text: String,
}

impl PersistedQueries {
    pub fn new(capacity: NonZeroUsize) -> PersistedQueries {
        PersistedQueries { texts: Mutex::new(lru::LruCache::new(capacity)) }
    }

    /// Puts the text in place of a known hash; checks a text sent with its hash, which
    /// is remembered (`remember`) only once the request passed its limits, so refused
    /// texts take no room. A request without the extension is left as it is.
    pub fn resolve(&self, request: &mut Request) -> Result<Option<ToRemember>, ServerError> {
        let Some(extension) = request.extensions.0.remove("persistedQuery") else { return Ok(None) };
        let bad = |message: &str| request_error(message, ErrorCode::BadUserInput);
        let extension = extension.into_json().map_err(|_| bad("persistedQuery is not an object"))?;
        if extension.get("version").and_then(|v| v.as_i64()) != Some(1) {
            return Err(bad("persistedQuery: only version 1 is supported"));
        }
        let Some(hash) = extension.get("sha256Hash").and_then(|h| h.as_str()).map(str::to_ascii_lowercase) else {
            return Err(bad("persistedQuery needs sha256Hash"));
        };
        if request.query.is_empty() {
            let known = self.texts.lock().ok().and_then(|mut texts| texts.get(&hash).cloned());
            return match known {
                Some(text) => {
                    request.query = text;
                    Ok(None)
                }
                None => Err(request_error(NOT_FOUND, ErrorCode::PersistedQueryNotFound)),
            };
        }
        if hex(&Sha256::digest(request.query.as_bytes())) != hash {
            return Err(bad("persistedQuery: sha256Hash is not the SHA-256 of the query"));
        }
        Ok(Some(ToRemember { hash, text: request.query.clone() }))
    }

    pub fn remember(&self, text: ToRemember) {
        if let Ok(mut texts) = self.texts.lock() {
            texts.put(text.hash, text.text);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
