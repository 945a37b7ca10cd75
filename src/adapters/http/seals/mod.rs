//! HTTP seal endpoints (GB/T 38540): seal authorities make seals, organisations stamp
//! documents with them, anyone fetches a seal and the list of superseded seals.
//!
//! - `POST /v1/seals` — a hosted seal authority makes a seal (request token of a seal
//!   authority); `201` with the esID.
//! - `GET /v1/seals/{esID}` — the .esl (base64) and its picture (PNG base64 and SVG).
//! - `POST /v1/seals/{esID}/signers` — change who may stamp: the next seal version, the
//!   old one superseded (法人多级授权).
//! - `POST /v1/seals/{esID}/stamp` — an organisation signer listed in the seal uploads a
//!   document and gets the stamped OFD (`application/ofd`) or a detached SES_Signature.
//! - `GET /v1/seals/revocations` — superseded seals as a `SealRevocationList` (JSON).
//!
//! Owns: the seal handlers (authentication is the node's one [`super::auth::Bearer`]
//! extractor, for seal making or document stamping). Must not touch: seal formats and
//! OFD — `crate::seal` does those.

pub(crate) mod make;
pub(crate) mod stamp;

pub use make::{ChangeSigners, CreateSeal};
pub use stamp::StampQuery;

/// Largest document accepted for stamping, bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;
