//! `deltaseal archive verify --node URL`: audit a node's archive log from outside. It
//! fetches the node's checkpoint, checks its signature (the node's show-service
//! certificate, from the trust list or `--cert`), checks it against the last checkpoint
//! of that log kept in `--state` (same size: same root; larger: the node's consistency
//! proof; smaller: refused), and with `--full` rebuilds the root from every entry the
//! node serves, and checks that the node still holds, byte for byte, every license its
//! log says it issued (the issuer-signed JWT against the entry's digest). Then it keeps
//! the new checkpoint in the state file.
//!
//! Must not touch: proof logic — [`crate::archive::audit`] judges, this fetches and
//! prints. Exit codes: 0 consistent, 1 the log was altered, forked or shrank (or the
//! signature fails), 2 unusable input or node unreachable.

use super::cert_verify::read_der;
use super::CliError;
use crate::archive::audit::{self, Seen};
use crate::archive::checkpoint::Checkpoint;
use crate::archive::entry::Entry;
use crate::archive::merkle::Hash;
use crate::archive::note::Note;
use crate::archive::wire::{ConsistencyView, EntryView, RecordView};
use crate::crypto::PublicKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest answer read from a node.
const MAX_ANSWER: u64 = 8 << 20;
/// Entries asked for per page with `--full`.
const PAGE: u64 = 1000;

/// `deltaseal archive …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ArchiveCommand {
    /// Audit a node's archive log: its signed checkpoint, consistency with the last one
    /// kept in --state, and with --full every entry; or, with --export, a package
    /// `archive export` wrote.
    Verify(VerifyArgs),
    /// Write this node's archive log and its evidence as a package an archive keeps
    /// (from the node's database and keys, as `serve` opens them).
    Export(super::archive_export::ExportArgs),
}

/// Arguments of `archive verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The node's base URL (as the trust list names it).
    #[arg(long, required_unless_present = "export", conflicts_with = "export")]
    node: Option<String>,
    /// Check an exported package (a folder) instead of a node: its signature (the
    /// log's key from --cert, or from the package's own trust list checked against
    /// the pinned signer as of the export), files, checkpoint, entries and licenses.
    #[arg(long)]
    export: Option<PathBuf>,
    /// Where the last checkpoint seen of each log is kept (JSON, created if missing).
    #[arg(long, default_value = "deltaseal-archive-state.json")]
    state: PathBuf,
    /// The certificate of the key that signs the node's checkpoints (PEM or DER);
    /// default: the show-service certificates the trust list gives for the province
    /// whose node_url is --node.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// The signed regional trust list; default `keys/trust-list.jws`.
    #[arg(long)]
    trust_list: Option<PathBuf>,
    /// The pinned trust-list signer certificate; default `keys/yrd/trust-list-signer.cert.pem`.
    #[arg(long)]
    trust_list_signer: Option<PathBuf>,
    /// Also fetch every entry and rebuild the checkpoint's root from them.
    #[arg(long)]
    full: bool,
}

pub(crate) fn run(c: ArchiveCommand) -> Result<i32, CliError> {
    match c {
        ArchiveCommand::Verify(a) if a.export.is_some() => {
            let dir = a.export.clone().unwrap_or_default();
            super::archive_export::verify_export(&dir, |origin, created, dir| {
                export_keys(&a, origin, created, dir)
            })
        }
        ArchiveCommand::Verify(a) => run_verify(a),
        ArchiveCommand::Export(a) => super::archive_export::run_export(a),
    }
}

fn get(http: &reqwest::blocking::Client, url: &str) -> Result<Vec<u8>, CliError> {
    let resp = http
        .get(url)
        .send()
        .map_err(|e| CliError::Input(format!("{url}: {e}")))?;
    let status = resp.status();
    let mut body = Vec::new();
    resp.take(MAX_ANSWER)
        .read_to_end(&mut body)
        .map_err(|e| CliError::Input(format!("{url}: {e}")))?;
    if !status.is_success() {
        return Err(CliError::Input(format!(
            "{url}: {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )));
    }
    Ok(body)
}

/// The key of `--cert`, if given.
fn cert_key(a: &VerifyArgs) -> Result<Option<PublicKey>, CliError> {
    let Some(cert) = &a.cert else {
        return Ok(None);
    };
    let der = read_der(cert, "CERTIFICATE")?;
    let key = crate::qr::cose::cert_public_key(&der)
        .ok_or_else(|| CliError::Input(format!("{}: no P-256 or SM2 key", cert.display())))?;
    Ok(Some(key))
}

/// The trust list in `list_path`, checked against the pinned signer at `at`.
fn checked_list(
    a: &VerifyArgs,
    list_path: &Path,
    at: time::OffsetDateTime,
) -> Result<crate::trust_list::TrustList, CliError> {
    let signer_path = a
        .trust_list_signer
        .clone()
        .unwrap_or_else(|| "keys/yrd/trust-list-signer.cert.pem".into());
    let signer = read_der(&signer_path, "CERTIFICATE")?;
    let text = super::read_text(list_path)?;
    let list = crate::trust_list::verify(
        &text,
        &crate::trust_list::VerifyOptions {
            signer_cert: &signer,
            at,
            held_sequence: None,
            grace: time::Duration::days(1),
        },
    )
    .map_err(|e| CliError::Input(format!("{}: {e}", list_path.display())))?;
    Ok(list.list)
}

/// The show-service keys `list` gives for the province entry `pick` finds.
fn province_keys(
    list: &crate::trust_list::TrustList,
    pick: impl Fn(&crate::trust_list::ProvinceEntry) -> bool,
    what: &str,
) -> Result<Vec<PublicKey>, CliError> {
    let p = list
        .provinces
        .iter()
        .find(|p| pick(p))
        .ok_or_else(|| CliError::Input(format!("the trust list names no {what}")))?;
    let keys = p.show_service_keys();
    if keys.is_empty() {
        return Err(CliError::Input(format!(
            "the trust list gives no show-service certificate for {}",
            p.code.abbrev()
        )));
    }
    Ok(keys)
}

/// The keys that may sign `node`'s checkpoints.
fn log_keys(a: &VerifyArgs, node: &str) -> Result<Vec<PublicKey>, CliError> {
    if let Some(k) = cert_key(a)? {
        return Ok(vec![k]);
    }
    let list_path = a
        .trust_list
        .clone()
        .unwrap_or_else(|| "keys/trust-list.jws".into());
    let list = checked_list(a, &list_path, time::OffsetDateTime::now_utc())?;
    province_keys(
        &list,
        |p| p.node_url.trim_end_matches('/') == node,
        &format!("node at {node}"),
    )
}

/// The keys that may sign the exported log `origin`, made at `created`: `--cert`, or
/// the show-service keys of the origin's province in the trust list — `--trust-list`,
/// else the package's own — checked against the pinned signer as of the export.
fn export_keys(
    a: &VerifyArgs,
    origin: &str,
    created: i64,
    dir: &Path,
) -> Result<Vec<PublicKey>, CliError> {
    if let Some(k) = cert_key(a)? {
        return Ok(vec![k]);
    }
    let list_path = a
        .trust_list
        .clone()
        .unwrap_or_else(|| dir.join("trust-list.jws"));
    let at = time::OffsetDateTime::from_unix_timestamp(created)
        .map_err(|_| CliError::Input("the manifest's time is out of range".into()))?;
    let list = checked_list(a, &list_path, at)?;
    province_keys(
        &list,
        |p| crate::archive::checkpoint::origin(p.code) == origin,
        &format!("province whose log is {origin}"),
    )
}

fn read_state(path: &Path) -> Result<BTreeMap<String, Seen>, CliError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| CliError::Input(format!("{}: not a state file: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(CliError::io(path, e)),
    }
}

fn write_state(path: &Path, state: &BTreeMap<String, Seen>) -> Result<(), CliError> {
    let tmp = path.with_extension("tmp");
    let text = serde_json::to_string_pretty(state).expect("the state serialises");
    std::fs::write(&tmp, text).map_err(|e| CliError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| CliError::io(path, e))
}

fn hashes(b64: &[String]) -> Result<Vec<Hash>, CliError> {
    crate::archive::wire::decode_hashes(b64).ok_or_else(|| {
        CliError::Input("the node served a hash that is not 32 bytes of base64".into())
    })
}

fn run_verify(a: VerifyArgs) -> Result<i32, CliError> {
    let node = a
        .node
        .as_deref()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let keys = log_keys(&a, &node)?;
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| CliError::Input(e.to_string()))?;
    let body = get(&http, &format!("{node}/v1/archive/checkpoint"))?;
    let note = Note::parse(&body).map_err(|e| CliError::Input(format!("the checkpoint: {e}")))?;
    let cp = Checkpoint::from_text(&note.text)
        .map_err(|e| CliError::Input(format!("the checkpoint: {e}")))?;
    println!(
        "checkpoint: {} — {} entries, root {}",
        cp.origin,
        cp.size,
        STANDARD.encode(cp.root)
    );
    if let Err(e) = keys
        .iter()
        .map(|k| note.verify(&cp.origin, k))
        .find(Result::is_ok)
        .unwrap_or_else(|| note.verify(&cp.origin, &keys[0]))
    {
        println!("signature: FAILED — {e}");
        return Ok(1);
    }
    println!("signature: ok");

    let mut state = read_state(&a.state)?;
    let seen = state.get(&cp.origin).cloned();
    let proof = match &seen {
        Some(s) if s.size > 0 && s.size < cp.size => {
            let body = get(
                &http,
                &format!(
                    "{node}/v1/archive/proofs/consistency?from={}&to={}",
                    s.size, cp.size
                ),
            )?;
            let v: ConsistencyView = serde_json::from_slice(&body)
                .map_err(|e| CliError::Input(format!("the consistency proof: {e}")))?;
            hashes(&v.proof)?
        }
        _ => Vec::new(),
    };
    if let Err(e) = audit::check_growth(seen.as_ref(), &cp, &proof) {
        println!("consistency: FAILED — {e}");
        return Ok(1);
    }
    match &seen {
        Some(s) => println!(
            "consistency: ok — extends the {} entries seen before",
            s.size
        ),
        None => println!(
            "consistency: first checkpoint of this log kept in {}",
            a.state.display()
        ),
    }

    if a.full {
        let mut views: Vec<EntryView> = Vec::new();
        let mut from = 0u64;
        while from < cp.size {
            let body = get(
                &http,
                &format!(
                    "{node}/v1/archive/entries?from={from}&count={}",
                    PAGE.min(cp.size - from)
                ),
            )?;
            let page: Vec<EntryView> = serde_json::from_slice(&body)
                .map_err(|e| CliError::Input(format!("the entries: {e}")))?;
            let Some(last) = page.last() else { break };
            from = last.index + 1;
            views.extend(page);
        }
        let Some(all) = rebuilt(&cp, &views)? else {
            return Ok(1);
        };
        let mut held = BTreeMap::new();
        let mut from = 0u64;
        while from < cp.size {
            let count = PAGE.min(cp.size - from);
            let body = get(
                &http,
                &format!("{node}/v1/archive/records?from={from}&count={count}"),
            )?;
            let page: Vec<RecordView> = serde_json::from_slice(&body)
                .map_err(|e| CliError::Input(format!("the records: {e}")))?;
            for r in page {
                held.insert(r.index, r.record.map(String::into_bytes));
            }
            from += count;
        }
        if !licenses_held(&all, &held) {
            return Ok(1);
        }
    }
    state.insert(cp.origin.clone(), Seen::of(&cp));
    write_state(&a.state, &state)?;
    Ok(0)
}

/// An entry read back: its index, content and leaf hash as served.
pub(super) type ReadEntry = (u64, Entry, Hash);

/// Rebuild `views` (every entry of a log, in order) to `cp`'s root, printing the
/// outcome: the entries, or `None` when they do not rebuild it.
pub(super) fn rebuilt(
    cp: &Checkpoint,
    views: &[EntryView],
) -> Result<Option<Vec<ReadEntry>>, CliError> {
    let mut all = Vec::with_capacity(views.len());
    for v in views {
        let entry = Entry::from_columns(&v.act, &v.subject, &v.digest, v.at)
            .map_err(|e| CliError::Input(format!("entry {}: {e}", v.index)))?;
        let leaf = hashes(std::slice::from_ref(&v.leaf_hash))?[0];
        all.push((v.index, entry, leaf));
    }
    if let Err(e) = audit::check_entries(cp, &all) {
        println!("entries: FAILED — {e}");
        return Ok(None);
    }
    println!(
        "entries: ok — {} rebuilt to the checkpoint's root",
        all.len()
    );
    Ok(Some(all))
}

/// Check what is `held` of every license `all` says was issued, printing the outcome:
/// whether it holds.
pub(super) fn licenses_held(all: &[ReadEntry], held: &BTreeMap<u64, Option<Vec<u8>>>) -> bool {
    match audit::check_records(all, held) {
        Ok((n, kept)) => {
            println!(
                "licenses: ok — {n} held as logged, and {kept} validation data bundle{} kept at issuance",
                if kept == 1 { "" } else { "s" }
            );
            true
        }
        Err(e) => {
            println!("licenses: FAILED — {e}");
            false
        }
    }
}
