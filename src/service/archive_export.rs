//! Exporting the node's archive log as a package an archive keeps
//! ([`crate::archive::export`] has the layout): the checkpoint as served now, every
//! entry up to it, what the node holds of every license the log says it issued, the
//! trust list, and the manifest signed with the log's key. Files are written through a
//! [`PackageSink`] page by page, each hashed as it is written, so a log of millions of
//! entries never sits in memory.

use super::archive::{entries, issued_records, served_checkpoint};
use super::store::{ArchiveStore, LicenseStore};
use super::ServiceError;
use crate::archive::export::{Listed, Manifest, LAYOUT, MANIFEST};
use crate::archive::note::Note;
use crate::archive::wire::EntryView;
use crate::crypto::Signer;
use sha2::{Digest, Sha256};

/// Entries (and records) read per page.
const PAGE: u64 = 1000;

/// Where a package's files go (the adapter: a folder).
pub trait PackageSink {
    /// Start the file `path` (a new file: an existing one is refused).
    fn create(&mut self, path: &str) -> Result<(), String>;
    /// Append to the file started last.
    fn write(&mut self, chunk: &[u8]) -> Result<(), String>;
    /// Finish the file started last (flushed to disk).
    fn finish(&mut self) -> Result<(), String>;
}

/// A file being written: its sink, hash and size so far.
struct Writing<'a, K: PackageSink> {
    sink: &'a mut K,
    path: String,
    hash: Sha256,
    bytes: u64,
}

fn failed(e: String) -> ServiceError {
    ServiceError::Internal(format!("writing the export: {e}"))
}

impl<'a, K: PackageSink> Writing<'a, K> {
    fn start(sink: &'a mut K, path: &str) -> Result<Self, ServiceError> {
        sink.create(path).map_err(failed)?;
        Ok(Writing {
            sink,
            path: path.to_string(),
            hash: Sha256::new(),
            bytes: 0,
        })
    }

    fn put(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        self.hash.update(chunk);
        self.bytes += chunk.len() as u64;
        self.sink.write(chunk).map_err(failed)
    }

    fn done(self) -> Result<Listed, ServiceError> {
        self.sink.finish().map_err(failed)?;
        Ok(Listed {
            path: self.path,
            sha256: self.hash.finalize().into(),
            bytes: self.bytes,
        })
    }
}

fn whole<K: PackageSink>(sink: &mut K, path: &str, bytes: &[u8]) -> Result<Listed, ServiceError> {
    let mut w = Writing::start(sink, path)?;
    w.put(bytes)?;
    w.done()
}

fn json_line<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, ServiceError> {
    let mut line = serde_json::to_vec(v).map_err(|e| ServiceError::Internal(e.to_string()))?;
    line.push(b'\n');
    Ok(line)
}

/// Export the log `origin` of `store` (signed with `signer`) with the trust list
/// `trust_list` (its compact JWS) into `sink`, at `now`: the manifest written.
pub async fn export<S: ArchiveStore + LicenseStore, K: PackageSink>(
    store: &S,
    signer: &dyn Signer,
    origin: &str,
    trust_list: &str,
    now: i64,
    sink: &mut K,
) -> Result<Manifest, ServiceError> {
    let (cp, text) = served_checkpoint(store, signer, origin, now).await?;
    let mut files = vec![whole(sink, "checkpoint.txt", text.as_bytes())?];

    let mut w = Writing::start(sink, "entries.jsonl")?;
    let mut from = 0;
    while from < cp.size {
        let page = entries(store, from, PAGE.min(cp.size - from)).await?;
        let Some(last) = page.last() else { break };
        from = last.index + 1;
        for e in &page {
            w.put(&json_line(&EntryView::from(e))?)?;
        }
    }
    files.push(w.done()?);

    let mut w = Writing::start(sink, "records.jsonl")?;
    let mut from = 0;
    while from < cp.size {
        let count = PAGE.min(cp.size - from);
        for r in issued_records(store, from, count).await? {
            w.put(&json_line(&r)?)?;
        }
        from += count;
    }
    files.push(w.done()?);

    files.push(whole(sink, "trust-list.jws", trust_list.trim().as_bytes())?);
    files.push(whole(sink, "README.txt", LAYOUT.as_bytes())?);

    let manifest = Manifest {
        origin: origin.to_string(),
        size: cp.size,
        root: cp.root,
        created: now,
        files,
    };
    let note = Note::sign(&manifest.to_text(), origin, signer)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    whole(sink, MANIFEST, note.to_text().as_bytes())?;
    Ok(manifest)
}
