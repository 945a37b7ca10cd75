//! The integration tests: one binary, one module per area.

mod bulk;
mod catalog;
mod common;
mod contract;
mod crash;
mod crypto;
mod holder_code;
mod http;
mod http_seals;
mod license;
mod ofd;
mod ops;
mod pki_issue;
mod pki_validate;
mod provinces;
mod seal;
mod seal_font;
mod serve_limits;
mod status_federation;
mod storage;
mod trust_list;
mod trust_list_node;
mod verify;
mod verify_api;
mod verify_status;
mod verify_sub;
