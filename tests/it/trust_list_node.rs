//! The trust list on the node: verified against the pinned signer at start-up, stored,
//! served as `GET /v1/trust-list` (ETag, 304), never rolled back (across restarts and
//! nodes sharing a database), and refreshed by polling another node over real TCP —
//! refusing a rolled-back, tampered or expired list and keeping the current one.

use crate::common::db::TestDb;
use crate::common::http::call;
use crate::common::{self, fixed_now};
use axum::http::StatusCode;
use axum::Router;
use deltaseal::adapters::config::{Config, ConfigError};
use deltaseal::adapters::federation::{self, PollError, PollOutcome};
use deltaseal::adapters::http::{self, AppState, Clock};
use deltaseal::adapters::storage::Store;
use deltaseal::crypto::DigestAlgorithm;
use deltaseal::service::trust_list::Acceptance;
use deltaseal::service::ServiceError;
use deltaseal::trust_list::{self, TrustListError};
use rstest::rstest;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::macros::datetime;
use time::OffsetDateTime;

fn committed() -> String {
    std::fs::read_to_string(common::root().join("keys/trust-list.jws"))
        .unwrap()
        .trim()
        .to_string()
}

fn etag_of(text: &str) -> String {
    format!(
        "\"{}\"",
        hex::encode(DigestAlgorithm::Sha256.digest(text.trim().as_bytes()))
    )
}

/// A list of the demo key store with `sequence`, issued at `issued_at`, due `days`
/// later, signed by key-store entry `signer`.
fn list_signed_by(signer: &str, sequence: u64, issued_at: OffsetDateTime, days: i64) -> String {
    let keys = common::pki::keys();
    let list = common::pki::demo_trust_list(&keys, sequence, issued_at, days);
    let e = keys.get(signer).unwrap();
    trust_list::sign(&list, e.signer.as_ref(), std::slice::from_ref(&e.cert_der)).unwrap()
}

/// A demo list signed by the pinned signer, valid from 2026-05-01 for 400 days.
fn list(sequence: u64) -> String {
    list_signed_by(
        "yrd-trust-list-signer",
        sequence,
        datetime!(2026-05-01 00:00 UTC),
        400,
    )
}

/// `text` with its payload replaced (sequence 99): the signature no longer verifies.
fn tampered(text: &str) -> String {
    let mut parts: Vec<String> = text.split('.').map(String::from).collect();
    let mut doc: serde_json::Value = serde_json::from_slice(
        &deltaseal::jose::b64_decode(&parts[1], "payload", 1 << 24).unwrap(),
    )
    .unwrap();
    doc["sequence"] = 99.into();
    parts[1] = deltaseal::jose::b64(&serde_json::to_vec(&doc).unwrap());
    parts.join(".")
}

/// A clock the test can move.
fn clock_at(t: OffsetDateTime) -> (Clock, Arc<AtomicI64>) {
    let secs = Arc::new(AtomicI64::new(t.unix_timestamp()));
    let s = secs.clone();
    let clock: Clock =
        Arc::new(move || OffsetDateTime::from_unix_timestamp(s.load(Ordering::SeqCst)).unwrap());
    (clock, secs)
}

/// The configuration `serve` would use with the demo keys and `file` as the list.
fn config(file: Option<&Path>) -> Config {
    Config {
        keys_dir: common::root().join("keys"),
        trust_list: file.map(Path::to_path_buf),
        ..Config::default()
    }
}

/// Open a node the way `serve` does, over `store`, with `file` offered, at `clock`.
async fn open(store: Store, file: Option<&Path>, clock: Clock) -> Result<AppState, ConfigError> {
    config(file).open_node_on(store, None, clock).await
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

async fn get(
    app: &Router,
    if_none_match: Option<&str>,
) -> (StatusCode, Vec<(String, String)>, String) {
    let extra: Vec<(&str, &str)> = if_none_match
        .map(|v| vec![("if-none-match", v)])
        .unwrap_or_default();
    let req = {
        let mut b = axum::http::Request::builder().uri("/v1/trust-list");
        for (k, v) in &extra {
            b = b.header(*k, *v);
        }
        b.body(axum::body::Body::empty()).unwrap()
    };
    use tower::ServiceExt;
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    let body = axum::body::to_bytes(resp.into_body(), 8 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Serve `app` on a loopback TCP port; the base URL and the task.
async fn listen(app: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        http::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    (url, task)
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn the_node_serves_the_committed_list_with_its_etag_and_304(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let node = open(db.store.clone(), None, clock_at(fixed_now()).0)
        .await
        .unwrap();
    let app = http::app(node);
    let (s, h, body) = get(&app, None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        header(&h, "content-type"),
        Some("application/trust-list+jwt")
    );
    assert_eq!(body, committed());
    let etag = etag_of(&committed());
    assert_eq!(header(&h, "etag"), Some(etag.as_str()));
    assert_eq!(header(&h, "cache-control"), Some("max-age=300"));
    // the list the node serves is the one it stored
    let stored = db.store.newest_trust_list().await.unwrap().unwrap();
    assert_eq!((stored.sequence, stored.jws.as_str()), (1, body.as_str()));
    assert_eq!(format!("\"{}\"", stored.digest), etag);
    // unchanged: 304, no body, the same ETag
    let (s, h, body) = get(&app, Some(&etag)).await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(header(&h, "etag"), Some(etag.as_str()));
    let (s, _, _) = get(&app, Some(&format!("W/{etag}, \"other\""))).await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    let (s, _, _) = get(&app, Some("\"other\"")).await;
    assert_eq!(s, StatusCode::OK);
    // the route is in the OpenAPI document
    let r = call(&app, "GET", "/openapi.json", None, None, &[]).await;
    assert!(r.json()["paths"]["/v1/trust-list"]["get"].is_object());
    db.finish().await;
}

#[tokio::test]
async fn no_valid_list_is_503_trust_list_unavailable() {
    // a node without a trust list
    let plain = crate::common::node::TestNode::new().await;
    let r = call(&plain.app, "GET", "/v1/trust-list", None, None, &[]).await;
    r.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "trust_list_unavailable");
    // a node whose list expires while it runs: fail closed, past next update + grace
    let db = TestDb::new("sqlite").await;
    let (clock, secs) = clock_at(fixed_now());
    let app = http::app(open(db.store.clone(), None, clock).await.unwrap());
    assert_eq!(get(&app, None).await.0, StatusCode::OK);
    // within the day of grace after 2029-01-01 it is still served
    secs.store(
        datetime!(2029-01-01 12:00 UTC).unix_timestamp(),
        Ordering::SeqCst,
    );
    assert_eq!(get(&app, None).await.0, StatusCode::OK);
    secs.store(
        datetime!(2029-01-03 00:00 UTC).unix_timestamp(),
        Ordering::SeqCst,
    );
    let r = call(&app, "GET", "/v1/trust-list", None, None, &[]).await;
    r.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "trust_list_unavailable");
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn a_stored_newer_list_is_kept_over_an_older_file(#[case] engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let two = list(2);
    let f2 = write(dir.path(), "two.jws", &two);
    let db = TestDb::new(engine).await;
    let clock = clock_at(fixed_now()).0;
    open(db.store.clone(), Some(&f2), clock.clone())
        .await
        .unwrap();
    // restarted with the committed sequence-1 file, on another connection to the same
    // database (another node behind the same load balancer): the rollback is refused and
    // the stored sequence 2 is served
    let app = http::app(open(db.reopen().await, None, clock.clone()).await.unwrap());
    let (s, h, body) = get(&app, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, two);
    assert_eq!(header(&h, "etag"), Some(etag_of(&two).as_str()));
    let newest = db.store.newest_trust_list().await.unwrap().unwrap();
    assert_eq!(newest.sequence, 2);
    // a file that does not verify at all is refused too, and the stored list used
    let bad = write(dir.path(), "bad.jws", &tampered(&committed()));
    let app = http::app(
        open(db.reopen().await, Some(&bad), clock.clone())
            .await
            .unwrap(),
    );
    assert_eq!(get(&app, None).await.2, two);
    // so is a missing file
    let gone = dir.path().join("missing.jws");
    let app = http::app(open(db.reopen().await, Some(&gone), clock).await.unwrap());
    assert_eq!(get(&app, None).await.2, two);
    db.finish().await;
}

#[tokio::test]
async fn a_file_that_does_not_verify_stops_the_node_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let now = clock_at(fixed_now()).0;
    let cases = [
        (
            write(dir.path(), "tampered.jws", &tampered(&committed())),
            "signature does not verify",
        ),
        (
            write(
                dir.path(),
                "zj.jws",
                &list_signed_by("zj-root", 2, datetime!(2026-05-01 00:00 UTC), 400),
            ),
            "not signed by the pinned trust-list signer",
        ),
        (
            write(
                dir.path(),
                "old.jws",
                &list_signed_by(
                    "yrd-trust-list-signer",
                    2,
                    datetime!(2026-01-01 00:00 UTC),
                    30,
                ),
            ),
            "expired",
        ),
        (write(dir.path(), "junk.jws", "not a jws"), "malformed"),
    ];
    for (file, why) in cases {
        let db = TestDb::new("sqlite").await;
        let err = open(db.store.clone(), Some(&file), now.clone())
            .await
            .err()
            .expect("the node must not start");
        assert!(matches!(err, ConfigError::TrustList { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(why), "{msg}");
        assert!(msg.contains(&file.display().to_string()), "{msg}");
        // nothing was stored
        assert!(db.store.newest_trust_list().await.unwrap().is_none());
        db.finish().await;
    }
    // a missing file on an empty database: the file is named
    let db = TestDb::new("sqlite").await;
    let gone = dir.path().join("missing.jws");
    let err = open(db.store.clone(), Some(&gone), now.clone())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ConfigError::Io { .. }), "{err}");
    // the committed list opened after it expired (past the grace)
    let late = clock_at(datetime!(2029-01-03 00:00 UTC)).0;
    let err = open(db.store.clone(), None, late).await.err().unwrap();
    assert!(err.to_string().contains("expired"), "{err}");
    db.finish().await;
}

#[tokio::test]
async fn serve_refuses_to_start_on_a_tampered_list_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.jws", &tampered(&committed()));
    let out = std::process::Command::new(common::bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(dir.path().join("s.db"))
        .arg("--keys")
        .arg(common::root().join("keys"))
        .arg("--trust-list")
        .arg(&bad)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("trust list") && err.contains("signature does not verify"),
        "{err}"
    );
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn two_lists_cannot_share_a_sequence(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let node = open(db.store.clone(), None, clock_at(fixed_now()).0)
        .await
        .unwrap();
    // the committed list again: already held
    let (_, a) = node.accept_trust_list(&committed()).await.unwrap();
    assert_eq!(a, Acceptance::AlreadyHeld);
    // another sequence-1 list, validly signed: refused
    let other = list(1);
    assert_ne!(etag_of(&other), etag_of(&committed()));
    let err = node.accept_trust_list(&other).await.unwrap_err();
    assert!(
        matches!(err, ServiceError::TrustListConflict { sequence: 1 }),
        "{err}"
    );
    assert_eq!(node.cached_trust_list().unwrap().jws, committed());
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn a_node_polls_another_for_a_newer_list_and_refuses_worse_ones(#[case] engine: &str) {
    let clock = clock_at(fixed_now()).0;
    let db_a = TestDb::new(engine).await;
    let db_b = TestDb::new(engine).await;
    let node_a = open(db_a.store.clone(), None, clock.clone()).await.unwrap();
    let node_b = open(db_b.store.clone(), None, clock.clone()).await.unwrap();
    let (url_a, task_a) = listen(http::app(node_a.clone())).await;
    let url = format!("{url_a}/v1/trust-list");
    let client = federation::client();

    // both hold the committed list: 304
    let got = federation::poll_trust_list(&node_b, &client, &url)
        .await
        .unwrap();
    assert_eq!(got, PollOutcome::NotModified);

    // A accepts sequence 2; B picks it up, stores it and serves it
    let two = list(2);
    node_a.accept_trust_list(&two).await.unwrap();
    let got = federation::poll_trust_list(&node_b, &client, &url)
        .await
        .unwrap();
    assert_eq!(
        got,
        PollOutcome::Accepted {
            sequence: 2,
            acceptance: Acceptance::Stored
        }
    );
    assert_eq!(
        db_b.store
            .newest_trust_list()
            .await
            .unwrap()
            .unwrap()
            .sequence,
        2
    );
    let app_b = http::app(node_b.clone());
    assert_eq!(get(&app_b, None).await.2, two);
    // unchanged since: 304
    let got = federation::poll_trust_list(&node_b, &client, &url)
        .await
        .unwrap();
    assert_eq!(got, PollOutcome::NotModified);

    // A restarted over a fresh database serves sequence 1 again: B refuses the rollback
    task_a.abort();
    let db_a2 = TestDb::new(engine).await;
    let node_a2 = open(db_a2.store.clone(), None, clock.clone())
        .await
        .unwrap();
    let (url_a2, task_a2) = listen(http::app(node_a2)).await;
    let err = federation::poll_trust_list(&node_b, &client, &format!("{url_a2}/v1/trust-list"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PollError::Refused {
                source: ServiceError::TrustList(TrustListError::Rollback { held: 2, got: 1 }),
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(get(&app_b, None).await.2, two);
    task_a2.abort();

    // a peer serving a tampered, a wrongly signed or an expired newer list: refused,
    // sequence 2 kept
    for (bad, why) in [
        (tampered(&list(3)), "signature"),
        (
            list_signed_by("sh-root", 3, datetime!(2026-05-01 00:00 UTC), 400),
            "pinned",
        ),
        (
            list_signed_by(
                "yrd-trust-list-signer",
                3,
                datetime!(2026-01-01 00:00 UTC),
                30,
            ),
            "expired",
        ),
    ] {
        let body = bad.clone();
        let peer = Router::new().route(
            "/v1/trust-list",
            axum::routing::get(move || {
                let b = body.clone();
                async move { b }
            }),
        );
        let (u, t) = listen(peer).await;
        let err = federation::poll_trust_list(&node_b, &client, &format!("{u}/v1/trust-list"))
            .await
            .unwrap_err();
        assert!(matches!(err, PollError::Refused { .. }), "{err}");
        assert!(err.to_string().contains(why), "{err}");
        t.abort();
        assert_eq!(get(&app_b, None).await.2, two);
        assert_eq!(
            db_b.store
                .newest_trust_list()
                .await
                .unwrap()
                .unwrap()
                .sequence,
            2
        );
    }

    // a peer that is down: the list is kept (a fresh client, no kept-alive connection)
    let err = federation::poll_trust_list(&node_b, &federation::client(), &url)
        .await
        .unwrap_err();
    assert!(matches!(err, PollError::Fetch { .. }), "{err}");
    assert_eq!(get(&app_b, None).await.2, two);

    for db in [db_a, db_a2, db_b] {
        db.finish().await;
    }
}

#[tokio::test]
async fn a_peer_body_over_4_mib_is_refused_unread() {
    let db = TestDb::new("sqlite").await;
    let node = open(db.store.clone(), None, clock_at(fixed_now()).0)
        .await
        .unwrap();
    let huge = "x".repeat(federation::MAX_TRUST_LIST_BYTES + 1);
    let peer = Router::new().route(
        "/v1/trust-list",
        axum::routing::get(move || {
            let b = huge.clone();
            async move { b }
        }),
    );
    let (u, t) = listen(peer).await;
    let err =
        federation::poll_trust_list(&node, &federation::client(), &format!("{u}/v1/trust-list"))
            .await
            .unwrap_err();
    assert!(matches!(err, PollError::Body { .. }), "{err}");
    t.abort();
    assert_eq!(node.cached_trust_list().unwrap().jws, committed());
    db.finish().await;
}

/// `POST /v1/verify`: anyone verifies a license issued on this node under the trust list
/// the node holds, and gets the verdict naming province, agency and type; hostile
/// input is a FORMAT_FAILURE verdict or a 4xx problem, never a 500.
#[tokio::test]
async fn post_verify_judges_an_issued_license_under_the_held_list() {
    use crate::common::http::{call, request_token, Chain};
    use serde_json::json;
    let db = TestDb::new("sqlite").await;
    let (clock, _) = clock_at(common::fixed_now());
    let node = open(db.store.clone(), None, clock).await.unwrap();
    let app = deltaseal::adapters::http::app(node);
    let keys = common::pki::keys();
    let aud = "http://127.0.0.1:8080";
    let t = request_token(
        &keys,
        "zj-agency-psb",
        Chain::WithIssuer,
        aud,
        common::fixed_now(),
        120,
    );
    let body = crate::http::id_card(7).to_string().into_bytes();
    let r = call(
        &app,
        "POST",
        "/v1/licenses",
        Some(&t),
        Some(("application/json", body)),
        &[],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let credential = r.json()["credential"].as_str().unwrap().to_string();
    let ask = |v: serde_json::Value| {
        let app = app.clone();
        async move {
            call(
                &app,
                "POST",
                "/v1/verify",
                None,
                Some(("application/json", v.to_string().into_bytes())),
                &[],
            )
            .await
        }
    };
    let r = ask(json!({"artifact": credential})).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(v["province"]["code"], "ZJ");
    assert_eq!(v["license_type"]["code"], crate::http::ID_CARD);
    assert_eq!(v["trust_list"]["sequence"], 1);
    // a policy that accepts only Jiangsu refuses it with its own check
    let r = ask(json!({"artifact": credential, "policy": {"provinces": ["JS"]}})).await;
    let v = r.json();
    assert_eq!(v["report"]["indication"], "TOTAL_FAILED", "{v}");
    // garbage is a FORMAT_FAILURE verdict; bad requests are problems
    let r = ask(json!({"artifact": "AAAA", "encoding": "base64"})).await;
    assert_eq!(r.json()["report"]["sub_indication"], "FORMAT_FAILURE");
    ask(json!({"artifact": "x", "type": "pdf"}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    ask(json!({"artifact": "x", "policy": {"colour": "red"}}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    call(
        &app,
        "POST",
        "/v1/verify",
        None,
        Some(("application/json", b"{nope".to_vec())),
        &[],
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "malformed_json");
    // a node that holds no trust list cannot judge
    let bare = crate::common::node::TestNode::new().await;
    call(
        &bare.app,
        "POST",
        "/v1/verify",
        None,
        Some((
            "application/json",
            json!({"artifact": credential}).to_string().into_bytes(),
        )),
        &[],
    )
    .await
    .assert_problem(StatusCode::SERVICE_UNAVAILABLE, "trust_list_unavailable");
}
