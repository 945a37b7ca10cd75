//! The regional trust list: who each province vouches for, signed by the YRD trust-list
//! signer.
//!
//! A JSON document ([`TrustList`]): sequence number, issue time, next update; per
//! province its code, names, root certificates, node base URL, issuing agencies
//! (certificate fingerprints and the type codes each may issue), seal authorities and
//! show-license services; and the regional catalogue mapping each province's local type
//! codes onto the common types. It travels as a compact JWS ([`sign`]) whose `x5c`
//! names the signer; a verifier pins the signer's certificate and refuses a bad
//! signature, a lower sequence than the one it holds, and a list past its next update
//! plus a grace ([`verify`]).
//!
//! Owns: the list's model, building it from a key manifest and the catalogue, signing
//! and verifying it, and the trust anchors it yields.
//! Must not touch: files, network, clocks — callers pass bytes and the time in.

mod build;
mod error;
mod model;
mod report;
mod verify;

pub use build::{build, BuildOptions, Listed};
pub use error::TrustListError;
pub use model::{
    fingerprint, AgencyEntry, CertEntry, LocalCode, PartyEntry, ProvinceEntry, TrustList,
    TypeMapping, FORMAT_VERSION,
};
pub use report::verify_report;
pub use verify::{sign, verify, VerifiedTrustList, VerifyOptions, TYP};
