//! GB/T 36903 license metadata and how it is placed in a credential's claims.
//!
//! Every metadata field becomes one top-level claim (each individually disclosable):
//!
//! | GB/T 36903 | claim |
//! |---|---|
//! | 证照标识 identifier | `license_id` |
//! | 证照类型代码 / 名称 type code / name | `license_type_code`, `license_type_name` |
//! | 证照编号 license number | `license_number` |
//! | 证照名称 name | `license_name` |
//! | 发证机构 / 代码 issuing agency / code | `issuer_name`, `issuer_code` |
//! | 发证日期 issue date | `issue_date` |
//! | 证照定义机构 / 代码 defining agency / code | `definer_name`, `definer_code` |
//! | 有效期起始 / 截止 validity from / to | `valid_from`, `valid_to` (absent: no expiry) |
//! | 颁发机构行政区划代码 jurisdiction code | `jurisdiction_code` |
//! | 持证主体 / 代码 / 代码类型 holder / code / code type | `holder`, `holder_code`, `holder_code_type` |
//! | 证照状态 status | not a claim: the credential's `status` claim points into the agency's status list |
//!
//! Dates are `YYYY-MM-DD`.

use super::{Identifier, LicenseError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;

/// Longest license number, name, issuer name, holder or holder code, bytes.
pub const MAX_TEXT_BYTES: usize = 1024;

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// The kind of code identifying the holder (GB/T 36903, after GA/T 517).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HolderCodeType {
    /// 111: citizen identity number (居民身份证).
    #[serde(rename = "111")]
    CitizenId,
    /// 414: passport number (普通护照).
    #[serde(rename = "414")]
    Passport,
    /// 001: unified social credit code (统一社会信用代码).
    #[serde(rename = "001")]
    Uscc,
}

impl HolderCodeType {
    /// The three-digit code.
    pub fn code(self) -> &'static str {
        match self {
            HolderCodeType::CitizenId => "111",
            HolderCodeType::Passport => "414",
            HolderCodeType::Uscc => "001",
        }
    }
}

/// GB/T 36903 metadata of one license or proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// GB/T 36904 identifier.
    pub identifier: Identifier,
    /// National type code (a local code the license was issued under is carried
    /// beside it, see [`super::sdjwt::LOCAL_TYPE_CODE`]).
    pub type_code: String,
    /// Type name (Chinese).
    pub type_name: String,
    /// The number printed on the license (证照编号).
    pub license_number: String,
    /// The license's name (证照名称), normally the type name.
    pub license_name: String,
    /// Issuing agency name.
    pub issuer_name: String,
    /// Issuing agency USCC.
    pub issuer_code: String,
    /// Issue date.
    #[serde(with = "ymd")]
    pub issue_date: Date,
    /// Defining authority name.
    pub definer_name: String,
    /// Defining authority USCC.
    pub definer_code: String,
    /// First day of validity.
    #[serde(with = "ymd")]
    pub valid_from: Date,
    /// Last day of validity; `None`: no expiry.
    #[serde(with = "ymd::option")]
    pub valid_to: Option<Date>,
    /// Administrative division code of the issuing jurisdiction (6 digits).
    pub jurisdiction_code: String,
    /// Holder's name.
    pub holder: String,
    /// Holder's code.
    pub holder_code: String,
    /// Kind of holder code.
    pub holder_code_type: HolderCodeType,
}

fn date_str(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl Metadata {
    /// Check consistency: identifier matches type and issuer codes, validity in order,
    /// jurisdiction a 6-digit code, no empty names.
    pub fn check(&self) -> Result<(), LicenseError> {
        if self.identifier.type_code() != self.type_code {
            return Err(LicenseError::BadMetadata(
                "identifier type code differs from type_code",
            ));
        }
        if self.identifier.issuer_code() != self.issuer_code {
            return Err(LicenseError::BadMetadata(
                "identifier issuer code differs from issuer_code",
            ));
        }
        let plausible = |d: Date| (1900..=2200).contains(&d.year());
        if !plausible(self.valid_from)
            || !plausible(self.issue_date)
            || self.valid_to.is_some_and(|d| !plausible(d))
        {
            return Err(LicenseError::BadMetadata(
                "dates must lie in the years 1900-2200",
            ));
        }
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            return Err(LicenseError::BadMetadata("valid_to is before valid_from"));
        }
        if self.jurisdiction_code.len() != 6
            || !self.jurisdiction_code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(LicenseError::BadMetadata(
                "jurisdiction_code is not 6 digits",
            ));
        }
        let texts = [
            &self.license_number,
            &self.license_name,
            &self.issuer_name,
            &self.holder,
            &self.holder_code,
        ];
        if texts
            .iter()
            .any(|t| t.trim().is_empty() || t.len() > MAX_TEXT_BYTES)
        {
            return Err(LicenseError::BadMetadata(
                "license number, name, issuer name, holder and holder code must be 1-1024 bytes",
            ));
        }
        super::check_holder_code(self.holder_code_type, &self.holder_code)?;
        Ok(())
    }

    /// The claims this metadata contributes to a credential (see the module table).
    pub fn to_claims(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_owned(), Value::String(v));
        };
        put("license_id", self.identifier.to_string());
        put("license_type_code", self.type_code.clone());
        put("license_type_name", self.type_name.clone());
        put("license_number", self.license_number.clone());
        put("license_name", self.license_name.clone());
        put("issuer_name", self.issuer_name.clone());
        put("issuer_code", self.issuer_code.clone());
        put("issue_date", date_str(self.issue_date));
        put("definer_name", self.definer_name.clone());
        put("definer_code", self.definer_code.clone());
        put("valid_from", date_str(self.valid_from));
        if let Some(to) = self.valid_to {
            put("valid_to", date_str(to));
        }
        put("jurisdiction_code", self.jurisdiction_code.clone());
        put("holder", self.holder.clone());
        put("holder_code", self.holder_code.clone());
        put("holder_code_type", self.holder_code_type.code().to_owned());
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_round_trip_with_plain_dates() {
        let m = Metadata {
            identifier: Identifier::new("11100000000019713D001", "113100000024280004", "A1", 1)
                .unwrap(),
            type_code: "11100000000019713D001".into(),
            type_name: "居民身份证".into(),
            license_number: "A1".into(),
            license_name: "居民身份证".into(),
            issuer_name: "上海市公安局".into(),
            issuer_code: "113100000024280004".into(),
            issue_date: time::macros::date!(2026 - 06 - 01),
            definer_name: "中华人民共和国公安部".into(),
            definer_code: "11100000000019713D".into(),
            valid_from: time::macros::date!(2026 - 06 - 01),
            valid_to: None,
            jurisdiction_code: "310000".into(),
            holder: "张三".into(),
            holder_code: "310101199003070019".into(),
            holder_code_type: HolderCodeType::CitizenId,
        };
        m.check().unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["issue_date"], "2026-06-01");
        assert_eq!(json["holder_code_type"], "111");
        assert_eq!(serde_json::from_value::<Metadata>(json).unwrap(), m);
        let claims = m.to_claims();
        assert_eq!(claims["valid_from"], "2026-06-01");
        assert!(!claims.contains_key("valid_to"));
    }
}
