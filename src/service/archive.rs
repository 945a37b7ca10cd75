//! The archive log's use cases at a node: its signed checkpoint (made when the log has
//! grown since the last one, kept in the shared database so every node of the province
//! serves the same), pages of entries, inclusion and consistency proofs; witnessing the
//! other provinces' logs (checking each new checkpoint against the last one cosigned,
//! recording conflicts) and keeping the peers' cosignatures of this node's own.

use super::store::{ArchiveStore, ForkRecord, StoreError};
use super::ServiceError;
use crate::archive::audit::{self, AuditError, Seen};
use crate::archive::checkpoint::{cosign, verify_cosignature, Checkpoint, StoredCheckpoint};
use crate::archive::entry::{LoggedEntry, Lookup};
use crate::archive::ltv::LtvView;
use crate::archive::merkle::Hash;
use crate::archive::note::{Note, NoteSignature};
use crate::archive::wire::{encode_hashes, EntryView, InclusionView};
use crate::crypto::{PublicKey, Signer};

/// The checkpoint of the log as it stands: the one kept for its size, or a new one
/// signed by `signer` as `origin`.
pub async fn checkpoint<S: ArchiveStore>(
    store: &S,
    signer: &dyn Signer,
    origin: &str,
    now: i64,
) -> Result<StoredCheckpoint, ServiceError> {
    let size = store.archive_size().await?;
    if let Some(kept) = store.archive_checkpoint(Some(size)).await? {
        return Ok(kept);
    }
    let root = store.archive_root(size).await?;
    let cp = Checkpoint {
        origin: origin.to_string(),
        size,
        root,
        extensions: Vec::new(),
    };
    let note = cp
        .sign(signer)
        .map_err(|e| ServiceError::Internal(format!("signing the checkpoint: {e}")))?
        .to_text();
    store
        .put_archive_checkpoint(&StoredCheckpoint { size, root, note }, now)
        .await?;
    // another node of the province may have kept one of this size first: serve that
    store
        .archive_checkpoint(Some(size))
        .await?
        .ok_or_else(|| ServiceError::Internal("the checkpoint just kept is gone".into()))
}

/// An entry with its inclusion proof in a tree of `size` entries.
#[derive(Debug, Clone)]
pub struct Included {
    /// The entry.
    pub entry: LoggedEntry,
    /// The tree size the proof is for.
    pub size: u64,
    /// The proof's hashes, leaf to root.
    pub proof: Vec<Hash>,
}

/// Entry `index` and its inclusion proof in the tree of `size` entries (the whole log
/// when `None`).
pub async fn inclusion<S: ArchiveStore>(
    store: &S,
    index: u64,
    size: Option<u64>,
) -> Result<Included, ServiceError> {
    let size = match size {
        Some(s) => s,
        None => store.archive_size().await?,
    };
    if index >= size {
        return Err(ServiceError::InvalidRequest(format!(
            "index {index} is not below the tree size {size}"
        )));
    }
    let proof = store.archive_inclusion(index, size).await?;
    let entry = store
        .archive_entries(index, 1)
        .await?
        .into_iter()
        .next()
        .ok_or(ServiceError::NotFound)?;
    Ok(Included { entry, size, proof })
}

/// The consistency proof from the tree of `from` entries to the tree of `to`.
pub async fn consistency<S: ArchiveStore>(
    store: &S,
    from: u64,
    to: u64,
) -> Result<Vec<Hash>, ServiceError> {
    if from == 0 || from > to {
        return Err(ServiceError::InvalidRequest(format!(
            "a consistency proof goes from a size of at least 1 to one at least as large, not {from} → {to}"
        )));
    }
    Ok(store.archive_consistency(from, to).await?)
}

/// Entries `[from, from + count)` (at most a page; none from beyond the log).
pub async fn entries<S: ArchiveStore>(
    store: &S,
    from: u64,
    count: u64,
) -> Result<Vec<LoggedEntry>, ServiceError> {
    let size = store.archive_size().await?;
    if from >= size {
        return Ok(Vec::new());
    }
    Ok(store.archive_entries(from, count.min(size - from)).await?)
}

/// For each `license.issued` entry among the `count` from `from`: its index, license
/// and the issuer-signed JWT the node holds of that license now (none: it holds none);
/// for each `evidence.kept` entry, the validation data's text held now — for auditors
/// to check against the entry's digest.
pub async fn issued_records<S: ArchiveStore + super::store::LicenseStore>(
    store: &S,
    from: u64,
    count: u64,
) -> Result<Vec<crate::archive::wire::RecordView>, ServiceError> {
    use crate::archive::entry::Act;
    let mut out = Vec::new();
    for e in entries(store, from, count).await? {
        let record = match e.entry.act {
            Act::LicenseIssued => match store.license(&e.entry.subject).await {
                Ok(l) => Some(
                    String::from_utf8_lossy(crate::archive::entry::issued_record(&l.credential))
                        .into_owned(),
                ),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            Act::EvidenceKept => store.evidence_text(&hex::encode(e.entry.digest)).await?,
            _ => continue,
        };
        out.push(crate::archive::wire::RecordView {
            index: e.index,
            subject: e.entry.subject,
            record,
        });
    }
    Ok(out)
}

/// The checkpoint as the node serves it: its signed note with the cosignature lines
/// the peers added.
pub async fn served_checkpoint<S: ArchiveStore>(
    store: &S,
    signer: &dyn Signer,
    origin: &str,
    now: i64,
) -> Result<(StoredCheckpoint, String), ServiceError> {
    let cp = checkpoint(store, signer, origin, now).await?;
    let mut text = cp.note.clone();
    for line in store.archive_cosignatures(cp.size).await? {
        text.push_str(&line);
    }
    Ok((cp, text))
}

/// The entry `lookup` names whose digest is `digest` (a credential's issuer-signed
/// JWT, a seal's DER, a stamp or stamped document), its inclusion proof against the
/// checkpoint as served now, that checkpoint's text (with its cosignatures), and for a
/// license the validation data kept at its issuance, proven against the same
/// checkpoint.
pub async fn issued_inclusion<S: ArchiveStore>(
    store: &S,
    signer: &dyn Signer,
    origin: &str,
    lookup: Lookup,
    digest: &Hash,
    now: i64,
) -> Result<InclusionView, ServiceError> {
    let entry = store
        .archive_entry_by_digest(lookup, digest)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (cp, text) = served_checkpoint(store, signer, origin, now).await?;
    let proof = store.archive_inclusion(entry.index, cp.size).await?;
    let ltv = match lookup {
        Lookup::LicenseIssued { .. } => kept_evidence(store, &entry.entry.subject, cp.size).await?,
        _ => None,
    };
    Ok(InclusionView {
        entry: EntryView::from(&entry),
        size: cp.size,
        proof: encode_hashes(&proof),
        checkpoint: Some(text),
        ltv,
    })
}

/// The validation data kept when the license `identifier` was issued, with its entry
/// and inclusion proof in the tree of `size` entries; `None` when none was kept (or
/// its entry is not yet within `size`).
async fn kept_evidence<S: ArchiveStore>(
    store: &S,
    identifier: &str,
    size: u64,
) -> Result<Option<LtvView>, ServiceError> {
    // the entry the license row names, whatever the text kept beside it is now (a
    // changed text then fails the verifier's check against that entry)
    let Some((digest, text)) = store.license_evidence(identifier).await? else {
        return Ok(None);
    };
    let Some(digest) = hex::decode(&digest)
        .ok()
        .and_then(|d| <Hash>::try_from(d).ok())
    else {
        return Ok(None);
    };
    let Some(entry) = store
        .archive_entry_by_digest(Lookup::EvidenceKept, &digest)
        .await?
        .filter(|e| e.index < size)
    else {
        return Ok(None);
    };
    let proof = store.archive_inclusion(entry.index, size).await?;
    Ok(Some(LtvView {
        bundle: text,
        entry: EntryView::from(&entry),
        proof: encode_hashes(&proof),
    }))
}

/// Why a peer's checkpoint is not cosigned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// It does not parse, is of another log, or its signature fails.
    #[error("the checkpoint is not usable: {0}")]
    Checkpoint(String),
    /// It conflicts with what this node witnessed (recorded as a fork).
    #[error("{0}")]
    Conflict(AuditError),
    /// The consistency proof could not be fetched.
    #[error("the consistency proof: {0}")]
    Proof(String),
    /// This node failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<super::store::StoreError> for WitnessError {
    fn from(e: super::store::StoreError) -> Self {
        WitnessError::Service(e.into())
    }
}

/// Witness the peer log `origin`'s checkpoint `note_text`, signed by one of
/// `log_keys`: check it against the last checkpoint of that log this node cosigned
/// (`consistency` fetches the proof between two sizes), then cosign it as `witness`
/// at `now` → the checkpoint and the cosignature line for the peer to add. A conflict
/// is recorded before it is returned.
#[allow(clippy::too_many_arguments)]
pub async fn witness<S, F, Fut>(
    store: &S,
    signer: &dyn Signer,
    witness: &str,
    origin: &str,
    log_keys: &[PublicKey],
    note_text: &[u8],
    consistency: F,
    now: i64,
) -> Result<(Checkpoint, NoteSignature), WitnessError>
where
    S: ArchiveStore,
    F: FnOnce(u64, u64) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Hash>, String>>,
{
    let bad = |e: String| WitnessError::Checkpoint(e);
    let note = Note::parse(note_text).map_err(|e| bad(e.to_string()))?;
    let cp = Checkpoint::from_text(&note.text).map_err(|e| bad(e.to_string()))?;
    if cp.origin != origin {
        return Err(bad(format!("it is of {}, not {origin}", cp.origin)));
    }
    if !log_keys.iter().any(|k| note.verify(origin, k).is_ok()) {
        return Err(bad(format!("no signature of {origin} verifies")));
    }
    let seen = store.archive_witnessed(origin).await?;
    let seen_view = seen.as_ref().map(|s| Seen {
        origin: origin.to_string(),
        size: s.size,
        root: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s.root),
    });
    let proof = match &seen {
        Some(s) if s.size > 0 && s.size < cp.size => consistency(s.size, cp.size)
            .await
            .map_err(WitnessError::Proof)?,
        _ => Vec::new(),
    };
    if let Err(conflict) = audit::check_growth(seen_view.as_ref(), &cp, &proof) {
        let s = seen.as_ref().expect("a conflict needs a checkpoint seen");
        store
            .record_archive_fork(&ForkRecord {
                origin: origin.to_string(),
                size: cp.size,
                seen_size: s.size,
                seen_root: s.root,
                other_note: note.to_text(),
                reason: conflict.to_string(),
                at: now,
            })
            .await?;
        return Err(WitnessError::Conflict(conflict));
    }
    let line = cosign(&note, witness, signer, u64::try_from(now).unwrap_or(0))
        .map_err(|e| ServiceError::Internal(format!("cosigning: {e}")))?;
    let only_log_signature = Note {
        text: note.text.clone(),
        signatures: note
            .signatures
            .iter()
            .filter(|s| s.name == origin)
            .cloned()
            .collect(),
    };
    store
        .put_archive_witnessed(
            origin,
            &StoredCheckpoint {
                size: cp.size,
                root: cp.root,
                note: only_log_signature.to_text(),
            },
            now,
        )
        .await?;
    Ok((cp, line))
}

/// At the log's node: keep the cosignature `line` that the witness `witness` (key
/// `witness_key`) made of this node's checkpoint of `size`.
pub async fn accept_cosignature<S: ArchiveStore>(
    store: &S,
    witness: &str,
    witness_key: &PublicKey,
    size: u64,
    line: &str,
    now: i64,
) -> Result<(), ServiceError> {
    if size > store.archive_size().await? {
        return Err(ServiceError::NotFound);
    }
    let kept = store
        .archive_checkpoint(Some(size))
        .await?
        .ok_or(ServiceError::NotFound)?;
    let line = line.trim_end_matches('\n');
    if line.contains('\n') || line.len() > 1024 {
        return Err(ServiceError::InvalidRequest(
            "a cosignature is one signature line".into(),
        ));
    }
    let with = format!("{}{line}\n", kept.note);
    let note = Note::parse(with.as_bytes())
        .map_err(|e| ServiceError::InvalidRequest(format!("the cosignature line: {e}")))?;
    verify_cosignature(&note, witness, witness_key).map_err(|e| {
        ServiceError::InvalidRequest(format!("the cosignature does not verify: {e}"))
    })?;
    store
        .put_archive_cosignature(size, witness, &format!("{line}\n"), now)
        .await?;
    Ok(())
}
