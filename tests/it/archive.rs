//! The archive log through `deltaseal serve` and `deltaseal archive verify`: every
//! issuance and status change is in the log, the node's checkpoint verifies with its
//! show-service certificate, and an auditor that kept the last checkpoint catches an
//! altered entry (`--full`), a log that shrank, and a log rewritten to another root.

use crate::common;
use crate::crash::Server;
use crate::http::id_card;
use deltaseal::adapters::storage::Store;
use deltaseal::archive::checkpoint::Checkpoint;
use deltaseal::archive::entry::{Act, Entry};
use deltaseal::archive::merkle::{self, MemoryTree};
use deltaseal::archive::note::Note;
use deltaseal::archive::wire::{ConsistencyView, InclusionView};
use std::io::Write;
use std::path::Path;
use std::process::Command;

const AGENCY: &str = "sh-agency-psb";

/// Issue `lines` ID cards (numbered from `first`) through `license bulk`.
fn bulk(url: &str, dir: &Path, first: u32, lines: u32) {
    let file = dir.join(format!("bulk-{first}.jsonl"));
    let mut f = std::fs::File::create(&file).unwrap();
    for n in first..first + lines {
        writeln!(f, "{}", id_card(n)).unwrap();
    }
    drop(f);
    let out = Command::new(common::bin())
        .args(["license", "bulk"])
        .arg(&file)
        .args(["--server", url, "--agency", AGENCY, "--keys"])
        .arg(common::root().join("keys"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `archive verify` → (exit code, stdout + stderr).
fn audit(url: &str, state: &Path, cert: &Path, full: bool) -> (i32, String) {
    let mut cmd = Command::new(common::bin());
    cmd.args(["archive", "verify", "--node", url, "--state"])
        .arg(state)
        .arg("--cert")
        .arg(cert);
    if full {
        cmd.arg("--full");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn checkpoint(url: &str) -> (Checkpoint, Note) {
    let text = reqwest::blocking::get(format!("{url}/v1/archive/checkpoint"))
        .unwrap()
        .text()
        .unwrap();
    let note = Note::parse(text.as_bytes()).unwrap();
    (Checkpoint::from_text(&note.text).unwrap(), note)
}

#[test]
fn the_log_follows_every_act_and_an_auditor_catches_what_is_changed_behind_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("node.db");
    let server = Server::start(&db);
    let url = server.url.clone();
    let state = dir.path().join("seen.json");
    bulk(&url, dir.path(), 0, 5);

    // The checkpoint: signed by the node's show-service key, named by its province.
    // 6 entries: the validation data kept for the batch, then its 5 licenses
    let (cp, note) = checkpoint(&url);
    assert_eq!(cp.size, 6);
    let province = cp
        .origin
        .strip_prefix("deltaseal.yrd/")
        .and_then(|o| o.strip_suffix("/archive"))
        .unwrap_or_else(|| panic!("origin {}", cp.origin))
        .to_string();
    let cert = common::root().join(format!("keys/{province}/show-service.cert.pem"));
    let keys = crate::common::pki::keys();
    let key = keys
        .get(&format!("{province}-show-service"))
        .unwrap()
        .signer
        .public_key()
        .clone();
    note.verify(&cp.origin, &key).unwrap();

    // Every license issued is in the log, with the digest of its credential, after
    // the validation data kept for them.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(Store::connect(db.to_str().unwrap())).unwrap();
    let logged = rt.block_on(store.archive_entries(0, 100)).unwrap();
    assert_eq!(logged.len(), 6);
    assert_eq!(logged[0].entry.act, Act::EvidenceKept);
    let mut tree = MemoryTree::new();
    tree.push(logged[0].entry.leaf_hash());
    for l in &logged[1..] {
        assert_eq!(l.entry.act, Act::LicenseIssued);
        let rec = rt.block_on(store.license(&l.entry.subject)).unwrap();
        assert!(
            l.entry
                .records(deltaseal::archive::entry::issued_record(&rec.credential)),
            "{}",
            l.entry.subject
        );
        tree.push(l.entry.leaf_hash());
    }
    assert_eq!(tree.root(), cp.root);

    // An inclusion proof served by the node verifies against the checkpoint.
    let inc: InclusionView =
        reqwest::blocking::get(format!("{url}/v1/archive/proofs/inclusion?index=3&size=6"))
            .unwrap()
            .json()
            .unwrap();
    let proof: Vec<merkle::Hash> = inc.proof.iter().map(|h| base64_32(h)).collect();
    merkle::verify_inclusion(3, 6, &base64_32(&inc.entry.leaf_hash), &proof, &cp.root).unwrap();
    // wrong queries are problems (4xx) with a reason, not 500s
    for q in [
        "index=6&size=6",
        "index=x",
        "index=0&size=99",
        "",
        "index=18446744073709551615&size=18446744073709551615",
        "digest=zz",
        // a license's entry is found by its digest and its JWT's iat: both are needed
        "digest=0000000000000000000000000000000000000000000000000000000000000000",
        "digest=0000000000000000000000000000000000000000000000000000000000000000&at=x",
        "digest=0000000000000000000000000000000000000000000000000000000000000000&at=1",
        "digest=0000000000000000000000000000000000000000000000000000000000000000&act=seal.made",
    ] {
        let r = reqwest::blocking::get(format!("{url}/v1/archive/proofs/inclusion?{q}")).unwrap();
        assert!(r.status().is_client_error(), "{q}: {}", r.status());
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{q}"
        );
    }

    // a page from beyond the log is empty, at any offset
    for q in [
        "from=6",
        "from=18446744073709551615&count=18446744073709551615",
    ] {
        let r = reqwest::blocking::get(format!("{url}/v1/archive/entries?{q}")).unwrap();
        assert_eq!(r.status(), 200, "{q}");
        assert_eq!(r.text().unwrap(), "[]", "{q}");
    }
    let r = reqwest::blocking::get(format!(
        "{url}/v1/archive/proofs/consistency?from=1&to=18446744073709551615"
    ))
    .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    // A first audit keeps the checkpoint; rebuilt from every entry, it agrees.
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("entries: ok — 6 rebuilt"), "{out}");

    // The log grows (issuance under the same validation data, a status change):
    // consistent with what was seen.
    bulk(&url, dir.path(), 100, 2);
    let out = Command::new(common::bin())
        .args([
            "license",
            "suspend",
            &logged[1].entry.subject,
            "--reason",
            "audit",
        ])
        .args(["--server", &url, "--agency", AGENCY, "--keys"])
        .arg(common::root().join("keys"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, out) = audit(&url, &state, &cert, false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("extends the 6 entries"), "{out}");
    let (cp9, _) = checkpoint(&url);
    assert_eq!(cp9.size, 9);
    let last = rt.block_on(store.archive_entries(8, 1)).unwrap();
    assert_eq!(last[0].entry.act, Act::StatusChanged);
    let c: ConsistencyView =
        reqwest::blocking::get(format!("{url}/v1/archive/proofs/consistency?from=6&to=9"))
            .unwrap()
            .json()
            .unwrap();
    let proof: Vec<merkle::Hash> = c.proof.iter().map(|h| base64_32(h)).collect();
    merkle::verify_consistency(6, 9, &cp.root, &cp9.root, &proof).unwrap();

    let sql = |q: &str| {
        use sqlx::Connection;
        rt.block_on(async {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            sqlx::query(q).execute(&mut c).await.unwrap();
        })
    };

    // An entry altered in the database: the entries no longer hash to the checkpoint.
    sql("UPDATE archive_log SET subject = 'SH-forged' WHERE idx = 2");
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("entries: FAILED — entry 2"), "{out}");
    sql(&format!(
        "UPDATE archive_log SET subject = '{}' WHERE idx = 2",
        logged[2].entry.subject
    ));
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 0, "restored: {out}");
    assert!(out.contains("licenses: ok — "), "{out}");

    // A license altered in the database after it was logged (its issuer-signed JWT is
    // no longer the one whose digest the log holds), then deleted: caught.
    let issued = logged
        .iter()
        .find(|l| l.entry.act == Act::LicenseIssued)
        .unwrap();
    let id = issued.entry.subject.clone();
    let kept: String = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT credential FROM licenses WHERE identifier = $1")
            .bind(&id)
            .fetch_one(&mut c)
            .await
            .unwrap()
    });
    sql(&format!(
        "UPDATE licenses SET credential = '.' || substr(credential, 3) WHERE identifier = '{id}'"
    ));
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "licenses: FAILED — entry {}: the license {id} the node holds is not the one it logged",
            issued.index
        )),
        "{out}"
    );
    sql(&format!(
        "UPDATE licenses SET credential = '{kept}' WHERE identifier = '{id}'"
    ));
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 0, "restored: {out}");

    // The validation data kept at issuance altered in the database: caught as well.
    let bundle = logged
        .iter()
        .find(|l| l.entry.act == Act::EvidenceKept)
        .unwrap();
    sql(r#"UPDATE archive_evidence SET body = replace(body, '"crls":[]', '"crls":["AA=="]')"#);
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "entry {}: the validation data of {} the node holds is not the one it logged",
            bundle.index, bundle.entry.subject
        )),
        "{out}"
    );
    sql(r#"UPDATE archive_evidence SET body = replace(body, '"crls":["AA=="]', '"crls":[]')"#);
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 0, "restored: {out}");
    sql(&format!("DELETE FROM licenses WHERE identifier = '{id}'"));
    let (code, out) = audit(&url, &state, &cert, true);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "license {id} is in the log but the node no longer holds it"
        )),
        "{out}"
    );

    // The whole log rewritten around a changed entry (nodes and checkpoints redone):
    // the node now signs another root for the 9 entries the auditor has seen.
    let mut entries: Vec<Entry> = rt
        .block_on(store.archive_entries(0, 100))
        .unwrap()
        .into_iter()
        .map(|l| l.entry)
        .collect();
    entries[2].subject = "SH-rewritten".into();
    rt.block_on(rewrite_log(&db.display().to_string(), &store, &entries));
    let (code, out) = audit(&url, &state, &cert, false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("forked or was rewritten"), "{out}");

    // Entries deleted from the end (and the checkpoints): the log shrank.
    rt.block_on(rewrite_log(
        &db.display().to_string(),
        &store,
        &entries[..7],
    ));
    let (code, out) = audit(&url, &state, &cert, false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("shrank from 9 to 7"), "{out}");
    rt.block_on(store.close());
    drop(server);
}

/// Rewrite the archive log of the SQLite database `db` (served by `store`'s node) to
/// hold `entries`, with its nodes redone and its checkpoints and cosignatures gone: a
/// consistent forgery, as an operator with database access could make it.
pub(crate) async fn rewrite_log(db: &str, store: &Store, entries: &[Entry]) {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    for q in [
        "DELETE FROM archive_log",
        "DELETE FROM archive_nodes",
        "DELETE FROM archive_checkpoints",
        "DELETE FROM archive_cosignatures",
        "UPDATE archive_head SET size = 0",
    ] {
        sqlx::query(q).execute(&mut c).await.unwrap();
    }
    store.archive_append(entries).await.unwrap();
}

fn base64_32(s: &str) -> merkle::Hash {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap()
        .try_into()
        .unwrap()
}

/// `deltaseal …` run in the checkout (for the default keys) → (exit code, stdout + stderr).
fn run(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new(common::bin())
        .current_dir(common::root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn an_export_is_a_signed_package_that_verify_checks_and_any_change_to_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("node.db");
    let server = Server::start_as_documented(&db);
    bulk(&server.url, dir.path(), 1, 3);
    let out = dir.path().join("export");
    let os = |s: &str| std::ffi::OsString::from(s);
    let export = [
        os("archive"),
        os("export"),
        os("--database"),
        db.clone().into_os_string(),
        os("--out"),
        out.clone().into_os_string(),
    ];
    let refs: Vec<&std::ffi::OsStr> = export.iter().map(|s| s.as_os_str()).collect();
    let (code, text) = run(&refs);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("exported deltaseal.yrd/sh/archive"), "{text}");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "README.txt",
            "checkpoint.txt",
            "entries.jsonl",
            "manifest.note",
            "records.jsonl",
            "trust-list.jws"
        ]
    );
    // the package is the log as served: its checkpoint's size, its entries
    let (cp, _) = checkpoint(&server.url);
    let entries = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    assert_eq!(entries.lines().count() as u64, cp.size);
    let records = std::fs::read_to_string(out.join("records.jsonl")).unwrap();
    // a license's issuer-signed JWT, or the text of validation data kept at issuance
    let (issued, kept) = records.lines().fold((0, 0), |(l, k), line| {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        match v["record"].as_str() {
            Some(r) if r.starts_with("eyJ") => (l + 1, k),
            Some(r) if r.starts_with("{\"v\":\"deltaseal-ltv/v1\"") => (l, k + 1),
            _ => panic!("{line}"),
        }
    });
    assert!(issued >= 3 && kept >= 1, "{records}");

    let verify = [
        os("archive"),
        os("verify"),
        os("--export"),
        out.clone().into_os_string(),
    ];
    let refs: Vec<&std::ffi::OsStr> = verify.iter().map(|s| s.as_os_str()).collect();
    let (code, text) = run(&refs);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("manifest signature: ok"), "{text}");
    assert!(text.contains("files: ok — 5 hashed as listed"), "{text}");
    assert!(
        text.contains(&format!("entries: ok — {} rebuilt", cp.size)),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "licenses: ok — {issued} held as logged, and {kept} validation data"
        )),
        "{text}"
    );

    // a changed entry: its file no longer hashes as listed
    let changed = entries.replacen("license.issued", "license.status", 1);
    std::fs::write(out.join("entries.jsonl"), &changed).unwrap();
    let (code, text) = run(&refs);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("files: FAILED — entries.jsonl is not the file the manifest lists"),
        "{text}"
    );
    std::fs::write(out.join("entries.jsonl"), &entries).unwrap();
    // a file gone
    std::fs::remove_file(out.join("records.jsonl")).unwrap();
    let (code, text) = run(&refs);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("records.jsonl is missing"), "{text}");
    std::fs::write(out.join("records.jsonl"), &records).unwrap();
    // the manifest re-listed for the change, but not signed by the log's key
    let manifest = std::fs::read_to_string(out.join("manifest.note")).unwrap();
    let relisted = manifest.replace(
        &format!("size {}", cp.size),
        &format!("size {}", cp.size + 1),
    );
    std::fs::write(out.join("manifest.note"), relisted).unwrap();
    let (code, text) = run(&refs);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("manifest signature: FAILED"), "{text}");
    std::fs::write(out.join("manifest.note"), manifest).unwrap();
    assert_eq!(run(&refs).0, 0);

    // a folder that is not empty is not exported into
    let refs: Vec<&std::ffi::OsStr> = export.iter().map(|s| s.as_os_str()).collect();
    let (code, text) = run(&refs);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("not empty"), "{text}");
    // nor is a database that is not there (an empty one is not made)
    let missing = dir.path().join("missing.db");
    let (code, text) = run(&[
        os("archive").as_os_str(),
        os("export").as_os_str(),
        os("--database").as_os_str(),
        missing.as_os_str(),
        os("--out").as_os_str(),
        dir.path().join("other").as_os_str(),
    ]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no database at"), "{text}");
    assert!(!missing.exists());
    drop(server);
}
