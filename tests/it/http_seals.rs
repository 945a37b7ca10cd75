//! The seal endpoints driven with `oneshot`: a demo seal authority makes a seal, anyone
//! reads it, a listed organisation signer stamps an OFD document and a detached file,
//! and what comes back verifies; an unlisted signer, a wrong role, a superseded seal and
//! bad input are refused with problem+json. SQLite and PostgreSQL.

use crate::common;
use crate::common::http::{call, request_token, Chain, Reply};
use crate::common::node::{TestNode, AUD};
use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use deltaseal::report::Indication;
use deltaseal::seal::ofd::{verify_ofd, Limits, VerifyOptions};
use deltaseal::seal::{verify_detached, verify_seal, SealRevocationList, SealTrust};
use rstest::rstest;
use serde_json::{json, Value};
/// The test node, as the seal tests drive it: requests as a key-store entry.
struct SealApi {
    node: TestNode,
}

impl SealApi {
    async fn on(engine: &str) -> SealApi {
        SealApi {
            node: TestNode::on(engine, deltaseal::adapters::http::Limits::default()).await,
        }
    }

    /// A request token of the entry `id` carrying its certificate only.
    fn token(&self, id: &str) -> String {
        request_token(&self.node.keys, id, Chain::Leaf, AUD, self.node.now, 120)
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        as_id: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let token = as_id.map(|id| self.token(id));
        let body = (!body.is_empty()).then_some((content_type, body));
        call(&self.node.app, method, path, token.as_deref(), body, &[]).await
    }

    async fn post_json(&self, path: &str, as_id: &str, v: &Value) -> Reply {
        self.call(
            "POST",
            path,
            Some(as_id),
            "application/json",
            v.to_string().into_bytes(),
        )
        .await
    }

    async fn make(&self, authority: &str, signers: &[&str]) -> String {
        let r = self
            .post_json(
                "/v1/seals",
                authority,
                &json!({
                    "name": "上海浦江示范有限公司合同专用章",
                    "organisation": "上海浦江示范有限公司",
                    "code": "合同专用章",
                    "signers": signers,
                    "valid_to": "2028-01-01T00:00:00Z",
                }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        r.json()["es_id"].as_str().unwrap().to_string()
    }

    fn root(&self, province: &str) -> Vec<u8> {
        self.node
            .keys
            .get(&format!("{province}-root"))
            .unwrap()
            .cert_der
            .clone()
    }
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn make_read_stamp_and_verify(#[case] engine: &str) {
    let api = SealApi::on(engine).await;
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    assert!(es_id.starts_with("310000"), "{es_id}");
    assert!(es_id.ends_with("-01"), "{es_id}");

    // anyone reads the seal and its picture; it verifies against the SH root
    let r = api
        .call("GET", &format!("/v1/seals/{es_id}"), None, "", vec![])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let esl = B64.decode(v["esl"].as_str().unwrap()).unwrap();
    let png = B64.decode(v["picture"]["data"].as_str().unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(v["picture"]["svg"].as_str().unwrap().contains("<svg"));
    assert_eq!(v["picture"]["width_mm"], 42);
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([api.root("sh")]);
    let trust = SealTrust {
        anchors: &anchors,
        intermediates: &[],
        crls: &[],
        revoked_seals: None,
    };
    let report = verify_seal(&esl, &trust, api.node.now);
    assert_eq!(report.indication, Indication::TotalPassed, "{report}");

    // the listed signer stamps an OFD document by keyword-free coordinates
    let doc = std::fs::read(common::fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
    let r = api
        .call(
            "POST",
            &format!("/v1/seals/{es_id}/stamp?x=20&y=30"),
            Some("sh-org-1"),
            "application/ofd",
            doc,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.content_type, "application/ofd");
    let opts = VerifyOptions {
        at: api.node.now,
        trust_anchors: anchors.clone(),
        intermediates: vec![],
        signer_certs: vec![],
        crls: vec![],
        revoked_seals: None,
        limits: Limits::default(),
    };
    let report = verify_ofd(&r.body, &opts).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed, "{report}");
    let stamped_ofd = r.body.clone();

    // and a detached stamp over any file
    let file = "任意文件 any file".as_bytes().to_vec();
    let r = api
        .call(
            "POST",
            &format!("/v1/seals/{es_id}/stamp?name=notice.txt"),
            Some("sh-org-1"),
            "application/octet-stream",
            file.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let report = verify_detached(&r.body, &file, &trust, api.node.now);
    assert_eq!(report.indication, Indication::TotalPassed, "{report}");
    let mut changed = file.clone();
    changed[0] ^= 1;
    let report = verify_detached(&r.body, &changed, &trust, api.node.now);
    assert_eq!(report.indication, Indication::TotalFailed, "{report}");

    // each act is on the archive log, with the digest of what it made
    use deltaseal::archive::entry::Act;
    let store = &api.node.db.store;
    let logged = store.archive_entries(0, 100).await.unwrap();
    let acts: Vec<(Act, &str)> = logged
        .iter()
        .map(|l| (l.entry.act, l.entry.subject.as_str()))
        .collect();
    assert_eq!(
        acts,
        [
            (Act::SealMade, es_id.as_str()),
            (Act::DocumentStamped, es_id.as_str()),
            (Act::DocumentStamped, es_id.as_str()),
        ]
    );
    assert!(logged[0].entry.records(&esl));
    assert!(logged[1].entry.records(&stamped_ofd));
    assert!(logged[2].entry.records(&r.body));
}

#[tokio::test]
async fn only_listed_signers_and_the_right_roles_act() {
    let api = SealApi::on("sqlite").await;
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let path = format!("/v1/seals/{es_id}/stamp");
    // a signer not listed in the seal
    let r = api
        .call(
            "POST",
            &path,
            Some("sh-org-2"),
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::FORBIDDEN, "not_owner");
    // an organisation signer cannot make seals (its certificate is not for seal making)
    let r = api
        .post_json(
            "/v1/seals",
            "sh-org-1",
            &json!({"name": "n", "organisation": "o", "signers": ["sh-org-1"], "valid_to": "2028-01-01T00:00:00Z"}),
        )
        .await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "untrusted_key");
    // a seal authority cannot stamp
    let r = api
        .call(
            "POST",
            &path,
            Some("sh-seal-authority"),
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "untrusted_key");
    // no token at all
    let r = api
        .call(
            "POST",
            &path,
            None,
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    // another authority cannot re-version this seal
    let r = api
        .post_json(
            &format!("/v1/seals/{es_id}/signers"),
            "js-seal-authority",
            &json!({"signers": ["js-org-1"]}),
        )
        .await;
    r.assert_problem(StatusCode::FORBIDDEN, "not_owner");
}

#[tokio::test]
async fn changing_signers_supersedes_the_old_version() {
    let api = SealApi::on("sqlite").await;
    let old = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let r = api
        .post_json(
            &format!("/v1/seals/{old}/signers"),
            "sh-seal-authority",
            &json!({"signers": ["sh-org-1", "sh-org-2"]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let new = r.json()["es_id"].as_str().unwrap().to_string();
    assert!(new.ends_with("-02"), "{new}");
    // the old version says who replaced it, and stamping with it is refused
    let r = api
        .call("GET", &format!("/v1/seals/{old}"), None, "", vec![])
        .await;
    assert_eq!(r.json()["superseded_by"], new.as_str());
    let r = api
        .call(
            "POST",
            &format!("/v1/seals/{old}/stamp"),
            Some("sh-org-1"),
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::CONFLICT, "illegal_transition");
    // the newly listed signer stamps with the new version
    let r = api
        .call(
            "POST",
            &format!("/v1/seals/{new}/stamp"),
            Some("sh-org-2"),
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // the revocation list names the old version, and a verifier using it rejects the old seal
    let r = api
        .call("GET", "/v1/seals/revocations", None, "", vec![])
        .await;
    let list: SealRevocationList = serde_json::from_slice(&r.body).unwrap();
    assert!(list.find(&old).is_some());
    assert!(list.find(&new).is_none());
    let esl = B64
        .decode(
            api.call("GET", &format!("/v1/seals/{old}"), None, "", vec![])
                .await
                .json()["esl"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([api.root("sh")]);
    let trust = SealTrust {
        anchors: &anchors,
        intermediates: &[],
        crls: &[],
        revoked_seals: Some(&list),
    };
    let report = verify_seal(&esl, &trust, api.node.now + time::Duration::hours(1));
    assert_eq!(report.indication, Indication::TotalFailed, "{report}");
    // superseding twice is refused
    let r = api
        .post_json(
            &format!("/v1/seals/{old}/signers"),
            "sh-seal-authority",
            &json!({"signers": ["sh-org-1"]}),
        )
        .await;
    r.assert_problem(StatusCode::CONFLICT, "illegal_transition");
}

#[tokio::test]
async fn bad_input_is_a_problem() {
    let api = SealApi::on("sqlite").await;
    let r = api.call("GET", "/v1/seals/nope-01", None, "", vec![]).await;
    r.assert_problem(StatusCode::NOT_FOUND, "not_found");
    let r = api
        .call(
            "POST",
            "/v1/seals",
            Some("sh-seal-authority"),
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::BAD_REQUEST, "malformed_json");
    let r = api
        .post_json(
            "/v1/seals",
            "sh-seal-authority",
            &json!({"name": "n", "signers": []}),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    let r = api
        .post_json(
            "/v1/seals",
            "sh-seal-authority",
            &json!({"name": "n", "organisation": "o", "signers": ["nobody"], "valid_to": "2028-01-01T00:00:00Z"}),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let r = api
        .post_json(
            "/v1/seals",
            "sh-seal-authority",
            &json!({"name": "n", "organisation": "o", "signers": ["sh-org-1"], "valid_to": "2020-01-01T00:00:00Z"}),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let path = format!("/v1/seals/{es_id}/stamp");
    // not an OFD package, asked as OFD
    let r = api
        .call(
            "POST",
            &format!("{path}?format=ofd&x=1&y=1"),
            Some("sh-org-1"),
            "application/ofd",
            b"PK\x03\x04garbage".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    // an OFD without a placement
    let doc = std::fs::read(common::fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
    let r = api
        .call("POST", &path, Some("sh-org-1"), "application/ofd", doc)
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    // an empty document, an unknown format, an unknown parameter
    let r = api
        .call(
            "POST",
            &path,
            Some("sh-org-1"),
            "application/octet-stream",
            vec![],
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    let r = api
        .call(
            "POST",
            &format!("{path}?format=pdf"),
            Some("sh-org-1"),
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let r = api
        .call(
            "POST",
            &format!("{path}?colour=red"),
            Some("sh-org-1"),
            "application/octet-stream",
            b"x".to_vec(),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
}

#[test]
fn the_openapi_document_lists_the_seal_endpoints() {
    use utoipa::OpenApi;
    let doc = deltaseal::adapters::http::ops::ApiDoc::openapi();
    for p in [
        "/v1/seals",
        "/v1/seals/{es_id}",
        "/v1/seals/{es_id}/signers",
        "/v1/seals/{es_id}/stamp",
        "/v1/seals/revocations",
    ] {
        assert!(doc.paths.paths.contains_key(p), "{p} missing");
    }
}

#[tokio::test]
async fn the_one_router_counts_seal_routes_in_metrics() {
    let api = SealApi::on("sqlite").await;
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let r = api
        .call("GET", &format!("/v1/seals/{es_id}"), None, "", vec![])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    api.call("GET", "/v1/seals/no-such-seal", None, "", vec![])
        .await
        .assert_problem(StatusCode::NOT_FOUND, "not_found");
    let m = api.call("GET", "/metrics", None, "", vec![]).await;
    let text = String::from_utf8(m.body).unwrap();
    for line in [
        r#"deltaseal_http_requests_total{method="POST",route="/v1/seals",status="201"} 1"#,
        r#"deltaseal_http_requests_total{method="GET",route="/v1/seals/{es_id}",status="200"} 1"#,
        r#"deltaseal_http_requests_total{method="GET",route="/v1/seals/{es_id}",status="404"} 1"#,
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    // the fallbacks wrap the seal routes too: a wrong method is 405 with `Allow`
    let r = api
        .call("DELETE", &format!("/v1/seals/{es_id}"), None, "", vec![])
        .await;
    r.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert_eq!(r.headers["allow"], "GET,HEAD");
}

#[tokio::test]
async fn seal_and_ofd_refusals_reach_the_client_with_their_own_codes() {
    let api = SealApi::on("sqlite").await;
    // a seal whose validity starts after the signing time: the stamp is refused
    let r = api
        .post_json(
            "/v1/seals",
            "sh-seal-authority",
            &json!({"name": "n", "organisation": "o", "signers": ["sh-org-1"],
                "valid_from": "2027-01-01T00:00:00Z", "valid_to": "2028-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let later = r.json()["es_id"].as_str().unwrap().to_string();
    api.call(
        "POST",
        &format!("/v1/seals/{later}/stamp?format=detached"),
        Some("sh-org-1"),
        "application/octet-stream",
        b"a document".to_vec(),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "seal_not_valid");
    // an OFD stamp over a keyword the document does not contain
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let doc = std::fs::read(common::fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
    api.call(
        "POST",
        // keyword 没有这个词 ("no such word")
        &format!("/v1/seals/{es_id}/stamp?format=ofd&keyword=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E8%AF%8D"),
        Some("sh-org-1"),
        "application/ofd",
        doc,
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "bad_placement");
}

#[tokio::test]
async fn one_replay_record_covers_every_route() {
    let api = SealApi::on("sqlite").await;
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let token = api.token("sh-seal-authority");
    let (app, token) = (&api.node.app, token.as_str());
    let send = |path: String, body: Value| {
        let body = Some(("application/json", body.to_string().into_bytes()));
        async move { call(app, "POST", &path, Some(token), body, &[]).await }
    };
    let first = send(
        format!("/v1/seals/{es_id}/signers"),
        json!({"signers": ["sh-org-2"]}),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    send(
        "/v1/seals".into(),
        json!({"name": "n", "organisation": "o", "signers": ["sh-org-1"], "valid_to": "2028-01-01T00:00:00Z"}),
    )
    .await
    .assert_problem(StatusCode::UNAUTHORIZED, "token_replayed");
}

#[tokio::test]
async fn a_path_that_does_not_decode_is_a_problem() {
    let api = SealApi::on("sqlite").await;
    for path in ["/v1/seals/%FF", "/v1/licenses/%FF", "/v1/status/%FF/0"] {
        let r = api.call("GET", path, None, "", vec![]).await;
        assert_eq!(r.content_type, "application/problem+json", "{path}");
        // an unauthenticated license read is refused before its path is looked at
        if path.starts_with("/v1/licenses") {
            r.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        } else {
            r.assert_problem(StatusCode::BAD_REQUEST, "bad_path");
        }
    }
    api.call("GET", "/v1/licenses/%FF", Some("sh-org-1"), "", vec![])
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "untrusted_key");
}

/// `valid_to` is optional: the default end is three years on, clamped to the
/// certificates that sign and stamp with the seal (the demo ones end 2029-01-01); an
/// end after them is refused, naming the last day allowed.
#[tokio::test]
async fn a_seal_never_outlives_its_certificates() {
    let api = SealApi::on("sqlite").await;
    let r = api
        .post_json(
            "/v1/seals",
            "sh-seal-authority",
            &json!({"name": "n", "organisation": "o", "signers": ["sh-org-1"]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["valid_to"], "2029-01-01T00:00:00Z");
    let r = api
        .post_json(
            "/v1/seals",
            "sh-seal-authority",
            &json!({"name": "n", "organisation": "o", "signers": ["sh-org-1"],
                "valid_to": "2030-01-01T00:00:00Z"}),
        )
        .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("2029-01-01T00:00:00Z"));
}

/// Every route authenticates before it reads the body: a request announcing a 60 MB
/// upload and sending none of it is answered 401 at once, over a real socket.
#[tokio::test]
async fn an_unauthenticated_upload_is_refused_before_its_body_is_read() {
    use std::io::{Read, Write};
    let api = SealApi::on("sqlite").await;
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = api.node.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    for path in [
        format!("/v1/seals/{es_id}/stamp"),
        "/v1/seals".to_string(),
        "/v1/licenses".to_string(),
    ] {
        let reply = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            write!(
                s,
                "POST {path} HTTP/1.1\r\nHost: node.test\r\nContent-Type: application/octet-stream\r\n\
                 Content-Length: 60000000\r\nAuthorization: Bearer not-a-token\r\n\r\n"
            )
            .unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        })
        .await
        .unwrap();
        assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
        assert!(reply.contains("unauthenticated"), "{reply}");
    }
}

/// Every route holds an authenticated client to the body-read timeout: a request that
/// sends its headers and a few bytes of body, then stops, is answered 408 problem+json
/// on the JSON routes and on the stamp route (which streams its upload to disk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_body_that_never_finishes_is_answered_408() {
    use std::io::{Read, Write};
    let limits = deltaseal::adapters::http::Limits {
        body_read_timeout: std::time::Duration::from_secs(1),
        ..Default::default()
    };
    let api = SealApi {
        node: TestNode::on("sqlite", limits).await,
    };
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = api.node.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    for (path, who, ct) in [
        (
            format!("/v1/seals/{es_id}/stamp?format=detached"),
            "sh-org-1",
            "application/octet-stream",
        ),
        (
            "/v1/seals".to_string(),
            "sh-seal-authority",
            "application/json",
        ),
        (
            "/v1/licenses".to_string(),
            "sh-agency-psb",
            "application/json",
        ),
        (
            "/v1/proofs/requests".to_string(),
            "sh-agency-psb",
            "application/json",
        ),
    ] {
        let token = api.token(who);
        let started = std::time::Instant::now();
        let reply = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
                .unwrap();
            write!(
                s,
                "POST {path} HTTP/1.1\r\nHost: node.test\r\nContent-Type: {ct}\r\n\
                 Content-Length: 100000\r\nAuthorization: Bearer {token}\r\n\r\n{{\"ty"
            )
            .unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            String::from_utf8_lossy(&buf[..n]).into_owned()
        })
        .await
        .unwrap();
        assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
        assert!(reply.contains("request_timeout"), "{reply}");
        assert!(started.elapsed() < std::time::Duration::from_secs(15));
    }
}

/// A detached stamp over a large upload is made from the spooled file: the result is
/// the same stamp as over the bytes in memory, and verifies against the document.
#[tokio::test]
async fn a_large_detached_upload_is_stamped_from_its_spool() {
    let api = SealApi::on("sqlite").await;
    let es_id = api.make("sh-seal-authority", &["sh-org-1"]).await;
    // 20 MiB of varied bytes
    let doc: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let r = api
        .call(
            "POST",
            &format!("/v1/seals/{es_id}/stamp?format=detached&name=big.bin"),
            Some("sh-org-1"),
            "application/octet-stream",
            doc.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([api.root("sh")]);
    let trust = SealTrust {
        anchors: &anchors,
        intermediates: &[],
        crls: &[],
        revoked_seals: None,
    };
    let report = verify_detached(&r.body, &doc, &trust, api.node.now);
    assert_eq!(report.indication, Indication::TotalPassed, "{report}");
    let mut changed = doc;
    *changed.last_mut().unwrap() ^= 1;
    let report = verify_detached(&r.body, &changed, &trust, api.node.now);
    assert_eq!(report.indication, Indication::TotalFailed, "{report}");
}
