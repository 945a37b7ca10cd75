//! Object identifiers the project defines.
//!
//! The project's own arc is `1.3.6.1.4.1.61234.2026`: a placeholder private enterprise
//! arc for the demo deployment (the `const-oid` encoder cannot express the unregistered
//! `2.999` or `2.25` arcs). A production deployment registers its own IANA enterprise
//! number and changes it here — every project OID is defined in this file and nowhere else.

use const_oid::ObjectIdentifier;

/// Extension (non-critical): the license type codes an issuing agency may issue.
/// Value: `SEQUENCE OF PrintableString` (each a 21-character national type code).
pub const EXT_LICENSE_TYPES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.1.1");
/// Extension (non-critical): the administrative division code of the holder's province.
/// Value: `PrintableString` (`310000`, `320000`, `330000`, `340000`).
pub const EXT_PROVINCE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.1.2");

/// Extended key usage: signing the regional trust list.
pub const EKU_TRUST_LIST_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.2.1");
/// Extended key usage: signing e-licenses and e-proofs.
pub const EKU_LICENSE_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.2.2");
/// Extended key usage: making e-seals (signing SESeal).
pub const EKU_SEAL_MAKING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.2.3");
/// Extended key usage: stamping documents with an e-seal (signing SES_Signature).
pub const EKU_DOCUMENT_STAMPING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.2.4");
/// Extended key usage: signing show-license QR tokens.
pub const EKU_SHOW_TOKEN_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.2.5");

/// Certificate policy marking demo keys: never accepted by a production configuration.
pub const POLICY_DEMO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61234.2026.3.1");

/// Subject attribute organizationIdentifier (X.520), carrying the USCC.
pub const AT_ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");
