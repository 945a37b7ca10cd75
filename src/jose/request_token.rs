//! Request tokens: the short-lived JWT a hosted party (issuing agency, seal authority,
//! organisation signer) signs with its own key to authenticate each call
//! (`Authorization: Bearer …`).
//!
//! Header `{"alg": "ES256"|"SM2", "typ": "JWT", "x5c": [leaf, …]}`; claims `iss` (the
//! party's USCC or id), `aud` (the node), `iat`, `exp` (at most [`MAX_TOKEN_LIFETIME`]
//! seconds after `iat`) and a unique `jti`. Checking is claims first (cheap), then the
//! `x5c` chain against typed trust anchors for the purpose the caller needs, then the
//! signature with the leaf's key, and `iss` must be the USCC the leaf certificate names
//! (its subject's organizationIdentifier). Remembering `jti`s against replay is the
//! caller's.

use super::audience::Audiences;
use super::jws::{cert_public_key, sign_compact, x5c_value, CompactJws};
use super::JoseError;
use crate::crypto::Signer;
use crate::pki::validate::{validate, Policy, Purpose};
use crate::pki::{CertInfo, TrustAnchors};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Longest lifetime (exp − iat) a node accepts, in seconds.
pub const MAX_TOKEN_LIFETIME: i64 = 300;
/// Clock skew tolerated on `iat` and `exp`, in seconds.
pub const CLOCK_SKEW: i64 = 30;
/// Largest token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a request token is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestTokenError {
    /// The token is not a well-formed compact JWS with the claims a request token needs
    /// (or is too large, or has no usable `x5c`).
    #[error("{0}")]
    Malformed(String),
    /// The `aud` claim does not name this node; `expected` are the audiences it
    /// accepts (normalised).
    #[error("the request token's audience is not this node, which accepts {}", .expected.join(", "))]
    WrongAudience {
        /// What the node accepts.
        expected: Vec<String>,
    },
    /// `exp − iat` is longer than allowed (or not positive).
    #[error("the request token may live at most {0} seconds")]
    LifetimeTooLong(i64),
    /// Expired, or issued in the future, beyond the clock skew.
    #[error("the request token has expired or is not yet valid")]
    Expired,
    /// The `x5c` chain does not validate to a trust anchor for the purpose; the text
    /// is the decisive check's code.
    #[error("the request token's certificate is not trusted: {0}")]
    UntrustedKey(String),
    /// The signature does not verify with the leaf certificate's key.
    #[error("request token signature does not verify")]
    BadSignature,
    /// `iss` does not name the holder of the `x5c` certificate.
    #[error("the request token's iss {iss:?} is not the USCC of its certificate ({cert})")]
    WrongIssuer {
        /// The `iss` claim.
        iss: String,
        /// What the certificate names (its USCC, or that it has none).
        cert: String,
    },
    /// Signing failed (making a token).
    #[error(transparent)]
    Signing(#[from] JoseError),
}

/// Make a request token for `audience`, valid for `lifetime` seconds from `now`.
pub fn make_request_token(
    signer: &dyn Signer,
    chain: &[Vec<u8>],
    issuer: &str,
    audience: &str,
    now: OffsetDateTime,
    lifetime: i64,
) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert("x5c".into(), x5c_value(chain));
    let mut claims = Map::new();
    let iat = now.unix_timestamp();
    claims.insert("iss".into(), issuer.into());
    claims.insert("aud".into(), audience.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("exp".into(), (iat + lifetime).into());
    claims.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
    sign_compact(signer, header, &claims)
}

/// A parsed token whose time and audience claims are acceptable (signature and chain
/// not yet checked).
#[derive(Debug)]
pub struct CheckedClaims {
    /// The parsed JWS.
    pub jws: CompactJws,
    /// `iss`.
    pub iss: String,
    /// `jti`.
    pub jti: String,
    /// `exp` (Unix seconds).
    pub exp: i64,
}

/// Parse a token and check `aud`, `iat`, `exp` and `jti` at `now` (Unix seconds).
pub fn check_claims(
    token: &str,
    audience: &str,
    now: i64,
) -> Result<CheckedClaims, RequestTokenError> {
    check_claims_for(token, &Audiences::from(audience), now)
}

/// [`check_claims`] for a node accepting any of `audiences` (compared normalised).
pub fn check_claims_for(
    token: &str,
    audiences: &Audiences,
    now: i64,
) -> Result<CheckedClaims, RequestTokenError> {
    let jws = CompactJws::parse(token, "request token", MAX_TOKEN_BYTES)
        .map_err(|e| RequestTokenError::Malformed(e.to_string()))?;
    if jws.algorithm().is_none() {
        return Err(RequestTokenError::Malformed(
            "request token alg must be ES256 or SM2".into(),
        ));
    }
    let p = &jws.payload;
    let aud_ok = match p.get("aud") {
        Some(Value::String(a)) => audiences.accepts(a),
        Some(Value::Array(v)) => v
            .iter()
            .take(16)
            .any(|a| a.as_str().is_some_and(|a| audiences.accepts(a))),
        _ => false,
    };
    if !aud_ok {
        return Err(RequestTokenError::WrongAudience {
            expected: audiences.names().to_vec(),
        });
    }
    let num = |k: &str| {
        p.get(k).and_then(Value::as_i64).ok_or_else(|| {
            RequestTokenError::Malformed(format!("request token has no numeric {k}"))
        })
    };
    let (iat, exp) = (num("iat")?, num("exp")?);
    if exp <= iat
        || exp
            .checked_sub(iat)
            .map_or(true, |d| d > MAX_TOKEN_LIFETIME)
    {
        return Err(RequestTokenError::LifetimeTooLong(MAX_TOKEN_LIFETIME));
    }
    if now >= exp.saturating_add(CLOCK_SKEW) || iat > now.saturating_add(CLOCK_SKEW) {
        return Err(RequestTokenError::Expired);
    }
    let text = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .filter(|j| !j.is_empty() && j.len() <= 128)
            .map(str::to_string)
            .ok_or_else(|| RequestTokenError::Malformed(format!("request token has no {k}")))
    };
    let jti = text("jti")?;
    let iss = text("iss")?;
    Ok(CheckedClaims { jws, iss, jti, exp })
}

/// A request token whose claims, chain and signature all check.
#[derive(Debug)]
pub struct VerifiedToken {
    /// The leaf certificate (DER) that signed it.
    pub leaf: Vec<u8>,
    /// Its claims.
    pub claims: CheckedClaims,
}

/// Check a request token at `now`: time and audience claims, the `x5c` chain against
/// the anchors trusted for `purpose`, then the signature with the leaf's key.
pub fn verify_request_token(
    token: &str,
    audience: &str,
    anchors: &TrustAnchors,
    purpose: Purpose,
    now: OffsetDateTime,
) -> Result<VerifiedToken, RequestTokenError> {
    verify_request_token_for(token, &Audiences::from(audience), anchors, purpose, now)
}

/// [`verify_request_token`] for a node accepting any of `audiences`.
pub fn verify_request_token_for(
    token: &str,
    audiences: &Audiences,
    anchors: &TrustAnchors,
    purpose: Purpose,
    now: OffsetDateTime,
) -> Result<VerifiedToken, RequestTokenError> {
    let claims = check_claims_for(token, audiences, now.unix_timestamp())?;
    let mut chain = claims
        .jws
        .x5c()
        .map_err(|e| RequestTokenError::Malformed(e.to_string()))?;
    if chain.is_empty() {
        return Err(RequestTokenError::Malformed("empty x5c".into()));
    }
    let leaf = chain.remove(0);
    let policy = Policy {
        purpose,
        ..Policy::at(now)
    };
    let v = validate(&leaf, &chain, anchors, &policy);
    if !v.passed() {
        let why = v
            .failed
            .map(|k| k.code())
            .unwrap_or("no path to a trusted province root");
        return Err(RequestTokenError::UntrustedKey(why.to_string()));
    }
    let key = cert_public_key(&leaf).map_err(|e| RequestTokenError::UntrustedKey(e.to_string()))?;
    if !claims.jws.verify_with(&key) {
        return Err(RequestTokenError::BadSignature);
    }
    let uscc = CertInfo::from_der(&leaf).ok().and_then(|i| i.uscc);
    if uscc.as_deref() != Some(claims.iss.as_str()) {
        return Err(RequestTokenError::WrongIssuer {
            iss: claims.iss.clone(),
            cert: uscc.unwrap_or_else(|| "no USCC".into()),
        });
    }
    Ok(VerifiedToken { leaf, claims })
}
