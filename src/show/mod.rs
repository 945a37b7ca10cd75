//! Show tokens (亮证): what a holder's QR code carries, signed by the holder's
//! province's show-license service as a COSE_Sign1 over CWT claims in the QR text
//! layers of [`crate::qr`].
//!
//! Two modes:
//! - **online** — a reference: license identifier, token id, expiry, audience and the
//!   names of the chosen claims; the verifying node fetches the disclosures from the
//!   license's issuing node, which records the token id as used (single use);
//! - **offline** — self-contained: the chosen SD-JWT disclosures exactly as the issuer
//!   signed them, the holder's name and code disclosures (so a clerk can compare the
//!   person), and the issuer-signed JWT needed to check them, packed so that
//!   certificates the trust list carries travel as 8-byte references ([`packed`]);
//!   plus the license identifier, type and status reference.
//!
//! The claims map ([`token`]) is documented there key by key.
//!
//! Owns: the token model, packing an SD-JWT into it and back, time-to-live bounds,
//! masking an ID number for display.
//! Must not touch: files, network, clocks, axum, sqlx, tokio.

mod error;
pub mod mask;
pub mod packed;
pub mod text;
pub mod token;

pub use error::ShowError;
pub use mask::mask_code;
pub use packed::{pack_offline, PackedJwt};
pub use text::{read_token, sign_token};
pub use token::{Body, Mode, Offline, ShowToken};

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
