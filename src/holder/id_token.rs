//! OpenID Connect ID tokens (OpenID Connect Core 1.0 §2, §3.1.3.7) as the holder's
//! sign-in: a compact JWS signed `ES256` by the configured identity provider with a key
//! of its JWKS (RFC 7517), whose `iss`, `aud` (and `azp`), `exp`, `iat`, `nbf` and
//! `sub` are checked, and which names the holder: `name`, `holder_code` and
//! `holder_code_type` (`111` citizen identity number, `001` unified social credit
//! code), the code checked by its type ([`crate::license::holder_code`]).
//!
//! Only `ES256` is accepted: the header's `alg` must say so and the key must be a P-256
//! key of the set (`alg: none`, HMAC and algorithm confusion are refused before any
//! signature is looked at). The signature is checked by ring through
//! [`crate::crypto::PublicKey`].

use crate::crypto::{Algorithm, PublicKey};
use crate::jose::{b64_decode, CompactJws};
use crate::license::holder_code::check_holder_code;
use crate::license::HolderCodeType;
use serde_json::Value;

/// Largest ID token accepted, bytes.
pub const MAX_ID_TOKEN_BYTES: usize = 16 * 1024;
/// Largest JWKS document accepted, bytes.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Most keys read from a JWKS.
pub const MAX_JWKS_KEYS: usize = 32;
/// Clock skew tolerated on `exp`, `iat` and `nbf`, seconds.
pub const ID_TOKEN_CLOCK_SKEW: i64 = 60;
/// Longest lifetime (`exp − iat`) accepted, seconds.
pub const MAX_ID_TOKEN_LIFETIME: i64 = 12 * 3600;

/// Why an ID token (or a JWKS) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a compact JWS with a JSON header and payload, or too large.
    #[error("the ID token is malformed: {0}")]
    Malformed(String),
    /// The `alg` is not `ES256`.
    #[error("the ID token's alg {0:?} is not accepted (ES256 only)")]
    Algorithm(String),
    /// No key of the identity provider's JWKS matches the token's `kid`.
    #[error("no key of the identity provider has kid {0:?}")]
    UnknownKey(String),
    /// The signature does not verify.
    #[error("the ID token's signature does not verify")]
    BadSignature,
    /// `iss` is not the configured identity provider.
    #[error("the ID token's issuer {found:?} is not the identity provider {expected:?}")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// `aud` does not name this node's client id (or `azp` names another).
    #[error("the ID token is not for client {0:?}")]
    WrongAudience(String),
    /// Past `exp`, before `nbf` or issued in the future, beyond the clock skew.
    #[error("the ID token has expired or is not yet valid")]
    Expired,
    /// `exp − iat` is longer than allowed, or not positive.
    #[error("the ID token may live at most {0} seconds")]
    LifetimeTooLong(i64),
    /// A claim the holder needs is missing or has the wrong shape.
    #[error("the ID token's {0} claim is missing or not usable")]
    Claim(&'static str),
    /// The holder code does not fit its type.
    #[error("the ID token's holder code is not valid: {0}")]
    HolderCode(String),
    /// The JWKS is not usable.
    #[error("the identity provider's JWKS is not usable: {0}")]
    Jwks(String),
}

/// The public keys of an identity provider (the P-256 keys of its JWKS; other key
/// types are skipped, as a relying party does with keys it cannot use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwks {
    keys: Vec<(Option<String>, PublicKey)>,
}

impl Jwks {
    /// Read a JWKS document (`{"keys": [...]}`), keeping its `EC` `P-256` keys that are
    /// for signatures (no `use`, or `use: sig`).
    pub fn parse(text: &[u8]) -> Result<Jwks, IdTokenError> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(IdTokenError::Jwks(format!(
                "larger than {MAX_JWKS_BYTES} bytes"
            )));
        }
        let doc: Value =
            serde_json::from_slice(text).map_err(|_| IdTokenError::Jwks("not JSON".into()))?;
        let list = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| IdTokenError::Jwks("no keys array".into()))?;
        if list.len() > MAX_JWKS_KEYS {
            return Err(IdTokenError::Jwks(format!(
                "more than {MAX_JWKS_KEYS} keys"
            )));
        }
        let mut keys = Vec::new();
        for k in list {
            let s = |n: &str| k.get(n).and_then(Value::as_str);
            if s("kty") != Some("EC") || s("crv") != Some("P-256") {
                continue;
            }
            if s("use").is_some_and(|u| u != "sig") || s("alg").is_some_and(|a| a != "ES256") {
                continue;
            }
            let coord = |n: &'static str| -> Result<Vec<u8>, IdTokenError> {
                let v = b64_decode(s(n).unwrap_or_default(), "jwk", 64)
                    .map_err(|_| IdTokenError::Jwks(format!("{n} is not base64url")))?;
                (v.len() == 32)
                    .then_some(v)
                    .ok_or_else(|| IdTokenError::Jwks(format!("{n} is not 32 bytes")))
            };
            let mut point = vec![4u8];
            point.extend(coord("x")?);
            point.extend(coord("y")?);
            let key = PublicKey::from_sec1(Algorithm::EcdsaP256Sha256, &point)
                .map_err(|_| IdTokenError::Jwks("a key is not a P-256 point".into()))?;
            keys.push((s("kid").map(str::to_string), key));
        }
        if keys.is_empty() {
            return Err(IdTokenError::Jwks("no EC P-256 signing key".into()));
        }
        Ok(Jwks { keys })
    }

    /// A set of one key.
    pub fn single(kid: impl Into<String>, key: PublicKey) -> Jwks {
        Jwks {
            keys: vec![(Some(kid.into()), key)],
        }
    }

    /// The JWKS document of these keys.
    pub fn to_json(&self) -> Value {
        let keys = self
            .keys
            .iter()
            .map(|(kid, k)| {
                let p = k.sec1_uncompressed();
                let mut m = serde_json::Map::new();
                m.insert("kty".into(), "EC".into());
                m.insert("crv".into(), "P-256".into());
                m.insert("x".into(), crate::jose::b64(&p[1..33]).into());
                m.insert("y".into(), crate::jose::b64(&p[33..65]).into());
                m.insert("use".into(), "sig".into());
                m.insert("alg".into(), "ES256".into());
                if let Some(kid) = kid {
                    m.insert("kid".into(), kid.clone().into());
                }
                Value::Object(m)
            })
            .collect();
        serde_json::json!({ "keys": Value::Array(keys) })
    }

    /// Whether a key has this `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|(k, _)| k.as_deref() == Some(kid))
    }

    /// The key for a token's `kid`: the one with that id; without a `kid`, the only key.
    fn key_for(&self, kid: Option<&str>) -> Result<&PublicKey, IdTokenError> {
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .find(|(k, _)| k.as_deref() == Some(kid))
                .map(|(_, k)| k)
                .ok_or_else(|| IdTokenError::UnknownKey(kid.chars().take(64).collect())),
            None if self.keys.len() == 1 => Ok(&self.keys[0].1),
            None => Err(IdTokenError::UnknownKey(String::new())),
        }
    }
}

/// What a node expects of the ID tokens of its identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenPolicy {
    /// The identity provider's issuer identifier (`iss`, compared exactly).
    pub issuer: String,
    /// This node's client id at the provider (must be in `aud`).
    pub audience: String,
}

/// The signed-in holder an ID token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderIdentity {
    /// `sub`: the provider's stable identifier of the person or company.
    pub subject: String,
    /// The holder code licenses carry (citizen identity number or USCC).
    pub holder_code: String,
    /// Its type: [`HolderCodeType::CitizenId`] (`111`) or [`HolderCodeType::Uscc`] (`001`).
    pub holder_code_type: HolderCodeType,
    /// The holder's name.
    pub name: String,
    /// `exp` (Unix seconds).
    pub expires_at: i64,
}

/// The header's `kid`, when the token has one (for a caller that refreshes its JWKS
/// when the key is unknown). Nothing is verified.
pub fn token_kid(token: &str) -> Option<String> {
    let jws = CompactJws::parse(token, "ID token", MAX_ID_TOKEN_BYTES).ok()?;
    jws.header.get("kid")?.as_str().map(str::to_string)
}

/// Check an ID token at `now` (Unix seconds) against the provider's keys and `policy`.
pub fn verify_id_token(
    token: &str,
    keys: &Jwks,
    policy: &IdTokenPolicy,
    now: i64,
) -> Result<HolderIdentity, IdTokenError> {
    let jws = CompactJws::parse(token, "ID token", MAX_ID_TOKEN_BYTES)
        .map_err(|e| IdTokenError::Malformed(e.to_string()))?;
    let alg = jws.header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg != "ES256" {
        return Err(IdTokenError::Algorithm(alg.chars().take(32).collect()));
    }
    if jws.header.get("crit").is_some() {
        return Err(IdTokenError::Malformed("crit header not understood".into()));
    }
    let kid = match jws.header.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.as_str()),
        Some(_) => return Err(IdTokenError::Malformed("kid is not a string".into())),
    };
    let key = keys.key_for(kid)?;
    if !jws.verify_with(key) {
        return Err(IdTokenError::BadSignature);
    }
    let p = &jws.payload;
    let text = |k: &'static str, max: usize| {
        p.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty() && v.chars().count() <= max)
            .map(str::to_string)
            .ok_or(IdTokenError::Claim(k))
    };
    let iss = text("iss", 512)?;
    if iss != policy.issuer {
        return Err(IdTokenError::WrongIssuer {
            expected: policy.issuer.clone(),
            found: iss.chars().take(128).collect(),
        });
    }
    let wrong_aud = || IdTokenError::WrongAudience(policy.audience.clone());
    let auds: Vec<&str> = match p.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(v)) if v.len() <= 16 => v.iter().filter_map(Value::as_str).collect(),
        _ => return Err(wrong_aud()),
    };
    if !auds.contains(&policy.audience.as_str()) {
        return Err(wrong_aud());
    }
    // OIDC Core §3.1.3.7: several audiences need an azp, which must be this client
    match p.get("azp") {
        Some(Value::String(azp)) if *azp != policy.audience => return Err(wrong_aud()),
        Some(Value::String(_)) => {}
        None if auds.len() == 1 => {}
        _ => return Err(wrong_aud()),
    }
    let num = |k: &'static str| {
        p.get(k)
            .and_then(Value::as_i64)
            .ok_or(IdTokenError::Claim(k))
    };
    let (exp, iat) = (num("exp")?, num("iat")?);
    if exp <= iat || exp.saturating_sub(iat) > MAX_ID_TOKEN_LIFETIME {
        return Err(IdTokenError::LifetimeTooLong(MAX_ID_TOKEN_LIFETIME));
    }
    let nbf = match p.get("nbf") {
        None => i64::MIN,
        Some(_) => num("nbf")?,
    };
    if now >= exp.saturating_add(ID_TOKEN_CLOCK_SKEW)
        || iat > now.saturating_add(ID_TOKEN_CLOCK_SKEW)
        || nbf > now.saturating_add(ID_TOKEN_CLOCK_SKEW)
    {
        return Err(IdTokenError::Expired);
    }
    let subject = text("sub", 255)?;
    let name = text("name", 128)?;
    let holder_code = text("holder_code", 64)?;
    let holder_code_type = match text("holder_code_type", 8)?.as_str() {
        "111" => HolderCodeType::CitizenId,
        "001" => HolderCodeType::Uscc,
        _ => return Err(IdTokenError::Claim("holder_code_type")),
    };
    check_holder_code(holder_code_type, &holder_code)
        .map_err(|e| IdTokenError::HolderCode(e.to_string()))?;
    Ok(HolderIdentity {
        subject,
        holder_code,
        holder_code_type,
        name,
        expires_at: exp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_key_sets_are_refused_with_a_reason() {
        let many = serde_json::json!({"keys": vec![serde_json::json!({"kty": "EC"}); 33]});
        let short_x = r#"{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}"#;
        let off_curve = format!(
            r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}]}}"#,
            crate::jose::b64(&[1u8; 32]),
            crate::jose::b64(&[2u8; 32])
        );
        let cases: Vec<(String, &str)> = vec![
            ("not json".into(), "not JSON"),
            ("{}".into(), "no keys"),
            (many.to_string(), "more than"),
            (
                r#"{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}"#.into(),
                "no EC P-256",
            ),
            (
                r#"{"keys":[{"kty":"EC","crv":"P-256","use":"enc","x":"","y":""}]}"#.into(),
                "no EC P-256",
            ),
            (short_x.into(), "32 bytes"),
            (off_curve, "not a P-256 point"),
            ("x".repeat(MAX_JWKS_BYTES + 1), "larger"),
        ];
        for (text, why) in cases {
            match Jwks::parse(text.as_bytes()) {
                Err(IdTokenError::Jwks(e)) => assert!(e.contains(why), "{e} / {why}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_key_set_round_trips_through_its_json() {
        let k = crate::crypto::PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let set = Jwks::single("k1", k.public_key().clone());
        let again = Jwks::parse(set.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(again, set);
        assert!(again.has_kid("k1") && !again.has_kid("k2"));
    }
}
