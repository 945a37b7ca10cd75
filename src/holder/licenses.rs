//! A holder's license as the holder's pages and the federation answer show it: what the
//! credential says (type, issuer, number, validity, every claim the holder may choose
//! to disclose), where it was issued (the province whose trust-list entry lists the
//! issuing agency) and its status as the issuing node holds it.

use crate::license::sdjwt::SdJwt;
use crate::license::{HolderCodeType, LicenseError, Status};
use crate::pki::Province;
use crate::trust_list::TrustList;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Most licenses one node reports for one holder.
pub const MAX_LICENSES_PER_HOLDER: usize = 200;

/// One license of a holder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolderLicense {
    /// GB/T 36904 identifier.
    pub identifier: String,
    /// The issuing province.
    pub province: Province,
    /// Its name, Chinese.
    pub province_name_zh: String,
    /// Its name, English.
    pub province_name_en: String,
    /// The type code the credential carries.
    pub type_code: String,
    /// The type name (the credential's).
    pub type_name: String,
    /// The regional catalogue's English name of the common type, when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_name_en: Option<String>,
    /// The issuing agency's USCC.
    pub issuer_code: String,
    /// Its name, Chinese (the credential's).
    pub issuer_name: String,
    /// Its name, English (the trust list's), when listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_name_en: Option<String>,
    /// The number printed on the license.
    pub license_number: String,
    /// First day of validity (`YYYY-MM-DD`).
    pub valid_from: String,
    /// Last day of validity; none: no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// `valid`, `suspended` or `revoked`, as the issuing node holds it.
    pub status: String,
    /// Every selectively disclosable claim with its value (the holder's own data).
    pub claims: Map<String, Value>,
    /// The credential (SD-JWT with every disclosure): carried between nodes so the
    /// holder's node can present it; never in the holder's page answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// The claims of a credential's disclosures (nothing verified: the credential is one
/// this node's store holds, or a peer answered over a signed call).
pub fn disclosed_claims(credential: &str) -> Result<Map<String, Value>, LicenseError> {
    let sd = SdJwt::parse(credential)?;
    Ok(sd
        .disclosures
        .into_iter()
        .map(|d| (d.name, d.value))
        .collect())
}

/// Whether a credential's claims name this holder.
pub fn is_holders(claims: &Map<String, Value>, code: &str, kind: HolderCodeType) -> bool {
    claims.get("holder_code").and_then(Value::as_str) == Some(code)
        && claims.get("holder_code_type").and_then(Value::as_str) == Some(kind.code())
}

/// Summarise a stored license for its holder under the trust list `list`; `None` when
/// its issuing agency is not listed by any province.
pub fn summarise(
    identifier: &str,
    status: Status,
    credential: &str,
    list: &TrustList,
) -> Result<Option<HolderLicense>, LicenseError> {
    let claims = disclosed_claims(credential)?;
    let s = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let issuer_code = s("issuer_code");
    let Some((entry, agency)) = list.provinces.iter().find_map(|p| {
        p.issuing_agencies
            .iter()
            .find(|a| a.uscc == issuer_code)
            .map(|a| (p, a))
    }) else {
        return Ok(None);
    };
    let type_code = s("license_type_code");
    let type_name_en = list.common_type(&type_code).map(|(t, _)| t.name_en.clone());
    Ok(Some(HolderLicense {
        identifier: identifier.to_string(),
        province: entry.code,
        province_name_zh: entry.name_zh.clone(),
        province_name_en: entry.name_en.clone(),
        type_name: s("license_type_name"),
        type_name_en,
        type_code,
        issuer_name: s("issuer_name"),
        issuer_name_en: Some(agency.name_en.clone()),
        issuer_code,
        license_number: s("license_number"),
        valid_from: s("valid_from"),
        valid_to: claims
            .get("valid_to")
            .and_then(Value::as_str)
            .map(str::to_string),
        status: status.name().to_string(),
        claims,
        credential: Some(credential.to_string()),
    }))
}
