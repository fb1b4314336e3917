//! Who may do what, where: every query, mutation and subscription of the schema (and the
//! nested fields with a rule of their own: a value's history, a plan's reporting status, a
//! target's progress in a named area), called by every kind of caller, on something in
//! Tân Yên (the district most callers belong to), in Bắc Giang (the province above it), in
//! Bắc Yên (another province's district) and on a code that names nothing. Each cell says
//! what the caller must get: allowed (no error, the data there, nothing from outside the
//! caller's area in it, and the write done), denied with an exact error code and nothing
//! written, a pushed row refused with an exact import error code and nothing written, or
//! 401 without a token.
//!
//! Every cell runs, then every cell that differs is printed in one table: a change to the
//! rules shows whole, not one cell at a time.
//!
//! The expectations come from DESIGN.md ("Users", "API contract") and the schema's own
//! words: every role reads only inside its area subtree (admin everywhere); naming an area
//! outside it is FORBIDDEN, a code that matches nothing is NOT_FOUND; the statistics office
//! pushes any indicator in its subtree and reviews there; a sector agency pushes only what
//! its agency is assigned to by a plan covering the area; dashboards read; partners read
//! approved values only; the audit log and tokens are the admin's.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use axum::http::StatusCode;
use gender_data_hub::auth::Role;
use serde_json::{json, Value};

use crate::helpers::http::serve;
use crate::helpers::push::{push_input, APPROVE, PUSH, REJECT};
use crate::helpers::sockets::{self, drain, Socket};
use crate::helpers::tokens::{ISSUE_DASHBOARD as ISSUE, REVOKE};
use crate::helpers::TestApp;

use Who::*;

// ---------------------------------------------------------------------------------------
// Callers

/// The kinds of caller, each with the token it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// No Authorization header at all.
    Anonymous,
    /// The system administrator: everything, everywhere.
    Admin,
    /// An admin token that names an area (`issueToken` accepts one): it reaches Tân Yên
    /// only, so it may not do what only the administrator of every area does (read the
    /// audit log, issue or revoke tokens): it could mint itself a token for every area.
    AdminTanYen,
    /// Tân Yên's statistics office (Chi cục Thống kê), scoped to district 216.
    OfficeTanYen,
    /// Bắc Giang's provincial statistics office: province 24 and Tân Yên below it.
    OfficeBacGiang,
    /// Tân Yên's health office, which leads the sex-ratio-at-birth target of Tân Yên's plan.
    HealthTanYen,
    /// Tân Yên's labour office: same district, but not assigned the sex ratio at birth.
    LabourTanYen,
    /// Bắc Yên's health centre, scoped to its own district 121, where it leads the sex ratio.
    HealthBacYen,
    /// A token naming Bắc Yên's health centre but scoped to Tân Yên: another district's
    /// agency, which Tân Yên's plan assigns nothing. `issueToken` and `token issue` now
    /// refuse such a token, but one signed before that rule (or with the key by hand) is
    /// still valid: it reads as a Tân Yên caller and must be able to push nothing.
    BacYenAgencyInTanYen,
    /// Tân Yên's dashboard: reads everything in the district.
    DashboardTanYen,
    /// A partner organisation reading Tân Yên's published figures.
    PartnerTanYen,
}

/// Every caller, in the order the grids list them.
const CALLERS: [Who; 11] = [
    Anonymous,
    Admin,
    AdminTanYen,
    OfficeTanYen,
    OfficeBacGiang,
    HealthTanYen,
    LabourTanYen,
    HealthBacYen,
    BacYenAgencyInTanYen,
    DashboardTanYen,
    PartnerTanYen,
];

impl Who {
    /// Role, agency and area of the caller's token; `None` for no token.
    fn claims(self) -> Option<(Role, Option<&'static str>, Option<&'static str>)> {
        match self {
            Anonymous => None,
            Admin => Some((Role::Admin, None, None)),
            AdminTanYen => Some((Role::Admin, None, Some("216"))),
            OfficeTanYen => Some((Role::StatisticsOffice, Some("216-CCTK"), Some("216"))),
            OfficeBacGiang => Some((Role::StatisticsOffice, None, Some("24"))),
            HealthTanYen => Some((Role::AgencyReporter, Some("216-YTE"), Some("216"))),
            LabourTanYen => Some((Role::AgencyReporter, Some("216-LDTBXH"), Some("216"))),
            HealthBacYen => Some((Role::AgencyReporter, Some("121-TTYT"), Some("121"))),
            BacYenAgencyInTanYen => Some((Role::AgencyReporter, Some("121-TTYT"), Some("216"))),
            DashboardTanYen => Some((Role::Dashboard, None, Some("216"))),
            PartnerTanYen => Some((Role::Partner, None, Some("216"))),
        }
    }

    /// A fresh token (its own `jti`, so no cell spends another's rate limit).
    fn token(self, app: &TestApp) -> Option<String> {
        self.claims().map(|(role, agency, area)| app.token(role, agency, area))
    }

    /// The codes of the units the caller may see (`prepare` reads them from the map);
    /// `None` for everywhere.
    fn reach(self) -> Option<&'static BTreeSet<String>> {
        let reach = REACH.get().expect("prepare() reads the reaches first");
        match self {
            Anonymous => Some(&reach.nothing),
            Admin => None,
            OfficeBacGiang => Some(&reach.bac_ninh),
            HealthBacYen => Some(&reach.bac_yen),
            AdminTanYen | OfficeTanYen | HealthTanYen | LabourTanYen | BacYenAgencyInTanYen | DashboardTanYen
            | PartnerTanYen => Some(&reach.tan_yen),
        }
    }

    fn reaches(self, area: &str) -> bool {
        self.reach().is_none_or(|codes| codes.contains(area))
    }

    /// Reads approved values only.
    fn published_only(self) -> bool {
        self == PartnerTanYen
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Anonymous => "no token",
            Admin => "admin",
            AdminTanYen => "admin token for Tân Yên",
            OfficeTanYen => "statistics office, Tân Yên",
            OfficeBacGiang => "statistics office, Bắc Giang province",
            HealthTanYen => "agency 216-YTE (assigned), Tân Yên",
            LabourTanYen => "agency 216-LDTBXH (not assigned), Tân Yên",
            HealthBacYen => "agency 121-TTYT, Bắc Yên",
            BacYenAgencyInTanYen => "agency 121-TTYT, token for Tân Yên",
            DashboardTanYen => "dashboard, Tân Yên",
            PartnerTanYen => "partner, Tân Yên",
        })
    }
}

// ---------------------------------------------------------------------------------------
// Places an operation names

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The operation names no area (or, for the catalogue, a code that exists).
    Unnamed,
    /// Huyện Tân Yên, district 216: the own area of most callers.
    TanYen,
    /// Tỉnh Bắc Giang, province 24, above Tân Yên.
    BacGiang,
    /// Huyện Bắc Yên, district 121, in another province (Sơn La).
    BacYen,
    /// A code that names nothing.
    Nowhere,
}

const UNNAMED: &[Place] = &[Place::Unnamed];
const CATALOGUE_PLACES: &[Place] = &[Place::Unnamed, Place::Nowhere];
const AREAS: &[Place] = &[Place::TanYen, Place::BacGiang, Place::BacYen, Place::Nowhere];

impl Place {
    fn area(self) -> &'static str {
        match self {
            Place::Unnamed | Place::TanYen => "216",
            Place::BacGiang => "24",
            Place::BacYen => "121",
            Place::Nowhere => "99999",
        }
    }

    fn plan(self) -> &'static str {
        match self {
            Place::Unnamed | Place::TanYen => "tan-yen-bdg-2021-2025",
            Place::BacGiang => "bac-giang-kh-311-2021",
            Place::BacYen => "bac-yen-bdg-2021-2025",
            Place::Nowhere => "no-such-plan",
        }
    }

    fn agency(self) -> &'static str {
        match self {
            Place::Unnamed | Place::TanYen => "216-YTE",
            Place::BacGiang => "24-SLDTBXH",
            Place::BacYen => "121-TTYT",
            Place::Nowhere => "99999-NOBODY",
        }
    }

    fn indicator(self) -> &'static str {
        match self {
            Place::Nowhere => "NO_SUCH_INDICATOR",
            _ => SRB,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Place::Unnamed => "-",
            Place::TanYen => "Tân Yên 216",
            Place::BacGiang => "Bắc Giang 24",
            Place::BacYen => "Bắc Yên 121",
            Place::Nowhere => "unknown code",
        })
    }
}

// ---------------------------------------------------------------------------------------
// Outcomes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// No error, the data there, nothing outside the caller's area in it, and the write done.
    Ok,
    /// A GraphQL error with this `extensions.code`, and nothing written.
    Denied(&'static str),
    /// HTTP 401 with `UNAUTHENTICATED` (for a subscription: `connection_init` refused).
    Unauthenticated,
    /// A push answered, its row refused with this import error code, and nothing written.
    Refused(&'static str),
}

const OK: Expect = Expect::Ok;
const UNAUTH: Expect = Expect::Unauthenticated;
const FORBIDDEN: Expect = Expect::Denied("FORBIDDEN");
const NOT_FOUND: Expect = Expect::Denied("NOT_FOUND");
const OUT_OF_AREA: Expect = Expect::Refused("OUT_OF_AREA");
const NOT_ASSIGNED: Expect = Expect::Refused("NOT_ASSIGNED");
const UNKNOWN_AREA: Expect = Expect::Refused("UNKNOWN_AREA");

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Ok => f.write_str("allowed"),
            Expect::Denied(code) => write!(f, "denied {code}"),
            Expect::Unauthenticated => f.write_str("401 UNAUTHENTICATED"),
            Expect::Refused(code) => write!(f, "row refused {code}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Grids: what each caller must get, one column per place of the operation's row

type Grid = &'static [(Who, &'static [Expect])];

/// Anyone holding a token.
#[rustfmt::skip]
const EVERYONE: Grid = &[
    (Anonymous,             &[UNAUTH]),
    (Admin,                 &[OK]),
    (AdminTanYen,           &[OK]),
    (OfficeTanYen,          &[OK]),
    (OfficeBacGiang,        &[OK]),
    (HealthTanYen,          &[OK]),
    (LabourTanYen,          &[OK]),
    (HealthBacYen,          &[OK]),
    (BacYenAgencyInTanYen,  &[OK]),
    (DashboardTanYen,       &[OK]),
    (PartnerTanYen,         &[OK]),
];

/// The shared catalogue: anyone with a token, a known code and an unknown one.
#[rustfmt::skip]
const CATALOGUE: Grid = &[
    //                        known code  unknown code
    (Anonymous,             &[UNAUTH,     UNAUTH]),
    (Admin,                 &[OK,         NOT_FOUND]),
    (AdminTanYen,           &[OK,         NOT_FOUND]),
    (OfficeTanYen,          &[OK,         NOT_FOUND]),
    (OfficeBacGiang,        &[OK,         NOT_FOUND]),
    (HealthTanYen,          &[OK,         NOT_FOUND]),
    (LabourTanYen,          &[OK,         NOT_FOUND]),
    (HealthBacYen,          &[OK,         NOT_FOUND]),
    (BacYenAgencyInTanYen,  &[OK,         NOT_FOUND]),
    (DashboardTanYen,       &[OK,         NOT_FOUND]),
    (PartnerTanYen,         &[OK,         NOT_FOUND]),
];

/// The administrator alone.
#[rustfmt::skip]
const ADMIN_ONLY: Grid = &[
    (Anonymous,             &[UNAUTH]),
    (Admin,                 &[OK]),
    (AdminTanYen,           &[FORBIDDEN]),
    (OfficeTanYen,          &[FORBIDDEN]),
    (OfficeBacGiang,        &[FORBIDDEN]),
    (HealthTanYen,          &[FORBIDDEN]),
    (LabourTanYen,          &[FORBIDDEN]),
    (HealthBacYen,          &[FORBIDDEN]),
    (BacYenAgencyInTanYen,  &[FORBIDDEN]),
    (DashboardTanYen,       &[FORBIDDEN]),
    (PartnerTanYen,         &[FORBIDDEN]),
];

/// Internal roles, not partners.
#[rustfmt::skip]
const INTERNAL_ONLY: Grid = &[
    (Anonymous,             &[UNAUTH]),
    (Admin,                 &[OK]),
    (AdminTanYen,           &[OK]),
    (OfficeTanYen,          &[OK]),
    (OfficeBacGiang,        &[OK]),
    (HealthTanYen,          &[OK]),
    (LabourTanYen,          &[OK]),
    (HealthBacYen,          &[OK]),
    (BacYenAgencyInTanYen,  &[OK]),
    (DashboardTanYen,       &[OK]),
    (PartnerTanYen,         &[FORBIDDEN]),
];

/// Reading what lies in an area: inside the caller's subtree yes, outside FORBIDDEN, a code
/// that names nothing NOT_FOUND (for everyone: existence is checked before reach).
#[rustfmt::skip]
const READ_IN_AREA: Grid = &[
    //                        Tân Yên    Bắc Giang  Bắc Yên    unknown code
    (Anonymous,             &[UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH]),
    (Admin,                 &[OK,        OK,        OK,        NOT_FOUND]),
    (AdminTanYen,           &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (OfficeTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (OfficeBacGiang,        &[OK,        OK,        FORBIDDEN, NOT_FOUND]),
    (HealthTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (LabourTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (HealthBacYen,          &[FORBIDDEN, FORBIDDEN, OK,        NOT_FOUND]),
    (BacYenAgencyInTanYen,  &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (DashboardTanYen,       &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (PartnerTanYen,         &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
];

/// Progress of Tân Yên's targets measured in an area: the plan must be the caller's to
/// read (Bắc Yên's health centre may not open it at all), then the area as for any read.
#[rustfmt::skip]
const PROGRESS_OF_TAN_YEN: Grid = &[
    //                        Tân Yên    Bắc Giang  Bắc Yên    unknown code
    (Anonymous,             &[UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH]),
    (Admin,                 &[OK,        OK,        OK,        NOT_FOUND]),
    (AdminTanYen,           &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (OfficeTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (OfficeBacGiang,        &[OK,        OK,        FORBIDDEN, NOT_FOUND]),
    (HealthTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (LabourTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (HealthBacYen,          &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (BacYenAgencyInTanYen,  &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (DashboardTanYen,       &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (PartnerTanYen,         &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
];

/// Tân Yên's reporting status: internal roles that may read Tân Yên's plan.
#[rustfmt::skip]
const REPORTING_OF_TAN_YEN: Grid = &[
    (Anonymous,             &[UNAUTH]),
    (Admin,                 &[OK]),
    (AdminTanYen,           &[OK]),
    (OfficeTanYen,          &[OK]),
    (OfficeBacGiang,        &[OK]),
    (HealthTanYen,          &[OK]),
    (LabourTanYen,          &[OK]),
    (HealthBacYen,          &[FORBIDDEN]),
    (BacYenAgencyInTanYen,  &[OK]),
    (DashboardTanYen,       &[OK]),
    (PartnerTanYen,         &[FORBIDDEN]),
];

/// Pushing the sex ratio at birth: the statistics office anything in its subtree; an
/// agency only inside its area and only what a plan covering the area assigns its agency;
/// dashboards and partners never. Row-level refusals come back in the summary.
#[rustfmt::skip]
const PUSH_SEX_RATIO: Grid = &[
    //                        Tân Yên       Bắc Giang    Bắc Yên      unknown code
    (Anonymous,             &[UNAUTH,       UNAUTH,      UNAUTH,      UNAUTH]),
    (Admin,                 &[OK,           OK,          OK,          UNKNOWN_AREA]),
    (AdminTanYen,           &[OK,           OUT_OF_AREA, OUT_OF_AREA, UNKNOWN_AREA]),
    (OfficeTanYen,          &[OK,           OUT_OF_AREA, OUT_OF_AREA, UNKNOWN_AREA]),
    (OfficeBacGiang,        &[OK,           OK,          OUT_OF_AREA, UNKNOWN_AREA]),
    (HealthTanYen,          &[OK,           OUT_OF_AREA, OUT_OF_AREA, UNKNOWN_AREA]),
    (LabourTanYen,          &[NOT_ASSIGNED, OUT_OF_AREA, OUT_OF_AREA, UNKNOWN_AREA]),
    (HealthBacYen,          &[OUT_OF_AREA,  OUT_OF_AREA, OK,          UNKNOWN_AREA]),
    (BacYenAgencyInTanYen,  &[NOT_ASSIGNED, OUT_OF_AREA, OUT_OF_AREA, UNKNOWN_AREA]),
    (DashboardTanYen,       &[FORBIDDEN,    FORBIDDEN,   FORBIDDEN,   FORBIDDEN]),
    (PartnerTanYen,         &[FORBIDDEN,    FORBIDDEN,   FORBIDDEN,   FORBIDDEN]),
];

/// Approving or rejecting a value of an area: the statistics office of that area (or one
/// above it) and the admin; agencies, dashboards and partners never, whatever the value.
#[rustfmt::skip]
const REVIEW: Grid = &[
    //                        Tân Yên    Bắc Giang  Bắc Yên    unknown id
    (Anonymous,             &[UNAUTH,    UNAUTH,    UNAUTH,    UNAUTH]),
    (Admin,                 &[OK,        OK,        OK,        NOT_FOUND]),
    (AdminTanYen,           &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (OfficeTanYen,          &[OK,        FORBIDDEN, FORBIDDEN, NOT_FOUND]),
    (OfficeBacGiang,        &[OK,        OK,        FORBIDDEN, NOT_FOUND]),
    (HealthTanYen,          &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (LabourTanYen,          &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (HealthBacYen,          &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (BacYenAgencyInTanYen,  &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (DashboardTanYen,       &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    (PartnerTanYen,         &[FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
];

// ---------------------------------------------------------------------------------------
// Operations

const SRB: &str = "SEX_RATIO_AT_BIRTH";

/// How a row's cell is run and what it must leave behind.
enum Call {
    /// A read: `query` with `vars(place)`. Allowed means data; every area it shows
    /// (aliased `inArea`, or the area prefix of an `agencyCode`) inside the caller's reach;
    /// for partners only approved values (aliased `obsStatus`); and, with `nonempty`, at
    /// least one area shown.
    Read { query: &'static str, vars: fn(Place) -> Value, nonempty: bool },
    /// `submitObservations` of one sex ratio in the place: the row is written or not.
    Push,
    /// `approveObservations` or `rejectObservations` of a value just pushed in the place
    /// by the admin: its status changes or not.
    Review { approve: bool },
    /// `issueToken` for a Tân Yên dashboard: an ISSUE_TOKEN audit entry or not.
    IssueToken,
    /// `revokeToken` of a Tân Yên dashboard's live token: it gets 401 afterwards or not.
    RevokeToken,
}

struct Op {
    /// `Type.field` of schema.graphql.
    field: &'static str,
    places: &'static [Place],
    grid: Grid,
    call: Call,
}

fn read(query: &'static str, vars: fn(Place) -> Value, nonempty: bool) -> Call {
    Call::Read { query, vars, nonempty }
}

fn no_vars(_: Place) -> Value {
    json!({})
}

fn operations() -> Vec<Op> {
    vec![
        // Anyone with a token may ask who the token says they are.
        Op { field: "Query.me", places: UNNAMED, grid: EVERYONE, call: read("{ me { role } }", no_vars, false) },
        // Every caller lists areas, but only those of its own subtree.
        Op {
            field: "Query.areas",
            places: UNNAMED,
            grid: EVERYONE,
            call: read("{ areas { inArea: code } }", no_vars, true),
        },
        // Listing the units under an area is reading that area.
        Op {
            field: "Query.areas",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { areas(parentCode: $code) { inArea: code } }",
                |p| json!({ "code": p.area() }),
                false,
            ),
        },
        // One administrative unit: one's own, or one above or beside it.
        Op {
            field: "Query.area",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { area(code: $code) { inArea: code } }",
                |p| json!({ "code": p.area() }),
                true,
            ),
        },
        // Every caller lists the agencies of its own subtree.
        Op {
            field: "Query.agencies",
            places: UNNAMED,
            grid: EVERYONE,
            call: read("{ agencies { agencyCode: code } }", no_vars, true),
        },
        // The agencies of a named area: that area must be the caller's.
        Op {
            field: "Query.agencies",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { agencies(areaCode: $code) { agencyCode: code } }",
                |p| json!({ "code": p.area() }),
                true,
            ),
        },
        // One agency: Tân Yên's health office, Bắc Giang's labour department, Bắc Yên's
        // health centre; an agency belongs to its area.
        Op {
            field: "Query.agency",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { agency(code: $code) { agencyCode: code } }",
                |p| json!({ "code": p.agency() }),
                true,
            ),
        },
        // The indicator catalogue is shared by all plans: everyone reads it.
        Op {
            field: "Query.indicators",
            places: UNNAMED,
            grid: EVERYONE,
            call: read("{ indicators { code } }", no_vars, false),
        },
        // One catalogue entry, and through it the values each caller may read (partners:
        // approved only), never another area's.
        Op {
            field: "Query.indicator",
            places: CATALOGUE_PLACES,
            grid: CATALOGUE,
            call: read(
                "query($code: String!) { indicator(code: $code) { code \
                   observations { edges { node { area { inArea: code } obsStatus: status } } } } }",
                |p| json!({ "code": p.indicator() }),
                true,
            ),
        },
        // Every caller lists the plans of its own subtree.
        Op {
            field: "Query.plans",
            places: UNNAMED,
            grid: EVERYONE,
            call: read("{ plans { code area { inArea: code } } }", no_vars, true),
        },
        // The plans of a named area: that area must be the caller's.
        Op {
            field: "Query.plans",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { plans(areaCode: $code) { code area { inArea: code } } }",
                |p| json!({ "code": p.area() }),
                true,
            ),
        },
        // One plan: Tân Yên's, Bắc Giang's provincial plan above it, Bắc Yên's.
        Op {
            field: "Query.plan",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { plan(code: $code) { code area { inArea: code } } }",
                |p| json!({ "code": p.plan() }),
                true,
            ),
        },
        // Every caller reads the values of its own subtree; partners approved ones only.
        Op {
            field: "Query.observations",
            places: UNNAMED,
            grid: EVERYONE,
            call: read(
                "{ observations { edges { node { area { inArea: code } obsStatus: status } } } }",
                no_vars,
                true,
            ),
        },
        // The values of a named area: that area must be the caller's.
        Op {
            field: "Query.observations",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { observations(filter: { areaCode: $code }) { \
                   edges { node { area { inArea: code } obsStatus: status } } } }",
                |p| json!({ "code": p.area() }),
                true,
            ),
        },
        // Who pushed, approved, rejected and issued what: the admin's alone.
        Op {
            field: "Query.auditLog",
            places: UNNAMED,
            grid: ADMIN_ONLY,
            call: read("{ auditLog(first: 5) { action } }", no_vars, false),
        },
        // Female and male primary completion in an area: reading that area's values.
        Op {
            field: "Query.genderGap",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { genderGap(indicatorCode: \"EM_PRIMARY_COMPLETION_PCT\", \
                   areaCode: $code, period: \"2024\") { female male } }",
                |p| json!({ "code": p.area() }),
                false,
            ),
        },
        // Cells of an area, named or as the parent of the units listed: reading that area.
        Op {
            field: "Query.cells",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { cells(indicatorCodes: [\"EM_PRIMARY_COMPLETION_PCT\"], areaCodes: [$code], \
                   periods: [\"2024\"]) { area { inArea: code } value } }",
                |p| json!({ "code": p.area() }),
                true,
            ),
        },
        Op {
            field: "Query.cells",
            places: AREAS,
            grid: READ_IN_AREA,
            call: read(
                "query($code: String!) { cells(indicatorCodes: [\"EM_PRIMARY_COMPLETION_PCT\"], childrenOf: $code, \
                   periods: [\"2024\"]) { area { inArea: code } value } }",
                |p| json!({ "code": p.area() }),
                false,
            ),
        },
        // The history of a value (who pushed and reviewed each revision) is for internal
        // roles; a partner reads the published figure only.
        Op {
            field: "Observation.history",
            places: UNNAMED,
            grid: INTERNAL_ONLY,
            call: read(
                "{ observations { edges { node { area { inArea: code } history { revision } } } } }",
                no_vars,
                true,
            ),
        },
        // Whether each agency reported on time is internal too.
        Op {
            field: "Plan.reportingStatus",
            places: UNNAMED,
            grid: REPORTING_OF_TAN_YEN,
            call: read(
                "{ plan(code: \"tan-yen-bdg-2021-2025\") { reportingStatus(period: \"2024\") { status } } }",
                no_vars,
                false,
            ),
        },
        // Progress of Tân Yên's targets measured in a named area: reading that area.
        Op {
            field: "Target.progress",
            places: AREAS,
            grid: PROGRESS_OF_TAN_YEN,
            call: read(
                "query($code: String!) { plan(code: \"tan-yen-bdg-2021-2025\") { \
                   objectives { targets { progress(areaCode: $code) { status } } } } }",
                |p| json!({ "code": p.area() }),
                false,
            ),
        },
        // "Pushes data feeds for any indicator in its area subtree" (statistics office);
        // "only for the targets its agency is assigned to … only inside its area subtree"
        // (sector agency); dashboards and partners read.
        Op { field: "Mutation.submitObservations", places: AREAS, grid: PUSH_SEX_RATIO, call: Call::Push },
        // "Approves or rejects values": the statistics office in its area, and the admin.
        Op { field: "Mutation.approveObservations", places: AREAS, grid: REVIEW, call: Call::Review { approve: true } },
        Op { field: "Mutation.rejectObservations", places: AREAS, grid: REVIEW, call: Call::Review { approve: false } },
        // "Issues and revokes tokens": the admin.
        Op { field: "Mutation.issueToken", places: UNNAMED, grid: ADMIN_ONLY, call: Call::IssueToken },
        Op { field: "Mutation.revokeToken", places: UNNAMED, grid: ADMIN_ONLY, call: Call::RevokeToken },
    ]
}

/// Root fields the subscription test below covers.
const SUBSCRIPTION_FIELDS: &[&str] = &["Subscription.observationChanged"];

// ---------------------------------------------------------------------------------------
// Running a cell

/// A month of its own for each write cell, so no two cells touch the same value: 2000-01,
/// 2000-02… (the seeded districts existed until mid-2025).
fn month(n: usize) -> String {
    format!("{}-{:02}", 2000 + n / 12, n % 12 + 1)
}

fn srb(area: &str, period: &str) -> Value {
    json!({ "indicatorCode": SRB, "areaCode": area, "period": period, "sex": "TOTAL", "value": 110.0 })
}

/// The answer of an operation, as a cell reads it: the data when it ran without error,
/// else what refused it ("401 UNAUTHENTICATED", "denied FORBIDDEN", …).
fn answer(status: StatusCode, body: &Value) -> Result<Value, String> {
    if status == StatusCode::UNAUTHORIZED {
        return Err(match body["errors"][0]["extensions"]["code"].as_str() {
            Some("UNAUTHENTICATED") => Expect::Unauthenticated.to_string(),
            _ => format!("401 without UNAUTHENTICATED: {body}"),
        });
    }
    if status != StatusCode::OK {
        return Err(format!("HTTP {status}: {body}"));
    }
    if let Some(errors) = body["errors"].as_array().filter(|e| !e.is_empty()) {
        let codes: BTreeSet<&str> =
            errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("(no code)")).collect();
        return Err(format!("denied {}", codes.into_iter().collect::<Vec<_>>().join("+")));
    }
    match body["data"].as_object() {
        Some(fields) if !fields.is_empty() && fields.values().all(|v| !v.is_null()) => Ok(body["data"].clone()),
        _ => Err(format!("allowed but no data: {body}")),
    }
}

/// Every string under a key named `key`, at any depth.
fn collect<'a>(value: &'a Value, key: &str, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v.as_str() {
                    Some(s) if k == key => out.push(s),
                    _ => collect(v, key, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, key, out)),
        _ => {}
    }
}

/// "allowed", or what an allowed read showed that the caller must not see.
fn judge_read(who: Who, data: &Value, nonempty: bool) -> String {
    let mut areas = Vec::new();
    collect(data, "inArea", &mut areas);
    let mut agencies = Vec::new();
    collect(data, "agencyCode", &mut agencies);
    // Seeded agency codes are "<area code>-<short name>".
    areas.extend(agencies.iter().map(|code| code.split('-').next().unwrap_or_default()));
    let mut statuses = Vec::new();
    collect(data, "obsStatus", &mut statuses);

    let outside: BTreeSet<&str> = areas.iter().copied().filter(|a| !who.reaches(a)).collect();
    if !outside.is_empty() {
        return format!("allowed but showed area {}", outside.into_iter().collect::<Vec<_>>().join(", "));
    }
    if who.published_only() {
        let unpublished: BTreeSet<&str> = statuses.iter().copied().filter(|s| *s != "APPROVED").collect();
        if !unpublished.is_empty() {
            return format!("allowed but showed {} values", unpublished.into_iter().collect::<Vec<_>>().join(", "));
        }
    }
    if nonempty && areas.is_empty() {
        return "allowed but showed nothing".to_owned();
    }
    Expect::Ok.to_string()
}

/// What one cell got, in the words of `Expect`'s display, plus what it wrongly left behind.
async fn run_cell(app: &TestApp, call: &Call, who: Who, place: Place, writes: &mut usize) -> String {
    let token = who.token(app);
    let token = token.as_deref();
    match call {
        Call::Read { query, vars, nonempty } => {
            let (status, body) = app.graphql(token, query, vars(place)).await;
            match answer(status, &body) {
                Ok(data) => judge_read(who, &data, *nonempty),
                Err(refused) => refused,
            }
        }
        Call::Push => {
            *writes += 1;
            let period = month(*writes);
            let (status, body) = app.graphql(token, PUSH, push_input(json!([srb(place.area(), &period)]))).await;
            let got = match answer(status, &body) {
                Err(refused) => refused,
                Ok(data) => {
                    let summary = &data["submitObservations"];
                    let mut codes = Vec::new();
                    collect(&summary["errors"], "code", &mut codes);
                    match (summary["created"].as_i64(), summary["rejected"].as_i64()) {
                        (Some(1), Some(0)) if codes.is_empty() => Expect::Ok.to_string(),
                        (Some(0), Some(1)) => format!("row refused {}", codes.join("+")),
                        _ => format!("unexpected summary {summary}"),
                    }
                }
            };
            let written = app
                .count(&format!(
                    "SELECT COUNT(*) FROM observations WHERE indicator_code = '{SRB}' \
                     AND area_id IN (SELECT id FROM areas WHERE code = '{}') AND period = '{period}'",
                    place.area()
                ))
                .await;
            let should = i64::from(got == Expect::Ok.to_string());
            if written == should {
                got
            } else {
                format!("{got}, yet {written} rows written")
            }
        }
        Call::Review { approve } => {
            let id = match place {
                Place::Nowhere => 987_654_321,
                _ => {
                    *writes += 1;
                    let period = month(*writes);
                    let admin = app.admin();
                    let pushed = app.push(&admin, json!([srb(place.area(), &period)])).await;
                    assert_eq!(pushed["created"], 1, "setup push: {pushed}");
                    app.count(&format!(
                        "SELECT id FROM observations WHERE indicator_code = '{SRB}' \
                         AND area_id IN (SELECT id FROM areas WHERE code = '{}') AND period = '{period}'",
                        place.area()
                    ))
                    .await
                }
            };
            let (query, variables) = if *approve {
                (APPROVE, json!({ "ids": [id.to_string()] }))
            } else {
                (REJECT, json!({ "ids": [id.to_string()], "reason": "matrix" }))
            };
            let (status, body) = app.graphql(token, query, variables).await;
            let got = match answer(status, &body) {
                Err(refused) => refused,
                Ok(_) => Expect::Ok.to_string(),
            };
            if place == Place::Nowhere {
                return got;
            }
            let decided = if *approve { "APPROVED" } else { "REJECTED" };
            let changed =
                app.count(&format!("SELECT COUNT(*) FROM observations WHERE id = {id} AND status = '{decided}'")).await;
            match (got == Expect::Ok.to_string(), changed) {
                (true, 1) | (false, 0) => got,
                (true, _) => format!("{got}, yet the value is not {decided}"),
                (false, _) => format!("{got}, yet the value became {decided}"),
            }
        }
        Call::IssueToken => {
            let entries = "SELECT COUNT(*) FROM audit_log WHERE action = 'ISSUE_TOKEN'";
            let before = app.count(entries).await;
            let (status, body) = app.graphql(token, ISSUE, json!({})).await;
            let got = match answer(status, &body) {
                Err(refused) => refused,
                Ok(data) => match data["issueToken"]["token"].as_str() {
                    Some(issued)
                        if app.graphql(Some(issued), "{ me { role } }", json!({})).await.0 == StatusCode::OK =>
                    {
                        Expect::Ok.to_string()
                    }
                    _ => format!("allowed but the token issued does not work: {data}"),
                },
            };
            let recorded = app.count(entries).await - before;
            match (got == Expect::Ok.to_string(), recorded) {
                (true, 1) | (false, 0) => got,
                _ => format!("{got}, yet {recorded} ISSUE_TOKEN entries recorded"),
            }
        }
        Call::RevokeToken => {
            let victim = app.dashboard_token("matrix-victim", chrono::Duration::hours(1));
            let (status, body) = app.graphql(token, REVOKE, json!({ "jti": victim.jti })).await;
            let got = match answer(status, &body) {
                Err(refused) => refused,
                Ok(_) => Expect::Ok.to_string(),
            };
            let after = app.graphql(Some(&victim.token), "{ me { role } }", json!({})).await.0;
            match (got == Expect::Ok.to_string(), after) {
                (true, StatusCode::UNAUTHORIZED) | (false, StatusCode::OK) => got,
                (true, _) => format!("{got}, yet the token still works ({after})"),
                (false, _) => format!("{got}, yet the token was revoked ({after})"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The values every read cell looks at

/// Approved sex ratios and primary completion (female and male) in Tân Yên, Bắc Giang and
/// Bắc Yên, and one Tân Yên value left SUBMITTED, which partners must never see.
/// What the callers' units reach, by code, read from the map's parent links and
/// successions (not from the hub's own reach table).
struct Reaches {
    nothing: BTreeSet<String>,
    /// Huyện Tân Yên (216) and its communes.
    tan_yen: BTreeSet<String>,
    /// Huyện Bắc Yên (121) and its communes.
    bac_yen: BTreeSet<String>,
    /// Tỉnh Bắc Ninh (24 since 2025-07-01), its communes, and the provinces it took over
    /// whole (Bắc Giang 24 and Bắc Ninh 27 until 2025-06-30) with theirs.
    bac_ninh: BTreeSet<String>,
}

static REACH: std::sync::OnceLock<Reaches> = std::sync::OnceLock::new();

async fn read_reaches(app: &TestApp) -> Reaches {
    let set = |codes: Vec<String>| codes.into_iter().collect::<BTreeSet<String>>();
    let new_24 = "SELECT id FROM areas WHERE code = '24' AND valid_from IS NOT NULL";
    Reaches {
        nothing: BTreeSet::new(),
        tan_yen: set(app.subtree_codes("SELECT id FROM areas WHERE code = '216'").await),
        bac_yen: set(app.subtree_codes("SELECT id FROM areas WHERE code = '121'").await),
        bac_ninh: set(app
            .subtree_codes(&format!(
                "{new_24} UNION SELECT predecessor_id FROM area_successions WHERE successor_id IN ({new_24})"
            ))
            .await),
    }
}

async fn prepare(app: &TestApp) {
    let reaches = read_reaches(app).await;
    assert!(
        reaches.tan_yen.len() == 20 && reaches.bac_ninh.len() > 300,
        "the map is loaded: {}, {}",
        reaches.tan_yen.len(),
        reaches.bac_ninh.len()
    );
    let _ = REACH.set(reaches);
    let admin = app.admin();
    let mut rows = Vec::new();
    for area in ["216", "24", "121"] {
        rows.push(srb(area, "2024"));
        for (sex, value) in [("FEMALE", 96.0), ("MALE", 90.0)] {
            rows.push(json!({ "indicatorCode": "EM_PRIMARY_COMPLETION_PCT", "areaCode": area, "period": "2024",
                              "sex": sex, "value": value }));
        }
    }
    let pushed = app.push(&admin, rows).await;
    assert_eq!(pushed["created"], 9, "{pushed}");
    let ids = app.observation_ids(&admin, json!(null)).await;
    assert_eq!(ids.len(), 9);
    app.approve(&admin, ids).await;
    let pushed = app.push(&admin, json!([srb("216", "2023")])).await;
    assert_eq!(pushed["created"], 1, "{pushed}");
}

// ---------------------------------------------------------------------------------------
// The matrix

/// A grid must name every caller once, in order, with one expectation per place.
fn check_shape(op: &Op) {
    let callers: Vec<Who> = op.grid.iter().map(|(who, _)| *who).collect();
    assert_eq!(callers, CALLERS, "{}: the grid must list every caller once, in order", op.field);
    for (who, row) in op.grid {
        assert_eq!(row.len(), op.places.len(), "{}: {who} needs one expectation per place", op.field);
    }
}

/// The mismatches as one table.
fn table(rows: &[[String; 5]]) -> String {
    let header = ["caller", "operation", "place", "expected", "got"].map(str::to_owned);
    let all: Vec<&[String; 5]> = std::iter::once(&header).chain(rows).collect();
    let width = |i: usize| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..4).map(width).collect();
    all.iter()
        .map(|r| {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                if i < 4 {
                    line.push_str(&format!("{cell}{} | ", " ".repeat(widths[i] - cell.chars().count())));
                } else {
                    line.push_str(cell);
                }
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn every_operation_by_every_caller_on_every_place() {
    let app = TestApp::seeded().await;
    prepare(&app).await;
    let operations = operations();
    let mut writes = 0;
    let mut cells = 0;
    let mut differ: Vec<[String; 5]> = Vec::new();
    for op in &operations {
        check_shape(op);
        for (who, row) in op.grid {
            for (place, expected) in op.places.iter().zip(row.iter()) {
                let got = run_cell(&app, &op.call, *who, *place, &mut writes).await;
                cells += 1;
                if got != expected.to_string() {
                    differ.push([who.to_string(), op.field.to_owned(), place.to_string(), expected.to_string(), got]);
                }
            }
        }
    }
    println!("{} operation rows × {} callers: {cells} cells", operations.len(), CALLERS.len());
    assert!(differ.is_empty(), "{} of {cells} cells differ:\n{}", differ.len(), table(&differ));
}

/// Every root field of schema.graphql has a row (a new field without one fails here), and
/// every row names a field that exists.
#[test]
fn the_matrix_covers_every_query_mutation_and_subscription() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("schema.graphql");
    let document = async_graphql::parser::parse_schema(&sdl).expect("parse schema.graphql");
    let mut fields = BTreeSet::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else { continue };
        let ty = ty.node;
        let name = ty.name.node.to_string();
        if let TypeKind::Object(object) = ty.kind {
            for field in object.fields {
                fields.insert(format!("{name}.{}", field.node.name.node));
            }
        }
    }
    let roots: Vec<&String> = fields
        .iter()
        .filter(|f| f.starts_with("Query.") || f.starts_with("Mutation.") || f.starts_with("Subscription."))
        .collect();
    assert!(roots.len() >= 18, "the schema's root fields were not found: {roots:?}");

    let operations = operations();
    let covered: BTreeSet<String> = operations
        .iter()
        .map(|op| op.field.to_owned())
        .chain(SUBSCRIPTION_FIELDS.iter().map(|f| (*f).to_owned()))
        .collect();
    let missing: Vec<&String> = roots.into_iter().filter(|f| !covered.contains(*f)).collect();
    assert!(missing.is_empty(), "root fields without a row in the matrix: {missing:?}");
    let unknown: Vec<&String> = covered.iter().filter(|f| !fields.contains(*f)).collect();
    assert!(unknown.is_empty(), "rows naming fields the schema does not have: {unknown:?}");
    for op in &operations {
        check_shape(op);
    }
}

// ---------------------------------------------------------------------------------------
// The subscription

/// What one subscription (one caller, one place) has heard so far.
#[derive(Default)]
struct Heard {
    errors: BTreeSet<String>,
    areas: BTreeSet<String>,
    statuses: BTreeSet<String>,
}

fn place_id(place: Place) -> String {
    place.area().to_owned()
}

/// `observationChanged` is checked like `observations` (FORBIDDEN outside the caller's
/// area, NOT_FOUND for an unknown one) and then streams only what the caller may read:
/// each caller subscribes to each place while the admin pushes and approves values in all
/// three areas, until every subscription that is allowed has heard one.
#[tokio::test]
async fn subscriptions_hear_only_what_the_caller_may_read() {
    let app = TestApp::seeded().await;
    let _ = REACH.set(read_reaches(&app).await);
    let addr = serve(app.router.clone()).await;
    let grid = READ_IN_AREA;
    let places = AREAS;

    let mut sockets: Vec<(Who, Socket)> = Vec::new();
    let mut differ: Vec<[String; 5]> = Vec::new();
    let mut cells = 0;
    for who in CALLERS {
        let mut socket = sockets::open(addr).await;
        let answer = sockets::init(&mut socket, who.token(&app).as_deref()).await;
        let acked = answer.is_some_and(|m| m["type"] == "connection_ack");
        if !acked {
            // Refused at connection_init: every place of this caller got what no token gets.
            let (_, row) = grid.iter().find(|(w, _)| *w == who).expect("a row");
            for (place, expected) in places.iter().zip(row.iter()) {
                cells += 1;
                if *expected != UNAUTH {
                    differ.push([
                        who.to_string(),
                        SUBSCRIPTION_FIELDS[0].into(),
                        place.to_string(),
                        expected.to_string(),
                        "connection_init refused".into(),
                    ]);
                }
            }
            continue;
        }
        for place in places {
            sockets::subscribe(&mut socket, &place_id(*place), json!({ "areaCode": place.area() })).await;
        }
        sockets.push((who, socket));
    }

    let mut heard: Vec<(Who, Place, Heard)> =
        sockets.iter().flat_map(|(who, _)| places.iter().map(move |p| (*who, *p, Heard::default()))).collect();
    let expects = |who: Who, place: Place| -> Expect {
        let (_, row) = grid.iter().find(|(w, _)| *w == who).expect("a row");
        row[places.iter().position(|p| *p == place).expect("a place")]
    };
    let admin = app.admin();
    for round in 0..20 {
        let period = month(round);
        let rows = json!([srb("216", &period), srb("24", &period), srb("121", &period)]);
        app.push(&admin, rows).await;
        let ids = app.observation_ids(&admin, json!({ "period": period })).await;
        app.approve(&admin, ids).await;

        let batches = futures_util::future::join_all(
            sockets.iter_mut().map(|(_, socket)| drain(socket, Duration::from_millis(400))),
        )
        .await;
        for ((who, _), messages) in sockets.iter().zip(batches) {
            for message in messages {
                let Some(place) = places.iter().find(|p| message["id"] == place_id(**p)) else { continue };
                let Some((_, _, h)) = heard.iter_mut().find(|(w, p, _)| w == who && p == place) else {
                    continue;
                };
                if message["type"] != "next" {
                    continue;
                }
                if let Some(errors) = message["payload"]["errors"].as_array() {
                    for e in errors {
                        h.errors.insert(e["extensions"]["code"].as_str().unwrap_or("(no code)").to_owned());
                    }
                }
                let value = &message["payload"]["data"]["observationChanged"];
                if let Some(area) = value["area"]["code"].as_str() {
                    h.areas.insert(area.to_owned());
                    h.statuses.insert(value["status"].as_str().unwrap_or_default().to_owned());
                }
            }
        }
        let waiting = heard.iter().any(|(who, place, h)| {
            let expected = expects(*who, *place);
            (expected == OK && h.areas.is_empty()) || (matches!(expected, Expect::Denied(_)) && h.errors.is_empty())
        });
        if !waiting {
            break;
        }
    }

    for (who, place, h) in &heard {
        cells += 1;
        let expected = expects(*who, *place);
        let got = if !h.errors.is_empty() {
            format!("denied {}", h.errors.iter().cloned().collect::<Vec<_>>().join("+"))
        } else if h.areas.is_empty() {
            "heard nothing".to_owned()
        } else if let Some(outside) = h.areas.iter().find(|a| !who.reaches(a) || *a != place.area()) {
            format!("allowed but heard area {outside}")
        } else if who.published_only() && h.statuses.iter().any(|s| s != "APPROVED") {
            "allowed but heard a value not approved".to_owned()
        } else {
            Expect::Ok.to_string()
        };
        if got != expected.to_string() {
            differ.push([who.to_string(), SUBSCRIPTION_FIELDS[0].into(), place.to_string(), expected.to_string(), got]);
        }
    }
    println!("{} callers × {} places: {cells} subscription cells", CALLERS.len(), places.len());
    assert!(differ.is_empty(), "{} of {cells} cells differ:\n{}", differ.len(), table(&differ));
}

/// An admin token confined to Tân Yên reads only Tân Yên; it must not be a way out of it.
/// It could issue itself a token for every area, and with that read Bắc Yên's plan.
#[tokio::test]
async fn an_admin_token_for_one_area_cannot_issue_itself_a_token_for_every_area() {
    let app = TestApp::seeded().await;
    let confined = app.token(Role::Admin, None, Some("216"));
    let bac_yen = "{ plan(code: \"bac-yen-bdg-2021-2025\") { code } }";
    assert_eq!(app.error_code(&confined, bac_yen, json!({})).await, "FORBIDDEN");

    let everywhere = "mutation { issueToken(input: { role: ADMIN, ttlSeconds: 3600 }) { token } }";
    let (status, body) = app.graphql(Some(&confined), everywhere, json!({})).await;
    if let Some(token) = body["data"]["issueToken"]["token"].as_str() {
        let (_, read) = app.graphql(Some(token), bac_yen, json!({})).await;
        panic!("a Tân Yên admin token issued an admin token for every area, which reads Bắc Yên: {read}");
    }
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (StatusCode::OK, Some("FORBIDDEN")),
        "{body}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'ISSUE_TOKEN'").await, 0);

    // The admin of every area still issues tokens, an admin token for one area among them.
    let confined_issue = "mutation { issueToken(input: { role: ADMIN, areaCode: \"216\", ttlSeconds: 3600 }) { jti } }";
    app.data(&app.admin(), confined_issue, json!({})).await;
}
