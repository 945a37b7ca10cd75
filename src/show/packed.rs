//! Packing an issuer-signed SD-JWT into an offline show token, and back.
//!
//! The JWT's signing input is `base64url(header) "." base64url(payload)`: the token
//! carries the decoded header and payload bytes (base64url without padding re-encodes
//! them exactly) and the signature. Inside the header, each `x5c` certificate the trust
//! list carries is replaced by its kid (first 8 bytes of SHA-256 of its DER): the header
//! travels as segments — text, kid, text, … — and the verifier puts
//! `base64(DER)` back where each kid stands. A certificate the list does not carry
//! stays in the text. Disclosures travel as the JSON bytes the issuer hashed.

use super::token::Offline;
use super::{ShowError, HOLDER_CLAIMS, MAX_DISCLOSE};
use crate::jose::b64;
use crate::license::sdjwt::{SdJwt, StatusRef};
use crate::qr::kid_of;
use crate::trust_list::TrustList;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use coset::cbor::value::Value;

/// Most header segments accepted.
const MAX_SEGMENTS: usize = 16;

/// One segment of a packed JWT header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Header bytes as they are.
    Text(Vec<u8>),
    /// A certificate named by its kid, to be put back as standard base64 of its DER.
    Cert([u8; 8]),
}

/// An issuer-signed JWT, packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedJwt {
    /// The header, in segments.
    pub header: Vec<Segment>,
    /// The payload JSON bytes.
    pub payload: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl PackedJwt {
    /// As CBOR: `[[segment…], payload, signature]`; a text segment is a byte string, a
    /// certificate reference the one-element array `[kid]`, so the two cannot be
    /// confused.
    pub fn to_cbor(&self) -> Value {
        let segs = self
            .header
            .iter()
            .map(|s| match s {
                Segment::Text(t) => Value::Bytes(t.clone()),
                Segment::Cert(k) => Value::Array(vec![Value::Bytes(k.to_vec())]),
            })
            .collect();
        Value::Array(vec![
            Value::Array(segs),
            Value::Bytes(self.payload.clone()),
            Value::Bytes(self.signature.clone()),
        ])
    }

    /// Read hostile CBOR.
    pub fn from_cbor(v: &Value) -> Result<PackedJwt, ShowError> {
        let bad = |m: &str| ShowError::Format(format!("j: {m}"));
        let Value::Array(parts) = v else {
            return Err(bad("not an array"));
        };
        let [Value::Array(segs), Value::Bytes(payload), Value::Bytes(signature)] = parts.as_slice()
        else {
            return Err(bad("not [header, payload, signature]"));
        };
        if segs.len() > MAX_SEGMENTS {
            return Err(bad("too many header segments"));
        }
        let header = segs
            .iter()
            .map(|s| match s {
                Value::Bytes(t) => Ok(Segment::Text(t.clone())),
                Value::Array(a) => match a.as_slice() {
                    [Value::Bytes(k)] if k.len() == 8 => {
                        let mut kid = [0u8; 8];
                        kid.copy_from_slice(k);
                        Ok(Segment::Cert(kid))
                    }
                    _ => Err(bad("a certificate reference is not [kid]")),
                },
                _ => Err(bad("a header segment is neither bytes nor [kid]")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PackedJwt {
            header,
            payload: payload.clone(),
            signature: signature.clone(),
        })
    }

    /// The compact JWT, each certificate reference resolved through `list`.
    pub fn to_jwt(&self, list: &TrustList) -> Result<String, ShowError> {
        let mut header = Vec::new();
        for s in &self.header {
            match s {
                Segment::Text(t) => header.extend_from_slice(t),
                Segment::Cert(kid) => {
                    let der = list.cert_by_kid(kid).ok_or(ShowError::UnknownCertificate)?;
                    header.extend_from_slice(STANDARD.encode(der).as_bytes());
                }
            }
        }
        Ok(format!(
            "{}.{}.{}",
            b64(&header),
            b64(&self.payload),
            b64(&self.signature)
        ))
    }
}

impl Offline {
    /// The SD-JWT presentation (`jwt~d1~…~dn~`) of the chosen and holder disclosures.
    pub fn to_presentation(&self, list: &TrustList) -> Result<String, ShowError> {
        let mut s = self.jwt.to_jwt(list)?;
        s.push('~');
        for d in self.disclosures.iter().chain(&self.holder) {
            s.push_str(&b64(d));
            s.push('~');
        }
        Ok(s)
    }
}

fn decode_exact(part: &str) -> Result<Vec<u8>, ShowError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| ShowError::Credential("a part is not base64url".into()))?;
    if URL_SAFE_NO_PAD.encode(&bytes) != part {
        return Err(ShowError::Credential(
            "a part is not canonical base64url".into(),
        ));
    }
    Ok(bytes)
}

/// Pack the credential `sd_jwt` (issued, with every disclosure) for an offline token
/// disclosing `chosen`, certificates `list` carries as references.
pub fn pack_offline(
    sd_jwt: &str,
    chosen: &[String],
    type_code: &str,
    status: StatusRef,
    list: &TrustList,
) -> Result<Offline, ShowError> {
    if chosen.len() > MAX_DISCLOSE {
        return Err(ShowError::Disclose(format!(
            "more than {MAX_DISCLOSE} claims"
        )));
    }
    let parsed = SdJwt::parse(sd_jwt).map_err(|e| ShowError::Credential(e.to_string()))?;
    let mut parts = parsed.jwt.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ShowError::Credential("not a compact JWT".into()));
    };
    let header = decode_exact(h)?;
    let payload = decode_exact(p)?;
    let signature = decode_exact(sig)?;

    // Segment the header around each x5c certificate the list carries.
    let mut segments = Vec::new();
    let mut rest: &[u8] = &header;
    if let Some(serde_json::Value::Array(x5c)) = parsed.jws.header.get("x5c") {
        for c in x5c.iter().filter_map(|c| c.as_str()) {
            let Ok(der) = STANDARD.decode(c) else {
                continue;
            };
            let kid = kid_of(&der);
            if list.cert_by_kid(&kid).as_deref() != Some(der.as_slice()) {
                continue;
            }
            let needle = c.as_bytes();
            let Some(at) = rest.windows(needle.len()).position(|w| w == needle) else {
                continue;
            };
            segments.push(Segment::Text(rest[..at].to_vec()));
            segments.push(Segment::Cert(kid));
            rest = &rest[at + needle.len()..];
        }
    }
    segments.push(Segment::Text(rest.to_vec()));

    let find = |name: &str| {
        parsed
            .disclosures
            .iter()
            .find(|d| d.name == name)
            .map(|d| decode_exact(&d.encoded))
    };
    let mut disclosures = Vec::with_capacity(chosen.len());
    for (i, name) in chosen.iter().enumerate() {
        if chosen[..i].contains(name) {
            return Err(ShowError::Disclose(name.clone()));
        }
        disclosures.push(find(name).ok_or_else(|| ShowError::Disclose(name.clone()))??);
    }
    let mut holder = Vec::new();
    for name in HOLDER_CLAIMS {
        if !chosen.iter().any(|c| c == name) {
            if let Some(d) = find(name) {
                holder.push(d?);
            }
        }
    }
    Ok(Offline {
        type_code: type_code.to_string(),
        status,
        jwt: PackedJwt {
            header: segments,
            payload,
            signature,
        },
        disclosures,
        holder,
    })
}
