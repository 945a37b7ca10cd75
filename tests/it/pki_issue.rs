//! Certificate making: the committed demo hierarchy (OpenSSL parses and verifies every
//! chain, manifest consistent with the files), each role's profile for each algorithm
//! pair, both builders agreeing, CRLs checked by OpenSSL, the production refusal of demo
//! keys, and hostile input.

use crate::common::pki::keys;
use crate::common::{fixtures, have_openssl, root};
use ::time::macros::datetime;
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::crypto::{Algorithm, PrivateKey, PublicKey, Signer, SoftwareSigner};
use deltaseal::pki::{
    demo, issue, issue_crl, issue_with, pem, CertBuilder, CertInfo, CertTemplate, Issuer,
    KeyUsageBit, PkiError, Province, RawExtension, RevocationReason, RevokedEntry, Role,
    SubjectName,
};
use rstest::rstest;
use std::path::Path;
use std::process::Command;
use x509_parser::prelude::*;

const DISTID: &str = "distid:1234567812345678";

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl verify` of `leaf` under the trust anchor `ca` (PEM files); the SM2 signer ID
/// option only when the issuer signs with SM2 (OpenSSL rejects it for ECDSA keys).
fn openssl_verify(ca: &Path, leaf: &Path, issuer_alg: Algorithm) -> (bool, String) {
    let (ca, leaf) = (ca.to_str().unwrap(), leaf.to_str().unwrap());
    let mut args = vec!["verify"];
    if issuer_alg == Algorithm::Sm2Sm3 {
        args.extend(["-vfyopt", DISTID]);
    }
    args.extend(["-CAfile", ca, leaf]);
    openssl(&args)
}

#[test]
fn every_demo_cert_parses_with_openssl_x509() {
    if !have_openssl() {
        panic!("openssl is required for the interop tests");
    }
    let ks = keys();
    assert!(ks.entries().len() >= 29);
    for e in ks.entries() {
        let path = ks.dir().join(&e.manifest.cert);
        let (ok, text) = openssl(&["x509", "-noout", "-text", "-in", path.to_str().unwrap()]);
        assert!(ok, "{}: {text}", e.id());
        assert!(
            text.contains("Policy: 1.3.6.1.4.1.61234.2026.3.1"),
            "{}: no demo policy",
            e.id()
        );
        assert!(text.contains("DEMO"), "{}: no DEMO marker", e.id());
        let sig = match e.manifest.algorithm {
            Algorithm::EcdsaP256Sha256 => "ASN1 OID: prime256v1",
            Algorithm::Sm2Sm3 => "ASN1 OID: SM2",
        };
        assert!(
            text.contains(sig),
            "{}: key is not {}",
            e.id(),
            e.manifest.algorithm
        );
    }
}

#[test]
fn openssl_verifies_every_demo_chain() {
    let ks = keys();
    let mut mixed = 0;
    for e in ks.entries() {
        let issuer = ks.issuer_of(e.id()).expect("issuer resolves");
        let (ok, text) = openssl_verify(
            &ks.dir().join(&issuer.manifest.cert),
            &ks.dir().join(&e.manifest.cert),
            issuer.manifest.algorithm,
        );
        assert!(
            ok && text.contains(": OK"),
            "{} under {}: {text}",
            e.id(),
            issuer.id()
        );
        if issuer.manifest.algorithm != e.manifest.algorithm {
            mixed += 1;
        }
    }
    // SM2 seal authorities and organisation signers under the P-256 JS and ZJ roots.
    assert_eq!(mixed, 6);
}

#[test]
fn manifest_matches_the_files_and_the_catalogue() {
    let ks = keys();
    let catalog = deltaseal::catalog::Catalog::from_json(
        &std::fs::read_to_string(fixtures().join("catalog/types.json")).unwrap(),
    )
    .unwrap();
    for p in Province::ALL {
        let root_entry = ks.find(Role::ProvinceRoot, p).expect("a root per province");
        let want = match p {
            Province::Shanghai | Province::Anhui => Algorithm::Sm2Sm3,
            Province::Jiangsu | Province::Zhejiang => Algorithm::EcdsaP256Sha256,
        };
        assert_eq!(root_entry.manifest.algorithm, want, "{p:?} root");
        let count = |r| ks.by_province(p).filter(|e| e.manifest.role == r).count();
        assert!(count(Role::IssuingAgency) >= 2, "{p:?} agencies");
        assert_eq!(count(Role::SealAuthority), 1);
        assert_eq!(count(Role::OrganisationSigner), 2);
        assert_eq!(count(Role::ShowService), 1);
    }
    assert_eq!(ks.by_role(Role::TrustListSigner).count(), 1);
    for e in ks.entries() {
        let m = &e.manifest;
        // key matches certificate (checked by the key store) and signs verifiably
        let sig = e
            .signer
            .sign(b"probe", deltaseal::crypto::SignatureEncoding::Der)
            .unwrap();
        let (_, cert) = X509Certificate::from_der(&e.cert_der).unwrap();
        PublicKey::from_spki_der(cert.public_key().raw)
            .unwrap()
            .verify(b"probe", &sig)
            .unwrap();
        assert_eq!(e.signer.key_id(), m.id);
        // what the certificate says agrees with the manifest
        assert_eq!(e.info.role, Some(m.role), "{}", m.id);
        assert_eq!(e.info.province, m.province, "{}", m.id);
        assert_eq!(e.info.license_types, m.license_types, "{}", m.id);
        assert_eq!(e.info.uscc, m.uscc, "{}", m.id);
        assert_eq!(e.info.organisation.as_deref(), Some(m.name_zh.as_str()));
        assert!(e.info.demo, "{}", m.id);
        let uscc = m.uscc.as_deref().unwrap();
        assert!(
            deltaseal::catalog::uscc::is_valid(uscc),
            "{}: USCC {uscc}",
            m.id
        );
        if matches!(m.role, Role::SealAuthority | Role::OrganisationSigner) {
            assert_eq!(m.algorithm, Algorithm::Sm2Sm3, "{}", m.id);
        }
        for t in &m.license_types {
            assert!(
                catalog.get(t).is_some(),
                "{}: type {t} not in the catalogue",
                m.id
            );
        }
        // the issuer named in the manifest is the certificate's issuer
        let issuer = ks.issuer_of(&m.id).unwrap();
        let (_, icert) = X509Certificate::from_der(&issuer.cert_der).unwrap();
        assert_eq!(cert.issuer().as_raw(), icert.subject().as_raw(), "{}", m.id);
        assert_eq!(
            cert.validity().not_before.timestamp(),
            demo::DEMO_VALID_FROM.unix_timestamp()
        );
    }
}

#[test]
fn production_refuses_demo_certificates_but_not_others() {
    let ks = keys();
    for e in ks.entries() {
        assert!(matches!(
            demo::refuse_demo(&e.cert_der),
            Err(PkiError::DemoRefused { .. })
        ));
    }
    // A production-style certificate: same profile, no demo policy, no marker.
    let (signer, der) = self_signed_root(Algorithm::Sm2Sm3, false);
    demo::refuse_demo(&der).expect("non-demo certificate accepted");
    // The name marker alone is enough to refuse.
    let mut t = root_template(false);
    t.subject.common_name = "Shanghai Root (DEMO)".into();
    let marked = issue(&t, signer.public_key(), Issuer::SelfSigned(&signer)).unwrap();
    assert!(demo::refuse_demo(&marked).is_err());
    assert!(demo::refuse_demo(b"not a certificate").is_err());
}

fn subject(p: Option<Province>, cn: &str) -> SubjectName {
    SubjectName::new(p, "测试机构", Some("91310000MA1FL8X2Y4".into()), cn)
}

fn root_template(demo: bool) -> CertTemplate {
    CertTemplate::for_role(
        Role::ProvinceRoot,
        subject(Some(Province::Shanghai), "Test Root"),
        vec![],
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2036-01-01 00:00 UTC),
        demo,
    )
}

fn self_signed_root(alg: Algorithm, demo: bool) -> (SoftwareSigner, Vec<u8>) {
    let signer = SoftwareSigner::new("root", PrivateKey::generate(alg).unwrap());
    let der = issue(
        &root_template(demo),
        signer.public_key(),
        Issuer::SelfSigned(&signer),
    )
    .unwrap();
    (signer, der)
}

/// What x509-parser reads back from a certificate's extensions.
#[derive(Debug, PartialEq)]
struct Profile {
    ca: Option<(bool, Option<u32>)>,
    key_usage: Option<u16>,
    eku: Vec<String>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    critical: Vec<String>,
}

fn profile_of(der: &[u8]) -> Profile {
    let (_, c) = X509Certificate::from_der(der).unwrap();
    let mut p = Profile {
        ca: None,
        key_usage: None,
        eku: vec![],
        ski: None,
        aki: None,
        critical: vec![],
    };
    for e in c.extensions() {
        if e.critical {
            p.critical.push(e.oid.to_id_string());
        }
        match e.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) => p.ca = Some((bc.ca, bc.path_len_constraint)),
            ParsedExtension::KeyUsage(ku) => p.key_usage = Some(ku.flags),
            ParsedExtension::ExtendedKeyUsage(eku) => {
                p.eku = eku.other.iter().map(|o| o.to_id_string()).collect()
            }
            ParsedExtension::SubjectKeyIdentifier(k) => p.ski = Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                p.aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => {}
        }
    }
    p.critical.sort();
    p
}

fn bits(b: &[KeyUsageBit]) -> u16 {
    b.iter().fold(0, |acc, x| acc | (1 << (*x as u16)))
}

#[rstest]
fn each_role_carries_its_profile(
    #[values(
        Role::IssuingAgency,
        Role::SealAuthority,
        Role::OrganisationSigner,
        Role::ShowService
    )]
    role: Role,
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] issuer_alg: Algorithm,
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] subject_alg: Algorithm,
) {
    let (root_signer, root_der) = self_signed_root(issuer_alg, true);
    let key = PrivateKey::generate(subject_alg).unwrap();
    let types = vec!["11100000MB014336X0001".to_string()];
    let t = CertTemplate::for_role(
        role,
        subject(Some(Province::Jiangsu), "Leaf"),
        types.clone(),
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2029-01-01 00:00 UTC),
        true,
    );
    let der = issue(
        &t,
        key.public_key(),
        Issuer::Cert {
            cert_der: &root_der,
            signer: &root_signer,
        },
    )
    .unwrap();

    let p = profile_of(&der);
    let root_p = profile_of(&root_der);
    use KeyUsageBit::*;
    let want_ku = match role {
        Role::ShowService => bits(&[DigitalSignature]),
        _ => bits(&[DigitalSignature, NonRepudiation]),
    };
    assert_eq!(p.ca, Some((false, None)));
    assert_eq!(p.key_usage, Some(want_ku));
    assert_eq!(p.eku, vec![role.eku().unwrap().to_string()]);
    assert_eq!(
        p.ski.as_deref(),
        Some(&deltaseal::pki::ext::key_identifier(key.public_key())[..])
    );
    assert_eq!(p.aki, root_p.ski, "AKI is the root's SKI");
    assert_eq!(
        p.critical,
        vec!["2.5.29.15".to_string(), "2.5.29.19".to_string()]
    );
    assert_eq!(root_p.ca, Some((true, Some(0))));
    assert_eq!(root_p.key_usage, Some(bits(&[KeyCertSign, CrlSign])));
    assert_eq!(root_p.aki, None);

    let info = CertInfo::from_der(&der).unwrap();
    assert_eq!(info.role, Some(role));
    assert_eq!(info.province, Some(Province::Jiangsu));
    assert_eq!(
        info.license_types,
        if role == Role::IssuingAgency {
            types
        } else {
            vec![]
        }
    );
    assert!(info.demo);
    assert_eq!(
        CertInfo::from_der(&root_der).unwrap().role,
        Some(Role::ProvinceRoot)
    );

    // signature algorithm is the issuer's, and the issuer's key verifies it
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(
        c.signature_algorithm.algorithm.to_id_string(),
        issuer_alg.signature_oid().to_string()
    );
    assert!(c.signature_algorithm.parameters.is_none());
    root_signer
        .public_key()
        .verify(c.tbs_certificate.as_ref(), &c.signature_value.data)
        .unwrap();

    // and OpenSSL agrees, mixed chains included
    let dir = tempfile::tempdir().unwrap();
    let (ca, leaf) = (dir.path().join("ca.pem"), dir.path().join("leaf.pem"));
    std::fs::write(&ca, pem::cert_to_pem(&root_der)).unwrap();
    std::fs::write(&leaf, pem::cert_to_pem(&der)).unwrap();
    let (ok, text) = openssl_verify(&ca, &leaf, issuer_alg);
    assert!(ok, "{text}");
}

#[test]
fn rcgen_and_x509_cert_builders_agree_on_p256() {
    let (root_signer, root_der) = self_signed_root(Algorithm::EcdsaP256Sha256, true);
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let t = CertTemplate::for_role(
        Role::IssuingAgency,
        subject(Some(Province::Zhejiang), "Agency"),
        vec![
            "11100000000019713D001".into(),
            "11100000000019713D002".into(),
        ],
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2029-01-01 00:00 UTC),
        true,
    );
    let issuer = Issuer::Cert {
        cert_der: &root_der,
        signer: &root_signer,
    };
    let a = issue_with(CertBuilder::Rcgen, &t, key.public_key(), issuer).unwrap();
    let b = issue_with(CertBuilder::X509Cert, &t, key.public_key(), issuer).unwrap();
    assert_eq!(profile_of(&a), profile_of(&b));
    assert_eq!(
        CertInfo::from_der(&a).unwrap(),
        CertInfo::from_der(&b).unwrap()
    );
    let (_, ca) = X509Certificate::from_der(&a).unwrap();
    let (_, cb) = X509Certificate::from_der(&b).unwrap();
    assert_eq!(
        ca.subject().as_raw(),
        cb.subject().as_raw(),
        "same subject DER"
    );
    assert_eq!(
        ca.issuer().as_raw(),
        cb.issuer().as_raw(),
        "same issuer DER"
    );
    assert_eq!(ca.validity().not_after, cb.validity().not_after);
    assert_eq!(ca.raw_serial(), cb.raw_serial());
    // rcgen cannot make SM2 certificates: asking for it is an error, not a wrong cert
    let sm2 = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
    assert!(matches!(
        issue_with(CertBuilder::Rcgen, &t, sm2.public_key(), issuer),
        Err(PkiError::InvalidTemplate(_))
    ));
}

#[rstest]
fn templates_can_be_bent_for_negative_tests(
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] alg: Algorithm,
) {
    let signer = SoftwareSigner::new("ca", PrivateKey::generate(alg).unwrap());
    let mut t = root_template(true);
    t.key_usage
        .retain(|b| *b != KeyUsageBit::CrlSign && *b != KeyUsageBit::KeyCertSign);
    t.key_usage.push(KeyUsageBit::DigitalSignature);
    t.path_len = Some(3);
    t.not_after = datetime!(2026-02-01 00:00 UTC);
    t.extra_extensions.push(RawExtension {
        oid: const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.9.9"),
        critical: true,
        value: vec![0x05, 0x00],
    });
    let der = issue(&t, signer.public_key(), Issuer::SelfSigned(&signer)).unwrap();
    let p = profile_of(&der);
    assert_eq!(p.ca, Some((true, Some(3))));
    assert_eq!(p.key_usage, Some(bits(&[KeyUsageBit::DigitalSignature])));
    assert!(p
        .critical
        .contains(&"1.3.6.1.4.1.61234.2026.9.9".to_string()));
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(
        c.validity().not_after.timestamp(),
        t.not_after.unix_timestamp()
    );
}

#[test]
fn bad_templates_and_bad_input_are_typed_errors() {
    let (root_signer, root_der) = self_signed_root(Algorithm::Sm2Sm3, true);
    let other = SoftwareSigner::new("x", PrivateKey::generate(Algorithm::Sm2Sm3).unwrap());
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let t = CertTemplate::for_role(
        Role::ShowService,
        subject(Some(Province::Anhui), "Show"),
        vec![],
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2027-01-01 00:00 UTC),
        false,
    );
    // the signer does not hold the issuer certificate's key
    assert_eq!(
        issue(
            &t,
            key.public_key(),
            Issuer::Cert {
                cert_der: &root_der,
                signer: &other
            }
        ),
        Err(PkiError::IssuerKeyMismatch)
    );
    // self-signed with someone else's key
    assert_eq!(
        issue(&t, key.public_key(), Issuer::SelfSigned(&other)),
        Err(PkiError::IssuerKeyMismatch)
    );
    let good = Issuer::Cert {
        cert_der: &root_der,
        signer: &root_signer,
    };
    let mut z = t.clone();
    z.serial = vec![0];
    assert!(matches!(
        issue(&z, key.public_key(), good),
        Err(PkiError::InvalidTemplate(_))
    ));
    let mut back = t.clone();
    back.not_after = back.not_before;
    assert!(matches!(
        issue(&back, key.public_key(), good),
        Err(PkiError::InvalidTemplate(_))
    ));
    let mut weird = t.clone();
    weird.subject.uscc = Some("not printable: 中".into());
    assert!(issue(&weird, key.public_key(), good).is_err());
    // truncated or garbage issuer certificates and inputs
    for bad in [
        &root_der[..root_der.len() - 1],
        &root_der[..10],
        b"\x30\x80\x00\x00".as_slice(),
        b"".as_slice(),
    ] {
        assert!(issue(
            &t,
            key.public_key(),
            Issuer::Cert {
                cert_der: bad,
                signer: &root_signer
            }
        )
        .is_err());
        assert!(CertInfo::from_der(bad).is_err());
        assert!(issue_crl(
            bad,
            &root_signer,
            &[],
            datetime!(2026-01-01 00:00 UTC),
            datetime!(2026-02-01 00:00 UTC),
            1
        )
        .is_err());
    }
    let mut trailing = root_der.clone();
    trailing.push(0);
    assert!(CertInfo::from_der(&trailing).is_err());
}

#[rstest]
fn crls_parse_and_verify_with_openssl(
    #[values(Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3)] alg: Algorithm,
) {
    let (signer, root_der) = self_signed_root(alg, true);
    let revoked = vec![
        RevokedEntry {
            serial: vec![0x01, 0x23, 0x45],
            revoked_at: datetime!(2026-03-01 08:00 UTC),
            reason: Some(RevocationReason::KeyCompromise),
        },
        RevokedEntry {
            serial: vec![0x7f, 0xff],
            revoked_at: datetime!(2026-03-02 00:00 UTC),
            reason: None,
        },
    ];
    let crl = issue_crl(
        &root_der,
        &signer,
        &revoked,
        datetime!(2026-03-03 00:00 UTC),
        datetime!(2026-04-03 00:00 UTC),
        42,
    )
    .unwrap();
    // x509-parser reads it back
    let (_, parsed) =
        x509_parser::revocation_list::CertificateRevocationList::from_der(&crl).unwrap();
    let serials: Vec<_> = parsed
        .iter_revoked_certificates()
        .map(|r| r.raw_serial().to_vec())
        .collect();
    assert_eq!(serials, vec![vec![0x01, 0x23, 0x45], vec![0x7f, 0xff]]);
    assert_eq!(
        parsed.crl_number().map(|n| n.to_string()),
        Some("42".into())
    );

    let dir = tempfile::tempdir().unwrap();
    let (ca, crl_path) = (dir.path().join("ca.pem"), dir.path().join("crl.pem"));
    std::fs::write(&ca, pem::cert_to_pem(&root_der)).unwrap();
    std::fs::write(&crl_path, pem::crl_to_pem(&crl)).unwrap();
    let (ok, text) = openssl(&["crl", "-noout", "-text", "-in", crl_path.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(text.contains("012345") && text.contains("7FFF"), "{text}");
    assert!(text.contains("Key Compromise"), "{text}");
    // OpenSSL checks the CRL signature under the CA: `crl -verify` for ECDSA; for SM2
    // (`openssl crl` has no way to pass the signer ID) `pkeyutl -verify` over the TBS with
    // the default signer ID, and a wrong ID must fail.
    let dir_s = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    match alg {
        Algorithm::EcdsaP256Sha256 => {
            let (ok, text) = openssl(&[
                "crl",
                "-noout",
                "-verify",
                "-CAfile",
                ca.to_str().unwrap(),
                "-in",
                &dir_s("crl.pem"),
            ]);
            assert!(ok && text.contains("verify OK"), "{text}");
        }
        Algorithm::Sm2Sm3 => {
            std::fs::write(dir_s("tbs.der"), parsed.tbs_cert_list.as_ref()).unwrap();
            std::fs::write(dir_s("sig.der"), &*parsed.signature_value.data).unwrap();
            std::fs::write(dir_s("pub.pem"), signer.public_key().to_pem()).unwrap();
            let check = |id: &str| {
                openssl(&[
                    "pkeyutl",
                    "-verify",
                    "-pubin",
                    "-inkey",
                    &dir_s("pub.pem"),
                    "-rawin",
                    "-in",
                    &dir_s("tbs.der"),
                    "-sigfile",
                    &dir_s("sig.der"),
                    "-digest",
                    "sm3",
                    "-pkeyopt",
                    &format!("distid:{id}"),
                ])
            };
            let (ok, text) = check("1234567812345678");
            assert!(
                ok && text.contains("Signature Verified Successfully"),
                "{text}"
            );
            assert!(!check("1234567812345679").0);
        }
    }
    // a CRL signed with another key does not verify
    let other = SoftwareSigner::new("o", PrivateKey::generate(alg).unwrap());
    assert_eq!(
        issue_crl(
            &root_der,
            &other,
            &[],
            datetime!(2026-03-03 00:00 UTC),
            datetime!(2026-04-03 00:00 UTC),
            1
        ),
        Err(PkiError::IssuerKeyMismatch)
    );
}

#[test]
fn cert_show_prints_the_summary() {
    let path = root().join("keys/sh/agency-psb.cert.pem");
    let out = Command::new(crate::common::bin())
        .args(["cert", "show"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "上海市公安局",
        "113100000024280004",
        "issuing-agency",
        "SM2",
        "11100000000019713D001",
        "2029-01-01",
        "YES",
        "license signing (1.3.6.1.4.1.61234.2026.2.2)",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    let out = Command::new(crate::common::bin())
        .args(["cert", "show", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["info"]["role"], "issuing-agency");
    assert_eq!(v["info"]["province"], "SH");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pem");
    std::fs::write(
        &bad,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let out = Command::new(crate::common::bin())
        .args(["cert", "show"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn keys_init_writes_a_loadable_hierarchy() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(crate::common::bin())
        .args(["keys", "init", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // a second init would replace those keys: refused without --force, the files kept
    let manifest = std::fs::read(dir.path().join("manifest.json")).unwrap();
    let again = Command::new(crate::common::bin())
        .args(["keys", "init", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read(dir.path().join("manifest.json")).unwrap(),
        manifest
    );
    let fresh = KeyStore::load(dir.path()).unwrap();
    let committed = keys();
    assert_eq!(fresh.entries().len(), committed.entries().len());
    for (a, b) in fresh.entries().iter().zip(committed.entries()) {
        assert_eq!(a.manifest.id, b.manifest.id);
        assert_eq!(a.info, b.info, "same profile as the committed files");
        assert_ne!(a.signer.public_key(), b.signer.public_key(), "fresh keys");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(dir.path().join("sh/root.key.pem")).unwrap();
        assert_eq!(
            m.permissions().mode() & 0o077,
            0,
            "private keys are owner-only"
        );
    }
}

#[test]
fn key_store_refuses_swapped_keys_and_missing_files() {
    use deltaseal::adapters::keystore::KeyStoreError;
    let dir = tempfile::tempdir().unwrap();
    let demo = demo::generate().unwrap();
    for f in &demo.files {
        let p = dir.path().join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &f.text).unwrap();
    }
    KeyStore::load(dir.path()).expect("generated hierarchy loads");
    let (a, b) = (
        dir.path().join("sh/org-1.key.pem"),
        dir.path().join("sh/org-2.key.pem"),
    );
    std::fs::copy(&b, &a).unwrap();
    assert!(
        matches!(KeyStore::load(dir.path()), Err(KeyStoreError::Mismatch(id)) if id == "sh-org-1")
    );
    std::fs::write(
        &a,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    assert!(matches!(
        KeyStore::load(dir.path()),
        Err(KeyStoreError::Key { .. })
    ));
    std::fs::remove_file(&a).unwrap();
    assert!(matches!(
        KeyStore::load(dir.path()),
        Err(KeyStoreError::Io { .. })
    ));
    std::fs::write(
        dir.path().join("manifest.json"),
        "{\"demo\": true, \"entries\": [{}]}",
    )
    .unwrap();
    assert!(matches!(
        KeyStore::load(dir.path()),
        Err(KeyStoreError::Pki { .. })
    ));
}
