//! Verifying a stamped or signed OFD document into one [`Report`].
//!
//! Owns: walking every signature of every document body, checking every `Reference`
//! against the file it names (streamed digest, no copy), the multi-stamp policy for the
//! signature list file, plain digital signatures (`Type="Sign"`), and handing
//! `SignedValue.dat` of seal stamps to the seal module's stamp verification.
//! Must not touch: SES_Signature / SES_Seal internals (the seal module checks those),
//! files, clocks.
//!
//! # Multi-stamp policy
//!
//! A later stamp must add itself to the document's `Signatures.xml`, so the bytes of
//! that list change after an earlier stamp referenced them. A mismatching reference to
//! the document's own signature list file is therefore reported as a WARNING (naming the
//! file) when, and only when, at least one signature is listed after the one being
//! checked. Any other mismatching file — or the list file when no later signature
//! exists — is FAILED with HASH_FAILURE naming the file.

use std::collections::HashMap;

use base64::Engine;
use time::OffsetDateTime;

use crate::crypto::{Algorithm, DigestAlgorithm, PublicKey};
use crate::pki::TrustAnchors;
use crate::report::{Reason, Report, ReportBuilder, SubIndication};

use super::container::{display_path, Limits, OfdPackage};
use super::error::OfdError;
use super::model::{self, SignatureEntry, SignatureFile, SignatureKind};
use super::ses;

/// What a verification is allowed to rely on.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The validation time.
    pub at: OffsetDateTime,
    /// Trust anchors for seal makers and stamp signers.
    pub trust_anchors: TrustAnchors,
    /// Candidate intermediate CA certificates (DER) for path building.
    pub intermediates: Vec<Vec<u8>>,
    /// Certificates (DER) of plain-signature (`Type="Sign"`) signers. Such a signature
    /// carries no certificate, so the verifier names the signer explicitly; a signature
    /// verifying under one of these is accepted as made by that pinned signer.
    pub signer_certs: Vec<Vec<u8>>,
    /// CRLs (DER) for the seal makers' and stamp signers' chains.
    pub crls: Vec<Vec<u8>>,
    /// Revoked seals, when known: a stamp made with one of them is REVOKED.
    pub revoked_seals: Option<crate::seal::SealRevocationList>,
    /// Container and XML limits.
    pub limits: Limits,
}

impl VerifyOptions {
    /// Options with no trust anchors, no signer certificates and default limits.
    pub fn new(at: OffsetDateTime) -> Self {
        VerifyOptions {
            at,
            trust_anchors: TrustAnchors::none(),
            intermediates: Vec::new(),
            signer_certs: Vec::new(),
            crls: Vec::new(),
            revoked_seals: None,
            limits: Limits::default(),
        }
    }
}

/// Read and verify an `.ofd` file. Container and XML errors of the package as a whole
/// are returned as errors; everything about the signatures goes into the report.
pub fn verify_ofd(bytes: &[u8], opts: &VerifyOptions) -> Result<Report, OfdError> {
    let pkg = OfdPackage::read(bytes, opts.limits)?;
    verify_package(&pkg, opts)
}

/// Verify every signature of a package that is already read.
pub fn verify_package(pkg: &OfdPackage, opts: &VerifyOptions) -> Result<Report, OfdError> {
    let mut b = ReportBuilder::new("ofd", opts.at);
    b.pass(
        "ofd.container",
        None,
        Reason::new(
            format!(
                "OFD 包可安全读取（{} 个条目，均在限制内）",
                pkg.entries().len()
            ),
            format!(
                "OFD package read safely ({} entries, all within limits)",
                pkg.entries().len()
            ),
        ),
    );
    let bodies = model::doc_bodies(pkg)?;
    let mut found = 0usize;
    let mut cache = DigestCache::new();
    for body in &bodies {
        let Some(list_name) = &body.signatures else {
            continue;
        };
        let (entries, _) = model::signature_list(pkg, list_name)?;
        if entries.len() > opts.limits.max_signatures {
            return Err(OfdError::TooManySignatures {
                count: entries.len(),
                max: opts.limits.max_signatures,
            });
        }
        let pages: Vec<model::Page> = model::pages(pkg, &body.doc_root).unwrap_or_default();
        for (i, entry) in entries.iter().enumerate() {
            found += 1;
            let later_exists = i + 1 < entries.len();
            let ctx = Context {
                list_name,
                later_exists,
                pages: &pages,
            };
            verify_signature(pkg, opts, entry, &ctx, &mut cache, &mut b);
        }
    }
    if found == 0 {
        b.fail(
            "ofd.signatures",
            None,
            SubIndication::SignedDataNotFound,
            Reason::new("文档未签章", "the document carries no signature or stamp"),
        );
    }
    Ok(b.finish())
}

/// The label of a signature in check codes: its folder name (`Sign_0`), else its ID.
fn label(entry: &SignatureEntry) -> String {
    entry
        .base_loc
        .rsplit('/')
        .nth(1)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| entry.id.clone())
}

/// Where a signature sits in its document.
struct Context<'a> {
    /// Canonical name of the document's signature list.
    list_name: &'a str,
    /// Whether a signature is listed after this one.
    later_exists: bool,
    /// The document's pages.
    pages: &'a [model::Page],
}

/// Digests already computed, so a file referenced many times (by one hostile signature
/// or by several signatures) is hashed once per algorithm.
type DigestCache = HashMap<(String, DigestAlgorithm), Vec<u8>>;

fn verify_signature(
    pkg: &OfdPackage,
    opts: &VerifyOptions,
    entry: &SignatureEntry,
    ctx: &Context<'_>,
    cache: &mut DigestCache,
    b: &mut ReportBuilder,
) {
    let tag = label(entry);
    let code = |c: &str| format!("sign[{tag}].{c}");
    let sig_path = display_path(&entry.base_loc);
    let sig = match model::signature_file(pkg, &entry.base_loc) {
        Ok(s) => s,
        Err(e) => {
            let sub = match e {
                OfdError::MissingFile { .. } => SubIndication::SignedDataNotFound,
                _ => SubIndication::FormatFailure,
            };
            b.fail(
                &code("format"),
                Some(sig_path),
                sub,
                Reason::new(format!("签名描述文件无法读取：{e}"), e.to_string()),
            );
            return;
        }
    };
    b.pass(
        &code("format"),
        Some(sig_path.clone()),
        Reason::new(
            format!(
                "签名描述文件可读（{}，{} 个引用）",
                kind_name(entry.kind),
                sig.references.len()
            ),
            format!(
                "Signature.xml read ({}, {} references, provider {})",
                kind_name(entry.kind),
                sig.references.len(),
                sig.provider.as_deref().unwrap_or("unknown")
            ),
        ),
    );
    check_references(pkg, &sig, &entry.base_loc, ctx, &code, cache, b);
    for a in &sig.stamp_annots {
        let page = ctx.pages.iter().find(|p| p.id == a.page_ref);
        let size = page.and_then(|p| model::page_size(pkg, p));
        if page.is_some() && !super::placement::shows_on_page(size, a.boundary) {
            let (w, h) = size.unwrap_or_default();
            b.fail(
                &code("stamp_annot"),
                Some(format!("page {}", a.page_ref)),
                SubIndication::FormatFailure,
                Reason::new(
                    format!(
                        "签章外观 {:?} 完全在页面 {}（{w}×{h} 毫米）之外，阅读器不会显示",
                        a.boundary, a.page_ref
                    ),
                    format!(
                        "the stamp appearance {:?} lies wholly outside page {} ({w} x {h} mm): readers will not show it",
                        a.boundary, a.page_ref
                    ),
                ),
            );
        } else if page.is_some() {
            b.pass(
                &code("stamp_annot"),
                Some(format!("page {}", a.page_ref)),
                Reason::new(
                    format!("签章外观位于页面 {}", a.page_ref),
                    format!("the stamp appearance is on page {}", a.page_ref),
                ),
            );
        } else {
            b.warn(
                &code("stamp_annot"),
                Some(format!("page {}", a.page_ref)),
                Reason::new(
                    format!("签章外观指向不存在的页面 {}，阅读器不会显示", a.page_ref),
                    format!(
                        "the stamp appearance refers to page {}, which the document does not have: readers will not show it",
                        a.page_ref
                    ),
                ),
            );
        }
    }
    let signature_xml = pkg.file(&entry.base_loc).unwrap_or_default();
    let signed_value = match pkg.file(&sig.signed_value) {
        Ok(v) => v,
        Err(e) => {
            b.fail(
                &code("signed_value"),
                Some(display_path(&sig.signed_value)),
                SubIndication::SignedDataNotFound,
                Reason::new(format!("签名值文件缺失：{e}"), e.to_string()),
            );
            return;
        }
    };
    match entry.kind {
        SignatureKind::Seal => {
            let seal_file = sig.seal.as_deref().map(|s| (s, pkg.file(s)));
            ses::verify_seal_stamp(
                &tag,
                signed_value,
                &sig.signed_value,
                signature_xml,
                &entry.base_loc,
                seal_file,
                opts,
                b,
            );
        }
        SignatureKind::Sign => {
            verify_plain_signature(&sig, signed_value, signature_xml, opts, &code, b)
        }
    }
}

fn kind_name(k: SignatureKind) -> &'static str {
    match k {
        SignatureKind::Seal => "Seal",
        SignatureKind::Sign => "Sign",
    }
}

fn check_references(
    pkg: &OfdPackage,
    sig: &SignatureFile,
    sig_name: &str,
    ctx: &Context<'_>,
    code: &dyn Fn(&str) -> String,
    cache: &mut DigestCache,
    b: &mut ReportBuilder,
) {
    let method = sig.check_method.as_deref().unwrap_or("");
    let Some(alg) = DigestAlgorithm::from_name_or_oid(method) else {
        b.fail(
            &code("check_method"),
            Some(display_path(sig_name)),
            SubIndication::CryptoConstraintsFailure,
            Reason::new(
                format!("不支持的摘要算法 CheckMethod={method:?}"),
                format!("unsupported reference digest CheckMethod={method:?}"),
            ),
        );
        return;
    };
    if sig.references.is_empty() {
        b.fail(
            &code("reference"),
            Some(display_path(sig_name)),
            SubIndication::FormatFailure,
            Reason::new("签名未引用任何文件", "the signature references no file"),
        );
        return;
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    for r in &sig.references {
        let resolved = model::locate(pkg, sig_name, &r.file_ref);
        let subject = match &resolved {
            Ok(n) => display_path(n),
            Err(_) => r.file_ref.clone(),
        };
        let (name, data) = match resolved.and_then(|n| pkg.file(&n).map(|d| (n, d))) {
            Ok(found) => found,
            Err(e) => {
                b.fail(
                    &code("reference"),
                    Some(subject),
                    SubIndication::SignedDataNotFound,
                    Reason::new(format!("被引用文件不可用：{e}"), e.to_string()),
                );
                continue;
            }
        };
        let Some(expected) = &r.check_value else {
            b.fail(
                &code("reference"),
                Some(subject),
                SubIndication::FormatFailure,
                Reason::new(
                    "CheckValue 缺失或不是 base64",
                    "CheckValue missing or not base64",
                ),
            );
            continue;
        };
        let actual = cache
            .entry((name, alg))
            .or_insert_with(|| alg.digest(data))
            .clone();
        if actual == *expected {
            b.pass(
                &code("reference"),
                Some(subject),
                Reason::new(
                    format!("{} 摘要一致", alg.name()),
                    format!("{} digest matches", alg.name()),
                ),
            );
        } else if ctx.later_exists && subject == display_path(ctx.list_name) {
            b.warn(
                &code("reference"),
                Some(subject.clone()),
                Reason::new(
                    format!(
                        "签名列表文件 {subject} 已变化：其后追加了签章（多重签章策略：仅该列表文件允许被后续签章改写，按警告处理）"
                    ),
                    format!(
                        "signature list {subject} changed since this signature: a later signature was added to it (multi-stamp policy: only the signature list file may be rewritten by a later stamp; reported as a warning, not a failure); expected {}, found {}",
                        b64.encode(expected),
                        b64.encode(&actual)
                    ),
                ),
            );
        } else {
            b.fail(
                &code("reference"),
                Some(subject.clone()),
                SubIndication::HashFailure,
                Reason::new(
                    format!("文件 {subject} 已被修改（{} 摘要不一致）", alg.name()),
                    format!(
                        "file {subject} was changed: {} digest {} does not match CheckValue {}",
                        alg.name(),
                        b64.encode(&actual),
                        b64.encode(expected)
                    ),
                ),
            );
        }
    }
}

fn verify_plain_signature(
    sig: &SignatureFile,
    signed_value: &[u8],
    signature_xml: &[u8],
    opts: &VerifyOptions,
    code: &dyn Fn(&str) -> String,
    b: &mut ReportBuilder,
) {
    let method = sig.method.as_deref().unwrap_or("");
    let alg = const_oid::ObjectIdentifier::new(method)
        .ok()
        .and_then(|o| Algorithm::from_signature_oid(&o))
        .or_else(|| Algorithm::from_name(method));
    let Some(alg) = alg else {
        b.fail(
            &code("signature"),
            None,
            SubIndication::CryptoConstraintsFailure,
            Reason::new(
                format!("不支持的签名算法 {method:?}"),
                format!("unsupported SignatureMethod {method:?}"),
            ),
        );
        return;
    };
    let keys: Vec<(usize, PublicKey)> = opts
        .signer_certs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| cert_public_key(c).map(|k| (i, k)))
        .filter(|(_, k)| k.algorithm() == alg)
        .collect();
    if keys.is_empty() {
        b.indeterminate(
            &code("signature"),
            None,
            SubIndication::NoSignerCertificateFound,
            Reason::new(
                "数字签名（Type=Sign）不含证书：请提供签名者证书",
                "a plain digital signature (Type=Sign) carries no certificate: give the signer's certificate to check it",
            ),
        );
        return;
    }
    match keys
        .iter()
        .find(|(_, k)| k.verify(signature_xml, signed_value).is_ok())
    {
        Some((i, _)) => {
            b.pass(
                &code("signature"),
                Some(format!("signer certificate #{}", i + 1)),
                Reason::new(
                    format!("{} 签名值验证通过（签名者证书由验证方指定）", alg.name()),
                    format!(
                        "{} signature over Signature.xml verifies under the signer certificate given by the verifier",
                        alg.name()
                    ),
                ),
            );
        }
        None => {
            b.fail(
                &code("signature"),
                None,
                SubIndication::SigCryptoFailure,
                Reason::new(
                    "签名值验证失败（Signature.xml 或 SignedValue.dat 已被修改，或签名者不符）",
                    "the signature over Signature.xml does not verify under any given signer certificate (Signature.xml or SignedValue.dat changed, or another signer)",
                ),
            );
        }
    }
}

/// The public key of a DER certificate, when it is a P-256 or SM2 key.
fn cert_public_key(cert_der: &[u8]) -> Option<PublicKey> {
    use der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    PublicKey::from_spki_der(&spki).ok()
}
