//! `deltaseal cert …`: certificate verification and display.

use super::cert_show::{self, ShowArgs};
use super::cert_verify::{self, VerifyArgs};
use super::CliError;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Validate a certificate path and print the report (exit 0 passed, 1 failed,
    /// 3 indeterminate, 2 bad input).
    Verify(VerifyArgs),
    /// Print a readable summary of a certificate: subject, issuer, province, role,
    /// algorithm, validity, key usage, authorised license types, demo flag.
    Show(ShowArgs),
}

pub(crate) fn run(cmd: CertCommand) -> Result<i32, CliError> {
    match cmd {
        CertCommand::Verify(a) => cert_verify::run(a),
        CertCommand::Show(a) => cert_show::run(a),
    }
}
