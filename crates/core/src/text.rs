//! Vietnamese text handling: NFC on input, a folded form for search.
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Every piece of user text goes through this before validation or storage,
/// so NFD input (macOS, "Unicode tổ hợp") compares equal to NFC.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// NFC plus trimmed ends and inner runs of white space collapsed to one space.
/// Text that is already so (nearly every imported cell) is copied once.
pub fn clean(s: &str) -> String {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if is_nfc_quick(s.chars()) == IsNormalized::Yes && is_clean(s) {
        return s.to_string();
    }
    let n = nfc(s);
    let mut out = String::with_capacity(n.len());
    for w in n.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// `clean` for multi-line text (a document's body): each line cleaned, line
/// ends as "\n", runs of blank lines kept to one.
pub fn clean_block(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for line in s.lines().map(clean) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

/// The exact-diacritic search form: lower case, NFC, one tone placement per
/// word ("Hoà Bình" and "Hòa Bình" both give "hòa bình"), so an exact match
/// can rank above a folded one whichever way it was typed.
pub fn exact(s: &str) -> String {
    let lower = nfc(&fix_d(s)).to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut word = String::new();
    for c in lower.chars() {
        if c.is_alphabetic() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push_str(&crate::name::canonical_tone(&word));
            word.clear();
        }
        out.push(c);
    }
    out.push_str(&crate::name::canonical_tone(&word));
    out
}

/// Ð (Icelandic eth) and Ɖ (African D) look like Đ and turn up in pasted text.
pub fn fix_d(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'Ð' | 'Ɖ' => 'Đ',
            'ð' | 'ɖ' => 'đ',
            c => c,
        })
        .collect()
}

/// No white space at the ends, and inside only single plain spaces.
fn is_clean(s: &str) -> bool {
    let mut after_space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if c != ' ' || after_space {
                return false;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
}

/// Search key: marks removed, đ/Đ (and look-alikes Ð, Ɖ) to d, lower case.
/// Old and new tone placement ("hoà"/"hòa") fold to the same key.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'đ' | 'Đ' | 'Ð' | 'ð' | 'Ɖ' | 'ɖ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// True when the string carries a control character other than tab/newline;
/// such input is refused rather than stored.
pub fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// The one check for a free-text field: required, at most `max` characters,
/// no control characters. Expects text already passed through `clean`.
pub fn check(field: &'static str, value: &str, max: usize) -> Option<crate::FieldError> {
    use crate::Code;
    let code = if value.is_empty() {
        Code::Required
    } else if value.chars().count() > max {
        Code::TooLong
    } else if has_control(value) {
        Code::InvalidText
    } else {
        return None;
    };
    Some(crate::FieldError::new(field, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_form_is_one_tone_placement_in_lower_case() {
        assert_eq!(exact("Hoà Bình"), exact("Hòa Bình"));
        assert_eq!(exact("Hoà Bình"), "hòa bình");
        assert_eq!(exact("ĐẢNG ỦY, Ðảng"), "đảng ủy, đảng");
        assert_eq!(exact("Khoẻ"), "khỏe");
    }

    #[test]
    fn blocks_keep_lines_and_one_blank_line() {
        assert_eq!(clean_block(" a  b \r\n\r\n\r\n c\n"), "a b\n\nc");
    }

    #[test]
    fn clean_fast_path_agrees() {
        for (s, want) in [
            ("", ""),
            (" ", ""),
            ("Nguyễn", "Nguyễn"),
            ("  Nguyễn  Văn\tAn ", "Nguyễn Văn An"),
            ("Thi\u{0323} ", "Thị"),
            ("Hoa\u{0300}", "Hoà"),
            ("a\u{00A0}b", "a b"),
            ("Lê Văn Hùng", "Lê Văn Hùng"),
        ] {
            assert_eq!(clean(s), want, "{s:?}");
        }
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đảng ủy tỉnh"), "dang uy tinh");
        assert_eq!(fold("Quyết định"), "quyet dinh");
        assert_eq!(fold("Hòa Bình"), fold("Hoà Bình"));
        assert_eq!(fold("Ðảng"), "dang");
        let nfd: String = "Việt Nam".nfd().collect();
        assert_eq!(fold(&nfd), "viet nam");
    }

    #[test]
    fn nfc_and_clean() {
        let nfd: String = "Nguyễn".nfd().collect();
        assert_ne!(nfd, "Nguyễn");
        assert_eq!(nfc(&nfd), "Nguyễn");
        assert_eq!(clean("  Đảng   ủy \t Khối "), "Đảng ủy Khối");
        assert!(has_control("a\u{0}b"));
        assert_eq!(
            check("x", "", 5).map(|e| e.code),
            Some(crate::Code::Required)
        );
        assert_eq!(
            check("x", "dài quá", 5).map(|e| e.code),
            Some(crate::Code::TooLong)
        );
        assert_eq!(
            check("x", "a\u{1}", 5).map(|e| e.code),
            Some(crate::Code::InvalidText)
        );
        assert_eq!(check("x", "Đảng", 5), None);
        assert!(!has_control("a\nb"));
    }
}
