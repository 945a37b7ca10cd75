//! Detached stamps: a GB/T 38540 SES_Signature (v4) over the digest of any file.
//!
//! The signer is an organisation signer reached through [`Signer`]; its certificate must
//! be listed in the seal, and the signing time must fall within the seal's validity.
//! The digest is SM3 for SM2 signers and SHA-256 for P-256 signers. Signing is split
//! ([`prepare_stamp`] → [`StampDraft::complete`]) so a remote signer fits; [`stamp_digest`]
//! does both. The OFD stamper calls [`stamp_digest`] with the SM3 of its Signature.xml.
//! Must not touch: files (callers hash large files with [`stamp_reader`] or pass bytes).

use super::asn1::{stamp_complete_v4, tbs_sign_v4};
use super::cert::CertFacts;
use super::{Seal, SealError, Stamp};
use crate::crypto::{DigestAlgorithm, SignatureEncoding, Signer};
use time::OffsetDateTime;

/// A stamp prepared but not yet signed.
#[derive(Debug, Clone)]
pub struct StampDraft {
    tbs: Vec<u8>,
    signer_cert: Vec<u8>,
    algorithm: crate::crypto::Algorithm,
}

impl StampDraft {
    /// DER(TBS_Sign): the bytes to sign.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.tbs
    }

    /// Finish with a signature over [`StampDraft::to_be_signed`] (DER or raw `r||s`).
    pub fn complete(self, signature: &[u8]) -> Result<Stamp, SealError> {
        stamp_complete_v4(
            &self.tbs,
            &self.signer_cert,
            self.algorithm.signature_oid(),
            signature,
        )
    }
}

/// The digest a stamp by `signer_cert`'s key uses for dataHash.
pub fn data_hash_algorithm(signer_cert: &[u8]) -> Result<DigestAlgorithm, SealError> {
    Ok(CertFacts::parse(signer_cert)?.algorithm().digest())
}

/// Prepare a stamp over a digest already computed with [`data_hash_algorithm`].
pub fn prepare_stamp(
    seal: &Seal,
    signer_cert: &[u8],
    data_hash: &[u8],
    property_info: &str,
    at: OffsetDateTime,
) -> Result<StampDraft, SealError> {
    let cert = CertFacts::parse(signer_cert)?;
    if !seal.info.property.cert_list.contains(signer_cert) {
        return Err(SealError::SignerNotListed);
    }
    let p = &seal.info.property;
    if at < p.valid_start || at > p.valid_end {
        return Err(SealError::SealNotValidAt);
    }
    if !cert.valid_at(at) {
        return Err(SealError::InvalidRequest(
            "the signer certificate is not valid at the signing time",
        ));
    }
    if data_hash.len() != cert.algorithm().digest().output_len() {
        return Err(SealError::InvalidRequest("dataHash has the wrong length"));
    }
    Ok(StampDraft {
        tbs: tbs_sign_v4(seal, at, data_hash, property_info)?,
        signer_cert: signer_cert.to_vec(),
        algorithm: cert.algorithm(),
    })
}

/// Stamp a digest: prepare, sign with `signer` (DER signature), complete.
pub fn stamp_digest(
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    data_hash: &[u8],
    property_info: &str,
    at: OffsetDateTime,
) -> Result<Stamp, SealError> {
    let cert = CertFacts::parse(signer_cert)?;
    if &cert.public_key != signer.public_key() {
        return Err(SealError::InvalidRequest(
            "the signer's key does not match its certificate",
        ));
    }
    let draft = prepare_stamp(seal, signer_cert, data_hash, property_info, at)?;
    let sig = signer.sign(draft.to_be_signed(), SignatureEncoding::Der)?;
    draft.complete(&sig)
}

/// Stamp a document held in memory. `property_info` names it (e.g. its file name).
pub fn stamp_detached(
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    document: &[u8],
    property_info: &str,
    at: OffsetDateTime,
) -> Result<Stamp, SealError> {
    let alg = data_hash_algorithm(signer_cert)?;
    stamp_digest(
        seal,
        signer,
        signer_cert,
        &alg.digest(document),
        property_info,
        at,
    )
}

/// Stamp a document read from `reader`, hashing it as it streams.
pub fn stamp_reader(
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    mut reader: impl std::io::Read,
    property_info: &str,
    at: OffsetDateTime,
) -> Result<Stamp, StampIoError> {
    let alg = data_hash_algorithm(signer_cert)?;
    let mut h = alg.hasher();
    std::io::copy(&mut reader, &mut h).map_err(StampIoError::Io)?;
    Ok(stamp_digest(
        seal,
        signer,
        signer_cert,
        &h.finalize(),
        property_info,
        at,
    )?)
}

/// Why stamping a streamed document failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StampIoError {
    /// Reading the document failed.
    #[error("reading the document: {0}")]
    Io(std::io::Error),
    /// Stamping failed.
    #[error(transparent)]
    Seal(#[from] SealError),
}
