use super::tables::{TCVN3_D_LOW, TCVN3_D_UP, TCVN3_LOW, TCVN3_UP, VOWELS, VOWELS_UP};
use super::*;

/// Test encoder: Unicode -> TCVN3 bytes, from the same tables.
pub(crate) fn encode_tcvn3(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in s.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let l = letter(c).unwrap_or_else(|| panic!("no TCVN3 for {c}"));
        match l.row {
            None => out.push(if l.upper { TCVN3_D_UP } else { TCVN3_D_LOW }),
            Some(r) => {
                let t = if l.upper { TCVN3_UP } else { TCVN3_LOW }[r as usize][l.tone as usize];
                assert_ne!(t, 0, "{c}");
                out.push(t);
            }
        }
    }
    out
}

/// Test encoder: Unicode -> VNI-Windows bytes, from the same tables.
pub(crate) fn encode_vni(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in s.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let l = letter(c).unwrap_or_else(|| panic!("no VNI for {c}"));
        let case = |b: u8| if l.upper { b - 0x20 } else { b };
        let Some(row) = l.row else {
            out.push(case(0xF1));
            continue;
        };
        let (row, tone) = (row as usize, l.tone);
        let single = VNI_SINGLES
            .iter()
            .find(|s| s.1 as usize == row && s.2 == tone && matches!(row, 5 | 11));
        if let Some(s) = single {
            out.push(case(s.0));
            continue;
        }
        // Base byte and shape: ơ ư are single bytes, others ASCII + shape.
        let (base, shape) = match row {
            0 => (b'a', 0),
            1 => (b'a', 2),
            2 => (b'a', 1),
            3 => (b'e', 0),
            4 => (b'e', 1),
            6 => (b'o', 0),
            7 => (b'o', 1),
            8 => (0xF4, 0),
            9 => (b'u', 0),
            10 => (0xF6, 0),
            11 => (b'y', 0),
            _ => unreachable!("{c}"),
        };
        out.push(if base.is_ascii() && l.upper {
            base.to_ascii_uppercase()
        } else {
            case(base)
        });
        if (shape, tone) != (0, 0) {
            let m = VNI_MODS
                .iter()
                .find(|m| m.1 == shape && m.2 == tone)
                .unwrap();
            out.push(case(m.0));
        }
    }
    out
}

fn all_letters() -> Vec<char> {
    let mut v: Vec<char> = VOWELS
        .iter()
        .chain(VOWELS_UP.iter())
        .flatten()
        .copied()
        .collect();
    v.retain(|c| !c.is_ascii());
    v.extend(['đ', 'Đ']);
    v
}

pub(crate) const SENTENCES: [&str; 10] = [
    "Đảng bộ Khối các cơ quan tỉnh",
    "Nguyễn Thị Thủy",
    "Ủy ban Kiểm tra",
    "Hoàng Văn Quý",
    "Trần Đình Quế",
    "Lê Hồng Quân",
    "Phạm Ngọc Ước",
    "Ban Chấp hành Trung ương",
    "Xin chào các bạn",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
];

#[test]
fn all_134_letters_round_trip() {
    let letters = all_letters();
    assert_eq!(letters.len(), 134);
    for c in letters {
        let s = c.to_string();
        assert_eq!(
            decode_with(&encode_tcvn3(&s), Encoding::Tcvn3),
            s,
            "TCVN3 {c}"
        );
        assert_eq!(decode_with(&encode_vni(&s), Encoding::Vni), s, "VNI {c}");
    }
}

#[test]
fn tcvn3_bytes_are_distinct() {
    let letters = all_letters();
    let mut seen = std::collections::HashSet::new();
    for c in &letters {
        assert!(seen.insert(encode_tcvn3(&c.to_string())), "{c}");
    }
}

#[test]
fn sentences_round_trip_and_detect() {
    for s in SENTENCES {
        let t = encode_tcvn3(s);
        assert_eq!(decode_bytes(&t), (s.to_string(), Encoding::Tcvn3), "{s}");
        let v = encode_vni(s);
        assert_eq!(decode_bytes(&v), (s.to_string(), Encoding::Vni), "{s}");
        assert_eq!(decode_bytes(s.as_bytes()), (s.to_string(), Encoding::Utf8));
    }
}

#[test]
fn known_mojibake() {
    // Old-style tone placement ("Uỷ") is what the bytes say.
    assert_eq!(
        repair("Uû ban nh©n d©n", Encoding::Tcvn3),
        "Uỷ ban nhân dân"
    );
    assert_eq!(detect_text("Uû ban nh©n d©n"), Encoding::Tcvn3);
    // TCVN3 "ư" is 0xAD, an invisible soft hyphen in Latin-1.
    let s = "Ban ChÊp hµnh Trung \u{AD}¬ng";
    assert_eq!(detect_text(s), Encoding::Tcvn3);
    assert_eq!(repair(s, Encoding::Tcvn3), "Ban Chấp hành Trung ương");
    // Copied without that invisible char, the bytes only say "ơng".
    let s = "Ban ChÊp hµnh Trung ¬ng";
    assert_eq!(detect_text(s), Encoding::Tcvn3);
    assert_eq!(repair(s, Encoding::Tcvn3), "Ban Chấp hành Trung ơng");
    let s = "Xin chaøo caùc baïn";
    assert_eq!(detect_text(s), Encoding::Vni);
    assert_eq!(repair(s, Encoding::Vni), "Xin chào các bạn");
    assert_eq!(detect_text("Vieät Nam"), Encoding::Vni);
    assert_eq!(repair("Vieät Nam", Encoding::Vni), "Việt Nam");
    assert_eq!(detect_text("NguyÔn V¨n A"), Encoding::Tcvn3);
}

#[test]
fn mojibake_text_of_every_sentence() {
    // What a cell typed with a legacy font looks like in Excel.
    let latin = |b: &[u8]| -> String { b.iter().map(|&b| tables::cp1252_char(b)).collect() };
    for s in SENTENCES {
        let t = latin(&encode_tcvn3(s));
        assert_eq!(detect_text(&t), Encoding::Tcvn3, "{t}");
        assert_eq!(repair(&t, Encoding::Tcvn3), s);
        let v = latin(&encode_vni(s));
        assert_eq!(detect_text(&v), Encoding::Vni, "{v}");
        assert_eq!(repair(&v, Encoding::Vni), s);
    }
}

#[test]
fn genuine_text_stays() {
    for s in [
        "Hà Nội",
        "Nguyễn Văn Hòa",
        "Lê Thị Ánh",
        "Plain ASCII, 123",
        "Lê Anh",
        "Tô Lâm",
        "Hòa",
        "Hà",
        "Bùi Thế Hiển",
        "Müller",
        "",
    ] {
        assert_eq!(detect_text(s), Encoding::Utf8, "{s}");
        assert_eq!(repair(s, Encoding::Utf8), s);
    }
}

#[test]
fn nfd_becomes_nfc() {
    let nfc_s = "Nguyễn Thị Thủy";
    let nfd_s: String = nfc_s.nfd().collect();
    assert_ne!(nfd_s, nfc_s);
    assert_eq!(detect_text(&nfd_s), Encoding::Utf8);
    assert_eq!(repair(&nfd_s, Encoding::Utf8), nfc_s);
    assert_eq!(decode_bytes(nfd_s.as_bytes()).0, nfc_s);
}

#[test]
fn boms_and_utf16() {
    let s = "Họ và tên\tNgày sinh";
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend_from_slice(s.as_bytes());
    assert_eq!(decode_bytes(&b), (s.to_string(), Encoding::Utf8));
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    let mut bare = Vec::new();
    for u in s.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
        bare.extend(u.to_le_bytes());
    }
    assert_eq!(decode_bytes(&le), (s.to_string(), Encoding::Utf16Le));
    assert_eq!(decode_bytes(&be), (s.to_string(), Encoding::Utf16Be));
    assert_eq!(decode_bytes(&bare), (s.to_string(), Encoding::Utf16Le));
}

#[test]
fn windows_1258() {
    // Excel "CSV" on Vietnamese Windows: base letter + combining tone byte.
    let b = b"Vi\xEA\xF2t Nam, \xD0\xE3ng";
    assert_eq!(
        decode_bytes(b),
        ("Việt Nam, Đăng".to_string(), Encoding::Windows1258)
    );
}

#[test]
fn plain_latin1_is_cp1252() {
    let b = b"Caf\xE9 cr\xE8me, na\xEFve";
    assert_eq!(decode_bytes(b).1, Encoding::Windows1252);
}
