use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Principal, Role};

/// Why a bearer token was refused. Every variant is an HTTP 401; the message is safe to
/// show (it never echoes the token).
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("missing bearer token: send `Authorization: Bearer <token>`")]
    Missing,
    #[error("the Authorization header is not a bearer token")]
    NotBearer,
    #[error("the token has expired")]
    Expired,
    #[error("the token has been revoked")]
    Revoked,
    #[error("the token names an unknown signing key")]
    UnknownKey,
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// What a token issuer needs to know besides the key.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    /// `kid` written into every token's header, so keys can be rotated later.
    pub key_id: String,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway_seconds: u64,
}

impl Default for TokenSettings {
    fn default() -> Self {
        TokenSettings {
            issuer: "gender-data-hub".into(),
            audience: "gender-data-hub".into(),
            key_id: "hs256-1".into(),
            leeway_seconds: 30,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    area: Option<String>,
    exp: i64,
    iat: i64,
    jti: String,
    aud: String,
    iss: String,
}

/// What to put in a new token.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub role: Role,
    pub subject: Option<String>,
    pub agency_code: Option<String>,
    pub area_code: Option<String>,
    pub ttl: chrono::Duration,
}

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

/// The HS256 signing key and the rules tokens are checked against.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    settings: TokenSettings,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Keys {
    pub fn from_secret(secret: &[u8], settings: TokenSettings) -> Keys {
        Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), settings }
    }

    /// Checks what a role needs (an area for everyone but `admin`, an agency for
    /// `agency_reporter`) and signs the token.
    pub fn issue(&self, request: IssueRequest) -> Result<IssuedToken, String> {
        check_role_claims(request.role, request.agency_code.as_deref(), request.area_code.as_deref())?;
        if request.ttl <= chrono::Duration::zero() {
            return Err("the lifetime must be positive".into());
        }
        let longest = request.role.max_token_lifetime();
        if request.ttl > longest {
            return Err(format!("a {} token lives at most {} days", request.role, longest.num_days()));
        }
        let now = Utc::now();
        let expires_at = now.checked_add_signed(request.ttl).ok_or("the lifetime is too long")?;
        let jti = uuid::Uuid::new_v4().to_string();
        let subject = request.subject.unwrap_or_else(|| {
            let place = request.agency_code.as_deref().or(request.area_code.as_deref()).unwrap_or("all");
            format!("{}:{place}", request.role)
        });
        let claims = Claims {
            sub: subject,
            role: request.role.as_str().into(),
            agency: request.agency_code,
            area: request.area_code,
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            jti: jti.clone(),
            aud: self.settings.audience.clone(),
            iss: self.settings.issuer.clone(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.settings.key_id.clone());
        let token = encode(&header, &claims, &self.encoding).map_err(|e| format!("cannot sign the token: {e}"))?;
        Ok(IssuedToken { token, jti, expires_at })
    }

    /// Verifies signature, `kid`, `exp`, `aud` and `iss` (all required) and the role's claims.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let header = decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if header.kid.as_deref() != Some(self.settings.key_id.as_str()) {
            return Err(AuthError::UnknownKey);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.leeway = self.settings.leeway_seconds;
        // jsonwebtoken leaves `nbf` unchecked unless asked.
        validation.validate_nbf = true;
        let data = decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
            _ => AuthError::Invalid(e.to_string()),
        })?;
        let claims = data.claims;
        let role: Role =
            claims.role.parse().map_err(|_| AuthError::Invalid(format!("unknown role `{}`", claims.role)))?;
        check_role_claims(role, claims.agency.as_deref(), claims.area.as_deref()).map_err(AuthError::Invalid)?;
        Ok(Principal { subject: claims.sub, role, agency_code: claims.agency, area_code: claims.area, jti: claims.jti })
    }
}

fn check_role_claims(role: Role, agency: Option<&str>, area: Option<&str>) -> Result<(), String> {
    if role != Role::Admin && area.is_none() {
        return Err(format!("a {role} token must name an area"));
    }
    if role == Role::AgencyReporter && agency.is_none() {
        return Err("an agency_reporter token must name an agency".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_secret(b"test secret", TokenSettings::default())
    }

    fn request(role: Role) -> IssueRequest {
        IssueRequest {
            role,
            subject: None,
            agency_code: None,
            area_code: Some("216".into()),
            ttl: chrono::Duration::hours(1),
        }
    }

    #[test]
    fn an_issued_token_verifies_to_its_principal() {
        let issued = keys().issue(request(Role::Dashboard)).expect("issue");
        let principal = keys().verify(&issued.token).expect("verify");
        assert_eq!(principal.role, Role::Dashboard);
        assert_eq!(principal.area_code.as_deref(), Some("216"));
        assert_eq!(principal.subject, "dashboard:216");
        assert_eq!(principal.jti, issued.jti);
    }

    #[test]
    fn roles_without_their_claims_are_refused_at_issue() {
        let mut no_area = request(Role::Partner);
        no_area.area_code = None;
        assert_eq!(keys().issue(no_area).unwrap_err(), "a partner token must name an area");
        assert_eq!(
            keys().issue(request(Role::AgencyReporter)).unwrap_err(),
            "an agency_reporter token must name an agency"
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = Keys::from_secret(b"another secret", TokenSettings::default());
        let issued = other.issue(request(Role::Dashboard)).expect("issue");
        assert!(matches!(keys().verify(&issued.token), Err(AuthError::Invalid(_))));
    }

    #[test]
    fn an_unknown_key_id_is_refused() {
        let other =
            Keys::from_secret(b"test secret", TokenSettings { key_id: "old".into(), ..TokenSettings::default() });
        let issued = other.issue(request(Role::Dashboard)).expect("issue");
        assert_eq!(keys().verify(&issued.token), Err(AuthError::UnknownKey));
    }

    #[test]
    fn a_wrong_audience_or_issuer_is_refused() {
        for settings in [
            TokenSettings { audience: "someone-else".into(), ..TokenSettings::default() },
            TokenSettings { issuer: "someone-else".into(), ..TokenSettings::default() },
        ] {
            let issued = Keys::from_secret(b"test secret", settings).issue(request(Role::Admin)).expect("issue");
            assert!(matches!(keys().verify(&issued.token), Err(AuthError::Invalid(_))));
        }
    }

    #[test]
    fn a_token_not_yet_valid_is_refused() {
        let issued = keys().issue(request(Role::Dashboard)).expect("issue");
        let mut claims: serde_json::Value =
            jsonwebtoken::dangerous::insecure_decode(&issued.token).expect("decode").claims;
        claims["nbf"] = (Utc::now().timestamp() + 3600).into();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("hs256-1".into());
        let token = encode(&header, &claims, &EncodingKey::from_secret(b"test secret")).expect("encode");
        assert!(matches!(keys().verify(&token), Err(AuthError::Invalid(_))));
    }

    #[test]
    fn an_expired_token_is_refused() {
        let mut expired = request(Role::Dashboard);
        expired.ttl = chrono::Duration::seconds(1);
        let issued = keys().issue(expired).expect("issue");
        // Re-sign the same claims with an `exp` far in the past.
        let mut claims: Claims = jsonwebtoken::dangerous::insecure_decode(&issued.token).expect("decode").claims;
        claims.exp = Utc::now().timestamp() - 3600;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("hs256-1".into());
        let token = encode(&header, &claims, &EncodingKey::from_secret(b"test secret")).expect("encode");
        assert_eq!(keys().verify(&token), Err(AuthError::Expired));
    }
}
