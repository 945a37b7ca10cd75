//! Adapters: the only code that touches the outside world (command line, files,
//! network, databases). Each is thin and calls into the domain modules.

pub mod cli;
pub mod config;
pub mod http;
pub mod keystore;
pub mod storage;
