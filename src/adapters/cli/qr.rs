//! `deltaseal qr inspect [--prefix P] [--cert CERT.pem] [--at T] [--json] TEXT|-`: a QR
//! text decoded layer by layer ([`crate::qr::inspect`]), the first layer that fails
//! named. Must not touch: decoding logic — this reads arguments and prints.
//!
//! Exit codes: 0 every layer decoded (and kid, signature and times valid where a
//! certificate / time is given), 1 kid, signature or times fail, 2 a layer does not
//! decode, the prefix is not the expected one, or the input is unusable, 3 the COSE
//! algorithm is not supported.

use super::cert_verify::read_der;
use super::CliError;
use crate::qr::{self, inspect, LayerOutcome, Options};
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;

/// `deltaseal qr …`.
#[derive(Debug, Subcommand)]
pub(crate) enum QrCommand {
    /// Decode a QR text layer by layer: prefix, base45, zlib, COSE_Sign1, CWT claims,
    /// then the kid and signature against --cert and the times at --at.
    Inspect(InspectArgs),
}

/// Arguments of `qr inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The QR text; `-` reads it from standard input.
    text: String,
    /// The expected prefix (default `DS1:`, the project's show tokens; `HC1:` for EU DCC).
    #[arg(long, default_value = qr::PREFIX)]
    prefix: String,
    /// The signer certificate (PEM or DER): the kid must name it (first 8 bytes of the
    /// SHA-256 of its DER) and the signature must verify with its key.
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Validation time (RFC 3339; without an offset, UTC): the certificate's validity
    /// and iat <= T <= exp are checked at it. Default with --cert: now; without: not
    /// checked.
    #[arg(long)]
    at: Option<String>,
    /// Print the layers as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(c: QrCommand) -> Result<i32, CliError> {
    match c {
        QrCommand::Inspect(a) => run_inspect(a),
    }
}

fn run_inspect(a: InspectArgs) -> Result<i32, CliError> {
    let text = if a.text == "-" {
        let mut s = String::new();
        std::io::stdin()
            .take(u64::try_from(qr::MAX_TEXT * 4).unwrap_or(u64::MAX))
            .read_to_string(&mut s)
            .map_err(|e| CliError::io("-", e))?;
        s
    } else {
        a.text.clone()
    };
    let cert = a
        .cert
        .as_ref()
        .map(|p| read_der(p, "CERTIFICATE"))
        .transpose()?;
    let at = match a.at.as_deref() {
        Some(t) => Some(
            inspect::parse_time(t)
                .ok_or_else(|| CliError::Input(format!("--at {t:?} is not an RFC 3339 time")))?,
        ),
        None if cert.is_some() => Some(time::OffsetDateTime::now_utc()),
        None => None,
    };
    let opts = Options {
        prefix: &a.prefix,
        cert_der: cert.as_deref(),
        at,
    };
    let r = inspect(&text, &opts);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&r).map_err(|e| CliError::Input(e.to_string()))?
        );
    } else {
        for l in &r.layers {
            let mark = match l.outcome {
                LayerOutcome::Passed => "ok  ",
                LayerOutcome::Failed => "FAIL",
                LayerOutcome::Unsupported => "UNSUPPORTED",
                LayerOutcome::NotChecked => "-   ",
                LayerOutcome::NotReached => "    ",
            };
            println!("{mark} {:<9} {}", l.layer.name(), l.detail);
        }
        if let Some(c) = &r.claims {
            println!("claims: {c}");
        }
        match r.first_failure {
            Some(l) => println!("first failing layer: {}", l.name()),
            None => println!("every layer decoded"),
        }
    }
    Ok(r.exit_code())
}
