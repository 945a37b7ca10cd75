//! Command-line interface (clap). Each verb group lives in its own file; this file only
//! dispatches. Exit codes are a contract: 0 valid/passed, 1 invalid/failed, 2 usage or
//! input error, 3 indeterminate.
//!
//! Must not touch: the HTTP adapter — only `serve` starts its router; the license verbs
//! are HTTP clients of a node and sign their request tokens with [`crate::jose`].

mod archive;
mod archive_export;
mod cert;
mod cert_show;
mod cert_verify;
mod keys;
mod license;
mod license_bulk;
mod qr;
mod seal;
mod seal_make;
mod seal_ofd;
mod serve;
mod token;
mod trust_list;
mod verify;
mod verify_evidence;

use clap::{Parser, Subcommand};

/// Exit code: usage or input error.
pub const EXIT_BAD_INPUT: i32 = 2;

/// deltaseal — electronic licenses, proofs and seals for the Yangtze River Delta.
#[derive(Debug, Parser)]
#[command(name = "deltaseal", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate keys and the demo hierarchy.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Audit a node's tamper-evident archive log.
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    /// Verify and show certificates.
    #[command(subcommand)]
    Cert(cert::CertCommand),
    /// Make seals, stamp files, verify and show seals and stamps.
    #[command(subcommand)]
    Seal(seal::SealCommand),
    /// Issue, change and show e-licenses and e-proofs through a node's API.
    #[command(subcommand)]
    License(license::LicenseCommand),
    /// Decode QR texts (show tokens, EU DCC payloads) layer by layer.
    #[command(subcommand)]
    Qr(qr::QrCommand),
    /// Run the issuance node (HTTP API).
    Serve(serve::ServeArgs),
    /// Print a request token signed by a hosted party's key, for calling the API by
    /// hand (`Authorization: Bearer …`).
    Token(token::TokenArgs),
    /// Build, sign, show and verify the regional trust list.
    #[command(subcommand, name = "trust-list")]
    TrustList(trust_list::TrustListCommand),
    /// Verify any artifact (SD-JWT VC, seal, stamp, OFD, certificate) under the trust
    /// list and a policy; exit 0 passed, 1 failed, 3 indeterminate, 2 bad input.
    Verify(verify::VerifyArgs),
}

/// An error the CLI reports on stderr before exiting with code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// the file
        path: String,
        /// the cause
        source: std::io::Error,
    },
    /// The input could not be used.
    #[error("{0}")]
    Input(String),
}

impl CliError {
    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Exit code when standard output was closed by its reader (`… | head`), as a process
/// ended by SIGPIPE reports it to the shell.
pub const EXIT_CLOSED_STDOUT: i32 = 141;

/// A reader that closes standard output early (`deltaseal … | head`) ends the command
/// quietly with [`EXIT_CLOSED_STDOUT`], instead of the panic `println!` raises on a
/// broken pipe; every other panic is reported as usual.
pub fn end_quietly_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.starts_with("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(EXIT_CLOSED_STDOUT);
        }
        default(info);
    }));
}

/// Parse the command line, run it, and return the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Keys(c) => keys::run(c),
        Command::Archive(c) => archive::run(c),
        Command::Cert(c) => cert::run(c),
        Command::Seal(c) => seal::run(c),
        Command::License(c) => license::run(c),
        Command::Qr(c) => qr::run(c),
        Command::Serve(a) => serve::run(a),
        Command::Token(a) => token::run(a),
        Command::TrustList(c) => trust_list::run(c),
        Command::Verify(a) => verify::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("deltaseal: {e}");
            EXIT_BAD_INPUT
        }
    }
}

/// Read a file into a string, mapping errors to [`CliError`].
#[allow(dead_code)]
pub(crate) fn read_text(path: &std::path::Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError::io(path, e))
}
