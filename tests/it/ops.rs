//! Help for people calling the API by hand: `deltaseal token`, the SD-JWT VC issuer
//! metadata behind the credentials' `iss`, `/readyz`, the access log and the latency
//! histograms in `/metrics`, audiences compared normalised, 405 with `Allow`, and
//! RFC 3339 times in the JSON bodies.

use crate::common::db::TestDb;
use crate::common::http::call;
use crate::common::node::{node_app, node_app_named, TestNode, AUD};
use crate::common::{self, fixed_now};
use crate::http::id_card;
use axum::http::StatusCode;
use deltaseal::adapters::http::Limits;
use deltaseal::jose::CompactJws;
use deltaseal::license::sdjwt::{key_of_jwk, SdJwt};
use rstest::rstest;
use serde_json::Value;
use std::process::Command;
use time::OffsetDateTime;

/// `deltaseal token …` with the demo keys: (exit code, stdout, stderr).
fn token_cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::bin())
        .arg("token")
        .args(args)
        .arg("--keys")
        .arg(common::root().join("keys"))
        .env_remove("DELTASEAL_SERVER")
        .env_remove("DELTASEAL_AGENCY")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[rstest]
#[case::sm2("sh-agency-psb", "SM2")]
#[case::p256("zj-agency-psb", "ES256")]
#[tokio::test]
async fn the_token_command_prints_a_token_the_node_accepts(
    #[case] agency: &str,
    #[case] alg: &str,
) {
    let (code, out, err) = token_cli(&[
        "--agency",
        agency,
        "--aud",
        &format!("{AUD}/"),
        "--ttl",
        "60",
    ]);
    assert_eq!(code, 0, "{err}");
    let token = out.trim();
    let jws = CompactJws::parse(token, "token", 1 << 16).unwrap();
    let keys = common::pki::keys();
    let uscc = keys.get(agency).unwrap().info.uscc.clone().unwrap();
    assert_eq!(jws.header["alg"], alg);
    assert_eq!(jws.header["typ"], "JWT");
    assert_eq!(
        jws.x5c().unwrap().len(),
        2,
        "the agency's certificate and its root"
    );
    let p = &jws.payload;
    assert_eq!(p["iss"], uscc.as_str());
    assert_eq!(p["aud"], AUD, "the trailing slash is dropped");
    let iat = p["iat"].as_i64().unwrap();
    assert_eq!(p["exp"].as_i64().unwrap() - iat, 60);
    assert!(p["jti"].as_str().is_some_and(|j| !j.is_empty()));
    // raw r‖s: 64 bytes for both algorithms
    let sig = token.rsplit('.').next().unwrap();
    assert_eq!(
        deltaseal::jose::b64_decode(sig, "sig", 256).unwrap().len(),
        64
    );

    // a node whose clock reads the token's iat takes it for an issuance
    let db = TestDb::new("sqlite").await;
    let at = OffsetDateTime::from_unix_timestamp(iat).unwrap();
    let app = node_app(db.store.clone(), &keys, Limits::default(), at);
    let body = Some(("application/json", id_card(7).to_string().into_bytes()));
    let r = call(&app, "POST", "/v1/licenses", Some(token), body.clone(), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // and, like any token, only once
    let r = call(&app, "POST", "/v1/licenses", Some(token), body, &[]).await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "token_replayed");
    db.finish().await;
}

#[test]
fn the_token_command_refuses_what_a_node_would() {
    let (code, _, err) = token_cli(&["--agency", "sh-agency-psb", "--ttl", "301"]);
    assert_eq!(code, 2);
    assert!(err.contains("--ttl must be 1 to 300"), "{err}");
    let (code, _, err) = token_cli(&["--agency", "no-such-party"]);
    assert_eq!(code, 2);
    assert!(err.contains("no key \"no-such-party\""), "{err}");
}

/// The well-known metadata URL of an issuer (draft-ietf-oauth-sd-jwt-vc): the
/// `/.well-known/jwt-vc-issuer` segment between the host and the issuer's path.
fn metadata_path(iss: &str) -> String {
    let rest = iss.strip_prefix(AUD).expect("iss on the node's base URL");
    format!("/.well-known/jwt-vc-issuer{rest}")
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
#[tokio::test]
async fn the_credential_iss_resolves_to_issuer_metadata_with_its_key(#[case] agency: &str) {
    let api = TestNode::new().await;
    let (s, v) = api.post(agency, "/v1/licenses", &id_card(3)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sd = SdJwt::parse(v["credential"].as_str().unwrap()).unwrap();
    let iss = sd.jws.payload["iss"].as_str().unwrap().to_string();
    assert_eq!(iss, format!("{AUD}/agencies/{}", api.uscc(agency)));
    let (s, ct, meta) = api.call("GET", &metadata_path(&iss), None, None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{meta}");
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(meta["issuer"], iss.as_str());
    let keys = meta["jwks"]["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = key_of_jwk(&keys[0]).unwrap();
    assert!(
        sd.jws.verify_with(&key),
        "the published key verifies the credential"
    );
    assert_eq!(keys[0]["alg"], sd.jws.header["alg"]);
    assert_eq!(keys[0]["x5c"], sd.jws.header["x5c"]);
    // an agency the node does not host
    let (s, ct, v) = api
        .call(
            "GET",
            "/.well-known/jwt-vc-issuer/agencies/91310000MA1FL8XQ30",
            None,
            None,
            &[],
        )
        .await;
    crate::common::http::assert_problem(&ct, &v, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(s, StatusCode::NOT_FOUND);
    api.db.finish().await;
}

#[tokio::test]
async fn readyz_needs_the_database_and_a_current_trust_list() {
    // a node without a trust list: ready when its database answers
    let api = TestNode::new().await;
    let (s, _, v) = api.call("GET", "/readyz", None, None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "ready");
    assert_eq!(v["trust_list"], Value::Null);
    api.db.store.close().await;
    let r = call(&api.app, "GET", "/readyz", None, None, &[]).await;
    r.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(r.headers.contains_key("retry-after"));
    // liveness stays apart: /healthz says the same of the database only
    let r = call(&api.app, "GET", "/healthz", None, None, &[]).await;
    r.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");

    // a node holding the committed list: ready while it is current, not after
    let db = TestDb::new("sqlite").await;
    let secs = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(
        fixed_now().unix_timestamp(),
    ));
    let s2 = secs.clone();
    let clock: deltaseal::adapters::http::Clock = std::sync::Arc::new(move || {
        OffsetDateTime::from_unix_timestamp(s2.load(std::sync::atomic::Ordering::SeqCst)).unwrap()
    });
    let cfg = deltaseal::adapters::config::Config {
        keys_dir: common::root().join("keys"),
        ..Default::default()
    };
    let node = cfg
        .open_node_on(db.store.clone(), None, clock)
        .await
        .unwrap();
    let app = deltaseal::adapters::http::app(node);
    let r = call(&app, "GET", "/readyz", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.json()["trust_list"]["sequence"].as_u64().is_some(),
        "{}",
        r.json()
    );
    secs.store(
        time::macros::datetime!(2029-01-03 00:00 UTC).unix_timestamp(),
        std::sync::atomic::Ordering::SeqCst,
    );
    let r = call(&app, "GET", "/readyz", None, None, &[]).await;
    r.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "trust_list_unavailable");
    db.finish().await;
}

/// A writer collecting what the log subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_request_has_an_access_log_line_and_a_latency_histogram() {
    let api = TestNode::new().await;
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter("deltaseal::access=info")
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let (s, _) = api.post("sh-agency-psb", "/v1/licenses", &id_card(1)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _, _) = api
        .call("GET", "/v1/licenses/nonsense", None, None, &[])
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    drop(guard);
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for (line, method, route, status) in [
        (lines[0], "POST", "/v1/licenses", 201),
        (lines[1], "GET", "/v1/licenses/{identifier}", 401),
    ] {
        for want in [
            format!("method={method}"),
            format!("route={route}"),
            format!("status={status}"),
            "latency_ms=".to_string(),
            "client=-".to_string(),
        ] {
            assert!(line.contains(&want), "{want} missing in {line}");
        }
    }
    assert!(
        lines[1].contains("path=/v1/licenses/nonsense"),
        "{}",
        lines[1]
    );

    let (_, _, m) = api.call("GET", "/metrics", None, None, &[]).await;
    let m = m.as_str().unwrap();
    assert!(
        m.contains("# TYPE deltaseal_http_request_duration_seconds histogram"),
        "{m}"
    );
    let labels = r#"method="POST",route="/v1/licenses""#;
    assert!(
        m.contains(&format!(
            "deltaseal_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 1"
        )),
        "{m}"
    );
    assert!(m.contains(&format!(
        "deltaseal_http_request_duration_seconds_count{{{labels}}} 1"
    )));
    // buckets are cumulative and end at the count
    let counts: Vec<u64> = m
        .lines()
        .filter(|l| {
            l.starts_with(&format!(
                "deltaseal_http_request_duration_seconds_bucket{{{labels}"
            ))
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 13);
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!(counts.last(), Some(&1));
    api.db.finish().await;
}

#[tokio::test]
async fn the_node_accepts_its_audiences_normalised_and_says_which_it_expects() {
    let api = TestNode::new().await;
    let get = |aud: &'static str| {
        let t = api.token_with("sh-agency-psb", aud, api.now, 60);
        let app = api.app.clone();
        async move { call(&app, "GET", "/v1/licenses/nonsense", Some(&t), None, &[]).await }
    };
    // authenticated (the identifier is then refused), whatever the spelling of the URL
    for aud in [
        "https://node.test",
        "https://node.test/",
        "HTTPS://Node.TEST:443/",
    ] {
        get(aud)
            .await
            .assert_problem(StatusCode::BAD_REQUEST, "bad_identifier");
    }
    for aud in [
        "https://other.test",
        "http://node.test",
        "https://node.test:8443",
    ] {
        let r = get(aud).await;
        r.assert_problem(StatusCode::UNAUTHORIZED, "wrong_audience");
        assert_eq!(r.json()["expected_audiences"], serde_json::json!([AUD]));
        assert!(
            r.json()["detail"].as_str().unwrap().contains(AUD),
            "{}",
            r.json()
        );
    }
    api.db.finish().await;

    // a node on loopback with a configured alias: every loopback spelling, the alias
    let db = TestDb::new("sqlite").await;
    let keys = common::pki::keys();
    let base = "http://127.0.0.1:8080";
    let app = node_app_named(
        db.store.clone(),
        &keys,
        Limits::default(),
        fixed_now(),
        base,
        &["https://sh.example/node/"],
    );
    for aud in [
        "http://127.0.0.1:8080/",
        "http://localhost:8080",
        "http://[::1]:8080",
        "https://SH.example/node",
    ] {
        let t = crate::common::http::request_token(
            &keys,
            "sh-agency-psb",
            crate::common::http::Chain::WithIssuer,
            aud,
            fixed_now(),
            60,
        );
        call(&app, "GET", "/v1/licenses/nonsense", Some(&t), None, &[])
            .await
            .assert_problem(StatusCode::BAD_REQUEST, "bad_identifier");
    }
    let t = crate::common::http::request_token(
        &keys,
        "sh-agency-psb",
        crate::common::http::Chain::WithIssuer,
        "http://localhost:8081",
        fixed_now(),
        60,
    );
    let r = call(&app, "GET", "/v1/licenses/nonsense", Some(&t), None, &[]).await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "wrong_audience");
    let expected = r.json()["expected_audiences"].clone();
    for a in [base, "https://sh.example/node", "http://localhost:8080"] {
        assert!(
            expected.as_array().unwrap().iter().any(|e| e == a),
            "{a} in {expected}"
        );
    }
    db.finish().await;
}

#[test]
fn audiences_come_from_the_configuration() {
    let env = |k: &str| {
        (k == "DELTASEAL_AUDIENCES")
            .then(|| " http://localhost:8080, https://sh.example ,".to_string())
    };
    let c = deltaseal::adapters::config::Config::load(None, env).unwrap();
    assert_eq!(c.audiences, ["http://localhost:8080", "https://sh.example"]);
}

/// A path of the OpenAPI document with every `{parameter}` filled in.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("x1");
            }
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn a_wrong_method_on_every_known_path_is_405_with_allow() {
    let api = TestNode::new().await;
    let (_, _, doc) = api.call("GET", "/openapi.json", None, None, &[]).await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{}", paths.len());
    for (path, ops) in paths {
        let mut documented: Vec<String> = ops
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        if documented.iter().any(|m| m == "GET") {
            documented.push("HEAD".into());
        }
        documented.sort();
        let url = concrete(path);
        for method in ["PUT", "DELETE", "PATCH", "POST", "GET"] {
            if documented.iter().any(|m| m == method) {
                continue;
            }
            let r = call(&api.app, method, &url, None, None, &[]).await;
            r.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
            let mut allow: Vec<String> = r.headers["allow"]
                .to_str()
                .unwrap()
                .split(',')
                .map(|m| m.trim().to_string())
                .collect();
            allow.sort();
            assert_eq!(allow, documented, "{method} {url}");
        }
    }
    // an unknown path stays 404
    let r = call(&api.app, "DELETE", "/v1/nothing", None, None, &[]).await;
    r.assert_problem(StatusCode::NOT_FOUND, "no_such_route");
    api.db.finish().await;
}

#[tokio::test]
async fn license_bodies_give_rfc3339_times_and_the_credential_numeric_dates() {
    let api = TestNode::new().await;
    let (s, v) = api.post("sh-agency-psb", "/v1/licenses", &id_card(4)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["issued_at"], "2026-06-01T00:00:00Z", "{v}");
    let sd = SdJwt::parse(v["credential"].as_str().unwrap()).unwrap();
    assert_eq!(sd.jws.payload["iat"], fixed_now().unix_timestamp());
    let id = v["identifier"].as_str().unwrap().to_string();
    let t = api.token("sh-agency-psb");
    let (s, _, got) = api
        .call("GET", &format!("/v1/licenses/{id}"), Some(&t), None, &[])
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["issued_at"], "2026-06-01T00:00:00Z", "{got}");
    assert_eq!(got["updated_at"], "2026-06-01T00:00:00Z", "{got}");
    let (s, changed) = api
        .post(
            "sh-agency-psb",
            &format!("/v1/licenses/{id}/suspend"),
            &serde_json::json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(changed["updated_at"], "2026-06-01T00:00:00Z", "{changed}");
    let (s, b) = api
        .post(
            "sh-agency-psb",
            "/v1/licenses:batch",
            &serde_json::json!({"items": [id_card(5)]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["issued"][0]["issued_at"], "2026-06-01T00:00:00Z", "{b}");
    api.db.finish().await;
}
