//! The JOSE pieces credentials, status lists and request tokens share: base64url,
//! compact JWS signing through a [`Signer`] (raw `r||s` signatures, RFC 7518 §3.4 style
//! for both ES256 and SM2), bounded compact-JWS parsing, and reading the `x5c` leaf key.

use super::JoseError;
use crate::crypto::{Algorithm, PublicKey, SignatureEncoding, Signer};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{Map, Value};

/// Most certificates accepted in an `x5c` header.
pub const MAX_X5C: usize = 8;

/// base64url without padding.
pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Append base64url (no padding) of `data` to `out`.
pub fn b64_into(data: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(data, out)
}

/// Decode base64url without padding, refusing anything longer than `limit` characters.
pub fn b64_decode(s: &str, what: &'static str, limit: usize) -> Result<Vec<u8>, JoseError> {
    if s.len() > limit {
        return Err(JoseError::TooLarge { what, limit });
    }
    URL_SAFE_NO_PAD.decode(s).map_err(|_| JoseError::Malformed {
        what,
        problem: "not base64url without padding",
    })
}

/// The `x5c` header value for a DER chain (standard base64, RFC 7515 §4.1.6).
pub fn x5c_value(chain: &[Vec<u8>]) -> Value {
    Value::Array(
        chain
            .iter()
            .map(|c| Value::String(STANDARD.encode(c)))
            .collect(),
    )
}

/// Sign `header` + `payload` as a compact JWS. `alg` is set from the signer.
pub fn sign_compact(
    signer: &dyn Signer,
    mut header: Map<String, Value>,
    payload: &Map<String, Value>,
) -> Result<String, JoseError> {
    header.insert("alg".into(), signer.algorithm().jose_alg().into());
    let input = signing_input(&header, payload);
    let sig = signer.sign(input.as_bytes(), SignatureEncoding::Raw)?;
    Ok(format!("{input}.{}", b64(&sig)))
}

/// `base64url(header) '.' base64url(payload)`.
pub fn signing_input(header: &Map<String, Value>, payload: &Map<String, Value>) -> String {
    let h = serde_json::to_vec(header).expect("JSON map serialises");
    let p = serde_json::to_vec(payload).expect("JSON map serialises");
    format!("{}.{}", b64(&h), b64(&p))
}

/// A compact JWS split and decoded, not yet verified.
#[derive(Debug, Clone)]
pub struct CompactJws {
    /// Protected header.
    pub header: Map<String, Value>,
    /// Payload (a JSON object).
    pub payload: Map<String, Value>,
    /// The signing input (`header.payload` as received).
    pub signing_input: String,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl CompactJws {
    /// Split and decode a compact JWS whose payload is a JSON object, refusing more than
    /// `limit` bytes.
    pub fn parse(token: &str, what: &'static str, limit: usize) -> Result<Self, JoseError> {
        if token.len() > limit {
            return Err(JoseError::TooLarge { what, limit });
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::Malformed {
                what,
                problem: "not three dot-separated parts",
            });
        };
        let header = json_object(
            &b64_decode(h, what, limit)?,
            what,
            "header is not a JSON object",
        )?;
        let payload = json_object(
            &b64_decode(p, what, limit)?,
            what,
            "payload is not a JSON object",
        )?;
        let signature = b64_decode(s, what, limit)?;
        Ok(CompactJws {
            header,
            payload,
            signing_input: format!("{h}.{p}"),
            signature,
        })
    }

    /// The algorithm named by the `alg` header, if it is one the project speaks.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(Algorithm::from_jose_alg)
    }

    /// Verify the signature with `key`, which must be of the header's algorithm.
    pub fn verify_with(&self, key: &PublicKey) -> bool {
        self.algorithm() == Some(key.algorithm())
            && self.signature.len() == 64
            && key
                .verify(self.signing_input.as_bytes(), &self.signature)
                .is_ok()
    }

    /// The DER certificates of the `x5c` header, leaf first.
    pub fn x5c(&self) -> Result<Vec<Vec<u8>>, JoseError> {
        let bad = |problem| JoseError::Malformed {
            what: "x5c",
            problem,
        };
        let arr = self
            .header
            .get("x5c")
            .ok_or(bad("no x5c header"))?
            .as_array()
            .ok_or(bad("x5c is not an array"))?;
        if arr.is_empty() || arr.len() > MAX_X5C {
            return Err(bad("x5c must hold 1 to 8 certificates"));
        }
        arr.iter()
            .map(|v| {
                let s = v.as_str().ok_or(bad("x5c entry is not a string"))?;
                STANDARD
                    .decode(s)
                    .map_err(|_| bad("x5c entry is not base64"))
            })
            .collect()
    }
}

/// Parse bytes as a JSON object.
pub fn json_object(
    bytes: &[u8],
    what: &'static str,
    problem: &'static str,
) -> Result<Map<String, Value>, JoseError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(JoseError::Malformed { what, problem }),
    }
}

/// The public key of a DER certificate.
pub fn cert_public_key(der: &[u8]) -> Result<PublicKey, JoseError> {
    use x509_parser::prelude::FromDer;
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der)
        .map_err(|_| JoseError::Certificate("certificate does not parse"))?;
    PublicKey::from_spki_der(cert.tbs_certificate.subject_pki.raw)
        .map_err(|_| JoseError::Certificate("certificate key is not P-256 or SM2"))
}
