//! A seal made and an OFD stamped on one province's node, verified on another's.

use super::*;
use crate::common;
use base64::Engine as _;
use deltaseal::pki::Province::{Anhui, Jiangsu, Shanghai, Zhejiang};
use rstest::rstest;
use serde_json::json;

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
    // the stamped document and the seal are on the home province's archive log, as
    // the verifier in the other province finds (by digest, from the home node)
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    assert_eq!(v["archive"]["province"], home.abbrev(), "{v}");
    let (_, _, got) = nodes
        .send(home, "GET", &format!("/v1/seals/{es_id}"), None, None)
        .await;
    let got: serde_json::Value = serde_json::from_slice(&got).unwrap();
    let v = verified(
        &nodes,
        verifier,
        json!({ "artifact": got["esl"], "encoding": "base64", "type": "seal" }),
    )
    .await;
    assert_verdict(&v, "TOTAL_PASSED", None, "seal_authority.listed", "PASSED");
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    assert_eq!(v["archive"]["province"], home.abbrev(), "{v}");
    // a stamped document changed after stamping is not the one logged
    let mut changed = stamped.clone();
    changed.extend_from_slice(b"trailing");
    let v = verified(
        &nodes,
        verifier,
        json!({ "artifact": base64::engine::general_purpose::STANDARD.encode(&changed), "encoding": "base64" }),
    )
    .await;
    assert_ne!(v["archive"]["status"], "archived", "{v}");
}
