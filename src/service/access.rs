//! Who is calling and how far they reach: a verified token's caller, and the units (phạm
//! vi) it reads and writes in, worked out once per request; and how a code written in a
//! read names units.

use std::sync::Arc;

use tokio::sync::OnceCell;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::auth::{Principal, Role, Scope};
use crate::domain::areas::{self, search_key, unit_for_period, unit_named, Area, AreaId, AreaLevel};
use crate::domain::periods::Period;
use crate::domain::DomainError;
use crate::store::{AreaFilter, Store, StoreError};

/// A request's caller: its token's principal, the request's id for the audit log, and its
/// scope, read on first use and shared by everything the request does (clones share it).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The HTTP request's id (`x-request-id`).
    pub request_id: Option<String>,
    scope: Arc<OnceCell<Scope>>,
}

impl Caller {
    pub fn new(principal: Principal, request_id: Option<String>) -> Caller {
        Caller { principal, request_id, scope: Arc::default() }
    }

    /// The areas this caller reaches.
    pub async fn scope(&self, store: &dyn Store) -> Result<&Scope, StoreError> {
        self.scope.get_or_try_init(|| scope_of(&self.principal, store)).await
    }

    /// FORBIDDEN unless the unit is inside the caller's reach.
    pub async fn require_area(&self, store: &dyn Store, id: AreaId, code: &str) -> Result<(), DomainError> {
        if self.scope(store).await?.allows(id) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!("area {code} is outside your area")))
        }
    }

    /// Partners read the published view: approved values only, small sensitive counts withheld.
    pub fn reads_published_only(&self) -> bool {
        self.principal.role.reads_published_only()
    }
}

/// The units a principal may reach: everything for the administrator and for a token of
/// the nation, otherwise what the token's unit reaches (itself, the units under it, and
/// the units whose territory it took over whole, with theirs). One indexed read, cached
/// for the request.
async fn scope_of(principal: &Principal, store: &dyn Store) -> Result<Scope, StoreError> {
    match (&principal.role, &principal.area_code) {
        (Role::Admin, None) => Ok(Scope::All),
        (_, Some(code)) => {
            let holders = store.areas_by_codes(std::slice::from_ref(code)).await?;
            match unit_named(&holders, principal.area_on) {
                Some(unit) if unit.level == AreaLevel::Nation => Ok(Scope::All),
                Some(unit) => Ok(Scope::reach(store.area_reach(&[unit.id]).await?)),
                None => Ok(Scope::reach(Vec::new())),
            }
        }
        // Tokens are checked to carry an area for every other role; an empty scope is
        // the safe reading should one ever lack it.
        (_, None) => Ok(Scope::reach(Vec::new())),
    }
}

/// The units a code names in a read: every unit that held it (each value was stored under
/// the unit holding the code in its period, so a code and a period still meet one unit),
/// or those valid on `valid_on`. NOT_FOUND naming the units of that name when the code is
/// none.
pub async fn units_of_code(
    store: &dyn Store,
    code: &str,
    valid_on: Option<NaiveDate>,
) -> Result<Vec<Area>, DomainError> {
    let holders = store.areas_by_codes(&[code.to_owned()]).await?;
    if holders.is_empty() {
        return Err(DomainError::UnknownArea(unknown_area_message(store, code).await?));
    }
    Ok(match valid_on {
        Some(day) => holders.into_iter().filter(|a| a.valid_on(day)).collect(),
        None => holders,
    })
}

/// How many units a search by name returns at most.
pub const SEARCH_LIMIT: usize = 200;

/// "no area `x`", and when `x` is a name rather than a code, the units of that name with
/// their codes and validity.
pub async fn unknown_area_message(store: &dyn Store, written: &str) -> Result<String, StoreError> {
    let named = units_named(store, &[written.to_owned()]).await?;
    Ok(areas::unknown_area_message(written, named.get(written).map_or(&[][..], Vec::as_slice)))
}

/// For each text, the units whose name it is (with or without diacritics or the unit-type
/// word): what to tell someone who wrote a name where a code belongs.
pub async fn units_named(store: &dyn Store, texts: &[String]) -> Result<HashMap<String, Vec<Area>>, StoreError> {
    let mut named = HashMap::new();
    for text in texts {
        let key = search_key(text);
        if key.is_empty() || key.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let filter = AreaFilter { search: Some(&key), limit: Some(20), ..AreaFilter::default() };
        let units: Vec<Area> = store.areas(filter).await?.into_iter().filter(|a| search_key(&a.name) == key).collect();
        named.insert(text.clone(), units);
    }
    Ok(named)
}

/// The units a read of values covers: those of the area codes (for each, the one it names
/// in `period`, when given, else every unit that held it) alone or with everything they
/// reach (NOT_FOUND for an unknown code, FORBIDDEN for one outside the scope), else the
/// whole scope. `None` means any area.
pub async fn areas_to_read(
    store: &dyn Store,
    caller: &Caller,
    area_codes: &[String],
    include_descendants: bool,
    period: Option<&Period>,
) -> Result<Option<Vec<AreaId>>, DomainError> {
    let scope = caller.scope(store).await?;
    if area_codes.is_empty() {
        return Ok(scope.restrict(None));
    }
    let holders = store.areas_by_codes(area_codes).await?;
    let mut ids: Vec<AreaId> = Vec::new();
    for code in area_codes {
        let of_code: Vec<&Area> = holders.iter().filter(|a| &a.code == code).collect();
        if of_code.is_empty() {
            return Err(DomainError::UnknownArea(unknown_area_message(store, code).await?));
        }
        let units: Vec<&Area> = match period {
            Some(period) => unit_for_period(of_code.iter().copied(), period).into_iter().collect(),
            None => of_code,
        };
        let reachable: Vec<AreaId> = units.iter().map(|a| a.id).filter(|id| scope.allows(*id)).collect();
        if reachable.is_empty() && !units.is_empty() {
            return Err(DomainError::Forbidden(format!("area {code} is outside your area")));
        }
        ids.extend(reachable);
    }
    ids.sort_unstable();
    ids.dedup();
    if include_descendants && !ids.is_empty() {
        Ok(scope.restrict(Some(store.area_reach(&ids).await?)))
    } else {
        Ok(Some(ids))
    }
}
