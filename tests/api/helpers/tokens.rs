//! Tokens: issued by the app's key ring for the callers the tests play, and written by hand
//! (expired, unsigned, signed with the wrong key) to be refused. `now` is the one clock
//! hand-written tokens read.

use gender_data_hub::auth::{IssueRequest, IssuedToken, Keys, Role};
use serde_json::{json, Value};

use super::app::TestApp;
use super::base;

/// Revokes a token by its `jti`; answers whether it was not revoked before.
pub const REVOKE: &str = "mutation($jti: String!) { revokeToken(jti: $jti) }";

/// Issues a Tân Yên dashboard an hour's token, and answers it with its `jti`.
pub const ISSUE_DASHBOARD: &str =
    "mutation { issueToken(input: { role: DASHBOARD, areaCode: \"216\", ttlSeconds: 3600 }) { token jti } }";

impl TestApp {
    /// A token of the app's key ring for `role` (subject `test-<role>`), valid for an hour.
    pub fn token(&self, role: Role, agency: Option<&str>, area: Option<&str>) -> String {
        base::token(&self.keys, role, agency, area)
    }

    /// A token for the unit that held `area` on `on` ("2024-01-01": old Bắc Giang for 24).
    pub fn token_on(&self, role: Role, area: &str, on: &str) -> String {
        self.keys
            .issue(IssueRequest {
                role,
                subject: Some(format!("test-{role}")),
                agency_code: None,
                area_code: Some(area.to_owned()),
                area_on: Some(on.parse().expect("a day")),
                ttl: chrono::Duration::hours(1),
            })
            .expect("issue")
            .token
    }

    /// The admin of every area.
    pub fn admin(&self) -> String {
        self.token(Role::Admin, None, None)
    }

    /// The statistics office of province 24 (issued today: Tỉnh Bắc Ninh, which took over
    /// Bắc Giang and reaches its history), reporting as no agency in particular.
    pub fn office(&self) -> String {
        self.token(Role::StatisticsOffice, None, Some("24"))
    }

    /// Bắc Giang's statistics office reporting as `agency` (its Tân Yên branch, 216-CCTK):
    /// the values it pushes name that agency as their source.
    pub fn office_as(&self, agency: &str) -> String {
        self.token(Role::StatisticsOffice, Some(agency), Some("24"))
    }

    /// A Tân Yên dashboard's token, issued directly as `subject` for `ttl`, so that the test
    /// knows its `jti`.
    pub fn dashboard_token(&self, subject: &str, ttl: chrono::Duration) -> IssuedToken {
        self.keys
            .issue(IssueRequest {
                role: Role::Dashboard,
                subject: Some(subject.to_owned()),
                agency_code: None,
                area_code: Some("216".to_owned()),
                area_on: None,
                ttl,
            })
            .expect("issue")
    }

    /// The admin revokes the token of this `jti`.
    pub async fn revoke(&self, jti: &str) {
        self.data(&self.admin(), REVOKE, json!({ "jti": jti })).await;
    }
}

/// An hour's admin token of `keys` for every area, as `subject`.
pub fn admin_token(keys: &Keys, subject: Option<&str>) -> String {
    keys.issue(IssueRequest {
        role: Role::Admin,
        subject: subject.map(str::to_owned),
        agency_code: None,
        area_code: None,
        area_on: None,
        ttl: chrono::Duration::hours(1),
    })
    .expect("issue")
    .token
}

/// Now, in seconds since the epoch, as hand-written tokens are dated.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims of an admin token for this hub, issued and expiring so many seconds from now
/// (negative: in the past).
pub fn admin_claims(issued_in: i64, expires_in: i64) -> Value {
    let now = now();
    json!({ "sub": "x", "role": "admin", "exp": now + expires_in, "iat": now + issued_in, "jti": "j",
            "aud": "gender-data-hub", "iss": "gender-data-hub" })
}

/// A token written by hand: `claims` signed HS256 with `secret`, under the key id `kid`.
pub fn hs256(kid: &str, claims: &Value, secret: &[u8]) -> String {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.into());
    encode(&header, claims, &EncodingKey::from_secret(secret)).expect("encode")
}

/// A token written by hand, with no signature: `header.claims.` (an admin's claims, valid
/// for ten minutes).
pub fn unsigned(header: Value) -> String {
    use base64::Engine;
    let b64 = |value: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
    format!("{}.{}.", b64(header), b64(admin_claims(0, 600)))
}
