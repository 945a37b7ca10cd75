//! The verification report every verifier in the project returns.
//!
//! Modelled on ETSI EN 319 102-1: an overall indication (TOTAL_PASSED, TOTAL_FAILED,
//! INDETERMINATE), a sub-indication saying why, and every check made, in order, with
//! its outcome and a reason in Chinese and English. Serialisable as JSON, printable as text.
//! Must not touch: I/O. Verifiers build a [`Report`] with [`ReportBuilder`].

mod text;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A time in Unix seconds as reports and refusals print it: RFC 3339, UTC (the number
/// itself when it is out of range).
pub fn unix_rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// A check failed: the object is not valid.
    TotalFailed,
    /// Nothing failed, but validity could not be established (e.g. unknown CA).
    Indeterminate,
}

/// Why the indication is not TOTAL_PASSED (ETSI EN 319 102-1 vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The object is not in the expected format.
    FormatFailure,
    /// A digest of the signed data does not match.
    HashFailure,
    /// A signature value does not verify.
    SigCryptoFailure,
    /// The object or a certificate was revoked.
    Revoked,
    /// The object or a certificate has expired.
    Expired,
    /// The object or a certificate is not yet valid.
    NotYetValid,
    /// No chain to a trust anchor could be built.
    NoCertificateChainFound,
    /// A chain was built but a constraint (basicConstraints, keyUsage, pathLen,
    /// critical extension, naming) is violated.
    ChainConstraintsFailure,
    /// The signer's certificate does not allow this use (purpose, authorised types).
    SigConstraintsFailure,
    /// The signer certificate could not be found or identified.
    NoSignerCertificateFound,
    /// The signed data referred to could not be found.
    SignedDataNotFound,
    /// The algorithm or key size is not accepted.
    CryptoConstraintsFailure,
    /// Revocation status could not be established.
    TryLater,
    /// A general failure of chain processing.
    CertificateChainGeneralFailure,
    /// The validation policy could not be applied.
    PolicyProcessingError,
}

impl SubIndication {
    /// The ETSI name, e.g. `HASH_FAILURE`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::Revoked => "REVOKED",
            SubIndication::Expired => "EXPIRED",
            SubIndication::NotYetValid => "NOT_YET_VALID",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            SubIndication::NoSignerCertificateFound => "NO_SIGNER_CERTIFICATE_FOUND",
            SubIndication::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            SubIndication::PolicyProcessingError => "POLICY_PROCESSING_ERROR",
        }
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check could not be decided.
    Indeterminate,
    /// The check passed with something worth telling the reader (policy allows it).
    Warning,
}

/// A reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// 中文说明
    pub zh: String,
    /// English explanation
    pub en: String,
}

impl Reason {
    /// A reason from its Chinese and English texts.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Reason {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// One check made during verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable code of the check, e.g. `chain.signature`, `seal.validity`.
    pub code: String,
    /// What the check was applied to, e.g. `certificate[1] CN=…` or `/Doc_0/Content.xml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Outcome.
    pub outcome: Outcome,
    /// ETSI sub-indication when the outcome is not PASSED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// Human-readable reason.
    pub reason: Reason,
}

/// The result of verifying one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What was verified: `certificate`, `seal`, `stamp`, `ofd`, `license`, `show-token`.
    pub object: String,
    /// Overall indication.
    pub indication: Indication,
    /// Sub-indication of the first decisive check, when not TOTAL_PASSED.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The time validation was made for (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// Every check, in the order made.
    pub checks: Vec<Check>,
}

impl Report {
    /// First failed (else first indeterminate) check — the one that decided the indication.
    pub fn decisive_check(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.outcome == Outcome::Failed)
            .or_else(|| {
                self.checks
                    .iter()
                    .find(|c| c.outcome == Outcome::Indeterminate)
            })
    }

    /// The check with this code, if made.
    pub fn check(&self, code: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.code == code)
    }

    /// Whether the indication is TOTAL_PASSED.
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }

    /// CLI exit code for this report: 0 passed, 1 failed, 3 indeterminate.
    pub fn exit_code(&self) -> i32 {
        match self.indication {
            Indication::TotalPassed => 0,
            Indication::TotalFailed => 1,
            Indication::Indeterminate => 3,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises")
    }
}

/// Collects checks and decides the indication.
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    object: String,
    at: OffsetDateTime,
    checks: Vec<Check>,
}

impl ReportBuilder {
    /// Start a report about `object`, validated at `at`.
    pub fn new(object: impl Into<String>, at: OffsetDateTime) -> Self {
        ReportBuilder {
            object: object.into(),
            at,
            checks: Vec::new(),
        }
    }

    /// Record a passed check.
    pub fn pass(&mut self, code: &str, subject: Option<String>, reason: Reason) -> &mut Self {
        self.push(code, subject, Outcome::Passed, None, reason)
    }

    /// Record a failed check.
    pub fn fail(
        &mut self,
        code: &str,
        subject: Option<String>,
        sub: SubIndication,
        reason: Reason,
    ) -> &mut Self {
        self.push(code, subject, Outcome::Failed, Some(sub), reason)
    }

    /// Record an indeterminate check.
    pub fn indeterminate(
        &mut self,
        code: &str,
        subject: Option<String>,
        sub: SubIndication,
        reason: Reason,
    ) -> &mut Self {
        self.push(code, subject, Outcome::Indeterminate, Some(sub), reason)
    }

    /// Record a check that passed with a warning.
    pub fn warn(&mut self, code: &str, subject: Option<String>, reason: Reason) -> &mut Self {
        self.push(code, subject, Outcome::Warning, None, reason)
    }

    /// Record any check.
    pub fn push(
        &mut self,
        code: &str,
        subject: Option<String>,
        outcome: Outcome,
        sub_indication: Option<SubIndication>,
        reason: Reason,
    ) -> &mut Self {
        self.checks.push(Check {
            code: code.to_string(),
            subject,
            outcome,
            sub_indication,
            reason,
        });
        self
    }

    /// Append all checks of another report (e.g. the chain report inside a seal report).
    pub fn extend(&mut self, other: Report) -> &mut Self {
        self.checks.extend(other.checks);
        self
    }

    /// Append checks made earlier (e.g. the time-independent part of a cached path).
    pub fn extend_checks(&mut self, checks: &[Check]) -> &mut Self {
        self.checks.extend(checks.iter().cloned());
        self
    }

    /// Take the checks recorded so far, leaving none.
    pub fn take_checks(&mut self) -> Vec<Check> {
        std::mem::take(&mut self.checks)
    }

    /// Whether any check so far failed.
    pub fn has_failed(&self) -> bool {
        self.checks.iter().any(|c| c.outcome == Outcome::Failed)
    }

    /// Finish: TOTAL_FAILED if any check failed (sub-indication of the first failure),
    /// else INDETERMINATE if any was indeterminate, else TOTAL_PASSED.
    pub fn finish(self) -> Report {
        let failed = self.checks.iter().find(|c| c.outcome == Outcome::Failed);
        let indet = self
            .checks
            .iter()
            .find(|c| c.outcome == Outcome::Indeterminate);
        let (indication, sub_indication) = match (failed, indet) {
            (Some(c), _) => (Indication::TotalFailed, c.sub_indication),
            (None, Some(c)) => (Indication::Indeterminate, c.sub_indication),
            (None, None) => (Indication::TotalPassed, None),
        };
        Report {
            object: self.object,
            indication,
            sub_indication,
            validation_time: self.at,
            checks: self.checks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> OffsetDateTime {
        time::macros::datetime!(2026-01-01 00:00 UTC)
    }

    #[test]
    fn first_failure_decides() {
        let mut b = ReportBuilder::new("certificate", at());
        b.pass("a", None, Reason::new("好", "ok"));
        b.indeterminate(
            "b",
            None,
            SubIndication::NoCertificateChainFound,
            Reason::new("未知", "unknown"),
        );
        b.fail(
            "c",
            None,
            SubIndication::Expired,
            Reason::new("过期", "expired"),
        );
        b.fail(
            "d",
            None,
            SubIndication::Revoked,
            Reason::new("撤销", "revoked"),
        );
        let r = b.finish();
        assert_eq!(r.indication, Indication::TotalFailed);
        assert_eq!(r.sub_indication, Some(SubIndication::Expired));
        assert_eq!(r.decisive_check().unwrap().code, "c");
        assert_eq!(r.exit_code(), 1);
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["indication"], "TOTAL_FAILED");
        assert_eq!(json["sub_indication"], "EXPIRED");
        assert_eq!(json["checks"].as_array().unwrap().len(), 4);
        assert_eq!(json["checks"][1]["outcome"], "INDETERMINATE");
    }

    #[test]
    fn indeterminate_without_failure() {
        let mut b = ReportBuilder::new("seal", at());
        b.pass("a", None, Reason::new("好", "ok"));
        b.indeterminate(
            "b",
            None,
            SubIndication::NoCertificateChainFound,
            Reason::new("未知", "unknown"),
        );
        let r = b.finish();
        assert_eq!(r.indication, Indication::Indeterminate);
        assert_eq!(r.exit_code(), 3);
        let text = r.to_string();
        assert!(text.contains("INDETERMINATE"), "{text}");
        assert!(text.contains("NO_CERTIFICATE_CHAIN_FOUND"), "{text}");
    }

    #[test]
    fn all_passed() {
        let mut b = ReportBuilder::new("seal", at());
        b.pass("a", None, Reason::new("好", "ok"));
        let r = b.finish();
        assert!(r.passed());
        assert_eq!(r.sub_indication, None);
        assert_eq!(r.exit_code(), 0);
    }
}
