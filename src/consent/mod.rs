//! Consent (用证授权): a holder lets one agency of the Delta — named by its USCC in the
//! trust list — fetch a license, or every license of a type, for a stated matter (事项),
//! revealing only the claims the holder chose, until a time; and the record of every
//! access made under it.
//!
//! Owns: what a grant must hold, the consent's id (which names the province whose node
//! keeps it), the order of the checks that refuse a use, the records the archive log
//! digests.
//! Must not touch: HTTP, storage, clocks — time is an argument.

use crate::license::HolderCodeType;
use crate::pki::Province;
use serde::{Deserialize, Serialize};

/// Longest purpose text, in characters.
pub const MAX_PURPOSE: usize = 200;
/// Most claims one consent names.
pub const MAX_CLAIMS: usize = 32;
/// Longest claim name, in bytes.
pub const MAX_CLAIM_NAME: usize = 64;
/// Longest a consent may run, seconds (a year).
pub const MAX_DURATION_S: i64 = 366 * 24 * 3600;
/// Most consents one holder keeps (a grant beyond it is refused).
pub const MAX_PER_HOLDER: usize = 500;
/// The prefix of the ids of a node that serves every province.
const REGION_PREFIX: &str = "yrd";

/// What a holder grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The agency's USCC.
    pub agency_uscc: String,
    /// The national type code of the licenses it may fetch.
    pub type_code: String,
    /// One license only (its identifier), or every license of the type.
    pub license: Option<String>,
    /// The matter it is for (事项).
    pub purpose: String,
    /// The claims it may see.
    pub claims: Vec<String>,
    /// Until when (Unix seconds).
    pub until: i64,
}

/// A consent as kept by the holder's node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Its id ([`new_id`]).
    pub id: String,
    /// The holder's code.
    pub holder_code: String,
    /// Its type (`111`, `001`).
    pub holder_code_type: HolderCodeType,
    /// The agency's USCC.
    pub agency_uscc: String,
    /// Its name (the trust list's, when granted).
    pub agency_name: String,
    /// Its province.
    pub agency_province: Province,
    /// The license type.
    pub type_code: String,
    /// One license only, or none: every license of the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The matter.
    pub purpose: String,
    /// The claims the agency may see.
    pub claims: Vec<String>,
    /// When granted (Unix seconds).
    pub granted_at: i64,
    /// Until when.
    pub until: i64,
    /// When revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// What an agency asks to use a consent for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use<'a> {
    /// The asking agency's USCC.
    pub agency_uscc: &'a str,
    /// The holder code the agency names.
    pub holder_code: &'a str,
    /// The type it asks for.
    pub type_code: &'a str,
    /// The claims it asks for; none: every claim of the consent.
    pub claims: Option<&'a [String]>,
}

/// Why a use is refused: each its own problem code (the tag it travels between nodes
/// with).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", content = "why", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// No consent with this id was granted to this agency.
    #[error("no consent {0} was granted to this agency")]
    NoConsent(String),
    /// The consent ran out.
    #[serde(rename = "consent_expired")]
    #[error("the consent expired at {0}")]
    Expired(String),
    /// The holder revoked it.
    #[serde(rename = "consent_revoked")]
    #[error("the holder revoked the consent at {0}")]
    Revoked(String),
    /// The type asked for is not the consent's.
    #[serde(rename = "type_outside_consent")]
    #[error("the consent covers license type {granted}, not {asked}")]
    TypeOutside {
        /// The consent's type.
        granted: String,
        /// What was asked.
        asked: String,
    },
    /// Claims beyond the consent were asked for.
    #[serde(rename = "claims_outside_consent")]
    #[error("the consent does not cover the claims {}", .0.join(", "))]
    ClaimsOutside(Vec<String>),
    /// The holder code named is not the consent's holder's.
    #[error("the holder code does not match the consent's holder")]
    HolderMismatch,
    /// The agency is not an issuing agency of the trust list (or not of the province
    /// whose node asks for it).
    #[serde(rename = "agency_not_trusted")]
    #[error("agency {0} is not listed in the trust list")]
    AgencyNotTrusted(String),
}

impl Refusal {
    /// The stable problem code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NoConsent(_) => "no_consent",
            Refusal::Expired(_) => "consent_expired",
            Refusal::Revoked(_) => "consent_revoked",
            Refusal::TypeOutside { .. } => "type_outside_consent",
            Refusal::ClaimsOutside(_) => "claims_outside_consent",
            Refusal::HolderMismatch => "holder_mismatch",
            Refusal::AgencyNotTrusted(_) => "agency_not_trusted",
        }
    }
}

/// Why a grant is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadGrant(pub String);

use crate::report::unix_rfc3339 as rfc3339;

impl Grant {
    /// Check the grant at `now`: a purpose, 1-[`MAX_CLAIMS`] distinct claim names, an
    /// end after `now` and at most [`MAX_DURATION_S`] away.
    pub fn check(&self, now: i64) -> Result<(), BadGrant> {
        let purpose = self.purpose.trim();
        if purpose.is_empty() || purpose.chars().count() > MAX_PURPOSE {
            return Err(BadGrant(format!(
                "purpose must be 1-{MAX_PURPOSE} characters: the matter the license is used for"
            )));
        }
        if purpose.chars().any(char::is_control) {
            return Err(BadGrant("purpose must be one line".into()));
        }
        if self.claims.is_empty() || self.claims.len() > MAX_CLAIMS {
            return Err(BadGrant(format!("claims must name 1-{MAX_CLAIMS} claims")));
        }
        for (i, c) in self.claims.iter().enumerate() {
            if c.is_empty()
                || c.len() > MAX_CLAIM_NAME
                || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                return Err(BadGrant(format!(
                    "claim name {:?} is not 1-{MAX_CLAIM_NAME} letters, digits or _",
                    c.chars().take(80).collect::<String>()
                )));
            }
            if self.claims[..i].contains(c) {
                return Err(BadGrant(format!("claim {c} is named twice")));
            }
        }
        if self.until <= now {
            return Err(BadGrant("until must be in the future".into()));
        }
        if self.until - now > MAX_DURATION_S {
            return Err(BadGrant(format!(
                "a consent may run at most {} days",
                MAX_DURATION_S / 86_400
            )));
        }
        Ok(())
    }
}

/// A fresh consent id kept by `province`'s node (none: a node of every province):
/// `<province>-<32 hex digits>`, lower case.
pub fn new_id(province: Option<Province>) -> String {
    let prefix = province.map_or(REGION_PREFIX.to_string(), |p| p.abbrev().to_lowercase());
    format!("{prefix}-{}", hex::encode(rand::random::<[u8; 16]>()))
}

/// Where the consent `id` is kept: `Ok(Some(p))` `p`'s node, `Ok(None)` a node of every
/// province; `Err` when it is not a consent id at all.
pub fn keeper(id: &str) -> Result<Option<Province>, Refusal> {
    let no = || Refusal::NoConsent(id.chars().take(80).collect());
    let (prefix, rest) = id.split_once('-').ok_or_else(no)?;
    if rest.len() != 32
        || !rest
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(no());
    }
    if prefix == REGION_PREFIX {
        return Ok(None);
    }
    Province::ALL
        .into_iter()
        .find(|p| p.abbrev().to_lowercase() == prefix)
        .map(Some)
        .ok_or_else(no)
}

impl Consent {
    /// Whether it may still be used at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && now < self.until
    }

    /// Check `u` against the consent at `now`, in this order: granted to this agency,
    /// the holder's code, revoked, expired, the type, the claims. The claims to reveal.
    pub fn check(&self, u: &Use<'_>, now: i64) -> Result<Vec<String>, Refusal> {
        if u.agency_uscc != self.agency_uscc {
            return Err(Refusal::NoConsent(self.id.clone()));
        }
        if u.holder_code != self.holder_code {
            return Err(Refusal::HolderMismatch);
        }
        if let Some(at) = self.revoked_at {
            return Err(Refusal::Revoked(rfc3339(at)));
        }
        if now >= self.until {
            return Err(Refusal::Expired(rfc3339(self.until)));
        }
        if u.type_code != self.type_code {
            return Err(Refusal::TypeOutside {
                granted: self.type_code.clone(),
                asked: u.type_code.chars().take(64).collect(),
            });
        }
        match u.claims {
            None => Ok(self.claims.clone()),
            Some(asked) => {
                let outside: Vec<String> = asked
                    .iter()
                    .filter(|c| !self.claims.contains(c))
                    .map(|c| c.chars().take(64).collect())
                    .collect();
                if !outside.is_empty() {
                    return Err(Refusal::ClaimsOutside(outside));
                }
                let mut out: Vec<String> = Vec::new();
                for c in asked {
                    if !out.contains(c) {
                        out.push(c.clone());
                    }
                }
                Ok(out)
            }
        }
    }

    /// The record the archive entry of its grant digests (every term, no holder data
    /// beyond the code it is bound to).
    pub fn grant_record(&self) -> Vec<u8> {
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.id,
            self.holder_code,
            self.agency_uscc,
            self.type_code,
            self.license.as_deref().unwrap_or(""),
            self.purpose,
            self.claims.join(","),
            self.granted_at,
            self.until
        )
        .into_bytes()
    }

    /// The record the archive entry of its revocation digests.
    pub fn revoke_record(&self, at: i64) -> Vec<u8> {
        format!("{}\nrevoked\n{at}\n", self.id).into_bytes()
    }
}

/// One access made under a consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// The consent.
    pub consent_id: String,
    /// The agency's USCC.
    pub agency_uscc: String,
    /// Its name.
    pub agency_name: String,
    /// The province whose node asked.
    pub province: Province,
    /// When (Unix seconds).
    pub at: i64,
    /// The type.
    pub type_code: String,
    /// The claims revealed.
    pub claims: Vec<String>,
    /// The licenses handed over (identifiers).
    pub licenses: Vec<String>,
}

impl Access {
    /// The record the archive entry of each license handed over digests.
    pub fn record(&self, license: &str) -> Vec<u8> {
        format!(
            "{}\n{}\n{}\n{license}\n{}\n{}\n",
            self.consent_id,
            self.agency_uscc,
            self.province.abbrev(),
            self.claims.join(","),
            self.at
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent() -> Consent {
        Consent {
            id: new_id(Some(Province::Shanghai)),
            holder_code: "310101199003072014".into(),
            holder_code_type: HolderCodeType::CitizenId,
            agency_uscc: "11330000MB0000000X".into(),
            agency_name: "浙江省公安厅".into(),
            agency_province: Province::Zhejiang,
            type_code: "T".into(),
            license: None,
            purpose: "落户".into(),
            claims: vec!["holder".into(), "license_number".into()],
            granted_at: 1_000,
            until: 2_000,
            revoked_at: None,
        }
    }

    fn use_<'a>(c: &'a Consent, claims: Option<&'a [String]>) -> Use<'a> {
        Use {
            agency_uscc: &c.agency_uscc,
            holder_code: &c.holder_code,
            type_code: &c.type_code,
            claims,
        }
    }

    #[test]
    fn ids_name_their_keeper() {
        let id = new_id(Some(Province::Jiangsu));
        assert!(id.starts_with("js-"));
        assert_eq!(keeper(&id), Ok(Some(Province::Jiangsu)));
        assert_eq!(keeper(&new_id(None)), Ok(None));
        for bad in ["", "sh", "bj-00000000000000000000000000000000", "sh-XYZ"] {
            assert_eq!(keeper(bad).unwrap_err().code(), "no_consent", "{bad}");
        }
    }

    #[test]
    fn each_refusal_in_its_order() {
        let c = consent();
        assert_eq!(c.check(&use_(&c, None), 1_500).unwrap(), c.claims);
        let other = Use {
            agency_uscc: "X",
            ..use_(&c, None)
        };
        assert_eq!(c.check(&other, 1_500).unwrap_err().code(), "no_consent");
        let mismatch = Use {
            holder_code: "320102198506123024",
            ..use_(&c, None)
        };
        assert_eq!(
            c.check(&mismatch, 1_500).unwrap_err(),
            Refusal::HolderMismatch
        );
        assert_eq!(
            c.check(&use_(&c, None), 2_000).unwrap_err().code(),
            "consent_expired"
        );
        let ty = Use {
            type_code: "U",
            ..use_(&c, None)
        };
        assert_eq!(
            c.check(&ty, 1_500).unwrap_err().code(),
            "type_outside_consent"
        );
        let more = vec!["holder".to_string(), "birth_date".to_string()];
        assert_eq!(
            c.check(&use_(&c, Some(&more)), 1_500).unwrap_err(),
            Refusal::ClaimsOutside(vec!["birth_date".into()])
        );
        let fewer = vec!["holder".to_string(), "holder".to_string()];
        assert_eq!(
            c.check(&use_(&c, Some(&fewer)), 1_500).unwrap(),
            vec!["holder".to_string()]
        );
        let revoked = Consent {
            revoked_at: Some(1_200),
            ..c.clone()
        };
        assert_eq!(
            revoked.check(&use_(&c, None), 1_500).unwrap_err().code(),
            "consent_revoked"
        );
    }

    #[test]
    fn a_refusal_travels_under_its_code() {
        for r in [
            Refusal::NoConsent("x".into()),
            Refusal::Expired("x".into()),
            Refusal::Revoked("x".into()),
            Refusal::TypeOutside {
                granted: "a".into(),
                asked: "b".into(),
            },
            Refusal::ClaimsOutside(vec!["c".into()]),
            Refusal::HolderMismatch,
            Refusal::AgencyNotTrusted("x".into()),
        ] {
            let v = serde_json::to_value(&r).unwrap();
            assert_eq!(v["code"], r.code(), "{v}");
            assert_eq!(serde_json::from_value::<Refusal>(v).unwrap(), r);
        }
    }

    #[test]
    fn grants_are_checked() {
        let g = Grant {
            agency_uscc: "A".into(),
            type_code: "T".into(),
            license: None,
            purpose: "落户".into(),
            claims: vec!["holder".into()],
            until: 2_000,
        };
        assert!(g.check(1_000).is_ok());
        let bad = |g: Grant| g.check(1_000).unwrap_err().0;
        assert!(bad(Grant {
            purpose: " ".into(),
            ..g.clone()
        })
        .contains("purpose"));
        assert!(bad(Grant {
            claims: vec![],
            ..g.clone()
        })
        .contains("claims"));
        assert!(bad(Grant {
            claims: vec!["a b".into()],
            ..g.clone()
        })
        .contains("letters"));
        assert!(bad(Grant {
            claims: vec!["a".into(), "a".into()],
            ..g.clone()
        })
        .contains("twice"));
        assert!(bad(Grant {
            until: 900,
            ..g.clone()
        })
        .contains("future"));
        assert!(bad(Grant {
            until: 1_000 + MAX_DURATION_S + 1,
            ..g
        })
        .contains("days"));
    }
}
