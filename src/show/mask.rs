//! Masking an ID number for display: enough for a clerk to compare with the card in
//! front of them, not enough to copy it whole.

/// Keep the first 3 and last 4 characters (the first and last 1 of a code shorter than
/// 8), the rest as `*`. Counts characters, not bytes.
pub fn mask_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 8 {
        (3, 4)
    } else if n >= 3 {
        (1, 1)
    } else {
        (0, 0)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::mask_code;

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_code("310101199001011234"), "310***********1234");
        assert_eq!(mask_code("91310000MA1FL0001X"), "913***********001X");
        assert_eq!(mask_code("ABC"), "A*C");
        assert_eq!(mask_code("AB"), "**");
        assert_eq!(mask_code(""), "");
    }
}
