//! Finds references to Party and state documents in free Vietnamese text:
//! "Chỉ thị số 35-CT/TW ngày 30/5/2019", "Nghị định 114/2014/NĐ-CP",
//! "Nghị quyết 57", "Nghị quyết Trung ương 5 khóa XII".
//!
//! Matching runs on a folded copy of the input (marks dropped, đ/Đ/Ð to d,
//! lower case, odd spaces and dashes made plain), so NFD input, broken
//! diacritics and look-alike letters need no patterns of their own. Every
//! folded byte remembers the input character it came from, so `start`, `end`
//! and `text` always refer to the original string.
//!
//! Field conventions:
//! - `number` keeps the digits as written ("08").
//! - A Central Committee plenum resolution ("Nghị quyết Trung ương 5 khóa
//!   XII", "Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa
//!   XII") gets number `TW<n>`, with `-<khóa>` when the term is named:
//!   "TW5-XII". A congress resolution ("Nghị quyết Đại hội Đảng bộ tỉnh lần
//!   thứ XX") gets `ĐH-<ordinal>`: "ĐH-XX". Both are short, issuer null.
//! - Other short forms ("Chỉ thị 35") take the type from the word before the
//!   number; they are state for Nghị định, Thông tư, Luật, Pháp lệnh and
//!   Công điện, party otherwise. Without "số" the type word must be
//!   capitalised, so prose like "theo quy định 15 ngày" is left alone.
//! - `text` runs from the type word (or "Số") to the end of the symbol, or to
//!   the end of a following date ("ngày 15-5-2009", "(06/02/2017)"), but not
//!   a "Ngày" that opens a new sentence on the next line.
//! - A công văn's symbol has no type code: after "Công văn" or "Văn bản", or
//!   in a letter's own heading ("Số: 3456/UBND-NC1" opening a line), the part
//!   after the slash is all issuer and the type is CV.
//! - Laws and National Assembly resolutions ("Luật số 52/2014/QH13") are
//!   state citations with issuer "QH13"; a law's type is "Luật".
use std::sync::LazyLock;

use regex::{Captures, Match, Regex};
use serde::Serialize;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::text::{fold, nfc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Party,
    State,
}

impl System {
    pub fn as_str(self) -> &'static str {
        match self {
            System::Party => "party",
            System::State => "state",
        }
    }
}

/// One document reference. Serialises to the JSON line printed by
/// `trienkhai refs`: text, start, end, system, type, number, issuer, date,
/// short (in that order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Exact slice of the input.
    pub text: String,
    /// Byte offsets into the input, end exclusive.
    pub start: usize,
    pub end: usize,
    pub system: System,
    /// Canonical type code ("CT", "QĐi", "NĐ"), Đ as U+0110.
    #[serde(rename = "type")]
    pub kind: String,
    pub number: String,
    /// "TW", "ĐUK", "CP", "UBND"…; None for short forms.
    pub issuer: Option<String>,
    /// ISO "YYYY-MM-DD" when a date follows the reference.
    pub date: Option<String>,
    pub short: bool,
    /// Year part of a state symbol (114/2014/NĐ-CP); not part of the JSON.
    #[serde(skip)]
    pub year: Option<i32>,
}

/// All document references in `text`, in order of position, not overlapping.
pub fn find(text: &str) -> Vec<Citation> {
    let f = Folded::new(text);
    let mut drafts: Vec<Draft> = Vec::new();
    // Full symbols first so a short form inside one ("Nghị quyết số 01" of
    // "Nghị quyết số 01-NQ/ĐUK") never wins.
    for scan in [party, state, assembly, plenum, congress, short] {
        for d in scan(&f) {
            if !drafts.iter().any(|o| d.start < o.end && o.start < d.end) {
                drafts.push(d);
            }
        }
    }
    drafts.sort_by_key(|d| d.start);
    drafts.into_iter().map(|d| f.finish(d)).collect()
}

/// A symbol typed into a form ("35-CT/TW", "Số 08/NQ-CP", "114/2014/NĐ-CP"):
/// the whole input must be one full reference, nothing before or after.
pub fn parse_symbol(input: &str) -> Option<Citation> {
    let t = input.trim();
    let mut found = find(t);
    let c = found.pop()?;
    (found.is_empty() && !c.short && c.issuer.is_some() && c.start == 0 && c.end == t.len())
        .then_some(c)
}

/// Type codes in Party symbols (36-HD/VPTW and observed usage, domain.md §1.3).
/// TT is "thông tri" here.
const PARTY_TYPES: &[&str] = &[
    "NQ", "CT", "KL", "QĐ", "QĐi", "QyĐ", "QC", "TT", "HD", "TB", "TC", "BC", "KH", "QH", "CTr",
    "ĐA", "PA", "DA", "TTr", "CV", "BB", "BS", "GM", "GGT",
];

/// Type codes in state symbols (Nghị định 30/2020/NĐ-CP, plus legal acts).
const STATE_TYPES: &[&str] = &[
    "NQ", "NĐ", "QĐ", "CT", "TT", "TTLT", "NQLT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA",
    "ĐA", "DA", "BC", "BB", "TTr", "HĐ", "CĐ", "GN", "GM", "GGT", "GUQ", "GNP", "PG", "PC", "PB",
    "KL",
];

/// Folded words naming a document type, with the code and system a bare
/// number after them implies. Longer phrases come first because the regex
/// takes the first alternative that fits.
const WORDS: &[(&str, &str, System)] = &[
    ("chuong trinh hanh dong", "CTr", System::Party),
    ("thong bao ket luan", "TB", System::Party),
    ("thong tu lien tich", "TTLT", System::State),
    ("nghi quyet lien tich", "NQLT", System::State),
    ("nghi quyet", "NQ", System::Party),
    ("nghi dinh", "NĐ", System::State),
    ("chi thi", "CT", System::Party),
    ("ket luan", "KL", System::Party),
    ("quyet dinh", "QĐ", System::Party),
    ("quy dinh", "QĐ", System::Party),
    ("quy che", "QC", System::Party),
    ("ke hoach", "KH", System::Party),
    ("huong dan", "HD", System::Party),
    ("thong bao", "TB", System::Party),
    ("thong tri", "TT", System::Party),
    ("thong tu", "TT", System::State),
    ("thong cao", "TC", System::Party),
    ("bao cao", "BC", System::Party),
    ("chuong trinh", "CTr", System::Party),
    ("cong van", "CV", System::Party),
    ("van ban", "CV", System::State),
    ("cong dien", "CĐ", System::State),
    ("de an", "ĐA", System::Party),
    ("to trinh", "TTr", System::Party),
    ("bien ban", "BB", System::Party),
    ("phap lenh", "PL", System::State),
    ("luat", "Luật", System::State),
];

/// Ordinals as written after "lần thứ" or "Trung ương", folded.
const ORD: &str = r"[0-9]{1,2}|muoi(?: +(?:mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin))?|nhat|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin";

/// The committee term after a plenum: "khóa XII", ", khóa 12", "(khóa XII)".
const KHOA: &str =
    r"(?: *\( *khoa +(?P<k1>[ivxlc]+|[0-9]{1,2}) *\)| *,? +khoa +(?P<k2>[ivxlc]+|[0-9]{1,2})\b)?";

/// WORDS as a regex alternation, any run of spaces between words.
fn type_words() -> String {
    let words: Vec<String> = WORDS.iter().map(|(w, ..)| w.replace(' ', " +")).collect();
    words.join("|")
}

/// "<type word> số:" before a symbol, both optional.
fn prefix() -> String {
    format!(
        r"(?:\b(?P<word>{}) +)?(?:\b(?P<so>so) *:? *|\b)",
        type_words()
    )
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("citation pattern")
}

static PARTY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"{}(?P<num>[0-9]{{1,5}}) *- *(?P<type>[a-z]{{1,5}}) */ *(?P<issuer>[a-z]{{1,12}})\b",
        prefix()
    ))
});

/// One part of a state issuer: "UBND", "TCBC", "NC1", "UBTVQH14",
/// "ĐCTUBTWMTTQVN" (folded).
const ISSUER: &str = "[a-z]{1,16}[0-9]{0,2}";

static STATE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"{}(?P<num>[0-9]{{1,5}}) */ *(?:(?P<year>[0-9]{{4}}) */ *)?(?P<type>[a-z]{{1,8}}) *- *(?P<issuer>{ISSUER}(?:-{ISSUER})*)\b",
        prefix()
    ))
});

static ASSEMBLY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"{}(?P<num>[0-9]{{1,5}}) */ *(?P<year>[0-9]{{4}}) */ *(?P<issuer>(?:ubtv)?qh *[0-9]{{1,2}})\b",
        prefix()
    ))
});

/// "Nghị quyết (Hội nghị) Trung ương 5", "Nghị quyết TW lần thứ sáu".
static PLENUM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\bnghi +quyet +(?:hoi +nghi +)?(?:ban +chap +hanh +)?(?:trung +uong|tu|tw) *(?P<lanthu>lan +thu +)?(?P<ord>{ORD})\b{KHOA}"
    ))
});

/// "Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng".
static PLENUM_BCH: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\bnghi +quyet +hoi +nghi +(?P<lanthu>lan +thu +)?(?P<ord>{ORD}),? +(?:cua +)?(?:ban +chap +hanh|bch) +trung +uong(?: +dang)?\b{KHOA}"
    ))
});

static CONGRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bnghi +quyet +dai +hoi(?: +[a-z]+){0,6}? +(?:lan +thu +(?P<ord>[ivxlc]+|[0-9]{1,2})|(?P<roman>[ivxlc]+))\b",
    )
});

static SHORT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<word>{}) +(?:(?P<so>so) *:? *)?(?P<num>[0-9]{{1,4}})\b",
        type_words()
    ))
});

/// What may follow a bare number that makes it a quantity, not a document:
/// "Báo cáo 6 tháng", "quy định 15 ngày", "Kế hoạch 2021-2025", "35/36",
/// "35 - 40". A dash set off by spaces before words is punctuation:
/// "Nghị quyết 57 – “khoán 10” của thời đại số".
static NOT_AFTER_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:[-/]| *[-/] *[0-9]| *%|[.,][0-9]| +(?:thang|nam|ngay|tuan|quy|gio|phut|nguoi|dong|trieu|ty|nghin|ngan|km|ha|tan|kg|lan|diem|trang|muc|dieu|khoan|cap|phan|buoc|noi +dung|van +de|nhiem +vu|giai +phap|chi +tieu|chi +bo|dang +vien|don +vi|co +quan|phan +tram)\b)",
    )
});

/// A date right after a reference: ", ngày 30/5/2019", "ngày 02 tháng 8 năm
/// 2019", "(06/02/2017)".
static DATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?: *,)? *(?P<open>\( *)?(?P<ngay>ngay *:? *)?(?:(?P<d>[0-9]{1,2}) *[-/.] *(?P<m>[0-9]{1,2}) *[-/.] *(?P<y>[0-9]{4})|(?P<d2>[0-9]{1,2}) +thang +(?P<m2>[0-9]{1,2}) +nam +(?P<y2>[0-9]{4}))\b(?P<close> *\))?",
    )
});

/// A citation before date lookup, with offsets into the folded text.
struct Draft {
    start: usize,
    end: usize,
    system: System,
    kind: String,
    number: String,
    issuer: Option<String>,
    year: Option<i32>,
    short: bool,
}

/// The input folded for matching, with a way back to the original bytes.
struct Folded<'a> {
    src: &'a str,
    text: String,
    /// For each byte of `text`, the byte range of the input character (plus
    /// any marks typed after it) that it came from.
    from: Vec<(usize, usize)>,
}

impl<'a> Folded<'a> {
    fn new(src: &'a str) -> Self {
        let mut f = Folded {
            src,
            text: String::with_capacity(src.len()),
            from: Vec::with_capacity(src.len()),
        };
        for (i, c) in src.char_indices() {
            let span = (i, i + c.len_utf8());
            if is_combining_mark(c) || is_invisible(c) {
                // A mark typed on its own (NFD) belongs to the letter before.
                if let Some(last) = f.from.last_mut() {
                    last.1 = span.1;
                }
                continue;
            }
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    f.push(d, span);
                }
            });
        }
        f
    }

    fn push(&mut self, c: char, span: (usize, usize)) {
        let mut put = |o: char| {
            self.text.push(o);
            self.from.extend(std::iter::repeat_n(span, o.len_utf8()));
        };
        match c {
            'đ' | 'Đ' | 'Ð' | 'ð' | 'Ɖ' | 'ɖ' => put('d'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => put('-'),
            '\u{2044}' | '\u{2215}' | '\u{FF0F}' => put('/'),
            c if c.is_whitespace() => put(' '),
            c => c.to_lowercase().for_each(put),
        }
    }

    /// The input behind folded bytes `a..b`.
    fn range(&self, a: usize, b: usize) -> (usize, usize) {
        (self.from[a].0, self.from[b - 1].1)
    }

    fn slice(&self, m: Match) -> &'a str {
        let (s, e) = self.range(m.start(), m.end());
        &self.src[s..e]
    }

    /// The date opening folded `text[at..]` (length, ISO), unless its "Ngày"
    /// starts a new sentence on a new line: "…60-NQ/TW\n\nNgày 16/4/2025,
    /// Bộ Chính trị…" dates the news, not the resolution.
    fn date_at(&self, at: usize) -> Option<(usize, String)> {
        let (len, iso, ngay) = date_after(&self.text[at..])?;
        match ngay {
            Some(o) if self.new_sentence(at, at + o) => None,
            _ => Some((len, iso)),
        }
    }

    /// Whether the word at folded `word` opens a sentence on a new line: a
    /// line break in the input since folded `from`, and the word written with
    /// a capital and then a small letter ("Ngày", not "ngày" or "NGÀY").
    fn new_sentence(&self, from: usize, word: usize) -> bool {
        if word >= self.text.len() || from >= word {
            return false;
        }
        let (a, b) = (self.from[from].0, self.from[word].0);
        let gap = &self.src[a..b];
        let mut letters = self.src[b..].chars().filter(|c| !is_combining_mark(*c));
        let broken = gap.contains(['\n', '\r', '\u{2028}', '\u{2029}']);
        broken
            && letters.next().is_some_and(char::is_uppercase)
            && letters.next().is_some_and(char::is_lowercase)
    }

    /// Extends the draft over a following date and maps it back to the input.
    fn finish(&self, d: Draft) -> Citation {
        let (end, date) = match self.date_at(d.end) {
            Some((len, iso)) => (d.end + len, Some(iso)),
            None => (d.end, None),
        };
        let (start, end) = self.range(d.start, end);
        Citation {
            text: self.src[start..end].to_string(),
            start,
            end,
            system: d.system,
            kind: d.kind,
            number: d.number,
            issuer: d.issuer,
            date,
            short: d.short,
            year: d.year,
        }
    }
}

/// Soft hyphen and zero-width characters: dropped like marks.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// Length (in folded bytes) and ISO form of a valid date opening `rest`,
/// and where its word "ngày" starts, if written. A closing bracket belongs to
/// the date only when it opened one: in "(… tại Nghị định số 67/2025/NĐ-CP
/// ngày 15/3/2025)" the bracket closes the aside.
fn date_after(rest: &str) -> Option<(usize, String, Option<usize>)> {
    let c = DATE_AFTER.captures(rest)?;
    // "(…)" must close; without brackets the word "ngày" must be there.
    let framed = if c.name("open").is_some() {
        c.name("close").is_some()
    } else {
        c.name("ngay").is_some()
    };
    if !framed {
        return None;
    }
    let num = |a: &str, b: &str| c.name(a).or(c.name(b))?.as_str().parse::<u16>().ok();
    let (d, m, y) = (num("d", "d2")?, num("m", "m2")?, num("y", "y2")?);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(y), month, u8::try_from(d).ok()?).ok()?;
    let end = match (c.name("open"), c.name("close")) {
        (None, Some(close)) => close.start(),
        _ => c.get(0)?.end(),
    };
    let ngay = c.name("ngay").map(|m| m.start());
    Some((end, format!("{y:04}-{m:02}-{d:02}"), ngay))
}

/// Canonical code for a type written in a symbol, or None when unknown.
/// Exact (ignoring case and Đ look-alikes) first, then with Đ read as D so
/// "QD" typed without the stroke still counts.
fn canonical_type(raw: &str, table: &[&'static str]) -> Option<&'static str> {
    let key = upper(raw);
    table
        .iter()
        .find(|t| upper(t) == key)
        .or_else(|| table.iter().find(|t| fold(t) == fold(raw)))
        .copied()
}

fn upper(s: &str) -> String {
    fix_d(s).to_uppercase()
}

/// NFC with Ð/Ɖ (and small forms) as Đ/đ.
fn fix_d(s: &str) -> String {
    crate::text::fix_d(&nfc(s))
}

/// Issuer as written, without spaces; all-lower-case input is upper-cased
/// ("đuk" → "ĐUK") except the Prime Minister's "TTg".
fn canonical_issuer(raw: &str) -> String {
    let s: String = fix_d(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if ('\u{2010}'..='\u{2015}').contains(&c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let s = if s.chars().any(char::is_uppercase) {
        s
    } else {
        s.to_uppercase()
    };
    s.split('-')
        .map(|p| {
            if p.eq_ignore_ascii_case("ttg") {
                "TTg"
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Code and system implied by a captured (folded) type word.
fn word(c: &Captures) -> Option<(&'static str, System)> {
    let w = c
        .name("word")?
        .as_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    WORDS
        .iter()
        .find(|(k, ..)| *k == w)
        .map(|&(_, code, sys)| (code, sys))
}

fn draft(c: &Captures, system: System, kind: &str, number: String) -> Draft {
    let all = c.get(0).expect("whole match");
    Draft {
        start: all.start(),
        end: all.end(),
        system,
        kind: kind.to_string(),
        number,
        issuer: None,
        year: None,
        short: false,
    }
}

/// "Chỉ thị số 41-CT/TW": number-TYPE/ISSUER.
fn party(f: &Folded) -> Vec<Draft> {
    PARTY
        .captures_iter(&f.text)
        .filter_map(|c| {
            let kind = canonical_type(f.slice(c.name("type")?), PARTY_TYPES)?;
            let mut d = draft(&c, System::Party, kind, c["num"].to_string());
            d.issuer = Some(canonical_issuer(f.slice(c.name("issuer")?)));
            Some(d)
        })
        .collect()
}

/// "Nghị định số 114/2014/NĐ-CP": number[/year]/TYPE-ISSUER. After "Công
/// văn" or "Văn bản" the part after the slash is all issuer ("1234/UBND-VX"),
/// and so it is in a letter's own heading: a line opening "Số: 3456/UBND-NC1"
/// (no year) numbers a công văn.
fn state(f: &Folded) -> Vec<Draft> {
    STATE
        .captures_iter(&f.text)
        .filter_map(|c| {
            let ty = c.name("type")?;
            let issuer = c.name("issuer")?;
            let (kind, issuer) = match canonical_type(f.slice(ty), STATE_TYPES) {
                Some(kind) => (kind, f.slice(issuer)),
                None if word(&c).is_some_and(|(code, _)| code == "CV") || heading(f, &c) => {
                    let (s, e) = f.range(ty.start(), issuer.end());
                    ("CV", &f.src[s..e])
                }
                None => return None,
            };
            let mut d = draft(&c, System::State, kind, c["num"].to_string());
            d.issuer = Some(canonical_issuer(issuer));
            d.year = c.name("year").and_then(|y| y.as_str().parse().ok());
            Some(d)
        })
        .collect()
}

/// "Số: 3456/UBND-NC1" opening a line, as the state form writes it (with
/// the colon, so an address "Số 12/A-KP3" stays out), without a type word
/// or a year.
fn heading(f: &Folded, c: &Captures) -> bool {
    let (Some(so), None, None) = (c.name("so"), c.name("word"), c.name("year")) else {
        return false;
    };
    let before = &f.src[..f.from[so.start()].0];
    let line = before.rsplit(['\n', '\r']).next().unwrap_or(before);
    line.trim().is_empty() && f.text[so.end()..].trim_start().starts_with(':')
}

/// "Luật số 52/2014/QH13", "Nghị quyết số 55/2017/QH14": the National
/// Assembly puts its term where other bodies put type and issuer.
fn assembly(f: &Folded) -> Vec<Draft> {
    ASSEMBLY
        .captures_iter(&f.text)
        .filter_map(|c| {
            let issuer = canonical_issuer(f.slice(c.name("issuer")?)).to_uppercase();
            let kind = match word(&c) {
                Some((code, _)) => code,
                None if issuer.starts_with("QH") => "Luật",
                None => "NQ",
            };
            let mut d = draft(&c, System::State, kind, c["num"].to_string());
            d.issuer = Some(issuer);
            d.year = c.name("year").and_then(|y| y.as_str().parse().ok());
            Some(d)
        })
        .collect()
}

/// "Nghị quyết Trung ương 5 khóa XII" → number "TW5-XII". An ordinal in
/// words needs "lần thứ": "Nghị quyết Trung ương năm 2018" is the year.
fn plenum(f: &Folded) -> Vec<Draft> {
    [&*PLENUM, &*PLENUM_BCH]
        .into_iter()
        .flat_map(|r| r.captures_iter(&f.text))
        .filter_map(|c| {
            let ord = c.name("ord")?.as_str();
            if c.name("lanthu").is_none() && !ord.starts_with(|ch: char| ch.is_ascii_digit()) {
                return None;
            }
            let mut number = format!("TW{}", ordinal(ord)?);
            if let Some(k) = c.name("k1").or(c.name("k2")) {
                number = format!("{number}-{}", k.as_str().to_uppercase());
            }
            let mut d = draft(&c, System::Party, "NQ", number);
            d.short = true;
            Some(d)
        })
        .collect()
}

/// "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX" → number "ĐH-XX". A bare
/// Roman numeral must be upper case ("vì" folds to "vi").
fn congress(f: &Folded) -> Vec<Draft> {
    CONGRESS
        .captures_iter(&f.text)
        .filter_map(|c| {
            let ord = match (c.name("ord"), c.name("roman")) {
                (Some(m), _) => m.as_str().to_uppercase(),
                (None, Some(m)) if f.slice(m).chars().all(|ch| "IVXLC".contains(ch)) => {
                    m.as_str().to_uppercase()
                }
                _ => return None,
            };
            let mut d = draft(&c, System::Party, "NQ", format!("ĐH-{ord}"));
            d.short = true;
            Some(d)
        })
        .collect()
}

/// "Chỉ thị 35", "Nghị quyết số 57": type word and a bare number.
fn short(f: &Folded) -> Vec<Draft> {
    SHORT
        .captures_iter(&f.text)
        .filter_map(|c| {
            let (kind, system) = word(&c)?;
            // "văn bản số 3" says nothing of the kind of document.
            if c["word"].starts_with("van ") {
                return None;
            }
            let num = c.name("num")?;
            let has_so = c.name("so").is_some();
            let capital = f.slice(c.name("word")?).starts_with(char::is_uppercase);
            let year_like =
                num.len() == 4 && (1900..=2100).contains(&num.as_str().parse::<u32>().ok()?);
            let rest = &f.text[num.end()..];
            let next = num.end() + (rest.len() - rest.trim_start().len());
            // "ngày" is a unit ("15 ngày") unless a date follows it, and no
            // word is a unit when it opens a new sentence on the next line
            // ("…đến Nghị quyết 57\nNgay từ năm 1996…").
            let quantity = NOT_AFTER_SHORT.is_match(rest)
                && f.date_at(num.end()).is_none()
                && !f.new_sentence(num.end(), next);
            if quantity || !(has_so || capital) || (year_like && !has_so) {
                return None;
            }
            let mut d = draft(&c, system, kind, num.as_str().to_string());
            d.short = true;
            Some(d)
        })
        .collect()
}

/// 5 → 5, "tư" (folded "tu") → 4, "mười hai" → 12.
fn ordinal(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let unit = |w: &str| match w {
        "nhat" | "mot" => Some(1),
        "hai" => Some(2),
        "ba" => Some(3),
        "tu" | "bon" => Some(4),
        "nam" | "lam" => Some(5),
        "sau" => Some(6),
        "bay" => Some(7),
        "tam" => Some(8),
        "chin" => Some(9),
        _ => None,
    };
    let mut words = s.split_whitespace();
    match (words.next()?, words.next()) {
        ("muoi", None) => Some(10),
        ("muoi", Some(w)) => Some(10 + unit(w)?),
        (w, _) => unit(w),
    }
}

#[cfg(test)]
mod corpus_tests;

#[cfg(test)]
mod heldout_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cite_year_and_ordinals() {
        let c = find("Nghị định số 114/2014/NĐ-CP");
        assert_eq!(c[0].year, Some(2014));
        assert_eq!(find("Quyết định số 123/QĐ-UBND")[0].year, None);
        assert_eq!(ordinal("tu"), Some(4));
        assert_eq!(ordinal("muoi hai"), Some(12));
        assert_eq!(ordinal("12"), Some(12));
        assert_eq!(ordinal("muoi xyz"), None);
    }

    #[test]
    fn cite_offsets_survive_nfd() {
        use unicode_normalization::UnicodeNormalization;
        let s: String = "Xét Nghị quyết số 01-NQ/ĐUK ngày 15-5-2009."
            .nfd()
            .collect();
        let c = &find(&s)[0];
        assert_eq!(&s[c.start..c.end], c.text);
        assert!(c.text.ends_with("2009"));
        assert_eq!(nfc(&c.text), "Nghị quyết số 01-NQ/ĐUK ngày 15-5-2009");
    }
}
