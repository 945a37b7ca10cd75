//! The API against its own contract: `schemathesis` (PyPI, installed into `.venv/` by
//! `scripts/setup-interop`) runs property-based requests from the node's
//! `/openapi.json` against a running `deltaseal serve`, every request carrying a fresh
//! request token of the party its route needs (`tests/contract/hooks.py`), bounded in
//! examples and time: no 5xx, every response of its documented media type and schema.

use crate::common;
use crate::crash::Server;
use std::process::Command;

#[test]
fn the_node_meets_its_openapi_document() {
    let python = crate::license::interop::python();
    let st = python.with_file_name("schemathesis");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("node.db"));
    let out = Command::new(&st)
        .arg("run")
        .arg(format!("{}/openapi.json", server.url))
        .args([
            "--checks",
            "not_a_server_error,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "8",
            "--max-time",
            "90",
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
}
