//! Verification of seals and stamps, in the order of GB/T 38540-2020 §8:
//! format; the stamp (TBS_Sign) signature; the signer certificate listed in the seal;
//! the seal signature; seal revocation; the seal authority's chain; the seal's validity
//! with the signing time inside it; the signer's chain and validity at signing time;
//! the document hash. Every check is recorded in a [`Report`]; a check that fails does
//! not stop the others.
//!
//! Entry points:
//! - [`verify_seal`]: a seal (`.esl`) alone, judged at `at`.
//! - [`verify_detached`]: a detached stamp (`.dat`) and the file it signs.
//! - [`verify_embedded`]: for OFD — an embedded `SignedValue.dat` and the exact bytes of
//!   its `Signature.xml` (TBS_Sign.dataHash must be the digest of those bytes, SM3 for
//!   SM2 stamps). The OFD verifier adds its own reference checks around it.
//! - [`verify_stamp`]: the general form, with the signed data as bytes or as a digest
//!   already computed (for large files streamed from disk).
//!
//! Trust anchors are explicit ([`SealTrust`]); with none, chain checks are INDETERMINATE
//! (NO_CERTIFICATE_CHAIN_FOUND), never PASSED.
//! Must not touch: files, clocks, network.

mod chain;
mod checks;

use super::{Seal, SealRevocationList, Stamp};
use crate::crypto::DigestAlgorithm;
use crate::pki::validate::Purpose;
use crate::pki::TrustAnchors;
use crate::report::{Reason, Report, ReportBuilder, SubIndication};
use time::OffsetDateTime;

/// What a verifier trusts: explicit root certificates (DER), candidate intermediates,
/// CRLs, and the list of revoked seals. Nothing is trusted by default.
#[derive(Debug, Clone, Copy)]
pub struct SealTrust<'a> {
    /// Trust anchors (for seal making and document stamping).
    pub anchors: &'a TrustAnchors,
    /// Candidate intermediate CA certificates (DER).
    pub intermediates: &'a [Vec<u8>],
    /// CRLs (DER) consulted by path validation.
    pub crls: &'a [Vec<u8>],
    /// Revoked seals, when known.
    pub revoked_seals: Option<&'a SealRevocationList>,
}

static NO_ANCHORS: TrustAnchors = TrustAnchors::none();

impl Default for SealTrust<'_> {
    fn default() -> Self {
        SealTrust {
            anchors: &NO_ANCHORS,
            intermediates: &[],
            crls: &[],
            revoked_seals: None,
        }
    }
}

impl<'a> SealTrust<'a> {
    /// Trust nothing: chains come out INDETERMINATE.
    pub fn none() -> Self {
        Self::default()
    }

    /// Trust these roots.
    pub fn anchors(anchors: &'a TrustAnchors) -> Self {
        SealTrust {
            anchors,
            ..Self::default()
        }
    }
}

/// The data a stamp signs.
#[derive(Debug, Clone, Copy)]
pub enum SignedData<'a> {
    /// The bytes themselves; they are hashed with the stamp's digest.
    Bytes(&'a [u8]),
    /// A digest computed by the caller, and its algorithm.
    Digest(DigestAlgorithm, &'a [u8]),
}

/// How far a signing time may lie after the validation time (clocks of two nodes).
const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

const SEAL_MAKER: (&str, &str) = ("制章人", "seal authority");
const SIGNER: (&str, &str) = ("签章人", "signer");

/// Verify a seal alone at `at`.
pub fn verify_seal(bytes: &[u8], trust: &SealTrust<'_>, at: OffsetDateTime) -> Report {
    let mut b = ReportBuilder::new("seal", at);
    let seal = match Seal::from_der(bytes) {
        Ok(s) => s,
        Err(e) => return format_failure(b, "seal.format", e),
    };
    seal_checks(
        &mut b,
        &seal,
        trust,
        at,
        ("验证时间", "the validation time"),
    );
    b.finish()
}

/// Verify a detached stamp over `document`.
pub fn verify_detached(
    stamp: &[u8],
    document: &[u8],
    trust: &SealTrust<'_>,
    at: OffsetDateTime,
) -> Report {
    verify_stamp(stamp, SignedData::Bytes(document), trust, at)
}

/// Verify an OFD `SignedValue.dat` against the bytes of its `Signature.xml`.
pub fn verify_embedded(
    signed_value: &[u8],
    signature_xml: &[u8],
    trust: &SealTrust<'_>,
    at: OffsetDateTime,
) -> Report {
    verify_stamp(signed_value, SignedData::Bytes(signature_xml), trust, at)
}

/// Verify a stamp over `data`.
pub fn verify_stamp(
    stamp: &[u8],
    data: SignedData<'_>,
    trust: &SealTrust<'_>,
    at: OffsetDateTime,
) -> Report {
    let mut b = ReportBuilder::new("stamp", at);
    let stamp = match Stamp::from_der(stamp) {
        Ok(s) => s,
        Err(e) => return format_failure(b, "stamp.format", e),
    };
    b.pass(
        "stamp.format",
        None,
        Reason::new(
            format!("签章结构正确（{}）", stamp.version),
            format!("stamp structure is well formed ({})", stamp.version),
        ),
    );
    let signer = checks::signature(
        &mut b,
        "stamp.signature",
        SIGNER,
        &stamp.signer_cert,
        &stamp.signature_algorithm,
        stamp.signed_bytes(),
        &stamp.signature,
    );
    if stamp
        .seal
        .info
        .property
        .cert_list
        .contains(&stamp.signer_cert)
    {
        b.pass(
            "stamp.signer_listed",
            signer.as_ref().map(|c| c.subject.clone()),
            Reason::new(
                "签章人证书在印章的证书列表中",
                "the signer certificate is listed in the seal",
            ),
        );
    } else {
        b.fail(
            "stamp.signer_listed",
            signer.as_ref().map(|c| c.subject.clone()),
            SubIndication::SigConstraintsFailure,
            Reason::new(
                "签章人证书不在印章的证书列表中，无权使用该印章",
                "the signer certificate is not listed in the seal: it may not stamp with it",
            ),
        );
    }
    let signing_time = match stamp.time_info {
        Some(t) if t > at + CLOCK_SKEW => {
            b.fail(
                "stamp.time",
                None,
                SubIndication::NotYetValid,
                Reason::new(
                    format!("签章时间 {} 晚于验证时间", checks::fmt_time(t)),
                    format!(
                        "the signing time {} is after the validation time",
                        checks::fmt_time(t)
                    ),
                ),
            );
            t
        }
        Some(t) => t,
        None => {
            b.indeterminate(
                "stamp.time",
                None,
                SubIndication::PolicyProcessingError,
                Reason::new(
                    "无法读取签章时间，按验证时间判断",
                    "the signing time cannot be read; validity is judged at the validation time",
                ),
            );
            at
        }
    };
    seal_checks(
        &mut b,
        &stamp.seal,
        trust,
        signing_time,
        ("签章时间", "the signing time"),
    );
    if let Some(cert) = &signer {
        checks::cert_validity(&mut b, "signer.validity", cert, signing_time, SIGNER);
    }
    chain::check_chain(
        &mut b,
        "signer",
        SIGNER,
        &stamp.signer_cert,
        Purpose::DocumentStamping,
        trust,
        signing_time,
    );
    data_hash(&mut b, &stamp, data);
    b.finish()
}

/// The checks of a seal, judged at `t` (the signing time inside a stamp).
fn seal_checks(
    b: &mut ReportBuilder,
    seal: &Seal,
    trust: &SealTrust<'_>,
    t: OffsetDateTime,
    what: (&str, &str),
) {
    checks::seal_format(b, seal);
    let maker = checks::signature(
        b,
        "seal.signature",
        SEAL_MAKER,
        &seal.maker_cert,
        &seal.signature_algorithm,
        seal.signed_bytes(),
        &seal.signature,
    );
    checks::seal_revocation(b, seal, trust.revoked_seals, t);
    if let Some(cert) = &maker {
        // At the signing time (or the validation time for a seal alone), as the chain is
        // judged: field seals carry a createDate that may precede the maker's certificate.
        checks::cert_validity(b, "seal_authority.validity", cert, t, SEAL_MAKER);
    }
    chain::check_chain(
        b,
        "seal_authority",
        SEAL_MAKER,
        &seal.maker_cert,
        Purpose::SealMaking,
        trust,
        t,
    );
    checks::seal_validity(b, seal, t, what);
}

fn data_hash(b: &mut ReportBuilder, stamp: &Stamp, data: SignedData<'_>) {
    let expected_alg = checks::data_hash_algorithm(&stamp.signature_algorithm);
    let subject = Some(stamp.property_info.clone()).filter(|s| !s.is_empty());
    let (alg, digest) = match data {
        SignedData::Bytes(bytes) => (expected_alg, expected_alg.digest(bytes)),
        SignedData::Digest(alg, d) => (alg, d.to_vec()),
    };
    if alg != expected_alg {
        b.fail(
            "stamp.data_hash",
            subject,
            SubIndication::HashFailure,
            Reason::new(
                format!(
                    "原文摘要算法应为 {}，给出的是 {}",
                    expected_alg.name(),
                    alg.name()
                ),
                format!(
                    "dataHash uses {}, a {} digest was given",
                    expected_alg.name(),
                    alg.name()
                ),
            ),
        );
    } else if digest == stamp.data_hash {
        b.pass(
            "stamp.data_hash",
            subject,
            Reason::new(
                format!("原文 {} 摘要与签章一致", alg.name()),
                format!(
                    "the {} digest of the signed data matches dataHash",
                    alg.name()
                ),
            ),
        );
    } else {
        b.fail(
            "stamp.data_hash",
            subject,
            SubIndication::HashFailure,
            Reason::new(
                format!(
                    "原文已被改动：{} 摘要与签章中的 dataHash 不一致",
                    alg.name()
                ),
                format!(
                    "the signed data has changed: its {} digest does not match dataHash",
                    alg.name()
                ),
            ),
        );
    }
}

fn format_failure(mut b: ReportBuilder, code: &str, e: super::SealError) -> Report {
    b.fail(
        code,
        None,
        SubIndication::FormatFailure,
        Reason::new(format!("格式错误：{e}"), format!("format error: {e}")),
    );
    b.finish()
}
