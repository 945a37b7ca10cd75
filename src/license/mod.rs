//! E-licenses and e-proofs: identifiers, metadata, SD-JWT VC credentials, status lists
//! and the e-proof flow.
//!
//! Owns: GB/T 36904 identifiers ([`Identifier`], MOD 37,36 check), GB/T 36903 metadata
//! ([`Metadata`]), issuing and verifying SD-JWT VCs ([`Agency::issue`],
//! [`sdjwt::verify`], [`sdjwt::present`]), Token Status Lists ([`StatusList`],
//! [`StatusListToken`]) and proof requests ([`ProofRequest`]).
//! Must not touch: storage, HTTP, async runtimes, files, clocks — time is an argument,
//! keys are reached through [`crate::crypto::Signer`].
//!
//! The adapters' path: build an [`Agency`] from a signer and its chain; load the
//! [`crate::catalog::Catalog`]; allocate a serial and a status index; call
//! [`Agency::issue`] (or [`Agency::prepare`] + [`sdjwt::Prepared::complete`] for a remote
//! signer); store the [`sdjwt::Credential`]. Status changes go through
//! [`StatusList::suspend`] / [`StatusList::reinstate`] / [`StatusList::revoke`], then a new
//! [`StatusListToken::sign`].

mod agency;
mod error;
pub mod holder_code;
pub mod identifier;
pub mod metadata;
pub mod proof;
pub mod sdjwt;
pub mod status;

pub use agency::Agency;
pub use error::LicenseError;
pub use holder_code::{check_holder_code, HolderCodeError};
pub use identifier::Identifier;
pub use metadata::{HolderCodeType, Metadata};
pub use proof::{ProofRequest, ProofState};
pub use sdjwt::{Credential, IssueRequest, StatusRef};
pub use status::{Status, StatusChange, StatusList, StatusListToken};
