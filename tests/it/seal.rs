//! Seals and stamps: the field samples, round trips checked by OpenSSL, tampering,
//! authorisation, hostile DER, and the `deltaseal seal` CLI.

use crate::common::{fixed_now, shared};
use deltaseal::report::{Indication, Outcome, Report, SubIndication};
use deltaseal::seal::{verify_detached, verify_seal, Seal, SealTrust, SealVersion, Stamp};
use std::path::PathBuf;
use time::macros::datetime;

fn sample(name: &str) -> PathBuf {
    shared().join("samples").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn outcome(r: &Report, code: &str) -> Outcome {
    r.check(code)
        .unwrap_or_else(|| panic!("no check {code} in\n{r}"))
        .outcome
}

fn pem_der(path: &std::path::Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    der::pem::decode_vec(text.trim().as_bytes()).unwrap().1
}

// ---- the field samples, through the library ----

#[rstest::rstest]
#[case("seal/UserV1.esl", SealVersion::V1, datetime!(2021-01-01 00:00 UTC))]
#[case("seal/UserV4.esl", SealVersion::V4, datetime!(2021-01-01 00:00 UTC))]
#[case("seal/UserV5.esl", SealVersion::V5, datetime!(2027-01-01 00:00 UTC))]
fn sample_seal_signature_valid(
    #[case] name: &str,
    #[case] version: SealVersion,
    #[case] at: time::OffsetDateTime,
) {
    let bytes = read(name);
    let seal = Seal::from_der(&bytes).unwrap();
    assert_eq!(seal.version, version);
    let r = verify_seal(&bytes, &SealTrust::none(), at);
    assert_eq!(outcome(&r, "seal.format"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "seal.signature"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "seal.validity"), Outcome::Passed, "{r}");
    // No trust anchor given: the seal authority's chain cannot be established.
    assert_eq!(
        outcome(&r, "seal_authority.chain"),
        Outcome::Indeterminate,
        "{r}"
    );
    assert_ne!(r.indication, Indication::TotalPassed, "{r}");
}

#[test]
fn sample_seal_after_its_validity_is_expired() {
    let r = verify_seal(&read("seal/UserV4.esl"), &SealTrust::none(), fixed_now());
    assert_eq!(outcome(&r, "seal.signature"), Outcome::Passed, "{r}");
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    assert_eq!(
        r.check("seal.validity").unwrap().sub_indication,
        Some(SubIndication::Expired)
    );
}

#[test]
fn sample_signed_value_v4_hash_mismatch() {
    let stamp = read("seal/SignedValueV4.dat");
    let xml = read("seal/Signature.xml");
    let r = verify_detached(&stamp, &xml, &SealTrust::none(), fixed_now());
    assert_eq!(outcome(&r, "stamp.format"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "stamp.signature"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "stamp.signer_listed"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "seal.signature"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "seal.validity"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "signer.validity"), Outcome::Passed, "{r}");
    assert_eq!(outcome(&r, "stamp.data_hash"), Outcome::Failed, "{r}");
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure), "{r}");
    let st = Stamp::from_der(&stamp).unwrap();
    assert_eq!(st.property_info, "/Doc_0/Signs/Sign_0/Signature.xml");
}

#[test]
fn sample_root_without_key_cert_sign_is_rejected() {
    let anchors = vec![pem_der(&sample("keys/root.pem"))];
    let r = verify_seal(
        &read("seal/UserV4.esl"),
        &SealTrust::anchors(&anchors),
        datetime!(2021-01-01 00:00 UTC),
    );
    assert_eq!(outcome(&r, "seal.signature"), Outcome::Passed, "{r}");
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    assert!(
        r.checks
            .iter()
            .any(|c| c.code.starts_with("seal_authority.")
                && c.outcome == Outcome::Failed
                && c.sub_indication == Some(SubIndication::ChainConstraintsFailure)),
        "{r}"
    );
}
