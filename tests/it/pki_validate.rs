//! Path validation: the happy paths for every algorithm pair, each negative case failing
//! for its named reason, the SM2 samples, bounded path building, and `cert verify`.

use crate::common::{bin, fixed_now, fixtures};
use deltaseal::crypto::{Algorithm, PrivateKey, Signer, SoftwareSigner};
use deltaseal::pki::validate::{validate, CheckKind, Policy, Purpose};
use deltaseal::pki::{
    issue, issue_crl, CertTemplate, Issuer, KeyUsageBit, Province, RawExtension, RevokedEntry,
    Role, SubjectName,
};
use deltaseal::report::{Indication, SubIndication};
use rstest::rstest;
use time::macros::datetime;
use time::OffsetDateTime;

const BUSINESS_LICENSE: &str = "91100000000013295X001";

struct Holder {
    signer: SoftwareSigner,
    cert: Vec<u8>,
}

fn subject(cn: &str) -> SubjectName {
    SubjectName::new(
        Some(Province::Shanghai),
        format!("{cn} 测试单位"),
        Some("91310000MA1FL0000X".into()),
        cn,
    )
}

fn template(role: Role, cn: &str) -> CertTemplate {
    CertTemplate::for_role(
        role,
        subject(cn),
        vec![BUSINESS_LICENSE.to_string()],
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2028-01-01 00:00 UTC),
        true,
    )
}

fn root_with(alg: Algorithm, t: CertTemplate) -> Holder {
    let signer = SoftwareSigner::new("root", PrivateKey::generate(alg).unwrap());
    let cert = issue(&t, signer.public_key(), Issuer::SelfSigned(&signer)).unwrap();
    Holder { signer, cert }
}

fn root(alg: Algorithm) -> Holder {
    root_with(alg, template(Role::ProvinceRoot, "Root CA"))
}

fn leaf_with(alg: Algorithm, t: CertTemplate, ca: &Holder) -> Holder {
    let signer = SoftwareSigner::new("leaf", PrivateKey::generate(alg).unwrap());
    let cert = issue(
        &t,
        signer.public_key(),
        Issuer::Cert {
            cert_der: &ca.cert,
            signer: &ca.signer,
        },
    )
    .unwrap();
    Holder { signer, cert }
}

fn leaf(alg: Algorithm, role: Role, ca: &Holder) -> Holder {
    leaf_with(alg, template(role, "Leaf"), ca)
}

fn check(
    leaf: &Holder,
    inter: &[&Holder],
    anchor: &Holder,
    policy: &Policy<'_>,
) -> deltaseal::pki::validate::Validation {
    let inter: Vec<Vec<u8>> = inter.iter().map(|h| h.cert.clone()).collect();
    validate(
        &leaf.cert,
        &inter,
        &deltaseal::pki::TrustAnchors::any_purpose([anchor.cert.clone()]),
        policy,
    )
}

fn assert_fails(v: &deltaseal::pki::validate::Validation, kind: CheckKind, sub: SubIndication) {
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(v.failed, Some(kind), "{}", v.report);
    assert_eq!(v.report.sub_indication, Some(sub), "{}", v.report);
}

#[rstest]
fn every_algorithm_pair_validates(
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] root_alg: Algorithm,
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] leaf_alg: Algorithm,
) {
    let ca = root(root_alg);
    let l = leaf(leaf_alg, Role::IssuingAgency, &ca);
    let mut p = Policy::at(fixed_now());
    p.purpose = Purpose::LicenseSigning;
    p.license_type = Some(BUSINESS_LICENSE);
    let v = check(&l, &[], &ca, &p);
    assert!(v.passed(), "{}", v.report);
    assert_eq!(v.path.len(), 2);
    // every kind of check is in the report, in order
    let codes: Vec<&str> = v.report.checks.iter().map(|c| c.code.as_str()).collect();
    for k in [
        CheckKind::Format,
        CheckKind::PathBuilding,
        CheckKind::Signature,
        CheckKind::Validity,
        CheckKind::KeyCertSign,
        CheckKind::LeafUsage,
        CheckKind::LicenseType,
        CheckKind::Revocation,
    ] {
        assert!(
            codes.contains(&k.code()),
            "{} missing in {codes:?}",
            k.code()
        );
    }
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn expired_and_not_yet_valid(#[case] alg: Algorithm) {
    let ca = root(alg);
    let l = leaf(alg, Role::OrganisationSigner, &ca);
    let late = check(&l, &[], &ca, &Policy::at(datetime!(2029-01-01 00:00 UTC)));
    assert_fails(&late, CheckKind::Validity, SubIndication::Expired);
    let early = check(&l, &[], &ca, &Policy::at(datetime!(2025-06-01 00:00 UTC)));
    assert_fails(&early, CheckKind::Validity, SubIndication::NotYetValid);
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn wrong_issuer_finds_no_chain(#[case] alg: Algorithm) {
    let ca = root(alg);
    let other = root_with(alg, template(Role::ProvinceRoot, "Other Root CA"));
    let l = leaf(alg, Role::IssuingAgency, &ca);
    let v = check(&l, &[], &other, &Policy::at(fixed_now()));
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    assert_eq!(v.failed, Some(CheckKind::PathBuilding));
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn same_name_different_key_is_a_bad_signature(#[case] alg: Algorithm) {
    let ca = root(alg);
    // an impostor root with the same name but another key
    let impostor = root(alg);
    let l = leaf(alg, Role::IssuingAgency, &ca);
    let mut t = template(Role::IssuingAgency, "Leaf");
    t.authority_key_id = false;
    let l2 = leaf_with(alg, t, &ca);
    for (cert, _) in [(&l, 0), (&l2, 1)] {
        let v = check(cert, &[], &impostor, &Policy::at(fixed_now()));
        assert_ne!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    }
    // without AKI the names match, so the signature decides
    let v = check(&l2, &[], &impostor, &Policy::at(fixed_now()));
    assert_fails(&v, CheckKind::Signature, SubIndication::SigCryptoFailure);
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn tampered_signature_fails(#[case] alg: Algorithm) {
    let ca = root(alg);
    let mut l = leaf(alg, Role::IssuingAgency, &ca);
    let n = l.cert.len();
    l.cert[n - 3] ^= 0x01; // inside s of the signature value
    let v = check(&l, &[], &ca, &Policy::at(fixed_now()));
    assert_fails(&v, CheckKind::Signature, SubIndication::SigCryptoFailure);
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn ca_without_key_cert_sign(#[case] alg: Algorithm) {
    let mut t = template(Role::ProvinceRoot, "Root CA");
    t.key_usage = vec![KeyUsageBit::CrlSign, KeyUsageBit::DigitalSignature];
    let ca = root_with(alg, t);
    let l = leaf(alg, Role::IssuingAgency, &ca);
    let v = check(&l, &[], &ca, &Policy::at(fixed_now()));
    assert_fails(
        &v,
        CheckKind::KeyCertSign,
        SubIndication::ChainConstraintsFailure,
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn path_length_exceeded(#[case] alg: Algorithm) {
    let ca = root(alg); // pathLen 0
    let mut t = template(Role::ProvinceRoot, "Intermediate CA");
    t.authority_key_id = true;
    let inter = leaf_with(alg, t, &ca);
    let l = leaf(alg, Role::IssuingAgency, &inter);
    let v = check(&l, &[&inter], &ca, &Policy::at(fixed_now()));
    assert_fails(
        &v,
        CheckKind::PathLength,
        SubIndication::ChainConstraintsFailure,
    );

    // with pathLen 1 the same shape passes
    let mut t = template(Role::ProvinceRoot, "Root CA");
    t.path_len = Some(1);
    let ca = root_with(alg, t);
    let mut t = template(Role::ProvinceRoot, "Intermediate CA");
    t.authority_key_id = true;
    let inter = leaf_with(alg, t, &ca);
    let l = leaf(alg, Role::IssuingAgency, &inter);
    let v = check(&l, &[&inter], &ca, &Policy::at(fixed_now()));
    assert!(v.passed(), "{}", v.report);
    assert_eq!(v.path.len(), 3);
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn leaf_used_for_another_purpose(#[case] alg: Algorithm) {
    let ca = root(alg);
    let seal_authority = leaf(Algorithm::Sm2Sm3, Role::SealAuthority, &ca);
    let mut p = Policy::at(fixed_now());
    p.purpose = Purpose::LicenseSigning;
    let v = check(&seal_authority, &[], &ca, &p);
    assert_fails(
        &v,
        CheckKind::LeafUsage,
        SubIndication::ChainConstraintsFailure,
    );
    p.purpose = Purpose::SealMaking;
    assert!(check(&seal_authority, &[], &ca, &p).passed());
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn revoked_by_crl(#[case] alg: Algorithm) {
    let ca = root(alg);
    let l = leaf(Algorithm::Sm2Sm3, Role::OrganisationSigner, &ca);
    let other = leaf(Algorithm::Sm2Sm3, Role::OrganisationSigner, &ca);
    let serial = deltaseal::pki::validate::ParsedCert::parse(&l.cert)
        .unwrap()
        .serial()
        .to_vec();
    let crl = issue_crl(
        &ca.cert,
        &ca.signer,
        &[RevokedEntry {
            serial,
            revoked_at: datetime!(2026-03-01 00:00 UTC),
            reason: None,
        }],
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-07-01 00:00 UTC),
        1,
    )
    .unwrap();
    let crls = vec![crl];
    let mut p = Policy::at(fixed_now());
    p.crls = &crls;
    let v = check(&l, &[], &ca, &p);
    assert_fails(&v, CheckKind::Revocation, SubIndication::Revoked);
    // the other leaf is not on the list
    let v = check(&other, &[], &ca, &p);
    assert!(v.passed(), "{}", v.report);
    // before the revocation date the leaf was good (CRL current at that time is required)
    p.at = datetime!(2026-02-01 00:00 UTC);
    p.require_revocation_info = true;
    let v = check(&l, &[], &ca, &p);
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    assert_eq!(v.report.sub_indication, Some(SubIndication::TryLater));
    // a stale CRL is not relied on
    p.at = datetime!(2026-08-01 00:00 UTC);
    let v = check(&l, &[], &ca, &p);
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::TryLater),
        "{}",
        v.report
    );
    // a CRL signed by someone else is not relied on
    let impostor = root(alg);
    let forged = issue_crl(
        &impostor.cert,
        &impostor.signer,
        &[],
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-07-01 00:00 UTC),
        1,
    )
    .unwrap();
    let crls = vec![forged];
    let mut p = Policy::at(fixed_now());
    p.crls = &crls;
    p.require_revocation_info = true;
    let v = check(&l, &[], &ca, &p);
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn unknown_critical_extension(#[case] alg: Algorithm) {
    let ca = root(alg);
    let mut t = template(Role::IssuingAgency, "Leaf");
    t.extra_extensions.push(RawExtension {
        oid: const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.9.9"),
        critical: true,
        value: vec![0x05, 0x00],
    });
    let l = leaf_with(alg, t, &ca);
    let v = check(&l, &[], &ca, &Policy::at(fixed_now()));
    assert_fails(
        &v,
        CheckKind::CriticalExtension,
        SubIndication::ChainConstraintsFailure,
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn agency_not_authorised_for_license_type(#[case] alg: Algorithm) {
    let ca = root(alg);
    let l = leaf(alg, Role::IssuingAgency, &ca);
    let mut p = Policy::at(fixed_now());
    p.purpose = Purpose::LicenseSigning;
    p.license_type = Some("11100000000013127D002");
    let v = check(&l, &[], &ca, &p);
    assert_fails(
        &v,
        CheckKind::LicenseType,
        SubIndication::SigConstraintsFailure,
    );
}

#[test]
fn garbage_is_a_format_failure() {
    let ca = root(Algorithm::Sm2Sm3);
    for bytes in [&b""[..], &b"\x30\x82\xff\xff"[..], &[0x30; 100][..]] {
        let v = validate(
            bytes,
            &[],
            &deltaseal::pki::TrustAnchors::any_purpose([ca.cert.clone()]),
            &Policy::at(fixed_now()),
        );
        assert_eq!(v.failed, Some(CheckKind::Format));
        assert_eq!(v.report.sub_indication, Some(SubIndication::FormatFailure));
    }
}

/// Many same-named candidate issuers, each cross-certified by the others: path building
/// stays bounded and ends with an answer.
#[test]
fn many_candidate_intermediates_stay_bounded() {
    let alg = Algorithm::EcdsaP256Sha256;
    let ca = root(alg);
    let mut t = template(Role::ProvinceRoot, "Bridge CA");
    t.path_len = Some(7);
    t.authority_key_id = false;
    // 40 intermediates of the same name, none issued by the anchor
    let others: Vec<Holder> = (0..40)
        .map(|_| {
            let s = SoftwareSigner::new("x", PrivateKey::generate(alg).unwrap());
            let mut t2 = t.clone();
            t2.authority_key_id = false;
            t2.subject_key_id = false;
            let cert = issue(&t2, s.public_key(), Issuer::SelfSigned(&s)).unwrap();
            Holder { signer: s, cert }
        })
        .collect();
    let mut lt = template(Role::IssuingAgency, "Leaf");
    lt.authority_key_id = false;
    let l = leaf_with(alg, lt, &others[0]);
    let pool: Vec<Vec<u8>> = others.iter().map(|h| h.cert.clone()).collect();
    let v = validate(
        &l.cert,
        &pool,
        &deltaseal::pki::TrustAnchors::any_purpose([ca.cert.clone()]),
        &Policy::at(fixed_now()),
    );
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    assert_eq!(v.failed, Some(CheckKind::PathBuilding));
    let _ = &others[0].signer;
}

fn sample_der(name: &str) -> Vec<u8> {
    let pem = std::fs::read(fixtures().join("samples/keys").join(name)).unwrap();
    let (_, p) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
    p.contents
}

/// The sample SM2 root is CA:TRUE but lacks keyCertSign: strict validation rejects chains
/// through it and says so, although every signature verifies.
#[rstest]
#[case("sign_cert.pem")]
#[case("user.pem")]
#[case("sealer.pem")]
fn sample_root_without_key_cert_sign_is_rejected(#[case] leaf: &str) {
    let at: OffsetDateTime = datetime!(2021-09-01 00:00 UTC);
    let v = validate(
        &sample_der(leaf),
        &[],
        &deltaseal::pki::TrustAnchors::any_purpose([sample_der("root.pem")]),
        &Policy::at(at),
    );
    assert_fails(
        &v,
        CheckKind::KeyCertSign,
        SubIndication::ChainConstraintsFailure,
    );
    let sig = v.report.check(CheckKind::Signature.code()).unwrap();
    assert_eq!(
        sig.outcome,
        deltaseal::report::Outcome::Passed,
        "{}",
        v.report
    );
    assert!(v.report.to_string().contains("keyCertSign"));
}

#[test]
fn cli_cert_verify_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let ca = root(Algorithm::Sm2Sm3);
    let l = leaf(Algorithm::Sm2Sm3, Role::OrganisationSigner, &ca);
    let pem =
        |der: &[u8]| der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap();
    std::fs::write(dir.path().join("root.pem"), pem(&ca.cert)).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), pem(&l.cert)).unwrap();
    std::fs::write(dir.path().join("leaf.der"), &l.cert).unwrap();
    let other = root(Algorithm::Sm2Sm3);
    std::fs::write(dir.path().join("other.pem"), pem(&other.cert)).unwrap();
    std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(bin())
            .current_dir(dir.path())
            .args(["cert", "verify"])
            .args(args)
            .output()
            .unwrap()
    };
    let ok = run(&[
        "--trust",
        "root.pem",
        "--at",
        "2026-06-01T00:00:00Z",
        "--purpose",
        "stamp",
        "leaf.pem",
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let der = run(&[
        "--trust",
        "root.pem",
        "--at",
        "2026-06-01T00:00:00Z",
        "leaf.der",
    ]);
    assert_eq!(der.status.code(), Some(0));
    let expired = run(&[
        "--trust",
        "root.pem",
        "--at",
        "2030-01-01T00:00:00Z",
        "--json",
        "leaf.pem",
    ]);
    assert_eq!(expired.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&expired.stdout).unwrap();
    assert_eq!(json["indication"], "TOTAL_FAILED");
    assert_eq!(json["sub_indication"], "EXPIRED");
    let unknown = run(&[
        "--trust",
        "other.pem",
        "--at",
        "2026-06-01T00:00:00Z",
        "leaf.pem",
    ]);
    assert_eq!(unknown.status.code(), Some(3));
    let bad = run(&["--trust", "root.pem", "junk.pem"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad_time = run(&["--trust", "root.pem", "--at", "yesterday", "leaf.pem"]);
    assert_eq!(bad_time.status.code(), Some(2));
    let _ = &l.signer;
}
