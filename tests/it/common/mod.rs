//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// Root of the package.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/` of the package (catalogue data, and samples and vectors made by other software).
pub fn fixtures() -> PathBuf {
    root().join("fixtures")
}

/// A fixed validation time for tests: 2026-06-01T00:00:00Z.
pub fn fixed_now() -> time::OffsetDateTime {
    time::macros::datetime!(2026-06-01 00:00 UTC)
}

/// Whether `openssl` is on PATH.
pub fn have_openssl() -> bool {
    std::process::Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Path to the built `deltaseal` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_deltaseal"))
}

/// The PostgreSQL server the storage tests use (`DELTASEAL_TEST_POSTGRES` overrides).
pub fn postgres_url() -> String {
    std::env::var("DELTASEAL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}
