//! The pages in a real browser: headless Chromium (the Debian `chromium` package, which
//! `scripts/test` installs) driven by `playwright-core` (npm, installed into
//! `tests/browser/node_modules` by `scripts/setup-interop`) through `/holder` on the
//! Shanghai node and `/verify` on the Zhejiang node of four loopback nodes, at phone
//! size. Screenshots are kept under `target/browser/`.

use super::gathered::seeded;
use crate::common;
use crate::common::four_nodes::FourNodes;
use deltaseal::pki::Province;
use serde_json::{json, Value};
use std::path::PathBuf;

/// The system Chromium.
fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("Chromium is not installed: scripts/test installs the Debian chromium package")
}

/// `tests/browser/` with its node modules, installed by `scripts/setup-interop`.
fn driver_dir() -> PathBuf {
    let dir = common::root().join("tests/browser");
    if !dir.join("node_modules/playwright-core").exists() {
        crate::license::interop::python(); // runs scripts/setup-interop, which installs it
    }
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "playwright-core missing: run scripts/setup-interop"
    );
    dir
}

/// Run the flow with `cfg`, moving the nodes' clock when it asks → every step it
/// reported.
async fn run_flow(four: &FourNodes, cfg: Value) -> Vec<Value> {
    use std::io::{BufRead, Write};
    let dir = driver_dir();
    let mut child = std::process::Command::new("node")
        .arg(dir.join("flow.mjs"))
        .arg(cfg.to_string())
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut stdin = Some(child.stdin.take().unwrap());
    let stdout = child.stdout.take().unwrap();
    // lines are read on a thread of their own, so the nodes (on this test's runtime)
    // keep answering the browser meanwhile
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut steps = Vec::new();
    let mut raw = String::new();
    // the whole flow is bounded: a browser that stops answering fails the test
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(300);
    while let Some(line) = tokio::time::timeout_at(deadline, rx.recv())
        .await
        .unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the browser flow did not finish within 300 s:\n{raw}")
        })
    {
        raw.push_str(&line);
        raw.push('\n');
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if v["step"] == "advance" {
            let secs = v["seconds"].as_i64().unwrap();
            four.set_now(four.now() + time::Duration::seconds(secs));
            let s = stdin.as_mut().expect("no clock move after the last step");
            writeln!(s, "ok").unwrap();
            s.flush().unwrap();
        }
        if v["step"] == "agency-fetch" {
            // the agency of cfg.consent fetches on its own node under the consent
            let c = &cfg["consent"];
            let p = Province::parse(c["province"].as_str().unwrap()).unwrap();
            let path = format!(
                "/v1/holders/{}/licenses?type={}&consent={}",
                c["holder_code"].as_str().unwrap(),
                c["type"].as_str().unwrap(),
                v["consent"].as_str().unwrap()
            );
            let (status, _, body) = four
                .send(p, "GET", &path, Some(c["key"].as_str().unwrap()), None)
                .await;
            steps.push(json!({
                "step": "fetched",
                "status": status,
                "body": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
            }));
            let s = stdin.as_mut().expect("no fetch after the last step");
            writeln!(s, "ok").unwrap();
            s.flush().unwrap();
        }
        // the last step: nothing more is asked, so the flow's input closes
        if v["step"] == "errors" {
            stdin = None;
        }
        steps.push(v);
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "the browser flow failed:\n{raw}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    steps
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {steps:?}"))
}

fn verified<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["step"] == "verify" && s["name"] == name)
        .unwrap_or_else(|| panic!("no verify {name} in {steps:?}"))
}

#[tokio::test]
async fn a_holder_signs_in_sees_every_province_and_a_clerk_in_another_verifies() {
    let four = seeded().await;
    let code = "310101199003072014";
    // zhang-wei's Jiangsu qualification certificate, presented with two fields
    let js = four
        .node(Province::Jiangsu)
        .store()
        .licenses_of_holder(code, 10)
        .await
        .unwrap();
    let cred = &js.first().expect("the JS demo license").credential;
    let presentation = deltaseal::license::sdjwt::present(cred, &["occupation", "level"]).unwrap();
    let shots = common::root().join("target/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let steps = run_flow(
        &four,
        json!({
            "chromium": chromium(),
            "sh": four.url(Province::Shanghai),
            "zj": four.url(Province::Zhejiang),
            "holder": "zhang-wei",
            "showProvince": "JS",
            "fields": ["occupation", "level"],
            "shots": shots,
            "qr": true,
            "camera": true,
            "pastExpiry": 400,
            "consent": {
                "agency": "11330000002500076F",
                "key": "zj-agency-psb",
                "province": "ZJ",
                "holder_code": code,
                "type": "111000007178295102002",
                "purpose": "职称评审",
                "fields": ["name", "level"],
            },
            "paste": {
                "sd-jwt": presentation,
                "garbage": "this is not a credential ~~ DS1:%%%",
            },
        }),
    )
    .await;

    let cards = step(&steps, "cards");
    let provinces: Vec<&str> = cards["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["province"].as_str().unwrap())
        .collect();
    let mut sorted = provinces.clone();
    sorted.sort();
    assert_eq!(sorted, ["JS", "SH", "SH", "ZJ"], "{cards}");
    assert!(cards["heading"].as_str().unwrap().contains("亮证"));
    let outcomes = cards["provinces"].as_array().unwrap();
    assert!(
        outcomes
            .iter()
            .any(|p| p["province"] == "SH" && p["outcome"] == "local"),
        "{cards}"
    );
    assert!(
        outcomes
            .iter()
            .any(|p| p["province"] == "JS" && p["outcome"] == "answered"),
        "{cards}"
    );
    let en = step(&steps, "english");
    assert!(
        en["heading"].as_str().unwrap().contains("Show license"),
        "{en}"
    );
    let choose = step(&steps, "choose");
    let fields: Vec<&str> = choose["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"occupation") && fields.contains(&"level"),
        "{choose}"
    );

    let v = verified(&steps, "sd-jwt");
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(
        (v["icon"].as_str(), v["words"].as_str()),
        (Some("✔"), Some("通过"))
    );
    let mut claims: Vec<&str> = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    claims.sort();
    assert_eq!(
        claims,
        ["level", "occupation"],
        "exactly the two fields: {v}"
    );
    assert!(v["province"].as_str().unwrap().contains("江苏"), "{v}");
    assert!(v["agency"].as_str().unwrap().contains("人力资源"), "{v}");
    assert!(v["checks"].as_u64().unwrap() > 3, "{v}");
    let g = verified(&steps, "garbage");
    assert!(
        g["error"].is_string() || g["indication"] == "TOTAL_FAILED",
        "a clear message: {g}"
    );
    assert!(
        !g["error"].as_str().unwrap_or_default().contains("500"),
        "{g}"
    );

    // the QR flow: the offline token passes with exactly the two fields, then expires
    let qr = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == "qr" && s["name"] == name)
            .unwrap_or_else(|| panic!("no qr {name} in {steps:?}"))
    };
    for name in ["offline", "online", "camera"] {
        let q = qr(name);
        assert!(q["text"].as_str().unwrap().starts_with("DS1:"), "{q}");
        let left = q["countdown"].as_f64().unwrap();
        assert!(
            left > 0.0 && left <= 120.0,
            "a countdown of the default ttl: {q}"
        );
    }
    let passed_with_two = |name: &str| {
        let v = verified(&steps, name);
        assert_eq!(v["indication"], "TOTAL_PASSED", "{name}: {v}");
        let mut claims: Vec<&str> = v["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        claims.sort();
        assert_eq!(
            claims,
            ["level", "occupation"],
            "{name}: exactly the two: {v}"
        );
        assert!(
            v["province"].as_str().unwrap().contains("江苏"),
            "{name}: {v}"
        );
        assert_eq!(v["holderName"], "张伟", "{name}: {v}");
        let id = v["holderId"].as_str().unwrap();
        assert!(
            id.contains('*') && !id.contains(code) && id.ends_with(&code[code.len() - 4..]),
            "{name}: a masked ID number: {v}"
        );
    };
    let failed_by = |name: &str, check: &str| {
        let v = verified(&steps, name);
        assert_eq!(v["indication"], "TOTAL_FAILED", "{name}: {v}");
        assert_eq!(v["icon"], "✖", "{name}: {v}");
        assert!(
            v["failed"].as_array().unwrap().iter().any(|c| c == check),
            "{name}: failed by {check}: {v}"
        );
    };
    passed_with_two("qr-offline");
    failed_by("qr-offline-expired", "show.expiry");
    passed_with_two("qr-online");
    failed_by("qr-online-again", "show.single_use");
    // the camera: Chromium's fake capture played the QR, the page read it and verified
    passed_with_two("camera");
    let cam = step(&steps, "camera");
    assert_eq!(
        cam["text"],
        qr("camera")["text"],
        "the scanned text is the token: {cam}"
    );
    assert!(
        ["BarcodeDetector", "jsQR"].contains(&cam["decoder"].as_str().unwrap()),
        "{cam}"
    );

    // consent: granted on the page, fetched by the ZJ agency with only those fields, the
    // access shown to the holder; revoked on the page, the next fetch refused
    let consented = step(&steps, "consented");
    assert!(
        consented["id"].as_str().unwrap().starts_with("sh-"),
        "{consented}"
    );
    assert!(
        consented["text"].as_str().unwrap().contains("职称评审"),
        "{consented}"
    );
    let fetched: Vec<&Value> = steps.iter().filter(|s| s["step"] == "fetched").collect();
    assert_eq!(fetched.len(), 2, "{steps:?}");
    assert_eq!(fetched[0]["status"], 200, "{}", fetched[0]);
    let l = &fetched[0]["body"]["licenses"][0];
    assert_eq!(l["province"], "JS", "{l}");
    assert_eq!(l["verdict"]["report"]["indication"], "TOTAL_PASSED", "{l}");
    assert_eq!(
        l["verdict"]["claims"],
        json!({"name": "张伟", "level": "三级"}),
        "{l}"
    );
    let accesses = step(&steps, "accesses")["accesses"].as_array().unwrap();
    assert_eq!(accesses.len(), 1, "{accesses:?}");
    assert_eq!(accesses[0]["province"], "ZJ");
    assert_eq!(accesses[0]["consent"], consented["id"]);
    assert!(
        accesses[0]["text"]
            .as_str()
            .unwrap()
            .contains("浙江省公安厅"),
        "{accesses:?}"
    );
    assert!(step(&steps, "revoked")["text"]
        .as_str()
        .unwrap()
        .contains("已撤销"));
    assert_eq!(
        (
            fetched[1]["status"].as_u64(),
            fetched[1]["body"]["code"].as_str()
        ),
        (Some(403), Some("consent_revoked")),
        "{}",
        fetched[1]
    );

    assert_eq!(
        step(&steps, "errors")["errors"],
        json!([]),
        "no script errors"
    );
    for shot in [
        "holder-cards.png",
        "holder-cards-en.png",
        "holder-choose.png",
        "holder-consent.png",
        "holder-accesses.png",
        "verify-sd-jwt.png",
        "holder-qr-offline.png",
        "holder-qr-online.png",
        "verify-qr-offline.png",
        "verify-qr-online-again.png",
        "verify-camera.png",
    ] {
        assert!(shots.join(shot).metadata().unwrap().len() > 1000, "{shot}");
    }
}
