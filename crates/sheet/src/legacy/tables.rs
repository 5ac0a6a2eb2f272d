//! Static conversion tables. Tone order everywhere:
//! none, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot).

/// The 12 Vietnamese vowels (rows) with their 6 tones (columns), lowercase.
pub(crate) const VOWELS: [[char; 6]; 12] = [
    ['a', 'à', 'ả', 'ã', 'á', 'ạ'],
    ['ă', 'ằ', 'ẳ', 'ẵ', 'ắ', 'ặ'],
    ['â', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ'],
    ['e', 'è', 'ẻ', 'ẽ', 'é', 'ẹ'],
    ['ê', 'ề', 'ể', 'ễ', 'ế', 'ệ'],
    ['i', 'ì', 'ỉ', 'ĩ', 'í', 'ị'],
    ['o', 'ò', 'ỏ', 'õ', 'ó', 'ọ'],
    ['ô', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ'],
    ['ơ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ'],
    ['u', 'ù', 'ủ', 'ũ', 'ú', 'ụ'],
    ['ư', 'ừ', 'ử', 'ữ', 'ứ', 'ự'],
    ['y', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ'],
];

/// Same as [`VOWELS`], uppercase.
pub(crate) const VOWELS_UP: [[char; 6]; 12] = [
    ['A', 'À', 'Ả', 'Ã', 'Á', 'Ạ'],
    ['Ă', 'Ằ', 'Ẳ', 'Ẵ', 'Ắ', 'Ặ'],
    ['Â', 'Ầ', 'Ẩ', 'Ẫ', 'Ấ', 'Ậ'],
    ['E', 'È', 'Ẻ', 'Ẽ', 'É', 'Ẹ'],
    ['Ê', 'Ề', 'Ể', 'Ễ', 'Ế', 'Ệ'],
    ['I', 'Ì', 'Ỉ', 'Ĩ', 'Í', 'Ị'],
    ['O', 'Ò', 'Ỏ', 'Õ', 'Ó', 'Ọ'],
    ['Ô', 'Ồ', 'Ổ', 'Ỗ', 'Ố', 'Ộ'],
    ['Ơ', 'Ờ', 'Ở', 'Ỡ', 'Ớ', 'Ợ'],
    ['U', 'Ù', 'Ủ', 'Ũ', 'Ú', 'Ụ'],
    ['Ư', 'Ừ', 'Ử', 'Ữ', 'Ứ', 'Ự'],
    ['Y', 'Ỳ', 'Ỷ', 'Ỹ', 'Ý', 'Ỵ'],
];

/// TCVN 5712:1993 (TCVN3/ABC, with the VN1 capitals) bytes for [`VOWELS`].
/// 0 means "plain ASCII letter".
pub(crate) const TCVN3_LOW: [[u8; 6]; 12] = [
    [0, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9],
    [0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6],
    [0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB],
    [0, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1],
    [0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6],
    [0, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE],
    [0, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4],
    [0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9],
    [0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE],
    [0, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4],
    [0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9],
    [0, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE],
];

/// TCVN3 bytes for [`VOWELS_UP`] (capitals live in 0x80..0x9F, a few
/// free slots above, and some C0 control positions).
pub(crate) const TCVN3_UP: [[u8; 6]; 12] = [
    [0, 0x80, 0x81, 0x82, 0x83, 0x84],
    [0xA1, 0xAF, 0xBA, 0xBF, 0xC0, 0x85],
    [0xA2, 0xC1, 0xC2, 0xC3, 0xC4, 0x86],
    [0, 0x87, 0x88, 0x89, 0x8A, 0x8B],
    [0xA3, 0xC5, 0xCD, 0xD9, 0xDA, 0x8C],
    [0, 0x8D, 0x8E, 0x8F, 0x90, 0x91],
    [0, 0x92, 0x93, 0x94, 0x95, 0x96],
    [0xA4, 0xDB, 0xE0, 0xF0, 0xFF, 0x97],
    [0xA5, 0x98, 0x99, 0x9A, 0x9B, 0x9C],
    [0, 0x9D, 0x9E, 0x9F, 0x01, 0x02],
    [0xA6, 0x04, 0x05, 0x06, 0x11, 0x12],
    [0, 0x13, 0x14, 0x15, 0x16, 0x17],
];

pub(crate) const TCVN3_D_LOW: u8 = 0xAE;
pub(crate) const TCVN3_D_UP: u8 = 0xA7;

/// TCVN3 bytes 0xB0..=0xB4 are combining tone marks (grave, hook, tilde,
/// acute, dot below).
const TCVN3_COMBINING: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];

/// cp1252 characters for bytes 0x80..=0x9F (undefined ones keep the C1 code).
pub(crate) const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Byte to char for cp1252 (with Latin-1 for its holes).
pub(crate) const fn cp1252_char(b: u8) -> char {
    if b >= 0x80 && b < 0xA0 {
        CP1252_HIGH[(b - 0x80) as usize]
    } else {
        b as char
    }
}

/// Char to byte for cp1252 / Latin-1 (how legacy text shows up as Unicode).
pub(crate) fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x100 {
        return Some(u as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&h| h == c)
        .map(|i| 0x80 + i as u8)
}

/// Full TCVN3 byte -> char table.
pub(crate) static TCVN3_DECODE: [char; 256] = build_tcvn3();

const fn build_tcvn3() -> [char; 256] {
    let mut t = ['\0'; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = cp1252_char(b as u8);
        b += 1;
    }
    let mut v = 0;
    while v < 12 {
        let mut k = 0;
        while k < 6 {
            if TCVN3_LOW[v][k] != 0 {
                t[TCVN3_LOW[v][k] as usize] = VOWELS[v][k];
            }
            if TCVN3_UP[v][k] != 0 {
                t[TCVN3_UP[v][k] as usize] = VOWELS_UP[v][k];
            }
            k += 1;
        }
        v += 1;
    }
    t[TCVN3_D_LOW as usize] = 'đ';
    t[TCVN3_D_UP as usize] = 'Đ';
    let mut i = 0;
    while i < 5 {
        t[0xB0 + i] = TCVN3_COMBINING[i];
        i += 1;
    }
    t
}

/// VNI-Windows: a modifier byte after a base vowel. Lowercase form; the
/// uppercase form is 0x20 lower. (byte, shape, tone) where shape is
/// 0 = none, 1 = circumflex (â ê ô), 2 = breve (ă).
pub(crate) const VNI_MODS: [(u8, u8, u8); 17] = [
    (0xF8, 0, 1),
    (0xFB, 0, 2),
    (0xF5, 0, 3),
    (0xF9, 0, 4),
    (0xEF, 0, 5),
    (0xE2, 1, 0),
    (0xE0, 1, 1),
    (0xE5, 1, 2),
    (0xE3, 1, 3),
    (0xE1, 1, 4),
    (0xE4, 1, 5),
    (0xEA, 2, 0),
    (0xE8, 2, 1),
    (0xFA, 2, 2),
    (0xFC, 2, 3),
    (0xE9, 2, 4),
    (0xEB, 2, 5),
];

/// VNI single-byte letters (lowercase byte; uppercase is 0x20 lower):
/// (byte, vowel row or 255 for đ, tone).
pub(crate) const VNI_SINGLES: [(u8, u8, u8); 9] = [
    (0xEC, 5, 1),
    (0xE6, 5, 2),
    (0xF3, 5, 3),
    (0xED, 5, 4),
    (0xF2, 5, 5),
    (0xEE, 11, 5),
    (0xF4, 8, 0),
    (0xF6, 10, 0),
    (0xF1, 255, 0),
];

/// Vowel rows: a ă â e ê i o ô ơ u ư y.
pub(crate) const ROW_A: usize = 0;
pub(crate) const ROW_E: usize = 3;
pub(crate) const ROW_O: usize = 6;

/// Vowel row reached from `row` by a VNI shape (1 = circumflex, 2 = breve).
pub(crate) fn vni_shape(row: usize, shape: u8) -> Option<usize> {
    match (row, shape) {
        (r, 0) => Some(r),
        (ROW_A, 1) => Some(2),
        (ROW_A, 2) => Some(1),
        (ROW_E, 1) => Some(4),
        (ROW_O, 1) => Some(7),
        _ => None,
    }
}

/// Info about a Vietnamese letter: vowel row (0..12, or `None` for a
/// consonant), tone, uppercase flag, and the toneless lowercase base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Letter {
    pub row: Option<u8>,
    pub tone: u8,
    pub upper: bool,
    pub base: char,
}

/// Packed info for U+00C0..=U+01B0 and U+1EA0..=U+1EF9:
/// 0 = none, 1 + row*6 + tone (+100 for uppercase), 99/199 = đ/Đ.
static INFO_LATIN: [u8; 0x1B1 - 0xC0] = build_info(0xC0, 0x1B1);
static INFO_EXT: [u8; 0x1EFA - 0x1EA0] = build_info(0x1EA0, 0x1EFA);

const fn build_info<const N: usize>(lo: u32, hi: u32) -> [u8; N] {
    let mut t = [0u8; N];
    let mut v = 0;
    while v < 12 {
        let mut k = 0;
        while k < 6 {
            let lower = VOWELS[v][k] as u32;
            let upper = VOWELS_UP[v][k] as u32;
            if lower >= lo && lower < hi {
                t[(lower - lo) as usize] = (1 + v * 6 + k) as u8;
            }
            if upper >= lo && upper < hi {
                t[(upper - lo) as usize] = (101 + v * 6 + k) as u8;
            }
            k += 1;
        }
        v += 1;
    }
    if 'đ' as u32 >= lo && ('đ' as u32) < hi {
        t[('đ' as u32 - lo) as usize] = 99;
        t[('Đ' as u32 - lo) as usize] = 199;
    }
    t
}

/// Classify `c` as a Vietnamese letter (ASCII letters included).
pub(crate) fn letter(c: char) -> Option<Letter> {
    if c.is_ascii_alphabetic() {
        let lower = c.to_ascii_lowercase();
        let row = match lower {
            'a' => Some(0),
            'e' => Some(3),
            'i' => Some(5),
            'o' => Some(6),
            'u' => Some(9),
            'y' => Some(11),
            _ => None,
        };
        return Some(Letter {
            row,
            tone: 0,
            upper: c.is_ascii_uppercase(),
            base: lower,
        });
    }
    let u = c as u32;
    let packed = match u {
        0xC0..=0x1B0 => INFO_LATIN[(u - 0xC0) as usize],
        0x1EA0..=0x1EF9 => INFO_EXT[(u - 0x1EA0) as usize],
        _ => 0,
    };
    match packed {
        0 => None,
        99 | 199 => Some(Letter {
            row: None,
            tone: 0,
            upper: packed == 199,
            base: 'đ',
        }),
        p => {
            let upper = p > 100;
            let i = (if upper { p - 101 } else { p - 1 }) as usize;
            let (row, tone) = (i / 6, i % 6);
            Some(Letter {
                row: Some(row as u8),
                tone: tone as u8,
                upper,
                base: VOWELS[row][0],
            })
        }
    }
}

/// The precomposed letter for a vowel row, tone and case.
pub(crate) fn vowel(row: usize, tone: usize, upper: bool) -> char {
    if upper {
        VOWELS_UP[row][tone]
    } else {
        VOWELS[row][tone]
    }
}
