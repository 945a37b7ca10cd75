//! Signature algorithms: Wycheproof vectors, the SM2 sample keys, OpenSSL agreement.

use crate::common::{fixtures, have_openssl};
use deltaseal::crypto::{
    der_to_raw, raw_to_der, Algorithm, PrivateKey, PublicKey, SignatureEncoding, Signer,
    SoftwareSigner,
};
use rstest::rstest;
use std::process::Command;

#[derive(serde::Deserialize)]
struct WycheFile {
    #[serde(rename = "testGroups")]
    groups: Vec<WycheGroup>,
}
#[derive(serde::Deserialize)]
struct WycheGroup {
    #[serde(rename = "publicKeyDer")]
    public_key_der: String,
    tests: Vec<WycheCase>,
}
#[derive(serde::Deserialize)]
struct WycheCase {
    #[serde(rename = "tcId")]
    id: u32,
    msg: String,
    sig: String,
    result: String,
}

/// Runs every case through the explicit-encoding path and the accept-either path.
fn run_wycheproof(file: &str, encoding: SignatureEncoding) -> usize {
    let path = fixtures().join("vectors/wycheproof").join(file);
    let text = std::fs::read_to_string(&path).expect("wycheproof vectors present");
    let parsed: WycheFile = serde_json::from_str(&text).unwrap();
    let mut n = 0;
    let mut wrong = Vec::new();
    for g in &parsed.groups {
        let pk = PublicKey::from_spki_der(&hex::decode(&g.public_key_der).unwrap())
            .expect("wycheproof keys are valid P-256 keys");
        assert_eq!(pk.algorithm(), Algorithm::EcdsaP256Sha256);
        for t in &g.tests {
            n += 1;
            let msg = hex::decode(&t.msg).unwrap();
            let sig = hex::decode(&t.sig).unwrap();
            let strict = pk.verify_encoded(&msg, &sig, encoding).is_ok();
            let either = pk.verify(&msg, &sig).is_ok();
            let expected = match t.result.as_str() {
                "valid" => true,
                "invalid" => false,
                other => panic!("unexpected result {other}"),
            };
            if strict != expected || either != expected {
                wrong.push((t.id, t.result.clone(), strict, either));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{file}: cases with the wrong result: {wrong:?}"
    );
    n
}

#[test]
fn wycheproof_p256_der_all_cases() {
    assert_eq!(
        run_wycheproof("ecdsa_secp256r1_sha256_test.json", SignatureEncoding::Der),
        484
    );
}

#[test]
fn wycheproof_p256_p1363_all_cases() {
    assert_eq!(
        run_wycheproof(
            "ecdsa_secp256r1_sha256_p1363_test.json",
            SignatureEncoding::Raw
        ),
        262
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn sign_verify_both_encodings(#[case] alg: Algorithm) {
    let key = PrivateKey::generate(alg).unwrap();
    let signer = SoftwareSigner::with_thumbprint(key);
    let msg = b"1.2.156.3005.2 sample";
    let der_sig = signer.sign(msg, SignatureEncoding::Der).unwrap();
    let raw_sig = signer.sign(msg, SignatureEncoding::Raw).unwrap();
    assert_eq!(raw_sig.len(), 64);
    let pk = signer.public_key();
    pk.verify(msg, &der_sig).unwrap();
    pk.verify(msg, &raw_sig).unwrap();
    pk.verify_encoded(msg, &der_sig, SignatureEncoding::Der)
        .unwrap();
    pk.verify_encoded(msg, &raw_sig, SignatureEncoding::Raw)
        .unwrap();
    // the conversions are inverse of each other
    assert_eq!(raw_to_der(&der_to_raw(&der_sig).unwrap()).unwrap(), der_sig);
    // a wrong message, a flipped bit, and the other encoding when strict, all fail
    assert!(pk.verify(b"other", &der_sig).is_err());
    let mut bad = raw_sig.clone();
    bad[10] ^= 1;
    assert!(pk.verify(msg, &bad).is_err());
    assert!(pk
        .verify_encoded(msg, &raw_sig, SignatureEncoding::Der)
        .is_err());
    // a key of the other algorithm with the same point bytes does not verify
    let other = Algorithm::ALL.into_iter().find(|a| *a != alg).unwrap();
    if let Ok(pk2) = PublicKey::from_sec1(other, pk.sec1_uncompressed()) {
        assert!(pk2.verify(msg, &der_sig).is_err());
    }
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn pkcs8_pem_round_trip(#[case] alg: Algorithm) {
    let key = PrivateKey::generate(alg).unwrap();
    let pem = key.to_pkcs8_pem();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let back = PrivateKey::from_pem(&pem).unwrap();
    assert_eq!(back.public_key(), key.public_key());
    assert_eq!(back.algorithm(), alg);
    let spki = key.public_key().to_spki_der();
    assert_eq!(&PublicKey::from_spki_der(&spki).unwrap(), key.public_key());
    assert_eq!(
        &PublicKey::from_pem(&key.public_key().to_pem()).unwrap(),
        key.public_key()
    );
}

#[test]
fn hostile_key_and_signature_bytes_are_errors() {
    assert!(PrivateKey::from_pem("").is_err());
    assert!(
        PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----")
            .is_err()
    );
    assert!(PrivateKey::from_pkcs8_der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    assert!(PublicKey::from_spki_der(&[0x30, 0x03, 0x02, 0x01]).is_err());
    assert!(der_to_raw(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]).is_err());
    let key = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
    for sig in [&[][..], &[0u8; 63][..], &[0u8; 64][..], &[0x30, 0x00][..]] {
        assert!(key.public_key().verify(b"m", sig).is_err());
    }
}

fn sample_key(name: &str) -> PrivateKey {
    let text = std::fs::read_to_string(fixtures().join("samples/keys").join(name)).unwrap();
    PrivateKey::from_pem(&text).unwrap()
}

fn cert_public_key(name: &str) -> PublicKey {
    let text = std::fs::read(fixtures().join("samples/keys").join(name)).unwrap();
    let (_, pem) = x509_parser::pem::parse_x509_pem(&text).unwrap();
    let cert = pem.parse_x509().unwrap();
    PublicKey::from_spki_der(cert.public_key().raw).unwrap()
}

/// The SM2 sample keys (one SEC1, one PKCS#8) sign; the project and OpenSSL verify
/// against the public key in the matching certificate.
#[rstest]
#[case("sign_key.pem", "sign_cert.pem")]
#[case("user_key.pem", "user.pem")]
fn sm2_sample_keys_sign_and_openssl_agrees(#[case] key: &str, #[case] cert: &str) {
    let key = sample_key(key);
    assert_eq!(key.algorithm(), Algorithm::Sm2Sm3);
    let pk = cert_public_key(cert);
    assert_eq!(&pk, key.public_key(), "key matches its certificate");
    let msg = "电子印章 sample message".as_bytes();
    let sig = key.sign(msg, SignatureEncoding::Der).unwrap();
    pk.verify(msg, &sig).unwrap();
    // a different signer ID does not verify
    assert!(pk.verify_sm2_with_id(msg, &sig, "").is_err());

    if !have_openssl() {
        panic!("openssl is required for the interop tests");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("msg"), msg).unwrap();
    std::fs::write(dir.path().join("sig"), &sig).unwrap();
    std::fs::write(dir.path().join("pub.pem"), pk.to_pem()).unwrap();
    let out = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "dgst",
            "-sm3",
            "-verify",
            "pub.pem",
            "-sigopt",
            "distid:1234567812345678",
        ])
        .args(["-signature", "sig", "msg"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // and OpenSSL's signature verifies in the project
    let sk_path = dir.path().join("sk.pem");
    std::fs::write(&sk_path, key.to_pkcs8_pem()).unwrap();
    let out = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "dgst",
            "-sm3",
            "-sign",
            "sk.pem",
            "-sigopt",
            "distid:1234567812345678",
        ])
        .args(["-out", "osig", "msg"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let osig = std::fs::read(dir.path().join("osig")).unwrap();
    pk.verify(msg, &osig).unwrap();
}

/// P-256: OpenSSL verifies the project's signature and the project verifies OpenSSL's.
#[test]
fn p256_openssl_agrees() {
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let msg = b"business license 91310000MA1FL0000X";
    std::fs::write(dir.path().join("msg"), msg).unwrap();
    std::fs::write(dir.path().join("sk.pem"), key.to_pkcs8_pem()).unwrap();
    std::fs::write(dir.path().join("pub.pem"), key.public_key().to_pem()).unwrap();
    std::fs::write(
        dir.path().join("sig"),
        key.sign(msg, SignatureEncoding::Der).unwrap(),
    )
    .unwrap();
    let ok = Command::new("openssl")
        .current_dir(dir.path())
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "sig",
            "msg",
        ])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let s = Command::new("openssl")
        .current_dir(dir.path())
        .args(["dgst", "-sha256", "-sign", "sk.pem", "-out", "osig", "msg"])
        .output()
        .unwrap();
    assert!(s.status.success());
    let osig = std::fs::read(dir.path().join("osig")).unwrap();
    key.public_key().verify(msg, &osig).unwrap();
}
