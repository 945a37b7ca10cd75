//! Validation of a claims object against a type's field schema.

use super::{ClaimsError, FieldType, LicenseType};
use serde_json::{Map, Value};

/// Longest string value a field may hold (bytes).
pub const MAX_FIELD_BYTES: usize = 4096;

impl LicenseType {
    /// Check `claims` (the holder-specific fields of one license) against the schema:
    /// every key must be a field, every required field present and non-null, every value
    /// of its field's type. The first problem found is returned.
    pub fn validate_claims(&self, claims: &Value) -> Result<(), ClaimsError> {
        let obj = claims.as_object().ok_or(ClaimsError::NotAnObject)?;
        self.validate_map(obj)
    }

    /// [`LicenseType::validate_claims`] over an already-extracted JSON object.
    pub fn validate_map(&self, obj: &Map<String, Value>) -> Result<(), ClaimsError> {
        for (name, value) in obj {
            let spec = self
                .field(name)
                .ok_or_else(|| ClaimsError::UnknownField(name.clone()))?;
            if value.is_null() {
                if spec.required {
                    return Err(ClaimsError::MissingField(name.clone()));
                }
                continue;
            }
            check_value(&spec.name, spec.field_type, &spec.values, value)?;
        }
        for spec in self.fields.iter().filter(|f| f.required) {
            if obj.get(&spec.name).map_or(true, Value::is_null) {
                return Err(ClaimsError::MissingField(spec.name.clone()));
            }
        }
        Ok(())
    }
}

fn check_value(
    name: &str,
    ty: FieldType,
    allowed: &[String],
    value: &Value,
) -> Result<(), ClaimsError> {
    let wrong = |expected| ClaimsError::WrongType {
        field: name.to_owned(),
        expected,
    };
    if let Some(s) = value.as_str() {
        if s.len() > MAX_FIELD_BYTES {
            return Err(ClaimsError::TooLong(name.to_owned()));
        }
    }
    match ty {
        FieldType::String => value.as_str().map(|_| ()).ok_or(wrong("a string")),
        FieldType::Date => match value.as_str() {
            Some(s) if is_date(s) => Ok(()),
            _ => Err(wrong("a date (YYYY-MM-DD)")),
        },
        FieldType::Number => value.as_f64().map(|_| ()).ok_or(wrong("a number")),
        FieldType::Integer => {
            if value.is_i64() || value.is_u64() {
                Ok(())
            } else {
                Err(wrong("an integer"))
            }
        }
        FieldType::Boolean => value.as_bool().map(|_| ()).ok_or(wrong("a boolean")),
        FieldType::Enum => {
            let s = value.as_str().ok_or(wrong("a string"))?;
            if allowed.iter().any(|a| a == s) {
                Ok(())
            } else {
                Err(ClaimsError::NotAllowed {
                    field: name.to_owned(),
                    value: s.to_owned(),
                })
            }
        }
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub(crate) fn is_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, fmt).is_ok()
}
