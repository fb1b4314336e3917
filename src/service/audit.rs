//! Reading the audit log (nhật ký thao tác): the administrator of every area only, newest
//! first, a page at a time.

use super::Caller;
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::DomainError;
use crate::store::Store;

/// Entries of one action or all, newest first: `first` of them (100 unless said, at most
/// `max_page`), before the entry id `before`. FORBIDDEN for anyone but the administrator
/// of every area; BAD_USER_INPUT naming the argument for a bad page.
pub async fn read_log(
    store: &dyn Store,
    caller: &Caller,
    action: Option<AuditAction>,
    first: Option<i32>,
    before: Option<&str>,
    max_page: usize,
) -> Result<Vec<AuditEntry>, DomainError> {
    if !caller.principal.is_administrator() {
        return Err(DomainError::Forbidden("the audit log is for the admin of every area".into()));
    }
    let limit = usize::try_from(first.unwrap_or(100))
        .ok()
        .filter(|n| (1..=max_page).contains(n))
        .ok_or_else(|| DomainError::bad_input("first", format!("between 1 and {max_page}")))?;
    let before =
        before.map(|id| id.parse::<i64>().map_err(|_| DomainError::bad_input("before", "an entry id"))).transpose()?;
    Ok(store.audit_log(action, before, limit).await?)
}
