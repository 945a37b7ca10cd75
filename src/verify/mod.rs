//! The one verification engine: any artifact the region issues — an SD-JWT VC license
//! or proof, a seal, a detached stamp, a stamped OFD document, a certificate — checked
//! against the accepted regional trust list and a verifier's [`Policy`], into one
//! [`Verdict`].
//!
//! [`verify`] detects the kind from the bytes (or takes the caller's word for it), runs
//! that kind's verifier with the trust list's province roots as anchors
//! ([`crate::license::sdjwt::verify`], [`crate::seal::verify_seal`] /
//! [`crate::seal::verify_stamp`], [`crate::seal::ofd::verify_package`],
//! [`crate::pki::validate::validate`]), includes every check of theirs, and adds what
//! only the trust list can say: which listed agency or seal authority signed, whether
//! it may issue that type (local codes recognised through the regional catalogue), and
//! whether the policy accepts the province, the type and the disclosures.
//!
//! Checks added here, in report order: `trust_list.cited` (first), then after the
//! verifier's own: `issuer.listed`, `issuer.type_authorised`, `seal_authority.listed`,
//! `policy.province`, `policy.type`, `policy.disclosures` (those that apply to the
//! kind); `input.kind` when the input is none of the kinds (FORMAT_FAILURE).
//!
//! Owns: detection, the policy, the trust-list checks, the verdict.
//! Must not touch: files, network, clocks (the validation time is in [`Context`]), axum,
//! sqlx, tokio — callers read the input and the trust list and pass them in.

mod attestation;
mod cert;
mod detect;
mod license;
mod policy;
mod seal;
pub mod seal_revocations;
pub mod show;
pub mod status;
#[cfg(test)]
mod tests;
mod unusable;

pub use crate::pki::validate::PathCache as ChainCache;
pub use detect::detect;
pub use policy::Policy;
pub use seal_revocations::{accept_seal_revocations, HeldSealRevocations};
pub use show::OnlineAnswer;
pub use status::{
    accept_held_status_list, accept_status_list, status_uri, Freshness, HeldStatusList,
    StatusListRefusal, StatusLookup, StatusSource,
};
pub use unusable::without_trust_list;

use crate::pki::Province;
use crate::report::{Reason, Report, ReportBuilder, SubIndication};
use crate::seal::{SealRevocationList, SignedData};
use crate::trust_list::VerifiedTrustList;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// What an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An SD-JWT VC license, proof or presentation (compact text).
    SdJwt,
    /// A GB/T 38540 seal (SESeal, DER).
    Seal,
    /// A detached stamp (SES_Signature, DER) over a document.
    Stamp,
    /// An OFD document carrying stamps (zip).
    Ofd,
    /// An X.509 certificate (PEM or DER).
    Certificate,
    /// A show token (QR text: prefix, base45, zlib, COSE_Sign1).
    ShowToken,
}

impl Kind {
    /// Every kind, in the order detection tries them.
    pub const ALL: [Kind; 6] = [
        Kind::Ofd,
        Kind::ShowToken,
        Kind::SdJwt,
        Kind::Certificate,
        Kind::Seal,
        Kind::Stamp,
    ];

    /// The name a caller uses: `sd-jwt`, `seal`, `stamp`, `ofd`, `certificate`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SdJwt => "sd-jwt",
            Kind::Seal => "seal",
            Kind::Stamp => "stamp",
            Kind::Ofd => "ofd",
            Kind::Certificate => "certificate",
            Kind::ShowToken => "show-token",
        }
    }

    /// The kind a name means ([`Kind::name`]; `license` and `sdjwt` for SD-JWT too).
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "license" | "sdjwt" => Some(Kind::SdJwt),
            "qr" | "show" => Some(Kind::ShowToken),
            _ => Kind::ALL.into_iter().find(|k| k.name() == s),
        }
    }

    /// The report's object: `license`, `seal`, `stamp`, `ofd`, `certificate`.
    fn object(self) -> &'static str {
        match self {
            Kind::SdJwt => "license",
            other => other.name(),
        }
    }
}

/// What to verify.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The artifact.
    pub bytes: &'a [u8],
    /// For a detached stamp: the signed document, as bytes or as a digest the caller
    /// computed while streaming it.
    pub document: Option<SignedData<'a>>,
    /// The kind the caller names; `None`: detected from the bytes ([`detect`]).
    pub kind: Option<Kind>,
}

impl<'a> Input<'a> {
    /// An artifact whose kind is detected, without a document.
    pub fn new(bytes: &'a [u8]) -> Self {
        Input {
            bytes,
            document: None,
            kind: None,
        }
    }
}

/// What the verification relies on.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The accepted trust list (its province roots are the only anchors).
    pub trust: &'a VerifiedTrustList,
    /// The validation time.
    pub at: OffsetDateTime,
    /// The verifier's policy.
    pub policy: &'a Policy,
    /// CRLs (DER) for the chains.
    pub crls: &'a [Vec<u8>],
    /// Revoked seals, when known.
    pub revoked_seals: Option<&'a SealRevocationList>,
    /// Candidate intermediate CA certificates (DER).
    pub intermediates: &'a [Vec<u8>],
    /// The status lists held (`None`: license status is not checked, and the report
    /// says so).
    pub status: Option<&'a dyn StatusSource>,
    /// Checked certificate paths to reuse, held per trust-list digest (signatures and
    /// constraints; validity and CRLs are checked every time); `None`: every path is
    /// validated from scratch. Verdicts are the same either way.
    pub chains: Option<&'a ChainCache>,
    /// A proof that the artifact existed at a time (its issuance entry in an archive
    /// log, checked): an SD-JWT license's certificate chain is then validated at that
    /// time (past-signature validation, ETSI EN 319 102-1), so a certificate that
    /// expired since does not make it INDETERMINATE. Its own validity and status are
    /// still judged at `at`.
    pub poe: Option<Poe>,
}

/// A proof of existence (see [`Context::poe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poe {
    /// When the artifact existed.
    pub at: OffsetDateTime,
    /// The province whose log proves it.
    pub province: Province,
    /// The entry's index in that log.
    pub index: u64,
}

impl<'a> Context<'a> {
    /// Verify at `at` under `trust` and `policy`, without CRLs, seal revocations or
    /// intermediates.
    pub fn new(trust: &'a VerifiedTrustList, at: OffsetDateTime, policy: &'a Policy) -> Self {
        Context {
            trust,
            at,
            policy,
            crls: &[],
            revoked_seals: None,
            intermediates: &[],
            status: None,
            chains: None,
            poe: None,
        }
    }

    /// The trust list's province roots as anchors (built once per list when there is a
    /// chain cache).
    fn anchors(&self) -> std::sync::Arc<crate::pki::TrustAnchors> {
        match self.chains {
            Some(c) => c.anchors(&self.trust.digest, || self.trust.list.anchors()),
            None => std::sync::Arc::new(self.trust.list.anchors()),
        }
    }

    /// The chain cache scoped to this trust list, when there is one.
    fn chain_scope(&self) -> Option<crate::pki::validate::CacheScope<'a>> {
        self.chains.map(|cache| crate::pki::validate::CacheScope {
            cache,
            scope: &self.trust.digest,
        })
    }

    /// Validate a certificate path under the list's anchors, through the chain cache
    /// when there is one.
    fn validate_path(
        &self,
        leaf: &[u8],
        anchors: &crate::pki::TrustAnchors,
        policy: &crate::pki::validate::Policy<'_>,
    ) -> crate::pki::validate::Validation {
        match self.chain_scope() {
            Some(c) => c
                .cache
                .validate(c.scope, leaf, self.intermediates, anchors, policy),
            None => crate::pki::validate::validate(leaf, self.intermediates, anchors, policy),
        }
    }
}

/// A province as the trust list names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceInfo {
    /// `SH`, `JS`, `ZJ`, `AH`.
    pub code: Province,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// An issuing agency or seal authority as the trust list (or, when unlisted, its
/// certificate) names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyInfo {
    /// Its unified social credit code, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Whether the trust list lists it.
    pub listed: bool,
}

/// A license type, in the regional catalogue's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeInfo {
    /// The common type code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The province's own code the credential used, recognised as [`TypeInfo::code`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_code: Option<String>,
    /// The province that local code belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_province: Option<Province>,
}

/// The trust list a verdict was reached with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustListCited {
    /// Its sequence number.
    pub sequence: u64,
    /// SHA-256 of its JWS text, lowercase hex.
    pub digest: String,
}

/// The outcome: the report, and what a verifier shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The kind verified (`None` when it could not be told).
    pub kind: Option<Kind>,
    /// The issuing (or sealing) province, when known.
    pub province: Option<ProvinceInfo>,
    /// The issuing agency (SD-JWT) or seal authority (seals, stamps, OFD), when known.
    pub agency: Option<PartyInfo>,
    /// The license type (SD-JWT), when the catalogue knows it.
    pub license_type: Option<TypeInfo>,
    /// The disclosed claims whose digests checked (SD-JWT).
    pub claims: Map<String, Value>,
    /// The revocation data relied on (SD-JWT with a status list held): its URI, when it
    /// was produced and fetched, its age at the validation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Freshness>,
    /// A show token's own facts (show tokens only): mode, token id, expiry, the
    /// chosen claims, the holder's name and masked ID number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show: Option<Shown>,
    /// The trust list cited.
    pub trust_list: TrustListCited,
    /// Every check and the indication.
    pub report: Report,
    /// The issuing province's archive evidence of the artifact (SD-JWT licenses at a
    /// node; the engine leaves it to the caller, which fetches it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<crate::archive::evidence::Archived>,
}

/// What a verified show token says beside the claims, for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown {
    /// `online` or `offline`.
    pub mode: crate::show::Mode,
    /// The token id, hex.
    pub token_id: String,
    /// The license identifier the token names.
    pub license_id: String,
    /// When the token expires, Unix seconds.
    pub expires_at: i64,
    /// The audience the token names, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The claim names the holder chose (the verdict's `claims` are these only).
    pub chosen: Vec<String>,
    /// The holder's name, when it checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// The holder's ID number, masked ([`crate::show::mask_code`]), when it checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_code_masked: Option<String>,
}

impl Verdict {
    /// CLI exit code: 0 passed, 1 failed, 3 indeterminate.
    pub fn exit_code(&self) -> i32 {
        self.report.exit_code()
    }
}

/// What the parts fill in while the report is built.
#[derive(Debug, Default)]
struct Found {
    province: Option<ProvinceInfo>,
    agency: Option<PartyInfo>,
    license_type: Option<TypeInfo>,
    claims: Map<String, Value>,
    revocation: Option<Freshness>,
    shown: Option<Shown>,
}

/// Verify `input` under `ctx`. Never panics on hostile input: what cannot be read is a
/// FORMAT_FAILURE report.
pub fn verify(input: &Input<'_>, ctx: &Context<'_>) -> Verdict {
    run(input, None, ctx, None)
}

/// Verify a show token (QR text) under `ctx`; for an online token, `answer` is what the
/// license's issuing node said when asked to redeem it (`None`: not asked — the verdict
/// is INDETERMINATE).
pub fn verify_show(bytes: &[u8], ctx: &Context<'_>, answer: Option<&OnlineAnswer>) -> Verdict {
    let input = Input {
        bytes,
        document: None,
        kind: Some(Kind::ShowToken),
    };
    run(&input, None, ctx, answer)
}

/// Validate a certificate (PEM or DER) under the trust list, for `purpose` when given
/// (otherwise the purpose its role implies): the engine's certificate kind.
pub fn verify_certificate(
    bytes: &[u8],
    purpose: Option<crate::pki::validate::Purpose>,
    ctx: &Context<'_>,
) -> Verdict {
    let input = Input {
        bytes,
        document: None,
        kind: Some(Kind::Certificate),
    };
    run(&input, purpose, ctx, None)
}

fn run(
    input: &Input<'_>,
    purpose: Option<crate::pki::validate::Purpose>,
    ctx: &Context<'_>,
    answer: Option<&OnlineAnswer>,
) -> Verdict {
    let kind = input.kind.or_else(|| detect(input.bytes));
    let mut b = ReportBuilder::new(kind.map_or("unknown", Kind::object), ctx.at);
    cite(&mut b, ctx);
    let mut found = Found::default();
    match kind {
        Some(Kind::SdJwt) => license::verify(&mut b, &mut found, input.bytes, ctx),
        Some(Kind::Seal) => seal::verify_seal(&mut b, &mut found, input.bytes, ctx),
        Some(Kind::Stamp) => seal::verify_stamp(&mut b, &mut found, input, ctx),
        Some(Kind::Ofd) => seal::verify_ofd(&mut b, &mut found, input.bytes, ctx),
        Some(Kind::Certificate) => cert::verify(&mut b, &mut found, input.bytes, purpose, ctx),
        Some(Kind::ShowToken) => show::verify(&mut b, &mut found, input.bytes, ctx, answer),
        None => {
            b.fail(
                "input.kind",
                None,
                SubIndication::FormatFailure,
                Reason::new(
                    "无法识别：不是 SD-JWT 凭证、印章、签章、OFD 文档、证书或亮证码",
                    "not recognised: neither an SD-JWT VC, a seal, a stamp, an OFD document, a certificate nor a show token",
                ),
            );
        }
    }
    Verdict {
        kind,
        province: found.province,
        agency: found.agency,
        license_type: found.license_type,
        claims: found.claims,
        revocation: found.revocation,
        show: found.shown,
        trust_list: TrustListCited {
            sequence: ctx.trust.list.sequence,
            digest: ctx.trust.digest.clone(),
        },
        report: b.finish(),
        archive: None,
    }
}

/// `trust_list.cited`: the list every later check relies on.
fn cite(b: &mut ReportBuilder, ctx: &Context<'_>) {
    let t = ctx.trust;
    let seq = t.list.sequence;
    let short = t.digest.get(..16).unwrap_or(&t.digest);
    let subject = Some(format!("#{seq} sha256:{short}"));
    let age = (ctx.at - t.list.issued_at).whole_seconds();
    let too_old = ctx
        .policy
        .warn_trust_list_age_s
        .is_some_and(|max| age > i64::try_from(max).unwrap_or(i64::MAX));
    if too_old {
        let days = age / 86_400;
        b.warn(
            "trust_list.cited",
            subject,
            Reason::new(
                format!("依据信任列表 #{seq}，该列表已签发 {days} 天，超过验证策略的告警期限"),
                format!(
                    "verified under trust list #{seq}, issued {days} days ago: older than the policy's warning age"
                ),
            ),
        );
    } else if t.overdue {
        b.warn(
            "trust_list.cited",
            subject,
            Reason::new(
                format!("依据信任列表 #{seq}（已过下次更新时间，仍在宽限期内）"),
                format!(
                    "verified under trust list #{seq} (past its next update, within the grace)"
                ),
            ),
        );
    } else {
        b.pass(
            "trust_list.cited",
            subject,
            Reason::new(
                format!("依据信任列表 #{seq}（SHA-256 {short}…）"),
                format!("verified under trust list #{seq} (SHA-256 {short}…)"),
            ),
        );
    }
}

/// The province entry of the list, as a verdict names it.
fn province_info(t: &VerifiedTrustList, p: Province) -> ProvinceInfo {
    match t.list.province(p) {
        Some(e) => ProvinceInfo {
            code: p,
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
        },
        None => ProvinceInfo {
            code: p,
            name_zh: p.name_zh().to_string(),
            name_en: p.name_en().to_string(),
        },
    }
}

/// `policy.province`: whether the policy accepts the province that issued or sealed.
fn check_province(
    b: &mut ReportBuilder,
    ctx: &Context<'_>,
    subject: Option<String>,
    province: Option<Province>,
) {
    let code = "policy.province";
    match province {
        None => {
            b.indeterminate(
                code,
                subject,
                SubIndication::PolicyProcessingError,
                Reason::new(
                    "无法确定签发省份，不能适用省份策略",
                    "the issuing province is unknown: the province policy cannot be applied",
                ),
            );
        }
        Some(p) if ctx.policy.accepts_province(p) => {
            b.pass(
                code,
                subject,
                Reason::new(
                    format!("验证策略接受{}签发的对象", p.name_zh()),
                    format!("the policy accepts what {} issues", p.name_en()),
                ),
            );
        }
        Some(p) => {
            b.fail(
                code,
                subject,
                SubIndication::ChainConstraintsFailure,
                Reason::new(
                    format!("验证策略不接受{}签发的对象", p.name_zh()),
                    format!("the policy does not accept what {} issues", p.name_en()),
                ),
            );
        }
    }
}
