//! Stamping a document with a seal, once for every caller: an OFD document gets the
//! stamp embedded, any other file a detached SES_Signature. The CLI reads and writes
//! files; the HTTP adapter stamps with a stored seal.

use super::blocking::Blocking;
use super::seal_make::{stored_seal, Signatory};
use super::store::{ArchiveStore, SealStore};
use super::ServiceError;
use crate::archive::entry::{Act, Entry};
use crate::crypto::Signer;
use crate::seal::ofd::{self, Limits, OfdPackage, StampOptions};
use crate::seal::stamp::{stamp_reader, StampIoError};
use crate::seal::{Seal, Stamp};
use time::OffsetDateTime;

/// How to stamp.
#[derive(Debug, Clone)]
pub enum StampKind {
    /// Embed the stamp in the OFD document.
    Ofd(StampOptions),
    /// A detached SES_Signature; `name` is recorded in TBS_Sign.propertyInfo.
    Detached {
        /// the document's name
        name: String,
    },
}

/// Stamp the OFD package `document` (kept, not copied: its stored files are hashed
/// and written back from it); returns the stamped package.
pub fn stamp_ofd(
    document: Vec<u8>,
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    opts: &StampOptions,
    now: OffsetDateTime,
) -> Result<Vec<u8>, ServiceError> {
    let pkg = OfdPackage::read_owned(document, Limits::default())
        .map_err(ServiceError::UnreadableDocument)?;
    Ok(ofd::stamp_ofd(pkg, seal, signer, signer_cert, opts, now)?)
}

/// A detached stamp over the document read from `document`, hashed as it streams.
pub fn stamp_detached(
    document: impl std::io::Read,
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    name: &str,
    now: OffsetDateTime,
) -> Result<Stamp, ServiceError> {
    stamp_reader(seal, signer, signer_cert, document, name, now).map_err(|e| match e {
        StampIoError::Io(io) => ServiceError::Read(io),
        StampIoError::Seal(se) => se.into(),
    })
}

/// The document to stamp: in memory, or in a file (an upload spooled to disk), which a
/// detached stamp hashes as it reads and an OFD stamp loads when its turn comes.
#[derive(Debug)]
pub enum Document {
    /// The document's bytes.
    Bytes(Vec<u8>),
    /// A file holding the document, positioned at its start.
    File(std::fs::File),
}

impl Document {
    fn into_bytes(self) -> Result<Vec<u8>, ServiceError> {
        match self {
            Document::Bytes(b) => Ok(b),
            Document::File(mut f) => {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut b).map_err(ServiceError::Read)?;
                Ok(b)
            }
        }
    }
}

/// Stamping as a job for [`Blocking::run`] (a closure that borrows nothing).
fn stamp_job(
    document: Document,
    seal: Seal,
    kind: StampKind,
    signatory: &Signatory,
    now: OffsetDateTime,
) -> impl FnOnce() -> Result<Vec<u8>, ServiceError> + Send + 'static {
    let (signer, cert) = (signatory.signer.clone(), signatory.cert.clone());
    move || match kind {
        StampKind::Ofd(opts) => {
            let doc = document.into_bytes()?;
            stamp_ofd(doc, &seal, signer.as_ref(), &cert, &opts, now)
        }
        StampKind::Detached { name } => {
            let stamp = match document {
                Document::Bytes(b) => {
                    stamp_detached(b.as_slice(), &seal, signer.as_ref(), &cert, &name, now)
                }
                Document::File(f) => stamp_detached(
                    std::io::BufReader::with_capacity(64 * 1024, f),
                    &seal,
                    signer.as_ref(),
                    &cert,
                    &name,
                    now,
                ),
            };
            stamp.map(|s| s.der().to_vec())
        }
    }
}

/// Stamp `document` with the stored seal `es_id` as `signatory` (through `run`):
/// the stamped OFD, or the detached stamp's DER.
pub async fn stamp_with_stored<S, B>(
    store: &S,
    run: &B,
    es_id: &str,
    document: Document,
    kind: StampKind,
    signatory: &Signatory,
    now: OffsetDateTime,
) -> Result<Vec<u8>, ServiceError>
where
    S: SealStore + ArchiveStore,
    B: Blocking,
{
    let rec = store.seal(es_id).await?;
    if let Some(by) = &rec.superseded_by {
        return Err(ServiceError::IllegalTransition(format!(
            "seal {es_id} was superseded by {by}"
        )));
    }
    let seal = stored_seal(&rec)?;
    let out = run
        .run(stamp_job(document, seal, kind, signatory, now))
        .await??;
    // on the record before it is handed out: a stamp the log lacks is never returned
    let entry = Entry::of(Act::DocumentStamped, es_id, &out, now.unix_timestamp());
    store.archive_append(&[entry]).await?;
    Ok(out)
}
