//! The trust list across the nodes: a tampered or rolled-back list is refused and the
//! held one kept; an expired one stops verification until a newer one comes.

use super::*;
use crate::common::fixed_now;
use crate::common::four_nodes::{sign_list, LIST_DAYS};
use crate::http::business_license;
use deltaseal::adapters::federation::{self, PollError, PollOutcome};
use deltaseal::pki::Province::{Anhui, Jiangsu, Shanghai, Zhejiang};
use deltaseal::service::ServiceError;
use deltaseal::trust_list::TrustListError;
use rstest::rstest;
use serde_json::json;

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
    // past the grace: the node holds no list it may rely on — INDETERMINATE /
    // TRY_LATER, citing the list it holds, nothing else judged (fail closed)
    nodes.set_now(due + time::Duration::days(1) + time::Duration::seconds(1));
    let v = verified(&nodes, verifier, json!({ "artifact": credential })).await;
    assert_verdict(
        &v,
        "INDETERMINATE",
        Some("TRY_LATER"),
        "trust_list.cited",
        "INDETERMINATE",
    );
    assert_eq!(v["report"]["checks"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["trust_list"]["sequence"], 1, "{v}");
    assert_eq!(v["kind"], "sd-jwt", "{v}");
    assert!(v.get("agency").map_or(true, |a| a.is_null()), "{v}");
    // the batch route answers the same way: 503 for the whole batch
    let (s, b) = nodes
        .post_json(
            verifier,
            "/v1/verify:batch",
            None,
            &json!([{ "artifact": credential }]),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (503, Some("trust_list_unavailable")),
        "{b}"
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
