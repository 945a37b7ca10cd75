//! Interoperability: every EU DCC test case in `fixtures/vectors/dcc/` (made by other
//! people's software, with the same layers as the show token) gives, layer by layer,
//! the result its `EXPECTEDRESULTS` names — through the library and through
//! `deltaseal qr inspect` — and its PNG decodes (rqrr) to its `PREFIX`.

use crate::common::{self, bin};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use deltaseal::qr::image::decode_picture;
use deltaseal::qr::inspect::parse_time;
use deltaseal::qr::{inspect, Layer, LayerOutcome, Options, DCC_PREFIX};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

struct Case {
    path: PathBuf,
    json: Value,
}

fn cases() -> Vec<Case> {
    let dir = common::fixtures().join("vectors/dcc");
    let mut out = Vec::new();
    for country in std::fs::read_dir(&dir).unwrap() {
        let country = country.unwrap().path();
        if !country.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&country).unwrap() {
            let path = f.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.trim_start_matches('\u{feff}');
            let json: Value = serde_json::from_str(text).unwrap();
            out.push(Case { path, json });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn expected(c: &Case, key: &str) -> Option<bool> {
    c.json.get("EXPECTEDRESULTS")?.get(key)?.as_bool()
}

fn passed(o: LayerOutcome) -> bool {
    o == LayerOutcome::Passed
}

#[test]
fn every_dcc_case_gives_its_expected_layer_results() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut mismatches = Vec::new();
    let mut checked = 0usize;
    for c in &cases {
        let name = c
            .path
            .strip_prefix(common::fixtures())
            .unwrap()
            .display()
            .to_string();
        let Some(text) = c.json.get("PREFIX").and_then(Value::as_str) else {
            continue;
        };
        let cert = c
            .json
            .pointer("/TESTCTX/CERTIFICATE")
            .and_then(Value::as_str)
            .and_then(|b| STANDARD.decode(b).ok());
        let at = c
            .json
            .pointer("/TESTCTX/VALIDATIONCLOCK")
            .and_then(Value::as_str)
            .map(|t| parse_time(t).unwrap_or_else(|| panic!("{name}: clock {t:?}")));
        let r = inspect(
            text,
            &Options {
                prefix: DCC_PREFIX,
                cert_der: cert.as_deref(),
                at,
            },
        );
        let o = |l| r.outcome(l);
        let mut judge = |key: &str, got: Option<bool>| {
            if let (Some(want), Some(got)) = (expected(c, key), got) {
                checked += 1;
                if want != got {
                    mismatches.push(format!("{name}: {key} expected {want}, got {got}"));
                }
            }
        };
        judge("EXPECTEDUNPREFIX", Some(passed(o(Layer::Prefix))));
        judge("EXPECTEDB45DECODE", Some(passed(o(Layer::Base45))));
        judge("EXPECTEDCOMPRESSION", Some(passed(o(Layer::Zlib))));
        judge(
            "EXPECTEDDECODE",
            Some(passed(o(Layer::Cose)) && passed(o(Layer::Claims))),
        );
        // PS256 is not verified here: such a case must say so (exit 3) rather than
        // pass or fail, unless its kid already fails.
        let unsupported = o(Layer::Signature) == LayerOutcome::Unsupported;
        if unsupported {
            assert_eq!(r.alg.as_deref(), Some("PS256"), "{name}");
            assert_eq!(r.exit_code(), 3, "{name}");
            if o(Layer::Kid) == LayerOutcome::Failed {
                judge("EXPECTEDVERIFY", Some(false));
            }
        } else if cert.is_some() {
            judge(
                "EXPECTEDVERIFY",
                Some(passed(o(Layer::Kid)) && passed(o(Layer::Signature))),
            );
        }
        if at.is_some() {
            judge("EXPECTEDEXPIRATIONCHECK", Some(passed(o(Layer::Times))));
        }
        if let Some(png) = c.json.get("2DCODE").and_then(Value::as_str) {
            let got = STANDARD
                .decode(png)
                .ok()
                .and_then(|b| decode_picture(&b).ok())
                .is_some_and(|d| d.iter().any(|x| x.text == text));
            judge("EXPECTEDPICTUREDECODE", Some(got));
        }
    }
    assert!(checked > 300, "only {checked} expectations checked");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The same through the CLI: exit 0 for a valid case, 1 for one whose signature or
/// times fail, 2 for a layer that does not decode or a wrong prefix, 3 for PS256.
#[test]
fn qr_inspect_exit_codes_follow_the_dcc_expectations() {
    let mut seen = [false; 4];
    for c in cases() {
        let Some(text) = c.json.get("PREFIX").and_then(Value::as_str) else {
            continue;
        };
        let (Some(cert), Some(clock)) = (
            c.json
                .pointer("/TESTCTX/CERTIFICATE")
                .and_then(Value::as_str),
            c.json
                .pointer("/TESTCTX/VALIDATIONCLOCK")
                .and_then(Value::as_str),
        ) else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let cert_path = dir.path().join("cert.der");
        std::fs::write(&cert_path, STANDARD.decode(cert).unwrap()).unwrap();
        let lib = inspect(
            text,
            &Options {
                prefix: DCC_PREFIX,
                cert_der: Some(&STANDARD.decode(cert).unwrap()),
                at: parse_time(clock),
            },
        );
        let out = Command::new(bin())
            .args([
                "qr", "inspect", "--prefix", "HC1:", "--json", "--at", clock, "--cert",
            ])
            .arg(&cert_path)
            .arg(text)
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        assert_eq!(code, lib.exit_code(), "{}", c.path.display());
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["layers"].as_array().unwrap().len(), 8);
        let usize_code = usize::try_from(code).unwrap();
        seen[usize_code] = true;
        // The exit code matches the expectations of the case.
        let want = |k: &str| {
            c.json
                .pointer(&format!("/EXPECTEDRESULTS/{k}"))
                .and_then(Value::as_bool)
        };
        let decodes = [
            "EXPECTEDUNPREFIX",
            "EXPECTEDB45DECODE",
            "EXPECTEDCOMPRESSION",
            "EXPECTEDDECODE",
        ]
        .iter()
        .all(|k| want(k) != Some(false));
        if !decodes {
            assert_eq!(code, 2, "{}", c.path.display());
        } else if want("EXPECTEDVERIFY") == Some(false)
            || want("EXPECTEDEXPIRATIONCHECK") == Some(false)
        {
            // A layer the case leaves untested may be the one that fails first.
            assert_ne!(code, 0, "{}", c.path.display());
        }
    }
    assert!(
        seen[0] && seen[1] && seen[2] && seen[3],
        "exit codes seen: {seen:?}"
    );
    // Wrong prefix: the project's own prefix asked of a DCC text.
    let text = cases()
        .into_iter()
        .find_map(|c| {
            c.json
                .get("PREFIX")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap();
    let out = Command::new(bin())
        .args(["qr", "inspect", &text])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("first failing layer: prefix"));
}
