//! The signature algorithms the project speaks.

use super::DigestAlgorithm;
use const_oid::ObjectIdentifier;
use serde::{Deserialize, Serialize};

/// OID of id-ecPublicKey (RFC 5480).
pub(crate) const ID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// OID of the NIST P-256 curve (prime256v1).
pub(crate) const CURVE_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// OID of the SM2 curve (sm2p256v1); some SM2 files also use it as the key algorithm.
pub(crate) const CURVE_SM2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// OID of ecdsa-with-SHA256.
pub(crate) const ECDSA_WITH_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// OID of SM2-with-SM3 (GM/T 0006).
pub(crate) const SM2_WITH_SM3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");

/// A signature algorithm: curve and digest together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// ECDSA over NIST P-256 with SHA-256 (JOSE `ES256`).
    #[serde(rename = "P-256")]
    EcdsaP256Sha256,
    /// SM2 with SM3 and the Z value over the signer ID (GB/T 32918).
    #[serde(rename = "SM2")]
    Sm2Sm3,
}

impl Algorithm {
    /// Every supported algorithm, for tests and benchmarks that run each.
    pub const ALL: [Algorithm; 2] = [Algorithm::EcdsaP256Sha256, Algorithm::Sm2Sm3];

    /// Short name used in manifests, reports and CLI flags: `P-256` or `SM2`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "P-256",
            Algorithm::Sm2Sm3 => "SM2",
        }
    }

    /// Parse the short name (case-insensitive; `p256`, `es256` and `sm2` also accepted).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "p-256" | "p256" | "es256" | "ecdsa-p256" => Some(Algorithm::EcdsaP256Sha256),
            "sm2" | "sm2-sm3" | "sm2sm3" => Some(Algorithm::Sm2Sm3),
            _ => None,
        }
    }

    /// The JOSE / SD-JWT `alg` value. SM2 uses the private-use name `SM2` (documented in
    /// the README): there is no IANA-registered JOSE name for SM2-with-SM3.
    pub fn jose_alg(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ES256",
            Algorithm::Sm2Sm3 => "SM2",
        }
    }

    /// Inverse of [`Algorithm::jose_alg`].
    pub fn from_jose_alg(alg: &str) -> Option<Self> {
        match alg {
            "ES256" => Some(Algorithm::EcdsaP256Sha256),
            "SM2" => Some(Algorithm::Sm2Sm3),
            _ => None,
        }
    }

    /// The digest the algorithm signs with.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Algorithm::EcdsaP256Sha256 => DigestAlgorithm::Sha256,
            Algorithm::Sm2Sm3 => DigestAlgorithm::Sm3,
        }
    }

    /// The X.509 signatureAlgorithm OID.
    pub fn signature_oid(self) -> ObjectIdentifier {
        match self {
            Algorithm::EcdsaP256Sha256 => ECDSA_WITH_SHA256,
            Algorithm::Sm2Sm3 => SM2_WITH_SM3,
        }
    }

    /// Algorithm named by an X.509 / CMS signatureAlgorithm OID.
    pub fn from_signature_oid(oid: &ObjectIdentifier) -> Option<Self> {
        if *oid == ECDSA_WITH_SHA256 {
            Some(Algorithm::EcdsaP256Sha256)
        } else if *oid == SM2_WITH_SM3 {
            Some(Algorithm::Sm2Sm3)
        } else {
            None
        }
    }

    /// The named-curve OID carried in the key's AlgorithmIdentifier parameters.
    pub fn curve_oid(self) -> ObjectIdentifier {
        match self {
            Algorithm::EcdsaP256Sha256 => CURVE_P256,
            Algorithm::Sm2Sm3 => CURVE_SM2,
        }
    }

    /// Algorithm of a key given its curve OID.
    pub fn from_curve_oid(oid: &ObjectIdentifier) -> Option<Self> {
        if *oid == CURVE_P256 {
            Some(Algorithm::EcdsaP256Sha256)
        } else if *oid == CURVE_SM2 {
            Some(Algorithm::Sm2Sm3)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
