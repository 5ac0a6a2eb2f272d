//! Personal names: họ, tên đệm, tên. Lists follow the official order (tên,
//! then họ, then tên đệm, then earlier birth date), compared with ICU4X's
//! Vietnamese collation. Old and new tone placement ("Hòa"/"Hoà",
//! "Thủy"/"Thuỷ") are the same name, so both sort and search as one.
use unicode_normalization::UnicodeNormalization;

use crate::collate;

/// Which name part decides first. `Official` is the rule for candidate
/// lists and ballots; some offices list by tên, tên đệm, họ instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameOrder {
    #[default]
    Official,
    GivenMiddleFamily,
}

impl NameOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            NameOrder::Official => "official",
            NameOrder::GivenMiddleFamily => "given_middle_family",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "official" => Some(NameOrder::Official),
            "given_middle_family" => Some(NameOrder::GivenMiddleFamily),
            _ => None,
        }
    }
}

const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// One tone placement for the open diphthongs oa, oe, uy: on the first
/// vowel ("hòa", "khỏe", "thủy"), whichever way it was typed. Syllables
/// with a final consonant ("hoàn") or the onset qu- ("quý") have only one
/// placement and are left alone.
pub fn canonical_tone(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, w) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&canonical_word(w));
    }
    out
}

fn canonical_word(w: &str) -> String {
    let d: Vec<char> = w.nfd().collect();
    let Some(tone) = d.iter().copied().find(|c| TONES.contains(c)) else {
        return w.nfc().collect();
    };
    let base: Vec<char> = d.iter().copied().filter(|c| !TONES.contains(c)).collect();
    let n = base.len();
    let lower = |i: usize| base[i].to_lowercase().next().unwrap_or(base[i]);
    let open_pair = n >= 2
        && matches!(
            (lower(n - 2), lower(n - 1)),
            ('o', 'a') | ('o', 'e') | ('u', 'y')
        )
        && !(n >= 3 && lower(n - 2) == 'u' && lower(n - 3) == 'q')
        && !(n >= 3 && "aăâeêioôơuưy".contains(lower(n - 3)))
        && !base
            .iter()
            .any(|c| unicode_normalization::char::is_combining_mark(*c));
    if !open_pair {
        return w.nfc().collect();
    }
    let mut v = base;
    v.insert(n - 1, tone);
    v.into_iter().nfc().collect()
}

/// The stored sort key: collation keys of the name parts in `order`, then
/// the ISO birth date (unknown dates last). Byte order of the key is the
/// list order, so an index over it serves sorted, keyset-paged lists.
pub fn sort_key(
    order: NameOrder,
    family: &str,
    middle: &str,
    given: &str,
    birth: Option<&str>,
) -> String {
    let parts = match order {
        NameOrder::Official => [given, family, middle],
        NameOrder::GivenMiddleFamily => [given, middle, family],
    };
    let mut key = String::with_capacity(160);
    for p in parts {
        collate::push_key_hex(&canonical_tone(&crate::text::nfc(p)), &mut key);
        // ' ' sorts below every hex digit: a shorter part comes first.
        key.push(' ');
    }
    key.push_str(birth.unwrap_or("9999-99-99"));
    key
}

/// "Nguyễn Văn An" from its parts, skipping empty ones.
pub fn full(family: &str, middle: &str, given: &str) -> String {
    let mut s = String::with_capacity(family.len() + middle.len() + given.len() + 2);
    for p in [family, middle, given] {
        if !p.is_empty() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(p);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    #[test]
    fn tone_placements_are_one_name() {
        assert_eq!(canonical_tone("Hoà"), canonical_tone("Hòa"));
        assert_eq!(canonical_tone("Thuỷ"), canonical_tone("Thủy"));
        assert_eq!(canonical_tone("KHOẺ"), canonical_tone("KHỎE"));
        assert_eq!(canonical_tone(&nfd("Hoà")), "Hòa");
        // One placement only: left as typed.
        assert_eq!(canonical_tone("Quý"), "Quý");
        assert_eq!(canonical_tone("Hoàn"), "Hoàn");
        assert_eq!(canonical_tone("Khuyến"), "Khuyến");
        assert_eq!(canonical_tone("Nguyễn Thị Hoà"), "Nguyễn Thị Hòa");
    }

    #[test]
    fn official_order_with_mixed_forms() {
        // (họ, tên đệm, tên, birth); typed in every form clerks send.
        let people = [
            ("Nguyễn", "Văn", "Hoà", Some("1980-01-01")),
            ("Lê", "Thị", &*nfd("Hòa"), Some("1975-05-05")),
            ("Tôn Nữ", "Thị", "Ánh", None),
            ("Âu Dương", "Minh", "Anh", Some("1990-02-02")),
            ("Đặng", "Văn", "Anh", Some("1990-02-02")),
            ("Dương", "Văn", "Anh", None),
            ("Nguyễn", "Văn", "Hòa", Some("1970-01-01")),
            ("Trần", "Thuỷ", "Ưng", None),
            ("Phạm", "Thị", "Ước", None),
            ("Bùi", "Thị", "Uyên", None),
            ("Hoàng", "An", "Bình", None),
            ("Hoàng", "Ân", "Bình", None),
        ];
        let mut keyed: Vec<(String, String)> = people
            .iter()
            .map(|(f, m, g, b)| {
                (
                    sort_key(NameOrder::Official, f, m, g, *b),
                    crate::text::nfc(&full(f, m, g)),
                )
            })
            .collect();
        keyed.sort();
        let got: Vec<&str> = keyed.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            got,
            [
                "Âu Dương Minh Anh",
                "Dương Văn Anh",
                "Đặng Văn Anh",
                "Tôn Nữ Thị Ánh",
                "Hoàng An Bình",
                "Hoàng Ân Bình",
                "Lê Thị Hòa",
                "Nguyễn Văn Hòa",
                "Nguyễn Văn Hoà",
                "Bùi Thị Uyên",
                "Trần Thuỷ Ưng",
                "Phạm Thị Ước",
            ]
        );
    }

    #[test]
    fn other_order_puts_middle_before_family() {
        let a = sort_key(NameOrder::GivenMiddleFamily, "Trần", "An", "Bình", None);
        let b = sort_key(NameOrder::GivenMiddleFamily, "Lê", "Bảo", "Bình", None);
        assert!(a < b);
        let a = sort_key(NameOrder::Official, "Trần", "An", "Bình", None);
        let b = sort_key(NameOrder::Official, "Lê", "Bảo", "Bình", None);
        assert!(a > b);
    }
}
