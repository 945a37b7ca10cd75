//! Adapters: the only code that touches the outside world (command line, files,
//! network, databases). Each is thin and calls into the use cases and the domain.
//!
//! - [`cli`]: the `deltaseal` command (clap);
//! - [`http`]: the node's API (axum): one state, one router, one error map;
//! - [`storage`]: SQLite and PostgreSQL (sqlx), one migration set;
//! - [`config`]: the node's configuration (defaults, file, environment);
//! - [`province`]: a province node's defaults (database, listen address, base URL);
//! - [`federation`]: calls to other nodes (polling a peer's trust list, fetching status
//!   lists and seal revocation lists for verification);
//! - [`keystore`]: the key directory (`keys/`, its manifest, signers).
//!
//! Must not touch: credential, seal and OFD formats or cryptography (the domain's).
//! Adapters do not call one another's internals: the CLI never imports [`http`] except
//! `serve`, which starts its router.

pub mod cli;
pub mod config;
pub mod federation;
pub mod http;
pub mod idp;
pub mod keystore;
pub mod province;
pub mod signed_calls;
pub mod storage;
pub mod witness;
