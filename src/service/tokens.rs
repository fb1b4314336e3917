//! Bearer tokens as use-cases: who a request's token says it is (and whether it was
//! revoked), issuing one (`issueToken` and `token issue`) and revoking one (`revokeToken`
//! and `token revoke`), each recorded in the audit log.

use super::Actor;
use crate::auth::{AuthError, IssueRequest, IssuedToken, Keys, Principal, Role};
use crate::domain::areas::{unit_on, Area};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::DomainError;
use crate::store::{Store, StoreError};

/// Why a request could not be authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    #[error(transparent)]
    Token(#[from] AuthError),
    /// Revocation could not be checked: the request must fail, not pass unchecked.
    #[error("cannot check the token against revocations")]
    Store(#[from] StoreError),
}

/// A bearer token's caller: valid signature and claims, and not revoked.
pub async fn authenticate(keys: &Keys, store: &dyn Store, token: &str) -> Result<Principal, AuthenticationError> {
    let principal = keys.verify(token)?;
    if store.is_revoked(&principal.jti).await? {
        return Err(AuthError::Revoked.into());
    }
    Ok(principal)
}

/// Only the administrator of every area issues and revokes tokens; the command line runs
/// on the server, as the administrator would.
fn require_administrator(actor: Actor<'_>, what: &str) -> Result<(), DomainError> {
    match actor {
        Actor::Token(caller) if !caller.principal.is_administrator() => {
            Err(DomainError::Forbidden(format!("only the admin of every area {what} tokens")))
        }
        _ => Ok(()),
    }
}

/// What a new token is to say.
pub struct TokenRequest {
    pub role: Role,
    /// Who it is for; by default "<role>:<agency or area>".
    pub subject: Option<String>,
    pub agency_code: Option<String>,
    /// The code of the unit it reaches (every role but the administrator's)…
    pub area_code: Option<String>,
    /// …as held on this day (default: today; an ended unit's code names its last holder).
    pub area_on: Option<chrono::NaiveDate>,
    pub lifetime: Lifetime,
}

/// How long a new token lives.
pub enum Lifetime {
    /// 30 days, or the role's longest if that is shorter.
    Default,
    /// As an API client asks: BAD_USER_INPUT naming `argument` when under a second or over
    /// the role's longest.
    Asked { ttl: chrono::Duration, argument: &'static str },
    /// As the operator wrote it: the key ring refuses a lifetime the role may not have, in
    /// words (`a partner token lives at most 366 days`).
    Exactly(chrono::Duration),
}

const DEFAULT_LIFETIME: chrono::Duration = chrono::Duration::days(30);

/// Signs a token for `request` once its lifetime fits its role and its agency and area are
/// known and within each other, and records the issue.
pub async fn issue(
    store: &dyn Store,
    keys: &Keys,
    actor: Actor<'_>,
    request: TokenRequest,
) -> Result<IssuedToken, DomainError> {
    require_administrator(actor, "issues")?;
    if keys.signing_key_id().is_none() {
        return Err(DomainError::NotSupported(
            "this server holds no signing key: it verifies tokens but cannot issue them; ask a server that signs"
                .to_owned(),
        ));
    }
    let role = request.role;
    let longest = role.max_token_lifetime();
    let ttl = match request.lifetime {
        Lifetime::Default => DEFAULT_LIFETIME.min(longest),
        Lifetime::Asked { ttl, argument } if ttl < chrono::Duration::seconds(1) || ttl > longest => {
            return Err(DomainError::bad_input(argument, format!("must be between 1 and {}", longest.num_seconds())))
        }
        Lifetime::Asked { ttl, .. } | Lifetime::Exactly(ttl) => ttl,
    };
    let unit = match &request.area_code {
        Some(code) => Some(token_unit(store, code, request.area_on).await?),
        None => None,
    };
    check_token_reach(store, request.agency_code.as_deref(), unit.as_ref()).await?;
    let reach = unit.as_ref().map_or_else(|| "all areas".to_owned(), Area::label);
    // The day pins the unit: one the unit held its code on.
    let day = request.area_on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let area_on = unit.as_ref().map(|u| if u.valid_on(day) { day } else { u.valid_to.unwrap_or(day) });
    let issued = keys
        .issue(IssueRequest {
            role,
            subject: request.subject,
            agency_code: request.agency_code,
            area_code: request.area_code,
            area_on,
            ttl,
        })
        .map_err(|message| DomainError::bad_input("input", message))?;
    let mut audit = AuditEntry::new(
        actor.subject(),
        AuditAction::IssueToken,
        format!("token {} ({}, {reach})", issued.jti, role.as_str()),
        actor.request_id(),
    );
    audit.detail = Some(format!("expires {}", issued.expires_at.to_rfc3339()));
    store.record_audit(&audit).await?;
    tracing::info!(jti = %issued.jti, %role, "token issued");
    Ok(issued)
}

/// Withdraws a token before it expires: true when this call revoked it, false when it
/// already was. Every replica refuses it from its next request.
pub async fn revoke(store: &dyn Store, actor: Actor<'_>, jti: &str) -> Result<bool, DomainError> {
    require_administrator(actor, "revokes")?;
    let jti = jti.trim();
    if jti.is_empty() || jti.len() > 200 {
        return Err(DomainError::bad_input("jti", "a token id of 1 to 200 characters"));
    }
    let audit = AuditEntry::new(actor.subject(), AuditAction::RevokeToken, format!("token {jti}"), actor.request_id());
    let revoked = store.revoke_token(jti, &audit).await?;
    tracing::info!(jti, by = %actor.subject(), revoked, "token revoked");
    Ok(revoked)
}

/// The agency and area a new token names exist, and an agency's token reaches no further
/// than the agency's own area: a district health office cannot be given the province, nor
/// another district.
async fn check_token_reach(
    store: &dyn Store,
    agency_code: Option<&str>,
    unit: Option<&Area>,
) -> Result<(), DomainError> {
    let Some(code) = agency_code else { return Ok(()) };
    let agency = store.agencies_by_codes(&[code.to_owned()]).await?.into_iter().next();
    let agency = agency.ok_or_else(|| DomainError::bad_input("agencyCode", format!("no agency `{code}`")))?;
    if let (Some(home), Some(unit)) = (agency.area_id, unit) {
        if !store.area_reach(&[home]).await?.contains(&unit.id) {
            let home = agency.area_code.unwrap_or_default();
            return Err(DomainError::bad_input(
                "areaCode",
                format!("agency `{code}` works in area `{home}`: its token's area must be `{home}` or inside it"),
            ));
        }
    }
    Ok(())
}

/// The unit a new token's code names on `on` (default today), BAD_USER_INPUT naming the
/// units of that name when the code is none.
async fn token_unit(store: &dyn Store, code: &str, on: Option<chrono::NaiveDate>) -> Result<Area, DomainError> {
    let holders = store.areas_by_codes(&[code.to_owned()]).await?;
    let day = on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    if let Some(unit) = unit_on(&holders, day) {
        return Ok(unit.clone());
    }
    if !holders.is_empty() {
        let held: Vec<String> = holders.iter().map(Area::label).collect();
        return Err(DomainError::bad_input("areaCode", format!("no unit held `{code}` on {day}: {}", held.join("; "))));
    }
    Err(DomainError::bad_input("areaCode", super::access::unknown_area_message(store, code).await?))
}
