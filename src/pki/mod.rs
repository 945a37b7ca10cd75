//! The Yangtze River Delta PKI: certificate profiles, issuance, path validation, CRLs.
//!
//! Owns: what each role's certificate looks like (profile), how certificates and CRLs
//! are made (rcgen for P-256 issuers and subjects, x509-cert's builder when SM2 is
//! involved), trust anchors typed by purpose ([`TrustAnchors`]), and RFC 5280 path
//! validation over x509-parser producing a [`crate::report::Report`].
//! Must not touch: files, network, clocks — validation time is an argument.

mod build_rcgen;
mod build_x509;
pub mod crl;
pub mod demo;
mod error;
pub mod ext;
mod info;
pub mod issue;
pub mod manifest;
pub mod oids;
pub mod pem;
pub mod profile;
pub mod template;
pub mod trust;
pub mod validate;

pub use crl::{issue_crl, issue_crl_with, CrlDeviations, RevocationReason, RevokedEntry};
pub use error::PkiError;
pub use info::CertSummary;
pub use issue::{issue, issue_with, CertBuilder, Issuer};
pub use manifest::{Manifest, ManifestEntry};
pub use profile::{CertInfo, Province, Role};
pub use template::{CertTemplate, Deviations, KeyUsageBit, RawExtension, SubjectName};
pub use trust::{TrustAnchor, TrustAnchors};
