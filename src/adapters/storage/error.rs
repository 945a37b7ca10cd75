//! The storage error type.

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// No such row.
    #[error("not found")]
    NotFound,
    /// The row belongs to another agency.
    #[error("owned by another agency")]
    NotOwner,
    /// The requested state change is not allowed from the current state.
    #[error("not allowed from state {current}")]
    InvalidTransition {
        /// the state the row is in
        current: String,
    },
    /// A unique key (identifier, idempotency key) is already taken.
    #[error("already exists")]
    Duplicate,
    /// A stored value could not be decoded.
    #[error("stored data is corrupt: {0}")]
    Corrupt(&'static str),
    /// A schema name that is not a plain identifier.
    #[error("schema name must be letters, digits and _")]
    InvalidSchema,
}

/// SQLite result codes (primary, and the extended codes of the same families) and
/// PostgreSQL SQLSTATEs that mean "busy now, try again": SQLITE_BUSY, SQLITE_LOCKED;
/// lock_not_available, serialization_failure, deadlock_detected, too_many_connections,
/// admin/crash shutdown, cannot_connect_now.
const RETRYABLE: &[&str] = &[
    "5", "6", "261", "262", "517", "55P03", "40001", "40P01", "53300", "57P01", "57P02", "57P03",
];

impl StorageError {
    /// Whether the database is unreachable or busy just now (a retry may succeed), as
    /// opposed to a fault in the request or the data.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StorageError::Connect(_) => true,
            StorageError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_),
            ) => true,
            StorageError::Database(sqlx::Error::Database(d)) => {
                d.code().is_some_and(|c| RETRYABLE.contains(&c.as_ref()))
            }
            _ => false,
        }
    }

    /// Map a unique-constraint violation to [`StorageError::Duplicate`].
    pub(crate) fn from_insert(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StorageError::Duplicate,
            _ => StorageError::Database(e),
        }
    }
}
