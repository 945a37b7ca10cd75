//! Revocation across the four nodes: a license revoked in its province is REVOKED on
//! another province's node after that node's refresh; with the issuing node down the
//! verifier works from the status list it holds until that is too old (TRY_LATER); a
//! seal re-versioned in Shanghai makes its stamps REVOKED in Jiangsu. P-256 (JS → ZJ)
//! and SM2 (SH → AH).

use super::*;
use crate::common;
use crate::common::four_nodes::province_of;
use base64::Engine as _;
use deltaseal::pki::Province::{Anhui, Jiangsu, Shanghai, Zhejiang};
use rstest::rstest;
use serde_json::json;
use time::Duration;

#[rstest]
#[case::p256_js_to_zj("js-agency-samr", Zhejiang)]
#[case::sm2_sh_to_ah("sh-agency-samr", Anhui)]
#[tokio::test]
async fn revoked_in_its_province_is_revoked_elsewhere_after_the_refresh(
    #[case] agency: &str,
    #[case] verifier: Province,
) {
    let mut nodes = FourNodes::start().await;
    let home = province_of(&nodes.keys, agency);
    let (s, first) = nodes.issue(agency, &business_license()).await;
    assert_eq!(s, 201, "{first}");
    let other = nodes.issued(agency, &business_license()).await;
    let credential = first["credential"].as_str().unwrap();
    let body = json!({ "artifact": credential });

    let v = verified(&nodes, verifier, body.clone()).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "sdjwt.status", "PASSED");
    assert_eq!(v["revocation"]["uri"], first["status_list"]["uri"], "{v}");

    let id = first["identifier"].as_str().unwrap();
    let (s, r) = nodes
        .change_status(agency, id, "revoke", "obtained by fraud")
        .await;
    assert_eq!(s, 200, "{r}");
    // on its own node at once
    let v = verified(&nodes, home, body.clone()).await;
    assert_verdict(
        &v,
        "TOTAL_FAILED",
        Some("REVOKED"),
        "sdjwt.status",
        "FAILED",
    );
    // elsewhere within the list's ttl the list held still says valid …
    let v = verified(&nodes, verifier, body.clone()).await;
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    // … and after it, the refreshed list says revoked
    nodes.set_now(nodes.now() + Duration::seconds(301));
    let v = verified(&nodes, verifier, body.clone()).await;
    assert_verdict(
        &v,
        "TOTAL_FAILED",
        Some("REVOKED"),
        "sdjwt.status",
        "FAILED",
    );

    // the issuing node goes down: the verifier keeps judging from what it holds …
    let other_body = json!({ "artifact": other });
    let v = verified(&nodes, verifier, other_body.clone()).await;
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    nodes.stop(home).await;
    nodes.set_now(nodes.now() + Duration::hours(2));
    let v = verified(&nodes, verifier, other_body.clone()).await;
    assert_verdict(&v, "TOTAL_PASSED", None, "sdjwt.status", "PASSED");
    assert!(v["revocation"]["age_s"].as_i64().unwrap() >= 7200, "{v}");
    // the list relied on is the one fetched before the node went down
    assert_ne!(
        v["revocation"]["fetched_at"], v["report"]["validation_time"],
        "{v}"
    );
    // … until it is too old for the policy (a stale cache), then TRY_LATER
    let strict = json!({ "artifact": other, "policy": {"max_status_age_s": 3600} });
    let v = verified(&nodes, verifier, strict).await;
    assert_verdict(
        &v,
        "INDETERMINATE",
        Some("TRY_LATER"),
        "sdjwt.status",
        "INDETERMINATE",
    );
}

#[tokio::test]
async fn a_seal_re_versioned_in_shanghai_makes_its_stamps_revoked_in_jiangsu() {
    let nodes = FourNodes::start().await;
    let (s, v) = nodes
        .post_json(
            Shanghai,
            "/v1/seals",
            Some("sh-seal-authority"),
            &seal_request("sh-org-1"),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let es_id = v["es_id"].as_str().unwrap().to_string();
    let doc = std::fs::read(common::fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
    let (s, _, stamped) = nodes
        .send(
            Shanghai,
            "POST",
            &format!("/v1/seals/{es_id}/stamp?format=ofd&x=20&y=30"),
            Some("sh-org-1"),
            Some(("application/ofd", doc)),
        )
        .await;
    assert_eq!(s, 200);
    let body = json!({
        "artifact": base64::engine::general_purpose::STANDARD.encode(&stamped),
        "encoding": "base64",
    });
    let v = verified(&nodes, Jiangsu, body.clone()).await;
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");

    let (s, v) = nodes
        .post_json(
            Shanghai,
            &format!("/v1/seals/{es_id}/signers"),
            Some("sh-seal-authority"),
            &json!({"signers": ["sh-org-1", "sh-org-2"]}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    nodes.set_now(nodes.now() + Duration::seconds(301));
    let v = verified(&nodes, Jiangsu, body).await;
    assert_eq!(v["report"]["indication"], "TOTAL_FAILED", "{v}");
    assert_eq!(v["report"]["sub_indication"], "REVOKED", "{v}");
    let revoked = v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"].as_str().unwrap().ends_with("seal.revocation"))
        .unwrap();
    assert_eq!(revoked["outcome"], "FAILED", "{revoked}");
}
