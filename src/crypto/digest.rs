//! Digests: SHA-256 and SM3 behind one enum.

use const_oid::ObjectIdentifier;
use digest::Digest;
use serde::{Deserialize, Serialize};

const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.401");

/// A hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4).
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SM3 (GB/T 32905).
    #[serde(rename = "SM3")]
    Sm3,
}

impl DigestAlgorithm {
    /// Digest `data` in one go.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }

    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            DigestAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sm3 => Hasher::Sm3(sm3::Sm3::new()),
        }
    }

    /// Output length in bytes (32 for both).
    pub fn output_len(self) -> usize {
        32
    }

    /// Name as written in reports and OFD `CheckMethod` (`SHA-256`, `SM3`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sm3 => "SM3",
        }
    }

    /// The digest algorithm OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => OID_SHA256,
            DigestAlgorithm::Sm3 => OID_SM3,
        }
    }

    /// Digest named by an OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        if *oid == OID_SHA256 {
            Some(DigestAlgorithm::Sha256)
        } else if *oid == OID_SM3 {
            Some(DigestAlgorithm::Sm3)
        } else {
            None
        }
    }

    /// Digest named by an OID in dotted form or by name (`SM3`, `SHA-256`, `SHA256`),
    /// as OFD `CheckMethod` attributes carry either.
    pub fn from_name_or_oid(s: &str) -> Option<Self> {
        let t = s.trim();
        if let Ok(oid) = ObjectIdentifier::new(t) {
            return Self::from_oid(&oid);
        }
        match t.to_ascii_uppercase().as_str() {
            "SM3" => Some(DigestAlgorithm::Sm3),
            "SHA-256" | "SHA256" => Some(DigestAlgorithm::Sha256),
            _ => None,
        }
    }
}

/// Incremental digest state.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-256 state.
    Sha256(sha2::Sha256),
    /// SM3 state.
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// Feed bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sm3(h) => h.update(data),
        }
    }

    /// Finish and return the digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sm3(h) => h.finalize().to_vec(),
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
