//! The verifier's policy: which provinces and license types it accepts, which claims a
//! presentation must disclose, and the clock skew it allows. Read from JSON
//! (`deny_unknown_fields`); every field has a default.

use crate::pki::Province;
use serde::{Deserialize, Serialize};
use time::Duration;

/// What a verifier accepts.
///
/// JSON: `{"provinces": ["SH", "ZJ"], "license_types": ["11100000000019713D001"],
/// "required_disclosures": ["name"], "clock_skew_s": 300, "max_status_age_s": 86400}` —
/// every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Provinces whose agencies and seal authorities are accepted (default: all four).
    pub provinces: Vec<Province>,
    /// Common type codes accepted (`None`, the default: every type).
    pub license_types: Option<Vec<String>>,
    /// Claims a credential or presentation must disclose (default: none).
    pub required_disclosures: Vec<String>,
    /// How far a credential's `iat` / `nbf` may lie after the validation time, seconds
    /// (default 300).
    pub clock_skew_s: u32,
    /// The oldest status list relied on, seconds since the issuing node produced it
    /// (default 86,400: a day); older → INDETERMINATE / TRY_LATER.
    pub max_status_age_s: u32,
    /// Warn when the trust list relied on was issued longer ago than this, seconds
    /// (default: no warning; the list's own next update still applies).
    pub warn_trust_list_age_s: Option<u64>,
    /// The names this verifier answers to as a show token's audience (a node: its
    /// province code); a token naming another audience fails (default: none).
    pub audiences: Vec<String>,
    /// How far past its expiry (or before its issue time) a show token is still
    /// accepted, seconds (default 30); the report states it.
    pub show_clock_skew_s: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            provinces: Province::ALL.to_vec(),
            license_types: None,
            required_disclosures: Vec::new(),
            clock_skew_s: 300,
            max_status_age_s: 86_400,
            warn_trust_list_age_s: None,
            audiences: Vec::new(),
            show_clock_skew_s: 30,
        }
    }
}

impl Policy {
    /// Read a policy from JSON.
    pub fn from_json(text: &str) -> Result<Policy, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Whether `p` is accepted.
    pub fn accepts_province(&self, p: Province) -> bool {
        self.provinces.contains(&p)
    }

    /// Whether the type is accepted: its common `code`, or `local` (the code the
    /// credential used) when the policy names that.
    pub fn accepts_type(&self, code: &str, local: Option<&str>) -> bool {
        match &self.license_types {
            None => true,
            Some(list) => list.iter().any(|c| c == code || Some(c.as_str()) == local),
        }
    }

    /// The clock skew allowed.
    pub fn clock_skew(&self) -> Duration {
        Duration::seconds(i64::from(self.clock_skew_s))
    }
}
