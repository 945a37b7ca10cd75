//! Seal revocation: which esIDs are no longer to be stamped with, since when and why.
//!
//! A seal is revoked when the organisation's authorisation changes (a new seal version
//! supersedes it) or when it is withdrawn. The service stores the list; verifiers are
//! handed it. A stamp made before the revocation time stays valid; one made at or after
//! it is REVOKED.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Why a seal was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RevocationReason {
    /// A new version of the seal (other signers authorised) replaces it.
    Superseded {
        /// esID of the new version.
        by: String,
    },
    /// The seal was withdrawn (organisation dissolved, key compromise, …).
    Withdrawn,
}

/// One revoked seal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealRevocation {
    /// The revoked seal's esID.
    pub es_id: String,
    /// From when stamps with it are no longer valid.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// Why.
    pub reason: RevocationReason,
}

/// The revoked seals a verifier consults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealRevocationList {
    /// The entries, in the order they were added.
    pub entries: Vec<SealRevocation>,
}

impl SealRevocationList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add an entry; an esID already listed keeps its earliest revocation.
    pub fn add(&mut self, entry: SealRevocation) {
        match self.entries.iter_mut().find(|e| e.es_id == entry.es_id) {
            Some(e) if e.revoked_at <= entry.revoked_at => {}
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    /// The entry for `es_id`, if it is revoked.
    pub fn find(&self, es_id: &str) -> Option<&SealRevocation> {
        self.entries.iter().find(|e| e.es_id == es_id)
    }
}

/// The JWT `typ` of a signed seal revocation list.
pub const SIGNED_TYP: &str = "seal-revocations+jwt";
/// Largest signed seal revocation list accepted (bytes).
pub const MAX_SIGNED_BYTES: usize = 8 * 1024 * 1024;

/// A seal authority's revocation list as it travels between nodes: a compact JWS
/// (`typ` [`SIGNED_TYP`], `x5c` = the authority's certificate) over `{"sub": <its
/// URI>, "iat", "exp"?, "ttl"?, "revocations": [<SealRevocation>…]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRevocations {
    /// The URI it is served at (`sub`).
    pub uri: String,
    /// Issued at.
    pub iat: OffsetDateTime,
    /// Expiry, if any.
    pub exp: Option<OffsetDateTime>,
    /// Seconds a verifier may hold it, if set.
    pub ttl: Option<u64>,
    /// The revoked seals.
    pub list: SealRevocationList,
}

impl SignedRevocations {
    /// Sign with the seal authority's key; `chain` (DER, leaf first) goes in `x5c`.
    pub fn sign(
        &self,
        signer: &dyn crate::crypto::Signer,
        chain: &[Vec<u8>],
    ) -> Result<String, crate::jose::JoseError> {
        use serde_json::{Map, Value};
        let mut header = Map::new();
        header.insert("typ".into(), SIGNED_TYP.into());
        header.insert("x5c".into(), crate::jose::x5c_value(chain));
        let mut p = Map::new();
        p.insert("sub".into(), self.uri.clone().into());
        p.insert("iat".into(), self.iat.unix_timestamp().into());
        if let Some(exp) = self.exp {
            p.insert("exp".into(), exp.unix_timestamp().into());
        }
        if let Some(ttl) = self.ttl {
            p.insert("ttl".into(), ttl.into());
        }
        let entries = serde_json::to_value(&self.list.entries).unwrap_or(Value::Null);
        p.insert("revocations".into(), entries);
        crate::jose::sign_compact(signer, header, &p)
    }

    /// Parse `token` and verify its signature with `key`; checks `typ` and, at `at`,
    /// `exp`. The caller decides whether the key's certificate speaks for the seals.
    pub fn verify(
        token: &str,
        key: &crate::crypto::PublicKey,
        at: OffsetDateTime,
    ) -> Result<Self, String> {
        use serde_json::Value;
        let jws = crate::jose::CompactJws::parse(token, "seal revocation list", MAX_SIGNED_BYTES)
            .map_err(|e| e.to_string())?;
        if jws.header.get("typ").and_then(Value::as_str) != Some(SIGNED_TYP) {
            return Err(format!("typ is not {SIGNED_TYP}"));
        }
        if !jws.verify_with(key) {
            return Err("the signature does not verify with the seal authority's key".into());
        }
        let p = &jws.payload;
        let time = |k: &str| -> Result<Option<OffsetDateTime>, String> {
            match p.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_i64()
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                    .map(Some)
                    .ok_or_else(|| format!("{k} is not a NumericDate")),
            }
        };
        let iat = time("iat")?.ok_or("no iat")?;
        let exp = time("exp")?;
        if exp.is_some_and(|e| at >= e) {
            return Err("the seal revocation list has expired".into());
        }
        let uri = p.get("sub").and_then(Value::as_str).ok_or("no sub")?;
        let entries: Vec<SealRevocation> =
            serde_json::from_value(p.get("revocations").cloned().ok_or("no revocations")?)
                .map_err(|e| format!("revocations: {e}"))?;
        let mut list = SealRevocationList::new();
        for e in entries {
            list.add(e);
        }
        Ok(SignedRevocations {
            uri: uri.to_owned(),
            iat,
            exp,
            ttl: p.get("ttl").and_then(Value::as_u64),
            list,
        })
    }
}
