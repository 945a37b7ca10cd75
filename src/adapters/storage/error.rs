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

impl StorageError {
    /// Map a unique-constraint violation to [`StorageError::Duplicate`].
    pub(crate) fn from_insert(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StorageError::Duplicate,
            _ => StorageError::Database(e),
        }
    }
}
