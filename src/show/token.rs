//! The show token's CWT claims set.
//!
//! | key | value |
//! |---|---|
//! | 1 `iss` | the show service's province code (`SH`, `JS`, `ZJ`, `AH`) |
//! | 3 `aud` | the audience (a province code or a verifier's name), when the holder named one |
//! | 4 `exp`, 6 `iat` | Unix seconds |
//! | 7 `cti` | the token id, 8 random bytes |
//! | `"m"` | mode: 1 online, 2 offline |
//! | `"p"` | online: the province code of the license's issuing node, which holds what the token id stands for (the license and the chosen claims) |
//! | `"o"` | offline: the issuing agency's attestation of the chosen claims, a COSE_Sign1 ([`super::attest`]) |
//!
//! An online token is a reference: the license and the chosen claims are recorded at
//! the issuing node under the token id when the token is made, so the QR code holds
//! only the token id and the province to ask (version 10 at level Q, SM2 included).

use super::{ShowError, TOKEN_ID_LEN};
use crate::pki::Province;
use coset::cbor::value::Value;
use coset::cwt::{ClaimName, ClaimsSet, Timestamp};
use coset::CborSerializable;

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

/// The mode-specific part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A reference redeemed at the license's issuing node.
    Online {
        /// The province of the issuing node.
        province: Province,
    },
    /// Self-contained.
    Offline {
        /// The issuing agency's attestation: a COSE_Sign1 ([`super::Attestation`]).
        attestation: Vec<u8>,
    },
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
    /// The mode-specific part.
    pub body: Body,
}

fn text(k: &str) -> ClaimName {
    ClaimName::Text(k.to_string())
}

impl ShowToken {
    /// The mode.
    pub fn mode(&self) -> Mode {
        match self.body {
            Body::Online { .. } => Mode::Online,
            Body::Offline { .. } => Mode::Offline,
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
        match &self.body {
            Body::Online { province } => {
                c.rest
                    .push((text("p"), Value::Text(province.abbrev().to_string())));
            }
            Body::Offline { attestation } => {
                c.rest.push((text("o"), Value::Bytes(attestation.clone())));
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
        let body = match get("m").and_then(|v| v.as_integer()).map(i128::from) {
            Some(1) => match get("p") {
                Some(Value::Text(t)) => Body::Online {
                    province: Province::parse(t).ok_or_else(|| bad("p is not a province code"))?,
                },
                _ => return Err(bad("p is not a province code")),
            },
            Some(2) => match get("o") {
                Some(Value::Bytes(b)) if b.len() <= crate::qr::MAX_INFLATED => Body::Offline {
                    attestation: b.clone(),
                },
                _ => return Err(bad("o is not an attestation")),
            },
            _ => return Err(bad("m is not 1 (online) or 2 (offline)")),
        };
        Ok(ShowToken {
            issuer,
            audience: c.audience.clone(),
            issued_at,
            expires_at,
            token_id,
            body,
        })
    }
}
