//! The archive log's tables: appending entries inside an act's own transaction, and
//! reading entries, roots, proofs and checkpoints.
//!
//! An append locks `archive_head`'s one row (`UPDATE … RETURNING`), reads the frontier
//! of the current tree (at most 64 nodes, one query), and writes the entries and the
//! perfect subtrees they complete from [`STORED_FROM_LEVEL`] up (one row per 16
//! entries, not one per entry: the lower subtrees are hashed again from at most 15
//! leaves when needed); it is the last write of its transaction, so the lock is held
//! only until the act commits. Proofs are computed twice: once against a
//! recorder to learn the nodes they need, then from those nodes fetched in one query.

use super::{StorageError, Store};
use crate::archive::checkpoint::StoredCheckpoint;
use crate::archive::entry::{Entry, LoggedEntry, Lookup};
use crate::archive::frontier::{self, Fetched, NodeId, Recorder};
use crate::archive::merkle::{self, Hash};
use sqlx::AnyConnection;
use sqlx::Row;
use std::collections::HashMap;

/// The lowest level of the tree whose nodes are stored: below it a node is hashed
/// again from its (at most 2^4 = 16) leaves, so an append writes about one node row per
/// 16 entries instead of one per entry.
const STORED_FROM_LEVEL: u32 = 4;

/// Entries per insert statement (one JSON parameter each).
const ENTRIES_PER_STATEMENT: usize = 1000;
/// Rows per multi-row insert.
const ROWS_PER_STATEMENT: usize = 64;
/// The most entries one read returns.
pub const MAX_ENTRIES_PER_READ: u64 = 1000;

/// The columns an entry is read from.
const SELECT_ENTRY: &str = "SELECT idx, act, subject, digest, at, leaf FROM archive_log";

/// An entry from a row of [`SELECT_ENTRY`].
fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<LoggedEntry, StorageError> {
    let entry = Entry::from_columns(
        &row.try_get::<String, _>("act")?,
        &row.try_get::<String, _>("subject")?,
        &row.try_get::<String, _>("digest")?,
        row.try_get("at")?,
    )
    .map_err(|_| StorageError::Corrupt("an archive_log row is not an entry"))?;
    let index: i64 = row.try_get("idx")?;
    Ok(LoggedEntry {
        index: index as u64,
        entry,
        leaf: hex32(&row.try_get::<String, _>("leaf")?, "archive_log.leaf")?,
    })
}

pub(super) fn hex32(s: &str, what: &'static str) -> Result<Hash, StorageError> {
    hex::decode(s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or(StorageError::Corrupt(what))
}

pub(super) fn to_i64(v: u64) -> Result<i64, StorageError> {
    i64::try_from(v).map_err(|_| StorageError::Corrupt("archive index beyond 2^63"))
}

/// Append `entries` in the transaction of `conn` → the index of the first.
pub(super) async fn append(
    conn: &mut AnyConnection,
    entries: &[Entry],
) -> Result<u64, StorageError> {
    let n = entries.len() as i64;
    let row = sqlx::query("UPDATE archive_head SET size = size + $1 WHERE id = 1 RETURNING size")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let end: i64 = row.try_get("size")?;
    let start = u64::try_from(end - n).map_err(|_| StorageError::Corrupt("archive_head.size"))?;
    if entries.is_empty() {
        return Ok(start);
    }
    let ids = frontier::frontier_nodes(start);
    let have = fetch_nodes(&mut *conn, &ids).await?;
    let frontier: Vec<Hash> = ids
        .iter()
        .map(|id| {
            have.get(id).copied().ok_or(StorageError::Corrupt(
                "a frontier node of the archive log is missing",
            ))
        })
        .collect::<Result<_, _>>()?;
    let leaves: Vec<Hash> = entries.iter().map(Entry::leaf_hash).collect();
    let nodes = frontier::append(start, &frontier, &leaves)
        .map_err(|_| StorageError::Corrupt("the archive log's frontier"))?;

    insert_entries(&mut *conn, start, entries, &leaves).await?;
    let upper: Vec<&(NodeId, Hash)> = nodes
        .iter()
        .filter(|((level, _), _)| *level >= STORED_FROM_LEVEL)
        .collect();
    for chunk in upper.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from("INSERT INTO archive_nodes (level, idx, hash) VALUES ");
        for r in 0..chunk.len() {
            let b = r * 3;
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${})", b + 1, b + 2, b + 3));
        }
        let mut q = sqlx::query(&sql);
        for ((level, idx), hash) in chunk.iter().map(|x| **x) {
            q = q
                .bind(i64::from(level))
                .bind(to_i64(idx)?)
                .bind(hex::encode(hash));
        }
        q.execute(&mut *conn)
            .await
            .map_err(StorageError::from_insert)?;
    }
    Ok(start)
}

/// Write `entries` from index `start`, with their leaf hashes: each statement takes
/// the rows as one JSON array parameter (`[act, subject, digest, at, leaf]` each),
/// unpacked by the database (SQLite's `json_each`, PostgreSQL's
/// `jsonb_array_elements`), so a batch binds a few parameters instead of six per row.
async fn insert_entries(
    conn: &mut AnyConnection,
    start: u64,
    entries: &[Entry],
    leaves: &[Hash],
) -> Result<(), StorageError> {
    let sql = if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        "INSERT INTO archive_log (idx, act, subject, digest, at, leaf) \
         SELECT $1 + t.n - 1, t.v->>0, t.v->>1, t.v->>2, (t.v->>3)::bigint, t.v->>4 \
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(v, n)"
    } else {
        "INSERT INTO archive_log (idx, act, subject, digest, at, leaf) \
         SELECT $1 + j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), \
         json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]') \
         FROM json_each($2) AS j"
    };
    for (i, (chunk, hashes)) in entries
        .chunks(ENTRIES_PER_STATEMENT)
        .zip(leaves.chunks(ENTRIES_PER_STATEMENT))
        .enumerate()
    {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .zip(hashes)
            .map(|(e, leaf)| {
                serde_json::json!([
                    e.act.name(),
                    e.subject,
                    hex::encode(e.digest),
                    e.at,
                    hex::encode(leaf)
                ])
            })
            .collect();
        let first = start + (i * ENTRIES_PER_STATEMENT) as u64;
        sqlx::query(sql)
            .bind(to_i64(first)?)
            .bind(serde_json::Value::Array(rows).to_string())
            .execute(&mut *conn)
            .await
            .map_err(StorageError::from_insert)?;
    }
    Ok(())
}

/// The hashes of the perfect subtrees `ids` that the log holds: levels from
/// [`STORED_FROM_LEVEL`] up from `archive_nodes`, the lower ones (at most
/// 2^`STORED_FROM_LEVEL` leaves each) hashed again from the leaves in `archive_log`.
async fn fetch_nodes(
    conn: &mut AnyConnection,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, Hash>, StorageError> {
    let mut out = HashMap::new();
    let (low, upper): (Vec<&NodeId>, Vec<&NodeId>) =
        ids.iter().partition(|(l, _)| *l < STORED_FROM_LEVEL);
    let mut wanted = std::collections::BTreeSet::new();
    for (level, idx) in &low {
        let width = 1u64 << level;
        let first = idx
            .checked_mul(width)
            .ok_or(StorageError::Corrupt("a node index"))?;
        wanted.extend(first..first + width);
    }
    let wanted: Vec<u64> = wanted.into_iter().collect();
    let mut leaves: HashMap<u64, Hash> = HashMap::new();
    for chunk in wanted.chunks(ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT idx, leaf FROM archive_log WHERE idx IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for idx in chunk {
            q = q.bind(to_i64(*idx)?);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let idx: i64 = row.try_get("idx")?;
            let leaf: String = row.try_get("leaf")?;
            leaves.insert(idx as u64, hex32(&leaf, "archive_log.leaf")?);
        }
    }
    for &&(level, idx) in &low {
        let width = 1u64 << level;
        let first = idx * width;
        let below: Option<Vec<Hash>> = (first..first + width)
            .map(|i| leaves.get(&i).copied())
            .collect();
        // a subtree with a leaf missing is not held (the caller says so)
        if let Some(below) = below {
            out.insert((level, idx), merkle::root(&below));
        }
    }
    for chunk in upper.chunks(ROWS_PER_STATEMENT) {
        let cond: Vec<String> = (0..chunk.len())
            .map(|i| format!("(level = ${} AND idx = ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "SELECT level, idx, hash FROM archive_nodes WHERE {}",
            cond.join(" OR ")
        );
        let mut q = sqlx::query(&sql);
        for (level, idx) in chunk {
            q = q.bind(i64::from(*level)).bind(to_i64(*idx)?);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let level: i64 = row.try_get("level")?;
            let idx: i64 = row.try_get("idx")?;
            let hash: String = row.try_get("hash")?;
            out.insert(
                (level as u32, idx as u64),
                hex32(&hash, "archive_nodes.hash")?,
            );
        }
    }
    Ok(out)
}

/// Why a proof could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveReadError {
    /// The sizes or index asked for admit no proof, or lie beyond the log.
    #[error("{0}")]
    Request(String),
    /// The database failed, or its nodes are missing (the log was altered).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Store {
    /// The number of entries in the log.
    pub async fn archive_size(&self) -> Result<u64, StorageError> {
        let row = sqlx::query("SELECT size FROM archive_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let size: i64 = row.try_get("size")?;
        u64::try_from(size).map_err(|_| StorageError::Corrupt("archive_head.size"))
    }

    /// Append `entries` in a transaction of their own (acts that write nothing else).
    pub async fn archive_append(&self, entries: &[Entry]) -> Result<u64, StorageError> {
        let mut tx = self.pool.begin().await?;
        let first = append(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Entries `[from, from + count)` (at most [`MAX_ENTRIES_PER_READ`]), in order.
    pub async fn archive_entries(
        &self,
        from: u64,
        count: u64,
    ) -> Result<Vec<LoggedEntry>, StorageError> {
        let count = count.min(MAX_ENTRIES_PER_READ);
        let rows = sqlx::query(&format!(
            "{SELECT_ENTRY} WHERE idx >= $1 AND idx < $2 ORDER BY idx"
        ))
        .bind(to_i64(from)?)
        .bind(to_i64(from.saturating_add(count))?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The entries about `subject`, oldest first (at most 100): a scan of the log, for
    /// tests and audits (the log is indexed by digest, not subject).
    pub async fn archive_entries_of(
        &self,
        subject: &str,
    ) -> Result<Vec<LoggedEntry>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT_ENTRY} WHERE subject = $1 ORDER BY idx LIMIT 100"
        ))
        .bind(subject)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// The first entry `lookup` names whose digest is `digest`: a license's issuance
    /// entry by its time and digest, which its index is keyed by (migration
    /// `20261217000001`); any other by its act, written into the statement so that the
    /// partial digest index serves it.
    pub async fn archive_entry_by_digest(
        &self,
        lookup: Lookup,
        digest: &Hash,
    ) -> Result<Option<LoggedEntry>, StorageError> {
        let hex = hex::encode(digest);
        let row = match lookup {
            Lookup::LicenseIssued { at } => {
                sqlx::query(&format!(
                    "{SELECT_ENTRY} WHERE at = $1 AND digest = $2 AND act = 'license.issued' \
                     ORDER BY idx LIMIT 1"
                ))
                .bind(at)
                .bind(hex)
                .fetch_optional(&self.pool)
                .await?
            }
            _ => {
                sqlx::query(&format!(
                    "{SELECT_ENTRY} WHERE digest = $1 AND act = '{}' ORDER BY idx LIMIT 1",
                    lookup.act().name()
                ))
                .bind(hex)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        row.as_ref().map(entry_from_row).transpose()
    }

    /// Run `prove` against the log's nodes: once to learn what it needs, once on them.
    async fn with_nodes<T>(
        &self,
        prove: impl Fn(&dyn NodeSource) -> Result<T, String>,
    ) -> Result<T, ArchiveReadError> {
        let recorder = Recorder::default();
        prove(&recorder).map_err(ArchiveReadError::Request)?;
        let ids = recorder.into_asked();
        let mut conn = self.pool.acquire().await.map_err(StorageError::from)?;
        let fetched = Fetched(fetch_nodes(&mut conn, &ids).await?);
        prove(&fetched).map_err(|_| {
            ArchiveReadError::Storage(StorageError::Corrupt(
                "a node of the archive log is missing",
            ))
        })
    }

    /// The root of the tree of the first `size` entries.
    pub async fn archive_root(&self, size: u64) -> Result<Hash, ArchiveReadError> {
        self.check_size(size).await?;
        self.with_nodes(|s| s.root(size)).await
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn archive_inclusion(
        &self,
        index: u64,
        size: u64,
    ) -> Result<Vec<Hash>, ArchiveReadError> {
        self.check_size(size).await?;
        self.with_nodes(|s| s.inclusion(index, size)).await
    }

    /// The consistency proof from the tree of `size1` entries to that of `size2`.
    pub async fn archive_consistency(
        &self,
        size1: u64,
        size2: u64,
    ) -> Result<Vec<Hash>, ArchiveReadError> {
        self.check_size(size2).await?;
        self.with_nodes(|s| s.consistency(size1, size2)).await
    }

    async fn check_size(&self, size: u64) -> Result<(), ArchiveReadError> {
        let have = self.archive_size().await?;
        if size > have {
            return Err(ArchiveReadError::Request(format!(
                "tree size {size} is beyond the log's {have} entries"
            )));
        }
        Ok(())
    }

    /// Keep a checkpoint the node signed (the first one of a size stays).
    pub async fn put_archive_checkpoint(
        &self,
        cp: &StoredCheckpoint,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO archive_checkpoints (size, root, note, made_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(to_i64(cp.size)?)
        .bind(hex::encode(cp.root))
        .bind(&cp.note)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest checkpoint kept, or the one of `size`.
    pub async fn archive_checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<StoredCheckpoint>, StorageError> {
        let row =
            match size {
                Some(s) => {
                    sqlx::query("SELECT size, root, note FROM archive_checkpoints WHERE size = $1")
                        .bind(to_i64(s)?)
                        .fetch_optional(&self.pool)
                        .await?
                }
                None => sqlx::query(
                    "SELECT size, root, note FROM archive_checkpoints ORDER BY size DESC LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?,
            };
        row.map(|row| {
            let size: i64 = row.try_get("size")?;
            Ok(StoredCheckpoint {
                size: size as u64,
                root: hex32(
                    &row.try_get::<String, _>("root")?,
                    "archive_checkpoints.root",
                )?,
                note: row.try_get("note")?,
            })
        })
        .transpose()
    }
}

/// What a proof is computed from: the recorder or the fetched nodes.
trait NodeSource {
    fn root(&self, size: u64) -> Result<Hash, String>;
    fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, String>;
    fn consistency(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, String>;
}

impl<S: merkle::NodeStore> NodeSource for S {
    fn root(&self, size: u64) -> Result<Hash, String> {
        merkle::subtree_root(self, 0, size).map_err(|e| e.to_string())
    }
    fn inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, String> {
        merkle::inclusion_proof(self, index, size).map_err(|e| e.to_string())
    }
    fn consistency(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, String> {
        merkle::consistency_proof(self, size1, size2).map_err(|e| e.to_string())
    }
}
