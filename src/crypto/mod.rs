//! Signature algorithms, digests and keys.
//!
//! Owns: ECDSA P-256/SHA-256 (ring, with p256 for key formats) and SM2/SM3 (sm2 and sm3
//! crates; SM2 verification on efficient-sm2), signature encodings (DER `SEQUENCE{r,s}` and raw `r||s`), key generation and
//! PEM formats, and the [`Signer`] trait through which all signing goes.
//! Must not touch: files, network, clocks — callers pass bytes in and get bytes out.

mod algorithm;
mod digest;
mod error;
mod key;
mod public_key;
mod sig_encoding;
mod signer;
mod sm2_verify;

pub use algorithm::Algorithm;
pub use digest::{DigestAlgorithm, Hasher};
pub use error::CryptoError;
pub use key::PrivateKey;
pub use public_key::PublicKey;
pub use sig_encoding::{der_to_raw, raw_to_der, SignatureEncoding};
pub use signer::{thumbprint, Signer, SoftwareSigner};

/// The SM2 signer ID used when none is given (GB/T 35276, GM/T 0009).
pub const SM2_DEFAULT_ID: &str = "1234567812345678";
