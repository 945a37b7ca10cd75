//! The API against its own contract: `schemathesis` (PyPI, installed into `.venv/` by
//! `scripts/setup-interop`) runs property-based requests from the node's
//! `/openapi.json` against a running `deltaseal serve`, every request carrying a fresh
//! request token of the party its route needs, and every other case of an operation
//! acting on real records with a valid body (`tests/contract/hooks.py`), bounded in
//! examples and time: no 5xx, every response of a documented status, media type and
//! schema. Then every status the document gives each operation must have been answered
//! in that run — or, for the few a generated request cannot provoke (a slow or huge
//! body, a spent rate, a database or trust list that is gone, a conditional request),
//! by the named test that provokes it.

use crate::common;
use crate::crash::Server;
use std::collections::BTreeSet;
use std::process::Command;

/// Statuses no generated request can provoke on a healthy node, and the test of this
/// suite that provokes each one (file, function).
const PROVOKED_ELSEWHERE: &[(u16, &str, &str)] = &[
    (
        304,
        "trust_list_node.rs",
        "the_node_serves_the_committed_list_with_its_etag_and_304",
    ),
    (
        408,
        "verify_api.rs",
        "a_body_that_never_finishes_is_answered_408",
    ),
    (413, "verify_api.rs", "a_50_mb_body_is_413_unread"),
    (
        415,
        "verify_api.rs",
        "raw_artifacts_by_media_type_and_query",
    ),
    (
        429,
        "verify_api.rs",
        "over_its_rate_a_client_gets_429_with_retry_after",
    ),
    (
        503,
        "trust_list_node.rs",
        "no_valid_list_is_503_trust_list_unavailable",
    ),
    (
        503,
        "ops.rs",
        "readyz_needs_the_database_and_a_current_trust_list",
    ),
];

/// Every `(method, path, status)` the document gives ("4XX" as 400).
fn documented(doc: &serde_json::Value) -> BTreeSet<(String, String, u16)> {
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            for code in responses.keys() {
                let status = match code.as_str() {
                    "4XX" => 400,
                    "5XX" => 500,
                    c => c.parse().unwrap(),
                };
                out.insert((method.to_uppercase(), path.clone(), status));
            }
        }
    }
    out
}

#[test]
fn the_node_meets_its_openapi_document() {
    let python = crate::license::interop::python();
    let st = python.with_file_name("schemathesis");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("node.db"));
    let log = dir.path().join("answers.log");
    let out = Command::new(&st)
        .arg("run")
        .arg(format!("{}/openapi.json", server.url))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "8",
            "--max-time",
            "300",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--no-color",
            "--generation-deterministic",
        ])
        .env("PYTHONPATH", common::root().join("tests/contract"))
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("DELTASEAL_BIN", common::bin())
        .env("DELTASEAL_KEYS", common::root().join("keys"))
        .env("DELTASEAL_SERVER", &server.url)
        .env("DELTASEAL_CONTRACT_LOG", &log)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // the counts (operations, test cases) go to the test's output
    println!("{text}");
    assert!(out.status.success(), "{text}");

    // every documented status answered, here or by the test named for it
    let doc: serde_json::Value = reqwest::blocking::get(format!("{}/openapi.json", server.url))
        .unwrap()
        .json()
        .unwrap();
    let answered: BTreeSet<(String, String, u16)> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut it = l.rsplitn(2, ' ');
            let status: u16 = it.next()?.parse().ok()?;
            let (method, path) = it.next()?.split_once(' ')?;
            Some((method.to_string(), path.to_string(), status))
        })
        .collect();
    let sources: Vec<(String, String)> = PROVOKED_ELSEWHERE
        .iter()
        .map(|(_, file, _)| {
            let text = std::fs::read_to_string(common::root().join("tests/it").join(file)).unwrap();
            (file.to_string(), text)
        })
        .collect();
    for (_, file, test) in PROVOKED_ELSEWHERE {
        let (_, text) = sources.iter().find(|(f, _)| f == file).unwrap();
        assert!(
            text.contains(&format!("fn {test}(")),
            "{file} has no test {test}"
        );
    }
    let mut missing = Vec::new();
    for (method, path, status) in documented(&doc) {
        let reached = answered.iter().any(|(m, p, s)| {
            m == &method
                && p == &path
                && match status {
                    400 => (400..500).contains(s),
                    _ => *s == status,
                }
        });
        let elsewhere = PROVOKED_ELSEWHERE.iter().any(|(s, _, _)| *s == status);
        if !reached && !elsewhere {
            missing.push(format!("{method} {path} {status}"));
        }
    }
    let seen = |lo: u16, hi: u16| {
        answered
            .iter()
            .filter(|(_, _, s)| (lo..hi).contains(s))
            .count()
    };
    println!(
        "contract: {} distinct (operation, status) answered, {} of them 2xx/3xx, {} 4xx; {} documented",
        answered.len(),
        seen(200, 400),
        seen(400, 500),
        documented(&doc).len()
    );
    assert!(
        missing.is_empty(),
        "documented but never answered: {missing:#?}"
    );
}
