//! `deltaseal cert show FILE`: a readable summary of one certificate (PEM or DER).

use super::CliError;
use crate::pki::{pem, CertSummary};
use std::path::PathBuf;

/// Arguments of `cert show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// The certificate (PEM or DER).
    file: PathBuf,
}

/// Largest certificate file read.
const MAX_FILE: u64 = 1024 * 1024;

pub(crate) fn run(a: ShowArgs) -> Result<i32, CliError> {
    let meta = std::fs::metadata(&a.file).map_err(|e| CliError::io(&a.file, e))?;
    if meta.len() > MAX_FILE {
        return Err(CliError::Input(format!(
            "{}: file too large",
            a.file.display()
        )));
    }
    let bytes = std::fs::read(&a.file).map_err(|e| CliError::io(&a.file, e))?;
    let bad = |e: crate::pki::PkiError| CliError::Input(format!("{}: {e}", a.file.display()));
    let der = pem::cert_from_pem_or_der(&bytes).map_err(bad)?;
    let s = CertSummary::from_der(&der).map_err(bad)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
    } else {
        print!("{}", text(&s));
    }
    Ok(0)
}

fn text(s: &CertSummary) -> String {
    let or_dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let i = &s.info;
    let mut lines = vec![
        ("subject", s.subject.clone()),
        ("issuer", s.issuer.clone()),
        ("serial", s.serial.clone()),
        ("organisation", or_dash(i.organisation.as_deref())),
        ("USCC", or_dash(i.uscc.as_deref())),
        (
            "province",
            i.province
                .map(|p| {
                    format!(
                        "{} {} ({}, {})",
                        p.abbrev(),
                        p.name_zh(),
                        p.name_en(),
                        p.division_code()
                    )
                })
                .unwrap_or_else(|| "-".into()),
        ),
        ("role", or_dash(i.role.map(|r| r.name()))),
        ("key algorithm", or_dash(s.key_algorithm.map(|a| a.name()))),
        ("signature", s.signature_algorithm.clone()),
        ("valid from", s.not_before.clone()),
        ("valid to", s.not_after.clone()),
        (
            "CA",
            match (s.is_ca, s.path_len) {
                (true, Some(n)) => format!("yes, pathLen {n}"),
                (true, None) => "yes".into(),
                (false, _) => "no".into(),
            },
        ),
        ("key usage", s.key_usage.join(", ")),
        (
            "extended key usage",
            s.extended_key_usage
                .iter()
                .map(|o| eku_name(o))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "license types",
            if i.license_types.is_empty() {
                "-".into()
            } else {
                i.license_types.join(", ")
            },
        ),
        (
            "demo",
            if i.demo {
                "YES (demo policy: never for production)".into()
            } else {
                "no".into()
            },
        ),
    ];
    lines.retain(|(_, v)| !v.is_empty());
    lines
        .iter()
        .map(|(k, v)| format!("{k:<19} {v}\n"))
        .collect()
}

/// A project EKU by name, others as their OID.
fn eku_name(oid: &str) -> String {
    use crate::pki::oids::*;
    let known = [
        (EKU_TRUST_LIST_SIGNING, "trust-list signing"),
        (EKU_LICENSE_SIGNING, "license signing"),
        (EKU_SEAL_MAKING, "seal making"),
        (EKU_DOCUMENT_STAMPING, "document stamping"),
        (EKU_SHOW_TOKEN_SIGNING, "show-token signing"),
    ];
    known
        .iter()
        .find(|(o, _)| o.to_string() == oid)
        .map(|(_, n)| format!("{n} ({oid})"))
        .unwrap_or_else(|| oid.to_owned())
}
