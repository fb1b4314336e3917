//! Bearer tokens (JWT): the key ring that signs and verifies them (HS256 secrets and Ed25519
//! keys, each named by its `kid`), the claims a token must carry, and why one is refused.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
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

/// Why a key cannot join the ring. Raised while the server starts, for its operator.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "key `{kid}` is not an Ed25519 private key in PEM (`BEGIN PRIVATE KEY`, as `openssl genpkey -algorithm ed25519` writes): {reason}"
    )]
    BadPrivateKey { kid: String, reason: String },
    #[error(
        "key `{kid}` is not an Ed25519 public key in PEM (`BEGIN PUBLIC KEY`, as `openssl pkey -pubout` writes): {reason}"
    )]
    BadPublicKey { kid: String, reason: String },
    #[error("two keys are named `{0}`: each key needs a kid of its own")]
    DuplicateKid(String),
    #[error("`{0}` cannot be a kid: use 1 to 64 letters, digits, `.`, `_` or `-`")]
    BadKid(String),
}

/// What a token issuer needs to know besides the key.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    /// `kid` of the HS256 secret given to [`Keys::from_secret`]. Ed25519 keys are named
    /// when they are added.
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
    /// A day the token's unit held `area`: the code names that unit (a code alone no longer
    /// names one). Tokens without it were issued before units had days, and name the
    /// code's first holder, the only one the hub then knew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    area_on: Option<chrono::NaiveDate>,
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
    /// A day the unit meant held `area_code`.
    pub area_on: Option<chrono::NaiveDate>,
    pub ttl: chrono::Duration,
}

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

/// A key that checks signatures, good for one algorithm only.
#[derive(Clone)]
struct VerifyingKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

#[derive(Clone)]
struct SigningKey {
    kid: String,
    algorithm: Algorithm,
    key: EncodingKey,
}

/// The key ring: at most one key that signs new tokens, any number that verify, each named
/// by the `kid` tokens carry in their header, and the rules tokens are checked against.
///
/// Keys come and go without downtime: add the new key to every replica as a verifying key,
/// then make it the signing key, then drop the old one once its tokens have expired.
#[derive(Clone)]
pub struct Keys {
    signing: Option<SigningKey>,
    verifying: BTreeMap<String, VerifyingKey>,
    settings: TokenSettings,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verifying: Vec<_> = self.verifying.iter().map(|(kid, key)| (kid, key.algorithm)).collect();
        f.debug_struct("Keys")
            .field("signing", &self.signing_key_id())
            .field("verifying", &verifying)
            .field("settings", &self.settings)
            .finish()
    }
}

impl Keys {
    /// One HS256 secret that signs and verifies, named by `settings.key_id`.
    pub fn from_secret(secret: &[u8], settings: TokenSettings) -> Keys {
        let kid = settings.key_id.clone();
        let verifying = VerifyingKey { algorithm: Algorithm::HS256, key: DecodingKey::from_secret(secret) };
        Keys {
            signing: Some(SigningKey {
                kid: kid.clone(),
                algorithm: Algorithm::HS256,
                key: EncodingKey::from_secret(secret),
            }),
            verifying: BTreeMap::from([(kid, verifying)]),
            settings,
        }
    }

    /// An Ed25519 private key (PKCS#8 PEM) that signs as `kid`; its public half, derived
    /// from it, verifies.
    pub fn from_ed25519_pem(kid: &str, private_pem: &str, settings: TokenSettings) -> Result<Keys, KeyError> {
        check_kid(kid)?;
        let bad = |reason: String| KeyError::BadPrivateKey { kid: kid.to_owned(), reason };
        let private = ed25519_dalek::SigningKey::from_pkcs8_pem(private_pem.trim()).map_err(|e| bad(e.to_string()))?;
        // jsonwebtoken signs with a PKCS#8 document and verifies with the bare 32-byte
        // public key; both are rebuilt here so a key that loads is a key that works.
        let der = private.to_pkcs8_der().map_err(|e| bad(e.to_string()))?;
        let verifying = ed25519_verifying_key(&private.verifying_key());
        Ok(Keys {
            signing: Some(SigningKey {
                kid: kid.to_owned(),
                algorithm: Algorithm::EdDSA,
                key: EncodingKey::from_ed_der(der.as_bytes()),
            }),
            verifying: BTreeMap::from([(kid.to_owned(), verifying)]),
            settings,
        })
    }

    /// A ring that signs nothing: add the keys it accepts with the `with_…` methods. A
    /// replica built so needs no private key, and [`Keys::issue`] fails on it.
    pub fn verifying_only(settings: TokenSettings) -> Keys {
        Keys { signing: None, verifying: BTreeMap::new(), settings }
    }

    /// Also accepts tokens signed by the Ed25519 key whose public half (SPKI PEM) this is.
    pub fn with_ed25519_public_pem(self, kid: &str, public_pem: &str) -> Result<Keys, KeyError> {
        check_kid(kid)?;
        let bad = |reason: &str| KeyError::BadPublicKey { kid: kid.to_owned(), reason: reason.to_owned() };
        let public =
            ed25519_dalek::VerifyingKey::from_public_key_pem(public_pem.trim()).map_err(|e| bad(&e.to_string()))?;
        // Signatures under a small-order key can be forged without any private key.
        if public.is_weak() {
            return Err(bad("the key is weak (of small order)"));
        }
        self.with_verifying_key(kid, ed25519_verifying_key(&public))
    }

    /// Also accepts tokens signed with this HS256 secret: the secret a server signed with
    /// before it moved to Ed25519, until those tokens have expired.
    pub fn with_hs256_secret(self, kid: &str, secret: &[u8]) -> Result<Keys, KeyError> {
        check_kid(kid)?;
        self.with_verifying_key(
            kid,
            VerifyingKey { algorithm: Algorithm::HS256, key: DecodingKey::from_secret(secret) },
        )
    }

    fn with_verifying_key(mut self, kid: &str, key: VerifyingKey) -> Result<Keys, KeyError> {
        match self.verifying.entry(kid.to_owned()) {
            std::collections::btree_map::Entry::Occupied(_) => Err(KeyError::DuplicateKid(kid.to_owned())),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(key);
                Ok(self)
            }
        }
    }

    /// The kid new tokens are signed with; `None` when this server only verifies.
    pub fn signing_key_id(&self) -> Option<&str> {
        self.signing.as_ref().map(|s| s.kid.as_str())
    }

    /// The kids whose tokens are accepted, the signing key's among them.
    pub fn verifying_key_ids(&self) -> impl Iterator<Item = &str> {
        self.verifying.keys().map(String::as_str)
    }

    /// Checks what a role needs (an area for everyone but `admin`, an agency for
    /// `agency_reporter`) and signs the token.
    pub fn issue(&self, request: IssueRequest) -> Result<IssuedToken, String> {
        let signing = self
            .signing
            .as_ref()
            .ok_or("this server holds no signing key: it verifies tokens but cannot issue them")?;
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
            area_on: request.area_on,
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            jti: jti.clone(),
            aud: self.settings.audience.clone(),
            iss: self.settings.issuer.clone(),
        };
        let mut header = Header::new(signing.algorithm);
        header.kid = Some(signing.kid.clone());
        let token = encode(&header, &claims, &signing.key).map_err(|e| format!("cannot sign the token: {e}"))?;
        Ok(IssuedToken { token, jti, expires_at })
    }

    /// Verifies signature (with the key the token's `kid` names, in that key's algorithm
    /// only), `exp`, `aud` and `iss` (all required) and the role's claims.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let header = decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let key = header.kid.as_deref().and_then(|kid| self.verifying.get(kid)).ok_or(AuthError::UnknownKey)?;
        // The key, not the token, decides the algorithm: otherwise an HS256 token naming an
        // Ed25519 key would be checked with the public key, which anyone has, as its secret.
        if header.alg != key.algorithm {
            return Err(AuthError::Invalid(format!(
                "the token is signed with {:?} but its key is for {:?}",
                header.alg, key.algorithm
            )));
        }
        let mut validation = Validation::new(key.algorithm);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.leeway = self.settings.leeway_seconds;
        // jsonwebtoken leaves `nbf` unchecked unless asked.
        validation.validate_nbf = true;
        let data = decode::<Claims>(token, &key.key, &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
            _ => AuthError::Invalid(e.to_string()),
        })?;
        let claims = data.claims;
        let role: Role =
            claims.role.parse().map_err(|_| AuthError::Invalid(format!("unknown role `{}`", claims.role)))?;
        check_role_claims(role, claims.agency.as_deref(), claims.area.as_deref()).map_err(AuthError::Invalid)?;
        let expires_at = DateTime::from_timestamp(claims.exp, 0)
            .ok_or_else(|| AuthError::Invalid(format!("`exp` {} is not a time", claims.exp)))?;
        // Issuing holds every token to its role's lifetime; this holds a token signed
        // elsewhere with the same key (a script, a leaked key) to it too.
        let leeway = i64::try_from(self.settings.leeway_seconds)
            .ok()
            .and_then(chrono::Duration::try_seconds)
            .unwrap_or(chrono::Duration::MAX);
        let longest = role.max_token_lifetime();
        if expires_at - Utc::now() > longest.checked_add(&leeway).unwrap_or(chrono::Duration::MAX) {
            return Err(AuthError::Invalid(format!("a {role} token lives at most {} days", longest.num_days())));
        }
        Ok(Principal {
            subject: claims.sub,
            role,
            agency_code: claims.agency,
            area_code: claims.area,
            area_on: claims.area_on,
            jti: claims.jti,
            expires_at,
        })
    }
}

fn ed25519_verifying_key(public: &ed25519_dalek::VerifyingKey) -> VerifyingKey {
    VerifyingKey { algorithm: Algorithm::EdDSA, key: DecodingKey::from_ed_der(public.as_bytes()) }
}

/// Kids end up in configuration (`kid=FILE,…`) and logs: nothing that would need quoting.
fn check_kid(kid: &str) -> Result<(), KeyError> {
    let usable =
        (1..=64).contains(&kid.len()) && kid.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if usable {
        Ok(())
    } else {
        Err(KeyError::BadKid(kid.to_owned()))
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
            area_on: None,
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

    /// The issued token of `role` re-signed with `exp` moved to now + `seconds`.
    fn expiring_in(role: Role, seconds: i64) -> String {
        let mut claims: Claims =
            jsonwebtoken::dangerous::insecure_decode(&keys().issue(request(role)).expect("issue").token)
                .expect("decode")
                .claims;
        claims.exp = Utc::now().timestamp() + seconds;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("hs256-1".into());
        encode(&header, &claims, &EncodingKey::from_secret(b"test secret")).expect("encode")
    }

    #[test]
    fn clocks_may_differ_by_30_seconds_and_no_more() {
        assert!(keys().verify(&expiring_in(Role::Dashboard, -20)).is_ok(), "20 s past `exp` is within the leeway");
        assert_eq!(keys().verify(&expiring_in(Role::Dashboard, -40)), Err(AuthError::Expired));
    }

    #[test]
    fn a_token_living_longer_than_its_role_may_is_refused_even_when_well_signed() {
        let day = 24 * 3600;
        assert!(keys().verify(&expiring_in(Role::Admin, 30 * day)).is_ok());
        assert!(matches!(keys().verify(&expiring_in(Role::Admin, 32 * day)), Err(AuthError::Invalid(_))));
        assert!(keys().verify(&expiring_in(Role::Partner, 365 * day)).is_ok());
        let ten_years = keys().verify(&expiring_in(Role::Partner, 3650 * day));
        assert_eq!(ten_years, Err(AuthError::Invalid("a partner token lives at most 366 days".into())));
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

    const A_PRIVATE: &str = include_str!("../../tests/fixtures/ed25519-a.pem");
    const A_PUBLIC: &str = include_str!("../../tests/fixtures/ed25519-a.pub.pem");
    const B_PRIVATE: &str = include_str!("../../tests/fixtures/ed25519-b.pem");
    const B_PUBLIC: &str = include_str!("../../tests/fixtures/ed25519-b.pub.pem");

    fn ed25519(kid: &str, private_pem: &str) -> Keys {
        Keys::from_ed25519_pem(kid, private_pem, TokenSettings::default()).expect("an Ed25519 key")
    }

    fn public_only(keys: &[(&str, &str)]) -> Keys {
        keys.iter().fold(Keys::verifying_only(TokenSettings::default()), |ring, (kid, pem)| {
            ring.with_ed25519_public_pem(kid, pem).expect("a public key")
        })
    }

    #[test]
    fn an_ed25519_token_names_its_key_and_verifies_with_the_public_key_alone() {
        let issued = ed25519("ed-a", A_PRIVATE).issue(request(Role::Dashboard)).expect("issue");
        let header = decode_header(&issued.token).expect("header");
        assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::EdDSA, Some("ed-a")));
        assert_eq!(ed25519("ed-a", A_PRIVATE).verify(&issued.token).expect("verify").jti, issued.jti);
        assert_eq!(public_only(&[("ed-a", A_PUBLIC)]).verify(&issued.token).expect("verify").jti, issued.jti);
    }

    #[test]
    fn a_ring_without_a_signing_key_verifies_but_does_not_issue() {
        let replica = public_only(&[("ed-a", A_PUBLIC)]);
        assert_eq!(replica.signing_key_id(), None);
        let refused = replica.issue(request(Role::Dashboard)).unwrap_err();
        assert!(refused.starts_with("this server holds no signing key"), "{refused}");
    }

    #[test]
    fn during_a_rotation_both_keys_are_accepted_and_afterwards_only_the_new_one() {
        let old = ed25519("ed-a", A_PRIVATE).issue(request(Role::Dashboard)).expect("issue");
        let rotating = ed25519("ed-b", B_PRIVATE).with_ed25519_public_pem("ed-a", A_PUBLIC).expect("old key");
        let new = rotating.issue(request(Role::Dashboard)).expect("issue");
        assert_eq!(decode_header(&new.token).expect("header").kid.as_deref(), Some("ed-b"));
        assert!(rotating.verify(&old.token).is_ok());
        assert!(rotating.verify(&new.token).is_ok());

        let retired = ed25519("ed-b", B_PRIVATE);
        assert_eq!(retired.verify(&old.token), Err(AuthError::UnknownKey));
        assert!(retired.verify(&new.token).is_ok());
    }

    #[test]
    fn an_hs256_secret_can_stay_accepted_after_moving_to_ed25519() {
        let old = keys().issue(request(Role::Dashboard)).expect("issue");
        let moved = ed25519("ed-a", A_PRIVATE).with_hs256_secret("hs256-1", b"test secret").expect("old secret");
        assert_eq!(moved.verify(&old.token).expect("verify").jti, old.jti);
    }

    #[test]
    fn a_signature_by_another_key_under_a_known_kid_is_refused() {
        let forged = ed25519("ed-a", B_PRIVATE).issue(request(Role::Admin)).expect("issue");
        assert!(matches!(public_only(&[("ed-a", A_PUBLIC)]).verify(&forged.token), Err(AuthError::Invalid(_))));
    }

    /// A token with a header chosen freely, as an attacker would write it, and no signature.
    fn unsigned(header: serde_json::Value) -> String {
        use base64::Engine;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let now = Utc::now().timestamp();
        let claims = serde_json::json!({ "sub": "x", "role": "admin", "exp": now + 600, "iat": now, "jti": "j",
                                         "aud": "gender-data-hub", "iss": "gender-data-hub" });
        format!("{}.{}.", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()))
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        for kid in ["ed-a", "hs256-1"] {
            for alg in ["none", "None", "NONE"] {
                let token = unsigned(serde_json::json!({ "alg": alg, "typ": "JWT", "kid": kid }));
                let ring = ed25519("ed-a", A_PRIVATE).with_hs256_secret("hs256-1", b"test secret").expect("ring");
                assert!(matches!(ring.verify(&token), Err(AuthError::Invalid(_))), "{alg} {kid}");
            }
        }
    }

    #[test]
    fn an_hs256_token_naming_an_ed25519_key_is_refused_whatever_its_secret() {
        let replica = public_only(&[("ed-a", A_PUBLIC)]);
        let raw = ed25519_dalek::VerifyingKey::from_public_key_pem(A_PUBLIC).expect("public key").to_bytes();
        let claims: serde_json::Value = {
            let issued = ed25519("ed-a", A_PRIVATE).issue(request(Role::Admin)).expect("issue");
            jsonwebtoken::dangerous::insecure_decode(&issued.token).expect("decode").claims
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("ed-a".into());
        // The public key, which anyone may hold, in each form an attacker might try as the secret.
        for secret in [A_PUBLIC.as_bytes(), A_PUBLIC.trim().as_bytes(), &raw] {
            let token = encode(&header, &claims, &EncodingKey::from_secret(secret)).expect("encode");
            assert_eq!(
                replica.verify(&token),
                Err(AuthError::Invalid("the token is signed with HS256 but its key is for EdDSA".into()))
            );
        }
    }

    #[test]
    fn an_ed25519_token_naming_an_hs256_key_is_refused() {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("hs256-1".into());
        let issued = ed25519("ed-a", A_PRIVATE).issue(request(Role::Admin)).expect("issue");
        let claims: serde_json::Value = jsonwebtoken::dangerous::insecure_decode(&issued.token).expect("decode").claims;
        let signing = EncodingKey::from_ed_der(
            ed25519_dalek::SigningKey::from_pkcs8_pem(A_PRIVATE).expect("key").to_pkcs8_der().expect("der").as_bytes(),
        );
        let token = encode(&header, &claims, &signing).expect("encode");
        assert!(matches!(keys().verify(&token), Err(AuthError::Invalid(_))));
    }

    #[test]
    fn an_ed25519_token_for_another_audience_is_refused() {
        let elsewhere = Keys::from_ed25519_pem(
            "ed-a",
            A_PRIVATE,
            TokenSettings { audience: "someone-else".into(), ..TokenSettings::default() },
        )
        .expect("key");
        let issued = elsewhere.issue(request(Role::Admin)).expect("issue");
        assert!(matches!(public_only(&[("ed-a", A_PUBLIC)]).verify(&issued.token), Err(AuthError::Invalid(_))));
    }

    #[test]
    fn keys_that_are_not_what_they_claim_are_refused_with_a_reason() {
        let settings = TokenSettings::default;
        assert!(matches!(
            Keys::from_ed25519_pem("ed-a", A_PUBLIC, settings()),
            Err(KeyError::BadPrivateKey { kid, .. }) if kid == "ed-a"
        ));
        assert!(matches!(Keys::from_ed25519_pem("ed-a", "not a key", settings()), Err(KeyError::BadPrivateKey { .. })));
        assert!(matches!(
            Keys::verifying_only(settings()).with_ed25519_public_pem("ed-a", A_PRIVATE),
            Err(KeyError::BadPublicKey { .. })
        ));
        let message = Keys::verifying_only(settings()).with_ed25519_public_pem("ed-a", "").unwrap_err().to_string();
        assert!(message.starts_with("key `ed-a` is not an Ed25519 public key in PEM"), "{message}");
    }

    #[test]
    fn a_small_order_public_key_is_refused() {
        use base64::Engine;
        // SubjectPublicKeyInfo for Ed25519 around the identity point, the weakest key of all.
        let mut der = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 0x01];
        der.resize(44, 0);
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(&der)
        );
        assert_eq!(
            Keys::verifying_only(TokenSettings::default()).with_ed25519_public_pem("weak", &pem).unwrap_err(),
            KeyError::BadPublicKey { kid: "weak".into(), reason: "the key is weak (of small order)".into() }
        );
    }

    #[test]
    fn kids_are_unique_and_plain() {
        assert_eq!(
            ed25519("ed-a", A_PRIVATE).with_ed25519_public_pem("ed-a", B_PUBLIC).unwrap_err(),
            KeyError::DuplicateKid("ed-a".into())
        );
        assert_eq!(
            keys().with_hs256_secret("hs256-1", b"another secret").unwrap_err(),
            KeyError::DuplicateKid("hs256-1".into())
        );
        for kid in ["", "a=b", "a,b", "a b", &"k".repeat(65)] {
            assert_eq!(
                Keys::from_ed25519_pem(kid, A_PRIVATE, TokenSettings::default()).unwrap_err(),
                KeyError::BadKid(kid.into())
            );
        }
    }
}
