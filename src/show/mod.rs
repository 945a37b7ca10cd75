//! Show tokens (亮证): what a holder's QR code carries, signed by the holder's
//! province's show-license service as a COSE_Sign1 over CWT claims in the QR text
//! layers of [`crate::qr`].
//!
//! Two modes:
//! - **online** — a reference: token id, expiry, audience and the province of the
//!   license's issuing node, where the token id was recorded with the license and the
//!   chosen claims when the token was made; the verifying node fetches the disclosures
//!   from that node, which records the token id as used (single use);
//! - **offline** — self-contained: the issuing agency's attestation ([`attest`]) of
//!   the chosen claims and the holder's name and code (so a clerk can compare the
//!   person), with the license identifier, type and status reference, signed for this
//!   token by the agency key that signed the license.
//!
//! The claims map ([`token`]) is documented there key by key.
//!
//! Owns: the token model, the issuer's attestation, time-to-live bounds,
//! masking an ID number for display.
//! Must not touch: files, network, clocks, axum, sqlx, tokio.

pub mod attest;
mod error;
pub mod mask;
pub mod text;
pub mod token;

pub use attest::Attestation;
pub use error::ShowError;
pub use mask::mask_code;
pub use text::{read_token, sign_token};
pub use token::{Body, Mode, ShowToken};

/// Default time to live of a show token (seconds).
pub const DEFAULT_TTL_S: u32 = 120;
/// Longest time to live of a show token (seconds).
pub const MAX_TTL_S: u32 = 600;
/// Most claims a holder may choose to show.
pub const MAX_DISCLOSE: usize = 32;
/// Bytes of a token id.
pub const TOKEN_ID_LEN: usize = 8;
/// The claims always carried in an offline token beside the chosen ones, so the
/// verifier can show the holder's name and masked ID number.
pub const HOLDER_CLAIMS: [&str; 2] = ["holder", "holder_code"];
