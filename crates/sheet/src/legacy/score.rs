//! How plausible a text is as Vietnamese: words must be valid syllables,
//! odd symbols cost points. Used to pick between candidate decodings.

use super::tables::{Letter, letter};

/// Initial consonants, longest first ("q" only as "qu").
const INITIALS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];
const FINALS: &[&str] = &["", "c", "ch", "k", "m", "n", "ng", "nh", "p", "t"];
/// Vowel clusters that end in a glide: no final consonant.
const OPEN_ONLY: &[&str] = &[
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu",
    "ua", "ưa", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "iêu", "yêu", "uyu", "uya",
    "uơ",
];
/// Vowel clusters that need a final consonant.
const NEED_FINAL: &[&str] = &["ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê", "oo"];
/// Vowel clusters that may or may not have a final consonant.
const EITHER: &[&str] = &[
    "a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy",
];

/// Result of scoring a text.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Score {
    /// Higher is more plausible.
    pub points: i64,
    /// Characters that are neither letters, digits, spaces nor common punctuation.
    pub odd: usize,
    pub chars: usize,
}

pub(crate) fn score(text: &str) -> Score {
    let mut sc = Score::default();
    let mut word: Vec<Letter> = Vec::new();
    let mut non_ascii = false;
    for c in text.chars() {
        sc.chars += 1;
        if let Some(l) = letter(c) {
            word.push(l);
            non_ascii |= !c.is_ascii();
            continue;
        }
        flush(&mut sc, &mut word, &mut non_ascii);
        if !plain(c) {
            sc.odd += 1;
            sc.points -= 1;
        }
    }
    flush(&mut sc, &mut word, &mut non_ascii);
    sc
}

fn flush(sc: &mut Score, word: &mut Vec<Letter>, non_ascii: &mut bool) {
    if *non_ascii {
        sc.points += if valid_syllable(word) { 2 } else { -3 };
    }
    word.clear();
    *non_ascii = false;
}

/// Digits, spaces and punctuation that occur in ordinary text.
fn plain(c: char) -> bool {
    c.is_ascii_graphic()
        || matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{A0}' | '\u{FEFF}')
        || matches!(c, '–' | '—' | '‘' | '’' | '“' | '”' | '…' | '•' | '°' | '№')
}

/// Is this word one Vietnamese syllable (initial + vowels + final, one tone)?
pub(crate) fn valid_syllable(word: &[Letter]) -> bool {
    if word.is_empty() || word.len() > 7 {
        return false;
    }
    if word.iter().filter(|l| l.tone != 0).count() > 1 {
        return false;
    }
    // Case: "ABC", "abc" or "Abc"; never lower then upper.
    if word.windows(2).any(|w| !w[0].upper && w[1].upper) {
        return false;
    }
    let bases: String = word.iter().map(|l| l.base).collect();
    let inits = INITIALS.iter().filter(|i| bases.starts_with(**i));
    for init in inits.copied().chain([""]) {
        let rest = &bases[init.len()..];
        let n = rest
            .char_indices()
            .find(|&(_, c)| !is_vowel(c))
            .map_or(rest.len(), |(i, _)| i);
        let (nucleus, fin) = rest.split_at(n);
        if nucleus.is_empty() || !FINALS.contains(&fin) {
            continue;
        }
        let ok = if fin.is_empty() {
            OPEN_ONLY.contains(&nucleus) || EITHER.contains(&nucleus)
        } else {
            NEED_FINAL.contains(&nucleus) || EITHER.contains(&nucleus)
        };
        if ok {
            return true;
        }
    }
    false
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syl(w: &str) -> bool {
        let ls: Vec<Letter> = w.chars().map(|c| letter(c).unwrap()).collect();
        valid_syllable(&ls)
    }

    #[test]
    fn syllables() {
        for w in [
            "Nguyễn", "Thị", "Thủy", "Uỷ", "Ủy", "Kiểm", "Hoàng", "Văn", "Quý", "Trần", "Đình",
            "Quế", "Lê", "Hồng", "Quân", "Phạm", "Ngọc", "Ước", "Đảng", "bộ", "Khối", "các", "cơ",
            "quan", "tỉnh", "nghiêng", "gì", "giữ", "người", "rượu", "khuya", "khuỷu", "hoặc",
            "tuần", "ĐẢNG", "xoong", "Lắk",
        ] {
            assert!(syl(w), "{w}");
        }
        for w in ["chaứo", "caực", "Vieọt", "nhÂn", "Mỹller", "aạ", "bạnn"] {
            assert!(!syl(w), "{w}");
        }
    }

    #[test]
    fn odd_symbols_cost() {
        assert!(score("Ủy ban nhân dân").points > 0);
        assert!(score("Uû ban nh©n d©n").points < 0);
    }
}
