//! Token Status Lists (draft-ietf-oauth-status-list), JWT form: one list per agency.
//!
//! Each entry is 2 bits: 0 VALID, 1 INVALID (revoked, final), 2 SUSPENDED. Entry `i`
//! lives in byte `i / 4` at bit offset `2 * (i % 4)` (least significant bits first).
//! The token: header `{"alg", "typ": "statuslist+jwt", "x5c"}`, payload
//! `{"sub": <list URI>, "iat", "exp"?, "ttl"?, "status_list": {"bits": 2, "lst":
//! base64url(zlib(bytes))}}`, signed by the agency key through [`Signer`].

use super::LicenseError;
use crate::crypto::{PublicKey, Signer};
use crate::jose::{self, CompactJws};
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde_json::{json, Map, Value};
use std::io::{Read, Write};
use time::OffsetDateTime;

/// Bits per entry.
pub const BITS: u8 = 2;
/// Most entries a list may hold (16 Mi entries = 4 MiB).
pub const MAX_ENTRIES: usize = 16 * 1024 * 1024;
/// Largest status list token accepted (bytes).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024 * 1024;
/// The JWT `typ` of a status list token.
pub const TYP: &str = "statuslist+jwt";
/// Longest revocation reason accepted (bytes).
pub const MAX_REASON_BYTES: usize = 512;

/// The status of one credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 0: valid.
    Valid,
    /// 1: invalid — revoked, for good.
    Revoked,
    /// 2: suspended, may be reinstated.
    Suspended,
}

impl Status {
    /// The 2-bit value.
    pub fn value(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Revoked => 1,
            Status::Suspended => 2,
        }
    }

    /// From the 2-bit value (3 is application-specific and not used here).
    pub fn from_value(v: u8) -> Option<Self> {
        match v {
            0 => Some(Status::Valid),
            1 => Some(Status::Revoked),
            2 => Some(Status::Suspended),
            _ => None,
        }
    }

    /// Lowercase name: `valid`, `revoked`, `suspended`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Revoked => "revoked",
            Status::Suspended => "suspended",
        }
    }
}

/// A change made to one entry, for the caller to record (e.g. with the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The entry.
    pub index: usize,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Reason given (revocation and suspension).
    pub reason: Option<String>,
}

/// A status list: `len` entries of 2 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    len: usize,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all VALID.
    pub fn new(len: usize) -> Result<Self, LicenseError> {
        if len == 0 || len > MAX_ENTRIES {
            return Err(LicenseError::IndexOutOfRange {
                index: len,
                len: MAX_ENTRIES,
            });
        }
        Ok(StatusList {
            len,
            bytes: vec![0; len.div_ceil(4)],
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no entries (never true for a constructed list).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The packed bytes, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// A list from packed bytes (4 entries per byte).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, LicenseError> {
        if bytes.is_empty() || bytes.len() * 4 > MAX_ENTRIES {
            return Err(LicenseError::Malformed {
                what: "status list",
                problem: "empty or larger than the entry limit",
            });
        }
        Ok(StatusList {
            len: bytes.len() * 4,
            bytes,
        })
    }

    fn slot(&self, index: usize) -> Result<(usize, u32), LicenseError> {
        if index >= self.len {
            return Err(LicenseError::IndexOutOfRange {
                index,
                len: self.len,
            });
        }
        Ok((index / 4, 2 * (index % 4) as u32))
    }

    /// The raw 2-bit value at `index`.
    pub fn value(&self, index: usize) -> Result<u8, LicenseError> {
        let (byte, shift) = self.slot(index)?;
        Ok((self.bytes[byte] >> shift) & 0b11)
    }

    /// The status at `index` (value 3 is reported as malformed).
    pub fn get(&self, index: usize) -> Result<Status, LicenseError> {
        Status::from_value(self.value(index)?).ok_or(LicenseError::Malformed {
            what: "status list",
            problem: "entry holds the unused value 3",
        })
    }

    /// Set `index` to `status` with no transition rule (loading from storage).
    pub fn set(&mut self, index: usize, status: Status) -> Result<(), LicenseError> {
        let (byte, shift) = self.slot(index)?;
        self.bytes[byte] = (self.bytes[byte] & !(0b11 << shift)) | (status.value() << shift);
        Ok(())
    }

    fn transition(
        &mut self,
        index: usize,
        action: &'static str,
        allowed: &[Status],
        to: Status,
        reason: Option<&str>,
    ) -> Result<StatusChange, LicenseError> {
        let from = self.get(index)?;
        if !allowed.contains(&from) {
            return Err(LicenseError::IllegalStatusChange {
                action,
                from: from.name(),
            });
        }
        if let Some(r) = reason {
            if r.trim().is_empty() || r.len() > MAX_REASON_BYTES {
                return Err(LicenseError::BadMetadata("reason must be 1-512 bytes"));
            }
        }
        self.set(index, to)?;
        Ok(StatusChange {
            index,
            from,
            to,
            reason: reason.map(str::to_owned),
        })
    }

    /// Suspend a valid entry.
    pub fn suspend(&mut self, index: usize, reason: &str) -> Result<StatusChange, LicenseError> {
        self.transition(
            index,
            "suspend",
            &[Status::Valid],
            Status::Suspended,
            Some(reason),
        )
    }

    /// Reinstate a suspended entry.
    pub fn reinstate(&mut self, index: usize) -> Result<StatusChange, LicenseError> {
        self.transition(
            index,
            "reinstate",
            &[Status::Suspended],
            Status::Valid,
            None,
        )
    }

    /// Revoke a valid or suspended entry, for good.
    pub fn revoke(&mut self, index: usize, reason: &str) -> Result<StatusChange, LicenseError> {
        self.transition(
            index,
            "revoke",
            &[Status::Valid, Status::Suspended],
            Status::Revoked,
            Some(reason),
        )
    }

    /// `lst`: base64url of the zlib-compressed bytes.
    pub fn to_lst(&self) -> String {
        let mut enc = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&self.bytes)
            .expect("writing to a Vec cannot fail");
        jose::b64(&enc.finish().expect("writing to a Vec cannot fail"))
    }

    /// Decode `lst`, refusing anything that inflates past the entry limit.
    pub fn from_lst(lst: &str) -> Result<Self, LicenseError> {
        Self::from_bytes(decode_lst(lst)?)
    }
}

/// The bytes of `lst` (base64url of zlib data), refusing anything that inflates past
/// [`MAX_ENTRIES`] 2-bit entries (4 MiB), whatever the entry width.
pub fn decode_lst(lst: &str) -> Result<Vec<u8>, LicenseError> {
    let compressed = jose::b64_decode(lst, "status list", MAX_TOKEN_BYTES)?;
    let limit = MAX_ENTRIES / 4;
    let mut out = Vec::new();
    ZlibDecoder::new(compressed.as_slice())
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| LicenseError::Malformed {
            what: "status list",
            problem: "lst is not zlib data",
        })?;
    if out.len() > limit {
        return Err(LicenseError::TooLarge {
            what: "decompressed status list",
            limit,
        });
    }
    Ok(out)
}

/// Entry `index` of a list of `bits`-wide entries (1, 2, 4 or 8) packed least
/// significant bits first, as the Token Status List draft defines; `None` when `bits`
/// is not one of those or `index` is out of bounds.
pub fn entry(bytes: &[u8], bits: u8, index: usize) -> Option<u8> {
    if !matches!(bits, 1 | 2 | 4 | 8) {
        return None;
    }
    let per_byte = 8 / usize::from(bits);
    let byte = *bytes.get(index / per_byte)?;
    let shift = (index % per_byte) * usize::from(bits);
    let mask = ((1u16 << bits) - 1) as u8;
    Some((byte >> shift) & mask)
}

/// A status list token's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    /// The URI the list is served at (`sub`).
    pub uri: String,
    /// Issued at.
    pub iat: OffsetDateTime,
    /// Expiry, if any.
    pub exp: Option<OffsetDateTime>,
    /// Seconds a verifier may cache it, if set.
    pub ttl: Option<u64>,
    /// The list.
    pub list: StatusList,
}

impl StatusListToken {
    /// Sign as a `statuslist+jwt` with the agency key; `chain` (DER, leaf first) goes
    /// in `x5c`.
    pub fn sign(&self, signer: &dyn Signer, chain: &[Vec<u8>]) -> Result<String, LicenseError> {
        let mut header = Map::new();
        header.insert("typ".into(), TYP.into());
        if !chain.is_empty() {
            header.insert("x5c".into(), jose::x5c_value(chain));
        }
        let mut payload = Map::new();
        payload.insert("sub".into(), self.uri.clone().into());
        payload.insert("iat".into(), self.iat.unix_timestamp().into());
        if let Some(exp) = self.exp {
            payload.insert("exp".into(), exp.unix_timestamp().into());
        }
        if let Some(ttl) = self.ttl {
            payload.insert("ttl".into(), ttl.into());
        }
        payload.insert(
            "status_list".into(),
            json!({"bits": BITS, "lst": self.list.to_lst()}),
        );
        Ok(jose::sign_compact(signer, header, &payload)?)
    }

    /// Parse a status list token and verify its signature with `key` (the agency key the
    /// caller trusts for this list); checks `typ`, `bits` and, when `at` is given,
    /// `exp`.
    pub fn verify(
        token: &str,
        key: &PublicKey,
        at: Option<OffsetDateTime>,
    ) -> Result<Self, LicenseError> {
        let jws = CompactJws::parse(token, "status list token", MAX_TOKEN_BYTES)?;
        let bad = |problem| LicenseError::Malformed {
            what: "status list token",
            problem,
        };
        if jws.header.get("typ").and_then(Value::as_str) != Some(TYP) {
            return Err(bad("typ is not statuslist+jwt"));
        }
        if !jws.verify_with(key) {
            return Err(bad("signature does not verify with the agency key"));
        }
        let p = &jws.payload;
        let uri = p.get("sub").and_then(Value::as_str).ok_or(bad("no sub"))?;
        let time = |k: &str| -> Result<Option<OffsetDateTime>, LicenseError> {
            match p.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_i64()
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                    .map(Some)
                    .ok_or(bad("iat/exp is not a NumericDate")),
            }
        };
        let iat = time("iat")?.ok_or(bad("no iat"))?;
        let exp = time("exp")?;
        if let (Some(at), Some(exp)) = (at, exp) {
            if at >= exp {
                return Err(bad("token has expired"));
            }
        }
        let sl = p.get("status_list").ok_or(bad("no status_list"))?;
        if sl.get("bits").and_then(Value::as_u64) != Some(u64::from(BITS)) {
            return Err(bad("bits is not 2"));
        }
        let lst = sl.get("lst").and_then(Value::as_str).ok_or(bad("no lst"))?;
        Ok(StatusListToken {
            uri: uri.to_owned(),
            iat,
            exp,
            ttl: p.get("ttl").and_then(Value::as_u64),
            list: StatusList::from_lst(lst)?,
        })
    }
}
