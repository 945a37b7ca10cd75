//! A license issued in one province, judged on another province's node: recognised
//! under the national or the local code; refused local codes; an agency the list does
//! not name, a type the list or the policy does not allow.

use super::*;
use crate::common;
use crate::common::four_nodes::province_of;
use crate::http::{BUSINESS_LICENSE, ID_CARD};
use deltaseal::pki::Province::{Anhui, Zhejiang};
use rstest::rstest;
use serde_json::json;

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

    // its own node changes its status (what a verifier elsewhere learns of it is the
    // status list's business)
    let id = issued["identifier"].as_str().unwrap();
    let (s, v) = nodes.change_status(agency, id, "revoke", "test").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("revoked")), "{v}");

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

/// `credential` with its signed `local_type_code` set to `local`, signed again by
/// key-store entry `agency` (so only the code is wrong, never the signature).
fn resigned_with_local_code(
    nodes: &FourNodes,
    agency: &str,
    credential: &str,
    local: impl Into<Value>,
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
    for wrong in [Value::from(wrong), json!(5), json!([own])] {
        let forged = resigned_with_local_code(&nodes, agency, &credential, wrong.clone());
        let v = verified(&nodes, verifier, json!({ "artifact": forged })).await;
        assert_verdict(
            &v,
            "TOTAL_FAILED",
            Some("SIG_CONSTRAINTS_FAILURE"),
            "issuer.type_authorised",
            "FAILED",
        );
    }
}
