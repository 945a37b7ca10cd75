//! The [`Signer`] trait: every signature the project makes goes through it, so a
//! hardware key can stand in for a software one.

use super::{Algorithm, CryptoError, DigestAlgorithm, PrivateKey, PublicKey, SignatureEncoding};
use base64::Engine;

/// Something that can sign with one key.
pub trait Signer: Send + Sync {
    /// A stable identifier of the key (manifest id, HSM label, thumbprint).
    fn key_id(&self) -> &str;
    /// The key's algorithm.
    fn algorithm(&self) -> Algorithm;
    /// The public key.
    fn public_key(&self) -> &PublicKey;
    /// Sign `msg` (hashing included) and return the signature in `encoding`.
    fn sign(&self, msg: &[u8], encoding: SignatureEncoding) -> Result<Vec<u8>, CryptoError>;
}

/// A [`Signer`] over a key held in memory.
#[derive(Debug)]
pub struct SoftwareSigner {
    id: String,
    key: PrivateKey,
}

impl SoftwareSigner {
    /// Wrap a key under an explicit id.
    pub fn new(id: impl Into<String>, key: PrivateKey) -> Self {
        SoftwareSigner { id: id.into(), key }
    }

    /// Wrap a key; its id is the base64url SHA-256 thumbprint of its SubjectPublicKeyInfo.
    pub fn with_thumbprint(key: PrivateKey) -> Self {
        let id = thumbprint(key.public_key());
        SoftwareSigner { id, key }
    }

    /// The wrapped key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }
}

/// base64url SHA-256 of the key's DER SubjectPublicKeyInfo.
pub fn thumbprint(pk: &PublicKey) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(DigestAlgorithm::Sha256.digest(&pk.to_spki_der()))
}

impl Signer for SoftwareSigner {
    fn key_id(&self) -> &str {
        &self.id
    }
    fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }
    fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }
    fn sign(&self, msg: &[u8], encoding: SignatureEncoding) -> Result<Vec<u8>, CryptoError> {
        self.key.sign(msg, encoding)
    }
}
