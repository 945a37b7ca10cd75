//! The issuer's attestation an offline show token carries: the chosen claims, signed
//! by the issuing agency's key for this one token, as a COSE_Sign1 over CWT claims.
//!
//! An SD-JWT carries a digest of every claim of the license (32 bytes each: 704 bytes
//! for an ID card), far more than a QR code of version 20 holds. So when a holder asks
//! for an offline token, the license's issuing node signs, with the same agency key
//! that signed the license, just the claims chosen (and the holder's name and code),
//! with the license's identifier, type and status reference, valid until the token
//! expires. The claims' integrity traces back to the issuing agency, not only to the
//! show service that signs the token around it.
//!
//! | key | value |
//! |---|---|
//! | 4 `exp` | Unix seconds: the show token's expiry |
//! | `"l"` | the license identifier without its fixed `1.2.156.3005.2.` |
//! | `"t"` | the national type code (the credential's `vct`) |
//! | `"u"` | the province's local type code, when the license was issued under one |
//! | `"s"` | the status reference `[idx, uri]` |
//! | `"c"` | the chosen claims: a map of name → value (JSON values as CBOR) |
//! | `"h"` | the holder's name and code, when not chosen (same form) |
//!
//! The COSE_Sign1 names the agency certificate by its kid (first 8 bytes of SHA-256 of
//! its DER); the trust list carries every issuing agency's certificates.

use super::ShowError;
use crate::crypto::Signer;
use crate::license::sdjwt::StatusRef;
use crate::qr::{self, kid_of};
use coset::cbor::value::Value;
use coset::cwt::{ClaimName, ClaimsSet, Timestamp};
use coset::CborSerializable;
use serde_json::{Map, Value as Json};

/// The fixed start of every GB/T 36904 identifier, left out.
pub(super) const ID_PREFIX: &str = "1.2.156.3005.2.";
/// Deepest nesting of a claim value.
const MAX_DEPTH: usize = 8;

/// What the issuing agency attests for one offline token.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    /// The license identifier.
    pub license_id: String,
    /// The national type code.
    pub type_code: String,
    /// The local type code the license was issued under, if any.
    pub local_type_code: Option<String>,
    /// The status reference.
    pub status: StatusRef,
    /// Unix seconds.
    pub expires_at: i64,
    /// The chosen claims, in the order chosen.
    pub claims: Map<String, Json>,
    /// The holder's name and code, when not among the chosen.
    pub holder: Map<String, Json>,
}

fn text(k: &str) -> ClaimName {
    ClaimName::Text(k.to_string())
}

fn to_cbor(v: &Json, depth: usize) -> Result<Value, ShowError> {
    if depth > MAX_DEPTH {
        return Err(ShowError::Format("a claim value nests too deep".into()));
    }
    Ok(match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::from(i),
            (_, Some(u), _) => Value::from(u),
            (_, _, Some(f)) => Value::Float(f),
            _ => return Err(ShowError::Format("a number does not encode".into())),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(a) => Value::Array(
            a.iter()
                .map(|x| to_cbor(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, x)| Ok((Value::Text(k.clone()), to_cbor(x, depth + 1)?)))
                .collect::<Result<_, ShowError>>()?,
        ),
    })
}

fn from_cbor(v: &Value, depth: usize) -> Result<Json, ShowError> {
    let bad = |m: &str| ShowError::Format(format!("c: {m}"));
    if depth > MAX_DEPTH {
        return Err(bad("a claim value nests too deep"));
    }
    Ok(match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Integer(i) => {
            let i = i128::from(*i);
            if let Ok(x) = i64::try_from(i) {
                Json::from(x)
            } else {
                Json::from(u64::try_from(i).map_err(|_| bad("an integer out of range"))?)
            }
        }
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .ok_or_else(|| bad("a float that is not finite"))?,
        Value::Text(s) => Json::String(s.clone()),
        Value::Array(a) => Json::Array(
            a.iter()
                .map(|x| from_cbor(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut o = Map::new();
            for (k, x) in m {
                let Value::Text(k) = k else {
                    return Err(bad("a map key is not text"));
                };
                if o.insert(k.clone(), from_cbor(x, depth + 1)?).is_some() {
                    return Err(bad("a map key appears twice"));
                }
            }
            Json::Object(o)
        }
        _ => return Err(bad("a value is not JSON-like")),
    })
}

impl Attestation {
    /// The claims as CBOR.
    pub fn to_cbor(&self) -> Result<Vec<u8>, ShowError> {
        let mut c = ClaimsSet {
            expiration_time: Some(Timestamp::WholeSeconds(self.expires_at)),
            ..ClaimsSet::default()
        };
        let short = self
            .license_id
            .strip_prefix(ID_PREFIX)
            .unwrap_or(&self.license_id);
        c.rest.push((text("l"), Value::Text(short.to_string())));
        c.rest
            .push((text("t"), Value::Text(self.type_code.clone())));
        if let Some(u) = &self.local_type_code {
            c.rest.push((text("u"), Value::Text(u.clone())));
        }
        c.rest.push((
            text("s"),
            Value::Array(vec![
                Value::from(u64::try_from(self.status.idx).unwrap_or(u64::MAX)),
                Value::Text(self.status.uri.clone()),
            ]),
        ));
        c.rest
            .push((text("c"), to_cbor(&Json::Object(self.claims.clone()), 0)?));
        if !self.holder.is_empty() {
            c.rest
                .push((text("h"), to_cbor(&Json::Object(self.holder.clone()), 0)?));
        }
        c.to_vec().map_err(|e| ShowError::Format(format!("{e:?}")))
    }

    /// Read hostile claims bytes.
    pub fn from_cbor(bytes: &[u8]) -> Result<Attestation, ShowError> {
        let bad = |m: &str| ShowError::Format(format!("attestation: {m}"));
        let c = ClaimsSet::from_slice(bytes).map_err(|e| ShowError::Format(format!("{e:?}")))?;
        let expires_at = match c.expiration_time {
            Some(Timestamp::WholeSeconds(s)) => s,
            _ => return Err(bad("exp is not whole seconds")),
        };
        let get = |k: &str| c.rest.iter().find(|(n, _)| *n == text(k)).map(|(_, v)| v);
        let short_text = |k: &str, max: usize| match get(k) {
            Some(Value::Text(t)) if !t.is_empty() && t.len() <= max => Ok(t.clone()),
            _ => Err(bad(&format!("{k} is not a short text"))),
        };
        let license_id = format!("{ID_PREFIX}{}", short_text("l", 128)?);
        let type_code = short_text("t", 64)?;
        let local_type_code = match get("u") {
            None => None,
            Some(_) => Some(short_text("u", 64)?),
        };
        let status = match get("s") {
            Some(Value::Array(a)) => match a.as_slice() {
                [Value::Integer(i), Value::Text(u)] if u.len() <= 512 => StatusRef {
                    idx: usize::try_from(i128::from(*i))
                        .map_err(|_| bad("status index out of range"))?,
                    uri: u.clone(),
                },
                _ => return Err(bad("s is not [idx, uri]")),
            },
            _ => return Err(bad("s is not [idx, uri]")),
        };
        let map = |k: &str, max: usize| match get(k) {
            Some(v @ Value::Map(m)) if m.len() <= max => match from_cbor(v, 0)? {
                Json::Object(o) => Ok(o),
                _ => Err(bad(&format!("{k} is not a map"))),
            },
            _ => Err(bad(&format!("{k} is not a map of at most {max} claims"))),
        };
        let claims = map("c", super::MAX_DISCLOSE)?;
        let holder = match get("h") {
            None => Map::new(),
            Some(_) => map("h", super::HOLDER_CLAIMS.len())?,
        };
        Ok(Attestation {
            license_id,
            type_code,
            local_type_code,
            status,
            expires_at,
            claims,
            holder,
        })
    }

    /// Signed by the agency `signer` whose certificate is `cert_der`: a tagged
    /// COSE_Sign1.
    pub fn sign(&self, signer: &dyn Signer, cert_der: &[u8]) -> Result<Vec<u8>, ShowError> {
        Ok(qr::sign(signer, &kid_of(cert_der), self.to_cbor()?)?)
    }
}
