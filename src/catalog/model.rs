//! The catalogue's types and loading.

use super::{uscc, CatalogError, RESERVED_CLAIMS};
use crate::pki::Province;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Largest catalogue text accepted (bytes).
pub const MAX_CATALOG_BYTES: usize = 4 * 1024 * 1024;

/// Whether a type is a license (证照) or a proof (证明).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LicenseClass {
    /// A license (电子证照): long-lived.
    License,
    /// A proof (电子证明): short-lived, issued on request for a stated purpose.
    Proof,
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A calendar date, JSON string `YYYY-MM-DD`.
    Date,
    /// A JSON number.
    Number,
    /// A JSON integer.
    Integer,
    /// A JSON boolean.
    Boolean,
    /// A JSON string from the field's `values` list.
    Enum,
}

/// One field of a type's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Claim name (snake_case ASCII).
    pub name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Whether an issuance must carry it.
    pub required: bool,
    /// Whether it is personal data (PIPL): shown only when the holder chooses.
    pub personal: bool,
    /// Label in Chinese.
    pub label_zh: String,
    /// Label in English.
    pub label_en: String,
    /// Allowed values of an enum field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// A defining authority (制证/定义单位): the national body that defines a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// Its unified social credit code (18 characters).
    pub code: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
}

/// A license or proof type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseType {
    /// National type code: the defining authority's USCC + 3 digits (21 characters).
    pub code: String,
    /// Name in Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// License or proof.
    pub class: LicenseClass,
    /// USCC of the defining authority.
    pub authority: String,
    /// Default validity in days from issuance; `None` means no fixed expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_days: Option<u32>,
    /// Field schema.
    pub fields: Vec<FieldSpec>,
    /// Provincial type codes where a province uses its own code, keyed by the
    /// province abbreviation (`SH`, `JS`, `ZJ`, `AH`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub local_codes: BTreeMap<String, String>,
}

impl LicenseType {
    /// The code a province uses for this type (its local code, else the national one).
    pub fn code_in(&self, province: Province) -> &str {
        self.local_codes
            .get(province.abbrev())
            .map(String::as_str)
            .unwrap_or(&self.code)
    }

    /// The province that uses `code` as its own code for this type (`None` for the
    /// national code or a code not of this type).
    pub fn local_province(&self, code: &str) -> Option<Province> {
        self.local_codes
            .iter()
            .find(|(_, c)| c.as_str() == code)
            .and_then(|(p, _)| Province::parse(p))
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogDoc {
    version: u32,
    authorities: Vec<Authority>,
    types: Vec<LicenseType>,
}

/// The catalogue: every known type, looked up by national or provincial code.
#[derive(Debug, Clone)]
pub struct Catalog {
    version: u32,
    authorities: Vec<Authority>,
    types: Vec<LicenseType>,
    by_code: HashMap<String, usize>,
}

/// Whether `code` is 18 USCC characters followed by 3 ASCII digits.
pub fn is_type_code(code: &str) -> bool {
    code.len() == 21
        && uscc::is_well_formed(&code[..18])
        && code[18..].bytes().all(|b| b.is_ascii_digit())
}

impl Catalog {
    /// Parse and check a catalogue document (the JSON of `fixtures/catalog/types.json`).
    pub fn from_json(text: &str) -> Result<Self, CatalogError> {
        if text.len() > MAX_CATALOG_BYTES {
            return Err(CatalogError::TooLarge(text.len()));
        }
        let doc: CatalogDoc = serde_json::from_str(text)?;
        let mut authority_codes = HashSet::new();
        for a in &doc.authorities {
            if !uscc::is_valid(&a.code) {
                return Err(CatalogError::BadAuthority {
                    code: a.code.clone(),
                });
            }
            authority_codes.insert(a.code.as_str());
        }
        let mut by_code = HashMap::new();
        for (i, t) in doc.types.iter().enumerate() {
            check_type(t, &authority_codes)?;
            for code in std::iter::once(&t.code).chain(t.local_codes.values()) {
                if !is_type_code(code) {
                    return Err(CatalogError::BadTypeCode { code: code.clone() });
                }
                if by_code.insert(code.clone(), i).is_some() {
                    return Err(CatalogError::DuplicateCode { code: code.clone() });
                }
            }
        }
        Ok(Catalog {
            version: doc.version,
            authorities: doc.authorities,
            types: doc.types,
            by_code,
        })
    }

    /// The document's version number.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Every type, in catalogue order.
    pub fn types(&self) -> &[LicenseType] {
        &self.types
    }

    /// Every defining authority.
    pub fn authorities(&self) -> &[Authority] {
        &self.authorities
    }

    /// The defining authority with this USCC.
    pub fn authority(&self, code: &str) -> Option<&Authority> {
        self.authorities.iter().find(|a| a.code == code)
    }

    /// The type with this national or provincial code.
    pub fn get(&self, code: &str) -> Option<&LicenseType> {
        self.by_code.get(code).map(|&i| &self.types[i])
    }

    /// Number of types.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether the catalogue has no types.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

fn check_type(t: &LicenseType, authorities: &HashSet<&str>) -> Result<(), CatalogError> {
    if !is_type_code(&t.code) {
        return Err(CatalogError::BadTypeCode {
            code: t.code.clone(),
        });
    }
    if !authorities.contains(t.authority.as_str()) || !t.code.starts_with(&t.authority) {
        return Err(CatalogError::UnknownAuthority {
            code: t.code.clone(),
        });
    }
    if let Some(p) = t
        .local_codes
        .keys()
        .find(|p| Province::ALL.iter().all(|q| q.abbrev() != p.as_str()))
    {
        return Err(CatalogError::BadField {
            code: t.code.clone(),
            field: p.clone(),
            problem: "local code keyed by something other than SH, JS, ZJ, AH",
        });
    }
    let mut seen = HashSet::new();
    for f in &t.fields {
        let bad = |problem| CatalogError::BadField {
            code: t.code.clone(),
            field: f.name.clone(),
            problem,
        };
        let name_ok = !f.name.is_empty()
            && f.name.len() <= 64
            && f.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(bad("name must be 1-64 characters of a-z, 0-9, _"));
        }
        if RESERVED_CLAIMS.contains(&f.name.as_str()) {
            return Err(bad("name is reserved for credential metadata"));
        }
        if !seen.insert(f.name.as_str()) {
            return Err(bad("field defined twice"));
        }
        if (f.field_type == FieldType::Enum) == f.values.is_empty() {
            return Err(bad("values are required for enum fields and only for them"));
        }
    }
    Ok(())
}
