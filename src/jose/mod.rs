//! Signed tokens: compact JWS (RFC 7515) as every signed artifact of the project uses
//! it, and the request tokens callers authenticate with.
//!
//! Owns: base64url, JWS signing through a [`crate::crypto::Signer`] (raw `r||s` for both
//! ES256 and SM2), bounded compact-JWS parsing, the `x5c` header ([`jws`]); making and
//! checking request tokens, including their `x5c` path validation against typed trust
//! anchors ([`request_token`]).
//! Must not touch: HTTP, storage, async runtimes, files, clocks — time is an argument.

pub mod audience;
mod error;
pub mod jws;
pub mod request_token;

pub use audience::{normalise_audience, Audiences};
pub use error::JoseError;
pub use jws::{
    b64, b64_decode, b64_into, cert_public_key, json_object, sign_compact, signing_input,
    x5c_value, CompactJws, MAX_X5C,
};
pub use request_token::{
    check_claims, check_claims_for, make_request_token, verify_request_token,
    verify_request_token_for, CheckedClaims, RequestTokenError, VerifiedToken, CLOCK_SKEW,
    MAX_TOKEN_BYTES, MAX_TOKEN_LIFETIME,
};
