//! QR text: the layers a show token (and an EU DCC payload) travels in, and the QR
//! images that carry the text.
//!
//! `PREFIX` + base45 (RFC 9285) of zlib (RFC 1950) of a COSE_Sign1 (RFC 9052) whose
//! payload is a CWT claims set (RFC 8392). The `kid` of a signed text is the first 8
//! bytes of SHA-256 over the signer certificate's DER (the EU DCC rule). Algorithms:
//! ES256 (COSE -7) and SM2-with-SM3 under the private-use COSE algorithm value
//! [`COSE_ALG_SM2`] (-65537, raw `r||s`, default signer ID): SM2 has no registered COSE
//! algorithm. PS256 (-37) is recognised and reported as unsupported.
//!
//! [`codec`] wraps and unwraps the text layers, [`cose`] signs and checks the
//! COSE_Sign1, [`inspect`] decodes layer by layer into a report naming the first layer
//! that fails, [`image`] renders PNG / SVG QR codes (alphanumeric mode, EC level Q) and
//! decodes photos of them.
//!
//! Owns: the layers, their bounds (text, inflated size), the kid rule.
//! Must not touch: files, network, clocks (times are arguments), axum, sqlx, tokio.

pub mod codec;
pub mod cose;
mod error;
pub mod image;
pub mod inspect;

pub use codec::{unwrap_text, wrap_text};
pub use cose::{kid_of, sign, CoseAlg, Signed};
pub use error::{Layer, QrError};
pub use inspect::{inspect, Inspection, LayerOutcome, LayerResult, Options};

/// The text prefix of the project's show tokens, version 1 (alphanumeric QR characters
/// only).
pub const PREFIX: &str = "DS1:";
/// The EU DCC prefix.
pub const DCC_PREFIX: &str = "HC1:";
/// Longest QR text accepted (characters). A version 40 QR code holds at most 4,296
/// alphanumeric characters.
pub const MAX_TEXT: usize = 4_296;
/// Largest inflated (zlib-decompressed) COSE value accepted, in bytes.
pub const MAX_INFLATED: usize = 64 * 1024;
/// The private-use COSE algorithm value for SM2 with SM3 (RFC 9053 reserves values
/// below -65536 for private use).
pub const COSE_ALG_SM2: i64 = -65537;
