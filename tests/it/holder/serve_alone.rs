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
