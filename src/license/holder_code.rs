//! Holder codes checked by their type: a citizen identity number (GB 11643-1999, type
//! `111`: 17 digits and an ISO 7064 MOD 11-2 check character, `0-9` or `X`) and a
//! unified social credit code (GB 32100-2015, type `001`: the catalogue's USCC check,
//! [`crate::catalog::uscc`]). Passport numbers (`414`) follow no common scheme and are
//! only held to the metadata's length limits.

use super::HolderCodeType;

/// Why a holder code does not fit its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolderCodeError {
    /// Not the length the type has.
    #[error("a {kind} has {expected} characters, this one has {found}")]
    Length {
        /// The kind of code.
        kind: &'static str,
        /// Its length.
        expected: usize,
        /// The length found (in characters).
        found: usize,
    },
    /// A character outside the type's alphabet.
    #[error("a {kind} is {alphabet}")]
    Character {
        /// The kind of code.
        kind: &'static str,
        /// What it may hold.
        alphabet: &'static str,
    },
    /// The check character is not the one the other characters give.
    #[error(
        "the {kind}'s check character is {found:?}; its first 17 characters give {expected:?}"
    )]
    CheckCharacter {
        /// The kind of code.
        kind: &'static str,
        /// The character found.
        found: char,
        /// The character computed.
        expected: char,
    },
}

const CITIZEN_ID: &str = "citizen identity number";
const USCC: &str = "unified social credit code";
/// GB 11643 weights of positions 1-17: 2^(18-i) mod 11.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character of the first 17 digits of a citizen identity number.
pub fn citizen_id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// Check `code` against its type.
pub fn check_holder_code(kind: HolderCodeType, code: &str) -> Result<(), HolderCodeError> {
    let length = |name, expected| {
        let found = code.chars().count();
        (found != expected).then_some(HolderCodeError::Length {
            kind: name,
            expected,
            found,
        })
    };
    match kind {
        HolderCodeType::CitizenId => {
            if let Some(e) = length(CITIZEN_ID, 18) {
                return Err(e);
            }
            if !code.is_ascii() {
                return Err(HolderCodeError::Character {
                    kind: CITIZEN_ID,
                    alphabet: "17 digits and a check character 0-9 or X",
                });
            }
            let (body, last) = code.split_at(17);
            let last = last.as_bytes()[0];
            if !body.bytes().all(|b| b.is_ascii_digit()) || !(last.is_ascii_digit() || last == b'X')
            {
                return Err(HolderCodeError::Character {
                    kind: CITIZEN_ID,
                    alphabet: "17 digits and a check character 0-9 or X",
                });
            }
            let expected = citizen_id_check_char(body).unwrap_or('?');
            if expected != last as char {
                return Err(HolderCodeError::CheckCharacter {
                    kind: CITIZEN_ID,
                    found: last as char,
                    expected,
                });
            }
            Ok(())
        }
        HolderCodeType::Uscc => {
            if let Some(e) = length(USCC, 18) {
                return Err(e);
            }
            if !crate::catalog::uscc::is_well_formed(code) {
                return Err(HolderCodeError::Character {
                    kind: USCC,
                    alphabet: "18 characters of 0-9 and A-H J-N P-R T U W-Y",
                });
            }
            let expected = crate::catalog::uscc::check_char(&code[..17]).unwrap_or('?');
            let found = code[17..].chars().next().unwrap_or('?');
            if expected != found {
                return Err(HolderCodeError::CheckCharacter {
                    kind: USCC,
                    found,
                    expected,
                });
            }
            Ok(())
        }
        HolderCodeType::Passport => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_ids_are_checked_by_gb_11643() {
        // the standard's own example, and one whose check character is X
        assert_eq!(citizen_id_check_char("11010519491231002"), Some('X'));
        assert!(check_holder_code(HolderCodeType::CitizenId, "11010519491231002X").is_ok());
        assert!(check_holder_code(HolderCodeType::CitizenId, "110105194912310021").is_err());
        assert_eq!(
            check_holder_code(HolderCodeType::CitizenId, "1"),
            Err(HolderCodeError::Length {
                kind: CITIZEN_ID,
                expected: 18,
                found: 1
            })
        );
        assert!(matches!(
            check_holder_code(HolderCodeType::CitizenId, "11010519491231002x"),
            Err(HolderCodeError::Character { .. })
        ));
        // 18 characters, one of them not ASCII: refused, not split inside it
        assert!(matches!(
            check_holder_code(HolderCodeType::CitizenId, "1101051949123100２X"),
            Err(HolderCodeError::Character { .. })
        ));
        assert!(matches!(
            check_holder_code(HolderCodeType::Uscc, "9131000０MA1FL8XQ37"),
            Err(HolderCodeError::Character { .. })
        ));
    }

    #[test]
    fn usccs_are_checked_by_gb_32100_and_passports_pass() {
        assert!(check_holder_code(HolderCodeType::Uscc, "91310000MA1FL8XQ37").is_ok());
        assert!(matches!(
            check_holder_code(HolderCodeType::Uscc, "91310000MA1FL8XQ30"),
            Err(HolderCodeError::CheckCharacter { expected: '7', .. })
        ));
        assert!(matches!(
            check_holder_code(HolderCodeType::Uscc, "91310000MA1FL8XQ3I"),
            Err(HolderCodeError::Character { .. })
        ));
        assert!(check_holder_code(HolderCodeType::Passport, "E12345678").is_ok());
    }
}
