//! Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows, cp1258) to Unicode,
//! plus detection of which one a file or a mojibake text uses.

mod score;
mod tables;
#[cfg(test)]
pub(crate) mod tests;

use std::borrow::Cow;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252, WINDOWS_1258};
use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

use score::score;
use tables::{
    TCVN3_DECODE, VNI_MODS, VNI_SINGLES, cp1252_byte, cp1252_char, letter, vni_shape, vowel,
};

/// How a text was (or must be) encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Unicode as UTF-8 (also: genuine Unicode text).
    Utf8,
    /// Unicode as UTF-16 little endian (Excel "Unicode text").
    Utf16Le,
    /// Unicode as UTF-16 big endian.
    Utf16Be,
    /// TCVN 5712 / TCVN3 / ABC (.VnTime, .VnTimeH fonts).
    Tcvn3,
    /// VNI-Windows (VNI-Times fonts).
    Vni,
    /// Windows-1258, what Excel on Vietnamese Windows saves as "CSV".
    Windows1258,
    /// Windows-1252 / Latin-1, no Vietnamese.
    Windows1252,
}

impl Encoding {
    /// Short name to show to users.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "Unicode (UTF-8)",
            Encoding::Utf16Le | Encoding::Utf16Be => "Unicode (UTF-16)",
            Encoding::Tcvn3 => "TCVN3 (ABC)",
            Encoding::Vni => "VNI-Windows",
            Encoding::Windows1258 => "Windows-1258",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    /// Single-byte legacy encodings (decoded byte by byte).
    pub fn is_legacy(self) -> bool {
        !matches!(self, Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be)
    }
}

/// Unicode NFC, borrowing when the text already is NFC.
pub fn nfc(s: &str) -> Cow<'_, str> {
    if is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// Decode a whole byte buffer: BOM/UTF-16/UTF-8 first, otherwise the 8-bit
/// encoding whose result reads most like Vietnamese. Result is NFC.
pub fn decode_bytes(bytes: &[u8]) -> (String, Encoding) {
    let (enc, bom) = sniff_bytes(bytes, true);
    let text = decode_with(&bytes[bom..], enc);
    (nfc(&text).into_owned(), enc)
}

/// Decide the encoding of a file from its first bytes; returns the
/// encoding and the BOM length. `complete` says the sample is the whole file.
pub(crate) fn sniff_bytes(sample: &[u8], complete: bool) -> (Encoding, usize) {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return (Encoding::Utf8, 3);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return (Encoding::Utf16Le, 2);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return (Encoding::Utf16Be, 2);
    }
    if let Some(enc) = utf16_without_bom(sample) {
        return (enc, 0);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return (Encoding::Utf8, 0),
        // A sample cut inside a multi-byte char is still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => return (Encoding::Utf8, 0),
        Err(_) => {}
    }
    (best_single_byte(sample), 0)
}

/// UTF-16 text without BOM: almost every other byte is NUL.
fn utf16_without_bom(s: &[u8]) -> Option<Encoding> {
    let pairs = s.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = s.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = s.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some(Encoding::Utf16Le)
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// The 8-bit candidate whose decoding scores best (cp1252 on ties).
fn best_single_byte(sample: &[u8]) -> Encoding {
    let mut best = (Encoding::Windows1252, i64::MIN);
    for enc in [
        Encoding::Windows1252,
        Encoding::Windows1258,
        Encoding::Tcvn3,
        Encoding::Vni,
    ] {
        let pts = score(&nfc(&decode_with(sample, enc))).points;
        if pts > best.1 {
            best = (enc, pts);
        }
    }
    best.0
}

/// Share of characters that are odd symbols or control codes, in percent,
/// for the text decoded as `enc` (used to reject binary files).
pub(crate) fn odd_percent(sample: &[u8], enc: Encoding) -> usize {
    let sc = score(&decode_with(sample, enc));
    sc.odd * 100 / sc.chars.max(1)
}

/// Decode bytes (no BOM) with `enc`. Invalid UTF-8/16 becomes U+FFFD.
pub(crate) fn decode_with(bytes: &[u8], enc: Encoding) -> Cow<'_, str> {
    match enc {
        Encoding::Utf8 => String::from_utf8_lossy(bytes),
        Encoding::Utf16Le => UTF_16LE.decode_without_bom_handling(bytes).0,
        Encoding::Utf16Be => UTF_16BE.decode_without_bom_handling(bytes).0,
        Encoding::Windows1252 => WINDOWS_1252.decode_without_bom_handling(bytes).0,
        Encoding::Windows1258 => WINDOWS_1258.decode_without_bom_handling(bytes).0,
        Encoding::Tcvn3 => Cow::Owned(bytes.iter().map(|&b| TCVN3_DECODE[b as usize]).collect()),
        Encoding::Vni => Cow::Owned(decode_vni(bytes)),
    }
}

fn decode_vni(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if let Some((c, used)) = vni_letter(b, next) {
            out.push(c);
            i += used;
        } else {
            out.push(cp1252_char(b));
            i += 1;
        }
    }
    out
}

/// One VNI letter starting at byte `b`; returns the char and bytes used.
fn vni_letter(b: u8, next: Option<u8>) -> Option<(char, usize)> {
    let (row, upper) = if b >= 0xC0 {
        // Single-byte letters: ì ỉ ĩ í ị ỵ đ, and the bases ơ ư.
        let &(_, row, tone) = VNI_SINGLES.iter().find(|s| s.0 == b | 0x20)?;
        let upper = b < 0xE0;
        match row {
            255 => return Some((if upper { 'Đ' } else { 'đ' }, 1)),
            8 | 10 => (row as usize, upper),
            _ => return Some((vowel(row as usize, tone as usize, upper), 1)),
        }
    } else {
        // ASCII a e o u y take a modifier byte; i never does.
        let l = letter(b as char)?;
        let row = l.row? as usize;
        if row == 5 {
            return None;
        }
        (row, l.upper)
    };
    // Modifier bytes come in both cases; the base decides the case.
    let modifier = next.and_then(|m| VNI_MODS.iter().find(|v| v.0 == m | 0x20));
    if let Some(&(_, shape, tone)) = modifier
        && let Some(r) = vni_shape(row, shape)
    {
        return Some((vowel(r, tone as usize, upper), 2));
    }
    Some((vowel(row, 0, upper), 1))
}

/// Is this Unicode text legacy mojibake (each char standing for one byte
/// of a .VnTime or VNI font) or genuine? Returns `Tcvn3`, `Vni` or `Utf8`.
pub fn detect_text(sample: &str) -> Encoding {
    if sample.is_ascii() {
        return Encoding::Utf8;
    }
    let Some(bytes) = to_bytes(sample) else {
        // ă, đ, ơ, ư, ạ, ế...: outside cp1252, so genuine Unicode.
        return Encoding::Utf8;
    };
    let mut best = (Encoding::Utf8, score(&nfc(sample)).points);
    for enc in [Encoding::Tcvn3, Encoding::Vni] {
        let pts = score(&decode_with(&bytes, enc)).points;
        if pts > best.1 {
            best = (enc, pts);
        }
    }
    best.0
}

/// The bytes behind a text shown in cp1252/Latin-1, if every char has one.
fn to_bytes(s: &str) -> Option<Vec<u8>> {
    s.chars().map(cp1252_byte).collect()
}

/// Convert mojibake `s` read in `enc` back to proper Unicode (NFC). Chars
/// that cannot stand for a byte are kept as they are.
pub fn repair(s: &str, enc: Encoding) -> String {
    if !enc.is_legacy() || enc == Encoding::Windows1252 || s.is_ascii() {
        return nfc(s).into_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut run = Vec::new();
    for c in s.chars() {
        match cp1252_byte(c) {
            Some(b) => run.push(b),
            None => {
                out.push_str(&decode_with(&run, enc));
                run.clear();
                out.push(c);
            }
        }
    }
    out.push_str(&decode_with(&run, enc));
    nfc(&out).into_owned()
}

/// Repair one cell if it can be mojibake and repairing does not make it
/// read worse (guards genuine text in a mostly-legacy file).
pub(crate) fn repair_cell(s: &str, enc: Encoding) -> Cow<'_, str> {
    if s.is_ascii() || !matches!(enc, Encoding::Tcvn3 | Encoding::Vni) {
        return nfc(s);
    }
    let Some(bytes) = to_bytes(s) else {
        return nfc(s);
    };
    let fixed = nfc(&decode_with(&bytes, enc)).into_owned();
    if score(&fixed).points >= score(s).points {
        Cow::Owned(fixed)
    } else {
        nfc(s)
    }
}

/// Can this cell be legacy mojibake at all (non-ASCII, cp1252 only)?
pub(crate) fn maybe_mojibake(s: &str) -> bool {
    !s.is_ascii() && s.chars().all(|c| cp1252_byte(c).is_some())
}
