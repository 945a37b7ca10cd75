//! deltaseal — electronic licenses, proofs and seals for the Yangtze River Delta.
//!
//! Domain modules (no transport, no storage, no async runtime; time is an argument,
//! keys are reached through [`crypto::Signer`]):
//! - [`crypto`]: signature algorithms (P-256, SM2), digests, keys, the [`crypto::Signer`] trait.
//! - [`pki`]: certificate profiles and issuance, CRLs, typed trust anchors
//!   ([`pki::TrustAnchors`]) and RFC 5280 path validation.
//! - [`jose`]: compact JWS shared by every signed JSON artifact, and request tokens
//!   (making and checking them).
//! - [`catalog`]: the catalogue of license and proof types and its schemas.
//! - [`license`]: identifiers, metadata, SD-JWT VC licenses and proofs, status lists,
//!   the e-proof flow.
//! - [`seal`]: GB/T 38540 seals and stamps, and OFD documents carrying them.
//! - [`federation`]: the signed calls between provinces' nodes (making and checking them).
//! - [`holder`]: holders signing in with OpenID Connect ID tokens, and the demo provider.
//! - [`consent`]: holders' consents to agencies' fetching their licenses, and the accesses
//!   made under them.
//! - [`report`]: the one verification report model every verifier returns.
//! - [`trust_list`]: the signed regional trust list and the anchors it yields.
//! - [`verify`]: the one verification engine — any artifact, under the trust list and a policy.
//! - [`archive`]: the tamper-evident archive log (RFC 9162 Merkle tree, signed
//!   checkpoints, witnesses' cosignatures).
//!
//! Use cases ([`service`]): issue, change status, decide proofs, make and stamp seals,
//! hold other nodes' status and seal revocation lists —
//! each once, over the domain and narrow storage traits, called by the HTTP handlers
//! and the CLI alike.
//!
//! Adapters ([`adapters`]): CLI, HTTP, storage, configuration and the key store; they
//! only call into the use cases and the domain.
#![forbid(unsafe_code)]

pub mod adapters;
pub mod archive;
pub mod catalog;
pub mod consent;
pub mod crypto;
pub mod federation;
pub mod holder;
pub mod jose;
pub mod license;
pub mod pki;
pub mod qr;
pub mod report;
pub mod seal;
pub mod service;
pub mod show;
pub mod trust_list;
pub mod verify;
