//! [`CertTemplate`]: every field of a certificate the project makes, explicit, with the
//! defaults of each role's profile ([`CertTemplate::for_role`]). Tests mutate a template
//! (drop keyCertSign, set pathLen, expire it, add an unknown critical extension) before
//! issuing it.
//!
//! Owns: the profile table (role → keyUsage, EKU, basicConstraints, extensions).
//! Must not touch: encoding or signing (see `issue`).

use super::{Province, Role};
use const_oid::ObjectIdentifier;
use time::OffsetDateTime;

/// One keyUsage bit (RFC 5280 section 4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyUsageBit {
    /// digitalSignature (bit 0)
    DigitalSignature,
    /// nonRepudiation / contentCommitment (bit 1)
    NonRepudiation,
    /// keyEncipherment (bit 2)
    KeyEncipherment,
    /// dataEncipherment (bit 3)
    DataEncipherment,
    /// keyAgreement (bit 4)
    KeyAgreement,
    /// keyCertSign (bit 5)
    KeyCertSign,
    /// cRLSign (bit 6)
    CrlSign,
}

impl KeyUsageBit {
    /// Every bit, in bit order.
    pub const ALL: [KeyUsageBit; 7] = [
        KeyUsageBit::DigitalSignature,
        KeyUsageBit::NonRepudiation,
        KeyUsageBit::KeyEncipherment,
        KeyUsageBit::DataEncipherment,
        KeyUsageBit::KeyAgreement,
        KeyUsageBit::KeyCertSign,
        KeyUsageBit::CrlSign,
    ];

    /// RFC 5280 name.
    pub fn name(self) -> &'static str {
        match self {
            KeyUsageBit::DigitalSignature => "digitalSignature",
            KeyUsageBit::NonRepudiation => "nonRepudiation",
            KeyUsageBit::KeyEncipherment => "keyEncipherment",
            KeyUsageBit::DataEncipherment => "dataEncipherment",
            KeyUsageBit::KeyAgreement => "keyAgreement",
            KeyUsageBit::KeyCertSign => "keyCertSign",
            KeyUsageBit::CrlSign => "cRLSign",
        }
    }
}

/// The subject name: `C=CN, ST=<province>, O=<organisation>, organizationIdentifier=<USCC>,
/// CN=<name>` (ST and organizationIdentifier only when set). C and organizationIdentifier
/// are PrintableString, the others UTF8String.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectName {
    /// Country (`CN`).
    pub country: String,
    /// Province: ST carries its Chinese name.
    pub province: Option<Province>,
    /// Organisation (O).
    pub organisation: String,
    /// Unified social credit code (organizationIdentifier, 2.5.4.97).
    pub uscc: Option<String>,
    /// Common name (CN).
    pub common_name: String,
}

impl SubjectName {
    /// A Chinese subject (`C=CN`).
    pub fn new(
        province: Option<Province>,
        organisation: impl Into<String>,
        uscc: Option<String>,
        common_name: impl Into<String>,
    ) -> Self {
        SubjectName {
            country: "CN".into(),
            province,
            organisation: organisation.into(),
            uscc,
            common_name: common_name.into(),
        }
    }
}

/// An extension added as given: `(oid, critical, DER value)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawExtension {
    /// extnID
    pub oid: ObjectIdentifier,
    /// critical flag
    pub critical: bool,
    /// extnValue contents (the DER of the extension's value)
    pub value: Vec<u8>,
}

/// Every field of a certificate to make. Extensions are written in this order:
/// basicConstraints (critical; `cA` omitted when FALSE, as DER requires), keyUsage
/// (critical), extKeyUsage, subjectKeyIdentifier, authorityKeyIdentifier,
/// certificatePolicies (demo policy), province, license types, then `extra_extensions`
/// (rcgen writes a non-CA's basicConstraints after its own extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertTemplate {
    /// Subject name.
    pub subject: SubjectName,
    /// Serial number, big-endian, positive, at most 20 bytes.
    pub serial: Vec<u8>,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint (CAs only).
    pub path_len: Option<u8>,
    /// keyUsage bits (the extension is omitted when empty).
    pub key_usage: Vec<KeyUsageBit>,
    /// extKeyUsage purposes (omitted when empty).
    pub extended_key_usage: Vec<ObjectIdentifier>,
    /// Write subjectKeyIdentifier (see [`super::ext::key_identifier`]).
    pub subject_key_id: bool,
    /// Write authorityKeyIdentifier (the issuer's key identifier).
    pub authority_key_id: bool,
    /// Province extension (non-critical).
    pub province_extension: Option<Province>,
    /// License types extension (non-critical; omitted when empty).
    pub license_types: Vec<String>,
    /// Demo policy in certificatePolicies.
    pub demo: bool,
    /// Further extensions, written last.
    pub extra_extensions: Vec<RawExtension>,
    /// Departures from the profile, for testing validators; none by default.
    pub deviations: Deviations,
}

/// Departures from RFC 5280 and the project's profiles a template may ask for, so that
/// tests can make the certificates a strict validator must refuse. Every field is off by
/// default; with any set, only the x509-cert builder is used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deviations {
    /// Write `serial` as the INTEGER's two's-complement content exactly as given (zero,
    /// negative or 21 octets allowed; more than 21 octets is refused by the encoder).
    pub raw_serial: bool,
    /// Write a v1 certificate (no version field), extensions and all.
    pub version_v1: bool,
    /// Write basicConstraints as non-critical.
    pub basic_constraints_non_critical: bool,
    /// Write basicConstraints `cA FALSE` explicitly instead of omitting the DEFAULT.
    pub explicit_ca_false: bool,
    /// Write an empty subject name.
    pub empty_subject: bool,
    /// The keyIdentifier written in authorityKeyIdentifier instead of the issuer's.
    pub authority_key_id: Option<Vec<u8>>,
    /// Add authorityCertIssuer (the issuer's name) and authorityCertSerialNumber (1) to
    /// authorityKeyIdentifier.
    pub authority_key_id_issuer_serial: bool,
    /// DER SubjectPublicKeyInfo written instead of the subject key's (any algorithm: RSA,
    /// DSA, P-192 made elsewhere); subjectKeyIdentifier is still taken from the subject key.
    pub subject_public_key_info: Option<Vec<u8>>,
}

impl Deviations {
    /// Whether any departure is asked for.
    pub fn any(&self) -> bool {
        *self != Deviations::default()
    }
}

impl CertTemplate {
    /// The profile of `role` (see the README's profile table):
    ///
    /// | role | basicConstraints | keyUsage | EKU |
    /// |---|---|---|---|
    /// | trust-list signer (self-signed) | CA:FALSE | digitalSignature | trust-list signing |
    /// | province root | CA:TRUE, pathLen 0 | keyCertSign, cRLSign | — |
    /// | issuing agency | CA:FALSE | digitalSignature, nonRepudiation | license signing |
    /// | seal authority | CA:FALSE | digitalSignature, nonRepudiation | seal making |
    /// | organisation signer | CA:FALSE | digitalSignature, nonRepudiation | document stamping |
    /// | show service | CA:FALSE | digitalSignature | show-token signing |
    ///
    /// Every profile has SKI; all but self-signed ones AKI; the province extension when the
    /// subject names a province; license types for agencies; the demo policy when `demo`.
    /// The serial is 16 random bytes.
    pub fn for_role(
        role: Role,
        subject: SubjectName,
        license_types: Vec<String>,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        demo: bool,
    ) -> Self {
        use KeyUsageBit::*;
        let key_usage = match role {
            Role::ProvinceRoot => vec![KeyCertSign, CrlSign],
            Role::TrustListSigner | Role::ShowService => vec![DigitalSignature],
            Role::IssuingAgency | Role::SealAuthority | Role::OrganisationSigner => {
                vec![DigitalSignature, NonRepudiation]
            }
        };
        let self_signed = matches!(role, Role::ProvinceRoot | Role::TrustListSigner);
        CertTemplate {
            province_extension: subject.province,
            subject,
            serial: random_serial(),
            not_before,
            not_after,
            is_ca: role.is_ca(),
            path_len: role.is_ca().then_some(0),
            key_usage,
            extended_key_usage: role.eku().into_iter().collect(),
            subject_key_id: true,
            authority_key_id: !self_signed,
            license_types: if role == Role::IssuingAgency {
                license_types
            } else {
                Vec::new()
            },
            demo,
            extra_extensions: Vec::new(),
            deviations: Deviations::default(),
        }
    }

    /// Check what both builders need: a positive serial of at most 20 bytes, notBefore
    /// before notAfter, pathLen only on CAs, non-empty CN and O.
    pub fn check(&self) -> Result<(), super::PkiError> {
        use super::PkiError::InvalidTemplate;
        let digits = self
            .serial
            .iter()
            .skip_while(|b| **b == 0)
            .collect::<Vec<_>>();
        let bad_serial =
            digits.is_empty() || digits.len() > 20 || (digits.len() == 20 && *digits[0] >= 0x80);
        if bad_serial && !self.deviations.raw_serial {
            return Err(InvalidTemplate(
                "serial must be positive and at most 20 bytes",
            ));
        }
        if self.not_before >= self.not_after {
            return Err(InvalidTemplate("notBefore must be before notAfter"));
        }
        if self.path_len.is_some() && !self.is_ca {
            return Err(InvalidTemplate("pathLen is only for CA certificates"));
        }
        let unnamed = self.subject.common_name.is_empty() || self.subject.organisation.is_empty();
        if unnamed && !self.deviations.empty_subject {
            return Err(InvalidTemplate("subject needs CN and O"));
        }
        Ok(())
    }
}

/// 16 random bytes, first byte in 0x01..=0x7f so the INTEGER is positive and minimal.
pub fn random_serial() -> Vec<u8> {
    use rand::RngCore;
    let mut s = vec![0u8; 16];
    rand::thread_rng().fill_bytes(&mut s);
    s[0] = (s[0] & 0x7f) | 0x01;
    s
}
