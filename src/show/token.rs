//! The show token's CWT claims set.
//!
//! | key | value |
//! |---|---|
//! | 1 `iss` | the show service's province code (`SH`, `JS`, `ZJ`, `AH`) |
//! | 3 `aud` | the audience (a province code or a verifier's name), when the holder named one |
//! | 4 `exp`, 6 `iat` | Unix seconds |
//! | 7 `cti` | the token id, 8 random bytes |
//! | `"m"` | mode: 1 online, 2 offline |
//! | `"l"` | the license identifier (GB/T 36904) without its fixed `1.2.156.3005.2.` |
//! | `"c"` | online: the chosen claim names (array of text) |
//! | `"t"` | offline: the national type code |
//! | `"s"` | offline: the status reference `[idx, uri]` |
//! | `"j"` | offline: the issuer-signed JWT, packed ([`super::PackedJwt`]) |
//! | `"d"` | offline: the chosen disclosures, each the JSON bytes the issuer hashed |
//! | `"h"` | offline: the holder's name and code disclosures, when not chosen |
//!
//! Short text keys keep an online token inside a version 10 QR code.

use super::packed::PackedJwt;
use super::{ShowError, MAX_DISCLOSE, TOKEN_ID_LEN};
use crate::license::sdjwt::StatusRef;
use crate::pki::Province;
use coset::cbor::value::Value;
use coset::cwt::{ClaimName, ClaimsSet, Timestamp};
use coset::CborSerializable;

/// The fixed start of every GB/T 36904 identifier, left out of the token.
const ID_PREFIX: &str = "1.2.156.3005.2.";

/// The mode of a show token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A reference redeemed at the issuing node.
    Online,
    /// Self-contained.
    Offline,
}

impl Mode {
    /// `online` / `offline`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Online => "online",
            Mode::Offline => "offline",
        }
    }
}

/// What an offline token carries beside the common claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offline {
    /// The national type code.
    pub type_code: String,
    /// The status reference.
    pub status: StatusRef,
    /// The issuer-signed JWT.
    pub jwt: PackedJwt,
    /// The chosen disclosures (decoded JSON bytes).
    pub disclosures: Vec<Vec<u8>>,
    /// The holder's name and code disclosures not among the chosen.
    pub holder: Vec<Vec<u8>>,
}

/// The mode-specific part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The chosen claim names.
    Online {
        /// claim names
        claims: Vec<String>,
    },
    /// Self-contained.
    Offline(Box<Offline>),
}

/// A show token's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowToken {
    /// The province whose show service signed.
    pub issuer: Province,
    /// The audience, when named.
    pub audience: Option<String>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The token id.
    pub token_id: Vec<u8>,
    /// The license identifier.
    pub license_id: String,
    /// The mode-specific part.
    pub body: Body,
}

fn text(k: &str) -> ClaimName {
    ClaimName::Text(k.to_string())
}

fn bytes_array(items: &[Vec<u8>]) -> Value {
    Value::Array(items.iter().map(|b| Value::Bytes(b.clone())).collect())
}

impl ShowToken {
    /// The mode.
    pub fn mode(&self) -> Mode {
        match self.body {
            Body::Online { .. } => Mode::Online,
            Body::Offline(_) => Mode::Offline,
        }
    }

    /// The claims as CBOR.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut c = ClaimsSet {
            issuer: Some(self.issuer.abbrev().to_string()),
            audience: self.audience.clone(),
            expiration_time: Some(Timestamp::WholeSeconds(self.expires_at)),
            issued_at: Some(Timestamp::WholeSeconds(self.issued_at)),
            cwt_id: Some(self.token_id.clone()),
            ..ClaimsSet::default()
        };
        let mode = match self.mode() {
            Mode::Online => 1,
            Mode::Offline => 2,
        };
        c.rest.push((text("m"), Value::from(mode)));
        let short = self
            .license_id
            .strip_prefix(ID_PREFIX)
            .unwrap_or(&self.license_id);
        c.rest.push((text("l"), Value::Text(short.to_string())));
        match &self.body {
            Body::Online { claims } => {
                let names = claims.iter().map(|n| Value::Text(n.clone())).collect();
                c.rest.push((text("c"), Value::Array(names)));
            }
            Body::Offline(o) => {
                c.rest.push((text("t"), Value::Text(o.type_code.clone())));
                c.rest.push((
                    text("s"),
                    Value::Array(vec![
                        Value::from(u64::try_from(o.status.idx).unwrap_or(u64::MAX)),
                        Value::Text(o.status.uri.clone()),
                    ]),
                ));
                c.rest.push((text("j"), o.jwt.to_cbor()));
                c.rest.push((text("d"), bytes_array(&o.disclosures)));
                if !o.holder.is_empty() {
                    c.rest.push((text("h"), bytes_array(&o.holder)));
                }
            }
        }
        c.to_vec()
            .expect("a claims set of text, integers and bytes encodes")
    }

    /// Read hostile claims bytes.
    pub fn from_cbor(bytes: &[u8]) -> Result<ShowToken, ShowError> {
        let bad = |m: &str| ShowError::Format(m.to_string());
        let c = ClaimsSet::from_slice(bytes).map_err(|e| ShowError::Format(format!("{e:?}")))?;
        let issuer = c
            .issuer
            .as_deref()
            .and_then(Province::parse)
            .ok_or_else(|| bad("iss is not a province code"))?;
        let secs = |t: &Option<Timestamp>, what: &str| match t {
            Some(Timestamp::WholeSeconds(s)) => Ok(*s),
            _ => Err(ShowError::Format(format!("{what} is not whole seconds"))),
        };
        let expires_at = secs(&c.expiration_time, "exp")?;
        let issued_at = secs(&c.issued_at, "iat")?;
        let token_id = c
            .cwt_id
            .clone()
            .filter(|t| t.len() == TOKEN_ID_LEN)
            .ok_or_else(|| bad("cti is not an 8-byte token id"))?;
        let get = |k: &str| c.rest.iter().find(|(n, _)| *n == text(k)).map(|(_, v)| v);
        let license_id = match get("l") {
            Some(Value::Text(t)) if !t.is_empty() && t.len() <= 128 => format!("{ID_PREFIX}{t}"),
            _ => return Err(bad("l is not a license identifier")),
        };
        let body = match get("m").and_then(|v| v.as_integer()).map(i128::from) {
            Some(1) => Body::Online {
                claims: texts(get("c"), "c")?,
            },
            Some(2) => {
                let type_code = match get("t") {
                    Some(Value::Text(t)) if t.len() <= 64 => t.clone(),
                    _ => return Err(bad("t is not a type code")),
                };
                let status = match get("s") {
                    Some(Value::Array(a)) => match a.as_slice() {
                        [Value::Integer(i), Value::Text(u)] => StatusRef {
                            idx: usize::try_from(i128::from(*i))
                                .map_err(|_| bad("status index out of range"))?,
                            uri: u.clone(),
                        },
                        _ => return Err(bad("s is not [idx, uri]")),
                    },
                    _ => return Err(bad("s is not [idx, uri]")),
                };
                let jwt = PackedJwt::from_cbor(get("j").ok_or_else(|| bad("no j"))?)?;
                Body::Offline(Box::new(Offline {
                    type_code,
                    status,
                    jwt,
                    disclosures: byte_strings(get("d"), "d")?,
                    holder: match get("h") {
                        None => Vec::new(),
                        v => byte_strings(v, "h")?,
                    },
                }))
            }
            _ => return Err(bad("m is not 1 (online) or 2 (offline)")),
        };
        Ok(ShowToken {
            issuer,
            audience: c.audience.clone(),
            issued_at,
            expires_at,
            token_id,
            license_id,
            body,
        })
    }
}

fn texts(v: Option<&Value>, what: &str) -> Result<Vec<String>, ShowError> {
    match v {
        Some(Value::Array(a)) if a.len() <= MAX_DISCLOSE => a
            .iter()
            .map(|x| match x {
                Value::Text(t) if t.len() <= 64 => Ok(t.clone()),
                _ => Err(ShowError::Format(format!("{what} holds a non-name"))),
            })
            .collect(),
        _ => Err(ShowError::Format(format!("{what} is not a list of names"))),
    }
}

fn byte_strings(v: Option<&Value>, what: &str) -> Result<Vec<Vec<u8>>, ShowError> {
    match v {
        Some(Value::Array(a)) if a.len() <= MAX_DISCLOSE + 2 => a
            .iter()
            .map(|x| match x {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(ShowError::Format(format!("{what} holds a non-byte string"))),
            })
            .collect(),
        _ => Err(ShowError::Format(format!(
            "{what} is not a list of byte strings"
        ))),
    }
}
