//! Strict RFC 5280 path validation: each rule of the strict profile refuses the
//! certificate or CRL that breaks it, under its own check code, for P-256 and SM2. The
//! deviant certificates are made by the project's own builder ([`Deviations`] and raw
//! extensions of [`CertTemplate`]); keys of other algorithms (P-192, RSA, DSA) are made by
//! `openssl` and written as a raw SubjectPublicKeyInfo, signed by a P-256 or SM2 CA.

use crate::common::pki::keys;
use crate::common::{fixed_now, have_openssl, root};
use deltaseal::crypto::{Algorithm, PrivateKey, Signer, SoftwareSigner};
use deltaseal::pki::validate::{validate, CheckKind, Policy, Validation};
use deltaseal::pki::{
    issue, issue_crl, issue_crl_with, issue_with, CertBuilder, CertTemplate, CrlDeviations, Issuer,
    KeyUsageBit, Province, RawExtension, Role, SubjectName, TrustAnchors,
};
use deltaseal::report::{Indication, Outcome, SubIndication};
use der::asn1::{Any, PrintableStringRef, SetOfVec, Utf8StringRef};
use der::Encode;
use rstest::rstest;
use std::process::Command;
use time::macros::datetime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::constraints::name::{GeneralSubtree, NameConstraints};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

struct Holder {
    signer: SoftwareSigner,
    cert: Vec<u8>,
}

fn subject(p: Province, cn: &str) -> SubjectName {
    SubjectName::new(
        Some(p),
        format!("{cn} 测试单位"),
        Some("91310000MA1FL0000X".into()),
        cn,
    )
}

fn template(role: Role, p: Province, cn: &str) -> CertTemplate {
    CertTemplate::for_role(
        role,
        subject(p, cn),
        vec![],
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2028-01-01 00:00 UTC),
        true,
    )
}

fn root_template() -> CertTemplate {
    template(Role::ProvinceRoot, Province::Shanghai, "Root CA")
}

fn self_signed(alg: Algorithm, t: CertTemplate) -> Holder {
    let signer = SoftwareSigner::new("root", PrivateKey::generate(alg).unwrap());
    let cert = issue(&t, signer.public_key(), Issuer::SelfSigned(&signer)).unwrap();
    Holder { signer, cert }
}

fn ca(alg: Algorithm) -> Holder {
    self_signed(alg, root_template())
}

fn under(alg: Algorithm, t: CertTemplate, ca: &Holder) -> Holder {
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

fn signer_template() -> CertTemplate {
    template(Role::OrganisationSigner, Province::Shanghai, "Leaf")
}

fn validate_with(
    leaf: &Holder,
    inter: &[&Holder],
    anchor: &Holder,
    crls: &[Vec<u8>],
) -> Validation {
    let inter: Vec<Vec<u8>> = inter.iter().map(|h| h.cert.clone()).collect();
    let mut p = Policy::at(fixed_now());
    p.crls = crls;
    validate(
        &leaf.cert,
        &inter,
        &TrustAnchors::any_purpose([anchor.cert.clone()]),
        &p,
    )
}

fn assert_refused(v: &Validation, kind: CheckKind, sub: SubIndication) {
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(v.failed, Some(kind), "{}", v.report);
    assert_eq!(v.report.sub_indication, Some(sub), "{}", v.report);
}

fn reason_of(v: &Validation, kind: CheckKind) -> String {
    v.report
        .checks
        .iter()
        .find(|c| c.code == kind.code() && c.outcome != Outcome::Passed)
        .map(|c| format!("{} / {}", c.reason.en, c.reason.zh))
        .unwrap_or_else(|| panic!("no {} check in {}", kind.code(), v.report))
}

const ALGS: [Algorithm; 2] = [Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3];

fn oid(s: &str) -> const_oid::ObjectIdentifier {
    const_oid::ObjectIdentifier::new_unwrap(s)
}

fn raw(o: &str, critical: bool, value: &[u8]) -> RawExtension {
    RawExtension {
        oid: oid(o),
        critical,
        value: value.to_vec(),
    }
}

// ---- the demo hierarchy still validates strictly ----

#[test]
fn every_demo_certificate_meets_the_strict_profile() {
    let ks = keys();
    let anchors: Vec<Vec<u8>> = ks
        .entries()
        .iter()
        .filter(|e| matches!(e.manifest.role, Role::ProvinceRoot | Role::TrustListSigner))
        .map(|e| e.cert_der.clone())
        .collect();
    let anchors = TrustAnchors::any_purpose(anchors);
    for e in ks.entries() {
        let v = validate(&e.cert_der, &[], &anchors, &Policy::at(fixed_now()));
        if e.manifest.role == Role::ProvinceRoot {
            // a CA is never accepted in the leaf position
            assert_eq!(v.failed, Some(CheckKind::LeafNotCa), "{}", v.report);
            continue;
        }
        assert!(v.passed(), "{}: {}", e.id(), v.report);
        let profile = v
            .report
            .checks
            .iter()
            .filter(|c| c.code == CheckKind::Profile.code())
            .count();
        assert_eq!(profile, v.path.len(), "{}", v.report);
        assert!(v.report.check(CheckKind::LeafKey.code()).is_some());
    }
}

// ---- CRLs ----

fn leaf_and_crl(alg: Algorithm, root: CertTemplate, d: CrlDeviations) -> Validation {
    let ca = self_signed(alg, root);
    let l = under(alg, signer_template(), &ca);
    let crl = issue_crl_with(
        &ca.cert,
        &ca.signer,
        &[],
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-07-01 00:00 UTC),
        7,
        &d,
    )
    .unwrap();
    validate_with(&l, &[], &ca, &[crl])
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn crl_rules(#[case] alg: Algorithm) {
    // the profile CRL is relied on
    let v = leaf_and_crl(alg, root_template(), CrlDeviations::default());
    assert!(v.passed(), "{}", v.report);
    assert_eq!(
        v.report
            .check(CheckKind::Revocation.code())
            .unwrap()
            .outcome,
        Outcome::Passed
    );
    // an issuer whose keyUsage lacks cRLSign
    let mut t = root_template();
    t.key_usage = vec![KeyUsageBit::KeyCertSign];
    let d = CrlDeviations {
        x509_cert_encoder: true,
        ..Default::default()
    };
    let v = leaf_and_crl(alg, t, d);
    assert_refused(&v, CheckKind::CrlSigner, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::CrlSigner).contains("cRLSign"));
    // no CRL number
    let d = CrlDeviations {
        omit_number: true,
        ..Default::default()
    };
    let v = leaf_and_crl(alg, root_template(), d);
    assert_refused(&v, CheckKind::CrlNumber, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::CrlNumber).contains("no CRL number"));
    // a critical CRL number
    let d = CrlDeviations {
        critical_number: true,
        ..Default::default()
    };
    let v = leaf_and_crl(alg, root_template(), d);
    assert_refused(&v, CheckKind::CrlNumber, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::CrlNumber).contains("critical"));
    // a delta CRL
    let d = CrlDeviations {
        delta_of: Some(6),
        ..Default::default()
    };
    let v = leaf_and_crl(alg, root_template(), d);
    assert_refused(&v, CheckKind::DeltaCrl, SubIndication::FormatFailure);
}

#[test]
fn a_crl_that_does_not_verify_is_only_unusable() {
    // A CRL of the issuer's name signed by another key does not fail the path: it is
    // not relied on (the profile is judged on CRLs that verify).
    let ca = ca(Algorithm::EcdsaP256Sha256);
    let other = ca_like(&ca);
    let l = under(Algorithm::EcdsaP256Sha256, signer_template(), &ca);
    let d = CrlDeviations {
        omit_number: true,
        ..Default::default()
    };
    let crl = issue_crl_with(
        &other.cert,
        &other.signer,
        &[],
        datetime!(2026-05-01 00:00 UTC),
        datetime!(2026-07-01 00:00 UTC),
        1,
        &d,
    )
    .unwrap();
    let v = validate_with(&l, &[], &ca, &[crl]);
    assert!(v.passed(), "{}", v.report);
    assert_eq!(
        v.report
            .check(CheckKind::Revocation.code())
            .unwrap()
            .outcome,
        Outcome::Warning
    );
}

/// Another root with the same name and another key.
fn ca_like(_ca: &Holder) -> Holder {
    ca(Algorithm::EcdsaP256Sha256)
}

// ---- CA or not ----

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn a_ca_is_never_the_leaf(#[case] alg: Algorithm) {
    let root = ca(alg);
    let mut t = template(Role::ProvinceRoot, Province::Shanghai, "Sub CA");
    t.authority_key_id = true;
    let sub = under(alg, t, &root);
    let v = validate_with(&sub, &[], &root, &[]);
    assert_refused(
        &v,
        CheckKind::LeafNotCa,
        SubIndication::ChainConstraintsFailure,
    );
    assert!(reason_of(&v, CheckKind::LeafNotCa).contains("cA=TRUE"));
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn key_cert_sign_on_a_non_ca_is_malformed(#[case] alg: Algorithm) {
    let root = ca(alg);
    let mut t = signer_template();
    t.key_usage.push(KeyUsageBit::KeyCertSign);
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(
        &v,
        CheckKind::KeyCertSignNonCa,
        SubIndication::FormatFailure,
    );
    // and it is not accepted as a leaf either
    assert!(v
        .report
        .checks
        .iter()
        .any(|c| c.code == CheckKind::LeafNotCa.code() && c.outcome == Outcome::Failed));
}

// ---- certificate profile ----

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn duplicate_extensions(#[case] alg: Algorithm) {
    let root = ca(alg);
    let mut t = signer_template();
    let e = raw("1.3.6.1.4.1.61234.2026.9.1", false, &[0x05, 0x00]);
    t.extra_extensions = vec![e.clone(), e];
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(
        &v,
        CheckKind::DuplicateExtension,
        SubIndication::FormatFailure,
    );
    assert!(reason_of(&v, CheckKind::DuplicateExtension).contains("1.3.6.1.4.1.61234.2026.9.1"));
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn v1_with_extensions(#[case] alg: Algorithm) {
    let root = ca(alg);
    let mut t = signer_template();
    t.deviations.version_v1 = true;
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::Version, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::Version).contains("v1"));
}

#[rstest]
fn bad_serial_numbers(
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] alg: Algorithm,
    #[values(vec![0u8], vec![0xffu8], vec![0x80, 0x01], vec![0x01; 21])] serial: Vec<u8>,
) {
    let root = ca(alg);
    let mut t = signer_template();
    t.serial = serial;
    t.deviations.raw_serial = true;
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::Serial, SubIndication::FormatFailure);
}

#[test]
fn the_production_template_refuses_bad_serials() {
    let root = ca(Algorithm::EcdsaP256Sha256);
    for serial in [vec![0u8], vec![0x01; 21]] {
        let mut t = signer_template();
        t.serial = serial;
        let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let s = SoftwareSigner::new("x", key);
        let made = issue(
            &t,
            s.public_key(),
            Issuer::Cert {
                cert_der: &root.cert,
                signer: &root.signer,
            },
        );
        assert!(made.is_err());
    }
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn ca_with_an_empty_subject(#[case] alg: Algorithm) {
    let mut t = root_template();
    t.deviations.empty_subject = true;
    let root = self_signed(alg, t);
    let l = under(alg, signer_template(), &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::CaSubject, SubIndication::FormatFailure);
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn ca_basic_constraints_not_critical(#[case] alg: Algorithm) {
    let mut t = root_template();
    t.deviations.basic_constraints_non_critical = true;
    let root = self_signed(alg, t);
    let l = under(alg, signer_template(), &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(
        &v,
        CheckKind::BasicConstraintsCritical,
        SubIndication::ChainConstraintsFailure,
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn ca_without_subject_key_identifier(#[case] alg: Algorithm) {
    let mut t = root_template();
    t.subject_key_id = false;
    let root = self_signed(alg, t);
    let l = under(alg, signer_template(), &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::SubjectKeyId, SubIndication::FormatFailure);
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn leaf_without_authority_key_identifier(#[case] alg: Algorithm) {
    let root = ca(alg);
    let mut t = signer_template();
    t.authority_key_id = false;
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::AuthorityKeyId, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::AuthorityKeyId).contains("missing"));
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn root_authority_key_identifier(#[case] alg: Algorithm) {
    // one that agrees with the SKI is fine
    let mut t = root_template();
    t.authority_key_id = true;
    let root = self_signed(alg, t.clone());
    let l = under(alg, signer_template(), &root);
    assert!(validate_with(&l, &[], &root, &[]).passed());
    // carrying issuer and serial
    let mut bad = t.clone();
    bad.deviations.authority_key_id_issuer_serial = true;
    let root = self_signed(alg, bad);
    let l = under(alg, signer_template(), &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::AuthorityKeyId, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::AuthorityKeyId).contains("authorityCertIssuer"));
    // disagreeing with the SKI
    let mut bad = t;
    bad.deviations.authority_key_id = Some(vec![0x42; 20]);
    let root = self_signed(alg, bad);
    let l = under(alg, signer_template(), &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(&v, CheckKind::AuthorityKeyId, SubIndication::FormatFailure);
    assert!(reason_of(&v, CheckKind::AuthorityKeyId).contains("disagrees"));
}

#[rstest]
fn malformed_authority_info_access(
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] alg: Algorithm,
    #[values(&[0x30, 0x00][..], &[0x04, 0x01, 0x00][..], &[0x30, 0x03, 0x02, 0x01, 0x01][..])]
    value: &[u8],
) {
    let root = ca(alg);
    let mut t = signer_template();
    t.extra_extensions = vec![raw("1.3.6.1.5.5.7.1.1", false, value)];
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert_refused(
        &v,
        CheckKind::AuthorityInfoAccess,
        SubIndication::FormatFailure,
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn a_well_formed_authority_info_access_is_accepted(#[case] alg: Algorithm) {
    // SEQUENCE { SEQUENCE { caIssuers, [6] "http://x" } }
    let uri = b"http://x";
    let mut ad = vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    ad.push(0x86);
    ad.push(uri.len() as u8);
    ad.extend_from_slice(uri);
    let mut seq = vec![0x30, ad.len() as u8];
    seq.extend(ad);
    let mut value = vec![0x30, seq.len() as u8];
    value.extend(seq);
    let root = ca(alg);
    let mut t = signer_template();
    t.extra_extensions = vec![raw("1.3.6.1.5.5.7.1.1", false, &value)];
    let l = under(alg, t, &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert!(v.passed(), "{}", v.report);
}

// ---- the leaf key ----

/// DER SubjectPublicKeyInfo of a fresh `openssl` key.
fn openssl_spki(genpkey: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let out = Command::new("openssl")
        .arg("genpkey")
        .args(genpkey)
        .arg("-out")
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// DSA needs parameters first.
fn openssl_dsa_spki() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("p.pem");
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DSA",
            "-pkeyopt",
            "dsa_paramgen_bits:1024",
            "-out",
        ])
        .arg(&params)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    openssl_spki(&["-paramfile", params.to_str().unwrap()])
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn unsupported_leaf_keys_are_refused_as_such(#[case] alg: Algorithm) {
    if !have_openssl() {
        eprintln!("openssl not found: skipped");
        return;
    }
    let root = ca(alg);
    let keys = [
        (
            openssl_spki(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-192"]),
            "EC P-192",
        ),
        (
            openssl_spki(&["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]),
            "RSA 1024",
        ),
        (
            openssl_spki(&["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
            "EC P-384",
        ),
        (openssl_dsa_spki(), "DSA"),
    ];
    for (spki, name) in keys {
        let mut t = signer_template();
        t.deviations.subject_public_key_info = Some(spki);
        let l = under(alg, t, &root);
        let v = validate_with(&l, &[], &root, &[]);
        assert_refused(
            &v,
            CheckKind::LeafKey,
            SubIndication::CryptoConstraintsFailure,
        );
        let why = reason_of(&v, CheckKind::LeafKey);
        assert!(why.contains(name), "{name}: {why}");
    }
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn supported_leaf_keys_are_named(#[case] alg: Algorithm) {
    let root = ca(alg);
    let l = under(alg, signer_template(), &root);
    let v = validate_with(&l, &[], &root, &[]);
    assert!(v.passed(), "{}", v.report);
    let c = v.report.check(CheckKind::LeafKey.code()).unwrap();
    let want = if alg == Algorithm::Sm2Sm3 {
        "SM2"
    } else {
        "EC P-256"
    };
    assert!(c.reason.en.contains(want), "{}", c.reason.en);
}

// ---- pathLen and self-issued intermediates ----

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn self_issued_intermediates_do_not_count_against_path_length(#[case] alg: Algorithm) {
    // root pathLen 0 → a key-rollover certificate of the same name → leaf
    let root = ca(alg);
    let mut t = root_template();
    t.authority_key_id = true;
    let rollover = under(alg, t, &root);
    let l = under(alg, signer_template(), &rollover);
    let v = validate_with(&l, &[&rollover], &root, &[]);
    assert!(v.passed(), "{}", v.report);
    assert_eq!(v.path.len(), 3);
    // a differently named intermediate does count
    let mut t = template(Role::ProvinceRoot, Province::Shanghai, "Sub CA");
    t.authority_key_id = true;
    let sub = under(alg, t, &root);
    let l = under(alg, signer_template(), &sub);
    let v = validate_with(&l, &[&sub], &root, &[]);
    assert_refused(
        &v,
        CheckKind::PathLength,
        SubIndication::ChainConstraintsFailure,
    );
}

// ---- name constraints ----

fn dn(parts: &[(&str, &str, bool)]) -> RdnSequence {
    let rdns = parts
        .iter()
        .map(|(o, v, printable)| {
            let value = if *printable {
                Any::encode_from(&PrintableStringRef::new(v).unwrap()).unwrap()
            } else {
                Any::encode_from(&Utf8StringRef::new(v).unwrap()).unwrap()
            };
            let atv = AttributeTypeAndValue { oid: oid(o), value };
            RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).unwrap())
        })
        .collect();
    RdnSequence(rdns)
}

fn province_dn(p: Province) -> GeneralName {
    GeneralName::DirectoryName(dn(&[
        ("2.5.4.6", "CN", true),
        ("2.5.4.8", p.name_zh(), false),
    ]))
}

fn subtree(base: GeneralName) -> GeneralSubtree {
    GeneralSubtree {
        base,
        minimum: 0,
        maximum: None,
    }
}

fn name_constraints(
    permitted: Vec<GeneralName>,
    excluded: Vec<GeneralName>,
    critical: bool,
) -> RawExtension {
    let nc = NameConstraints {
        permitted_subtrees: (!permitted.is_empty())
            .then(|| permitted.into_iter().map(subtree).collect()),
        excluded_subtrees: (!excluded.is_empty())
            .then(|| excluded.into_iter().map(subtree).collect()),
    };
    raw("2.5.29.30", critical, &nc.to_der().unwrap())
}

fn constrained_root(alg: Algorithm, nc: RawExtension) -> Holder {
    let mut t = root_template();
    t.extra_extensions = vec![nc];
    self_signed(alg, t)
}

fn leaf_in(alg: Algorithm, p: Province, root: &Holder) -> Validation {
    let l = under(alg, template(Role::OrganisationSigner, p, "Leaf"), root);
    validate_with(&l, &[], root, &[])
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn name_constraints_permitted_and_excluded(#[case] alg: Algorithm) {
    let root = constrained_root(
        alg,
        name_constraints(vec![province_dn(Province::Shanghai)], vec![], true),
    );
    let v = leaf_in(alg, Province::Shanghai, &root);
    assert!(v.passed(), "{}", v.report);
    assert_eq!(
        v.report
            .check(CheckKind::NameConstraints.code())
            .unwrap()
            .outcome,
        Outcome::Passed
    );
    let v = leaf_in(alg, Province::Jiangsu, &root);
    assert_refused(
        &v,
        CheckKind::NameConstraints,
        SubIndication::ChainConstraintsFailure,
    );
    assert!(reason_of(&v, CheckKind::NameConstraints).contains("outside"));

    let root = constrained_root(
        alg,
        name_constraints(vec![], vec![province_dn(Province::Jiangsu)], true),
    );
    assert!(leaf_in(alg, Province::Shanghai, &root).passed());
    let v = leaf_in(alg, Province::Jiangsu, &root);
    assert_refused(
        &v,
        CheckKind::NameConstraints,
        SubIndication::ChainConstraintsFailure,
    );
    assert!(reason_of(&v, CheckKind::NameConstraints).contains("excluded"));
}

/// A leaf in province `p` whose subjectAltName holds the directoryName of `alt`.
fn leaf_with_alt_name(alg: Algorithm, p: Province, alt: Province, root: &Holder) -> Validation {
    let san = x509_cert::ext::pkix::SubjectAltName(vec![province_dn(alt)]);
    let mut t = template(Role::OrganisationSigner, p, "Leaf");
    t.extra_extensions = vec![raw("2.5.29.17", false, &san.to_der().unwrap())];
    let l = under(alg, t, root);
    validate_with(&l, &[], root, &[])
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn name_constraints_cover_subject_alt_name_directory_names(#[case] alg: Algorithm) {
    let root = constrained_root(
        alg,
        name_constraints(vec![province_dn(Province::Shanghai)], vec![], true),
    );
    // subject and alternative name both inside the permitted subtree
    let v = leaf_with_alt_name(alg, Province::Shanghai, Province::Shanghai, &root);
    assert!(v.passed(), "{}", v.report);
    // the subject is inside, the alternative directoryName is not
    let v = leaf_with_alt_name(alg, Province::Shanghai, Province::Jiangsu, &root);
    assert_refused(
        &v,
        CheckKind::NameConstraints,
        SubIndication::ChainConstraintsFailure,
    );
    let reason = reason_of(&v, CheckKind::NameConstraints);
    assert!(reason.contains("subjectAltName directoryName"), "{reason}");
    assert!(reason.contains("outside"), "{reason}");
    // an excluded alternative name is refused as excluded
    let root = constrained_root(
        alg,
        name_constraints(vec![], vec![province_dn(Province::Anhui)], true),
    );
    let v = leaf_with_alt_name(alg, Province::Shanghai, Province::Anhui, &root);
    assert_refused(
        &v,
        CheckKind::NameConstraints,
        SubIndication::ChainConstraintsFailure,
    );
    assert!(reason_of(&v, CheckKind::NameConstraints).contains("excluded"));
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn name_constraints_of_unsupported_forms(#[case] alg: Algorithm) {
    let dns = || GeneralName::DnsName(der::asn1::Ia5String::new("example.cn").unwrap());
    // critical: fails closed, naming the form
    let root = constrained_root(alg, name_constraints(vec![dns()], vec![], true));
    let v = leaf_in(alg, Province::Shanghai, &root);
    assert_refused(
        &v,
        CheckKind::NameConstraints,
        SubIndication::ChainConstraintsFailure,
    );
    assert!(reason_of(&v, CheckKind::NameConstraints).contains("dNSName"));
    // non-critical: accepted, with a warning naming it
    let root = constrained_root(alg, name_constraints(vec![dns()], vec![], false));
    let v = leaf_in(alg, Province::Shanghai, &root);
    assert!(v.passed(), "{}", v.report);
    assert!(reason_of(&v, CheckKind::NameConstraints).contains("dNSName"));
}

// ---- policy extensions ----

#[rstest]
fn policy_extensions_are_refused_when_critical(
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] alg: Algorithm,
    #[values(
        ("2.5.29.36", &[0x30, 0x03, 0x80, 0x01, 0x00][..], CheckKind::PolicyConstraints, "policyConstraints"),
        ("2.5.29.54", &[0x02, 0x01, 0x00][..], CheckKind::InhibitAnyPolicy, "inhibitAnyPolicy")
    )]
    ext: (&str, &[u8], CheckKind, &str),
) {
    let (o, value, kind, name) = ext;
    for critical in [true, false] {
        let mut t = root_template();
        t.extra_extensions = vec![raw(o, critical, value)];
        let root = self_signed(alg, t);
        let l = under(alg, signer_template(), &root);
        let v = validate_with(&l, &[], &root, &[]);
        if critical {
            assert_refused(&v, kind, SubIndication::PolicyProcessingError);
        } else {
            assert!(v.passed(), "{}", v.report);
        }
        assert!(reason_of(&v, kind).contains(name));
    }
}

// ---- strict DER of what the project makes ----

/// The basicConstraints value of a certificate.
fn basic_constraints_value(der: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::*;
    let (_, c) = X509Certificate::from_der(der).unwrap();
    c.extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.19")
        .map(|e| e.value.to_vec())
        .unwrap()
}

/// Every role under both builders (and both algorithms on x509-cert), DER for Python.
fn every_profile() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for alg in ALGS {
        let root = ca(alg);
        out.push((format!("{alg} root"), root.cert.clone()));
        let tls = self_signed(
            alg,
            template(Role::TrustListSigner, Province::Shanghai, "TL signer"),
        );
        out.push((format!("{alg} trust-list signer"), tls.cert));
        for role in [
            Role::IssuingAgency,
            Role::SealAuthority,
            Role::OrganisationSigner,
            Role::ShowService,
        ] {
            let t = template(role, Province::Shanghai, "Leaf");
            let builders: &[CertBuilder] = if alg == Algorithm::EcdsaP256Sha256 {
                &[CertBuilder::Rcgen, CertBuilder::X509Cert]
            } else {
                &[CertBuilder::X509Cert]
            };
            for b in builders {
                let s = SoftwareSigner::new("l", PrivateKey::generate(alg).unwrap());
                let der = issue_with(
                    *b,
                    &t,
                    s.public_key(),
                    Issuer::Cert {
                        cert_der: &root.cert,
                        signer: &root.signer,
                    },
                )
                .unwrap();
                out.push((format!("{alg} {} {b:?}", role.name()), der));
            }
        }
    }
    // P-256 roots and the trust-list signer by rcgen explicitly too
    let s = SoftwareSigner::new(
        "r",
        PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap(),
    );
    for (role, name) in [
        (Role::ProvinceRoot, "root"),
        (Role::TrustListSigner, "trust-list signer"),
    ] {
        let t = template(role, Province::Shanghai, name);
        for b in [CertBuilder::Rcgen, CertBuilder::X509Cert] {
            let der = issue_with(b, &t, s.public_key(), Issuer::SelfSigned(&s)).unwrap();
            out.push((format!("P-256 {name} {b:?}"), der));
        }
    }
    out
}

#[test]
fn non_ca_basic_constraints_omit_the_default() {
    for (what, der) in every_profile() {
        let bc = basic_constraints_value(&der);
        if what.contains("root") {
            assert_eq!(&bc[..5], &[0x30, 0x06, 0x01, 0x01, 0xff], "{what}");
        } else {
            assert_eq!(bc, [0x30, 0x00], "{what}: cA FALSE must be omitted");
        }
    }
    // and so does the demo hierarchy
    for e in keys().entries() {
        if e.manifest.role != Role::ProvinceRoot {
            assert_eq!(
                basic_constraints_value(&e.cert_der),
                [0x30, 0x00],
                "{}",
                e.id()
            );
        }
    }
}

#[test]
fn python_cryptography_parses_every_profile() {
    let py = crate::license::interop::python();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (what, der)) in every_profile().into_iter().enumerate() {
        let f = dir.path().join(format!("{i}.der"));
        std::fs::write(&f, der).unwrap();
        files.push((what, f));
    }
    for e in keys().entries() {
        let f = dir.path().join(format!("{}.der", e.id()));
        std::fs::write(&f, &e.cert_der).unwrap();
        files.push((e.id().to_string(), f));
    }
    let out = Command::new(&py)
        .arg(root().join("tests/interop/parse_certs.py"))
        .args(files.iter().map(|(_, f)| f))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(lines, files.len());
    // the non-DER encoding is what it refuses
    let root_h = ca(Algorithm::Sm2Sm3);
    let mut t = signer_template();
    t.deviations.explicit_ca_false = true;
    let l = under(Algorithm::Sm2Sm3, t, &root_h);
    let f = dir.path().join("explicit.der");
    std::fs::write(&f, &l.cert).unwrap();
    let out = Command::new(&py)
        .arg(root().join("tests/interop/parse_certs.py"))
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let _ = issue_crl; // the profile CRL maker is exercised in crl_rules
}
