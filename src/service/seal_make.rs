//! Making a seal and changing who may stamp with it (the next version), once for
//! every caller: the CLI writes the result to files, the HTTP adapter stores it.
//!
//! esIDs follow the seal domain's one rule ([`default_es_id_base`]): `<base>-01`, the
//! base given by the caller or `<division code><YYYYMMDD><6 random digits>`.

use super::blocking::Blocking;
use super::store::{SealRecord, SealStore, StoreError};
use super::ServiceError;
use crate::crypto::Signer;
use crate::seal::make::{default_es_id_base, make_seal, CertListForm, SealRequest, SealType};
use crate::seal::picture::{png_picture, svg_picture, PictureSpec};
use crate::seal::{Seal, SealRevocation};
use std::sync::Arc;
use time::OffsetDateTime;

/// How the seal's picture is embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureFormat {
    /// PNG rendered at `dpi`.
    Png {
        /// resolution
        dpi: u32,
    },
    /// The SVG itself.
    Svg,
}

/// What a seal authority is asked to make.
#[derive(Debug, Clone)]
pub struct SealOrder {
    /// The seal's name, e.g. `上海某某有限公司合同专用章`.
    pub name: String,
    /// The organisation (or person) drawn along the arc.
    pub organisation: String,
    /// Text below the star (seal code or purpose); may be empty.
    pub code: String,
    /// Organisation or personal seal.
    pub seal_type: SealType,
    /// DER certificates of those allowed to stamp.
    pub signers: Vec<Vec<u8>>,
    /// How the certList is written.
    pub cert_list_form: CertListForm,
    /// Start of validity.
    pub valid_start: OffsetDateTime,
    /// End of validity; `None`: [`DEFAULT_VALIDITY`] after the start, clamped to the
    /// certificates (see [`validity_end`]).
    pub valid_end: Option<OffsetDateTime>,
    /// esID base; `None` applies [`default_es_id_base`].
    pub es_id_base: Option<String>,
    /// Picture diameter, mm.
    pub diameter_mm: u32,
    /// Picture format.
    pub picture: PictureFormat,
}

/// A party whose key this node holds (seal authority or organisation signer).
#[derive(Clone)]
pub struct Signatory {
    /// Its manifest id.
    pub id: String,
    /// Its key.
    pub signer: Arc<dyn Signer>,
    /// Its certificate (DER).
    pub cert: Vec<u8>,
}

impl std::fmt::Debug for Signatory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signatory").field("id", &self.id).finish()
    }
}

/// A seal just made, and its picture as SVG.
#[derive(Debug, Clone)]
pub struct MadeSeal {
    /// The seal (version 01).
    pub seal: Seal,
    /// The picture as SVG text.
    pub svg: String,
}

/// Make version 01 of a seal signed by `authority` (CPU work: run it off the reactor).
pub fn make(
    order: SealOrder,
    authority: &dyn Signer,
    authority_cert: &[u8],
    now: OffsetDateTime,
) -> Result<MadeSeal, ServiceError> {
    let spec = PictureSpec {
        organisation: order.organisation,
        code: order.code,
        diameter_mm: order.diameter_mm,
    };
    let svg = svg_picture(&spec)?;
    let picture = match order.picture {
        PictureFormat::Png { dpi } => png_picture(&spec, dpi)?,
        PictureFormat::Svg => svg.clone(),
    };
    let valid_end = validity_end(
        order.valid_start,
        order.valid_end,
        authority_cert,
        &order.signers,
    )?;
    let es_id_base = order
        .es_id_base
        .unwrap_or_else(|| default_es_id_base(authority_cert, now, rand::random()));
    let request = SealRequest {
        es_id_base,
        seal_type: order.seal_type,
        name: order.name,
        signers: order.signers,
        cert_list_form: order.cert_list_form,
        valid_start: order.valid_start,
        valid_end,
        picture,
    };
    let seal = make_seal(&request, authority, authority_cert, now)?;
    Ok(MadeSeal {
        seal,
        svg: String::from_utf8_lossy(&svg.data).into_owned(),
    })
}

/// How long a seal lasts when no end is asked for.
pub const DEFAULT_VALIDITY: time::Duration = time::Duration::days(3 * 365);

/// The one rule for a seal's end of validity: a seal must not outlive the certificate
/// of the authority that signs it, nor every certificate allowed to stamp with it. An
/// end asked for beyond that is refused with the date it may have; with none asked
/// for, [`DEFAULT_VALIDITY`] after the start, clamped to that date.
pub fn validity_end(
    start: OffsetDateTime,
    asked: Option<OffsetDateTime>,
    authority_cert: &[u8],
    signers: &[Vec<u8>],
) -> Result<OffsetDateTime, ServiceError> {
    let authority = crate::seal::cert::CertFacts::parse(authority_cert)?.not_after;
    let latest_signer = signers
        .iter()
        .filter_map(|d| crate::seal::cert::CertFacts::parse(d).ok())
        .map(|c| c.not_after)
        .max();
    let limit = latest_signer.map_or(authority, |s| s.min(authority));
    let rfc = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    match asked {
        Some(end) if end > limit => Err(ServiceError::InvalidRequest(format!(
            "the seal would outlive its certificates: valid_to {} is after {}, the last day \
             the seal authority's and the signers' certificates allow",
            rfc(end),
            rfc(limit)
        ))),
        Some(end) => Ok(end),
        None => Ok((start + DEFAULT_VALIDITY).min(limit)),
    }
}

/// The next version of `old` listing `signers`, and the revocation superseding `old`.
pub fn reissue(
    old: &Seal,
    signers: Vec<Vec<u8>>,
    authority: &dyn Signer,
    authority_cert: &[u8],
    now: OffsetDateTime,
) -> Result<(Seal, SealRevocation), ServiceError> {
    Ok(crate::seal::make::reissue(
        old,
        signers,
        authority,
        authority_cert,
        now,
    )?)
}

/// The row for a seal made by `authority_id`.
pub fn record(seal: &Seal, authority_id: &str, svg: String, now: OffsetDateTime) -> SealRecord {
    let p = &seal.info.property;
    SealRecord {
        es_id: seal.es_id().to_string(),
        authority_id: authority_id.to_string(),
        name: p.name.clone(),
        esl: seal.der().to_vec(),
        picture_svg: svg,
        valid_from: p.valid_start.unix_timestamp(),
        valid_to: p.valid_end.unix_timestamp(),
        superseded_by: None,
        created_at: now.unix_timestamp(),
    }
}

/// Read a stored seal.
pub(crate) fn stored_seal(rec: &SealRecord) -> Result<Seal, ServiceError> {
    Seal::from_der(&rec.esl)
        .map_err(|e| ServiceError::Internal(format!("stored seal {}: {e}", rec.es_id)))
}

/// [`make`] as a job for [`Blocking::run`] (a closure that borrows nothing).
fn make_job(
    order: SealOrder,
    authority: &Signatory,
    now: OffsetDateTime,
) -> impl FnOnce() -> Result<MadeSeal, ServiceError> + Send + 'static {
    let (signer, cert) = (authority.signer.clone(), authority.cert.clone());
    move || make(order, signer.as_ref(), &cert, now)
}

/// [`reissue`] as a job for [`Blocking::run`].
fn reissue_job(
    old: Seal,
    signers: Vec<Vec<u8>>,
    authority: &Signatory,
    now: OffsetDateTime,
) -> impl FnOnce() -> Result<(Seal, SealRevocation), ServiceError> + Send + 'static {
    let (signer, cert) = (authority.signer.clone(), authority.cert.clone());
    move || reissue(&old, signers, signer.as_ref(), &cert, now)
}

/// Make a seal ([`make`], through `run`) and store it.
pub async fn create_seal<S: SealStore, B: Blocking>(
    store: &S,
    run: &B,
    order: SealOrder,
    authority: &Signatory,
    now: OffsetDateTime,
) -> Result<SealRecord, ServiceError> {
    let made = run.run(make_job(order, authority, now)).await??;
    let rec = record(&made.seal, &authority.id, made.svg, now);
    store.insert_seal(&rec).await.map_err(|e| match e {
        StoreError::Duplicate => {
            ServiceError::IllegalTransition(format!("seal {} already exists", rec.es_id))
        }
        other => other.into(),
    })?;
    Ok(rec)
}

/// Change who may stamp with the stored seal `es_id` of `authority`: store the next
/// version ([`reissue`], through `run`) and mark the old one superseded.
pub async fn change_signers<S: SealStore, B: Blocking>(
    store: &S,
    run: &B,
    es_id: &str,
    signers: Vec<Vec<u8>>,
    authority: &Signatory,
    now: OffsetDateTime,
) -> Result<SealRecord, ServiceError> {
    let old = store.seal(es_id).await?;
    if old.authority_id != authority.id {
        return Err(ServiceError::NotOwner);
    }
    if let Some(by) = &old.superseded_by {
        return Err(ServiceError::IllegalTransition(format!(
            "seal {es_id} was superseded by {by}"
        )));
    }
    let old_seal = stored_seal(&old)?;
    let (seal, _revocation) = run
        .run(reissue_job(old_seal, signers, authority, now))
        .await??;
    let rec = record(&seal, &authority.id, old.picture_svg.clone(), now);
    store
        .supersede_seal(es_id, &rec)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ServiceError::IllegalTransition(format!("seal {es_id} was superseded meanwhile"))
            }
            other => other.into(),
        })?;
    Ok(rec)
}
