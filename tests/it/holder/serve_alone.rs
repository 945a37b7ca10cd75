//! `deltaseal serve` alone, as the README's first command runs it (every province on one
//! node, the demo keys, the demo holders): a demo holder signs in, sees licenses of three
//! provinces, shows one by an offline and an online QR token, and the node verifies
//! both, the online one once only.

use crate::crash::Server;
use serde_json::{json, Value};

fn post(url: &str, bearer: Option<&str>, ct: &str, body: Vec<u8>) -> Value {
    let c = reqwest::blocking::Client::new();
    let mut r = c.post(url).header("content-type", ct).body(body);
    if let Some(t) = bearer {
        r = r.bearer_auth(t);
    }
    r.send().unwrap().json().unwrap()
}

#[test]
fn serve_alone_shows_and_verifies_a_license_of_another_province() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_as_documented(&dir.path().join("node.db"));
    let base = &server.url;
    let signed_in = post(
        &format!("{base}/demo-idp/sign-in"),
        None,
        "application/json",
        json!({"holder": "zhang-wei"}).to_string().into_bytes(),
    );
    let token = signed_in["id_token"].as_str().unwrap().to_string();
    let list: Value = reqwest::blocking::Client::new()
        .get(format!("{base}/v1/holder/licenses"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let licenses = list["licenses"].as_array().unwrap();
    let mut provinces: Vec<&str> = licenses
        .iter()
        .map(|l| l["province"].as_str().unwrap())
        .collect();
    provinces.sort();
    provinces.dedup();
    assert_eq!(provinces, ["JS", "SH", "ZJ"], "{list}");
    let js = licenses.iter().find(|l| l["province"] == "JS").unwrap();
    let id = js["identifier"].as_str().unwrap();

    for mode in ["offline", "online"] {
        let shown = post(
            &format!("{base}/v1/show"),
            Some(&token),
            "application/json",
            json!({"license": id, "disclose": ["holder"], "mode": mode})
                .to_string()
                .into_bytes(),
        );
        let text = shown["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{mode}: {shown}"))
            .to_string();
        assert!(text.starts_with("DS1:"), "{text}");
        let verify = || {
            post(
                &format!("{base}/v1/verify"),
                None,
                "text/plain",
                text.clone().into_bytes(),
            )
        };
        let v = verify();
        assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{mode}: {v}");
        assert_eq!(v["claims"], json!({"holder": "张伟"}), "{mode}: {v}");
        assert_eq!(v["province"]["code"], "JS", "{v}");
        let again = verify();
        if mode == "online" {
            assert_eq!(again["report"]["indication"], "TOTAL_FAILED", "{again}");
            assert!(again.to_string().contains("replayed"), "{again}");
        } else {
            assert_eq!(again["report"]["indication"], "TOTAL_PASSED", "{again}");
        }
    }
}

/// `deltaseal license fetch --holder … --type … --consent …` as an agency.
fn cli_fetch(
    base: &str,
    agency: &str,
    consent: &str,
    claims: Option<&str>,
) -> std::process::Output {
    let mut cmd = std::process::Command::new(crate::common::bin());
    cmd.args([
        "license", "fetch", "--server", base, "--agency", agency, "--keys",
    ])
    .arg(crate::common::root().join("keys"))
    .args([
        "--holder",
        "310101199003072014",
        "--type",
        "111000007178295102002",
        "--consent",
        consent,
    ]);
    if let Some(c) = claims {
        cmd.args(["--claims", c]);
    }
    cmd.output().unwrap()
}

#[test]
fn serve_alone_lets_an_agency_fetch_a_license_under_consent_with_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_as_documented(&dir.path().join("node.db"));
    let base = &server.url;
    let signed_in = post(
        &format!("{base}/demo-idp/sign-in"),
        None,
        "application/json",
        json!({"holder": "zhang-wei"}).to_string().into_bytes(),
    );
    let token = signed_in["id_token"].as_str().unwrap().to_string();
    let until = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let consent = post(
        &format!("{base}/v1/holder/consents"),
        Some(&token),
        "application/json",
        json!({"agency": "11330000002500076F", "type_code": "111000007178295102002",
            "purpose": "职称评审", "claims": ["name", "occupation"], "until": until})
        .to_string()
        .into_bytes(),
    );
    let id = consent["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{consent}"));
    assert!(
        id.starts_with("yrd-"),
        "a node of every province keeps it: {id}"
    );

    let out = cli_fetch(base, "zj-agency-psb", id, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let l = &v["licenses"][0];
    assert_eq!(l["province"], "JS", "{v}");
    assert_eq!(l["verdict"]["report"]["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(
        l["verdict"]["claims"],
        json!({"name": "张伟", "occupation": "电工"}),
        "{v}"
    );
    assert!(
        stderr.contains("JS 111000007178295102002: TOTAL_PASSED"),
        "{stderr}"
    );

    // a claim beyond the consent, another agency: refused, exit 1, the code said
    let out = cli_fetch(base, "zj-agency-psb", id, Some("name,id_number"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("403 claims_outside_consent"), "{stderr}");
    let out = cli_fetch(base, "zj-agency-hrss", id, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("403 no_consent"));

    // revoked: the next fetch is refused
    post(
        &format!("{base}/v1/holder/consents/{id}/revoke"),
        Some(&token),
        "application/json",
        Vec::new(),
    );
    let out = cli_fetch(base, "zj-agency-psb", id, None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("403 consent_revoked"), "{stderr}");
}
