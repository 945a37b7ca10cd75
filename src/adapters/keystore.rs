//! The key store: loads a keys directory (`manifest.json` + PEM keys and certificates,
//! e.g. the committed demo hierarchy in `keys/`) into entries holding the certificate,
//! what it says ([`CertInfo`]) and an `Arc<dyn Signer>` for the key.
//!
//! Owns: reading those files and checking each key matches its certificate.
//! Must not touch: what the keys are used for (the domain modules decide).

use crate::crypto::{CryptoError, PrivateKey, PublicKey, Signer, SoftwareSigner};
use crate::pki::{CertInfo, Manifest, ManifestEntry, PkiError, Province, Role};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest key, certificate or manifest file read.
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Why a keys directory could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyStoreError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// the file
        path: PathBuf,
        /// the cause
        source: std::io::Error,
    },
    /// A file is larger than any key, certificate or manifest should be.
    #[error("{0}: file too large")]
    TooLarge(PathBuf),
    /// The manifest or a certificate is malformed.
    #[error("{context}: {source}")]
    Pki {
        /// entry id or file
        context: String,
        /// the cause
        source: PkiError,
    },
    /// A private key is malformed.
    #[error("{id}: private key: {source}")]
    Key {
        /// entry id
        id: String,
        /// the cause
        source: CryptoError,
    },
    /// The key does not belong to the certificate, or the algorithm differs from the manifest.
    #[error("{0}: the private key does not match the certificate or the manifest's algorithm")]
    Mismatch(String),
}

/// One loaded key and certificate.
#[derive(Clone)]
pub struct KeyEntry {
    /// The manifest entry.
    pub manifest: ManifestEntry,
    /// Certificate, DER.
    pub cert_der: Vec<u8>,
    /// What the certificate says about its holder.
    pub info: CertInfo,
    /// The key (key id = manifest id).
    pub signer: Arc<dyn Signer>,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("id", &self.manifest.id)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl KeyEntry {
    /// Manifest id.
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    /// The entry as a trust list is built from it.
    pub fn listed(&self) -> crate::trust_list::Listed<'_> {
        crate::trust_list::Listed {
            entry: &self.manifest,
            cert_der: &self.cert_der,
        }
    }
}

/// Every entry of a keys directory.
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
    manifest: Manifest,
    entries: Vec<KeyEntry>,
}

fn read(path: &Path) -> Result<String, KeyStoreError> {
    let io = |source| KeyStoreError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE {
        return Err(KeyStoreError::TooLarge(path.to_owned()));
    }
    std::fs::read_to_string(path).map_err(io)
}

impl KeyStore {
    /// Load `dir/manifest.json` and every key and certificate it names.
    pub fn load(dir: impl AsRef<Path>) -> Result<KeyStore, KeyStoreError> {
        let dir = dir.as_ref().to_owned();
        let manifest_path = dir.join("manifest.json");
        let manifest =
            Manifest::from_json(&read(&manifest_path)?).map_err(|source| KeyStoreError::Pki {
                context: manifest_path.display().to_string(),
                source,
            })?;
        let mut entries = Vec::with_capacity(manifest.entries.len());
        for m in &manifest.entries {
            let pki = |source| KeyStoreError::Pki {
                context: m.id.clone(),
                source,
            };
            let cert_der =
                crate::pki::pem::cert_from_pem_or_der(read(&dir.join(&m.cert))?.as_bytes())
                    .map_err(pki)?;
            let info = CertInfo::from_der(&cert_der).map_err(pki)?;
            let key = PrivateKey::from_pem(&read(&dir.join(&m.key))?).map_err(|source| {
                KeyStoreError::Key {
                    id: m.id.clone(),
                    source,
                }
            })?;
            let cert_key = cert_public_key(&cert_der).map_err(pki)?;
            if &cert_key != key.public_key() || key.algorithm() != m.algorithm {
                return Err(KeyStoreError::Mismatch(m.id.clone()));
            }
            entries.push(KeyEntry {
                manifest: m.clone(),
                cert_der,
                info,
                signer: Arc::new(SoftwareSigner::new(m.id.clone(), key)),
            });
        }
        Ok(KeyStore {
            dir,
            manifest,
            entries,
        })
    }

    /// The directory loaded.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Every entry, in manifest order.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// The entry with `id`.
    pub fn get(&self, id: &str) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.manifest.id == id)
    }

    /// Entries of `role`.
    pub fn by_role(&self, role: Role) -> impl Iterator<Item = &KeyEntry> {
        self.entries.iter().filter(move |e| e.manifest.role == role)
    }

    /// Entries of `province`.
    pub fn by_province(&self, province: Province) -> impl Iterator<Item = &KeyEntry> {
        self.entries
            .iter()
            .filter(move |e| e.manifest.province == Some(province))
    }

    /// The first entry of `role` in `province`.
    pub fn find(&self, role: Role, province: Province) -> Option<&KeyEntry> {
        self.by_province(province).find(|e| e.manifest.role == role)
    }

    /// The issuer's entry of `id` (itself for self-signed ones).
    pub fn issuer_of(&self, id: &str) -> Option<&KeyEntry> {
        self.get(&self.get(id)?.manifest.issuer)
    }
}

fn cert_public_key(der: &[u8]) -> Result<PublicKey, PkiError> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|_| PkiError::MalformedCertificate("cannot parse DER certificate"))?;
    Ok(PublicKey::from_spki_der(cert.public_key().raw)?)
}
