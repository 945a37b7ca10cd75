//! The archive log's use cases at a node: its signed checkpoint (made when the log has
//! grown since the last one, kept in the shared database so every node of the province
//! serves the same), pages of entries, inclusion and consistency proofs.

use super::store::ArchiveStore;
use super::ServiceError;
use crate::archive::checkpoint::{Checkpoint, StoredCheckpoint};
use crate::archive::entry::LoggedEntry;
use crate::archive::merkle::Hash;
use crate::crypto::Signer;

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

/// Entries `[from, from + count)` (at most a page).
pub async fn entries<S: ArchiveStore>(
    store: &S,
    from: u64,
    count: u64,
) -> Result<Vec<LoggedEntry>, ServiceError> {
    Ok(store.archive_entries(from, count).await?)
}
