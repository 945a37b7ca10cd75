//! Revocation across provinces over real loopback HTTP: a node of one province issues
//! and revokes; a node of another verifies through `POST /v1/verify`, fetching the
//! issuing node's status list (URL from the trust list), holding it in its store for
//! its `ttl`, seeing the revocation after its refresh, working offline from what it
//! holds (with its age) while the issuer is down, refusing a list whose `sub` does not
//! match, and never fetching from a URL at no listed node. P-256 (JS) and SM2 (AH); the
//! verifier's store on SQLite and PostgreSQL.

use crate::common::http::{call, request_token, Chain};
use crate::common::{self, db::TestDb, fixed_now};
use crate::http::business_license;
use axum::http::StatusCode;
use axum::Router;
use deltaseal::adapters::config::{hosted, Config, BUILTIN_CATALOG};
use deltaseal::adapters::http::{self, app, AppState, Clock, Limits, Node, NodeSettings};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::license::{Agency, Status, StatusList, StatusListToken};
use deltaseal::pki::Province;
use deltaseal::trust_list;
use rstest::rstest;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

fn clock_at(t: OffsetDateTime) -> (Clock, Arc<AtomicI64>) {
    let secs = Arc::new(AtomicI64::new(t.unix_timestamp()));
    let s = secs.clone();
    let clock: Clock =
        Arc::new(move || OffsetDateTime::from_unix_timestamp(s.load(Ordering::SeqCst)).unwrap());
    (clock, secs)
}

async fn bind() -> (tokio::net::TcpListener, String) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    (l, url)
}

/// A node served on `listener` until the returned stopper is called; stopping closes
/// its open connections too (idle keep-alive ones included).
struct Serving {
    task: tokio::task::JoinHandle<()>,
    stop: Arc<tokio::sync::Notify>,
}

impl Serving {
    async fn stop(self) {
        self.stop.notify_one();
        tokio::time::timeout(std::time::Duration::from_secs(10), self.task)
            .await
            .expect("the node stops")
            .unwrap();
    }

    fn abort(&self) {
        self.task.abort();
    }
}

fn spawn(listener: tokio::net::TcpListener, app: Router) -> Serving {
    let stop = Arc::new(tokio::sync::Notify::new());
    let stopped = stop.clone();
    let task = tokio::spawn(async move {
        http::serve(listener, app, async move { stopped.notified().await })
            .await
            .unwrap();
    });
    Serving { task, stop }
}

/// The issuing node at `url`, its clock fixed at the test time.
fn issuer(db: &TestDb, keys: &KeyStore, url: &str) -> AppState {
    let now = fixed_now();
    Node::new(
        db.store.clone(),
        Catalog::from_json(BUILTIN_CATALOG).unwrap(),
        hosted(keys).unwrap(),
        NodeSettings {
            audience: url.into(),
            audience_aliases: Vec::new(),
            public_base_url: url.into(),
            limits: Limits::default(),
            clock: Arc::new(move || now),
            crls: Vec::new(),
        },
    )
}

/// The verifying node, opened the way `serve` opens it, with a trust list naming
/// `province`'s node at `url`.
async fn verifier(
    db: &TestDb,
    dir: &std::path::Path,
    province: Province,
    url: &str,
    clock: Clock,
) -> AppState {
    let keys = common::pki::keys();
    let list = common::pki::demo_trust_list_with(
        &keys,
        5,
        fixed_now() - time::Duration::days(30),
        400,
        BTreeMap::from([(province, url.to_string())]),
    );
    let e = keys.get("yrd-trust-list-signer").unwrap();
    let jws =
        trust_list::sign(&list, e.signer.as_ref(), std::slice::from_ref(&e.cert_der)).unwrap();
    let file = dir.join("trust-list.jws");
    std::fs::write(&file, jws).unwrap();
    Config {
        keys_dir: common::root().join("keys"),
        trust_list: Some(file),
        ..Config::default()
    }
    .open_node_on(db.store.clone(), None, clock)
    .await
    .unwrap()
}

async fn verify_on(node: &AppState, artifact: &str, policy: Option<Value>) -> Value {
    let mut body = json!({ "artifact": artifact });
    if let Some(p) = policy {
        body["policy"] = p;
    }
    let r = call(
        &app(node.clone()),
        "POST",
        "/v1/verify",
        None,
        Some(("application/json", body.to_string().into_bytes())),
        &[],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

fn status_check(v: &Value) -> &Value {
    v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "sdjwt.status")
        .unwrap_or_else(|| panic!("no sdjwt.status in {v:#}"))
}

fn indication(v: &Value) -> (&str, Option<&str>) {
    (
        v["report"]["indication"].as_str().unwrap(),
        v["report"]["sub_indication"].as_str(),
    )
}

#[rstest]
#[case::p256_sqlite("js-agency-samr", Province::Jiangsu, "sqlite")]
#[case::sm2_postgres("ah-agency-samr", Province::Anhui, "postgres")]
#[tokio::test]
async fn a_revocation_in_one_province_reaches_a_verifier_in_another_after_its_refresh(
    #[case] agency: &str,
    #[case] province: Province,
    #[case] engine: &str,
) {
    let keys = common::pki::keys();
    let (listener, url) = bind().await;
    let a_db = TestDb::new("sqlite").await;
    let a = issuer(&a_db, &keys, &url);
    let a_task = spawn(listener, app(a.clone()));
    let token = |n: i64| {
        request_token(
            &keys,
            agency,
            Chain::WithIssuer,
            &url,
            fixed_now() + time::Duration::seconds(n),
            120,
        )
    };
    let issue = |n: i64| {
        let app = app(a.clone());
        let t = token(n);
        async move {
            let r = call(
                &app,
                "POST",
                "/v1/licenses",
                Some(&t),
                Some((
                    "application/json",
                    business_license().to_string().into_bytes(),
                )),
                &[],
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::CREATED,
                "{}",
                String::from_utf8_lossy(&r.body)
            );
            r.json()
        }
    };
    let first = issue(0).await;
    let second = issue(1).await;
    let cred = first["credential"].as_str().unwrap();
    let uri = first["status_list"]["uri"].as_str().unwrap();
    assert!(uri.starts_with(&url), "{uri}");

    let dir = tempfile::tempdir().unwrap();
    let b_db = TestDb::new(engine).await;
    let (clock, secs) = clock_at(fixed_now());
    let b = verifier(&b_db, dir.path(), province, &url, clock.clone()).await;

    // B fetches A's list and verifies
    let v = verify_on(&b, cred, None).await;
    assert_eq!(indication(&v), ("TOTAL_PASSED", None), "{v:#}");
    assert_eq!(status_check(&v)["outcome"], "PASSED");
    assert_eq!(v["revocation"]["uri"], uri);
    assert_eq!(v["province"]["code"], province.abbrev());

    // A revokes; within the list's ttl B still relies on what it holds
    let id = first["identifier"].as_str().unwrap();
    let r = call(
        &app(a.clone()),
        "POST",
        &format!("/v1/licenses/{id}/revoke"),
        Some(&token(2)),
        Some((
            "application/json",
            json!({"reason": "obtained by fraud"})
                .to_string()
                .into_bytes(),
        )),
        &[],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    secs.fetch_add(60, Ordering::SeqCst);
    let v = verify_on(&b, cred, None).await;
    assert_eq!(indication(&v).0, "TOTAL_PASSED", "{v:#}");

    // past the ttl B refreshes and sees the revocation
    secs.fetch_add(300, Ordering::SeqCst);
    let v = verify_on(&b, cred, None).await;
    assert_eq!(indication(&v), ("TOTAL_FAILED", Some("REVOKED")), "{v:#}");

    // B holds the list in its store: a second node on B's database, restarted, shares it
    let b2 = verifier(&b_db, dir.path(), province, &url, clock.clone()).await;
    a_task.stop().await;
    let other = second["credential"].as_str().unwrap();
    let v = verify_on(&b2, other, None).await;
    assert_eq!(indication(&v).0, "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["revocation"]["age_s"], 360);

    // A stays down: past the ttl the fetch fails and the list held is used, with its age
    secs.fetch_add(600, Ordering::SeqCst);
    let v = verify_on(&b, other, None).await;
    assert_eq!(indication(&v).0, "TOTAL_PASSED", "{v:#}");
    assert_eq!(v["revocation"]["age_s"], 960);
    // the list relied on is the one fetched before A went down
    assert_eq!(
        v["revocation"]["fetched_at"], "2026-06-01T00:06:00Z",
        "{v:#}"
    );
    let v = verify_on(&b, other, Some(json!({"max_status_age_s": 900}))).await;
    assert_eq!(
        indication(&v),
        ("INDETERMINATE", Some("TRY_LATER")),
        "{v:#}"
    );
    assert!(status_check(&v)["reason"]["en"]
        .as_str()
        .unwrap()
        .contains("960 s old"));
    a_db.finish().await;
    b_db.finish().await;
}

#[rstest]
#[case::p256("js-agency-samr", Province::Jiangsu)]
#[case::sm2("ah-agency-samr", Province::Anhui)]
#[tokio::test]
async fn a_list_whose_sub_does_not_match_or_at_no_listed_node_is_not_relied_on(
    #[case] agency: &str,
    #[case] province: Province,
) {
    let keys = common::pki::keys();
    let e = keys.get(agency).unwrap();
    let root = keys.issuer_of(agency).unwrap();
    let a = Agency::new(
        e.signer.clone(),
        vec![e.cert_der.clone(), root.cert_der.clone()],
    )
    .unwrap();
    // a peer at the listed URL serving, signed by the right agency, a list for another URI
    let (listener, url) = bind().await;
    let uri = format!("{url}/v1/status/{}/1", e.info.uscc.as_deref().unwrap());
    let wrong = StatusListToken {
        uri: format!("{url}/v1/status/{}/2", e.info.uscc.as_deref().unwrap()),
        iat: fixed_now(),
        exp: None,
        ttl: Some(300),
        list: StatusList::new(64).unwrap(),
    }
    .sign(a.signer(), a.chain())
    .unwrap();
    let peer = Router::new().route(
        "/v1/status/{agency}/{list}",
        axum::routing::get(move || {
            let t = wrong.clone();
            async move { t }
        }),
    );
    let task = spawn(listener, peer);

    let mut req = crate::license::id_card_request("V00009", 5);
    req.type_code = crate::license::BUSINESS_LICENSE.into();
    let body = business_license();
    req.holder = body["holder"].as_str().unwrap().into();
    req.holder_code = body["holder_code"].as_str().unwrap().into();
    req.holder_code_type = deltaseal::license::HolderCodeType::Uscc;
    req.claims = body["claims"].as_object().unwrap().clone();
    req.status.uri = uri.clone();
    let catalog = Catalog::from_json(BUILTIN_CATALOG).unwrap();
    let cred = a.issue(&catalog, &req, fixed_now()).unwrap().sd_jwt;

    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new("sqlite").await;
    let (clock, _) = clock_at(fixed_now());
    let b = verifier(&db, dir.path(), province, &url, clock).await;
    let v = verify_on(&b, &cred, None).await;
    assert_eq!(
        indication(&v),
        ("INDETERMINATE", Some("TRY_LATER")),
        "{v:#}"
    );
    let why = status_check(&v)["reason"]["en"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(why.contains("refused") && why.contains("sub"), "{why}");
    task.abort();

    // the same credential pointing at a host the trust list does not name is never fetched
    req.status.uri = "http://127.0.0.1:9/v1/status/x/1".into();
    let cred = a.issue(&catalog, &req, fixed_now()).unwrap().sd_jwt;
    let v = verify_on(&b, &cred, None).await;
    assert_eq!(
        indication(&v),
        ("INDETERMINATE", Some("TRY_LATER")),
        "{v:#}"
    );
    let why = status_check(&v)["reason"]["en"].as_str().unwrap();
    assert!(why.contains("not at a node the trust list names"), "{why}");
    let _ = Status::Valid;
    db.finish().await;
}

async fn verify_body(node: &AppState, body: Value) -> Value {
    let r = call(
        &app(node.clone()),
        "POST",
        "/v1/verify",
        None,
        Some(("application/json", body.to_string().into_bytes())),
        &[],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

fn check<'v>(v: &'v Value, suffix: &str) -> &'v Value {
    v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {v:#}"))
}

#[tokio::test]
async fn a_seal_superseded_in_shanghai_makes_its_stamps_revoked_in_jiangsu() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let keys = common::pki::keys();
    let (listener, url) = bind().await;
    let a_db = TestDb::new("sqlite").await;
    let a = issuer(&a_db, &keys, &url);
    let task = spawn(listener, app(a.clone()));
    let mut n = 0;
    let mut post = |id: &str, path: String, ct: &'static str, body: Vec<u8>| {
        n += 1;
        let t = request_token(
            &keys,
            id,
            Chain::WithIssuer,
            &url,
            fixed_now() + time::Duration::seconds(n),
            120,
        );
        let app = app(a.clone());
        async move {
            let r = call(&app, "POST", &path, Some(&t), Some((ct, body)), &[]).await;
            assert!(
                r.status.is_success(),
                "{path}: {}",
                String::from_utf8_lossy(&r.body)
            );
            r
        }
    };
    let r = post(
        "sh-seal-authority",
        "/v1/seals".into(),
        "application/json",
        json!({"name": "上海浦江示范有限公司合同专用章", "organisation": "上海浦江示范有限公司",
               "signers": ["sh-org-1"], "valid_to": "2028-01-01T00:00:00Z"})
        .to_string()
        .into_bytes(),
    )
    .await;
    let es_id = r.json()["es_id"].as_str().unwrap().to_string();
    let doc = std::fs::read(common::fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
    let stamped = post(
        "sh-org-1",
        format!("/v1/seals/{es_id}/stamp?x=20&y=30"),
        "application/ofd",
        doc,
    )
    .await
    .body;

    let dir = tempfile::tempdir().unwrap();
    let b_db = TestDb::new("sqlite").await;
    let (clock, secs) = clock_at(fixed_now());
    let b = verifier(&b_db, dir.path(), Province::Shanghai, &url, clock).await;
    let body = json!({"artifact": b64.encode(&stamped), "encoding": "base64"});
    let v = verify_body(&b, body.clone()).await;
    assert_eq!(indication(&v), ("TOTAL_PASSED", None), "{v:#}");
    assert_eq!(check(&v, "seal.revocation")["outcome"], "PASSED");

    // SH gives the seal new signers: the old version is superseded from now
    let r = post(
        "sh-seal-authority",
        format!("/v1/seals/{es_id}/signers"),
        "application/json",
        json!({"signers": ["sh-org-1", "sh-org-2"]})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    // after the held list's ttl, the verifier in another province sees it
    secs.fetch_add(301, Ordering::SeqCst);
    let v = verify_body(&b, body).await;
    assert_eq!(indication(&v), ("TOTAL_FAILED", Some("REVOKED")), "{v:#}");
    assert_eq!(check(&v, "seal.revocation")["outcome"], "FAILED");

    // the signed list itself: a seal-revocations+jwt naming the old version; an unknown
    // authority is 404
    let fp = trust_list::fingerprint(&keys.get("sh-seal-authority").unwrap().cert_der);
    let r = call(
        &app(a.clone()),
        "GET",
        &format!("/v1/seal-revocations/{fp}"),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, "application/seal-revocations+jwt");
    let key = keys
        .get("sh-seal-authority")
        .unwrap()
        .signer
        .public_key()
        .clone();
    let text = String::from_utf8(r.body).unwrap();
    let signed = deltaseal::seal::SignedRevocations::verify(&text, &key, fixed_now()).unwrap();
    assert!(signed.list.find(&es_id).is_some());
    assert_eq!(signed.uri, format!("{url}/v1/seal-revocations/{fp}"));
    let r = call(
        &app(a.clone()),
        "GET",
        &format!("/v1/seal-revocations/{}", "0".repeat(64)),
        None,
        None,
        &[],
    )
    .await;
    r.assert_problem(StatusCode::NOT_FOUND, "not_found");
    task.abort();
    a_db.finish().await;
    b_db.finish().await;
}
