//! Parsing a compact SD-JWT (hostile input: size and count limits, typed errors).

use super::super::LicenseError;
use crate::crypto::DigestAlgorithm;
use crate::jose::{self, CompactJws};
use serde_json::Value;

/// Largest compact SD-JWT accepted (bytes).
pub const MAX_SD_JWT_BYTES: usize = 256 * 1024;
/// Most disclosures accepted.
pub const MAX_DISCLOSURES: usize = 256;

/// One disclosure: `[salt, name, value]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// The base64url text as it appears in the SD-JWT.
    pub encoded: String,
    /// The salt.
    pub salt: String,
    /// The claim name.
    pub name: String,
    /// The claim value.
    pub value: Value,
}

impl Disclosure {
    /// A new disclosure with a fresh 128-bit salt.
    pub fn new(name: &str, value: Value) -> Self {
        let salt = jose::b64(&rand::random::<[u8; 16]>());
        // `[salt, name, value]`, serialised straight from the parts (no copy of value).
        let json = serde_json::to_vec(&(&salt, name, &value)).expect("JSON serialises");
        let encoded = jose::b64(&json);
        Disclosure {
            encoded,
            salt,
            name: name.to_owned(),
            value,
        }
    }

    /// Decode one disclosure.
    pub fn parse(encoded: &str) -> Result<Self, LicenseError> {
        let bad = |problem| LicenseError::Malformed {
            what: "disclosure",
            problem,
        };
        let bytes = jose::b64_decode(encoded, "disclosure", MAX_SD_JWT_BYTES)?;
        // Read straight into its parts; when that fails, read again as a JSON tree only
        // to say what is wrong.
        let Ok((salt, name, value)) = serde_json::from_slice::<(String, String, Value)>(&bytes)
        else {
            return Err(bad(shape_problem(&bytes)));
        };
        if name == "_sd" || name == "..." || name == "_sd_alg" {
            return Err(bad("claim name is reserved"));
        }
        Ok(Disclosure {
            encoded: encoded.to_owned(),
            salt,
            name,
            value,
        })
    }

    /// base64url(SHA-256(encoded)).
    pub fn digest(&self) -> String {
        jose::b64(&DigestAlgorithm::Sha256.digest(self.encoded.as_bytes()))
    }
}

/// What keeps decoded disclosure bytes from being `[salt, name, value]`.
fn shape_problem(bytes: &[u8]) -> &'static str {
    let Ok(Value::Array(parts)) = serde_json::from_slice::<Value>(bytes) else {
        return "not a base64url JSON array";
    };
    if parts.len() != 3 {
        "not [salt, name, value] (array elements are not disclosed here)"
    } else if !parts[1].is_string() {
        "claim name is not a string"
    } else if !parts[0].is_string() {
        "salt is not a string"
    } else {
        "not [salt, name, value]"
    }
}

/// A compact SD-JWT split into its parts (signature not yet checked).
#[derive(Debug, Clone)]
pub struct SdJwt {
    /// The issuer-signed JWT, as received.
    pub jwt: String,
    /// Its decoded parts.
    pub jws: CompactJws,
    /// The disclosures, in order.
    pub disclosures: Vec<Disclosure>,
    /// The key binding JWT, when present.
    pub kb_jwt: Option<String>,
}

impl SdJwt {
    /// Split `text` (`jwt~d1~…~dn~[kb]`), decoding every part.
    pub fn parse(text: &str) -> Result<Self, LicenseError> {
        let text = text.trim();
        if text.len() > MAX_SD_JWT_BYTES {
            return Err(LicenseError::TooLarge {
                what: "SD-JWT",
                limit: MAX_SD_JWT_BYTES,
            });
        }
        let bad = |problem| LicenseError::Malformed {
            what: "SD-JWT",
            problem,
        };
        let mut parts: Vec<&str> = text.split('~').collect();
        if parts.len() < 2 {
            return Err(bad("no '~' after the issuer JWT"));
        }
        if parts.len() > MAX_DISCLOSURES + 2 {
            return Err(LicenseError::TooLarge {
                what: "disclosure count",
                limit: MAX_DISCLOSURES,
            });
        }
        let last = parts.pop().unwrap_or_default();
        let kb_jwt = (!last.is_empty()).then(|| last.to_owned());
        let jwt = parts.remove(0);
        let jws = CompactJws::parse(jwt, "SD-JWT", MAX_SD_JWT_BYTES)?;
        let disclosures = parts
            .iter()
            .map(|d| {
                if d.is_empty() {
                    Err(bad("empty disclosure"))
                } else {
                    Disclosure::parse(d)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SdJwt {
            jwt: jwt.to_owned(),
            jws,
            disclosures,
            kb_jwt,
        })
    }

    /// The SD-JWT without key binding: `jwt~d1~…~dn~`.
    pub fn serialize_without_kb(&self) -> String {
        let mut s = self.jwt.clone();
        s.push('~');
        for d in &self.disclosures {
            s.push_str(&d.encoded);
            s.push('~');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem_of(json: &str) -> LicenseError {
        Disclosure::parse(&jose::b64(json.as_bytes())).unwrap_err()
    }

    #[test]
    fn a_malformed_disclosure_names_its_problem() {
        for (json, problem) in [
            (r#"{"a":1}"#, "not a base64url JSON array"),
            (
                r#"["s","n"]"#,
                "not [salt, name, value] (array elements are not disclosed here)",
            ),
            (r#"["s",1,"v"]"#, "claim name is not a string"),
            (r#"[1,2,"v"]"#, "claim name is not a string"),
            (r#"[1,"n","v"]"#, "salt is not a string"),
            (r#"["s","_sd","v"]"#, "claim name is reserved"),
            (r#"["s","...","v"]"#, "claim name is reserved"),
        ] {
            match problem_of(json) {
                LicenseError::Malformed { what, problem: p } => {
                    assert_eq!((what, p), ("disclosure", problem), "{json}")
                }
                other => panic!("{json}: {other:?}"),
            }
        }
        let d = Disclosure::parse(&jose::b64(br#"["s","name",{"k":[1]}]"#)).unwrap();
        assert_eq!((d.salt.as_str(), d.name.as_str()), ("s", "name"));
        assert_eq!(d.value, serde_json::json!({"k": [1]}));
    }
}
