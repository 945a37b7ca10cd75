//! The Yangtze River Delta PKI: certificate profiles, issuance, path validation, CRLs.
//!
//! Owns: what each role's certificate looks like (profile), how certificates and CRLs
//! are made (rcgen for P-256 issuers and subjects, x509-cert's builder when SM2 is
//! involved), and RFC 5280 path validation over x509-parser producing a [`crate::report::Report`].
//! Must not touch: files, network, clocks — validation time is an argument.

pub mod oids;
pub mod profile;
pub mod validate;

pub use profile::{CertInfo, Province, Role};
