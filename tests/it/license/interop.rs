//! A second implementation agrees: the OpenWallet `sd-jwt` reference package (PyPI,
//! installed into `.venv/` by `scripts/setup-interop`) verifies licenses issued here,
//! full and as a partial presentation with key binding — ES256 entirely by it, SM2 with
//! the issuer signature checked by the pure-Python `gmssl` package.

use super::*;
use deltaseal::license::sdjwt;
use std::path::PathBuf;
use std::process::Command;

/// The interpreter of `.venv/`, made (once per test run) by `scripts/setup-interop`,
/// which is idempotent and quick when everything is installed already.
pub(crate) fn python() -> PathBuf {
    static READY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            let out = Command::new(common::root().join("scripts/setup-interop"))
                .output()
                .expect("scripts/setup-interop runs");
            assert!(
                out.status.success(),
                "scripts/setup-interop failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let py = common::root().join(".venv/bin/python");
            assert!(py.exists(), "{} missing after setup", py.display());
            py
        })
        .clone()
}

/// Verify `presentation` with the reference implementation; the claims it returns.
fn reference_verify(
    presentation: &str,
    kb: Option<(&str, &str)>,
) -> Result<Map<String, Value>, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("presentation.txt");
    std::fs::write(&file, presentation).unwrap();
    let mut cmd = Command::new(python());
    cmd.arg(common::root().join("tests/interop/verify_sdjwt.py"))
        .arg(&file);
    if let Some((aud, nonce)) = kb {
        cmd.args([aud, nonce]);
    }
    let out = cmd.output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_object()
        .unwrap()
        .clone())
}

#[rstest::rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn reference_implementation_verifies_our_license(#[case] alg: Algorithm) {
    let h = hierarchy(alg, &[ID_CARD]);
    // The holder key is P-256 in both cases: the reference verifies KB-JWTs as ES256.
    let holder = SoftwareSigner::new(
        "holder",
        PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap(),
    );
    let mut req = id_card_request("I00001", 9);
    req.holder_key = Some(holder.public_key().clone());
    let cred = h
        .agency
        .issue(&catalog(), &req, common::fixed_now())
        .unwrap();

    // Everything disclosed: the other side sees every field and every metadata claim.
    let all = reference_verify(&cred.sd_jwt, None).unwrap();
    for (k, v) in id_card_claims() {
        assert_eq!(all.get(&k), Some(&v), "{k}");
    }
    assert_eq!(all["license_id"], cred.identifier().to_string());
    assert_eq!(all["vct"], format!("urn:deltaseal:license-type:{ID_CARD}"));
    assert_eq!(all["status"]["status_list"]["idx"], 9);

    // A presentation of three claims with key binding: exactly those three, plus the
    // always-visible signed claims.
    let shown = sdjwt::present_with_key_binding(
        &cred.sd_jwt,
        &["name", "license_id", "valid_to"],
        &holder,
        "https://verifier.example",
        "nonce-42",
        common::fixed_now(),
    )
    .unwrap();
    let part = reference_verify(&shown, Some(("https://verifier.example", "nonce-42"))).unwrap();
    let mut disclosed: Vec<&str> = part
        .keys()
        .map(String::as_str)
        .filter(|k| !["iss", "iat", "nbf", "exp", "vct", "cnf", "status"].contains(k))
        .collect();
    disclosed.sort();
    assert_eq!(disclosed, ["license_id", "name", "valid_to"]);
    assert_eq!(part["name"], "张三");
    assert!(!serde_json::to_string(&part)
        .unwrap()
        .contains("310101199003070019"));

    // The reference implementation refuses what we refuse: a wrong nonce, a forged
    // disclosure, a broken signature.
    assert!(reference_verify(&shown, Some(("https://verifier.example", "other"))).is_err());
    let parsed = sdjwt::SdJwt::parse(&cred.sd_jwt).unwrap();
    let d = parsed
        .disclosures
        .iter()
        .find(|d| d.name == "name")
        .unwrap();
    let forged = deltaseal::jose::b64(
        serde_json::to_string(&json!([d.salt, "name", "李四"]))
            .unwrap()
            .as_bytes(),
    );
    let got = reference_verify(&cred.sd_jwt.replace(&d.encoded, &forged), None).unwrap();
    assert_ne!(
        got.get("name"),
        Some(&json!("李四")),
        "forged disclosure accepted"
    );
    let sig_start = parsed.jwt.rfind('.').unwrap() + 1;
    let mut broken = parsed.jwt.clone();
    let flip = if &broken[sig_start..sig_start + 1] == "A" {
        "B"
    } else {
        "A"
    };
    broken.replace_range(sig_start..sig_start + 1, flip);
    assert!(reference_verify(&cred.sd_jwt.replace(&parsed.jwt, &broken), None).is_err());
}
