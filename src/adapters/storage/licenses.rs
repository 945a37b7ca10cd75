//! License rows and the issuance transaction: status-list slots are allocated, the
//! licenses written and the idempotency key recorded in one transaction.

use super::status::{set_entry_in_tx, LIST_CAPACITY};
use super::{StorageError, Store};
use crate::archive::entry::{issued_record, status_record, Act, Entry};
use crate::license::Status;
pub use crate::service::store::{LicenseRecord, NewLicense, Slot};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// The slot of sequence number `seq` (1, 2, …).
fn slot_from_seq(seq: i64) -> Slot {
    let zero_based = seq - 1;
    Slot {
        seq,
        list: zero_based / LIST_CAPACITY,
        index: zero_based % LIST_CAPACITY,
    }
}

/// The stored name of a status.
pub(super) fn status_text(s: Status) -> &'static str {
    s.name()
}

/// A status from its stored name.
pub(super) fn status_from_text(s: &str) -> Option<Status> {
    [Status::Valid, Status::Revoked, Status::Suspended]
        .into_iter()
        .find(|v| v.name() == s)
}

/// The columns written for a new license, in bind order.
const INSERT_COLUMNS: &str = "identifier, agency_id, type_code, holder_code, credential, \
     status_list, status_index, status, reason, version, issued_at, updated_at, header_id, \
     evidence";

/// `SELECT` of a license row with its credential put back together from the agency's
/// shared JWS header (see `split_header`); a `WHERE` clause follows.
const SELECT_LICENSE: &str = "SELECT identifier, agency_id, type_code, holder_code, \
     CASE WHEN header_id IS NULL THEN credential ELSE h.header || credential END AS credential, \
     status_list, status_index, status, reason, version, issued_at, updated_at \
     FROM licenses LEFT JOIN jws_headers h ON h.id = header_id";

/// Headers shorter than this are stored inline (nothing to gain).
const MIN_SHARED_HEADER: usize = 256;

/// A credential's JWS header (its first segment) and the rest from the `.` on, when
/// the header is long enough to be worth storing once: `(id, header, rest)`.
fn split_header(credential: &str) -> Option<(String, &str, &str)> {
    let dot = credential.find('.')?;
    let (header, rest) = credential.split_at(dot);
    if header.len() < MIN_SHARED_HEADER || header.contains('~') {
        return None;
    }
    let id = hex::encode(crate::crypto::DigestAlgorithm::Sha256.digest(header.as_bytes()));
    Some((id, header, rest))
}

fn license_from_row(r: &AnyRow) -> Result<LicenseRecord, StorageError> {
    let status: String = r.try_get("status")?;
    Ok(LicenseRecord {
        identifier: r.try_get("identifier")?,
        agency_id: r.try_get("agency_id")?,
        type_code: r.try_get("type_code")?,
        holder_code: r.try_get("holder_code")?,
        credential: r.try_get("credential")?,
        status_list: r.try_get("status_list")?,
        status_index: r.try_get("status_index")?,
        status: status_from_text(&status).ok_or(StorageError::Corrupt("license status"))?,
        reason: r.try_get("reason")?,
        version: r.try_get("version")?,
        issued_at: r.try_get("issued_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// What [`Store::credential_storage`] measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialStorage {
    /// Bytes of the credential column of every license row.
    pub row_bytes: i64,
    /// Shared JWS headers stored.
    pub headers: i64,
    /// Their bytes.
    pub header_bytes: i64,
}

/// An open issuance transaction holding reserved slots. Nothing is visible to others
/// (nor durable) until [`IssueTx::commit`]; dropping it rolls everything back.
pub struct IssueTx {
    pub(super) tx: Transaction<'static, Any>,
    pub(super) agency: String,
    backend: super::Backend,
    slots: Vec<Slot>,
    now: i64,
    /// The archive log's entries of the licenses written (and of the validation data
    /// kept for them), appended at commit.
    pub(super) archived: Vec<Entry>,
}

impl std::fmt::Debug for IssueTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssueTx")
            .field("agency", &self.agency)
            .field("slots", &self.slots.len())
            .finish()
    }
}

impl Store {
    /// Open an issuance transaction for `count` licenses of `agency`, reserving a
    /// status-list slot (and sequence number) for each.
    pub async fn begin_issue(
        &self,
        agency: &str,
        count: usize,
        now: i64,
    ) -> Result<IssueTx, StorageError> {
        let mut tx = self.pool.begin().await?;
        let n = i64::try_from(count).map_err(|_| StorageError::Corrupt("count"))?;
        sqlx::query(
            "INSERT INTO agency_counters (agency_id, next_seq) VALUES ($1, 0) \
             ON CONFLICT (agency_id) DO NOTHING",
        )
        .bind(agency)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "UPDATE agency_counters SET next_seq = next_seq + $1 WHERE agency_id = $2 \
             RETURNING next_seq",
        )
        .bind(n)
        .bind(agency)
        .fetch_one(&mut *tx)
        .await?;
        let last: i64 = row.try_get("next_seq")?;
        let slots: Vec<Slot> = (last - n + 1..=last).map(slot_from_seq).collect();
        let mut lists: Vec<i64> = slots.iter().map(|s| s.list).collect();
        lists.dedup();
        for list in lists {
            sqlx::query(
                "INSERT INTO status_lists (agency_id, list_id, bits, version, updated_at) \
                 VALUES ($1, $2, '', 1, $3) ON CONFLICT (agency_id, list_id) DO NOTHING",
            )
            .bind(agency)
            .bind(list)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        Ok(IssueTx {
            tx,
            agency: agency.to_string(),
            backend: self.backend,
            slots,
            now,
            archived: Vec::new(),
        })
    }

    /// A license by identifier.
    pub async fn license(&self, identifier: &str) -> Result<LicenseRecord, StorageError> {
        let row = sqlx::query(&format!("{SELECT_LICENSE} WHERE identifier = $1"))
            .bind(identifier)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound)?;
        license_from_row(&row)
    }

    /// What the credentials take in the store: bytes of the license rows' credential
    /// column, and the number and bytes of the shared JWS headers.
    pub async fn credential_storage(&self) -> Result<CredentialStorage, StorageError> {
        let rows = sqlx::query(
            "SELECT CAST(COALESCE(SUM(LENGTH(credential)), 0) AS BIGINT) AS n FROM licenses",
        )
        .fetch_one(&self.pool)
        .await?;
        let headers = sqlx::query(
            "SELECT COUNT(*) AS c, CAST(COALESCE(SUM(LENGTH(header)), 0) AS BIGINT) AS n \
             FROM jws_headers",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(CredentialStorage {
            row_bytes: rows.try_get("n")?,
            headers: headers.try_get("c")?,
            header_bytes: headers.try_get("n")?,
        })
    }

    /// Every license of an agency, in sequence order.
    pub async fn licenses_of(&self, agency: &str) -> Result<Vec<LicenseRecord>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT_LICENSE} WHERE agency_id = $1 \
             ORDER BY status_list, status_index"
        ))
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(license_from_row).collect()
    }

    /// The licenses whose holder code is `holder_code`, oldest first, at most `limit`.
    pub async fn licenses_of_holder(
        &self,
        holder_code: &str,
        limit: usize,
    ) -> Result<Vec<LicenseRecord>, StorageError> {
        let rows = sqlx::query(&format!(
            "{SELECT_LICENSE} WHERE holder_code = $1 \
             ORDER BY issued_at, identifier LIMIT $2"
        ))
        .bind(holder_code)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(license_from_row).collect()
    }

    /// Change a license's status if it belongs to `agency` and is currently in one of
    /// `from`; its status-list entry changes in the same transaction.
    pub async fn set_status(
        &self,
        identifier: &str,
        agency: &str,
        from: &[Status],
        to: Status,
        reason: Option<&str>,
        now: i64,
    ) -> Result<LicenseRecord, StorageError> {
        let mut tx = self.pool.begin().await?;
        // Write first, so SQLite takes the write lock before reading.
        let touched =
            sqlx::query("UPDATE licenses SET updated_at = updated_at WHERE identifier = $1")
                .bind(identifier)
                .execute(&mut *tx)
                .await?;
        if touched.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let row = sqlx::query(&format!("{SELECT_LICENSE} WHERE identifier = $1"))
            .bind(identifier)
            .fetch_one(&mut *tx)
            .await?;
        let current = license_from_row(&row)?;
        if current.agency_id != agency {
            return Err(StorageError::NotOwner);
        }
        if !from.contains(&current.status) {
            return Err(StorageError::InvalidTransition {
                current: status_text(current.status).to_string(),
            });
        }
        sqlx::query(
            "UPDATE licenses SET status = $1, reason = $2, version = version + 1, \
             updated_at = $3 WHERE identifier = $4",
        )
        .bind(status_text(to))
        .bind(reason)
        .bind(now)
        .bind(identifier)
        .execute(&mut *tx)
        .await?;
        set_entry_in_tx(
            &mut tx,
            agency,
            current.status_list,
            current.status_index,
            to,
            now,
        )
        .await?;
        let entry = Entry::of(
            Act::StatusChanged,
            identifier,
            &status_record(identifier, status_text(to), reason),
            now,
        );
        super::archive::append(&mut tx, &[entry]).await?;
        tx.commit().await?;
        Ok(LicenseRecord {
            status: to,
            reason: reason.map(str::to_string),
            version: current.version + 1,
            updated_at: now,
            ..current
        })
    }
}

impl IssueTx {
    /// The reserved slots, one per license requested.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The agency the slots belong to.
    pub fn agency(&self) -> &str {
        &self.agency
    }

    /// Write licenses (each using one of the reserved slots), several rows per
    /// statement.
    pub async fn insert_licenses(&mut self, licenses: &[NewLicense]) -> Result<(), StorageError> {
        // SQLite finds a named parameter (`$N`) by a linear search over the statement's
        // parameters, so binding those costs the square of their number; anonymous `?`
        // parameters are bound by position. PostgreSQL takes `$N`.
        const ROWS_PER_STATEMENT: usize = 64;
        if licenses.iter().any(|l| !self.slots.contains(&l.slot)) {
            return Err(StorageError::Corrupt(
                "slot not reserved in this transaction",
            ));
        }
        let split: Vec<Option<(String, &str, &str)>> = licenses
            .iter()
            .map(|l| split_header(&l.credential))
            .collect();
        // Each distinct header once (a batch normally has one).
        let mut headers: Vec<(&str, &str)> = Vec::new();
        for (id, header, _) in split.iter().flatten() {
            if !headers.iter().any(|(known, _)| known == id) {
                headers.push((id, header));
            }
        }
        for (id, header) in headers {
            sqlx::query(
                "INSERT INTO jws_headers (id, header) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(header)
            .execute(&mut *self.tx)
            .await?;
        }
        for (chunk, split) in licenses
            .chunks(ROWS_PER_STATEMENT)
            .zip(split.chunks(ROWS_PER_STATEMENT))
        {
            let mut sql = format!("INSERT INTO licenses ({INSERT_COLUMNS}) VALUES ");
            for r in 0..chunk.len() {
                let b = r * 14;
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 1..=14 {
                    if c > 1 {
                        sql.push_str(", ");
                    }
                    match self.backend {
                        super::Backend::Sqlite => sql.push('?'),
                        super::Backend::Postgres => sql.push_str(&format!("${}", b + c)),
                    }
                }
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for (l, split) in chunk.iter().zip(split) {
                let (header_id, stored) = match split {
                    Some((id, _, rest)) => (Some(id.as_str()), *rest),
                    None => (None, l.credential.as_str()),
                };
                q = q
                    .bind(&l.identifier)
                    .bind(&self.agency)
                    .bind(&l.type_code)
                    .bind(&l.holder_code)
                    .bind(stored)
                    .bind(l.slot.list)
                    .bind(l.slot.index)
                    .bind(status_text(Status::Valid))
                    .bind(None::<String>)
                    .bind(1_i64)
                    .bind(self.now)
                    .bind(self.now)
                    .bind(header_id)
                    .bind(l.evidence.as_deref());
            }
            q.execute(&mut *self.tx)
                .await
                .map_err(StorageError::from_insert)?;
        }
        self.archived.extend(licenses.iter().map(|l| {
            Entry::of(
                Act::LicenseIssued,
                &l.identifier,
                issued_record(&l.credential),
                self.now,
            )
        }));
        Ok(())
    }

    /// Record the response to an idempotent request; a concurrent request that
    /// recorded the same key first makes this fail with [`StorageError::Duplicate`].
    pub async fn put_idempotency(
        &mut self,
        key: &str,
        request_hash: &str,
        response: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO idempotency_keys (agency_id, idem_key, request_hash, response, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&self.agency)
        .bind(key)
        .bind(request_hash)
        .bind(response)
        .bind(self.now)
        .execute(&mut *self.tx)
        .await
        .map_err(StorageError::from_insert)?;
        Ok(())
    }

    /// Mark an approved proof request as issued with `identifier`, storing its new
    /// document.
    pub async fn mark_proof_issued(
        &mut self,
        request_id: &str,
        identifier: &str,
        request: &str,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "UPDATE proof_requests SET state = 'issued', identifier = $1, request = $2, \
             updated_at = $3 WHERE id = $4 AND agency_id = $5 AND state = 'approved'",
        )
        .bind(identifier)
        .bind(request)
        .bind(self.now)
        .bind(request_id)
        .bind(&self.agency)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::InvalidTransition {
                current: "not approved".into(),
            });
        }
        Ok(())
    }

    /// Make everything durable. Only after this returns may the issuance be
    /// acknowledged.
    pub async fn commit(mut self) -> Result<(), StorageError> {
        // the archive log last: its head row stays locked only until this commits
        super::archive::append(&mut self.tx, &self.archived).await?;
        self.tx.commit().await?;
        Ok(())
    }
}
