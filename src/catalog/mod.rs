//! The catalogue of license and proof types (电子证照目录).
//!
//! Owns: the type model ([`LicenseType`]: national type code, names, class, field
//! schema, default validity, provincial codes, defining authority), loading it from
//! JSON ([`Catalog::from_json`]; the committed catalogue is `fixtures/catalog/types.json`,
//! read by the adapters), validation of a claims object against a type's schema
//! ([`LicenseType::validate_claims`]) and the unified social credit code check
//! ([`uscc`]).
//! Must not touch: files, network, clocks, keys — callers pass the JSON text in.
//!
//! ```
//! let json = include_str!("../../fixtures/catalog/types.json");
//! let catalog = deltaseal::catalog::Catalog::from_json(json).unwrap();
//! let id_card = catalog.get("11100000000019713D001").unwrap();
//! assert_eq!(id_card.name_en, "Resident Identity Card");
//! ```

mod error;
mod model;
pub mod uscc;
mod validate;

pub use error::{CatalogError, ClaimsError};

/// The committed catalogue (`fixtures/catalog/types.json`) as JSON text, built in;
/// [`Catalog::from_json`] reads it.
pub const BUILTIN_JSON: &str = include_str!("../../fixtures/catalog/types.json");
pub use model::{
    is_type_code, Authority, Catalog, FieldSpec, FieldType, LicenseClass, LicenseType,
};

/// Claim names the credential itself uses (metadata and JWT claims); no field of a
/// type's schema may take one of them.
pub const RESERVED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "iat",
    "nbf",
    "exp",
    "jti",
    "vct",
    "cnf",
    "status",
    "_sd",
    "_sd_alg",
    "license_id",
    "license_type_code",
    "license_type_name",
    "license_number",
    "license_name",
    "issuer_name",
    "issuer_code",
    "issue_date",
    "definer_name",
    "definer_code",
    "valid_from",
    "valid_to",
    "jurisdiction_code",
    "holder",
    "holder_code",
    "holder_code_type",
    "purpose",
];
