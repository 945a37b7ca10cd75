//! Four provincial nodes side by side (`serve --province`), recognising each other
//! under one trust list: a license issued in one province (with the national or the
//! province's local type code) passes on another province's `POST /v1/verify`, a
//! stamped OFD made in one verifies in another; an unlisted agency, a type the policy
//! or the list does not allow, and tampered, rolled-back or expired lists each give
//! their own outcome. P-256 (JS, ZJ) and SM2 (SH, AH) issuers both.

use crate::common::four_nodes::{province_of, sign_list, FourNodes, LIST_DAYS};
use crate::common::{self, fixed_now};
use crate::http::{business_license, BUSINESS_LICENSE, ID_CARD};
use base64::Engine as _;
use deltaseal::adapters::federation::{self, PollError, PollOutcome};
use deltaseal::pki::Province::{self, Anhui, Jiangsu, Shanghai, Zhejiang};
use deltaseal::service::ServiceError;
use deltaseal::trust_list::{TrustList, TrustListError};
use rstest::rstest;
use serde_json::{json, Value};

/// The local business-license codes of Shanghai and Jiangsu in the catalogue.
const SH_BUSINESS_LICENSE: &str = "11310000MB2F0317XQ001";
const JS_BUSINESS_LICENSE: &str = "113200000140123285001";

/// The check `code` of a verdict's report.
fn check<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["report"]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["code"] == code))
        .unwrap_or_else(|| panic!("no check {code} in {v}"))
}

/// The verdict has `indication` / `sub_indication`, and check `code` has `outcome`.
fn assert_verdict(v: &Value, indication: &str, sub: Option<&str>, code: &str, outcome: &str) {
    assert_eq!(v["report"]["indication"], indication, "{v}");
    assert_eq!(v["report"]["sub_indication"].as_str(), sub, "{v}");
    let c = check(v, code);
    assert_eq!(c["outcome"], outcome, "{v}");
    if outcome != "PASSED" {
        assert_eq!(c["sub_indication"].as_str(), sub, "{c}");
    }
}

/// A business license body with type code `code`.
fn business_license_as(code: &str) -> Value {
    let mut b = business_license();
    b["type_code"] = code.into();
    b
}

/// `POST /v1/verify` of `credential` on `p` → the verdict (200).
async fn verified(nodes: &FourNodes, p: Province, body: Value) -> Value {
    let (s, v) = nodes.verify(p, &body).await;
    assert_eq!(s, 200, "{v}");
    v
}

fn uscc(nodes: &FourNodes, id: &str) -> String {
    nodes.keys.get(id).unwrap().info.uscc.clone().unwrap()
}

/// `list` without the agency of key-store entry `id`.
fn without_agency(list: &mut TrustList, uscc: &str) {
    for p in &mut list.provinces {
        p.issuing_agencies.retain(|a| a.uscc != uscc);
    }
}

#[rstest]
#[case::p256_js_to_zj("js-agency-samr", JS_BUSINESS_LICENSE, Zhejiang)]
#[case::sm2_sh_to_ah("sh-agency-samr", SH_BUSINESS_LICENSE, Anhui)]
#[tokio::test]
async fn a_license_issued_in_one_province_is_recognised_in_another(
    #[case] agency: &str,
    #[case] local: &str,
    #[case] verifier: Province,
) {
    let nodes = FourNodes::start().await;
    let home = province_of(&nodes.keys, agency);

    // issued under the province's local code: the national type, the local code beside it
    let (s, issued) = nodes.issue(agency, &business_license_as(local)).await;
    assert_eq!(s, 201, "{issued}");
    assert_eq!(issued["type_code"], BUSINESS_LICENSE);
    assert_eq!(issued["local_type_code"], local);
    let credential = issued["credential"].as_str().unwrap();
    assert!(issued["status_list"]["uri"]
        .as_str()
        .unwrap()
        .starts_with(nodes.url(home)));

    let v = verified(&nodes, verifier, json!({ "artifact": credential })).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "issuer.type_authorised", "PASSED");
    assert_eq!(check(&v, "issuer.listed")["outcome"], "PASSED");
    assert_eq!(check(&v, "policy.type")["outcome"], "PASSED");
    assert_eq!(v["province"]["code"], home.abbrev(), "{v}");
    assert_eq!(v["agency"]["uscc"], uscc(&nodes, agency));
    assert_eq!(v["agency"]["listed"], true);
    let t = &v["license_type"];
    assert_eq!(t["code"], BUSINESS_LICENSE, "{v}");
    assert_eq!(t["name_en"], "Business License");
    assert_eq!(t["local_code"], local, "{v}");
    assert_eq!(t["local_province"], home.abbrev());
    assert_eq!(v["trust_list"]["sequence"], 1);

    // a policy that names only the local code accepts it too
    let v = verified(
        &nodes,
        verifier,
        json!({ "artifact": credential, "policy": { "license_types": [local] } }),
    )
    .await;
    assert_verdict(&v, "TOTAL_PASSED", None, "policy.type", "PASSED");

    // issued under the national code: recognised with no local code
    let national = nodes
        .issued(agency, &business_license_as(BUSINESS_LICENSE))
        .await;
    let v = verified(&nodes, verifier, json!({ "artifact": national })).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "issuer.type_authorised", "PASSED");
    assert_eq!(v["license_type"]["code"], BUSINESS_LICENSE);
    assert!(v["license_type"].get("local_code").is_none(), "{v}");

    // deltaseal verify shows both codes in words
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("license.sdjwt");
    std::fs::write(&file, credential).unwrap();
    let out = std::process::Command::new(common::bin())
        .current_dir(common::root())
        .args(["verify", "--at", "2026-06-01T00:00:00Z"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "{} 营业执照 {local} → 本地认可为 营业执照 / {} local code, recognised as Business License",
            home.name_zh(),
            home.name_en()
        )),
        "{text}"
    );
}

#[rstest]
#[case::p256_js_with_a_shanghai_code("js-agency-samr", SH_BUSINESS_LICENSE, "SH", "JS")]
#[case::sm2_sh_with_a_jiangsu_code("sh-agency-samr", JS_BUSINESS_LICENSE, "JS", "SH")]
#[tokio::test]
async fn another_provinces_local_code_is_refused(
    #[case] agency: &str,
    #[case] foreign: &str,
    #[case] owner: &str,
    #[case] home: &str,
) {
    let nodes = FourNodes::start().await;
    let (s, v) = nodes.issue(agency, &business_license_as(foreign)).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["code"], "local_code_of_other_province", "{v}");
    let detail = v["detail"].as_str().unwrap();
    assert!(
        detail.contains(foreign) && detail.contains(owner) && detail.contains(home),
        "{detail}"
    );
}

#[tokio::test]
async fn each_node_hosts_only_its_own_provinces_parties() {
    let nodes = FourNodes::start().await;
    for p in Province::ALL {
        let c = nodes.config(p);
        assert_eq!(c.public_base_url.as_deref(), Some(nodes.url(p)));
        assert!(c.database.ends_with(&format!("{}.db", p.abbrev())));
    }
    // JS's agency on ZJ's node: authenticated, then refused as not hosted there
    let (s, v) = nodes
        .post_json(
            Zhejiang,
            "/v1/licenses",
            Some("js-agency-samr"),
            &business_license(),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("agency_not_hosted")),
        "{v}"
    );
    // and SH's seal authority on AH's node
    let (s, v) = nodes
        .post_json(
            Anhui,
            "/v1/seals",
            Some("sh-seal-authority"),
            &seal_request("sh-org-1"),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("agency_not_hosted")),
        "{v}"
    );
    // ZJ's own agency issues there
    let (s, v) = nodes
        .post_json(
            Zhejiang,
            "/v1/licenses",
            Some("zj-agency-psb"),
            &crate::http::id_card(3),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["type_code"], ID_CARD);
}

#[rstest]
#[case::p256_js_to_zj("js-agency-samr", Zhejiang)]
#[case::sm2_sh_to_ah("sh-agency-samr", Anhui)]
#[tokio::test]
async fn an_agency_missing_from_the_trust_list_is_indeterminate(
    #[case] agency: &str,
    #[case] verifier: Province,
) {
    let keys = common::pki::keys();
    let gone = keys.get(agency).unwrap().info.uscc.clone().unwrap();
    let nodes = FourNodes::start_with(|l| without_agency(l, &gone)).await;
    let credential = nodes.issued(agency, &business_license()).await;
    let v = verified(&nodes, verifier, json!({ "artifact": credential })).await;
    assert_verdict(
        &v,
        "INDETERMINATE",
        Some("NO_CERTIFICATE_CHAIN_FOUND"),
        "issuer.listed",
        "INDETERMINATE",
    );
    assert_eq!(v["agency"]["listed"], false, "{v}");
}

#[rstest]
#[case::p256_js_to_zj("js-agency-samr", Zhejiang)]
#[case::sm2_sh_to_ah("sh-agency-samr", Anhui)]
#[tokio::test]
async fn a_type_the_verifiers_policy_does_not_accept_fails(
    #[case] agency: &str,
    #[case] verifier: Province,
) {
    let nodes = FourNodes::start().await;
    let credential = nodes.issued(agency, &business_license()).await;
    let v = verified(
        &nodes,
        verifier,
        json!({ "artifact": credential, "policy": { "license_types": [ID_CARD] } }),
    )
    .await;
    assert_verdict(
        &v,
        "TOTAL_FAILED",
        Some("POLICY_PROCESSING_ERROR"),
        "policy.type",
        "FAILED",
    );
    assert_eq!(check(&v, "issuer.type_authorised")["outcome"], "PASSED");
}

#[rstest]
#[case::p256_js_to_zj("js-agency-samr", Zhejiang)]
#[case::sm2_sh_to_ah("sh-agency-samr", Anhui)]
#[tokio::test]
async fn a_listed_agency_signing_a_type_it_is_not_listed_for_fails(
    #[case] agency: &str,
    #[case] verifier: Province,
) {
    // its certificate still authorises business licenses; the trust list no longer does
    let keys = common::pki::keys();
    let who = keys.get(agency).unwrap().info.uscc.clone().unwrap();
    let nodes = FourNodes::start_with(|l| {
        for p in &mut l.provinces {
            for a in p.issuing_agencies.iter_mut().filter(|a| a.uscc == who) {
                a.license_types = vec![ID_CARD.to_string()];
            }
        }
    })
    .await;
    let credential = nodes.issued(agency, &business_license()).await;
    let v = verified(&nodes, verifier, json!({ "artifact": credential })).await;
    assert_verdict(
        &v,
        "TOTAL_FAILED",
        Some("SIG_CONSTRAINTS_FAILURE"),
        "issuer.type_authorised",
        "FAILED",
    );
    assert_eq!(check(&v, "issuer.listed")["outcome"], "PASSED");
}

/// `text` with its sequence changed in the payload: the signature no longer verifies.
fn tampered(text: &str) -> String {
    let mut parts: Vec<String> = text.split('.').map(String::from).collect();
    let mut doc: Value = serde_json::from_slice(
        &deltaseal::jose::b64_decode(&parts[1], "payload", 1 << 24).unwrap(),
    )
    .unwrap();
    doc["sequence"] = 99.into();
    parts[1] = deltaseal::jose::b64(&serde_json::to_vec(&doc).unwrap());
    parts.join(".")
}

#[tokio::test]
async fn a_tampered_or_rolled_back_trust_list_is_refused_and_the_held_one_kept() {
    let nodes = FourNodes::start().await;
    let client = federation::client();
    let list_url = |p| format!("{}/v1/trust-list", nodes.url(p));
    let credential = nodes.issued("js-agency-samr", &business_license()).await;

    // JS takes sequence 2; ZJ polls JS and takes it too
    let mut two = nodes.list.clone();
    two.sequence = 2;
    let two = sign_list(&nodes.keys, &two);
    nodes.node(Jiangsu).accept_trust_list(&two).await.unwrap();
    let got = federation::poll_trust_list(nodes.node(Zhejiang), &client, &list_url(Jiangsu))
        .await
        .unwrap();
    assert!(
        matches!(got, PollOutcome::Accepted { sequence: 2, .. }),
        "{got:?}"
    );

    // a tampered list (offered straight to the node): refused, 2 kept
    let err = nodes
        .node(Zhejiang)
        .accept_trust_list(&tampered(&two))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::TrustList(TrustListError::BadSignature)),
        "{err}"
    );
    // SH still serves sequence 1: polling it is a refused rollback, 2 kept
    let err = federation::poll_trust_list(nodes.node(Zhejiang), &client, &list_url(Shanghai))
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
    // ZJ still judges under sequence 2, and serves it
    let v = verified(&nodes, Zhejiang, json!({ "artifact": credential })).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "trust_list.cited", "PASSED");
    assert_eq!(v["trust_list"]["sequence"], 2, "{v}");
    let (s, _, body) = nodes
        .send(Zhejiang, "GET", "/v1/trust-list", None, None)
        .await;
    assert_eq!((s, String::from_utf8(body).unwrap()), (200, two.clone()));

    // the same refusals as a verifier's report name their check
    let signer = nodes.keys.get("yrd-trust-list-signer").unwrap();
    let opts = deltaseal::trust_list::VerifyOptions {
        signer_cert: &signer.cert_der,
        at: fixed_now(),
        held_sequence: Some(2),
        grace: time::Duration::days(1),
    };
    let (r, _) = deltaseal::trust_list::verify_report(&tampered(&two), &opts);
    let r = serde_json::to_value(&r).unwrap();
    assert_verdict(
        &json!({ "report": r }),
        "TOTAL_FAILED",
        Some("SIG_CRYPTO_FAILURE"),
        "trust_list.signature",
        "FAILED",
    );
    let (r, _) = deltaseal::trust_list::verify_report(&nodes.jws, &opts);
    let r = serde_json::to_value(&r).unwrap();
    assert_verdict(
        &json!({ "report": r }),
        "TOTAL_FAILED",
        Some("POLICY_PROCESSING_ERROR"),
        "trust_list.sequence",
        "FAILED",
    );
}

/// The report of accepting `text` at `at` with a day of grace.
fn list_report(nodes: &FourNodes, text: &str, at: time::OffsetDateTime) -> Value {
    let signer = nodes.keys.get("yrd-trust-list-signer").unwrap();
    let opts = deltaseal::trust_list::VerifyOptions {
        signer_cert: &signer.cert_der,
        at,
        held_sequence: None,
        grace: time::Duration::days(1),
    };
    json!({ "report": deltaseal::trust_list::verify_report(text, &opts).0 })
}

#[rstest]
#[case::p256_js_to_zj("js-agency-samr", Zhejiang)]
#[case::sm2_sh_to_ah("sh-agency-samr", Anhui)]
#[tokio::test]
async fn an_expired_trust_list_stops_verification_until_a_new_one(
    #[case] agency: &str,
    #[case] verifier: Province,
) {
    let nodes = FourNodes::start().await;
    let credential = nodes.issued(agency, &business_license()).await;
    let due = nodes.list.next_update;
    // past its next update, within the day of grace: passed, with a warning citing it
    nodes.set_now(due + time::Duration::hours(1));
    let v = verified(&nodes, verifier, json!({ "artifact": credential })).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "trust_list.cited", "WARNING");
    // past the grace: the node holds no list it may rely on — 503, fail closed
    nodes.set_now(due + time::Duration::days(1) + time::Duration::seconds(1));
    let (s, v) = nodes
        .verify(verifier, &json!({ "artifact": credential }))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (503, Some("trust_list_unavailable")),
        "{v}"
    );
    // which is what accepting that list now says: INDETERMINATE / TRY_LATER
    assert_verdict(
        &list_report(&nodes, &nodes.jws, nodes.now()),
        "INDETERMINATE",
        Some("TRY_LATER"),
        "trust_list.freshness",
        "INDETERMINATE",
    );
    // a newer list brings it back
    let mut next = nodes.list.clone();
    next.sequence = 2;
    next.issued_at = due;
    next.next_update = due + time::Duration::days(LIST_DAYS);
    let next = sign_list(&nodes.keys, &next);
    nodes.node(verifier).accept_trust_list(&next).await.unwrap();
    let v = verified(&nodes, verifier, json!({ "artifact": credential })).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "trust_list.cited", "PASSED");
    assert_eq!(v["trust_list"]["sequence"], 2);
}

fn seal_request(signer: &str) -> Value {
    json!({
        "name": "示范有限公司合同专用章",
        "organisation": "示范有限公司",
        "code": "合同专用章",
        "signers": [signer],
        "valid_to": "2028-01-01T00:00:00Z",
    })
}

#[rstest]
#[case::sh_to_ah(Shanghai, Anhui)]
#[case::zj_to_js(Zhejiang, Jiangsu)]
#[tokio::test]
async fn a_stamped_ofd_made_in_one_province_verifies_in_another(
    #[case] home: Province,
    #[case] verifier: Province,
) {
    let nodes = FourNodes::start().await;
    let pre = home.abbrev().to_ascii_lowercase();
    let (authority, signer) = (format!("{pre}-seal-authority"), format!("{pre}-org-1"));
    let (s, v) = nodes
        .post_json(home, "/v1/seals", Some(&authority), &seal_request(&signer))
        .await;
    assert_eq!(s, 201, "{v}");
    let es_id = v["es_id"].as_str().unwrap();
    assert!(es_id.starts_with(home.division_code()), "{es_id}");
    let doc = std::fs::read(common::fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
    let (s, ct, stamped) = nodes
        .send(
            home,
            "POST",
            &format!("/v1/seals/{es_id}/stamp?format=ofd&x=20&y=30"),
            Some(&signer),
            Some(("application/ofd", doc)),
        )
        .await;
    assert_eq!((s, ct.as_str()), (200, "application/ofd"));
    let artifact = base64::engine::general_purpose::STANDARD.encode(&stamped);
    let v = verified(
        &nodes,
        verifier,
        json!({ "artifact": artifact, "encoding": "base64" }),
    )
    .await;
    assert_verdict(&v, "TOTAL_PASSED", None, "seal_authority.listed", "PASSED");
    assert_eq!(v["kind"], "ofd", "{v}");
    assert_eq!(v["province"]["code"], home.abbrev(), "{v}");
}

/// A running `deltaseal serve` and the address it listens on.
struct Serve {
    child: std::process::Child,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_province_runs_that_provinces_node_with_its_defaults() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(common::bin())
        .current_dir(dir.path())
        .args([
            "serve",
            "--province",
            "zj",
            "--listen",
            "127.0.0.1:0",
            "--keys",
        ])
        .arg(common::root().join("keys"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("deltaseal: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let serve = Serve { child, url };
    // its own database file in the working directory
    assert!(dir.path().join("deltaseal-zj.db").exists());
    // its id and base URL are ZJ's node_url in the committed list
    let keys = common::pki::keys();
    let zj = "http://127.0.0.1:8083";
    let client = reqwest::Client::new();
    let post = |id: &str, body: Value| {
        let token = common::http::request_token(
            &keys,
            id,
            common::http::Chain::WithIssuer,
            zj,
            time::OffsetDateTime::now_utc(),
            120,
        );
        client
            .post(format!("{}/v1/licenses", serve.url))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post("zj-agency-psb", crate::http::id_card(5))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["status_list"]["uri"].as_str().unwrap().starts_with(zj),
        "{v}"
    );
    let r = post("js-agency-samr", business_license()).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "agency_not_hosted", "{v}");
    drop(serve);

    // a province that is not one of the four: exit 2, with the reason
    let out = std::process::Command::new(common::bin())
        .current_dir(dir.path())
        .args(["serve", "--province", "BJ", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not SH, JS, ZJ or AH"), "{err}");
}

/// `credential` with its signed `local_type_code` set to `local`, signed again by
/// key-store entry `agency` (so only the code is wrong, never the signature).
fn resigned_with_local_code(
    nodes: &FourNodes,
    agency: &str,
    credential: &str,
    local: &str,
) -> String {
    use deltaseal::crypto::SignatureEncoding;
    let (jwt, rest) = credential.split_once('~').unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload: Value =
        serde_json::from_slice(&deltaseal::jose::b64_decode(parts[1], "payload", 1 << 20).unwrap())
            .unwrap();
    payload["local_type_code"] = local.into();
    let input = format!(
        "{}.{}",
        parts[0],
        deltaseal::jose::b64(&serde_json::to_vec(&payload).unwrap())
    );
    let signer = &nodes.keys.get(agency).unwrap().signer;
    let sig = signer
        .sign(input.as_bytes(), SignatureEncoding::Raw)
        .unwrap();
    format!("{input}.{}~{rest}", deltaseal::jose::b64(&sig))
}

#[rstest]
#[case::p256_js_naming_a_shanghai_code(
    "js-agency-samr",
    JS_BUSINESS_LICENSE,
    SH_BUSINESS_LICENSE,
    Zhejiang
)]
#[case::sm2_sh_naming_another_types_code(
    "sh-agency-samr",
    SH_BUSINESS_LICENSE,
    "113100000024280004001",
    Anhui
)]
#[tokio::test]
async fn a_local_code_that_is_not_the_agencys_or_not_the_types_fails(
    #[case] agency: &str,
    #[case] own: &str,
    #[case] wrong: &str,
    #[case] verifier: Province,
) {
    let nodes = FourNodes::start().await;
    let credential = nodes.issued(agency, &business_license_as(own)).await;
    // re-signed unchanged, it still passes: only the code decides below
    let same = resigned_with_local_code(&nodes, agency, &credential, own);
    let v = verified(&nodes, verifier, json!({ "artifact": same })).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "issuer.type_authorised", "PASSED");
    let forged = resigned_with_local_code(&nodes, agency, &credential, wrong);
    let v = verified(&nodes, verifier, json!({ "artifact": forged })).await;
    assert_verdict(
        &v,
        "TOTAL_FAILED",
        Some("SIG_CONSTRAINTS_FAILURE"),
        "issuer.type_authorised",
        "FAILED",
    );
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn two_nodes_of_one_province_on_one_database_answer_alike(#[case] engine: &str) {
    use crate::common::http::{call, request_token, Chain};
    use deltaseal::adapters::config::Config;
    let db = crate::common::db::TestDb::new(engine).await;
    let base = "https://js.example";
    let config = Config {
        keys_dir: common::root().join("keys"),
        province: Some(Jiangsu),
        public_base_url: Some(base.into()),
        ..Config::default()
    };
    let now = fixed_now();
    let clock: deltaseal::adapters::http::Clock = std::sync::Arc::new(move || now);
    let mut apps = Vec::new();
    for _ in 0..2 {
        let node = config
            .open_node_on(db.reopen().await, None, clock.clone())
            .await
            .unwrap();
        apps.push(deltaseal::adapters::http::app(node));
    }
    let keys = common::pki::keys();
    let token = request_token(&keys, "js-agency-samr", Chain::WithIssuer, base, now, 120);
    let body = business_license_as(JS_BUSINESS_LICENSE)
        .to_string()
        .into_bytes();
    let r = call(
        &apps[0],
        "POST",
        "/v1/licenses",
        Some(&token),
        Some(("application/json", body.clone())),
        &[],
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let issued = r.json();
    // the same token is a replay on the other node
    call(
        &apps[1],
        "POST",
        "/v1/licenses",
        Some(&token),
        Some(("application/json", body)),
        &[],
    )
    .await
    .assert_problem(axum::http::StatusCode::UNAUTHORIZED, "token_replayed");
    // the other node serves the license, the same trust list, and judges alike
    let id = issued["identifier"].as_str().unwrap();
    let t2 = request_token(&keys, "js-agency-samr", Chain::WithIssuer, base, now, 120);
    let r = call(
        &apps[1],
        "GET",
        &format!("/v1/licenses/{id}"),
        Some(&t2),
        None,
        &[],
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let lists: Vec<Vec<u8>> = trust_lists_served(&apps).await;
    assert_eq!(lists[0], lists[1]);
    let verify = json!({ "artifact": issued["credential"] })
        .to_string()
        .into_bytes();
    for app in &apps {
        let r = call(
            app,
            "POST",
            "/v1/verify",
            None,
            Some(("application/json", verify.clone())),
            &[],
        )
        .await;
        let v = r.json();
        assert_verdict(&v, "TOTAL_PASSED", None, "issuer.type_authorised", "PASSED");
        assert_eq!(v["license_type"]["local_code"], JS_BUSINESS_LICENSE);
    }
    drop(apps);
    db.finish().await;
}

/// `GET /v1/trust-list` of each router.
async fn trust_lists_served(apps: &[axum::Router]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for app in apps {
        let r = crate::common::http::call(app, "GET", "/v1/trust-list", None, None, &[]).await;
        assert_eq!(r.status.as_u16(), 200);
        out.push(r.body);
    }
    out
}
