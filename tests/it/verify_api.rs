//! The verify API completed: raw bodies by media type, `POST /v1/verify:batch`,
//! `POST /v1/certificates:validate`, the per-client rate limit, slow and oversized
//! bodies over real loopback TCP, hostile input never a 500, and the chain cache
//! giving the very verdicts verification gives without it.

use crate::common::http::{call, Reply};
use crate::common::{self, db::TestDb, fixed_now};
use crate::license::id_card_request;
use axum::http::StatusCode;
use axum::Router;
use deltaseal::adapters::config::{Config, BUILTIN_CATALOG};
use deltaseal::adapters::http::{self, AppState};
use deltaseal::catalog::Catalog;
use deltaseal::license::Agency;
use deltaseal::trust_list::{self, VerifiedTrustList};
use deltaseal::verify::{self, ChainCache, Context, Input, Policy};
use rstest::rstest;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;
use time::macros::datetime;

/// A demo agency's ID card, issued at the fixed time.
fn id_card(agency_id: &str) -> String {
    let keys = common::pki::keys();
    let e = keys.get(agency_id).unwrap();
    let root = keys.issuer_of(agency_id).unwrap();
    Agency::new(
        e.signer.clone(),
        vec![e.cert_der.clone(), root.cert_der.clone()],
    )
    .unwrap()
    .issue(
        &Catalog::from_json(BUILTIN_CATALOG).unwrap(),
        &id_card_request("V00001", 3),
        fixed_now(),
    )
    .unwrap()
    .sd_jwt
}

/// A resident ID card issued by agency `agency_id` through the node's own API, so its
/// status list is the node's own (the node judges it from its store).
async fn issued_on(app: &Router, agency_id: &str) -> String {
    let keys = common::pki::keys();
    let token = common::http::request_token(
        &keys,
        agency_id,
        common::http::Chain::WithIssuer,
        "http://127.0.0.1:8080",
        fixed_now(),
        120,
    );
    let body = crate::http::id_card(7).to_string().into_bytes();
    let r = call(
        app,
        "POST",
        "/v1/licenses",
        Some(&token),
        Some(("application/json", body)),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json_or_text());
    r.json()["credential"].as_str().unwrap().to_string()
}

fn cert_pem(id: &str) -> String {
    let keys = common::pki::keys();
    let der = keys.get(id).unwrap().cert_der.clone();
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &der).unwrap()
}

fn demo_list() -> VerifiedTrustList {
    let text = std::fs::read_to_string(common::root().join("keys/trust-list.jws")).unwrap();
    let keys = common::pki::keys();
    let signer = keys.get("yrd-trust-list-signer").unwrap().cert_der.clone();
    trust_list::verify(
        &text,
        &trust_list::VerifyOptions {
            signer_cert: &signer,
            at: fixed_now(),
            held_sequence: None,
            grace: time::Duration::days(1),
        },
    )
    .unwrap()
}

/// A node the way `serve` opens it (demo keys, committed trust list), with `cfg`'s
/// verify limits, at the fixed time.
async fn node(db: &TestDb, tune: impl FnOnce(&mut Config)) -> AppState {
    let mut cfg = Config {
        keys_dir: common::root().join("keys"),
        ..Config::default()
    };
    tune(&mut cfg);
    let now = fixed_now();
    cfg.open_node_on(db.store.clone(), None, Arc::new(move || now))
        .await
        .unwrap()
}

async fn post(app: &Router, path: &str, ct: &str, body: Vec<u8>) -> Reply {
    call(app, "POST", path, None, Some((ct, body)), &[]).await
}

/// Serve `app` on a loopback port the way `serve` does (client addresses seen).
async fn listen(app: Router) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        http::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    (addr, task)
}

/// The verdict of the engine, with or without the cache, as JSON.
fn judged(
    list: &VerifiedTrustList,
    bytes: &[u8],
    at: time::OffsetDateTime,
    cache: Option<&ChainCache>,
) -> Value {
    let policy = Policy::default();
    let mut ctx = Context::new(list, at, &policy);
    ctx.chains = cache;
    serde_json::to_value(verify::verify(&Input::new(bytes), &ctx)).unwrap()
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn the_chain_cache_gives_the_very_verdicts_of_verifying_without_it(#[case] id: &str) {
    let list = demo_list();
    let cache = ChainCache::default();
    let cred = id_card(id);
    let cert = cert_pem(id);
    let mut broken = cred.clone().into_bytes();
    let dot = broken.iter().rposition(|&c| c == b'.').unwrap();
    broken[dot + 3] = if broken[dot + 3] == b'A' { b'B' } else { b'A' };
    let times = [
        fixed_now(),
        // past the agency certificate's end: chain.validity fails, checked every time
        datetime!(2029-06-01 00:00 UTC),
        // before it began
        datetime!(2025-06-01 00:00 UTC),
    ];
    for bytes in [cred.as_bytes(), cert.as_bytes(), broken.as_slice()] {
        for at in times {
            let plain = judged(&list, bytes, at, None);
            // twice through the cache: the first fills it, the second is a hit
            assert_eq!(judged(&list, bytes, at, Some(&cache)), plain);
            assert_eq!(judged(&list, bytes, at, Some(&cache)), plain);
        }
    }
    let at = |t| judged(&list, cred.as_bytes(), t, Some(&cache));
    assert_eq!(at(times[0])["report"]["indication"], "TOTAL_PASSED");
    assert_eq!(at(times[1])["report"]["sub_indication"], "EXPIRED");
    let (hits, misses) = cache.stats();
    assert!(hits >= 12, "{hits} hits, {misses} misses");
    assert!(misses <= 4, "{hits} hits, {misses} misses");
    // another trust list (another digest) starts the cache over
    let mut other = demo_list();
    other.digest = "f".repeat(64);
    let v = judged(&other, cred.as_bytes(), times[0], Some(&cache));
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED");
    assert_eq!(cache.len(), 1);
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
#[tokio::test]
async fn raw_artifacts_by_media_type_and_query(#[case] id: &str) {
    let db = TestDb::new("sqlite").await;
    let app = http::app(node(&db, |_| {}).await);
    let cred = issued_on(&app, id).await;
    for ct in [
        "application/dc+sd-jwt",
        "application/vc+sd-jwt",
        "application/sd-jwt",
        "application/octet-stream",
    ] {
        let r = post(&app, "/v1/verify", ct, cred.clone().into_bytes()).await;
        assert_eq!(r.status, StatusCode::OK, "{ct}");
        let v = r.json();
        assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{ct}: {v}");
        assert_eq!(v["kind"], "sd-jwt");
    }
    // ?at= judges at another time
    let r = post(
        &app,
        "/v1/verify?at=2029-06-01T00:00:00Z",
        "application/dc+sd-jwt",
        cred.clone().into_bytes(),
    )
    .await;
    // (the agency certificate has expired by then; the node's archive log proves the
    // license existed before, so the chain is validated at that time and what is left
    // unknown is the license's status then)
    let v = r.json();
    assert_eq!(v["report"]["indication"], "INDETERMINATE", "{v}");
    assert_eq!(v["report"]["sub_indication"], "TRY_LATER", "{v}");
    assert_eq!(
        v["report"]["validation_time"], "2029-06-01T00:00:00Z",
        "{v}"
    );
    assert!(v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "archive.poe" && c["outcome"] == "PASSED"));
    // a wrong ?type= is a verdict, not a 500
    let r = post(
        &app,
        "/v1/verify?type=seal",
        "application/octet-stream",
        cred.clone().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["report"]["sub_indication"], "FORMAT_FAILURE");
    // a PEM certificate as a file
    let r = post(
        &app,
        "/v1/verify",
        "application/x-pem-file",
        cert_pem(id).into_bytes(),
    )
    .await;
    assert_eq!(r.json()["kind"], "certificate");
    assert_eq!(
        r.json()["report"]["indication"],
        "TOTAL_PASSED",
        "{}",
        r.json()
    );
    // unknown media types, and none, are 415 (text/plain is QR text, detected like
    // any artifact); bad query values 422
    post(&app, "/v1/verify", "image/gif", cred.clone().into_bytes())
        .await
        .assert_problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_artifact_type",
        );
    call(&app, "POST", "/v1/verify", None, None, &[])
        .await
        .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    for q in ["?type=pdf", "?at=yesterday", "?colour=red"] {
        post(
            &app,
            &format!("/v1/verify{q}"),
            "application/dc+sd-jwt",
            cred.clone().into_bytes(),
        )
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    }
    db.finish().await;
}

#[tokio::test]
async fn hostile_artifacts_are_verdicts_or_4xx_never_500() {
    let db = TestDb::new("sqlite").await;
    let app = http::app(node(&db, |_| {}).await);
    let cred = id_card("zj-agency-psb");
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect()
    };
    let mut bodies: Vec<(&str, Vec<u8>)> = vec![];
    for n in [0, 1, 7, 100, 4096] {
        bodies.push(("application/octet-stream", random(n)));
    }
    for cut in [1, 10, cred.len() / 2, cred.len() - 1] {
        bodies.push(("application/dc+sd-jwt", cred.as_bytes()[..cut].to_vec()));
    }
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend(random(500));
    bodies.push(("application/ofd", zip));
    bodies.push(("application/pkix-cert", random(300)));
    bodies.push((
        "application/x-pem-file",
        b"-----BEGIN CERTIFICATE-----\nAAAA".to_vec(),
    ));
    for (ct, body) in bodies {
        for path in [
            "/v1/verify",
            "/v1/verify?type=stamp",
            "/v1/certificates:validate",
        ] {
            let ct = if path.starts_with("/v1/cert") && ct != "application/x-pem-file" {
                "application/octet-stream"
            } else {
                ct
            };
            let r = post(&app, path, ct, body.clone()).await;
            assert!(
                r.status == StatusCode::OK || r.status.is_client_error(),
                "{path} {ct}: {}",
                r.status
            );
            if r.status == StatusCode::OK {
                assert_ne!(
                    r.json()["report"]["indication"],
                    "TOTAL_PASSED",
                    "{path} {ct}"
                );
            }
        }
    }
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn a_batch_is_verified_in_order_each_item_its_own(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let app = http::app(node(&db, |_| {}).await);
    let sm2 = issued_on(&app, "sh-agency-psb").await;
    let p256 = issued_on(&app, "zj-agency-psb").await;
    let items = json!([
        {"artifact": p256},
        {"artifact": sm2, "policy": {"provinces": ["ZJ"]}},
        {"artifact": "AAAA", "encoding": "base64"},
        {"artifact": sm2, "colour": "red"},
        {"artifact": sm2, "type": "pdf"},
        {"artifact": p256, "at": "2029-06-01T00:00:00Z"},
        {"artifact": sm2},
    ]);
    let r = post(
        &app,
        "/v1/verify:batch",
        "application/json",
        items.to_string().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json_or_text());
    let v = r.json();
    let res = v["results"].as_array().unwrap();
    assert_eq!(res.len(), 7);
    for (i, e) in res.iter().enumerate() {
        assert_eq!(e["index"], i);
    }
    let ind = |i: usize| res[i]["verdict"]["report"]["indication"].clone();
    assert_eq!(ind(0), "TOTAL_PASSED");
    assert_eq!(res[0]["verdict"]["province"]["code"], "ZJ");
    assert_eq!(ind(1), "TOTAL_FAILED");
    assert_eq!(
        res[2]["verdict"]["report"]["sub_indication"],
        "FORMAT_FAILURE"
    );
    assert_eq!(res[3]["problem"]["code"], "invalid_body");
    assert_eq!(res[4]["problem"]["code"], "invalid_request");
    assert_eq!(res[5]["verdict"]["report"]["sub_indication"], "EXPIRED");
    assert_eq!(ind(6), "TOTAL_PASSED");
    assert_eq!(res[6]["verdict"]["province"]["code"], "SH");

    // a full batch passes; one more is refused whole
    let many = |n: usize| {
        Value::Array(vec![json!({"artifact": p256}); n])
            .to_string()
            .into_bytes()
    };
    let r = post(&app, "/v1/verify:batch", "application/json", many(1000)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let res = v["results"].as_array().unwrap();
    assert_eq!(res.len(), 1000);
    assert!(res
        .iter()
        .all(|e| e["verdict"]["report"]["indication"] == "TOTAL_PASSED"));
    post(&app, "/v1/verify:batch", "application/json", many(1001))
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large");
    post(&app, "/v1/verify:batch", "application/json", b"[]".to_vec())
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "empty_batch");
    post(&app, "/v1/verify:batch", "application/json", b"[{".to_vec())
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "malformed_json");
    post(&app, "/v1/verify:batch", "application/json", b"{}".to_vec())
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    post(
        &app,
        "/v1/verify:batch",
        "application/dc+sd-jwt",
        p256.into_bytes(),
    )
    .await
    .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    db.finish().await;
}

#[rstest]
#[case::sm2("sh-agency-psb", "sh-seal-authority")]
#[case::p256("zj-agency-psb", "zj-seal-authority")]
#[tokio::test]
async fn certificates_validate_for_their_role_or_the_purpose_asked(
    #[case] agency: &str,
    #[case] authority: &str,
) {
    let db = TestDb::new("sqlite").await;
    let app = http::app(node(&db, |_| {}).await);
    let path = "/v1/certificates:validate";
    let pem = cert_pem(agency);
    let r = post(
        &app,
        path,
        "application/x-pem-file",
        pem.clone().into_bytes(),
    )
    .await;
    let v = r.json();
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(v["kind"], "certificate");
    assert!(v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "issuer.listed" && c["outcome"] == "PASSED"));
    // DER, as JSON, for another purpose: leaf.usage fails
    let keys = common::pki::keys();
    let der = keys.get(agency).unwrap().cert_der.clone();
    let r = post(
        &app,
        &format!("{path}?purpose=seal"),
        "application/pkix-cert",
        der.clone(),
    )
    .await;
    let v = r.json();
    assert_eq!(v["report"]["indication"], "TOTAL_FAILED", "{v}");
    assert!(v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "leaf.usage" && c["outcome"] == "FAILED"));
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let body = json!({"certificate": b64, "encoding": "base64", "purpose": "license", "at": "2026-06-01T00:00:00Z"});
    let r = post(
        &app,
        path,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(r.json()["report"]["indication"], "TOTAL_PASSED");
    // a seal authority's certificate is validated for seal making
    let r = post(
        &app,
        path,
        "application/x-pem-file",
        cert_pem(authority).into_bytes(),
    )
    .await;
    let v = r.json();
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    // bad input
    let body = json!({"certificate": pem, "purpose": "everything"});
    post(
        &app,
        path,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    post(&app, path, "application/ofd", der)
        .await
        .assert_problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_artifact_type",
        );
    db.finish().await;
}

/// Send `head` and `body` on a raw connection, then wait (at most `guard`) for the
/// answer's status line.
fn raw_exchange(addr: std::net::SocketAddr, head: &str, body: &[u8], guard: Duration) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(guard)).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // the server may answer and close before the body is all sent
    let _ = s.write_all(body);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_finishes_is_answered_408() {
    let db = TestDb::new("sqlite").await;
    let app = http::app(node(&db, |c| c.body_read_timeout_s = 1).await);
    let (addr, task) = listen(app).await;
    for (path, ct) in [
        ("/v1/verify", "application/json"),
        ("/v1/verify", "application/dc+sd-jwt"),
        ("/v1/verify:batch", "application/json"),
        ("/v1/certificates:validate", "application/x-pem-file"),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ct}\r\nContent-Length: 1000\r\n\r\n"
        );
        let started = std::time::Instant::now();
        let answer = tokio::task::spawn_blocking(move || {
            raw_exchange(addr, &head, b"{\"artifact\": \"ey", Duration::from_secs(20))
        })
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer:?}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("application/problem+json"),
            "{answer}"
        );
        assert!(started.elapsed() < Duration::from_secs(15));
    }
    task.abort();
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_body_is_413_unread() {
    let db = TestDb::new("sqlite").await;
    let app = http::app(node(&db, |_| {}).await);
    let (addr, task) = listen(app).await;
    // 50 MB beyond the JSON and text limits; 70 MB beyond a raw OFD's 64 MiB
    for (path, ct, len) in [
        ("/v1/verify", "application/json", 50_000_000),
        ("/v1/verify:batch", "application/json", 50_000_000),
        ("/v1/verify", "application/dc+sd-jwt", 50_000_000),
        ("/v1/verify", "application/octet-stream", 70_000_000),
        ("/v1/verify", "application/ofd", 70_000_000),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ct}\r\nContent-Length: {len}\r\n\r\n"
        );
        let answer = tokio::task::spawn_blocking(move || {
            raw_exchange(addr, &head, &[b' '; 65536], Duration::from_secs(20))
        })
        .await
        .unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{path} {ct}: {answer:?}"
        );
    }
    task.abort();
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_its_rate_a_client_gets_429_with_retry_after() {
    let db = TestDb::new("sqlite").await;
    let app = http::app(
        node(&db, |c| {
            c.verify_rate_per_minute = 1;
            c.verify_rate_burst = 3;
        })
        .await,
    );
    let (addr, task) = listen(app).await;
    let client = reqwest::Client::new();
    let cred = id_card("zj-agency-psb");
    let send = |path: &'static str| {
        client
            .post(format!("http://{addr}{path}"))
            .header("content-type", "application/dc+sd-jwt")
            .body(cred.clone())
            .send()
    };
    for _ in 0..3 {
        assert_eq!(send("/v1/verify").await.unwrap().status(), StatusCode::OK);
    }
    for path in [
        "/v1/verify",
        "/v1/verify:batch",
        "/v1/certificates:validate",
    ] {
        let r = send(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["code"], "rate_limited");
    }
    // the trust list and the other routes are not limited
    let r = client
        .get(format!("http://{addr}/v1/trust-list"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    task.abort();
    db.finish().await;
}

#[tokio::test]
async fn the_node_clears_its_chain_cache_with_a_new_trust_list() {
    let db = TestDb::new("sqlite").await;
    let node = node(&db, |_| {}).await;
    let app = http::app(node.clone());
    let cred = issued_on(&app, "sh-agency-psb").await;
    for _ in 0..3 {
        let r = post(
            &app,
            "/v1/verify",
            "application/dc+sd-jwt",
            cred.clone().into_bytes(),
        )
        .await;
        assert_eq!(r.json()["report"]["indication"], "TOTAL_PASSED");
    }
    let (hits, misses) = node.chain_cache().stats();
    assert_eq!((hits, misses), (2, 1));
    assert_eq!(node.chain_cache().len(), 1);
    // a newer list accepted: the cache is emptied
    let keys = common::pki::keys();
    let signer = keys.get("yrd-trust-list-signer").unwrap();
    let mut list = demo_list().list;
    list.sequence = 2;
    let jws = trust_list::sign(
        &list,
        signer.signer.as_ref(),
        std::slice::from_ref(&signer.cert_der),
    )
    .unwrap();
    node.accept_trust_list(&jws).await.unwrap();
    assert!(node.chain_cache().is_empty());
    let r = post(
        &app,
        "/v1/verify",
        "application/dc+sd-jwt",
        cred.into_bytes(),
    )
    .await;
    assert_eq!(r.json()["trust_list"]["sequence"], 2);
    assert_eq!(r.json()["report"]["indication"], "TOTAL_PASSED");
    db.finish().await;
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(common::bin())
        .current_dir(common::root())
        .arg("verify")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn cli_trust_is_the_list_or_a_folder_and_bad_input_is_exit_2_or_a_report(#[case] id: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let cred = id_card(id);
    std::fs::write(p("id.sdjwt"), &cred).unwrap();
    let at = "2026-06-01T00:00:00Z";
    for trust in ["keys", "keys/trust-list.jws"] {
        let (code, out, err) = cli(&[&p("id.sdjwt"), "--at", at, "--trust", trust]);
        assert_eq!(code, 0, "--trust {trust}: {out}{err}");
    }
    std::fs::create_dir(p("empty")).unwrap();
    let (code, _, err) = cli(&[&p("id.sdjwt"), "--at", at, "--trust", &p("empty")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("trust-list.jws"), "{err}");
    let (code, _, _) = cli(&[&p("id.sdjwt"), "--at", at, "--trust", &p("missing.jws")]);
    assert_eq!(code, 2);
    // truncated tokens and random bytes: a FORMAT_FAILURE report, exit 1
    std::fs::write(p("cut.sdjwt"), &cred[..cred.len() / 2]).unwrap();
    std::fs::write(p("noise.bin"), [0x30u8, 0x82, 0xff, 0x13, 0x00, 0x9c, 0x42]).unwrap();
    for f in ["cut.sdjwt", "noise.bin"] {
        let (code, out, err) = cli(&[&p(f), "--at", at, "--json"]);
        assert_eq!(code, 1, "{f}: {out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["report"]["indication"], "TOTAL_FAILED");
    }
    // a wrong --type is a report too; a --document for a license, a bad policy or
    // list, exit 2
    let (code, out, _) = cli(&[&p("id.sdjwt"), "--at", at, "--type", "seal", "--json"]);
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = cli(&[&p("id.sdjwt"), "--at", at, "--document", &p("id.sdjwt")]);
    assert_eq!(code, 2);
    std::fs::write(p("policy.json"), "[1,2").unwrap();
    let (code, _, _) = cli(&[&p("id.sdjwt"), "--at", at, "--policy", &p("policy.json")]);
    assert_eq!(code, 2);
    std::fs::write(p("list.jws"), "not a list").unwrap();
    let (code, _, _) = cli(&[&p("id.sdjwt"), "--at", at, "--trust-list", &p("list.jws")]);
    assert_ne!(code, 0);
}
