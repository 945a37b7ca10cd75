//! Making seals: a seal authority signs a GB/T 38540 v4 SESeal for an organisation or a
//! person, listing the certificates allowed to stamp with it.
//!
//! Algorithms: SM2 is the default everywhere (it is what Chinese seal software expects);
//! a P-256 seal authority makes P-256 seals, which verification flags with a
//! `seal.algorithm` warning.
//!
//! Versions of a seal (法人多级授权): a seal's esID is `<base>-<nn>`, `nn` the two-digit
//! version starting at `01`. Changing who may stamp ([`reissue`]) makes version `nn+1`
//! with the same name, type, picture and end of validity, and a [`SealRevocation`] that
//! marks the old esID superseded from that moment; the service stores it in its
//! [`super::SealRevocationList`], which verifiers consult.
//! Must not touch: files, clocks (the time is an argument), key storage (keys come as
//! [`Signer`]).

use super::asn1::{seal_complete_v4, seal_info_v4};
use super::asn1::{CertDigest, CertList, Header, Picture, PropertyInfo, SealInfo};
use super::cert::CertFacts;
use super::{RevocationReason, Seal, SealError, SealRevocation};
use crate::crypto::{Algorithm, DigestAlgorithm, SignatureEncoding, Signer};
use time::OffsetDateTime;

/// The vendor identifier written in SES_Header.Vid.
pub const VENDOR_ID: &str = "deltaseal";

/// Whose seal it is (SES_ESPropertyInfo.type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealType {
    /// 单位印章 — an organisation's seal (type 1).
    Organisation,
    /// 个人印章 — a person's seal (type 2).
    Personal,
}

impl SealType {
    /// The number written in the seal.
    pub fn code(self) -> i64 {
        match self {
            SealType::Organisation => 1,
            SealType::Personal => 2,
        }
    }
}

/// How the certList is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertListForm {
    /// certListType 1: the certificates themselves (default).
    #[default]
    Certificates,
    /// certListType 2: their SM3 digests.
    Sm3Digests,
}

/// What the seal authority is asked to make.
#[derive(Debug, Clone)]
pub struct SealRequest {
    /// The esID base; the version suffix `-01` is added.
    pub es_id_base: String,
    /// Organisation or personal seal.
    pub seal_type: SealType,
    /// The seal's name, e.g. `上海某某有限公司合同专用章`.
    pub name: String,
    /// DER certificates of those allowed to stamp.
    pub signers: Vec<Vec<u8>>,
    /// How the certList is written.
    pub cert_list_form: CertListForm,
    /// Start of validity.
    pub valid_start: OffsetDateTime,
    /// End of validity.
    pub valid_end: OffsetDateTime,
    /// The picture (see `super::picture`).
    pub picture: Picture,
}

/// The esID rule, the one every path that makes a seal follows (HTTP `POST /v1/seals`
/// and CLI `seal make` alike): a seal's esID is `<base>-01`, and later versions
/// `<base>-<nn>` (see [`reissue`]). The base is the one the caller gives (non-empty
/// ASCII, checked when the seal is prepared) or, when none is given, this default:
/// `<division code><YYYYMMDD><nnnnnn>` — the six-digit administrative division code of
/// the seal authority's province as its certificate names it (`000000` when it names
/// none), the creation date, and the last six decimal digits of `serial`, which callers
/// draw at random.
pub fn default_es_id_base(authority_cert: &[u8], created: OffsetDateTime, serial: u32) -> String {
    let division = crate::pki::CertInfo::from_der(authority_cert)
        .ok()
        .and_then(|i| i.province)
        .map(|p| p.division_code())
        .unwrap_or("000000");
    format!(
        "{division}{:04}{:02}{:02}{:06}",
        created.year(),
        u8::from(created.month()),
        created.day(),
        serial % 1_000_000
    )
}

/// `<base>-<nn>`.
pub fn versioned_es_id(base: &str, version: u32) -> String {
    format!("{base}-{version:02}")
}

/// Split an esID into its base and version; an esID without a version suffix is version 1.
pub fn split_es_id(es_id: &str) -> (&str, u32) {
    match es_id.rsplit_once('-') {
        Some((base, v)) if v.len() == 2 && v.bytes().all(|c| c.is_ascii_digit()) => {
            (base, v.parse().unwrap_or(1))
        }
        _ => (es_id, 1),
    }
}

fn cert_list(signers: &[Vec<u8>], form: CertListForm) -> Result<CertList, SealError> {
    if signers.is_empty() {
        return Err(SealError::InvalidRequest(
            "a seal must list at least one signer",
        ));
    }
    for s in signers {
        CertFacts::parse(s)?;
    }
    Ok(match form {
        CertListForm::Certificates => CertList::Certificates(signers.to_vec()),
        CertListForm::Sm3Digests => CertList::Digests(
            signers
                .iter()
                .map(|c| CertDigest {
                    algorithm: "SM3".into(),
                    value: DigestAlgorithm::Sm3.digest(c),
                })
                .collect(),
        ),
    })
}

/// A seal prepared but not yet signed.
#[derive(Debug, Clone)]
pub struct SealDraft {
    info_der: Vec<u8>,
    maker_cert: Vec<u8>,
    algorithm: Algorithm,
}

impl SealDraft {
    /// DER(SES_SealInfo): the bytes the seal authority signs.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.info_der
    }

    /// Finish with the seal authority's signature (DER or raw `r||s`).
    pub fn complete(self, signature: &[u8]) -> Result<Seal, SealError> {
        seal_complete_v4(
            &self.info_der,
            &self.maker_cert,
            self.algorithm.signature_oid(),
            signature,
        )
    }
}

fn prepare(
    es_id: String,
    req: &SealRequest,
    authority_cert: &[u8],
    now: OffsetDateTime,
) -> Result<SealDraft, SealError> {
    let maker = CertFacts::parse(authority_cert)?;
    if req.valid_start >= req.valid_end {
        return Err(SealError::InvalidRequest(
            "validity must start before it ends",
        ));
    }
    if req.name.trim().is_empty() {
        return Err(SealError::InvalidRequest("the seal needs a name"));
    }
    if !es_id.is_ascii() || es_id.is_empty() {
        return Err(SealError::InvalidRequest("esID must be non-empty ASCII"));
    }
    let info = SealInfo {
        header: Header {
            id: "ES".into(),
            version: 4,
            vid: VENDOR_ID.into(),
        },
        es_id,
        property: PropertyInfo {
            seal_type: req.seal_type.code(),
            name: req.name.clone(),
            cert_list: cert_list(&req.signers, req.cert_list_form)?,
            create_date: now,
            valid_start: req.valid_start,
            valid_end: req.valid_end,
        },
        picture: req.picture.clone(),
        ext_datas: Vec::new(),
    };
    Ok(SealDraft {
        info_der: seal_info_v4(&info)?,
        maker_cert: authority_cert.to_vec(),
        algorithm: maker.algorithm(),
    })
}

/// Prepare version 01 of a seal.
pub fn prepare_seal(
    req: &SealRequest,
    authority_cert: &[u8],
    now: OffsetDateTime,
) -> Result<SealDraft, SealError> {
    prepare(
        versioned_es_id(&req.es_id_base, 1),
        req,
        authority_cert,
        now,
    )
}

fn sign(
    draft: SealDraft,
    authority: &dyn Signer,
    authority_cert: &[u8],
) -> Result<Seal, SealError> {
    if &CertFacts::parse(authority_cert)?.public_key != authority.public_key() {
        return Err(SealError::InvalidRequest(
            "the seal authority's key does not match its certificate",
        ));
    }
    let sig = authority.sign(draft.to_be_signed(), SignatureEncoding::Der)?;
    draft.complete(&sig)
}

/// Make version 01 of a seal, signed by the seal authority.
pub fn make_seal(
    req: &SealRequest,
    authority: &dyn Signer,
    authority_cert: &[u8],
    now: OffsetDateTime,
) -> Result<Seal, SealError> {
    sign(
        prepare_seal(req, authority_cert, now)?,
        authority,
        authority_cert,
    )
}

/// Change who may stamp: make the next version of `old` listing `signers`, valid from
/// `now` to the old end, and the revocation that supersedes `old` from `now`.
pub fn reissue(
    old: &Seal,
    signers: Vec<Vec<u8>>,
    authority: &dyn Signer,
    authority_cert: &[u8],
    now: OffsetDateTime,
) -> Result<(Seal, SealRevocation), SealError> {
    let (base, version) = split_es_id(old.es_id());
    let p = &old.info.property;
    if now >= p.valid_end {
        return Err(SealError::InvalidRequest("the seal has already expired"));
    }
    let req = SealRequest {
        es_id_base: base.to_string(),
        seal_type: if p.seal_type == 2 {
            SealType::Personal
        } else {
            SealType::Organisation
        },
        name: p.name.clone(),
        signers,
        cert_list_form: match p.cert_list {
            CertList::Certificates(_) => CertListForm::Certificates,
            CertList::Digests(_) => CertListForm::Sm3Digests,
        },
        valid_start: now,
        valid_end: p.valid_end,
        picture: old.info.picture.clone(),
    };
    let new_id = versioned_es_id(base, version + 1);
    let draft = prepare(new_id.clone(), &req, authority_cert, now)?;
    let seal = sign(draft, authority, authority_cert)?;
    let revocation = SealRevocation {
        es_id: old.es_id().to_string(),
        revoked_at: now,
        reason: RevocationReason::Superseded { by: new_id },
    };
    Ok((seal, revocation))
}
