//! Authentication (401 for every bad token) and each role's reach (its area subtree).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use gender_data_hub::auth::{Keys, Role, TokenSettings};
use serde_json::json;

use crate::helpers::base::SECRET;
use crate::helpers::tokens::{admin_claims, admin_token, hs256, now, ISSUE_DASHBOARD, REVOKE};
use crate::helpers::TestApp;

const ME: &str = "{ me { subject role agency { code } area { code } } }";

#[tokio::test]
async fn a_request_without_a_token_gets_401_with_a_json_body() {
    let app = TestApp::seeded().await;
    let (status, body) = app.graphql(None, ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("missing bearer token"));
}

#[tokio::test]
async fn malformed_foreign_and_wrongly_addressed_tokens_get_401() {
    let app = TestApp::seeded().await;
    let other_secret = Keys::from_secret(b"another secret, also long enough!!", TokenSettings::default());
    let other_audience =
        Keys::from_secret(SECRET, TokenSettings { audience: "another-service".into(), ..TokenSettings::default() });
    let other_issuer =
        Keys::from_secret(SECRET, TokenSettings { issuer: "someone".into(), ..TokenSettings::default() });
    let retired_key = Keys::from_secret(SECRET, TokenSettings { key_id: "retired".into(), ..TokenSettings::default() });
    let issue = |keys: &Keys| admin_token(keys, None);
    let tokens = [
        ("garbage", "not-a-jwt".to_owned()),
        ("other secret", issue(&other_secret)),
        ("other audience", issue(&other_audience)),
        ("other issuer", issue(&other_issuer)),
        ("unknown kid", issue(&retired_key)),
    ];
    for (what, token) in tokens {
        let (status, body) = app.graphql(Some(&token), ME, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{what}");
    }
}

#[tokio::test]
async fn an_expired_token_gets_401() {
    let app = TestApp::seeded().await;
    // A token whose `exp` is an hour ago, signed with the right key.
    let token = hs256("hs256-1", &admin_claims(-7200, -3600), SECRET);
    let (status, body) = app.graphql(Some(&token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["message"], "the token has expired");
}

#[tokio::test]
async fn a_token_without_aud_or_exp_gets_401() {
    let app = TestApp::seeded().await;
    let now = now();
    for claims in [
        json!({ "sub": "x", "role": "admin", "exp": now + 600, "jti": "j", "iss": "gender-data-hub" }),
        json!({ "sub": "x", "role": "admin", "jti": "j", "aud": "gender-data-hub", "iss": "gender-data-hub" }),
        json!({ "sub": "x", "role": "admin", "exp": now + 600, "jti": "j", "aud": "gender-data-hub" }),
    ] {
        let token = hs256("hs256-1", &claims, SECRET);
        let (status, _) = app.graphql(Some(&token), ME, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{claims}");
    }
}

#[tokio::test]
async fn a_non_bearer_authorization_header_gets_401() {
    let app = TestApp::seeded().await;
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4=")
        .body(Body::from(json!({ "query": ME }).to_string()))
        .expect("request");
    let (status, body) = app.send(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["message"], "the Authorization header is not a bearer token");
}

#[tokio::test]
async fn me_tells_each_role_who_it_is() {
    let app = TestApp::seeded().await;
    let admin = app.data(&app.admin(), ME, json!({})).await;
    assert_eq!(admin["me"]["role"], "ADMIN");
    assert!(admin["me"]["area"].is_null());

    let reporter = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    let me = app.data(&reporter, ME, json!({})).await;
    assert_eq!(
        me["me"],
        json!({ "subject": "test-agency_reporter", "role": "AGENCY_REPORTER",
                                  "agency": { "code": "216-YTE" }, "area": { "code": "216" } })
    );

    for role in [Role::StatisticsOffice, Role::Dashboard, Role::Partner] {
        let token = app.token(role, None, Some("24"));
        let me = app.data(&token, ME, json!({})).await;
        assert_eq!(me["me"]["area"]["code"], "24");
    }
}

const PLANS: &str = "{ plans { code area { code } } }";

fn codes(value: &serde_json::Value, list: &str) -> Vec<String> {
    value[list].as_array().expect("a list").iter().map(|p| p["code"].as_str().expect("code").to_owned()).collect()
}

#[tokio::test]
async fn each_role_lists_only_the_plans_of_its_area_subtree() {
    let app = TestApp::seeded().await;
    let all = codes(&app.data(&app.admin(), PLANS, json!({})).await, "plans");
    assert_eq!(all.len(), 10, "{all:?}");

    // Bắc Giang's statistics office sees the province's plan and Tân Yên's, nothing else.
    for role in [Role::StatisticsOffice, Role::Dashboard, Role::Partner] {
        let token = app.token(role, None, Some("24"));
        let mut seen = codes(&app.data(&token, PLANS, json!({})).await, "plans");
        seen.sort();
        assert_eq!(seen, ["bac-giang-kh-311-2021", "tan-yen-bdg-2021-2025"], "{role}");
    }
    // An agency of Tân Yên sees its district's plan only.
    let reporter = app.token(Role::AgencyReporter, Some("216-YTE"), Some("216"));
    assert_eq!(codes(&app.data(&reporter, PLANS, json!({})).await, "plans"), ["tan-yen-bdg-2021-2025"]);
}

#[tokio::test]
async fn reading_outside_the_area_is_forbidden() {
    let app = TestApp::seeded().await;
    let tan_yen = app.token(Role::Dashboard, None, Some("216"));
    let denied = [
        (r#"{ plan(code: "bac-yen-bdg-2021-2025") { code } }"#, "another district's plan"),
        (r#"{ plan(code: "bac-giang-kh-311-2021") { code } }"#, "the province's plan"),
        (r#"{ area(code: "14") { code } }"#, "another province"),
        (r#"{ agency(code: "121-TTYT") { code } }"#, "another district's agency"),
        (r#"{ plans(areaCode: "24") { code } }"#, "plans of the parent province"),
        (r#"{ agencies(areaCode: "121") { code } }"#, "agencies of another district"),
        (r#"{ areas(parentCode: "VN") { code } }"#, "children of the nation"),
    ];
    for (query, what) in denied {
        assert_eq!(app.error_code(&tan_yen, query, json!({})).await, "FORBIDDEN", "{what}");
    }
}

#[tokio::test]
async fn references_outside_the_area_are_hidden_not_leaked() {
    let app = TestApp::seeded().await;
    let tan_yen = app.token(Role::Dashboard, None, Some("216"));
    let data = app
        .data(
            &tan_yen,
            r#"{ plan(code: "tan-yen-bdg-2021-2025") { parent { code } issuer { code } area { code parent { code } } } }"#,
            json!({}),
        )
        .await;
    assert!(data["plan"]["parent"].is_null(), "the province's plan is outside: {data}");
    assert_eq!(data["plan"]["issuer"]["code"], "216-UBND");
    assert!(data["plan"]["area"]["parent"].is_null());

    // The province sees the same plan's parent link down to itself.
    let province = app.token(Role::Dashboard, None, Some("24"));
    let data = app
        .data(&province, r#"{ plan(code: "tan-yen-bdg-2021-2025") { parent { code children { code } } } }"#, json!({}))
        .await;
    assert_eq!(data["plan"]["parent"]["code"], "bac-giang-kh-311-2021");
    assert_eq!(codes(&data["plan"]["parent"], "children"), ["tan-yen-bdg-2021-2025"]);
}

#[tokio::test]
async fn areas_and_agencies_stay_inside_the_subtree() {
    let app = TestApp::seeded().await;
    // Province 24's office, issued today: Tỉnh Bắc Ninh, its communes, and the two old
    // provinces it took over (Bắc Giang, 24, and Bắc Ninh, 27) with their districts and
    // communes.
    let province = app.office();
    let areas = app.data(&province, "{ areas { code level validFrom validTo } }", json!({})).await;
    let all = areas["areas"].as_array().cloned().unwrap_or_default();
    let count =
        |level: &str, new: bool| all.iter().filter(|a| a["level"] == level && a["validFrom"].is_null() != new).count();
    assert_eq!((count("PROVINCE", true), count("COMMUNE", true)), (1, 99), "the new province and its communes");
    assert_eq!((count("PROVINCE", false), count("DISTRICT", false)), (2, 18), "the old provinces and districts");
    let codes_of: Vec<&str> = all.iter().filter_map(|a| a["code"].as_str()).collect();
    assert!(codes_of.contains(&"216") && codes_of.contains(&"27"), "{codes_of:?}");
    assert!(!codes_of.contains(&"14") && !codes_of.contains(&"121"));
    let agencies = codes(&app.data(&province, "{ agencies { code } }", json!({})).await, "agencies");
    assert!(agencies.iter().all(|c| c.starts_with("216-") || c.starts_with("24-")), "{agencies:?}");
    assert!(agencies.contains(&"216-CCTK".to_owned()));

    let nation = app.data(&app.admin(), r#"{ area(code: "VN") { children { code validTo } } }"#, json!({})).await;
    let children = nation["area"]["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(children.len(), 63 + 34, "the provinces before and after the reform");
    assert_eq!(children.iter().filter(|c| c["validTo"].is_null()).count(), 34);
    let scoped =
        app.data(&province, r#"{ area(code: "24") { name children { code } parent { code } } }"#, json!({})).await;
    assert_eq!(scoped["area"]["name"], "Tỉnh Bắc Ninh");
    assert_eq!(scoped["area"]["children"].as_array().map(Vec::len), Some(99));
    assert!(scoped["area"]["parent"].is_null());
    // The old unit under the same code, by its day: its districts, Tân Yên among them.
    let old = app
        .data(&province, r#"{ area(code: "24", validOn: "2024-12-31") { name children { code } } }"#, json!({}))
        .await;
    assert_eq!(old["area"]["name"], "Tỉnh Bắc Giang");
    assert!(codes(&old["area"], "children").contains(&"216".to_owned()));
}

#[tokio::test]
async fn the_indicator_catalogue_is_readable_by_every_role() {
    let app = TestApp::seeded().await;
    let partner = app.token(Role::Partner, None, Some("216"));
    let data = app
        .data(&partner, r#"{ indicator(code: "SEX_RATIO_AT_BIRTH") { unit direction sensitive } }"#, json!({}))
        .await;
    assert_eq!(
        data["indicator"],
        json!({ "unit": "RATIO_PER_100", "direction": "LOWER_IS_BETTER", "sensitive": false })
    );
}

#[tokio::test]
async fn a_revoked_token_gets_401_from_then_on() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let issued = app.data(&admin, ISSUE_DASHBOARD, json!({})).await["issueToken"].clone();
    let (token, jti) = (issued["token"].as_str().expect("token"), issued["jti"].clone());
    assert_eq!(app.graphql(Some(token), ME, json!({})).await.0, StatusCode::OK);

    // Only an admin revokes; the dashboard cannot revoke even its own token.
    assert_eq!(app.error_code(token, REVOKE, json!({ "jti": jti })).await, "FORBIDDEN");
    assert_eq!(app.error_code(&admin, REVOKE, json!({ "jti": "  " })).await, "BAD_USER_INPUT");

    assert_eq!(app.data(&admin, REVOKE, json!({ "jti": jti })).await["revokeToken"], true);
    let (status, body) = app.graphql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["message"], "the token has been revoked");
    // The CSV endpoints check it too.
    assert_eq!(app.get_as(token, "/api/v1/observations.csv").await.0, StatusCode::UNAUTHORIZED);
    // Revoking again changes nothing and says so; the row is kept once.
    assert_eq!(app.data(&admin, REVOKE, json!({ "jti": jti })).await["revokeToken"], false);
    let rows = app
        .count(&format!("SELECT COUNT(*) FROM revoked_tokens WHERE jti = '{}'", jti.as_str().unwrap_or_default()))
        .await;
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn token_lifetimes_are_bounded_per_role() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let issue = |role: &str, ttl: i64| {
        format!("mutation {{ issueToken(input: {{ role: {role}, areaCode: \"216\", ttlSeconds: {ttl} }}) {{ jti }} }}")
    };
    let day = 24 * 3600;
    assert_eq!(app.error_code(&admin, &issue("ADMIN", 32 * day), json!({})).await, "BAD_USER_INPUT");
    assert_eq!(app.error_code(&admin, &issue("PARTNER", 367 * day), json!({})).await, "BAD_USER_INPUT");
    assert_eq!(app.error_code(&admin, &issue("PARTNER", -5), json!({})).await, "BAD_USER_INPUT");
    app.data(&admin, &issue("PARTNER", 366 * day), json!({})).await;
    app.data(&admin, &issue("ADMIN", 31 * day), json!({})).await;
}

#[tokio::test]
async fn an_agency_token_reaches_no_further_than_the_agencys_area() {
    let app = TestApp::seeded().await;
    let admin = app.admin();
    let issue = |agency: &str, area: &str| {
        format!(
            "mutation {{ issueToken(input: {{ role: AGENCY_REPORTER, agencyCode: \"{agency}\", areaCode: \"{area}\" }}) {{ jti }} }}"
        )
    };
    let before = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'ISSUE_TOKEN'").await;
    // Bắc Yên's health centre for Tân Yên; Tân Yên's health office for its whole province
    // or the country.
    for (agency, area) in [("121-TTYT", "216"), ("216-YTE", "24"), ("216-YTE", "VN")] {
        let (status, body) = app.graphql(Some(&admin), &issue(agency, area), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{agency} {area}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["argument"], "areaCode", "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'ISSUE_TOKEN'").await, before);
    app.data(&admin, &issue("216-YTE", "216"), json!({})).await;
    app.data(&admin, &issue("121-TTYT", "121"), json!({})).await;
}
