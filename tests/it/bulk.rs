//! `deltaseal license bulk` against a running node: batches through
//! `POST /v1/licenses:batch`, a refused line reported with its reason (stderr is a pipe
//! here, not a terminal) while the rest of its batch is issued, and a rerun that
//! replays every line and says so.

use crate::common;
use crate::crash::Server;
use crate::http::id_card;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;

const AGENCY: &str = "sh-agency-psb";

fn bulk(url: &str, file: &std::path::Path, batch: &str) -> (i32, BTreeMap<usize, String>, String) {
    let out = Command::new(common::bin())
        .args(["license", "bulk"])
        .arg(file)
        .args([
            "--server",
            url,
            "--agency",
            AGENCY,
            "--batch-size",
            batch,
            "--keys",
        ])
        .arg(common::root().join("keys"))
        .output()
        .unwrap();
    let ids = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (n, id) = l.split_once('\t')?;
            Some((n.parse().unwrap(), id.to_string()))
        })
        .collect();
    (
        out.status.code().unwrap_or(-1),
        ids,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bulk_sends_batches_reports_each_failed_line_and_a_rerun_replays() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("node.db"));
    let file = dir.path().join("bulk.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    let mut bad = id_card(3);
    bad["holder_code"] = "1".into();
    for (n, line) in [
        id_card(1).to_string(),
        id_card(2).to_string(),
        bad.to_string(),
        id_card(4).to_string(),
        "{not json".to_string(),
        id_card(6).to_string(),
        id_card(7).to_string(),
    ]
    .iter()
    .enumerate()
    {
        writeln!(f, "{line}").unwrap_or_else(|e| panic!("line {n}: {e}"));
    }
    drop(f);

    let (code, first, err) = bulk(&server.url, &file, "2");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        first.keys().copied().collect::<Vec<_>>(),
        [1, 2, 4, 6, 7],
        "{err}"
    );
    assert!(err.contains("line 3: 422 invalid_holder_code:"), "{err}");
    assert!(err.contains("line 5: not JSON"), "{err}");
    assert!(err.contains("issued 5, replayed 0, failed 2"), "{err}");

    let (code, second, err) = bulk(&server.url, &file, "2");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        second, first,
        "a rerun gives every line its first identifier"
    );
    assert!(err.contains("issued 0, replayed 5, failed 2"), "{err}");
    assert!(err.contains("line 3: 422 invalid_holder_code:"), "{err}");

    // every issuance went through the batch endpoint
    let metrics = reqwest::blocking::get(format!("{}/metrics", server.url))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("deltaseal_licenses_issued_total 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"method="POST",route="/v1/licenses:batch",status="201"}"#),
        "{metrics}"
    );
    assert!(
        !metrics.contains(r#"method="POST",route="/v1/licenses",status"#),
        "{metrics}"
    );
}
