//! Errors of the catalogue.

/// Why a catalogue document was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The text is not JSON of the catalogue's shape.
    #[error("catalogue is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// The text is larger than a catalogue may be.
    #[error("catalogue is {0} bytes, more than the limit")]
    TooLarge(usize),
    /// A national or provincial type code is not 18 USCC characters plus 3 digits.
    #[error("type code {code:?} is not a 21-character type code (USCC + 3 digits)")]
    BadTypeCode {
        /// The offending code.
        code: String,
    },
    /// The defining authority's USCC is malformed or fails its check character.
    #[error("authority code {code:?} is not a valid unified social credit code")]
    BadAuthority {
        /// The offending code.
        code: String,
    },
    /// A type names a defining authority the catalogue does not list, or its code
    /// does not start with that authority's USCC.
    #[error("type {code} does not belong to a listed defining authority")]
    UnknownAuthority {
        /// The type code.
        code: String,
    },
    /// Two types (or a type and a provincial code) share a code.
    #[error("type code {code} appears twice")]
    DuplicateCode {
        /// The repeated code.
        code: String,
    },
    /// A type's field schema is inconsistent.
    #[error("type {code}: field {field:?}: {problem}")]
    BadField {
        /// The type code.
        code: String,
        /// The field name.
        field: String,
        /// What is wrong (reserved name, duplicate, enum without values…).
        problem: &'static str,
    },
}

/// Why a claims object does not fit a type's schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The claims are not a JSON object.
    #[error("claims must be a JSON object")]
    NotAnObject,
    /// A claim the schema does not define.
    #[error("unknown field {0:?}")]
    UnknownField(String),
    /// A required field is absent (or null).
    #[error("missing required field {0:?}")]
    MissingField(String),
    /// A field has a value of the wrong type.
    #[error("field {field:?} must be {expected}")]
    WrongType {
        /// The field name.
        field: String,
        /// What the schema expects, e.g. `a date (YYYY-MM-DD)`.
        expected: &'static str,
    },
    /// An enum field has a value outside its list.
    #[error("field {field:?} has value {value:?}, not one of the allowed values")]
    NotAllowed {
        /// The field name.
        field: String,
        /// The value given.
        value: String,
    },
    /// A string value is longer than any field may be.
    #[error("field {0:?} is too long")]
    TooLong(String),
}
