//! Storage adapter (sqlx): licenses, per-agency status lists, proof requests,
//! idempotency keys, seals, the request-token replay record and the accepted trust
//! lists, in SQLite (the embedded default) or PostgreSQL.
//!
//! Owns: the database connection, the embedded migrations (`migrations/`, one portable
//! set for both engines) and every SQL statement. Must not touch: credential formats,
//! signing or HTTP — callers hand in finished rows and get rows back.
//!
//! Durability: SQLite runs in WAL mode with `synchronous=FULL`, so a transaction is on
//! disk when `COMMIT` returns (NORMAL would keep the database consistent but could lose
//! the last commits on power loss, and an issuance is acknowledged only after commit).
//! PostgreSQL uses its defaults (`synchronous_commit=on`).

mod archive;
mod consents;
mod error;
mod held_lists;
mod licenses;
mod ltv;
mod proofs;
mod replay;
mod seals;
mod service;
mod show_uses;
mod status;
mod trust_lists;
mod witness;

/// A license's status: the license domain's [`crate::license::Status`], stored by name.
pub use crate::license::Status as LicenseStatus;
pub use archive::{ArchiveReadError, MAX_ENTRIES_PER_READ};
pub use error::StorageError;
pub use licenses::{CredentialStorage, IssueTx, LicenseRecord, NewLicense, Slot};
pub use proofs::{ProofRequestRecord, ProofState};
pub use seals::SealRecord;
pub use status::{full_list_bits, status_entry, StatusListRecord, LIST_CAPACITY};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::time::Duration;

/// The database engine behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (WAL, synchronous=FULL).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// The issuance database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Turn a configured database location into a sqlx URL: `postgres://…` and
/// `sqlite:…` pass through; anything else is a SQLite file path (created if missing).
pub fn database_url(location: &str) -> String {
    if location.starts_with("postgres://")
        || location.starts_with("postgresql://")
        || location.starts_with("sqlite:")
    {
        location.to_string()
    } else {
        format!("sqlite://{location}?mode=rwc")
    }
}

impl Store {
    /// Connect to `location` (see [`database_url`]) and apply pending migrations.
    pub async fn connect(location: &str) -> Result<Store, StorageError> {
        Self::connect_with(location, None).await
    }

    /// Like [`Store::connect`]; for PostgreSQL, `schema` (an identifier of letters,
    /// digits and `_`) is created if missing and used as the search path, so separate
    /// test runs share one database without sharing tables.
    pub async fn connect_with(location: &str, schema: Option<&str>) -> Result<Store, StorageError> {
        sqlx::any::install_default_drivers();
        let url = database_url(location);
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        if let Some(s) = schema {
            if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StorageError::InvalidSchema);
            }
        }
        let schema = schema.map(str::to_string);
        let opts = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute("PRAGMA journal_mode=WAL").await?;
                            conn.execute("PRAGMA synchronous=FULL").await?;
                            conn.execute("PRAGMA busy_timeout=10000").await?;
                            // A batch's pages stay in the page cache until commit (the
                            // default 2 MiB spills a batch of 1,000 licenses to the WAL
                            // mid-transaction), and statement journals stay in memory.
                            conn.execute("PRAGMA cache_size=-32768").await?;
                            conn.execute("PRAGMA temp_store=MEMORY").await?;
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {s}").as_str())
                                    .await?;
                                conn.execute(format!("SET search_path TO {s}").as_str())
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            });
        let pool = opts.connect(&url).await.map_err(StorageError::Connect)?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// Which engine this store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Close every connection (waits for running statements).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Drop a PostgreSQL schema and everything in it (test clean-up).
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StorageError> {
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StorageError::InvalidSchema);
        }
        if self.backend == Backend::Postgres {
            self.pool
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await?;
        }
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Number of licenses stored (all agencies).
    pub async fn license_count(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM licenses")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// Number of proof requests stored (all agencies).
    pub async fn proof_request_count(&self) -> Result<i64, StorageError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM proof_requests")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// The stored answer to an earlier request with this idempotency key, as
    /// `(request hash, response)`.
    pub async fn idempotent_response(
        &self,
        agency: &str,
        key: &str,
    ) -> Result<Option<(String, String)>, StorageError> {
        let row = sqlx::query(
            "SELECT request_hash, response FROM idempotency_keys WHERE agency_id = $1 AND idem_key = $2",
        )
        .bind(agency)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r: AnyRow| Ok((r.try_get("request_hash")?, r.try_get("response")?)))
            .transpose()
    }
}
