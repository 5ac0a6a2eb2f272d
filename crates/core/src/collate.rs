//! Vietnamese ordering with ICU4X's CLDR "vi" collation: letters first
//! (ă, â after a; đ after d; ê after e; ô, ơ after o; ư after u), then tones
//! (unmarked < huyền < hỏi < ngã < sắc < nặng). Byte order gets this wrong,
//! e.g. it puts "ư" (U+01B0) before "ậ" (U+1EAD).
use std::{cmp::Ordering, sync::LazyLock};

use icu_collator::{Collator, CollatorBorrowed, options::CollatorOptions};
use icu_locale_core::locale;

static VI: LazyLock<CollatorBorrowed<'static>> = LazyLock::new(|| {
    // Compiled-in data for a fixed locale: this cannot fail at run time.
    Collator::try_new(locale!("vi").into(), CollatorOptions::default())
        .expect("vi collation data is compiled in")
});

pub fn compare_vi(a: &str, b: &str) -> Ordering {
    VI.compare(a, b)
}

/// Appends the collation key of `s` as lower-case hex, so that byte order
/// of the stored text (and of an index over it) is Vietnamese order.
pub fn push_key_hex(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut key = Vec::with_capacity(s.len() * 3);
    let Ok(()) = VI.write_sort_key_to(s, &mut key);
    for b in key {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_order_not_byte_order() {
        let mut names = vec![
            "Ưu tiên",
            "Đảng bộ A",
            "Uy tín",
            "Chi bộ B",
            "Ủy ban",
            "Dân vận",
            "Ấp Bắc",
            "Anh",
        ];
        names.sort_by(|a, b| compare_vi(a, b));
        assert_eq!(
            names,
            [
                "Anh",
                "Ấp Bắc",
                "Chi bộ B",
                "Dân vận",
                "Đảng bộ A",
                "Ủy ban",
                "Uy tín",
                "Ưu tiên"
            ]
        );
        // Tones order after letters: ma < mà < mả < mã < má < mạ.
        let mut tones = vec!["mạ", "má", "mã", "mả", "mà", "ma"];
        tones.sort_by(|a, b| compare_vi(a, b));
        assert_eq!(tones, ["ma", "mà", "mả", "mã", "má", "mạ"]);
    }
}
