//! The e-proof flow: request, approve or refuse, issue with a short validity and a purpose.

use super::*;
use deltaseal::license::sdjwt::{self, VerifyOptions};
use deltaseal::license::{LicenseError, ProofRequest, ProofState};
use rstest::rstest;

fn request(now: time::OffsetDateTime) -> ProofRequest {
    ProofRequest::new(
        &catalog(),
        NO_CRIMINAL_RECORD,
        "张三",
        "310101199003070019",
        HolderCodeType::CitizenId,
        "办理出国签证",
        now,
    )
    .unwrap()
}

fn fields() -> Map<String, Value> {
    json!({"name": "张三", "id_number": "310101199003070019", "result": "未发现犯罪记录"})
        .as_object()
        .unwrap()
        .clone()
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn request_approve_issue(#[case] alg: Algorithm) {
    let now = common::fixed_now();
    let h = hierarchy(alg, &[NO_CRIMINAL_RECORD]);
    let cat = catalog();
    let mut pr = request(now);
    assert_eq!(pr.state, ProofState::Requested);
    let status = StatusRef {
        idx: 3,
        uri: "https://sh.example/v1/status/x/1".into(),
    };
    let req = pr.issue_request(fields(), "P00001", status, None);
    // Not before approval.
    assert!(matches!(
        pr.issue(&h.agency, &cat, &req, now),
        Err(LicenseError::IllegalProofTransition { .. })
    ));
    pr.approve(now).unwrap();
    let cred = pr.issue(&h.agency, &cat, &req, now).unwrap();
    assert_eq!(pr.state, ProofState::Issued);
    assert_eq!(pr.identifier.as_ref(), Some(cred.identifier()));
    // Issued once only.
    assert!(pr.issue(&h.agency, &cat, &req, now).is_err());

    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let v = sdjwt::verify(&cred.sd_jwt, &VerifyOptions::new(now, &anchors));
    assert!(v.report.passed(), "{}", v.report);
    assert_eq!(v.claims["purpose"], "办理出国签证");
    // The catalogue's 90 days.
    assert_eq!(v.claims["valid_to"], "2026-08-30");
    let later = sdjwt::verify(
        &cred.sd_jwt,
        &VerifyOptions::new(now + time::Duration::days(91), &anchors),
    );
    assert!(!later.report.passed());
}

#[test]
fn illegal_transitions_and_bad_requests() {
    let now = common::fixed_now();
    let mut pr = request(now);
    pr.refuse("材料不全", now).unwrap();
    assert_eq!(pr.state, ProofState::Refused);
    assert!(matches!(
        pr.approve(now),
        Err(LicenseError::IllegalProofTransition {
            action: "approve",
            state: "refused"
        })
    ));
    assert!(pr.refuse("again", now).is_err());

    let mut pr = request(now);
    pr.approve(now).unwrap();
    assert!(pr.refuse("too late", now).is_err());
    assert!(pr.approve(now).is_err());

    let cat = catalog();
    let license_type = ProofRequest::new(
        &cat,
        ID_CARD,
        "张三",
        "1",
        HolderCodeType::CitizenId,
        "x",
        now,
    );
    assert!(matches!(
        license_type,
        Err(LicenseError::BadProofRequest(_))
    ));
    let no_purpose = ProofRequest::new(
        &cat,
        NO_CRIMINAL_RECORD,
        "张三",
        "1",
        HolderCodeType::CitizenId,
        " ",
        now,
    );
    assert!(matches!(no_purpose, Err(LicenseError::BadProofRequest(_))));
    let unknown = ProofRequest::new(
        &cat,
        "11100000000019713D999",
        "张三",
        "1",
        HolderCodeType::CitizenId,
        "x",
        now,
    );
    assert!(matches!(unknown, Err(LicenseError::UnknownType(_))));
}
