//! RFC 5280 certification path validation over x509-parser.
//!
//! Owns: building a path from a leaf to an explicit trust anchor (bounded: a limited
//! number of candidate paths and depth, so many same-named intermediates cannot blow
//! up CPU), and checking every link — signature (P-256 or SM2, mixed chains allowed),
//! issuer/subject chaining with AKI/SKI, validity at a given time, basicConstraints and
//! pathLen, keyCertSign on every CA, unknown critical extensions, the purpose of the
//! leaf, the license types of an issuing agency, and revocation by CRL; the strict
//! RFC 5280 profile of every certificate (`strict`), name constraints and the policy
//! extensions (`names`).
//! Must not touch: files, clocks (the time is in [`Policy`]), network (CRLs are passed in).
//!
//! The result is a [`Validation`]: the [`crate::report::Report`] with every check in
//! order, and the [`CheckKind`] that decided it when it did not pass.

mod cache;
mod cert;
mod checks;
mod facts;
mod names;
mod path;
mod revocation;
mod strict;

pub use cache::{CacheScope, PathCache};
pub use cert::ParsedCert;

use super::TrustAnchors;
use crate::report::{Check, Reason, Report, ReportBuilder, SubIndication};
use time::OffsetDateTime;

/// Longest path accepted (leaf + intermediates + anchor).
pub const MAX_PATH_LEN: usize = 8;
/// Most candidate paths examined before giving up.
pub const MAX_CANDIDATE_PATHS: usize = 16;

/// What the leaf certificate is to be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Any use: only the chain is checked.
    Any,
    /// Signing e-licenses and e-proofs (issuing agency).
    LicenseSigning,
    /// Making e-seals (seal authority).
    SealMaking,
    /// Stamping documents (organisation signer).
    DocumentStamping,
    /// Signing show-license tokens (show service).
    ShowTokenSigning,
    /// Signing the trust list.
    TrustListSigning,
}

impl Purpose {
    /// Parse a CLI name: `any`, `license`, `seal`, `stamp`, `show`, `trust-list`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "any" => Purpose::Any,
            "license" | "license-signing" => Purpose::LicenseSigning,
            "seal" | "seal-making" => Purpose::SealMaking,
            "stamp" | "document-stamping" => Purpose::DocumentStamping,
            "show" | "show-token-signing" => Purpose::ShowTokenSigning,
            "trust-list" | "trust-list-signing" => Purpose::TrustListSigning,
            _ => return None,
        })
    }

    /// The role whose EKU this purpose requires.
    pub fn role(self) -> Option<super::Role> {
        use super::Role;
        match self {
            Purpose::Any => None,
            Purpose::LicenseSigning => Some(Role::IssuingAgency),
            Purpose::SealMaking => Some(Role::SealAuthority),
            Purpose::DocumentStamping => Some(Role::OrganisationSigner),
            Purpose::ShowTokenSigning => Some(Role::ShowService),
            Purpose::TrustListSigning => Some(Role::TrustListSigner),
        }
    }
}

/// How to validate.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    /// The time validity is judged at.
    pub at: OffsetDateTime,
    /// What the leaf is used for.
    pub purpose: Purpose,
    /// When set, the leaf must be an issuing agency authorised for this license type code.
    pub license_type: Option<&'a str>,
    /// DER CRLs to consult.
    pub crls: &'a [Vec<u8>],
    /// When true, a certificate without a current CRL from its issuer is INDETERMINATE
    /// (TRY_LATER); when false it only earns a warning.
    pub require_revocation_info: bool,
}

impl<'a> Policy<'a> {
    /// Validate at `at` for any purpose, with no CRLs.
    pub fn at(at: OffsetDateTime) -> Self {
        Policy {
            at,
            purpose: Purpose::Any,
            license_type: None,
            crls: &[],
            require_revocation_info: false,
        }
    }
}

/// The named checks path validation makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckKind {
    /// A certificate could not be parsed.
    Format,
    /// No path from the leaf to a trust anchor.
    PathBuilding,
    /// A certificate's signature does not verify under its issuer's key.
    Signature,
    /// Issuer name / authority key identifier do not chain.
    IssuerChaining,
    /// A certificate is expired or not yet valid.
    Validity,
    /// A certificate carries a critical extension this validator does not process.
    CriticalExtension,
    /// An issuer is not a CA (basicConstraints).
    BasicConstraints,
    /// A CA's keyUsage lacks keyCertSign.
    KeyCertSign,
    /// A CA's pathLenConstraint is exceeded.
    PathLength,
    /// The leaf may not be used for the requested purpose.
    LeafUsage,
    /// The issuing agency is not authorised for the license type.
    LicenseType,
    /// A certificate is revoked, or its revocation status is unknown.
    Revocation,
    /// Summary of the strict profile checks of one certificate (never fails itself).
    Profile,
    /// Not v3 although extensions are present or the profile needs v3.
    Version,
    /// Serial number zero, negative or longer than 20 octets.
    Serial,
    /// An extension appears more than once.
    DuplicateExtension,
    /// keyCertSign on a certificate that is not a CA.
    KeyCertSignNonCa,
    /// A CA with an empty subject.
    CaSubject,
    /// basicConstraints of a CA not critical.
    BasicConstraintsCritical,
    /// A CA without subjectKeyIdentifier.
    SubjectKeyId,
    /// authorityKeyIdentifier missing below the root, or a root's AKI malformed.
    AuthorityKeyId,
    /// authorityInfoAccess malformed.
    AuthorityInfoAccess,
    /// A CA certificate in the leaf position.
    LeafNotCa,
    /// The leaf key is not of a supported algorithm and size.
    LeafKey,
    /// nameConstraints violated, or critical with an unsupported name form.
    NameConstraints,
    /// policyConstraints present (refused when critical).
    PolicyConstraints,
    /// inhibitAnyPolicy present (refused when critical).
    InhibitAnyPolicy,
    /// A CRL from an issuer whose keyUsage lacks cRLSign.
    CrlSigner,
    /// A CRL without a CRL number, or with a critical one.
    CrlNumber,
    /// A delta CRL (not processed).
    DeltaCrl,
}

impl CheckKind {
    /// The stable check code used in reports.
    pub fn code(self) -> &'static str {
        match self {
            CheckKind::Format => "cert.format",
            CheckKind::PathBuilding => "chain.build",
            CheckKind::Signature => "chain.signature",
            CheckKind::IssuerChaining => "chain.issuer",
            CheckKind::Validity => "chain.validity",
            CheckKind::CriticalExtension => "chain.critical_extensions",
            CheckKind::BasicConstraints => "chain.basic_constraints",
            CheckKind::KeyCertSign => "chain.key_cert_sign",
            CheckKind::PathLength => "chain.path_length",
            CheckKind::LeafUsage => "leaf.usage",
            CheckKind::LicenseType => "leaf.license_type",
            CheckKind::Revocation => "chain.revocation",
            CheckKind::Profile => "cert.profile",
            CheckKind::Version => "cert.version",
            CheckKind::Serial => "cert.serial",
            CheckKind::DuplicateExtension => "cert.duplicate_extension",
            CheckKind::KeyCertSignNonCa => "cert.key_cert_sign_non_ca",
            CheckKind::CaSubject => "ca.subject",
            CheckKind::BasicConstraintsCritical => "ca.basic_constraints_critical",
            CheckKind::SubjectKeyId => "ca.subject_key_id",
            CheckKind::AuthorityKeyId => "cert.authority_key_id",
            CheckKind::AuthorityInfoAccess => "cert.authority_info_access",
            CheckKind::LeafNotCa => "leaf.not_ca",
            CheckKind::LeafKey => "leaf.public_key",
            CheckKind::NameConstraints => "chain.name_constraints",
            CheckKind::PolicyConstraints => "chain.policy_constraints",
            CheckKind::InhibitAnyPolicy => "chain.inhibit_any_policy",
            CheckKind::CrlSigner => "crl.signer_usage",
            CheckKind::CrlNumber => "crl.number",
            CheckKind::DeltaCrl => "crl.delta",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|k| k.code() == code)
    }
}

const ALL_KINDS: [CheckKind; 30] = [
    CheckKind::Format,
    CheckKind::PathBuilding,
    CheckKind::Signature,
    CheckKind::IssuerChaining,
    CheckKind::Validity,
    CheckKind::CriticalExtension,
    CheckKind::BasicConstraints,
    CheckKind::KeyCertSign,
    CheckKind::PathLength,
    CheckKind::LeafUsage,
    CheckKind::LicenseType,
    CheckKind::Revocation,
    CheckKind::Profile,
    CheckKind::Version,
    CheckKind::Serial,
    CheckKind::DuplicateExtension,
    CheckKind::KeyCertSignNonCa,
    CheckKind::CaSubject,
    CheckKind::BasicConstraintsCritical,
    CheckKind::SubjectKeyId,
    CheckKind::AuthorityKeyId,
    CheckKind::AuthorityInfoAccess,
    CheckKind::LeafNotCa,
    CheckKind::LeafKey,
    CheckKind::NameConstraints,
    CheckKind::PolicyConstraints,
    CheckKind::InhibitAnyPolicy,
    CheckKind::CrlSigner,
    CheckKind::CrlNumber,
    CheckKind::DeltaCrl,
];

/// The outcome of path validation.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Every check made, and the indication.
    pub report: Report,
    /// The check that decided a non-passing result.
    pub failed: Option<CheckKind>,
    /// DER of the validated path, leaf first, anchor last (empty when none was built).
    pub path: Vec<Vec<u8>>,
}

impl Validation {
    /// Whether the path validated.
    pub fn passed(&self) -> bool {
        self.report.passed()
    }
}

/// Validate `leaf` (DER) against explicit trust `anchors` — only those trusted for the
/// policy's purpose may end a path — with `intermediates` as candidate issuers.
pub fn validate(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &TrustAnchors,
    policy: &Policy<'_>,
) -> Validation {
    match prepare(leaf, intermediates, anchors, policy) {
        Prepared::Single(p) => p.finish(policy),
        Prepared::Done(v) => v,
    }
}

/// The time-independent part of validating a leaf whose only candidate path is known:
/// the format and path-building checks, the signature and issuer checks of every link,
/// the constraint and usage checks — and the parsed path. [`CheckedPath::finish`] adds
/// what depends on the validation time and the CRLs (`chain.validity`,
/// `chain.revocation`), giving exactly the report [`validate`] gives.
pub struct CheckedPath {
    /// Checks before `chain.validity`.
    head: Vec<Check>,
    /// Checks between `chain.validity` and `chain.revocation`.
    mid: Vec<Check>,
    /// The path, leaf first, anchor last.
    chain: Vec<ParsedCert>,
    /// What the leaf names, read when first asked for.
    leaf_info: std::sync::OnceLock<Option<crate::pki::CertInfo>>,
}

impl std::fmt::Debug for CheckedPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedPath")
            .field("length", &self.chain.len())
            .finish()
    }
}

impl CheckedPath {
    /// The leaf's public key, when it reads.
    pub fn leaf_key(&self) -> Option<crate::crypto::PublicKey> {
        self.chain.first().and_then(|c| c.public_key.clone().ok())
    }

    /// What the leaf names ([`crate::pki::CertInfo`]), when it reads; read once.
    pub fn leaf_info(&self) -> Option<&crate::pki::CertInfo> {
        self.leaf_info
            .get_or_init(|| {
                self.chain
                    .first()
                    .and_then(|c| crate::pki::CertInfo::from_der(c.der()).ok())
            })
            .as_ref()
    }

    /// The validation at `policy.at` with `policy.crls` (purpose and license type are
    /// those the path was checked for).
    pub fn finish(&self, policy: &Policy<'_>) -> Validation {
        let mut b = ReportBuilder::new("certificate", policy.at);
        b.extend_checks(&self.head);
        let chain: Vec<&ParsedCert> = self.chain.iter().collect();
        checks::validity(&mut b, &chain, policy.at.unix_timestamp());
        b.extend_checks(&self.mid);
        revocation::check(&mut b, &chain, policy);
        finish(b, chain.iter().map(|c| c.der().to_vec()).collect())
    }
}

/// What [`prepare`] found.
enum Prepared {
    /// Exactly one candidate path: its time-independent checks.
    Single(CheckedPath),
    /// Anything else (a certificate that does not parse, no path, several candidates):
    /// the whole validation.
    Done(Validation),
}

fn prepare(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &TrustAnchors,
    policy: &Policy<'_>,
) -> Prepared {
    let mut b = ReportBuilder::new("certificate", policy.at);
    let leaf_cert = match ParsedCert::parse(leaf) {
        Ok(c) => c,
        Err(why) => return Prepared::Done(format_failure(b, "leaf", why)),
    };
    b.pass(
        CheckKind::Format.code(),
        Some(leaf_cert.label()),
        Reason::new("证书格式正确", "certificate parses as X.509 v3 DER"),
    );
    let mut pool = Vec::new();
    for (i, der) in intermediates.iter().enumerate() {
        match ParsedCert::parse(der) {
            Ok(c) => pool.push(c),
            Err(why) => {
                return Prepared::Done(format_failure(b, &format!("intermediate[{i}]"), why))
            }
        }
    }
    let mut trusted = Vec::new();
    for (i, der) in anchors.for_purpose(policy.purpose) {
        match ParsedCert::parse(der) {
            Ok(c) => trusted.push(c),
            Err(why) => return Prepared::Done(format_failure(b, &format!("anchor[{i}]"), why)),
        }
    }

    // A trust anchor sent along as an intermediate (an x5c ending with the root) adds
    // no path of its own: the anchor itself ends the path.
    pool.retain(|c| !trusted.iter().any(|t| t.der() == c.der()));
    let candidates = path::build(&leaf_cert, &pool, &trusted);
    if candidates.is_empty() {
        b.indeterminate(
            CheckKind::PathBuilding.code(),
            Some(leaf_cert.label()),
            SubIndication::NoCertificateChainFound,
            Reason::new(
                format!(
                    "找不到从该证书到受信任根证书的证书链（签发者：{}）",
                    leaf_cert.issuer_label()
                ),
                format!(
                    "no certificate chain from this certificate to a trust anchor (issuer: {})",
                    leaf_cert.issuer_label()
                ),
            ),
        );
        return Prepared::Done(finish(b, Vec::new()));
    }
    let distinct = |c: &[path::Node]| c.iter().enumerate().all(|(i, n)| !c[..i].contains(n));
    if candidates.len() == 1 && distinct(&candidates[0]) {
        let mut leaf_cert = Some(leaf_cert);
        let mut pool: Vec<Option<ParsedCert>> = pool.into_iter().map(Some).collect();
        let mut trusted: Vec<Option<ParsedCert>> = trusted.into_iter().map(Some).collect();
        // Each certificate appears once in the path: move it out of where it lies.
        let chain: Vec<ParsedCert> = candidates[0]
            .iter()
            .filter_map(|&n| match n {
                path::Node::Leaf => leaf_cert.take(),
                path::Node::Inter(i) => pool[i].take(),
                path::Node::Anchor(i) => trusted[i].take(),
            })
            .collect();
        let refs: Vec<&ParsedCert> = chain.iter().collect();
        b.pass(CheckKind::PathBuilding.code(), None, built_reason(&refs));
        checks::before_validity(&mut b, &refs);
        let head = b.take_checks();
        checks::after_validity(&mut b, &refs, policy);
        strict::run_all(&mut b, &refs);
        names::name_constraints(&mut b, &refs);
        names::policy_extensions(&mut b, &refs);
        let mid = b.take_checks();
        return Prepared::Single(CheckedPath {
            head,
            mid,
            chain,
            leaf_info: std::sync::OnceLock::new(),
        });
    }
    // Check each candidate path; the first that passes wins, else report the first.
    let mut first: Option<(ReportBuilder, Vec<Vec<u8>>)> = None;
    for cand in candidates {
        let chain: Vec<&ParsedCert> = cand
            .iter()
            .map(|&i| path::at(i, &leaf_cert, &pool, &trusted))
            .collect();
        let mut pb = b.clone();
        pb.pass(CheckKind::PathBuilding.code(), None, built_reason(&chain));
        checks::run_all(&mut pb, &chain, policy);
        strict::run_all(&mut pb, &chain);
        names::name_constraints(&mut pb, &chain);
        names::policy_extensions(&mut pb, &chain);
        revocation::check(&mut pb, &chain, policy);
        let ders: Vec<Vec<u8>> = chain.iter().map(|c| c.der().to_vec()).collect();
        if !pb.has_failed() {
            return Prepared::Done(finish(pb, ders));
        }
        if first.is_none() {
            first = Some((pb, ders));
        }
    }
    let (pb, ders) = first.expect("at least one candidate was checked");
    Prepared::Done(finish(pb, ders))
}

fn built_reason(chain: &[&ParsedCert]) -> Reason {
    Reason::new(
        format!("已构建证书链：{}", path::describe(chain)),
        format!("certificate chain built: {}", path::describe(chain)),
    )
}

fn format_failure(mut b: ReportBuilder, which: &str, why: &'static str) -> Validation {
    b.fail(
        CheckKind::Format.code(),
        Some(which.to_string()),
        SubIndication::FormatFailure,
        Reason::new(
            format!("证书无法解析：{why}"),
            format!("certificate does not parse: {why}"),
        ),
    );
    finish(b, Vec::new())
}

fn finish(b: ReportBuilder, path: Vec<Vec<u8>>) -> Validation {
    let report = b.finish();
    let failed = if report.passed() {
        None
    } else {
        report
            .decisive_check()
            .and_then(|c| CheckKind::from_code(&c.code))
    };
    Validation {
        report,
        failed,
        path,
    }
}
