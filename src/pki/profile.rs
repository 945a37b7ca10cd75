//! The roles of the YRD hierarchy and what a certificate says about its holder.

use serde::{Deserialize, Serialize};

/// A province of the Yangtze River Delta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Province {
    /// Shanghai 上海市, 310000
    #[serde(rename = "SH")]
    Shanghai,
    /// Jiangsu 江苏省, 320000
    #[serde(rename = "JS")]
    Jiangsu,
    /// Zhejiang 浙江省, 330000
    #[serde(rename = "ZJ")]
    Zhejiang,
    /// Anhui 安徽省, 340000
    #[serde(rename = "AH")]
    Anhui,
}

impl Province {
    /// All four, in code order.
    pub const ALL: [Province; 4] = [
        Province::Shanghai,
        Province::Jiangsu,
        Province::Zhejiang,
        Province::Anhui,
    ];

    /// Two-letter abbreviation: SH, JS, ZJ, AH.
    pub fn abbrev(self) -> &'static str {
        match self {
            Province::Shanghai => "SH",
            Province::Jiangsu => "JS",
            Province::Zhejiang => "ZJ",
            Province::Anhui => "AH",
        }
    }

    /// Administrative division code (GB/T 2260).
    pub fn division_code(self) -> &'static str {
        match self {
            Province::Shanghai => "310000",
            Province::Jiangsu => "320000",
            Province::Zhejiang => "330000",
            Province::Anhui => "340000",
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Province::Shanghai => "上海市",
            Province::Jiangsu => "江苏省",
            Province::Zhejiang => "浙江省",
            Province::Anhui => "安徽省",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Province::Shanghai => "Shanghai",
            Province::Jiangsu => "Jiangsu",
            Province::Zhejiang => "Zhejiang",
            Province::Anhui => "Anhui",
        }
    }

    /// From abbreviation or division code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| {
            p.abbrev().eq_ignore_ascii_case(s) || p.division_code() == s || p.name_zh() == s
        })
    }
}

/// The role a certificate is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The regional trust-list signer (self-signed, pinned by every node).
    TrustListSigner,
    /// A province root CA.
    ProvinceRoot,
    /// An issuing agency (signs e-licenses and e-proofs of its authorised types).
    IssuingAgency,
    /// A seal authority (makes e-seals).
    SealAuthority,
    /// An organisation signer (stamps documents with a seal that lists it).
    OrganisationSigner,
    /// The show-license service (signs holders' QR tokens).
    ShowService,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::TrustListSigner,
        Role::ProvinceRoot,
        Role::IssuingAgency,
        Role::SealAuthority,
        Role::OrganisationSigner,
        Role::ShowService,
    ];

    /// Name used in the manifest and CLI (`issuing-agency`, …).
    pub fn name(self) -> &'static str {
        match self {
            Role::TrustListSigner => "trust-list-signer",
            Role::ProvinceRoot => "province-root",
            Role::IssuingAgency => "issuing-agency",
            Role::SealAuthority => "seal-authority",
            Role::OrganisationSigner => "organisation-signer",
            Role::ShowService => "show-service",
        }
    }

    /// Parse [`Role::name`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == s)
    }

    /// The extended key usage a leaf of this role carries (None for the root CA).
    pub fn eku(self) -> Option<const_oid::ObjectIdentifier> {
        use super::oids::*;
        match self {
            Role::TrustListSigner => Some(EKU_TRUST_LIST_SIGNING),
            Role::ProvinceRoot => None,
            Role::IssuingAgency => Some(EKU_LICENSE_SIGNING),
            Role::SealAuthority => Some(EKU_SEAL_MAKING),
            Role::OrganisationSigner => Some(EKU_DOCUMENT_STAMPING),
            Role::ShowService => Some(EKU_SHOW_TOKEN_SIGNING),
        }
    }

    /// Whether certificates of this role are CAs.
    pub fn is_ca(self) -> bool {
        matches!(self, Role::ProvinceRoot)
    }
}

/// What a certificate says about its holder, read from its subject and extensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// Subject CN.
    pub common_name: Option<String>,
    /// Subject O.
    pub organisation: Option<String>,
    /// Unified social credit code (subject organizationIdentifier).
    pub uscc: Option<String>,
    /// Province (from the province extension).
    pub province: Option<Province>,
    /// Role, inferred from EKU and basicConstraints.
    pub role: Option<Role>,
    /// License type codes the holder may issue (issuing agencies only).
    pub license_types: Vec<String>,
    /// Whether the certificate carries the demo policy.
    pub demo: bool,
}
