//! Agency request tokens: the short-lived JWT an agency signs with its own key to
//! authenticate each call (`Authorization: Bearer …`).
//!
//! Header `{"alg": "ES256"|"SM2", "typ": "JWT", "x5c": [leaf, …]}`; claims `iss` (the
//! agency's USCC), `aud` (the node), `iat`, `exp` (at most [`MAX_TOKEN_LIFETIME`]
//! seconds after `iat`) and a unique `jti`. Signing and parsing use the license
//! domain's JOSE helpers; this file only fixes the claims.

use super::error::ApiError;
use crate::crypto::Signer;
use crate::license::jose::{self, CompactJws};
use crate::license::LicenseError;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Longest lifetime (exp − iat) a node accepts, in seconds.
pub const MAX_TOKEN_LIFETIME: i64 = 300;
/// Clock skew tolerated on `iat` and `exp`, in seconds.
pub const CLOCK_SKEW: i64 = 30;
/// Largest token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Make a request token for `audience`, valid for `lifetime` seconds from `now`.
pub fn make_request_token(
    signer: &dyn Signer,
    chain: &[Vec<u8>],
    issuer: &str,
    audience: &str,
    now: OffsetDateTime,
    lifetime: i64,
) -> Result<String, LicenseError> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert("x5c".into(), jose::x5c_value(chain));
    let mut claims = Map::new();
    let iat = now.unix_timestamp();
    claims.insert("iss".into(), issuer.into());
    claims.insert("aud".into(), audience.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("exp".into(), (iat + lifetime).into());
    claims.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
    jose::sign_compact(signer, header, &claims)
}

/// A parsed token whose time and audience claims are acceptable (signature and chain
/// are checked by the caller).
#[derive(Debug)]
pub struct CheckedClaims {
    /// The parsed JWS.
    pub jws: CompactJws,
    /// `jti`.
    pub jti: String,
    /// `exp` (Unix seconds).
    pub exp: i64,
}

/// Parse a token and check `aud`, `iat`, `exp` and `jti` at `now`.
pub fn check_claims(token: &str, audience: &str, now: i64) -> Result<CheckedClaims, ApiError> {
    let jws = CompactJws::parse(token, "request token", MAX_TOKEN_BYTES)
        .map_err(|e| ApiError::Unauthenticated(e.to_string()))?;
    if jws.algorithm().is_none() {
        return Err(ApiError::Unauthenticated(
            "request token alg must be ES256 or SM2".into(),
        ));
    }
    let p = &jws.payload;
    let aud_ok = match p.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(v)) => v.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(ApiError::WrongAudience);
    }
    let num = |k: &str| {
        p.get(k)
            .and_then(Value::as_i64)
            .ok_or_else(|| ApiError::Unauthenticated(format!("request token has no numeric {k}")))
    };
    let (iat, exp) = (num("iat")?, num("exp")?);
    if exp <= iat || exp - iat > MAX_TOKEN_LIFETIME {
        return Err(ApiError::TokenLifetimeTooLong(MAX_TOKEN_LIFETIME));
    }
    if now >= exp + CLOCK_SKEW || iat > now + CLOCK_SKEW {
        return Err(ApiError::TokenExpired);
    }
    let jti = p
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty() && j.len() <= 128)
        .ok_or_else(|| ApiError::Unauthenticated("request token has no jti".into()))?
        .to_string();
    Ok(CheckedClaims { jws, jti, exp })
}
