//! `deltaseal trust-list …`: build the regional trust list from a key store and the
//! catalogue, sign it as the trust-list signer, show it, and verify it against the
//! pinned signer certificate.

use super::cert_verify::read_der;
use super::seal::parse_time;
use super::CliError;
use crate::adapters::config::BUILTIN_CATALOG;
use crate::adapters::keystore::{KeyEntry, KeyStore};
use crate::catalog::Catalog;
use crate::jose::CompactJws;
use crate::pki::{Province, Role};
use crate::trust_list::{self, BuildOptions, Listed, TrustList};
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest list file read, bytes.
const MAX_FILE: u64 = 4 * 1024 * 1024;

#[derive(Debug, Subcommand)]
pub(crate) enum TrustListCommand {
    /// Build the list (JSON) from the key store's province roots, issuing agencies,
    /// seal authorities and show services, and the catalogue's local codes.
    Build(BuildArgs),
    /// Sign a built list (JSON) as the trust-list signer: a compact JWS.
    Sign(SignArgs),
    /// Print a list (JWS or JSON) without verifying it.
    Show {
        /// Print the document as JSON instead of a summary.
        #[arg(long)]
        json: bool,
        /// The list (JWS or JSON); `-` reads standard input.
        file: PathBuf,
    },
    /// Verify a signed list against the pinned signer certificate and print the report
    /// (exit 0 accepted, 1 refused, 3 indeterminate — unknown signer, expired —, 2 bad
    /// input).
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Keys directory (its manifest names every party).
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// Catalogue JSON (default: the built-in catalogue).
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Sequence number (must grow with every list).
    #[arg(long)]
    sequence: u64,
    /// Issue time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Days until the next update is due.
    #[arg(long, default_value_t = 30)]
    valid_days: i64,
    /// A province node's base URL, `SH=https://…` (repeatable); default
    /// `http://127.0.0.1:8081…8084` for SH, JS, ZJ, AH.
    #[arg(long = "node-url")]
    node_url: Vec<String>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// Keys directory.
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// Manifest id of the trust-list signer.
    #[arg(long, default_value = "yrd-trust-list-signer")]
    id: String,
    /// Write here instead of standard output.
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// The built list (JSON); `-` reads standard input.
    file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The pinned trust-list signer certificate (PEM or DER).
    #[arg(long)]
    signer: PathBuf,
    /// Validation time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// The sequence already held: a lower one is refused as a rollback.
    #[arg(long)]
    held_sequence: Option<u64>,
    /// Seconds past its next update the list may still be used.
    #[arg(long, default_value_t = 86_400)]
    grace_s: i64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The signed list (JWS); `-` reads standard input.
    file: PathBuf,
}

pub(crate) fn run(cmd: TrustListCommand) -> Result<i32, CliError> {
    match cmd {
        TrustListCommand::Build(a) => build(a),
        TrustListCommand::Sign(a) => sign(a),
        TrustListCommand::Show { json, file } => show(&file, json),
        TrustListCommand::Verify(a) => verify(a),
    }
}

fn read_input(path: &Path) -> Result<String, CliError> {
    let mut text = String::new();
    let res = if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_FILE + 1)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE + 1).read_to_string(&mut text))
    };
    res.map_err(|e| CliError::io(path, e))?;
    if text.len() as u64 > MAX_FILE {
        return Err(CliError::Input(format!(
            "{}: larger than {MAX_FILE} bytes, not a trust list",
            path.display()
        )));
    }
    Ok(text)
}

fn write_output(out: Option<&Path>, text: &str) -> Result<(), CliError> {
    match out {
        Some(p) => std::fs::write(p, format!("{text}\n")).map_err(|e| CliError::io(p, e)),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

fn build(a: BuildArgs) -> Result<i32, CliError> {
    let keys = KeyStore::load(&a.keys).map_err(|e| CliError::Input(e.to_string()))?;
    let catalog_text = match &a.catalog {
        Some(p) => read_input(p)?,
        None => BUILTIN_CATALOG.to_string(),
    };
    let catalog = Catalog::from_json(&catalog_text).map_err(|e| CliError::Input(e.to_string()))?;
    let issued_at = parse_time(a.at.as_deref(), "--at")?;
    if !(1..=3650).contains(&a.valid_days) {
        return Err(CliError::Input("--valid-days must be 1 to 3650".into()));
    }
    let mut node_urls = BTreeMap::new();
    for u in &a.node_url {
        let (p, url) = u
            .split_once('=')
            .and_then(|(p, url)| Some((Province::parse(p)?, url)))
            .ok_or_else(|| CliError::Input(format!("--node-url {u:?} is not SH|JS|ZJ|AH=URL")))?;
        node_urls.insert(p, url.trim_end_matches('/').to_string());
    }
    let entries: Vec<Listed<'_>> = keys.entries().iter().map(KeyEntry::listed).collect();
    let opts = BuildOptions {
        sequence: a.sequence,
        issued_at,
        next_update: issued_at + time::Duration::days(a.valid_days),
        node_urls,
    };
    let list =
        trust_list::build(&entries, &catalog, &opts).map_err(|e| CliError::Input(e.to_string()))?;
    let text = serde_json::to_string_pretty(&list).expect("the list serialises");
    write_output(a.out.as_deref(), &text)?;
    Ok(0)
}

fn sign(a: SignArgs) -> Result<i32, CliError> {
    let keys = KeyStore::load(&a.keys).map_err(|e| CliError::Input(e.to_string()))?;
    let e = keys
        .get(&a.id)
        .filter(|e| e.info.role == Some(Role::TrustListSigner))
        .ok_or_else(|| {
            CliError::Input(format!(
                "{} is not a trust-list signer in {}",
                a.id,
                a.keys.display()
            ))
        })?;
    let list: TrustList = serde_json::from_str(&read_input(&a.file)?)
        .map_err(|err| CliError::Input(format!("{}: {err}", a.file.display())))?;
    let jws = trust_list::sign(&list, e.signer.as_ref(), std::slice::from_ref(&e.cert_der))
        .map_err(|err| CliError::Input(err.to_string()))?;
    write_output(a.out.as_deref(), &jws)?;
    Ok(0)
}

/// A list from JWS or JSON text, not verified.
fn decode(text: &str) -> Result<TrustList, CliError> {
    let text = text.trim();
    let value = if text.starts_with('{') {
        serde_json::from_str(text).map_err(|e| CliError::Input(e.to_string()))?
    } else {
        let jws = CompactJws::parse(text, "trust list", MAX_FILE as usize)
            .map_err(|e| CliError::Input(e.to_string()))?;
        serde_json::Value::Object(jws.payload)
    };
    serde_json::from_value(value).map_err(|e| CliError::Input(format!("not a trust list: {e}")))
}

fn show(file: &Path, json: bool) -> Result<i32, CliError> {
    let list = decode(&read_input(file)?)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&list).expect("the list serialises")
        );
        return Ok(0);
    }
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    println!("trust list #{} (format {})", list.sequence, list.version);
    println!("issued      {}", rfc(list.issued_at));
    println!("next update {}", rfc(list.next_update));
    for p in &list.provinces {
        println!(
            "{} {} / {}  node {}\n  roots {}, issuing agencies {}, seal authorities {}, show services {}",
            p.code.abbrev(),
            p.name_zh,
            p.name_en,
            p.node_url,
            p.roots.len(),
            p.issuing_agencies.len(),
            p.seal_authorities.len(),
            p.show_services.len()
        );
        for a in &p.issuing_agencies {
            println!(
                "  - {} {} ({} types)",
                a.uscc,
                a.name_zh,
                a.license_types.len()
            );
        }
    }
    let local: usize = list.catalogue.iter().map(|t| t.local.len()).sum();
    println!(
        "catalogue: {} common types, {local} local codes",
        list.catalogue.len()
    );
    Ok(0)
}

fn verify(a: VerifyArgs) -> Result<i32, CliError> {
    let signer = read_der(&a.signer, "CERTIFICATE")?;
    let at = parse_time(a.at.as_deref(), "--at")?;
    if a.grace_s < 0 {
        return Err(CliError::Input("--grace-s must not be negative".into()));
    }
    let text = read_input(&a.file)?;
    let opts = trust_list::VerifyOptions {
        signer_cert: &signer,
        at,
        held_sequence: a.held_sequence,
        grace: time::Duration::seconds(a.grace_s),
    };
    let (report, _) = trust_list::verify_report(&text, &opts);
    if a.json {
        println!("{}", report.to_json());
    } else {
        print!("{report}");
    }
    Ok(report.exit_code())
}
