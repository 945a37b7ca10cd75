//! `deltaseal keys …`: key generation and the demo hierarchy.

use super::CliError;
use crate::crypto::{Algorithm, PrivateKey};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Generate one private key (PKCS#8 PEM) and print or write it.
    Generate {
        /// Algorithm: P-256 or SM2.
        #[arg(long, default_value = "SM2")]
        alg: String,
        /// Write the key here (mode 0600) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Generate the DEMO hierarchy (trust-list signer, four province roots, agencies,
    /// seal authorities, organisation signers, show services) and its manifest.
    Init {
        /// Directory to write (created if missing).
        #[arg(long, default_value = "keys")]
        dir: PathBuf,
        /// Replace the keys of a directory that already holds a key store.
        #[arg(long)]
        force: bool,
        /// Keep the keys of the existing store and re-issue its certificates (same
        /// serials, names, validity); certificates already as the builders make them are
        /// kept unchanged.
        #[arg(long, conflicts_with = "force")]
        reissue: bool,
    },
}

pub(crate) fn run(cmd: KeysCommand) -> Result<i32, CliError> {
    match cmd {
        KeysCommand::Generate { alg, out } => {
            let alg = Algorithm::from_name(&alg).ok_or_else(|| {
                CliError::Input(format!("unknown algorithm {alg:?}; use P-256 or SM2"))
            })?;
            let key = PrivateKey::generate(alg).map_err(|e| CliError::Input(e.to_string()))?;
            let pem = key.to_pkcs8_pem();
            match out {
                Some(p) => write_secret(&p, &pem)?,
                None => print!("{pem}"),
            }
            Ok(0)
        }
        KeysCommand::Init {
            dir,
            force,
            reissue,
        } => init(&dir, force, reissue),
    }
}

/// Write the demo hierarchy under `dir` and print a one-line summary per entry.
fn init(dir: &std::path::Path, force: bool, reissue: bool) -> Result<i32, CliError> {
    if !force && !reissue && dir.join("manifest.json").exists() {
        return Err(CliError::Input(format!(
            "{} already holds a key store (manifest.json); its keys would be replaced — \
             pass --force to do that",
            dir.display()
        )));
    }
    let demo = if reissue {
        crate::pki::demo::reissue(&|base| read_existing(dir, base))
    } else {
        crate::pki::demo::generate()
    }
    .map_err(|e| CliError::Input(e.to_string()))?;
    for f in &demo.files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::io(parent, e))?;
        }
        if f.secret {
            write_secret(&path, &f.text)?;
        } else {
            std::fs::write(&path, &f.text).map_err(|e| CliError::io(&path, e))?;
        }
    }
    for e in &demo.manifest.entries {
        println!(
            "{:<24} {:<20} {:<6} {}",
            e.id,
            e.role.name(),
            e.algorithm.name(),
            e.cert
        );
    }
    println!(
        "wrote {} files to {} (DEMO keys: never use them in production)",
        demo.files.len(),
        dir.display()
    );
    Ok(0)
}

/// The key and certificate of one member of an existing store (`<base>.key.pem`,
/// `<base>.cert.pem` under `dir`).
fn read_existing(
    dir: &std::path::Path,
    base: &str,
) -> Result<crate::pki::demo::Existing, crate::pki::PkiError> {
    use crate::pki::PkiError;
    let read = |suffix: &str| {
        let path = dir.join(format!("{base}.{suffix}.pem"));
        std::fs::read_to_string(&path)
            .map_err(|e| PkiError::Manifest(format!("{}: {e}", path.display())))
    };
    let key = PrivateKey::from_pem(&read("key")?)
        .map_err(|e| PkiError::Manifest(format!("{base}.key.pem: {e}")))?;
    let cert_der = crate::pki::pem::cert_from_pem_or_der(read("cert")?.as_bytes())?;
    Ok(crate::pki::demo::Existing { key, cert_der })
}

/// Write a private key file readable only by its owner.
pub(crate) fn write_secret(path: &std::path::Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| CliError::io(path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| CliError::io(path, e))
}
