//! `deltaseal cert verify`: path validation of a certificate, printed as a report.

use super::CliError;
use crate::pki::validate::{validate, Policy, Purpose};
use crate::pki::TrustAnchors;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `cert verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Trust anchor certificate(s), PEM or DER (repeatable; at least one).
    #[arg(long = "trust", required = true)]
    trust: Vec<PathBuf>,
    /// Intermediate certificate(s) offered for path building (repeatable).
    #[arg(long = "intermediate")]
    intermediate: Vec<PathBuf>,
    /// Validation time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Purpose of the leaf: any, license, seal, stamp, show, trust-list.
    #[arg(long, default_value = "any")]
    purpose: String,
    /// License type code the leaf (an issuing agency) must be authorised for.
    #[arg(long = "license-type")]
    license_type: Option<String>,
    /// CRL(s), PEM or DER (repeatable).
    #[arg(long = "crl")]
    crl: Vec<PathBuf>,
    /// Require a current CRL for every certificate below the anchor.
    #[arg(long)]
    require_crl: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The certificate to validate, PEM or DER.
    leaf: PathBuf,
}

pub(crate) fn run(a: VerifyArgs) -> Result<i32, CliError> {
    let at = match &a.at {
        Some(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| CliError::Input(format!("--at {s:?} is not RFC 3339: {e}")))?,
        None => time::OffsetDateTime::now_utc(),
    };
    let purpose = Purpose::parse(&a.purpose).ok_or_else(|| {
        CliError::Input(format!(
            "unknown purpose {:?}; use any, license, seal, stamp, show or trust-list",
            a.purpose
        ))
    })?;
    let leaf = read_der(&a.leaf, "CERTIFICATE")?;
    let intermediates = a
        .intermediate
        .iter()
        .map(|p| read_der(p, "CERTIFICATE"))
        .collect::<Result<Vec<_>, _>>()?;
    let anchors = read_anchors(&a.trust)?;
    let crls = a
        .crl
        .iter()
        .map(|p| read_der(p, "X509 CRL"))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = Policy {
        at,
        purpose,
        license_type: a.license_type.as_deref(),
        crls: &crls,
        require_revocation_info: a.require_crl,
    };
    let v = validate(&leaf, &intermediates, &anchors, &policy);
    if a.json {
        println!("{}", v.report.to_json());
    } else {
        print!("{}", v.report);
    }
    Ok(v.report.exit_code())
}

/// Read a PEM block with `label` (the first one) or raw DER.
pub(crate) fn read_der(path: &Path, label: &str) -> Result<Vec<u8>, CliError> {
    const MAX: u64 = 1 << 20;
    let meta = std::fs::metadata(path).map_err(|e| CliError::io(path, e))?;
    if meta.len() > MAX {
        return Err(CliError::Input(format!(
            "{}: larger than 1 MiB, not a certificate or CRL",
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    if bytes.starts_with(b"-----BEGIN") || bytes.iter().take(64).all(|b| b.is_ascii()) {
        let text = String::from_utf8_lossy(&bytes);
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        let start = text
            .find(&begin)
            .ok_or_else(|| CliError::Input(format!("{}: no {begin} block", path.display())))?;
        let stop = text[start..].find(&end).ok_or_else(|| {
            CliError::Input(format!("{}: unterminated {begin} block", path.display()))
        })? + start
            + end.len();
        let (got, der) = der::pem::decode_vec(text[start..stop].as_bytes())
            .map_err(|e| CliError::Input(format!("{}: bad PEM: {e}", path.display())))?;
        debug_assert_eq!(got, label);
        Ok(der)
    } else {
        Ok(bytes)
    }
}

/// The certificates named by `--trust`, trusted for every purpose (the command's own
/// `--purpose` decides what the leaf must be).
pub(crate) fn read_anchors(paths: &[PathBuf]) -> Result<TrustAnchors, CliError> {
    let ders = paths
        .iter()
        .map(|p| read_der(p, "CERTIFICATE"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TrustAnchors::any_purpose(ders))
}
