//! `deltaseal archive export --out DIR`: write the node's archive log and its evidence
//! as a package (layout: [`crate::archive::export::LAYOUT`]) from the node's own
//! database and keys, as `serve` would open them; and `deltaseal archive verify
//! --export DIR`: check such a package — the manifest's signature, every file's hash
//! and size, the checkpoint's signature, the entries rebuilt to its root, the license
//! records against their entries.

use super::CliError;
use crate::adapters::config::Config;
use crate::archive::checkpoint::{origin, Checkpoint};
use crate::archive::export::{valid_path, Manifest, MANIFEST};
use crate::archive::note::Note;
use crate::archive::wire::{EntryView, RecordView};
use crate::crypto::PublicKey;
use crate::service::archive_export::{export, PackageSink};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clap::Args;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// Largest manifest or checkpoint read.
const MAX_NOTE: u64 = 1 << 20;
/// Longest line of entries.jsonl or records.jsonl.
const MAX_LINE: usize = 64 * 1024;

/// Arguments of `archive export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The folder to write (created; must not exist, or be empty).
    #[arg(long)]
    out: PathBuf,
    /// Config file, as for `serve`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// SQLite file or postgres:// URL (as for `serve`).
    #[arg(long)]
    database: Option<String>,
    /// Keys directory.
    #[arg(long)]
    keys: Option<PathBuf>,
    /// The province whose node's log this is (SH, JS, ZJ, AH); default: a node of
    /// every province, as `serve` alone.
    #[arg(long)]
    province: Option<String>,
    /// Trust-list file (compact JWS), as for `serve`.
    #[arg(long)]
    trust_list: Option<PathBuf>,
}

/// A package folder being written.
struct Folder {
    dir: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl PackageSink for Folder {
    fn create(&mut self, path: &str) -> Result<(), String> {
        let p = self.dir.join(path);
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        self.file = Some(std::io::BufWriter::new(f));
        Ok(())
    }
    fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.file
            .as_mut()
            .ok_or("no file started")?
            .write_all(chunk)
            .map_err(|e| e.to_string())
    }
    fn finish(&mut self) -> Result<(), String> {
        let f = self.file.take().ok_or("no file started")?;
        let f = f.into_inner().map_err(|e| e.to_string())?;
        f.sync_all().map_err(|e| e.to_string())
    }
}

pub(crate) fn run_export(a: ExportArgs) -> Result<i32, CliError> {
    let mut cfg =
        Config::from_env(a.config.as_deref()).map_err(|e| CliError::Input(e.to_string()))?;
    if let Some(d) = a.database {
        cfg.database = d;
    }
    if let Some(k) = a.keys {
        cfg.keys_dir = k;
    }
    if let Some(t) = a.trust_list {
        cfg.trust_list = Some(t);
    }
    if let Some(p) = a.province {
        cfg.province = Some(
            crate::adapters::province::parse_province(&p)
                .map_err(|e| CliError::Input(e.to_string()))?,
        );
    }
    let now = time::OffsetDateTime::now_utc();
    cfg.apply_province(now)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let url = crate::adapters::storage::database_url(&cfg.database);
    if let Some(file) = url.strip_prefix("sqlite:") {
        let file = file
            .split('?')
            .next()
            .unwrap_or(file)
            .trim_start_matches("//");
        if !Path::new(file).is_file() {
            return Err(CliError::Input(format!(
                "no database at {}: give the node's --database",
                cfg.database
            )));
        }
    }
    match std::fs::read_dir(&a.out).map(|mut d| d.next().is_some()) {
        Ok(true) => {
            return Err(CliError::Input(format!(
                "{}: not empty; an export goes into a new folder",
                a.out.display()
            )))
        }
        Ok(false) => {}
        Err(_) => std::fs::create_dir_all(&a.out).map_err(|e| CliError::io(&a.out, e))?,
    }
    let rt = tokio::runtime::Runtime::new().map_err(|e| CliError::Input(e.to_string()))?;
    rt.block_on(async {
        let parts = cfg
            .open_archive(now)
            .await
            .map_err(|e| CliError::Input(e.to_string()))?;
        let mut sink = Folder {
            dir: a.out.clone(),
            file: None,
        };
        let m = export(
            &parts.store,
            parts.signer.as_ref(),
            &origin(parts.province),
            &parts.trust_list,
            now.unix_timestamp(),
            &mut sink,
        )
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
        parts.store.close().await;
        println!(
            "exported {}: {} entries, root {}, into {}",
            m.origin,
            m.size,
            STANDARD.encode(m.root),
            a.out.display()
        );
        for f in &m.files {
            println!("  {}  {:>10}  {}", hex::encode(f.sha256), f.bytes, f.path);
        }
        println!("  signed manifest: {MANIFEST}");
        Ok(0)
    })
}

fn read_note(path: &Path) -> Result<Note, CliError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(|e| CliError::io(path, e))?
        .take(MAX_NOTE)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(path, e))?;
    Note::parse(&bytes).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

/// Hash the package file `path`: (SHA-256, size); `None` when it is not a plain file.
fn hash_file(path: &Path) -> Result<Option<([u8; 32], u64)>, CliError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {}
        _ => return Ok(None),
    }
    let mut f = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| CliError::io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok(Some((h.finalize().into(), n)))
}

/// The JSON lines of the package file `path`, each read as `T`.
fn json_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, CliError> {
    let f = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut out = Vec::new();
    let mut r = std::io::BufReader::new(f);
    let mut line = String::new();
    for n in 1.. {
        line.clear();
        let k = (&mut r)
            .take(MAX_LINE as u64 + 1)
            .read_line(&mut line)
            .map_err(|e| CliError::io(path, e))?;
        if k == 0 {
            break;
        }
        if k > MAX_LINE {
            return Err(CliError::Input(format!(
                "{} line {n}: longer than {MAX_LINE} bytes",
                path.display()
            )));
        }
        out.push(
            serde_json::from_str(line.trim_end())
                .map_err(|e| CliError::Input(format!("{} line {n}: {e}", path.display())))?,
        );
    }
    Ok(out)
}

/// Check the package in `dir` with the log keys `keys_for(origin)` gives.
pub(crate) fn verify_export(
    dir: &Path,
    keys_for: impl Fn(&str, i64, &Path) -> Result<Vec<PublicKey>, CliError>,
) -> Result<i32, CliError> {
    let note = read_note(&dir.join(MANIFEST))?;
    let m = Manifest::from_text(&note.text).map_err(|e| CliError::Input(e.to_string()))?;
    println!(
        "manifest: {} — {} entries, root {}, {} files",
        m.origin,
        m.size,
        STANDARD.encode(m.root),
        m.files.len()
    );
    let keys = keys_for(&m.origin, m.created, dir)?;
    let signed = |n: &Note| keys.iter().any(|k| n.verify(&m.origin, k).is_ok());
    if !signed(&note) {
        println!("manifest signature: FAILED — no signature by the log's key");
        return Ok(1);
    }
    println!("manifest signature: ok");
    for f in &m.files {
        match hash_file(&dir.join(&f.path))? {
            None => {
                println!("files: FAILED — {} is missing", f.path);
                return Ok(1);
            }
            Some((h, n)) if h != f.sha256 || n != f.bytes => {
                println!(
                    "files: FAILED — {} is not the file the manifest lists",
                    f.path
                );
                return Ok(1);
            }
            Some(_) => {}
        }
    }
    println!("files: ok — {} hashed as listed", m.files.len());
    let listed = |p: &str| m.files.iter().any(|f| f.path == p && valid_path(p));
    for need in ["checkpoint.txt", "entries.jsonl", "records.jsonl"] {
        if !listed(need) {
            println!("files: FAILED — the manifest lists no {need}");
            return Ok(1);
        }
    }
    let cp_note = read_note(&dir.join("checkpoint.txt"))?;
    let cp = Checkpoint::from_text(&cp_note.text)
        .map_err(|e| CliError::Input(format!("checkpoint.txt: {e}")))?;
    if !signed(&cp_note) || cp.origin != m.origin || cp.size != m.size || cp.root != m.root {
        println!("checkpoint: FAILED — not the log's signed checkpoint the manifest names");
        return Ok(1);
    }
    println!("checkpoint: ok — signed, {} entries", cp.size);
    let views = json_lines::<EntryView>(&dir.join("entries.jsonl"))?;
    let Some(all) = super::archive::rebuilt(&cp, &views)? else {
        return Ok(1);
    };
    let held: BTreeMap<u64, Option<Vec<u8>>> =
        json_lines::<RecordView>(&dir.join("records.jsonl"))?
            .into_iter()
            .map(|r| (r.index, r.record.map(String::into_bytes)))
            .collect();
    if !super::archive::licenses_held(&all, &held) {
        return Ok(1);
    }
    Ok(0)
}
