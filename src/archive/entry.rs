//! The archive log's entries: one per act, holding what the act was, the artifact it
//! refers to (an identifier, never personal data), a SHA-256 digest of the act's record
//! and when it happened. An entry's leaf data is its canonical text, rebuilt byte for
//! byte from the stored columns.

use super::merkle::{leaf_hash, Hash};
use sha2::{Digest, Sha256};

/// The first line of every entry's leaf data.
const VERSION: &str = "deltaseal-archive-entry/v1";
/// The longest subject kept.
pub const MAX_SUBJECT: usize = 256;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Act {
    /// A license (or proof) was issued: the digest is of its issuer-signed JWT
    /// ([`issued_record`]).
    LicenseIssued,
    /// A license's status changed: the digest is of `identifier`, the new status and
    /// the reason.
    StatusChanged,
    /// A proof request was decided.
    ProofDecided,
    /// A seal was made or re-issued: the digest is of its DER.
    SealMade,
    /// A document was stamped: the digest is of the stamped document.
    DocumentStamped,
    /// A show token was issued.
    ShowTokenIssued,
    /// A license was retrieved by an agency under a holder's consent.
    LicenseRetrieved,
    /// A consent was granted.
    ConsentGranted,
    /// A consent was revoked.
    ConsentRevoked,
    /// The validation data of issuance was kept ([`super::ltv::Bundle`]): the digest
    /// is of the bundle's text, the subject the agency.
    EvidenceKept,
}

impl Act {
    /// Every act.
    pub const ALL: [Act; 10] = [
        Act::LicenseIssued,
        Act::StatusChanged,
        Act::ProofDecided,
        Act::SealMade,
        Act::DocumentStamped,
        Act::ShowTokenIssued,
        Act::LicenseRetrieved,
        Act::ConsentGranted,
        Act::ConsentRevoked,
        Act::EvidenceKept,
    ];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Act::LicenseIssued => "license.issued",
            Act::StatusChanged => "license.status",
            Act::ProofDecided => "proof.decided",
            Act::SealMade => "seal.made",
            Act::DocumentStamped => "document.stamped",
            Act::ShowTokenIssued => "show.issued",
            Act::LicenseRetrieved => "license.retrieved",
            Act::ConsentGranted => "consent.granted",
            Act::ConsentRevoked => "consent.revoked",
            Act::EvidenceKept => "evidence.kept",
        }
    }

    /// The act of a stored name.
    pub fn from_name(name: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The act.
    pub act: Act,
    /// The artifact it refers to (a license identifier, a seal's code, a digest).
    pub subject: String,
    /// SHA-256 of the act's record.
    pub digest: Hash,
    /// When (Unix seconds).
    pub at: i64,
}

/// An entry as the log holds it: with its index and leaf hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEntry {
    /// Its index in the log.
    pub index: u64,
    /// The entry, rebuilt from its columns.
    pub entry: Entry,
    /// The leaf hash stored with it.
    pub leaf: Hash,
}

/// Why stored columns are not an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The act's name is unknown.
    #[error("unknown act {0:?}")]
    Act(String),
    /// The subject is empty, too long or holds a control character.
    #[error("the subject is not a single line of 1-{MAX_SUBJECT} bytes")]
    Subject,
    /// The digest is not 64 hex digits.
    #[error("the digest is not a hex SHA-256")]
    Digest,
}

impl Entry {
    /// An entry of `act` on `subject`, the digest being of `record`.
    pub fn of(act: Act, subject: &str, record: &[u8], at: i64) -> Entry {
        Entry {
            act,
            subject: subject.to_string(),
            digest: Sha256::digest(record).into(),
            at,
        }
    }

    /// An entry from stored columns.
    pub fn from_columns(
        act: &str,
        subject: &str,
        digest: &str,
        at: i64,
    ) -> Result<Entry, EntryError> {
        let act = Act::from_name(act).ok_or_else(|| EntryError::Act(act.to_string()))?;
        if subject.is_empty()
            || subject.len() > MAX_SUBJECT
            || subject.chars().any(char::is_control)
        {
            return Err(EntryError::Subject);
        }
        let digest: Hash = hex::decode(digest)
            .ok()
            .and_then(|d| d.try_into().ok())
            .ok_or(EntryError::Digest)?;
        Ok(Entry {
            act,
            subject: subject.to_string(),
            digest,
            at,
        })
    }

    /// The leaf data: the canonical text.
    pub fn leaf_data(&self) -> Vec<u8> {
        format!(
            "{VERSION}\nact {}\nsubject {}\ndigest {}\nat {}\n",
            self.act.name(),
            self.subject,
            hex::encode(self.digest),
            self.at
        )
        .into_bytes()
    }

    /// The RFC 9162 leaf hash.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.leaf_data())
    }

    /// Whether `record` is what this entry's digest is of.
    pub fn records(&self, record: &[u8]) -> bool {
        let digest: Hash = Sha256::digest(record).into();
        digest == self.digest
    }
}

/// The record an entry of a license issued digests: the issuer-signed JWT (the
/// credential up to its first `~`), which commits to every disclosure and is the same
/// in every presentation made of the credential.
pub fn issued_record(credential: &str) -> &[u8] {
    credential
        .split('~')
        .next()
        .unwrap_or(credential)
        .as_bytes()
}

/// The time of a license's issuance entry, as the verifier of a presentation finds
/// it: the `iat` of the issuer-signed JWT `jws` (decoded, not verified here), which the
/// issuance's transaction stamps on the entry too. `None`: no integer `iat`.
pub fn issued_at(jws: &crate::jose::CompactJws) -> Option<i64> {
    jws.payload.get("iat")?.as_i64()
}

/// How an artifact's entry is looked up by its digest: a license's issuance entry also
/// by its time (its index is keyed by both), any other act's by the act alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// A license issued at `at` (its issuer-signed JWT's `iat`, [`issued_at`]).
    LicenseIssued {
        /// Unix seconds.
        at: i64,
    },
    /// A seal made.
    SealMade,
    /// A document stamped.
    DocumentStamped,
    /// A show token issued.
    ShowTokenIssued,
    /// The validation data of an issuance kept.
    EvidenceKept,
}

impl Lookup {
    /// The lookup of an entry of `act`, given for a license the time `at`; `Err` says
    /// why there is none (an act not found by digest, or a license without its time).
    pub fn of(act: Act, at: Option<i64>) -> Result<Lookup, &'static str> {
        match (act, at) {
            (Act::LicenseIssued, Some(at)) => Ok(Lookup::LicenseIssued { at }),
            (Act::LicenseIssued, None) => {
                Err("a license's entry is looked up with at: its issuer-signed JWT's iat")
            }
            (Act::SealMade, _) => Ok(Lookup::SealMade),
            (Act::DocumentStamped, _) => Ok(Lookup::DocumentStamped),
            (Act::ShowTokenIssued, _) => Ok(Lookup::ShowTokenIssued),
            (Act::EvidenceKept, _) => Ok(Lookup::EvidenceKept),
            _ => Err("entries of this act are not looked up by digest"),
        }
    }

    /// The act looked up.
    pub fn act(self) -> Act {
        match self {
            Lookup::LicenseIssued { .. } => Act::LicenseIssued,
            Lookup::SealMade => Act::SealMade,
            Lookup::DocumentStamped => Act::DocumentStamped,
            Lookup::ShowTokenIssued => Act::ShowTokenIssued,
            Lookup::EvidenceKept => Act::EvidenceKept,
        }
    }
}

/// The record an entry of a status change digests.
pub fn status_record(identifier: &str, status: &str, reason: Option<&str>) -> Vec<u8> {
    format!("{identifier}\n{status}\n{}\n", reason.unwrap_or("")).into_bytes()
}

/// The record an entry of a show token issued digests: its mode, the province whose
/// show service signs it, the token id (hex), the chosen claims (sorted, so a verifier
/// holding the token rebuilds the same record whatever order they were asked in) and
/// the token's expiry.
pub fn show_record(
    mode: &str,
    province: &str,
    token_id: &str,
    claims: &[String],
    expires_at: i64,
) -> Vec<u8> {
    let mut claims: Vec<&str> = claims.iter().map(String::as_str).collect();
    claims.sort_unstable();
    claims.dedup();
    format!(
        "{mode}\n{province}\n{token_id}\n{}\n{expires_at}\n",
        claims.join(",")
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_licenses_entry_time_is_read_off_its_jwts_iat() {
        use base64::Engine;
        let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let jws = |payload: &str| {
            let jwt = format!("{}.{}.c2ln", b64(r#"{"alg":"ES256"}"#), b64(payload));
            crate::jose::CompactJws::parse(&jwt, "test", 4096).unwrap()
        };
        assert_eq!(
            issued_at(&jws(r#"{"iat":1780272000,"iss":"x"}"#)),
            Some(1780272000)
        );
        for bad in [
            r#"{"iss":"x"}"#,
            r#"{"iat":"1780272000"}"#,
            r#"{"iat":1.5}"#,
        ] {
            assert_eq!(issued_at(&jws(bad)), None, "{bad}");
        }
    }

    #[test]
    fn a_license_is_looked_up_with_its_time_and_other_acts_by_act_alone() {
        assert_eq!(
            Lookup::of(Act::LicenseIssued, Some(7)),
            Ok(Lookup::LicenseIssued { at: 7 })
        );
        assert!(Lookup::of(Act::LicenseIssued, None).is_err());
        for act in [Act::StatusChanged, Act::ProofDecided, Act::ConsentGranted] {
            assert!(Lookup::of(act, None).is_err(), "{act:?}");
        }
        for act in [
            Act::LicenseIssued,
            Act::SealMade,
            Act::DocumentStamped,
            Act::ShowTokenIssued,
            Act::EvidenceKept,
        ] {
            assert_eq!(Lookup::of(act, Some(1)).unwrap().act(), act);
        }
    }

    #[test]
    fn an_entry_is_rebuilt_from_its_columns_byte_for_byte() {
        for act in Act::ALL {
            let e = Entry::of(
                act,
                "SH-11100000000000001X-2026-000001",
                b"record",
                1_790_000_000,
            );
            let back =
                Entry::from_columns(act.name(), &e.subject, &hex::encode(e.digest), e.at).unwrap();
            assert_eq!(back, e);
            assert_eq!(back.leaf_hash(), e.leaf_hash());
            assert!(e.records(b"record") && !e.records(b"other"));
        }
        let e = Entry::of(Act::LicenseIssued, "x", b"", 0);
        assert!(String::from_utf8(e.leaf_data())
            .unwrap()
            .starts_with("deltaseal-archive-entry/v1\nact license.issued\nsubject x\n"));
    }

    #[test]
    fn bad_columns_are_typed_errors() {
        let d = hex::encode([0u8; 32]);
        assert_eq!(
            Entry::from_columns("nope", "x", &d, 0),
            Err(EntryError::Act("nope".into()))
        );
        assert_eq!(
            Entry::from_columns("seal.made", "", &d, 0),
            Err(EntryError::Subject)
        );
        assert_eq!(
            Entry::from_columns("seal.made", "a\nb", &d, 0),
            Err(EntryError::Subject)
        );
        assert_eq!(
            Entry::from_columns("seal.made", "x", "zz", 0),
            Err(EntryError::Digest)
        );
    }
}
