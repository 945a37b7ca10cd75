//! `deltaseal seal …`: make seals, stamp files, verify and show seals and stamps.
//!
//! `verify` chooses by file extension: `.esl` a seal, `.dat` a detached stamp (needs
//! `--document`); any other extension is read as a seal or a stamp by its structure.

use super::cert_verify::read_der;
use super::seal_make::{self, MakeArgs, ReissueArgs, StampArgs};
use super::CliError;
use crate::crypto::{Algorithm, DigestAlgorithm};
use crate::seal::{
    verify_seal, verify_stamp, Seal, SealRevocationList, SealTrust, SignedData, Stamp,
};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

#[derive(Debug, Subcommand)]
pub(crate) enum SealCommand {
    /// Make a seal (GB/T 38540 v4 .esl) signed by a seal authority.
    Make(Box<MakeArgs>),
    /// Change who may stamp: make the next version of a seal and revoke the old one.
    Reissue(Box<ReissueArgs>),
    /// Stamp a file: write a detached SES_Signature (.dat) over its digest.
    Stamp(StampArgs),
    /// Verify a seal (.esl) or a detached stamp (.dat with --document); exit 0 passed,
    /// 1 failed, 3 indeterminate, 2 bad input.
    Verify(VerifyArgs),
    /// Show the structure of a seal or stamp, and write its picture out.
    Show(ShowArgs),
}

pub(crate) fn run(cmd: SealCommand) -> Result<i32, CliError> {
    match cmd {
        SealCommand::Make(a) => seal_make::make(*a),
        SealCommand::Reissue(a) => seal_make::reissue(*a),
        SealCommand::Stamp(a) => seal_make::stamp(a),
        SealCommand::Verify(a) => verify(a),
        SealCommand::Show(a) => show(a),
    }
}

/// Arguments of `seal verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The seal (.esl) or stamp (.dat).
    file: PathBuf,
    /// The signed file of a detached stamp.
    #[arg(long)]
    document: Option<PathBuf>,
    /// Trust anchor certificate(s), PEM or DER (repeatable). None: chains are indeterminate.
    #[arg(long = "trust")]
    trust: Vec<PathBuf>,
    /// Intermediate CA certificate(s) offered for path building (repeatable).
    #[arg(long = "intermediate")]
    intermediate: Vec<PathBuf>,
    /// Revoked seals: a JSON seal revocation list.
    #[arg(long)]
    revoked: Option<PathBuf>,
    /// Validation time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// OFD: certificate(s) of plain-signature (Type="Sign") signers, PEM or DER (repeatable).
    #[arg(long = "cert")]
    cert: Vec<PathBuf>,
}

pub(crate) fn parse_time(s: Option<&str>, flag: &str) -> Result<OffsetDateTime, CliError> {
    match s {
        Some(s) => OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| CliError::Input(format!("{flag} {s:?} is not RFC 3339: {e}"))),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

/// Read a seal or stamp file (bounded).
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, CliError> {
    let max = crate::seal::asn1::MAX_DER_LEN as u64;
    let meta = std::fs::metadata(path).map_err(|e| CliError::io(path, e))?;
    if meta.len() > max {
        return Err(CliError::Input(format!(
            "{}: larger than {max} bytes, not a seal or stamp",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| CliError::io(path, e))
}

fn hash_file(path: &Path, alg: DigestAlgorithm) -> Result<Vec<u8>, CliError> {
    let mut f = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut h = alg.hasher();
    std::io::copy(&mut f, &mut h).map_err(|e| CliError::io(path, e))?;
    Ok(h.finalize())
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn verify(a: VerifyArgs) -> Result<i32, CliError> {
    let at = parse_time(a.at.as_deref(), "--at")?;
    let anchors = super::cert_verify::read_anchors(&a.trust)?;
    let intermediates = a
        .intermediate
        .iter()
        .map(|p| read_der(p, "CERTIFICATE"))
        .collect::<Result<Vec<_>, _>>()?;
    let revoked = match &a.revoked {
        Some(p) => Some(
            serde_json::from_str::<SealRevocationList>(&super::read_text(p)?)
                .map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    if super::seal_ofd::is_ofd(&a.file) {
        let certs = a
            .cert
            .iter()
            .map(|p| read_der(p, "CERTIFICATE"))
            .collect::<Result<Vec<_>, _>>()?;
        return super::seal_ofd::verify(
            &a.file,
            anchors,
            intermediates,
            certs,
            revoked,
            at,
            a.json,
        );
    }
    let trust = SealTrust {
        anchors: &anchors,
        intermediates: &intermediates,
        crls: &[],
        revoked_seals: revoked.as_ref(),
    };
    let bytes = read_bounded(&a.file)?;
    let is_stamp = match extension(&a.file).as_str() {
        "esl" => false,
        "dat" => true,
        _ => Seal::from_der(&bytes).is_err() && Stamp::from_der(&bytes).is_ok(),
    };
    let report = if is_stamp {
        let doc = a.document.as_ref().ok_or_else(|| {
            CliError::Input("a detached stamp needs --document (the signed file)".into())
        })?;
        let alg = Stamp::from_der(&bytes)
            .ok()
            .and_then(|s| Algorithm::from_signature_oid(&s.signature_algorithm))
            .map(Algorithm::digest)
            .unwrap_or(DigestAlgorithm::Sm3);
        let digest = hash_file(doc, alg)?;
        verify_stamp(&bytes, SignedData::Digest(alg, &digest), &trust, at)
    } else {
        if a.document.is_some() {
            return Err(CliError::Input(
                "--document is for detached stamps (.dat)".into(),
            ));
        }
        verify_seal(&bytes, &trust, at)
    };
    if a.json {
        println!("{}", report.to_json());
    } else {
        print!("{report}");
    }
    Ok(report.exit_code())
}

/// Arguments of `seal show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The seal (.esl) or stamp (.dat).
    file: PathBuf,
    /// Write the seal picture to this file.
    #[arg(long = "picture-out")]
    picture_out: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn show(a: ShowArgs) -> Result<i32, CliError> {
    let bytes = read_bounded(&a.file)?;
    let (seal, stamp) = match Seal::from_der(&bytes) {
        Ok(s) => (s, None),
        Err(seal_err) => match Stamp::from_der(&bytes) {
            Ok(st) => (st.seal.clone(), Some(st)),
            Err(_) => {
                return Err(CliError::Input(format!(
                    "{}: neither a seal nor a stamp: {seal_err}",
                    a.file.display()
                )))
            }
        },
    };
    if a.json {
        let v = match &stamp {
            Some(st) => serde_json::json!({ "stamp": st }),
            None => serde_json::json!({ "seal": seal }),
        };
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        if let Some(st) = &stamp {
            println!("stamp (SES_Signature) {}", st.version);
            println!("  signing time : {}", opt_time(st.time_info));
            println!("  dataHash     : {}", hex::encode(&st.data_hash));
            println!("  propertyInfo : {}", st.property_info);
            println!("  signer       : {}", subject(&st.signer_cert));
            println!("  algorithm    : {}", st.signature_algorithm);
        }
        let p = &seal.info.property;
        println!("seal (SESeal) {}", seal.version);
        println!("  esID         : {}", seal.es_id());
        println!("  vendor       : {}", seal.info.header.vid);
        println!("  name         : {}", p.name);
        println!("  type         : {}", p.seal_type);
        println!("  created      : {}", fmt(p.create_date));
        println!(
            "  valid        : {} .. {}",
            fmt(p.valid_start),
            fmt(p.valid_end)
        );
        println!(
            "  certList     : type {}, {} entries",
            p.cert_list.list_type(),
            p.cert_list.len()
        );
        if let crate::seal::CertList::Certificates(certs) = &p.cert_list {
            for c in certs {
                println!("    - {}", subject(c));
            }
        }
        let pic = &seal.info.picture;
        println!(
            "  picture      : {} {} bytes, {}×{} mm",
            pic.kind,
            pic.data.len(),
            pic.width_mm,
            pic.height_mm
        );
        println!("  maker        : {}", subject(&seal.maker_cert));
        println!("  algorithm    : {}", seal.signature_algorithm);
    }
    if let Some(out) = &a.picture_out {
        std::fs::write(out, &seal.info.picture.data).map_err(|e| CliError::io(out, e))?;
        eprintln!(
            "picture ({}) written to {}",
            seal.info.picture.kind,
            out.display()
        );
    }
    Ok(0)
}

fn fmt(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn opt_time(t: Option<OffsetDateTime>) -> String {
    t.map(fmt).unwrap_or_else(|| "(not readable)".into())
}

fn subject(cert: &[u8]) -> String {
    crate::seal::cert::CertFacts::parse(cert)
        .map(|c| c.subject)
        .unwrap_or_else(|e| format!("({e})"))
}
