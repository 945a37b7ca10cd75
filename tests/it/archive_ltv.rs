//! Long-term validation: a license whose agency certificate has expired since fails
//! its chain (EXPIRED) on its own; with its archive evidence — the issuance entry,
//! its inclusion proof and the signed checkpoint, kept from `GET
//! /v1/archive/proofs/inclusion?digest=` — the log proves it existed while the
//! certificate was valid, the chain is validated at that time (`archive.poe`) and it
//! passes; the validation data kept at issuance (chain, trust-list version, CRLs,
//! status list signed then) comes with the evidence and is judged too. Evidence of
//! another license proves nothing. SM2 (SH) and P-256 (JS)
//! issuers, through `deltaseal verify --at … --evidence` and the verify API's `at`
//! (which fetches the evidence itself; there the license's status at that time is
//! what remains unknown).

use crate::common;
use crate::common::http::{request_token, Chain};
use crate::crash::Server;
use base64::Engine;
use rstest::rstest;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// After every demo agency certificate's end (2029-01-01), before the roots' (2036).
const LATER: &str = "2029-06-01T00:00:00Z";

fn issue(url: &str, agency: &str, body: &Value) -> String {
    let keys = common::pki::keys();
    let token = request_token(
        &keys,
        agency,
        Chain::WithIssuer,
        url,
        time::OffsetDateTime::now_utc(),
        120,
    );
    let r = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/licenses"))
        .bearer_auth(token)
        .json(body)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().unwrap();
    v["credential"].as_str().unwrap().to_string()
}

/// The archive evidence of `credential` as its node serves it, saved to `file`.
fn keep_evidence(url: &str, credential: &str, file: &Path) {
    let jwt = credential.split('~').next().unwrap();
    let digest = hex::encode(Sha256::digest(jwt.as_bytes()));
    let payload = jwt.split('.').nth(1).unwrap();
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let iat = payload["iat"].as_i64().unwrap();
    let r = reqwest::blocking::get(format!(
        "{url}/v1/archive/proofs/inclusion?digest={digest}&at={iat}"
    ))
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    std::fs::write(file, r.bytes().unwrap()).unwrap();
}

/// `deltaseal verify --json --at LATER` of `credential` under `list`, with `evidence`.
fn verify_later(
    dir: &Path,
    list: &Path,
    credential: &str,
    evidence: Option<&Path>,
) -> (i32, Value) {
    let file = dir.join("license.sdjwt");
    std::fs::write(&file, credential).unwrap();
    let mut cmd = Command::new(common::bin());
    cmd.current_dir(common::root())
        .args(["verify", "--json", "--at", LATER, "--trust-list"])
        .arg(list)
        .arg(&file);
    if let Some(e) = evidence {
        cmd.arg("--evidence").arg(e);
    }
    let out = cmd.output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

fn check<'a>(v: &'a Value, code: &str) -> Option<&'a Value> {
    v["report"]["checks"]
        .as_array()?
        .iter()
        .find(|c| c["code"] == code)
}

#[rstest]
#[case::sm2_shanghai("sh-agency-psb", crate::http::id_card(7))]
#[case::p256_jiangsu("js-agency-samr", crate::http::business_license())]
fn an_archived_license_passes_after_its_agency_certificate_expired(
    #[case] agency: &str,
    #[case] body: Value,
) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_as_documented(&dir.path().join("node.db"));
    let credential = issue(&server.url, agency, &body);
    let other = issue(&server.url, "sh-agency-psb", &crate::http::id_card(8));
    let evidence = dir.path().join("evidence.json");
    keep_evidence(&server.url, &credential, &evidence);
    let wrong = dir.path().join("other.json");
    keep_evidence(&server.url, &other, &wrong);

    // the verify API at that time: it fetches the evidence itself and judges again
    // with the logged issuance time; the chain no longer fails
    let api = |at: &str| -> Value {
        reqwest::blocking::Client::new()
            .post(format!("{}/v1/verify", server.url))
            .json(&serde_json::json!({
                "artifact": credential, "at": at,
                "policy": {"max_status_age_s": 400_000_000u32},
            }))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let v = api(LATER);
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    // the validation data kept at issuance: in the log, of this license's chain and
    // status list (valid then), under the trust list the node held (sequence 1)
    let ltv = &v["archive"]["ltv"];
    assert_eq!(ltv["status"], "kept", "{v}");
    assert_eq!(ltv["status_then"], "valid", "{v}");
    assert_eq!(ltv["trust_list"]["sequence"], 1, "{v}");
    assert_eq!(ltv["crls"], 0, "{v}");
    assert!(
        ltv["index"].as_u64().unwrap() < v["archive"]["index"].as_u64().unwrap(),
        "{v}"
    );
    assert_eq!(
        check(&v, "archive.poe").unwrap()["outcome"],
        "PASSED",
        "{v}"
    );
    let chain_failed = v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "chain.validity" && c["outcome"] != "PASSED");
    assert!(!chain_failed, "{v}");
    // what is left is the license's own status: the list held then says nothing of
    // that time (honestly TRY_LATER, not a guess)
    assert_eq!(v["report"]["sub_indication"], "TRY_LATER", "{v}");
    assert_eq!(
        check(&v, "sdjwt.status").unwrap()["outcome"],
        "INDETERMINATE"
    );
    drop(server);

    // a trust list that still runs then (the regional signer's)
    let keys = common::pki::keys();
    let issued = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let list = common::pki::demo_trust_list(&keys, 2, issued, 1500);
    let list_file = dir.path().join("trust-list.jws");
    std::fs::write(&list_file, common::four_nodes::sign_list(&keys, &list)).unwrap();

    // alone: the agency certificate has expired — the chain fails (EXPIRED)
    let (code, v) = verify_later(dir.path(), &list_file, &credential, None);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["report"]["sub_indication"], "EXPIRED", "{v}");
    assert!(check(&v, "archive.poe").is_none());

    // with its evidence: the chain validated at the logged issuance — passed
    let (code, v) = verify_later(dir.path(), &list_file, &credential, Some(&evidence));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    let poe = check(&v, "archive.poe").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(poe["outcome"], "PASSED");
    assert!(
        poe["reason"]["en"]
            .as_str()
            .unwrap()
            .contains("archive log"),
        "{poe}"
    );
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    assert!(
        v["archive"]["at"].as_i64().unwrap() <= time::OffsetDateTime::now_utc().unix_timestamp()
    );
    assert_eq!(v["archive"]["ltv"]["status"], "kept", "{v}");

    // the validation data changed in the evidence file: it no longer holds (its entry
    // digests other text), while the issuance entry still does
    let mut changed: Value = serde_json::from_slice(&std::fs::read(&evidence).unwrap()).unwrap();
    let bundle = changed["ltv"]["bundle"]
        .as_str()
        .unwrap()
        .replace(r#""crls":[]"#, r#""crls":["AA=="]"#);
    changed["ltv"]["bundle"] = bundle.into();
    let bent = dir.path().join("bent.json");
    std::fs::write(&bent, changed.to_string()).unwrap();
    let (code, v) = verify_later(dir.path(), &list_file, &credential, Some(&bent));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    assert_eq!(v["archive"]["ltv"]["status"], "not_kept", "{v}");
    assert!(
        v["archive"]["ltv"]["en"]
            .as_str()
            .unwrap()
            .contains("its entry is not of this bundle"),
        "{v}"
    );

    // another license's evidence proves nothing for this one
    let (code, v) = verify_later(dir.path(), &list_file, &credential, Some(&wrong));
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["report"]["sub_indication"], "EXPIRED", "{v}");
    assert_eq!(v["archive"]["status"], "not_archived", "{v}");
    assert!(check(&v, "archive.poe").is_none());

    // evidence that is not an inclusion answer: an input error
    std::fs::write(&wrong, "{}").unwrap();
    let file = dir.path().join("license.sdjwt");
    let out = Command::new(common::bin())
        .current_dir(common::root())
        .args(["verify", "--at", LATER, "--trust-list"])
        .arg(&list_file)
        .arg("--evidence")
        .arg(&wrong)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The CRLs a node holds (`DELTASEAL_CRLS`) are kept in the validation data of every
/// issuance, and years later validate the chain at the time of issuance: the
/// Shanghai root's CRL, current then and long expired at the validation time, makes
/// `chain.revocation` pass under the proof of existence.
#[test]
fn the_crls_a_node_holds_are_kept_at_issuance_and_check_the_chain_then() {
    let dir = tempfile::tempdir().unwrap();
    let keys = common::pki::keys();
    let root = keys.get("sh-root").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let crl = deltaseal::pki::issue_crl(
        &root.cert_der,
        root.signer.as_ref(),
        &[],
        now - time::Duration::days(1),
        now + time::Duration::days(30),
        1,
    )
    .unwrap();
    let crl_file = dir.path().join("sh-root.crl.pem");
    std::fs::write(&crl_file, deltaseal::pki::pem::crl_to_pem(&crl)).unwrap();
    let server = Server::start_with(
        &dir.path().join("node.db"),
        &[("DELTASEAL_CRLS", crl_file.to_str().unwrap())],
    );
    let credential = issue(&server.url, "sh-agency-psb", &crate::http::id_card(9));
    let evidence = dir.path().join("evidence.json");
    keep_evidence(&server.url, &credential, &evidence);
    let kept: Value = serde_json::from_slice(&std::fs::read(&evidence).unwrap()).unwrap();
    let bundle: Value = serde_json::from_str(kept["ltv"]["bundle"].as_str().unwrap()).unwrap();
    assert_eq!(
        bundle["crls"],
        serde_json::json!([base64::engine::general_purpose::STANDARD.encode(&crl)]),
        "{bundle}"
    );
    drop(server);

    let list = common::pki::demo_trust_list(&keys, 2, now - time::Duration::days(1), 1500);
    let list_file = dir.path().join("trust-list.jws");
    std::fs::write(&list_file, common::four_nodes::sign_list(&keys, &list)).unwrap();
    let (code, v) = verify_later(dir.path(), &list_file, &credential, Some(&evidence));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["archive"]["ltv"]["status"], "kept", "{v}");
    assert_eq!(v["archive"]["ltv"]["crls"], 1, "{v}");
    let revocation = check(&v, "chain.revocation").unwrap_or_else(|| panic!("{v}"));
    // checked against the CRL kept (without one it is only a warning)
    assert_eq!(revocation["outcome"], "PASSED", "{revocation}");
    assert!(
        revocation["reason"]["en"]
            .as_str()
            .unwrap()
            .starts_with("not revoked (CRL thisUpdate"),
        "{revocation}"
    );

    // a CRL setting that names no CRL: the node does not start
    let bad = dir.path().join("not-a-crl.pem");
    std::fs::write(
        &bad,
        "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
    )
    .unwrap();
    let out = Command::new(common::bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(dir.path().join("other.db"))
        .arg("--keys")
        .arg(common::root().join("keys"))
        .env("DELTASEAL_CRLS", &bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not-a-crl.pem"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
