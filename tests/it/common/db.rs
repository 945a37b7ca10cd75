//! A store on one engine for a test: SQLite (a temp file) or PostgreSQL (a fresh schema
//! on the server at [`postgres_url`], dropped by [`TestDb::finish`]). PostgreSQL being
//! unreachable is a failure, not a skip.

use deltaseal::adapters::storage::Store;

/// The PostgreSQL server the storage tests use (`DELTASEAL_TEST_POSTGRES` overrides).
pub fn postgres_url() -> String {
    std::env::var("DELTASEAL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A store on one engine, cleaned up by [`TestDb::finish`].
pub struct TestDb {
    pub store: Store,
    pub location: String,
    pub schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(engine: &str) -> TestDb {
        match engine {
            "sqlite" => {
                let dir = tempfile::tempdir().unwrap();
                let location = dir.path().join("t.db").display().to_string();
                let store = Store::connect(&location).await.unwrap();
                TestDb {
                    store,
                    location,
                    schema: None,
                    _dir: Some(dir),
                }
            }
            "postgres" => {
                let schema = format!("it_{}", uuid::Uuid::new_v4().simple());
                let location = postgres_url();
                let store = Store::connect_with(&location, Some(&schema))
                    .await
                    .expect("PostgreSQL at 127.0.0.1:5432 must be reachable for the tests");
                TestDb {
                    store,
                    location,
                    schema: Some(schema),
                    _dir: None,
                }
            }
            other => panic!("unknown engine {other}"),
        }
    }

    /// A second, independent connection to the same database.
    pub async fn reopen(&self) -> Store {
        Store::connect_with(&self.location, self.schema.as_deref())
            .await
            .unwrap()
    }

    pub async fn finish(self) {
        if let Some(s) = &self.schema {
            self.store.drop_schema(s).await.unwrap();
        }
        self.store.close().await;
    }
}
