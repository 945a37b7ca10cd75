//! The integration tests: one binary, one module per area.

mod catalog;
mod common;
mod crash;
mod crypto;
mod fuzz_regressions;
mod http;
mod http_seals;
mod license;
mod ofd;
mod pki_issue;
mod pki_validate;
mod provinces;
mod seal;
mod status_federation;
mod storage;
mod trust_list;
mod trust_list_node;
mod verify;
mod verify_status;
mod verify_sub;
