//! The test kit shared by the integration tests: paths and tools here, and by job
//! [`db`] (a store on each engine), [`pki`] (demo keys, PEM, test hierarchies),
//! [`node`] (the node and router the way the server builds them), [`http`]
//! (request tokens, driving a router, problem+json) and [`four_nodes`] (the four
//! provincial nodes on loopback).
#![allow(dead_code)]

pub mod db;
pub mod four_nodes;
pub mod http;
pub mod node;
pub mod pki;

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
