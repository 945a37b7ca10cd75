//! GB/T 36904 license identifiers and the ISO/IEC 7064 MOD 37,36 check character.
//!
//! `1.2.156.3005.2.<type code 21>.<issuer USCC 18>.<serial>.<version 3 digits>.<check>`,
//! the check character computed over the type code, issuer code, serial and version
//! concatenated without dots (GB/T 17710-2008 = ISO/IEC 7064, pure hybrid system
//! MOD 37,36 over `0-9 A-Z`).

use super::LicenseError;
use crate::catalog::uscc;
use std::fmt;
use std::str::FromStr;

/// The fixed prefix of every identifier (the license arc under China's OID root).
pub const PREFIX: &str = "1.2.156.3005.2";
/// Longest serial accepted.
pub const MAX_SERIAL_LEN: usize = 32;
/// Longest identifier text accepted.
pub const MAX_IDENTIFIER_LEN: usize = PREFIX.len() + 1 + 21 + 1 + 18 + 1 + MAX_SERIAL_LEN + 5 + 2;

const M: u32 = 36;

fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

fn value_char(v: u32) -> char {
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v as usize] as char
}

/// ISO/IEC 7064 MOD 37,36 check character of `data` (characters `0-9 A-Z`), or `None`
/// if `data` holds another character.
///
/// Pure hybrid system with M = 36: start with P = M; for each character a,
/// S = (P + a) mod M, with 0 taken as M; P = 2·S mod (M+1). The check character c is the
/// one for which (P + c) mod M = 1, i.e. c = (M + 1 − P) mod M.
pub fn mod37_36_check(data: &str) -> Option<char> {
    let mut p = M;
    for b in data.bytes() {
        let mut s = (p + char_value(b)?) % M;
        if s == 0 {
            s = M;
        }
        p = (2 * s) % (M + 1);
    }
    Some(value_char((M + 1 - p) % M))
}

/// Whether `data_and_check` (data followed by its check character) passes MOD 37,36.
pub fn mod37_36_valid(data_and_check: &str) -> bool {
    let n = data_and_check.len();
    n >= 2
        && data_and_check.is_ascii()
        && mod37_36_check(&data_and_check[..n - 1])
            .is_some_and(|c| data_and_check.as_bytes()[n - 1] == c as u8)
}

/// A GB/T 36904 license identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    type_code: String,
    issuer_code: String,
    serial: String,
    version: u16,
}

impl Identifier {
    /// Build an identifier. `type_code`: 21 characters (USCC + 3 digits); `issuer_code`:
    /// the issuing agency's USCC (18); `serial`: 1–32 characters `0-9 A-Z`; `version`: 0–999.
    pub fn new(
        type_code: &str,
        issuer_code: &str,
        serial: &str,
        version: u16,
    ) -> Result<Self, LicenseError> {
        if !crate::catalog::is_type_code(type_code) {
            return Err(LicenseError::BadIdentifier(
                "type code is not 21 characters of USCC + 3 digits",
            ));
        }
        if !uscc::is_well_formed(issuer_code) {
            return Err(LicenseError::BadIdentifier(
                "issuer code is not an 18-character unified social credit code",
            ));
        }
        if serial.is_empty()
            || serial.len() > MAX_SERIAL_LEN
            || !serial.bytes().all(|b| char_value(b).is_some())
        {
            return Err(LicenseError::BadIdentifier(
                "serial is not 1-32 characters of 0-9 A-Z",
            ));
        }
        if version > 999 {
            return Err(LicenseError::BadIdentifier("version is more than 3 digits"));
        }
        Ok(Identifier {
            type_code: type_code.to_owned(),
            issuer_code: issuer_code.to_owned(),
            serial: serial.to_owned(),
            version,
        })
    }

    /// The national (or provincial) type code.
    pub fn type_code(&self) -> &str {
        &self.type_code
    }

    /// The issuing agency's USCC.
    pub fn issuer_code(&self) -> &str {
        &self.issuer_code
    }

    /// The serial.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The version (0–999).
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The same license under the next version number.
    pub fn next_version(&self) -> Result<Self, LicenseError> {
        Self::new(
            &self.type_code,
            &self.issuer_code,
            &self.serial,
            self.version + 1,
        )
    }

    /// The check character.
    pub fn check_char(&self) -> char {
        mod37_36_check(&self.check_data()).expect("fields are validated on construction")
    }

    fn check_data(&self) -> String {
        format!(
            "{}{}{}{:03}",
            self.type_code, self.issuer_code, self.serial, self.version
        )
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}.{}.{}.{}.{:03}.{}",
            self.type_code,
            self.issuer_code,
            self.serial,
            self.version,
            self.check_char()
        )
    }
}

impl FromStr for Identifier {
    type Err = LicenseError;

    /// Parse and check an identifier; the error names what is wrong.
    fn from_str(s: &str) -> Result<Self, LicenseError> {
        if s.len() > MAX_IDENTIFIER_LEN {
            return Err(LicenseError::BadIdentifier("identifier is too long"));
        }
        let rest = s
            .strip_prefix(PREFIX)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or(LicenseError::BadIdentifier(
                "identifier does not start with 1.2.156.3005.2.",
            ))?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = parts[..] else {
            return Err(LicenseError::BadIdentifier(
                "identifier must have five fields after the prefix: type code, issuer code, serial, version, check",
            ));
        };
        if version.len() != 3 || !version.bytes().all(|b| b.is_ascii_digit()) {
            return Err(LicenseError::BadIdentifier("version is not 3 digits"));
        }
        let id = Identifier::new(type_code, issuer, serial, version.parse().unwrap_or(0))?;
        if check.len() != 1 || char_value(check.as_bytes()[0]).is_none() {
            return Err(LicenseError::BadIdentifier(
                "check is not one character of 0-9 A-Z",
            ));
        }
        let expected = id.check_char();
        if check.as_bytes()[0] != expected as u8 {
            return Err(LicenseError::CheckCharacterMismatch {
                found: check.chars().next().unwrap_or('?'),
                expected,
            });
        }
        Ok(id)
    }
}

impl serde::Serialize for Identifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Identifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_short() {
        // "A1": P=36; 'A'=10: S=(36+10) mod 36=10, P=20 mod 37=20;
        // '1'=1: S=(20+1) mod 36=21, P=42 mod 37=5; check=(37-5) mod 36=32 → 'W'.
        // Verify: (5+32) mod 36 = 1.
        assert_eq!(mod37_36_check("A1"), Some('W'));
        // "0": P=36; S=(36+0) mod 36=0→36, P=72 mod 37=35; check=(37-35) mod 36=2 → '2'.
        assert_eq!(mod37_36_check("0"), Some('2'));
        // "Z": P=36; S=(36+35) mod 36=35, P=70 mod 37=33; check=(37-33)=4 → '4'.
        assert_eq!(mod37_36_check("Z"), Some('4'));
        // "": P=36; check=(37-36) mod 36=1 → '1'.
        assert_eq!(mod37_36_check(""), Some('1'));
    }

    #[test]
    fn iso_7064_example() {
        // The example printed in ISO/IEC 7064 for MOD 37,36: A12425GABC1234002M.
        assert_eq!(mod37_36_check("A12425GABC1234002"), Some('M'));
        assert!(mod37_36_valid("A12425GABC1234002M"));
        assert!(!mod37_36_valid("A12425GABC1234002N"));
        assert!(!mod37_36_valid("A12425GABC1234020M"));
        assert_eq!(mod37_36_check("a1"), None);
    }
}
