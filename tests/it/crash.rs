//! Crash safety, end to end: `deltaseal serve` as a child process on a SQLite file,
//! `deltaseal license bulk` against it, `kill -9` of the server mid-run, restart on the
//! same file; every acknowledged license must be there, verify, and agree with the
//! agency's status list, and the archive log must hold exactly the committed licenses;
//! a rerun of the bulk file issues the rest without duplicates.

use crate::common;
use crate::common::pki::keys;
use crate::http::id_card;
use deltaseal::adapters::config::hosted;
use deltaseal::adapters::storage::{status_entry, Store};
use deltaseal::archive::entry::issued_record;
use deltaseal::license::sdjwt::{verify, VerifyOptions};
use deltaseal::license::StatusListToken;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const AGENCY: &str = "sh-agency-psb";
const LINES: usize = 150;

/// A running `deltaseal serve` and its base URL.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
}

impl Server {
    /// `serve` without the demo holders' licenses (these tests count every license the
    /// agency issued).
    pub(crate) fn start(db: &Path) -> Server {
        Self::spawn(db, false)
    }

    /// `serve` as the README runs it: every province, the demo holders' licenses.
    pub(crate) fn start_as_documented(db: &Path) -> Server {
        Self::spawn(db, true)
    }

    /// [`Server::start`] with more settings in the environment.
    pub(crate) fn start_with(db: &Path, env: &[(&str, &str)]) -> Server {
        Self::spawn_with(db, false, env)
    }

    fn spawn(db: &Path, demo_holders: bool) -> Server {
        Self::spawn_with(db, demo_holders, &[])
    }

    fn spawn_with(db: &Path, demo_holders: bool, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(common::bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--database"])
            .arg(db)
            .arg("--keys")
            .arg(common::root().join("keys"))
            .env("RUST_LOG", "warn")
            .env("DELTASEAL_DEMO_HOLDERS", demo_holders.to_string())
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("deltaseal: listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bulk(url: &str, file: &Path) -> Child {
    Command::new(common::bin())
        .args(["license", "bulk"])
        .arg(file)
        .args([
            "--server",
            url,
            "--agency",
            AGENCY,
            "--batch-size",
            "10",
            "--keys",
        ])
        .arg(common::root().join("keys"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `line → identifier` from the bulk command's output.
fn acknowledged(out: &str) -> BTreeMap<usize, String> {
    out.lines()
        .filter_map(|l| {
            let (n, id) = l.split_once('\t')?;
            Some((n.parse().ok()?, id.to_string()))
        })
        .collect()
}

#[test]
fn kill_9_during_bulk_issuance_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("node.db");
    let file = dir.path().join("bulk.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    for n in 0..LINES {
        writeln!(f, "{}", id_card(n as u32)).unwrap();
    }
    drop(f);

    // Run the bulk issuance and kill the server once some licenses are acknowledged.
    let mut server = Server::start(&db);
    let mut run = bulk(&server.url, &file);
    let mut out = String::new();
    let mut reader = BufReader::new(run.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged(&out).len() < 30 {
        assert!(Instant::now() < deadline, "bulk issuance too slow");
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        out.push_str(&line);
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    out.push_str(&rest);
    let status = run.wait().unwrap();
    let first = acknowledged(&out);
    assert!(first.len() >= 30, "{out}");
    assert!(
        first.len() < LINES,
        "the server died before the bulk run ended"
    );
    assert_eq!(
        status.code(),
        Some(1),
        "failures after the kill are reported"
    );

    // Restart on the same file: every acknowledged license is there and verifies.
    let server = Server::start(&db);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(Store::connect(db.to_str().unwrap())).unwrap();
    let keys = keys();
    let anchors = hosted(&keys).unwrap().anchors;
    let at = time::OffsetDateTime::now_utc();
    for id in first.values() {
        let rec = rt.block_on(store.license(id)).unwrap();
        let v = verify(&rec.credential, &VerifyOptions::new(at, &anchors));
        assert!(v.report.passed(), "{id}: {}", v.report);
    }

    // The archive log and the licenses are in step: every license committed has its
    // entry (with its credential's digest), and every other entry is of validation
    // data committed with them.
    let uscc = keys.get(AGENCY).unwrap().info.uscc.clone().unwrap();
    let committed = rt.block_on(store.licenses_of(&uscc)).unwrap();
    let size = rt.block_on(store.archive_size()).unwrap();
    let logged = rt.block_on(store.archive_entries(0, size)).unwrap();
    assert_eq!(logged.len() as u64, size);
    // besides them, the validation data kept for the batches, each committed with its
    // batch: every one is held, as logged
    let (kept, logged): (Vec<_>, Vec<_>) = logged
        .into_iter()
        .partition(|e| e.entry.act == deltaseal::archive::entry::Act::EvidenceKept);
    assert!(!kept.is_empty());
    for k in &kept {
        let text = rt
            .block_on(store.evidence_text(&hex::encode(k.entry.digest)))
            .unwrap()
            .unwrap_or_else(|| panic!("entry {}: its validation data is not held", k.index));
        assert!(k.entry.records(text.as_bytes()), "entry {}", k.index);
    }
    assert_eq!(
        logged.len(),
        committed.len(),
        "one entry per committed license"
    );
    for r in &committed {
        let e = logged
            .iter()
            .find(|e| e.entry.subject == r.identifier)
            .unwrap_or_else(|| panic!("{} is not in the log", r.identifier));
        assert!(
            e.entry.records(issued_record(&r.credential)),
            "{}",
            r.identifier
        );
    }
    for id in first.values() {
        assert!(logged.iter().any(|e| &e.entry.subject == id), "{id}");
    }

    // Rerun the same file: acknowledged lines are replayed, the rest issued, none twice.
    let run = bulk(&server.url, &file).wait_with_output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let second = acknowledged(&String::from_utf8(run.stdout).unwrap());
    assert_eq!(second.len(), LINES);
    for (n, id) in &first {
        assert_eq!(&second[n], id, "line {n} was issued twice");
    }
    let rows = rt.block_on(store.licenses_of(&uscc)).unwrap();
    assert_eq!(rows.len(), LINES);
    let idx: Vec<i64> = rows.iter().map(|r| r.status_index).collect();
    assert_eq!(
        idx,
        (0..LINES as i64).collect::<Vec<_>>(),
        "slots are dense"
    );

    // Change some statuses through the CLI; the served status list agrees with the rows.
    for (n, action) in [(1usize, "revoke"), (2, "suspend")] {
        let out = Command::new(common::bin())
            .args(["license", action, &second[&n], "--reason", "audit"])
            .args(["--server", &server.url, "--agency", AGENCY, "--keys"])
            .arg(common::root().join("keys"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rows = rt.block_on(store.licenses_of(&uscc)).unwrap();
    let stored = rt.block_on(store.status_list(&uscc, 0)).unwrap();
    let token = reqwest::blocking::get(format!("{}/v1/status/{uscc}/0", server.url))
        .unwrap()
        .text()
        .unwrap();
    let key = keys.get(AGENCY).unwrap().signer.public_key().clone();
    let served = StatusListToken::verify(&token, &key, Some(at))
        .unwrap()
        .list;
    for r in &rows {
        let want = r.status.value();
        assert_eq!(
            status_entry(&stored.bits, r.status_index),
            want,
            "{}",
            r.identifier
        );
        let idx = usize::try_from(r.status_index).unwrap();
        assert_eq!(served.get(idx).unwrap().value(), want, "{}", r.identifier);
    }
    assert_eq!(
        rows.iter().filter(|r| r.status.name() != "valid").count(),
        2
    );
    rt.block_on(store.close());
}

#[test]
fn the_license_cli_against_a_running_server_and_a_graceful_stop() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("node.db"));
    let cli = |args: &[&str]| {
        Command::new(common::bin())
            .arg("license")
            .args(args)
            .args(["--server", &server.url, "--keys"])
            .arg(common::root().join("keys"))
            .output()
            .unwrap()
    };
    let claims = dir.path().join("claims.json");
    std::fs::write(
        &claims,
        r#"{"holder": "赵六", "holder_code": "310101199202020022", "name": "赵六",
            "sex": "女", "ethnicity": "汉", "birth_date": "1992-02-02",
            "id_number": "310101199202020022"}"#,
    )
    .unwrap();
    let out = cli(&[
        "issue",
        "--agency",
        "zj-agency-psb",
        "--type",
        crate::http::ID_CARD,
        "--claims",
        claims.to_str().unwrap(),
        "--claim",
        "address=杭州市西湖区",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issued: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = issued["identifier"].as_str().unwrap();

    // Fetch it back, and decode the credential from a file.
    let out = cli(&["show", id, "--agency", "zj-agency-psb"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["credential"], issued["credential"]);
    let file = dir.path().join("license.sdjwt");
    std::fs::write(&file, issued["credential"].as_str().unwrap()).unwrap();
    let out = cli(&["show", file.to_str().unwrap()]);
    let decoded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decoded["disclosed"]["address"], "杭州市西湖区");
    assert_eq!(decoded["header"]["alg"], "ES256");

    // A status change prints the new status; suspend and revoke need a reason, which the
    // CLI itself asks for (exit 2, nothing sent); `show` takes the server and agency from
    // the environment like the other verbs.
    let out = cli(&["suspend", id, "--agency", "zj-agency-psb"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--reason"));
    let out = cli(&[
        "suspend",
        id,
        "--agency",
        "zj-agency-psb",
        "--reason",
        "审核中",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{id}\tsuspended\t审核中\n")
    );
    let out = cli(&["reinstate", id, "--agency", "zj-agency-psb"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("{id}\tvalid\t")));
    let out = Command::new(common::bin())
        .args(["license", "show", id, "--keys"])
        .arg(common::root().join("keys"))
        .env("DELTASEAL_SERVER", &server.url)
        .env("DELTASEAL_AGENCY", "zj-agency-psb")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_env: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(by_env["identifier"], id);

    // Refusals exit 1 with the problem code; another agency's license is not theirs.
    let out = cli(&["revoke", id, "--agency", "sh-agency-psb", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not_owner"));
    let out = cli(&[
        "issue",
        "--agency",
        "js-agency-samr",
        "--type",
        crate::http::ID_CARD,
        "--claims",
        claims.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("type_not_authorised"));
    let out = cli(&[
        "issue",
        "--agency",
        "no-such-agency",
        "--type",
        crate::http::ID_CARD,
    ]);
    assert_eq!(out.status.code(), Some(2));

    // SIGTERM stops the server gracefully (exit 0).
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "no graceful stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_production_node_will_not_start_with_demo_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(dir.path().join("p.db"))
        .arg("--keys")
        .arg(common::root().join("keys"))
        .env("DELTASEAL_PRODUCTION", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refuses demo key"), "{err}");
}
