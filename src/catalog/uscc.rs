//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters
//! from `0-9 A-H J-N P-R T U W-Y`, the last a check character.

/// The 31-character alphabet, in value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1-17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Whether `code` has the shape of a USCC: 18 characters of the alphabet.
pub fn is_well_formed(code: &str) -> bool {
    code.len() == 18 && code.bytes().all(|b| value(b).is_some())
}

/// The check character GB 32100 gives for the first 17 characters, if they are
/// of the alphabet.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (b, w) in first17.bytes().zip(WEIGHTS) {
        sum += value(b)? * w;
    }
    Some(ALPHABET[((31 - sum % 31) % 31) as usize] as char)
}

/// Whether `code` is a well-formed USCC whose check character is right.
pub fn is_valid(code: &str) -> bool {
    is_well_formed(code) && check_char(&code[..17]) == code[17..].chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_code_checks() {
        // 11100000000019713D (Ministry of Public Security): positions 1-3 are '1'
        // (weights 1, 3, 9), 4-12 '0', then '1','9','7','1','3' at weights 8, 24, 10, 30, 28.
        let sum: u32 = b"11100000000019713"
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| value(*b).unwrap() * w)
            .sum();
        // 1+3+9 (the three leading 1s) + 1*8 (pos13) + 9*24 + 7*10 + 1*30 + 3*28 = 421
        assert_eq!(sum, 421);
        // 421 mod 31 = 18; 31 - 18 = 13 → ALPHABET[13] = 'D'
        assert_eq!(check_char("11100000000019713"), Some('D'));
        assert!(is_valid("11100000000019713D"));
        assert!(!is_valid("11100000000019713E"));
        assert!(!is_valid("11100000000019713"));
        assert!(!is_valid("1110000000001971ID"));
    }
}
