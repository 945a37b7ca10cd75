//! The SM2 verifier (`efficient-sm2` arithmetic behind `crypto::PublicKey`) agrees with
//! the `sm2` crate's verifier on every SM2 signature the fixtures and samples hold —
//! certificates, seals, stamps, OFD signatures, licenses, DER and raw `r‖s` — on
//! signatures made by OpenSSL and by the pure-Python `gmssl`, and on mutations of each.

use crate::common::{fixtures, have_openssl, pki::keys, root};
use crate::license::id_card_request;
use deltaseal::adapters::config::BUILTIN_CATALOG;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{der_to_raw, raw_to_der, Algorithm, PublicKey, SM2_DEFAULT_ID};
use deltaseal::license::Agency;
use deltaseal::seal::{Seal, Stamp};
use signature::Verifier as _;
use std::io::Read;
use std::path::Path;
use std::process::Command;

/// One signature to check: the key, the signed bytes, the signature as found.
struct Case {
    what: String,
    key: PublicKey,
    msg: Vec<u8>,
    sig: Vec<u8>,
}

/// The `sm2` crate's verifier, trying DER and then raw `r‖s` as the project does.
fn reference(key: &PublicKey, msg: &[u8], sig: &[u8]) -> bool {
    let pk = sm2::PublicKey::from_sec1_bytes(key.sec1_uncompressed()).unwrap();
    let vk = sm2::dsa::VerifyingKey::new(SM2_DEFAULT_ID, pk).unwrap();
    let mut raws = Vec::new();
    if let Ok(r) = der_to_raw(sig) {
        raws.push(r);
    }
    if let Ok(r) = <[u8; 64]>::try_from(sig) {
        raws.push(r);
    }
    raws.iter().any(|r| {
        sm2::dsa::Signature::from_slice(r)
            .map(|s| vk.verify(msg, &s).is_ok())
            .unwrap_or(false)
    })
}

/// Check a valid signature and its mutations: the project and the reference agree on
/// each, and both accept the original in either encoding.
fn check(c: &Case) {
    assert_eq!(c.key.algorithm(), Algorithm::Sm2Sm3, "{}", c.what);
    assert!(reference(&c.key, &c.msg, &c.sig), "reference: {}", c.what);
    assert!(c.key.verify(&c.msg, &c.sig).is_ok(), "project: {}", c.what);
    let raw = der_to_raw(&c.sig).unwrap_or_else(|_| c.sig.clone().try_into().unwrap());
    let der = raw_to_der(&raw).unwrap();
    for form in [raw.to_vec(), der] {
        assert!(
            c.key.verify(&c.msg, &form).is_ok(),
            "other form: {}",
            c.what
        );
    }
    let mut variants: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
    for bit in [0usize, 7, 100, 255, 256, 300, 511] {
        let mut s = raw;
        s[bit / 8] ^= 1 << (bit % 8);
        variants.push((format!("raw bit {bit}"), c.msg.clone(), s.to_vec()));
    }
    for i in (0..c.sig.len()).step_by(c.sig.len().div_ceil(9)) {
        let mut s = c.sig.clone();
        s[i] ^= 0x80;
        variants.push((format!("sig byte {i}"), c.msg.clone(), s));
    }
    let mut swapped = [0u8; 64];
    swapped[..32].copy_from_slice(&raw[32..]);
    swapped[32..].copy_from_slice(&raw[..32]);
    variants.push(("r, s swapped".into(), c.msg.clone(), swapped.to_vec()));
    variants.push(("truncated".into(), c.msg.clone(), raw[..63].to_vec()));
    let mut m = c.msg.clone();
    match m.last_mut() {
        Some(b) => *b ^= 1,
        None => m.push(b'x'),
    }
    variants.push(("message changed".into(), m, c.sig.clone()));
    let mut m = c.msg.clone();
    m.push(0);
    variants.push(("message extended".into(), m, c.sig.clone()));
    for (what, msg, sig) in variants {
        let project = c.key.verify(&msg, &sig).is_ok();
        assert_eq!(project, reference(&c.key, &msg, &sig), "{}: {what}", c.what);
        assert!(!project, "{}: {what} accepted", c.what);
    }
}

fn pem_certs(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            pem_certs(&p, out);
        } else if p.extension().is_some_and(|x| x == "pem") {
            let text = std::fs::read(&p).unwrap();
            if let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(&text) {
                if pem.label == "CERTIFICATE" {
                    out.push((p.display().to_string(), pem.contents));
                }
            }
        }
    }
}

/// Every SM2-signed certificate in `keys/` and the samples whose issuer is there too.
fn certificate_cases() -> Vec<Case> {
    let mut ders = Vec::new();
    pem_certs(&root().join("keys"), &mut ders);
    pem_certs(&fixtures().join("samples/keys"), &mut ders);
    let parsed: Vec<_> = ders
        .iter()
        .map(|(p, d)| (p, x509_parser::parse_x509_certificate(d).unwrap().1))
        .collect();
    let mut cases = Vec::new();
    for (path, cert) in &parsed {
        if cert.signature_algorithm.algorithm.to_id_string() != "1.2.156.10197.1.501" {
            continue;
        }
        for (_, issuer) in &parsed {
            if issuer.subject().as_raw() != cert.issuer().as_raw() {
                continue;
            }
            let Ok(key) = PublicKey::from_spki_der(issuer.public_key().raw) else {
                continue;
            };
            if key.algorithm() != Algorithm::Sm2Sm3
                || !reference(
                    &key,
                    cert.tbs_certificate.as_ref(),
                    &cert.signature_value.data,
                )
            {
                continue;
            }
            cases.push(Case {
                what: format!("certificate {path}"),
                key,
                msg: cert.tbs_certificate.as_ref().to_vec(),
                sig: cert.signature_value.data.to_vec(),
            });
        }
    }
    cases
}

fn seal_case(what: &str, seal: &Seal) -> Case {
    Case {
        what: format!("seal {what}"),
        key: PublicKey::from_spki_der(
            x509_parser::parse_x509_certificate(&seal.maker_cert)
                .unwrap()
                .1
                .public_key()
                .raw,
        )
        .unwrap(),
        msg: seal.signed_bytes().to_vec(),
        sig: seal.signature.clone(),
    }
}

fn stamp_cases(what: &str, stamp: &Stamp, out: &mut Vec<Case>) {
    out.push(seal_case(&format!("{what} (its seal)"), &stamp.seal));
    out.push(Case {
        what: format!("stamp {what}"),
        key: PublicKey::from_spki_der(
            x509_parser::parse_x509_certificate(&stamp.signer_cert)
                .unwrap()
                .1
                .public_key()
                .raw,
        )
        .unwrap(),
        msg: stamp.signed_bytes().to_vec(),
        sig: stamp.signature.clone(),
    });
}

/// The sample seals, the detached stamp, and every stamp and signature in the OFDs.
fn seal_and_stamp_cases() -> Vec<Case> {
    let dir = fixtures().join("samples/seal");
    let mut cases = Vec::new();
    for f in ["UserV1.esl", "UserV4.esl", "UserV5.esl"] {
        let seal = Seal::from_der(&std::fs::read(dir.join(f)).unwrap()).unwrap();
        cases.push(seal_case(f, &seal));
    }
    let stamp = Stamp::from_der(&std::fs::read(dir.join("SignedValueV4.dat")).unwrap()).unwrap();
    stamp_cases("SignedValueV4.dat", &stamp, &mut cases);

    let user = std::fs::read(fixtures().join("samples/keys/user.pem")).unwrap();
    let (_, user) = x509_parser::pem::parse_x509_pem(&user).unwrap();
    let user_key = PublicKey::from_spki_der(user.parse_x509().unwrap().public_key().raw).unwrap();
    for f in [
        "signedFile.ofd",
        "v4signed.ofd",
        "SESV4SignDoc.ofd",
        "h.ofd",
        "DigitalSign.ofd",
    ] {
        let file = std::fs::File::open(fixtures().join("samples/ofd").join(f)).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        for name in names.iter().filter(|n| n.ends_with("SignedValue.dat")) {
            let mut value = Vec::new();
            zip.by_name(name).unwrap().read_to_end(&mut value).unwrap();
            match Stamp::from_der(&value) {
                Ok(stamp) => stamp_cases(&format!("{f}:{name}"), &stamp, &mut cases),
                Err(_) => {
                    // A plain digital signature over the Signature.xml beside it.
                    let xml_name = name.replace("SignedValue.dat", "Signature.xml");
                    let mut xml = Vec::new();
                    zip.by_name(&xml_name)
                        .unwrap()
                        .read_to_end(&mut xml)
                        .unwrap();
                    cases.push(Case {
                        what: format!("OFD signature {f}:{name}"),
                        key: user_key.clone(),
                        msg: xml,
                        sig: value,
                    });
                }
            }
        }
    }
    cases
}

/// SM2 licenses issued by the demo agencies (the project's own signatures, raw `r‖s`).
fn license_cases() -> Vec<Case> {
    let keys = keys();
    let catalog = Catalog::from_json(BUILTIN_CATALOG).unwrap();
    let mut cases = Vec::new();
    // The demo SM2 agency that may issue resident ID cards.
    for id in ["sh-agency-psb"] {
        let e = keys.get(id).unwrap();
        let agency = Agency::new(e.signer.clone(), vec![e.cert_der.clone()]).unwrap();
        for n in 0..8 {
            let sd_jwt = agency
                .issue(
                    &catalog,
                    &id_card_request(&format!("A{n}"), n),
                    crate::common::fixed_now(),
                )
                .unwrap()
                .sd_jwt;
            let jwt = sd_jwt.split('~').next().unwrap();
            let (input, sig) = jwt.rsplit_once('.').unwrap();
            cases.push(Case {
                what: format!("license {id} #{n}"),
                key: e.signer.public_key().clone(),
                msg: input.as_bytes().to_vec(),
                sig: deltaseal::jose::b64_decode(sig, "sig", 100).unwrap(),
            });
        }
    }
    cases
}

#[test]
fn sm2_agrees_on_every_fixture_signature() {
    let certs = certificate_cases();
    let seals = seal_and_stamp_cases();
    let licenses = license_cases();
    // The demo hierarchy has SM2 roots and SM2 subjects in two provinces and the
    // samples have their root → sealer/user chain; every sample seal and stamp counts.
    assert!(certs.len() >= 10, "only {} SM2 certificates", certs.len());
    assert!(
        seals.len() >= 14,
        "only {} seal/stamp signatures",
        seals.len()
    );
    for c in certs.iter().chain(&seals).chain(&licenses) {
        check(c);
    }
}

/// A fresh SM2 key as PEM (PKCS#8) and its public key, made by OpenSSL.
fn openssl_key(dir: &Path) -> PublicKey {
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    ok(Command::new("openssl")
        .current_dir(dir)
        .args(["genpkey", "-algorithm", "SM2", "-out", "sk.pem"])
        .output()
        .unwrap());
    let out = ok(Command::new("openssl")
        .current_dir(dir)
        .args(["pkey", "-in", "sk.pem", "-pubout"])
        .output()
        .unwrap());
    PublicKey::from_pem(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

#[test]
fn sm2_agrees_on_openssl_signatures() {
    assert!(have_openssl(), "openssl is required for the interop tests");
    let dir = tempfile::tempdir().unwrap();
    let key = openssl_key(dir.path());
    for n in 0..12usize {
        let msg: Vec<u8> = (0..n * 37).map(|i| (i * 7 + n) as u8).collect();
        std::fs::write(dir.path().join("msg"), &msg).unwrap();
        let out = Command::new("openssl")
            .current_dir(dir.path())
            .args(["dgst", "-sm3", "-sign", "sk.pem"])
            .args(["-sigopt", "distid:1234567812345678", "-out", "sig", "msg"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check(&Case {
            what: format!("OpenSSL signature #{n}"),
            key: key.clone(),
            msg,
            sig: std::fs::read(dir.path().join("sig")).unwrap(),
        });
    }
}

#[test]
fn sm2_agrees_on_gmssl_signatures() {
    let py = crate::license::interop::python();
    let out = Command::new(py)
        .arg(root().join("tests/interop/sm2_sign_gmssl.py"))
        .arg("12")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = PublicKey::from_sec1(
        Algorithm::Sm2Sm3,
        &hex::decode(v["public_key"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 12);
    for (n, s) in sigs.iter().enumerate() {
        check(&Case {
            what: format!("gmssl signature #{n}"),
            key: key.clone(),
            msg: hex::decode(s["msg"].as_str().unwrap()).unwrap(),
            sig: hex::decode(s["sig"].as_str().unwrap()).unwrap(),
        });
    }
}
