//! Every sub-indication the verification engine produces, through its one entry point
//! (`verify::verify`), each with the check that decides it, for both algorithms where
//! both apply. Those shown elsewhere through the same entry: NO_CERTIFICATE_CHAIN_FOUND,
//! SIG_CONSTRAINTS_FAILURE, CHAIN_CONSTRAINTS_FAILURE, POLICY_PROCESSING_ERROR and
//! FORMAT_FAILURE of unknown input (`verify.rs`); REVOKED, TRY_LATER and FORMAT_FAILURE
//! of a status index (`verify_status.rs`); REVOKED of a superseded seal
//! (`status_federation.rs`, `verify.rs`). Here the rest.

use crate::common::{self, fixed_now};
use crate::verify::{demo_list, demo_seal, id_card, run};
use deltaseal::jose;
use deltaseal::report::{Indication, SubIndication};
use deltaseal::verify::{verify, Context, Input, Kind, Policy, Verdict};
use rstest::rstest;
use time::Duration;

fn decided(v: &Verdict) -> (Indication, Option<SubIndication>) {
    (v.report.indication, v.report.sub_indication)
}

/// The first check that did not pass (or warn), by code.
fn deciding(v: &Verdict) -> String {
    v.report
        .checks
        .iter()
        .find(|c| c.sub_indication.is_some())
        .map(|c| c.code.clone())
        .unwrap_or_default()
}

fn at(bytes: &[u8], t: time::OffsetDateTime) -> Verdict {
    let list = demo_list();
    let policy = Policy::default();
    verify(&Input::new(bytes), &Context::new(&list, t, &policy))
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn sd_jwt_signature_digest_times_signer_and_disclosures(#[case] id: &str) {
    let list = demo_list();
    let cred = id_card(id);
    assert_eq!(
        decided(&run(&list, &Policy::default(), cred.as_bytes())),
        (Indication::TotalPassed, None)
    );

    // SIG_CRYPTO_FAILURE: one character of the issuer signature changed
    let (jwt, rest) = cred.split_once('~').unwrap();
    let mut sig: Vec<u8> = jwt.rsplit('.').next().unwrap().bytes().collect();
    sig[10] = if sig[10] == b'A' { b'B' } else { b'A' };
    let head = &jwt[..jwt.rfind('.').unwrap() + 1];
    let bad = format!("{head}{}~{rest}", String::from_utf8(sig).unwrap());
    let v = run(&list, &Policy::default(), bad.as_bytes());
    assert_eq!(
        decided(&v),
        (
            Indication::TotalFailed,
            Some(SubIndication::SigCryptoFailure)
        ),
        "{}",
        v.report
    );
    assert_eq!(deciding(&v), "sdjwt.signature");

    // HASH_FAILURE: a disclosure the issuer never signed
    let forged = jose::b64(r#"["c2FsdHNhbHRzYWx0","name","李四"]"#.as_bytes());
    let bad = format!("{jwt}~{forged}~{rest}");
    let v = run(&list, &Policy::default(), bad.as_bytes());
    assert_eq!(
        decided(&v),
        (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "{}",
        v.report
    );
    assert!(!v.claims.values().any(|c| c == "李四"));

    // NOT_YET_VALID: verified a day before it was issued
    let v = at(cred.as_bytes(), fixed_now() - Duration::days(1));
    assert_eq!(
        decided(&v),
        (Indication::TotalFailed, Some(SubIndication::NotYetValid)),
        "{}",
        v.report
    );
    // EXPIRED: verified long after the agency certificate ended
    let v = at(cred.as_bytes(), fixed_now() + Duration::days(365 * 30));
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::Expired),
        "{}",
        v.report
    );

    // SIGNED_DATA_NOT_FOUND: the policy needs a claim that is not disclosed
    let needs = Policy {
        required_disclosures: vec!["no_such_claim".into()],
        ..Policy::default()
    };
    let v = run(&list, &needs, cred.as_bytes());
    assert_eq!(
        decided(&v),
        (
            Indication::TotalFailed,
            Some(SubIndication::SignedDataNotFound)
        )
    );
    assert_eq!(deciding(&v), "policy.disclosures");

    // NO_SIGNER_CERTIFICATE_FOUND: x5c[0] is not a certificate
    let mut header: serde_json::Value = serde_json::from_slice(
        &jose::b64_decode(jwt.split('.').next().unwrap(), "header", 1 << 20).unwrap(),
    )
    .unwrap();
    header["x5c"][0] = base64_std(b"not a certificate").into();
    let parts: Vec<&str> = jwt.split('.').collect();
    let bad = format!(
        "{}.{}.{}~{rest}",
        jose::b64(&serde_json::to_vec(&header).unwrap()),
        parts[1],
        parts[2]
    );
    let v = run(&list, &Policy::default(), bad.as_bytes());
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::NoSignerCertificateFound),
        "{}",
        v.report
    );
}

fn base64_std(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn a_detached_stamp_without_its_document_is_signed_data_not_found() {
    let s = demo_seal();
    let stamp = s.stamp(b"contract text");
    let v = at(&stamp, fixed_now());
    assert_eq!(v.kind, Some(Kind::Stamp));
    assert_eq!(
        decided(&v),
        (
            Indication::TotalFailed,
            Some(SubIndication::SignedDataNotFound)
        )
    );
    assert_eq!(deciding(&v), "stamp.document");
}

/// `der` with the first two occurrences of the signature algorithm OID's last bytes
/// `from` replaced by `to` (same length: the certificate still parses).
fn with_sig_oid(der: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = der.to_vec();
    let mut n = 0;
    let mut i = 0;
    while i + from.len() <= out.len() && n < 2 {
        if out[i..i + from.len()] == *from {
            out[i..i + from.len()].copy_from_slice(to);
            n += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert_eq!(n, 2, "the OID occurs in tbs and outer signatureAlgorithm");
    out
}

#[rstest]
// ecdsa-with-SHA256 (…4.3.2) → ecdsa-with-SHA384 (…4.3.3)
#[case::p256("zj-agency-psb", &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02], &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03])]
// SM2-with-SM3 (1.2.156.10197.1.501) → 1.2.156.10197.1.502
#[case::sm2("sh-agency-psb", &[0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75], &[0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x76])]
fn a_certificate_signed_with_an_algorithm_not_accepted_is_crypto_constraints(
    #[case] id: &str,
    #[case] from: &[u8],
    #[case] to: &[u8],
) {
    let der = common::pki::keys().get(id).unwrap().cert_der.clone();
    let v = at(&der, fixed_now());
    assert_eq!(v.kind, Some(Kind::Certificate));
    assert_eq!(decided(&v), (Indication::TotalPassed, None), "{}", v.report);
    let v = at(&with_sig_oid(&der, from, to), fixed_now());
    assert_eq!(
        decided(&v),
        (
            Indication::TotalFailed,
            Some(SubIndication::CryptoConstraintsFailure)
        ),
        "{}",
        v.report
    );
    assert_eq!(deciding(&v), "chain.signature");
}
