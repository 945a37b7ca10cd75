//! The issuance HTTP API driven with `oneshot` (no socket): authentication and the
//! authorisation matrix, issuance and idempotency, status changes and the status list,
//! proofs, bad input (each a 4xx problem+json with nothing stored), operations
//! endpoints. SQLite, and PostgreSQL for batches and idempotent retries.

use crate::common::http::assert_problem;
pub use crate::common::node::{TestNode, AUD};
use crate::common::pki::{certify, Party};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use deltaseal::adapters::config::hosted;
use deltaseal::adapters::http::Limits;
use deltaseal::crypto::{Algorithm, PrivateKey};
use deltaseal::jose::make_request_token;
use deltaseal::license::sdjwt::{verify, VerifyOptions};
use deltaseal::license::{StatusList, StatusListToken};
use rstest::rstest;
use serde_json::{json, Value};
use time::Duration;
use tower::ServiceExt;

pub const ID_CARD: &str = "11100000000019713D001";
pub const BUSINESS_LICENSE: &str = "11100000MB014336X0001";
pub const NO_CRIMINAL_RECORD: &str = "11100000000019713D101";

/// The test node, as the issuance tests drive it.
pub type Api = TestNode;

/// A valid citizen identity number: `first17` and its GB 11643 check character.
pub fn citizen_id(first17: &str) -> String {
    let check = deltaseal::license::holder_code::citizen_id_check_char(first17).unwrap();
    format!("{first17}{check}")
}

pub fn id_card(n: u32) -> Value {
    let code = citizen_id(&format!("310101199001{n:05}"));
    json!({
        "type_code": ID_CARD,
        "holder": "张三",
        "holder_code": code,
        "claims": {
            "name": "张三", "sex": "男", "ethnicity": "汉",
            "birth_date": "1990-01-01", "id_number": code,
            "address": "上海市黄浦区人民大道200号"
        }
    })
}

pub fn business_license() -> Value {
    json!({
        "type_code": BUSINESS_LICENSE,
        "holder": "上海示例科技有限公司",
        "holder_code": "91310000MA1FL8XQ37",
        "holder_code_type": "001",
        "claims": {
            "entity_name": "上海示例科技有限公司", "uscc": "91310000MA1FL8XQ37",
            "entity_type": "有限责任公司", "legal_representative": "李四",
            "established": "2020-05-01", "domicile": "上海市浦东新区"
        }
    })
}

/// The agency of each algorithm that issues resident ID cards.
fn agency_for(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::Sm2Sm3 => "sh-agency-psb",
        Algorithm::EcdsaP256Sha256 => "zj-agency-psb",
    }
}

#[rstest]
#[case::sm2(Algorithm::Sm2Sm3)]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[tokio::test]
async fn an_issued_license_verifies_and_its_status_follows_every_change(#[case] alg: Algorithm) {
    let api = Api::new().await;
    let agency = agency_for(alg);
    let (s, v) = api.post(agency, "/v1/licenses", &id_card(1)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let cred = v["credential"].as_str().unwrap();
    let id = v["identifier"].as_str().unwrap().to_string();
    assert!(id.starts_with(&format!("1.2.156.3005.2.{ID_CARD}.{}.", api.uscc(agency))));

    // The credential verifies with the library verifier against the province roots.
    let anchors = hosted(&api.keys).unwrap().anchors;
    let checked = verify(cred, &VerifyOptions::new(api.now, &anchors));
    assert!(checked.report.passed(), "{}", checked.report);
    assert_eq!(checked.algorithm, Some(alg));
    assert_eq!(checked.claims["name"], "张三");

    // Stored, and readable by its agency.
    let (s, _, got) = api
        .call(
            "GET",
            &format!("/v1/licenses/{id}"),
            Some(&api.token(agency)),
            None,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["credential"], v["credential"]);
    assert_eq!(got["status"], "valid");

    let uri = v["status_list"]["uri"].as_str().unwrap();
    let idx = v["status_list"]["idx"].as_u64().unwrap() as usize;
    let path = uri.strip_prefix(AUD).unwrap().to_string();
    let list = |api: &Api, path: String| {
        let api_app = api.app.clone();
        let key = api.keys.get(agency).unwrap().signer.public_key().clone();
        async move {
            let resp = api_app
                .oneshot(Request::get(&path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.headers()["content-type"], "application/statuslist+jwt");
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
            let token = std::str::from_utf8(&bytes).unwrap().to_string();
            let t = StatusListToken::verify(&token, &key, None).unwrap();
            assert_eq!(t.uri, format!("{AUD}{path}"));
            t.list
        }
    };
    let l: StatusList = list(&api, path.clone()).await;
    assert_eq!(l.get(idx).unwrap().name(), "valid");

    let act = |a: &'static str, reason: Option<&'static str>| {
        let body = reason.map(|r| json!({ "reason": r })).unwrap_or(json!({}));
        let p = format!("/v1/licenses/{id}/{a}");
        let api = &api;
        async move { api.post(agency, &p, &body).await }
    };
    let (s, v) = act("suspend", Some("under review")).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("suspended")),
        "{v}"
    );
    assert_eq!(
        list(&api, path.clone()).await.get(idx).unwrap().name(),
        "suspended"
    );
    let (s, v) = act("reinstate", None).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("valid")),
        "{v}"
    );
    assert_eq!(
        list(&api, path.clone()).await.get(idx).unwrap().name(),
        "valid"
    );
    let (s, v) = act("revoke", None).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a revocation needs a reason: {v}"
    );
    let (s, _) = act("revoke", Some("obtained by fraud")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        list(&api, path.clone()).await.get(idx).unwrap().name(),
        "revoked"
    );
    let (s, v) = act("reinstate", None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "illegal_transition");
    let rec = api.db.store.license(&id).await.unwrap();
    assert_eq!(
        (rec.status.name(), rec.reason.as_deref()),
        ("revoked", Some("obtained by fraud"))
    );
    api.db.finish().await;
}

#[tokio::test]
async fn authorisation_matrix() {
    let api = Api::new().await;
    // An agency cannot issue another agency's types.
    let (s, v) = api
        .post("sh-agency-psb", "/v1/licenses", &business_license())
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("type_not_authorised"))
    );
    let (s, v) = api
        .post("js-agency-samr", "/v1/licenses", &id_card(1))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("type_not_authorised"))
    );
    // …within a batch too, and nothing of the batch is stored.
    let batch = json!({ "items": [id_card(1), business_license()] });
    let (s, v) = api
        .post("sh-agency-psb", "/v1/licenses:batch", &batch)
        .await;
    assert_eq!(
        (s, v["code"].as_str(), v["item"].as_u64()),
        (StatusCode::FORBIDDEN, Some("type_not_authorised"), Some(1))
    );
    assert_eq!(api.count().await, 0);

    // An agency cannot touch another agency's licenses.
    let (s, v) = api.post("sh-agency-psb", "/v1/licenses", &id_card(2)).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = v["identifier"].as_str().unwrap().to_string();
    for other in ["zj-agency-psb", "js-agency-samr"] {
        let (s, _, v) = api
            .call(
                "GET",
                &format!("/v1/licenses/{id}"),
                Some(&api.token(other)),
                None,
                &[],
            )
            .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_owner"))
        );
        for a in ["suspend", "revoke", "reinstate"] {
            let (s, v) = api
                .post(
                    other,
                    &format!("/v1/licenses/{id}/{a}"),
                    &json!({"reason": "x"}),
                )
                .await;
            assert_eq!(
                (s, v["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("not_owner"))
            );
        }
    }
    assert_eq!(
        api.db.store.license(&id).await.unwrap().status.name(),
        "valid"
    );

    // Expired, wrong-audience, too long-lived, replayed tokens are refused.
    let body = Some(id_card(3).to_string());
    let cases = [
        (
            api.token_with("sh-agency-psb", AUD, api.now - Duration::minutes(10), 120),
            "token_expired",
        ),
        (
            api.token_with("sh-agency-psb", AUD, api.now + Duration::minutes(10), 120),
            "token_expired",
        ),
        (
            api.token_with("sh-agency-psb", "https://other-node.test", api.now, 120),
            "wrong_audience",
        ),
        (
            api.token_with("sh-agency-psb", AUD, api.now, 3600),
            "token_lifetime_too_long",
        ),
    ];
    for (t, code) in cases {
        let (_, ct, v) = api
            .call("POST", "/v1/licenses", Some(&t), body.clone(), &[])
            .await;
        assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, code);
    }
    let t = api.token("sh-agency-psb");
    let (s, _, _) = api
        .call("POST", "/v1/licenses", Some(&t), body.clone(), &[])
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, ct, v) = api
        .call("POST", "/v1/licenses", Some(&t), body.clone(), &[])
        .await;
    assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "token_replayed");
    let (_, ct, v) = api
        .call("POST", "/v1/licenses", None, body.clone(), &[])
        .await;
    assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "unauthenticated");
    let (_, ct, v) = api
        .call("POST", "/v1/licenses", Some("not.a.jwt"), body.clone(), &[])
        .await;
    assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(api.count().await, 2);
    api.db.finish().await;
}

#[rstest]
#[case::sm2(Algorithm::Sm2Sm3)]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[tokio::test]
async fn a_key_outside_the_trust_hierarchy_is_refused(#[case] alg: Algorithm) {
    use deltaseal::pki::{CertTemplate, Province, Role, SubjectName};
    let api = Api::new().await;
    let agency = agency_for(alg);
    let real = api.keys.get(agency).unwrap();
    // A look-alike: its own root, an agency cert with the same USCC, province and types.
    let (nb, na) = (api.now - Duration::days(30), api.now + Duration::days(30));
    let root_t = CertTemplate::for_role(
        Role::ProvinceRoot,
        SubjectName::new(Some(Province::Shanghai), "Rogue", None, "Rogue Root"),
        vec![],
        nb,
        na,
        false,
    );
    let root = certify(alg, "rogue-root", &root_t, None);
    let leaf_t = CertTemplate::for_role(
        Role::IssuingAgency,
        SubjectName::new(
            real.info.province,
            "Rogue Agency",
            real.info.uscc.clone(),
            "Rogue Agency",
        ),
        real.info.license_types.clone(),
        nb,
        na,
        false,
    );
    let Party {
        signer: leaf_key,
        cert: leaf,
    } = certify(alg, "rogue", &leaf_t, Some(&root));
    let uscc = real.info.uscc.clone().unwrap();
    let t = make_request_token(
        &leaf_key,
        &[leaf.clone(), root.cert.clone()],
        &uscc,
        AUD,
        api.now,
        120,
    )
    .unwrap();
    let (_, ct, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&t),
            Some(id_card(1).to_string()),
            &[],
        )
        .await;
    assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "untrusted_key");
    // The real agency's certificate with a key that is not its own.
    let t = make_request_token(
        &leaf_key,
        std::slice::from_ref(&real.cert_der),
        &uscc,
        AUD,
        api.now,
        120,
    )
    .unwrap();
    let (_, ct, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&t),
            Some(id_card(1).to_string()),
            &[],
        )
        .await;
    assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "unauthenticated");
    // A certificate in the hierarchy but not an issuing agency (the trust-list signer).
    let tl = api.keys.get("yrd-trust-list-signer").unwrap();
    let t = make_request_token(
        tl.signer.as_ref(),
        std::slice::from_ref(&tl.cert_der),
        "x",
        AUD,
        api.now,
        120,
    )
    .unwrap();
    let (_, ct, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&t),
            Some(id_card(1).to_string()),
            &[],
        )
        .await;
    assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "untrusted_key");
    assert_eq!(api.count().await, 0);
    api.db.finish().await;
}

#[tokio::test]
async fn bad_input_is_a_problem_and_stores_nothing() {
    let api = Api::with_limits(Limits {
        max_body: 64 * 1024,
        max_batch: 3,
        ..Limits::default()
    })
    .await;
    let tok = || api.token("sh-agency-psb");
    let mut missing = id_card(1);
    missing["claims"]
        .as_object_mut()
        .unwrap()
        .remove("birth_date");
    let mut unknown = id_card(1);
    unknown["type_code"] = json!("11100000000019713D999");
    let mut no_holder = id_card(1);
    no_holder.as_object_mut().unwrap().remove("holder_code");
    let mut bad_date = id_card(1);
    bad_date["valid_to"] = json!("31/12/2030");
    let huge = json!({"type_code": ID_CARD, "holder": "x".repeat(100_000), "holder_code": "1", "claims": {}});
    let batch = |n: usize| {
        json!({ "items": (0..n).map(|i| id_card(i as u32)).collect::<Vec<_>>() }).to_string()
    };
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        (
            "/v1/licenses",
            "{\"type_code\": ".into(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "/v1/licenses",
            "{\"type_code\" \"x\"}".into(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "/v1/licenses",
            format!("{{\"claims\": {{\"a\": {}", "[".repeat(5000)),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "/v1/licenses",
            unknown.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_type",
        ),
        (
            "/v1/licenses",
            missing.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_claims",
        ),
        (
            "/v1/licenses",
            no_holder.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "/v1/licenses",
            bad_date.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            "/v1/licenses",
            json!({"type_code": 5}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "/v1/licenses",
            huge.to_string(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            "/v1/licenses:batch",
            batch(4),
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
        ),
        (
            "/v1/licenses:batch",
            batch(0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_batch",
        ),
    ];
    for (path, body, status, code) in cases {
        let (s, ct, v) = api.call("POST", path, Some(&tok()), Some(body), &[]).await;
        assert_eq!(s, status, "{code}: {v}");
        assert_problem(&ct, &v, status, code);
    }
    // Not JSON at all.
    let req = Request::post("/v1/licenses")
        .header("authorization", format!("Bearer {}", tok()))
        .header("content-type", "text/plain")
        .body(Body::from("hello"))
        .unwrap();
    let resp = api.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Bad identifiers: malformed, wrong check character.
    let good = {
        let (_, v) = api.post("sh-agency-psb", "/v1/licenses", &id_card(9)).await;
        v["identifier"].as_str().unwrap().to_string()
    };
    let mut wrong_check = good.clone();
    let last = wrong_check.pop().unwrap();
    wrong_check.push(if last == '0' { '1' } else { '0' });
    for bad in ["nonsense", "1.2.156.3005.2", &wrong_check] {
        let (s, ct, v) = api
            .call(
                "GET",
                &format!("/v1/licenses/{bad}"),
                Some(&tok()),
                None,
                &[],
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert_problem(&ct, &v, s, "bad_identifier");
        let (s, _, v) = api
            .call(
                "POST",
                &format!("/v1/licenses/{bad}/revoke"),
                Some(&tok()),
                Some("{\"reason\":\"x\"}".into()),
                &[],
            )
            .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_identifier"))
        );
    }
    // Unknown routes and status lists.
    let (_, ct, v) = api.call("GET", "/v1/nothing", None, None, &[]).await;
    assert_problem(&ct, &v, StatusCode::NOT_FOUND, "no_such_route");
    let (_, ct, v) = api
        .call("GET", "/v1/status/000000000000000000/0", None, None, &[])
        .await;
    assert_problem(&ct, &v, StatusCode::NOT_FOUND, "not_found");
    // Only the one good license is stored.
    assert_eq!(api.count().await, 1);
    api.db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn idempotent_retries_never_issue_twice(#[case] engine: &str) {
    let api = Api::on(engine, Limits::default()).await;
    let body = id_card(1).to_string();
    let hdr = [("idempotency-key", "order-42")];
    let (s1, _, v1) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&api.token("sh-agency-psb")),
            Some(body.clone()),
            &hdr,
        )
        .await;
    assert_eq!(s1, StatusCode::CREATED);
    let (s2, _, v2) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&api.token("sh-agency-psb")),
            Some(body.clone()),
            &hdr,
        )
        .await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(v1, v2, "the retry returns the same license");
    assert_eq!(api.count().await, 1);
    // Same key, different body: refused, nothing stored.
    let (_, ct, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&api.token("sh-agency-psb")),
            Some(id_card(2).to_string()),
            &hdr,
        )
        .await;
    assert_problem(
        &ct,
        &v,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
    // The same key from another agency is that agency's own key.
    let (s, _, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&api.token("zj-agency-psb")),
            Some(body.clone()),
            &hdr,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_ne!(v["identifier"], v1["identifier"]);
    // Batches too.
    let batch = json!({"items": [id_card(3), id_card(4)]}).to_string();
    let hdr = [("idempotency-key", "batch-1")];
    let (s, _, b1) = api
        .call(
            "POST",
            "/v1/licenses:batch",
            Some(&api.token("sh-agency-psb")),
            Some(batch.clone()),
            &hdr,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(b1["issued"].as_array().unwrap().len(), 2);
    let (_, _, b2) = api
        .call(
            "POST",
            "/v1/licenses:batch",
            Some(&api.token("sh-agency-psb")),
            Some(batch),
            &hdr,
        )
        .await;
    assert_eq!(b1, b2);
    assert_eq!(api.count().await, 4);
    let (_, ct, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&api.token("sh-agency-psb")),
            Some(body),
            &[("idempotency-key", "bad key with spaces")],
        )
        .await;
    assert_problem(&ct, &v, StatusCode::BAD_REQUEST, "bad_idempotency_key");
    api.db.finish().await;
}

/// How a batch of `items` is refused: the status, the problem code and the item named.
async fn batch_refusal(
    api: &Api,
    agency: &str,
    items: &[Value],
) -> (StatusCode, String, Option<u64>) {
    let (s, v) = api
        .post(agency, "/v1/licenses:batch", &json!({ "items": items }))
        .await;
    (
        s,
        v["code"].as_str().unwrap_or_default().to_string(),
        v["item"].as_u64(),
    )
}

#[rstest]
#[tokio::test]
async fn a_batch_is_issued_in_one_transaction(
    #[values(Algorithm::Sm2Sm3, Algorithm::EcdsaP256Sha256)] alg: Algorithm,
    #[values("sqlite", "postgres")] engine: &str,
) {
    let api = Api::on(engine, Limits::default()).await;
    let agency = agency_for(alg);
    let items: Vec<Value> = (0..40).map(id_card).collect();
    let (s, v) = api
        .post(agency, "/v1/licenses:batch", &json!({ "items": items }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let issued = v["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 40);
    let idx: Vec<u64> = issued
        .iter()
        .map(|l| l["status_list"]["idx"].as_u64().unwrap())
        .collect();
    assert_eq!(idx, (0..40).collect::<Vec<u64>>());
    let anchors = hosted(&api.keys).unwrap().anchors;
    for l in issued.iter().step_by(13) {
        let r = verify(
            l["credential"].as_str().unwrap(),
            &VerifyOptions::new(api.now, &anchors),
        );
        assert!(r.report.passed(), "{}", r.report);
    }
    // One bad item refuses the whole batch.
    let mut items: Vec<Value> = (40..45).map(id_card).collect();
    items[3]["claims"]["sex"] = json!("unknown");
    assert_eq!(
        batch_refusal(&api, agency, &items).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_claims".into(),
            Some(3)
        )
    );
    assert_eq!(api.count().await, 40);
    api.db.finish().await;
}

#[rstest]
#[tokio::test]
async fn a_batch_of_several_parts_is_written_in_order_and_all_or_none(
    #[values(Algorithm::Sm2Sm3, Algorithm::EcdsaP256Sha256)] alg: Algorithm,
    #[values("sqlite", "postgres")] engine: &str,
) {
    // More than two parts: each part signs while the one before it is written.
    let n = 2 * deltaseal::service::issue::PIPELINE_PART as u32 + 44;
    let api = Api::on(engine, Limits::default()).await;
    let agency = agency_for(alg);
    // A bad item in the last part refuses the whole batch, after the first parts
    // were written in its transaction: nothing of it stays.
    let mut items: Vec<Value> = (0..n).map(id_card).collect();
    items[n as usize - 10]["claims"]["sex"] = json!("unknown");
    assert_eq!(
        batch_refusal(&api, agency, &items).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_claims".into(),
            Some(u64::from(n) - 10)
        )
    );
    assert_eq!(api.count().await, 0);
    // The whole batch: every license in its slot, in the order asked, each one the
    // credential of its own item.
    let items: Vec<Value> = (0..n).map(id_card).collect();
    let (s, v) = api
        .post(agency, "/v1/licenses:batch", &json!({ "items": items }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let issued = v["issued"].as_array().unwrap();
    assert_eq!(issued.len(), n as usize);
    assert_eq!(api.count().await, i64::from(n));
    let anchors = hosted(&api.keys).unwrap().anchors;
    let part = deltaseal::service::issue::PIPELINE_PART;
    for i in [0, part - 1, part, 2 * part - 1, 2 * part, n as usize - 1] {
        let l = &issued[i];
        // slot i of the agency's list: the refused batch's reservation went with its
        // transaction
        assert_eq!(l["status_list"]["idx"].as_u64(), Some(i as u64));
        let r = verify(
            l["credential"].as_str().unwrap(),
            &VerifyOptions::new(api.now, &anchors),
        );
        assert!(r.report.passed(), "{}", r.report);
        assert_eq!(r.claims["id_number"], items[i]["holder_code"], "item {i}");
    }
    api.db.finish().await;
}

#[tokio::test]
async fn the_proof_flow() {
    let api = Api::new().await;
    let agency = "sh-agency-psb";
    let req = json!({
        "type_code": NO_CRIMINAL_RECORD, "applicant": "王五",
        "applicant_code": "310101198505050013", "purpose": "签证申请 visa application"
    });
    let (s, v) = api.post(agency, "/v1/proofs/requests", &req).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["state"], "requested");
    let id = v["id"].as_str().unwrap().to_string();
    // Another agency cannot decide it; nobody can issue it before approval.
    let (s, v) = api
        .post(
            "zj-agency-psb",
            &format!("/v1/proofs/requests/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_owner"))
    );
    let claims = json!({"claims": {"name": "王五", "id_number": "310101198505050013", "result": "未发现犯罪记录"}});
    let (s, v) = api
        .post(agency, &format!("/v1/proofs/requests/{id}/issue"), &claims)
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("illegal_transition")),
        "{v}"
    );
    let (s, v) = api
        .post(
            agency,
            &format!("/v1/proofs/requests/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{v}"
    );
    let (s, v) = api
        .post(agency, &format!("/v1/proofs/requests/{id}/issue"), &claims)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let anchors = hosted(&api.keys).unwrap().anchors;
    let r = verify(
        v["credential"].as_str().unwrap(),
        &VerifyOptions::new(api.now, &anchors),
    );
    assert!(r.report.passed(), "{}", r.report);
    assert_eq!(
        r.claims["purpose"], "签证申请 visa application",
        "{:?}",
        r.claims
    );
    // Issued once only.
    let (s, _) = api
        .post(agency, &format!("/v1/proofs/requests/{id}/issue"), &claims)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(api.count().await, 1);
    // A refusal needs a reason and is final.
    let (_, v) = api.post(agency, "/v1/proofs/requests", &req).await;
    let id2 = v["id"].as_str().unwrap().to_string();
    let (s, _) = api
        .post(
            agency,
            &format!("/v1/proofs/requests/{id2}/refuse"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = api
        .post(
            agency,
            &format!("/v1/proofs/requests/{id2}/refuse"),
            &json!({"reason": "材料不全"}),
        )
        .await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("refused")));
    // the decisions and the issued proof are on the archive log
    {
        use deltaseal::archive::entry::Act;
        let logged = api.db.store.archive_entries(0, 100).await.unwrap();
        let acts: Vec<(Act, &str)> = logged
            .iter()
            .map(|l| (l.entry.act, l.entry.subject.as_str()))
            .collect();
        let issued = acts
            .iter()
            .find(|(a, _)| *a == Act::LicenseIssued)
            .unwrap()
            .1;
        let agency = issued.split('.').nth(6).unwrap();
        assert_eq!(
            acts,
            [
                (Act::ProofDecided, id.as_str()),
                (Act::EvidenceKept, agency),
                (Act::LicenseIssued, issued),
                (Act::ProofDecided, id2.as_str()),
            ],
            "approve, issue, refuse"
        );
    }
    let (s, _) = api
        .post(
            agency,
            &format!("/v1/proofs/requests/{id2}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // A license type is not a proof; an agency only takes requests for its types.
    let (s, v) = api
        .post(
            agency,
            "/v1/proofs/requests",
            &json!({"type_code": ID_CARD, "applicant": "a", "applicant_code": "b", "purpose": "p"}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
    let (s, v) = api
        .post("js-agency-samr", "/v1/proofs/requests", &req)
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("type_not_authorised"))
    );
    let (s, _, v) = api
        .call(
            "POST",
            "/v1/proofs/requests/not-a-uuid/approve",
            Some(&api.token(agency)),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    api.db.finish().await;
}

#[tokio::test]
async fn operations_endpoints() {
    let api = Api::new().await;
    let (s, _, v) = api.call("GET", "/healthz", None, None, &[]).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, _, v) = api.call("GET", "/v1/catalog", None, None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["types"].as_array().unwrap().len() >= 20);
    let (s, _, v) = api.call("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/v1/licenses",
        "/v1/licenses:batch",
        "/v1/licenses/{identifier}/revoke",
        "/v1/status/{agency}/{list}",
        "/v1/proofs/requests/{id}/issue",
    ] {
        assert!(v["paths"].get(p).is_some(), "{p} missing from OpenAPI");
    }
    let (s, _) = api.post("sh-agency-psb", "/v1/licenses", &id_card(1)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, ct, text) = api.call("GET", "/metrics", None, None, &[]).await;
    assert!(ct.starts_with("text/plain"));
    let text = text.as_str().unwrap().to_string();
    assert!(text.contains("deltaseal_licenses_issued_total 1"), "{text}");
    assert!(
        text.contains(
            r#"deltaseal_http_requests_total{method="POST",route="/v1/licenses",status="201"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/healthz",status="200"} 1"#),
        "{text}"
    );
    api.db.finish().await;
}

#[rstest]
#[case::sm2(Algorithm::Sm2Sm3)]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[tokio::test]
async fn a_holder_key_is_bound_into_the_credential(#[case] alg: Algorithm) {
    use deltaseal::license::sdjwt::jwk_of;
    let api = Api::new().await;
    let holder = PrivateKey::generate(alg).unwrap();
    let mut body = id_card(5);
    body["holder_key"] = jwk_of(holder.public_key());
    let (s, v) = api.post(agency_for(alg), "/v1/licenses", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let anchors = hosted(&api.keys).unwrap().anchors;
    let r = verify(
        v["credential"].as_str().unwrap(),
        &VerifyOptions::new(api.now, &anchors),
    );
    assert!(r.report.passed(), "{}", r.report);
    assert_eq!(r.payload["cnf"]["jwk"], jwk_of(holder.public_key()));
    // Not a key: refused, nothing stored.
    body["holder_key"] = json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"});
    let (s, v) = api.post(agency_for(alg), "/v1/licenses", &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request"))
    );
    assert_eq!(api.count().await, 1);
    api.db.finish().await;
}

/// Two nodes of one province on one database (or one node restarted on its file): a
/// request token used on one is refused on the other.
#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn a_token_used_on_one_node_is_refused_by_another_on_the_same_database(#[case] engine: &str) {
    use crate::common::http::call;
    use crate::common::node::node_app;
    use deltaseal::adapters::storage::Store;
    let api = Api::on(engine, Limits::default()).await;
    let second = Store::connect_with(&api.db.location, api.db.schema.as_deref())
        .await
        .unwrap();
    let other = node_app(second, &api.keys, Limits::default(), api.now);
    let t = api.token("sh-agency-psb");
    let body = id_card(1).to_string();
    let (s, _, v) = api
        .call("POST", "/v1/licenses", Some(&t), Some(body.clone()), &[])
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let json = Some(("application/json", body.into_bytes()));
    call(&other, "POST", "/v1/licenses", Some(&t), json, &[])
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "token_replayed");
    assert_eq!(api.count().await, 1);
}

/// A request token's `iss` must be the USCC its certificate names: a token signed by an
/// agency's own key and chain but claiming another issuer is refused, nothing stored.
#[tokio::test]
async fn a_token_whose_iss_is_not_its_certificate_holder_is_refused() {
    let api = Api::new().await;
    let e = api.keys.get("sh-agency-psb").unwrap();
    let root = api.keys.issuer_of("sh-agency-psb").unwrap();
    let chain = [e.cert_der.clone(), root.cert_der.clone()];
    let other = api.uscc("sh-agency-samr");
    for iss in ["bogus", other.as_str()] {
        let t = make_request_token(e.signer.as_ref(), &chain, iss, AUD, api.now, 120).unwrap();
        let (_, ct, v) = api
            .call(
                "POST",
                "/v1/licenses",
                Some(&t),
                Some(id_card(1).to_string()),
                &[],
            )
            .await;
        assert_problem(&ct, &v, StatusCode::UNAUTHORIZED, "unauthenticated");
        assert!(v["detail"].as_str().unwrap().contains(iss), "{v}");
    }
    assert_eq!(api.count().await, 0);
    // its own USCC is accepted
    let t = make_request_token(
        e.signer.as_ref(),
        &chain,
        &api.uscc("sh-agency-psb"),
        AUD,
        api.now,
        120,
    )
    .unwrap();
    let (s, _, v) = api
        .call(
            "POST",
            "/v1/licenses",
            Some(&t),
            Some(id_card(1).to_string()),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// A proof request that could never be issued (an applicant longer than a proof's
/// holder may be) is refused when it is made, not at the last step.
#[tokio::test]
async fn a_proof_request_is_held_to_the_proof_limits_when_made() {
    let api = Api::new().await;
    for (applicant, code) in [
        ("王".repeat(40_000), "310101198505050013".to_string()),
        ("王五".to_string(), "1".repeat(1025)),
    ] {
        let req = json!({"type_code": NO_CRIMINAL_RECORD, "applicant": applicant,
            "applicant_code": code, "purpose": "签证申请"});
        let (s, v) = api.post("sh-agency-psb", "/v1/proofs/requests", &req).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["code"], "invalid_request");
        assert!(v["detail"].as_str().unwrap().contains("1024"), "{v}");
    }
    assert_eq!(api.db.store.proof_request_count().await.unwrap(), 0);
}

/// A database held locked by another writer answers 503 `unavailable` with
/// `Retry-After` (after the store's busy timeout), not 500, and nothing is stored.
#[tokio::test]
async fn a_locked_database_is_unavailable_with_retry_after() {
    use sqlx::Connection;
    let api = Api::new().await;
    let url = format!("sqlite://{}", api.db.location);
    let mut holder = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let body = Some(("application/json", id_card(1).to_string().into_bytes()));
    let t = api.token("sh-agency-psb");
    let r = crate::common::http::call(&api.app, "POST", "/v1/licenses", Some(&t), body, &[]).await;
    r.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(r.headers.contains_key("retry-after"), "{:?}", r.headers);
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    assert_eq!(api.count().await, 0);
}
