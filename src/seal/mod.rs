//! Electronic seals and stamps (GB/T 38540-2020, GM/T 0031).
//!
//! Owns: the ASN.1 structures ([`asn1`]), making seals ([`make`]), the seal picture,
//! detached stamps over any file ([`stamp`]), the verification of seals and stamps
//! ([`verify`]), each returning a [`crate::report::Report`], and — in its own
//! submodule [`ofd`] — OFD documents carrying those stamps.
//! Layering: [`ofd`] builds on the seal core; the core (`asn1`, `make`, `stamp`,
//! `verify`, `picture`) never reaches into [`ofd`] and knows nothing of zip or XML.
//! Must not touch: files, network, clocks — callers pass bytes and the time in.

pub mod asn1;
pub mod cert;
mod error;
pub mod make;
pub mod ofd;
pub mod picture;
pub mod revocation;
pub mod stamp;
pub mod verify;

pub use asn1::{CertList, Seal, SealVersion, Stamp};
pub use error::SealError;
pub use revocation::{RevocationReason, SealRevocation, SealRevocationList, SignedRevocations};
pub use verify::{
    verify_detached, verify_embedded, verify_seal, verify_stamp, SealTrust, SignedData,
};
