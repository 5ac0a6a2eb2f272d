//! DOCX for a Party document in the layout of Hướng dẫn 36-HD/VPTW: A4,
//! Times New Roman, the two-column header (issuing body / "ĐẢNG CỘNG SẢN VIỆT
//! NAM"), type name and subject, justified body, signature block with
//! "Nơi nhận", page numbers centred at the top from page 2.
//!
//! The WordprocessingML is written by hand: the layout is fixed, and a plain
//! string builder keeps the output small, deterministic and easy to test.

use std::io::{Cursor, Write};

use time::Date;
use trienkhai_core::fmt::formal_date;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Page margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    pub top_mm: f32,
    pub bottom_mm: f32,
    pub left_mm: f32,
    pub right_mm: f32,
}

impl Default for Margins {
    /// The margins 36-HD/VPTW recommends: top/bottom 25 mm, left 35 mm, right 15 mm.
    fn default() -> Self {
        Margins {
            top_mm: 25.0,
            bottom_mm: 25.0,
            left_mm: 35.0,
            right_mm: 15.0,
        }
    }
}

/// Everything printed on a document. Upper-casing is done here, so callers
/// pass names as stored ("Báo cáo", "Bí thư").
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    /// Superior Party body, printed upper-cased, regular.
    pub superior: Option<&'a str>,
    /// Issuing body, printed upper-cased, bold.
    pub issuer_body: &'a str,
    /// "12-BC/ĐUK"; the number line is "Số " + symbol.
    pub symbol: &'a str,
    /// "Phan Thiết".
    pub place: &'a str,
    pub date: Date,
    /// "MẬT", "TỐI MẬT"…
    pub secrecy: Option<&'a str>,
    /// "KHẨN", "HỎA TỐC"…
    pub urgency: Option<&'a str>,
    /// "Báo cáo" → printed "BÁO CÁO".
    pub type_name: &'a str,
    /// Trích yếu.
    pub subject: &'a str,
    /// Plain text, one paragraph per line.
    pub body: &'a str,
    /// "T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ"…; none or empty for a personal signature.
    pub authority: Option<&'a str>,
    /// "Bí thư" → printed "BÍ THƯ".
    pub signer_title: &'a str,
    pub signer_name: &'a str,
    pub recipients: &'a [String],
    /// A table after the body (first row: the header), e.g. a roll-up.
    pub table: &'a [Vec<String>],
    pub margins: Margins,
}

/// A complete .docx (a zip archive) for `letter`.
pub fn write(letter: &Letter) -> Vec<u8> {
    let parts: [(&str, String); 10] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("docProps/core.xml", core_xml(letter)),
        ("docProps/app.xml", app_xml(letter)),
        ("word/document.xml", document_xml(letter)),
        ("word/styles.xml", STYLES.to_owned()),
        ("word/settings.xml", SETTINGS.to_owned()),
        ("word/header1.xml", page_number_header()),
        ("word/header2.xml", empty_header()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, xml) in parts {
        // Writing into a Vec cannot fail short of running out of memory.
        zip.start_file(name, options).expect("zip entry in memory");
        zip.write_all(xml.as_bytes()).expect("zip write in memory");
    }
    zip.finish().expect("zip finish in memory").into_inner()
}

// ---------------------------------------------------------------------------
// Units and page geometry

/// A4 in twips (1/20 pt).
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
/// Default left/right cell padding of a Word table (twips).
const CELL_PAD: u32 = 108;
/// Printed width of "ĐẢNG CỘNG SẢN VIỆT NAM" in Times New Roman 15 bold
/// (about 75 mm) plus a little, in twips.
const PARTY_TITLE_W: u32 = 4350;

fn twips(mm: f32) -> u32 {
    (f64::from(mm.max(0.0)) * 1440.0 / 25.4).round() as u32
}

// ---------------------------------------------------------------------------
// Runs and paragraphs

const FONT: &str = "Times New Roman";

/// Character formatting; `size` is in points.
#[derive(Debug, Clone, Copy)]
struct Font {
    size: u32,
    bold: bool,
    italic: bool,
    underline: bool,
}

const fn font(size: u32) -> Font {
    Font {
        size,
        bold: false,
        italic: false,
        underline: false,
    }
}

impl Font {
    const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    const fn italic(mut self) -> Self {
        self.italic = true;
        self
    }
    const fn underline(mut self) -> Self {
        self.underline = true;
        self
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Jc {
    #[default]
    Center,
    Both,
    Left,
}

/// Paragraph formatting; spacing and indent in twips.
#[derive(Debug, Clone, Copy, Default)]
struct Para {
    jc: Jc,
    before: u32,
    after: u32,
    first_line: u32,
    keep_next: bool,
    /// Left and right indent (twips).
    side: u32,
    /// Solid rule under the paragraph (the line under "ĐẢNG CỘNG SẢN VIỆT NAM").
    rule_below: bool,
}

const CENTER: Para = Para {
    jc: Jc::Center,
    before: 0,
    after: 0,
    first_line: 0,
    keep_next: false,
    side: 0,
    rule_below: false,
};

const LEFT: Para = Para {
    jc: Jc::Left,
    ..CENTER
};

/// rPr children in schema order (rFonts, b, i, sz, u): Word rejects misordered ones.
fn rpr(out: &mut String, f: Font) {
    out.push_str("<w:rPr>");
    out.push_str(&format!(
        r#"<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>"#
    ));
    if f.bold {
        out.push_str("<w:b/><w:bCs/>");
    }
    if f.italic {
        out.push_str("<w:i/><w:iCs/>");
    }
    let hp = f.size * 2;
    out.push_str(&format!(r#"<w:sz w:val="{hp}"/><w:szCs w:val="{hp}"/>"#));
    if f.underline {
        out.push_str(r#"<w:u w:val="single"/>"#);
    }
    out.push_str("</w:rPr>");
}

/// One run; tabs and line breaks inside `text` become <w:tab/> and <w:br/>.
fn run(out: &mut String, text: &str, f: Font) {
    out.push_str("<w:r>");
    rpr(out, f);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        for (j, piece) in line.trim_end_matches('\r').split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                out.push_str(r#"<w:t xml:space="preserve">"#);
                escape_into(out, piece);
                out.push_str("</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
}

/// A paragraph of one run (`text` may be empty: a blank line of that size).
fn para(out: &mut String, p: Para, text: &str, f: Font) {
    out.push_str("<w:p><w:pPr>");
    if p.keep_next {
        out.push_str("<w:keepNext/>");
    }
    if p.rule_below {
        out.push_str(
            r#"<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>"#,
        );
    }
    out.push_str(&format!(
        r#"<w:spacing w:before="{}" w:after="{}" w:line="240" w:lineRule="auto"/>"#,
        p.before, p.after
    ));
    if p.side > 0 {
        out.push_str(&format!(r#"<w:ind w:left="{0}" w:right="{0}"/>"#, p.side));
    } else if p.first_line > 0 {
        out.push_str(&format!(r#"<w:ind w:firstLine="{}"/>"#, p.first_line));
    }
    let jc = match p.jc {
        Jc::Center => "center",
        Jc::Both => "both",
        Jc::Left => "left",
    };
    out.push_str(&format!(r#"<w:jc w:val="{jc}"/>"#));
    // The paragraph mark's size sets the height of an empty paragraph.
    rpr(out, f);
    out.push_str("</w:pPr>");
    if !text.is_empty() {
        run(out, text, f);
    }
    out.push_str("</w:p>");
}

/// Text content escaping; characters XML 1.0 forbids are dropped so a stray
/// control character cannot make the whole file unreadable.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

// ---------------------------------------------------------------------------
// Borderless layout tables

fn table_start(out: &mut String, widths: &[u32]) {
    let total: u32 = widths.iter().sum();
    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!(r#"<w:tblW w:w="{total}" w:type="dxa"/>"#));
    // Pull the table left by the cell padding so cell text lines up with the margin.
    out.push_str(&format!(r#"<w:tblInd w:w="-{CELL_PAD}" w:type="dxa"/>"#));
    out.push_str("<w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!(r#"<w:{side} w:val="nil"/>"#));
    }
    out.push_str("</w:tblBorders>");
    out.push_str(r#"<w:tblLayout w:type="fixed"/>"#);
    out.push_str(&format!(
        r#"<w:tblCellMar><w:left w:w="{CELL_PAD}" w:type="dxa"/><w:right w:w="{CELL_PAD}" w:type="dxa"/></w:tblCellMar>"#
    ));
    out.push_str(r#"<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="0"/>"#);
    out.push_str("</w:tblPr><w:tblGrid>");
    for w in widths {
        out.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    out.push_str("</w:tblGrid>");
}

/// A ruled table of figures: the first column (names) takes a third of
/// the width, the rest share it; the header row is bold and repeats on
/// every page.
fn data_table(out: &mut String, rows: &[Vec<String>], text_w: u32) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let first = if cols > 1 { text_w / 3 } else { text_w };
    let rest = if cols > 1 {
        (text_w - first) / (cols - 1)
    } else {
        0
    };
    let widths: Vec<u32> = (0..cols)
        .map(|i| if i == 0 { first } else { rest })
        .collect();
    out.push_str("<w:tbl><w:tblPr>");
    out.push_str(&format!(
        r#"<w:tblW w:w="{text_w}" w:type="dxa"/><w:tblBorders>"#
    ));
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!(
            r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>"#
        ));
    }
    out.push_str(r#"</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#);
    for w in &widths {
        out.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
    }
    out.push_str("</w:tblGrid>");
    for (r, row) in rows.iter().enumerate() {
        out.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if r == 0 {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("</w:trPr>");
        for (i, w) in widths.iter().enumerate() {
            let text = row.get(i).map(String::as_str).unwrap_or("");
            let f = if r == 0 { font(24).bold() } else { font(24) };
            let jc = if i == 0 && r > 0 { LEFT } else { CENTER };
            let mut content = String::new();
            para(&mut content, jc, text, f);
            cell(out, *w, &content);
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    para(out, CENTER, "", font(14));
}

fn row_start(out: &mut String, cant_split: bool) {
    out.push_str("<w:tr>");
    if cant_split {
        out.push_str("<w:trPr><w:cantSplit/></w:trPr>");
    }
}

fn cell(out: &mut String, width: u32, content: &str) {
    out.push_str(&format!(
        r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="top"/></w:tcPr>"#
    ));
    // A cell must hold at least one paragraph.
    if content.is_empty() {
        para(out, CENTER, "", font(14));
    } else {
        out.push_str(content);
    }
    out.push_str("</w:tc>");
}

// ---------------------------------------------------------------------------
// document.xml

fn upper(s: &str) -> String {
    s.trim().to_uppercase()
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn date_line(place: &str, date: Date) -> String {
    let date = formal_date(date);
    let place = place.trim();
    if place.is_empty() {
        // Without a place the line starts the sentence: "Ngày 02 tháng 8…".
        let mut chars = date.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        format!("{place}, {date}")
    }
}

fn document_xml(l: &Letter) -> String {
    let m = l.margins;
    let (top, bottom, left, right) = (
        twips(m.top_mm),
        twips(m.bottom_mm),
        twips(m.left_mm),
        twips(m.right_mm),
    );
    // Keep a usable column even with absurd margins.
    let text_w = PAGE_W.saturating_sub(left + right).max(2880);
    // The table is widened by the padding pulled into the left margin and
    // the padding on the right, so the cell texts span exactly the text width.
    let table_w = text_w + 2 * CELL_PAD;
    let left_w = table_w * 45 / 100;
    let right_w = table_w - left_w;

    let mut out = String::with_capacity(16 * 1024);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    out.push_str(concat!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#,
        r#" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        "<w:body>"
    ));

    header_table(&mut out, l, left_w, right_w);
    title(&mut out, l);
    body(&mut out, l.body);
    if !l.table.is_empty() {
        data_table(&mut out, l.table, text_w);
    }
    signature_table(&mut out, l, left_w, right_w);
    // The body must end with a paragraph, not a table.
    para(&mut out, CENTER, "", font(14));

    out.push_str(&format!(
        concat!(
            "<w:sectPr>",
            r#"<w:headerReference w:type="default" r:id="rIdHeader1"/>"#,
            r#"<w:headerReference w:type="first" r:id="rIdHeader2"/>"#,
            r#"<w:pgSz w:w="{}" w:h="{}"/>"#,
            r#"<w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="{}" w:footer="{}" w:gutter="0"/>"#,
            r#"<w:cols w:space="720"/>"#,
            // Different first page: no page number on page 1.
            "<w:titlePg/>",
            r#"<w:docGrid w:linePitch="360"/>"#,
            "</w:sectPr>",
        ),
        PAGE_W,
        PAGE_H,
        top,
        right,
        bottom,
        left,
        // The page number sits about halfway into the top margin.
        top / 2,
        bottom / 2,
    ));
    out.push_str("</w:body></w:document>");
    out
}

/// Two rows so the number line and the place-date line start level with each
/// other however many lines the issuing body wraps to.
fn header_table(out: &mut String, l: &Letter, left_w: u32, right_w: u32) {
    table_start(out, &[left_w, right_w]);

    row_start(out, false);
    let mut left = String::new();
    if let Some(sup) = non_empty(l.superior) {
        para(&mut left, CENTER, &upper(sup), font(14));
    }
    para(&mut left, CENTER, &upper(l.issuer_body), font(14).bold());
    para(&mut left, CENTER, "*", font(14));
    cell(out, left_w, &left);
    let mut right = String::new();
    // The rule should be about as long as the title, not the whole cell.
    let side = (right_w - 2 * CELL_PAD).saturating_sub(PARTY_TITLE_W) / 2;
    para(
        &mut right,
        Para {
            side,
            rule_below: true,
            ..CENTER
        },
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        font(15).bold(),
    );
    cell(out, right_w, &right);
    out.push_str("</w:tr>");

    row_start(out, false);
    let mut left = String::new();
    para(
        &mut left,
        CENTER,
        &format!("Số {}", l.symbol.trim()),
        font(14),
    );
    for mark in [l.secrecy, l.urgency].into_iter().flatten() {
        if let Some(mark) = non_empty(Some(mark)) {
            para(
                &mut left,
                Para {
                    before: 60,
                    ..CENTER
                },
                &upper(mark),
                font(14).bold(),
            );
        }
    }
    cell(out, left_w, &left);
    let mut right = String::new();
    para(
        &mut right,
        CENTER,
        &date_line(l.place, l.date),
        font(14).italic(),
    );
    cell(out, right_w, &right);
    out.push_str("</w:tr>");

    out.push_str("</w:tbl>");
}

fn title(out: &mut String, l: &Letter) {
    let keep = Para {
        keep_next: true,
        ..CENTER
    };
    para(
        out,
        Para {
            before: 480,
            ..keep
        },
        &upper(l.type_name),
        font(16).bold(),
    );
    let subject = l.subject.trim();
    if !subject.is_empty() {
        para(out, keep, subject, font(14).bold());
    }
    para(out, Para { after: 240, ..keep }, "-----", font(14));
}

fn body(out: &mut String, text: &str) {
    let normal = Para {
        jc: Jc::Both,
        before: 0,
        after: 120,
        first_line: 720,
        keep_next: false,
        side: 0,
        rule_below: false,
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if is_heading(line) {
            // Keep a heading on the page of the paragraph it introduces.
            para(
                out,
                Para {
                    keep_next: true,
                    ..normal
                },
                line,
                font(14).bold(),
            );
        } else {
            para(out, normal, line, font(14));
        }
    }
}

/// Headings are bold: "I. …", "II. …", "Phần I/thứ nhất", "Chương 2",
/// "Mục 1", or a line written entirely in capitals. "Phần/Chương/Mục" needs
/// a number after it so prose such as "Mục tiêu…" stays regular.
fn is_heading(line: &str) -> bool {
    let roman_len = line.chars().take_while(|c| "IVXLC".contains(*c)).count();
    if roman_len > 0 {
        let rest = &line[roman_len..];
        if rest == "." || rest.starts_with(". ") || rest.starts_with(".\t") {
            return true;
        }
    }

    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("").to_lowercase();
    if matches!(first.as_str(), "phần" | "chương" | "mục") {
        let second = words.next().unwrap_or("").trim_end_matches([':', '.', ',']);
        let numbered = !second.is_empty()
            && (second.chars().all(|c| c.is_ascii_digit())
                || second.chars().all(|c| "IVXLC".contains(c))
                || (second.chars().count() == 1 && second.chars().all(char::is_uppercase))
                || second.to_lowercase() == "thứ");
        if numbered {
            return true;
        }
    }

    line.chars().any(char::is_alphabetic) && !line.chars().any(char::is_lowercase)
}

fn signature_table(out: &mut String, l: &Letter, left_w: u32, right_w: u32) {
    table_start(out, &[left_w, right_w]);
    // The signature must not be split from its title across pages.
    row_start(out, true);

    let mut left = String::new();
    let recipients: Vec<&str> = l
        .recipients
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .collect();
    if !recipients.is_empty() {
        let lp = Para {
            jc: Jc::Left,
            ..CENTER
        };
        para(
            &mut left,
            Para { before: 240, ..lp },
            "Nơi nhận:",
            font(12).bold().underline(),
        );
        for r in recipients {
            let line = if r.starts_with(['-', '–', '+']) {
                r.to_owned()
            } else {
                format!("- {r}")
            };
            para(&mut left, lp, &line, font(11));
        }
    }
    cell(out, left_w, &left);

    let mut right = String::new();
    let first = Para {
        before: 240,
        ..CENTER
    };
    let title = upper(l.signer_title);
    match non_empty(l.authority) {
        Some(auth) => {
            para(&mut right, first, &upper(auth), font(14).bold());
            para(&mut right, CENTER, &title, font(14).bold());
        }
        None => para(&mut right, first, &title, font(14).bold()),
    }
    // Room for the signature and the seal.
    for _ in 0..4 {
        para(&mut right, CENTER, "", font(14));
    }
    para(&mut right, CENTER, l.signer_name.trim(), font(14).bold());
    cell(out, right_w, &right);

    out.push_str("</w:tr></w:tbl>");
}

// ---------------------------------------------------------------------------
// Headers

const HDR_OPEN: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#,
    r#" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
);

/// Default header: the page number, centred, as a PAGE field.
fn page_number_header() -> String {
    let f = font(14);
    let mut out = String::from(HDR_OPEN);
    out.push_str(r#"<w:p><w:pPr><w:jc w:val="center"/>"#);
    rpr(&mut out, f);
    out.push_str("</w:pPr>");
    let mut field_run = |inner: &str| {
        out.push_str("<w:r>");
        rpr(&mut out, f);
        out.push_str(inner);
        out.push_str("</w:r>");
    };
    field_run(r#"<w:fldChar w:fldCharType="begin"/>"#);
    field_run(r#"<w:instrText xml:space="preserve"> PAGE </w:instrText>"#);
    field_run(r#"<w:fldChar w:fldCharType="separate"/>"#);
    field_run("<w:t>2</w:t>");
    field_run(r#"<w:fldChar w:fldCharType="end"/>"#);
    out.push_str("</w:p></w:hdr>");
    out
}

/// First-page header: empty, so page 1 carries no number.
fn empty_header() -> String {
    let mut out = String::from(HDR_OPEN);
    para(&mut out, CENTER, "", font(14));
    out.push_str("</w:hdr>");
    out
}

// ---------------------------------------------------------------------------
// Package parts

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    r#"<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>"#,
    r#"<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>"#,
    r#"<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
    "</Types>"
);

const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#,
    "</Relationships>"
);

const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    r#"<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>"#,
    r#"<Relationship Id="rIdHeader1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>"#,
    r#"<Relationship Id="rIdHeader2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>"#,
    "</Relationships>"
);

const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    "<w:docDefaults><w:rPrDefault><w:rPr>",
    r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>"#,
    r#"<w:sz w:val="28"/><w:szCs w:val="28"/>"#,
    r#"<w:lang w:val="vi-VN" w:eastAsia="en-US" w:bidi="ar-SA"/>"#,
    "</w:rPr></w:rPrDefault>",
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>"#,
    "</w:docDefaults>",
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>"#,
    r#"<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    "</w:styles>"
);

const SETTINGS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:zoom w:percent="100"/>"#,
    r#"<w:defaultTabStop w:val="720"/>"#,
    r#"<w:characterSpacingControl w:val="doNotCompress"/>"#,
    r#"<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>"#,
    r#"<w:themeFontLang w:val="vi-VN"/>"#,
    "</w:settings>"
);

fn core_xml(l: &Letter) -> String {
    let d = l.date;
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties""#,
            r#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/""#,
            r#" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title>",
            "<dc:subject>{subject}</dc:subject>",
            "<dc:creator>{creator}</dc:creator>",
            "<cp:keywords>{symbol}</cp:keywords>",
            "<dc:language>vi-VN</dc:language>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{y:04}-{m:02}-{day:02}T00:00:00Z</dcterms:created>"#,
            "</cp:coreProperties>"
        ),
        title = escape(&format!("{} {}", l.type_name.trim(), l.symbol.trim())),
        subject = escape(l.subject.trim()),
        creator = escape(l.issuer_body.trim()),
        symbol = escape(l.symbol.trim()),
        y = d.year(),
        m = u8::from(d.month()),
        day = d.day(),
    )
}

fn app_xml(l: &Letter) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties""#,
            r#" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
            "<Application>trienkhai</Application>",
            "<Company>{}</Company>",
            "</Properties>"
        ),
        escape(l.issuer_body.trim())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use time::macros::date;

    fn sample_recipients() -> Vec<String> {
        vec![
            "Ban Tổ chức Tỉnh ủy,".to_owned(),
            "- Các chi, đảng bộ trực thuộc,".to_owned(),
            "Lưu Văn phòng.".to_owned(),
        ]
    }

    fn sample(recipients: &[String]) -> Letter<'_> {
        Letter {
            superior: Some("Đảng bộ tỉnh Bình Thuận"),
            issuer_body: "Đảng ủy Khối các cơ quan tỉnh",
            symbol: "12-BC/ĐUK",
            place: "Phan Thiết",
            date: date!(2019 - 08 - 02),
            secrecy: None,
            urgency: None,
            type_name: "Báo cáo",
            subject: "Kết quả học tập, quán triệt Nghị quyết Hội nghị Trung ương 10 khóa XII",
            body: "Thực hiện Kế hoạch số 05-KH/ĐUK của Ban Thường vụ Đảng ủy Khối, kết quả như sau:\n\
                   I. TÌNH HÌNH TRIỂN KHAI\n\
                   Các chi bộ tổ chức học tập đầy đủ; tỷ lệ đảng viên tham gia đạt 97%.\n\
                   \n\
                   II. ĐÁNH GIÁ CHUNG\n\
                   Sở Tài chính & Kế hoạch: số đảng viên <100 người.",
            authority: Some("T/M Ban Thường vụ"),
            signer_title: "Phó Bí thư",
            signer_name: "Nguyễn Văn An",
            recipients,
            table: &[],
            margins: Margins::default(),
        }
    }

    fn part(docx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(docx)).expect("docx is a zip");
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} missing"))
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    /// The rPr of the run whose text is exactly `text`.
    fn props_of<'x>(xml: &'x str, text: &str) -> &'x str {
        let needle = format!(r#"<w:t xml:space="preserve">{text}</w:t>"#);
        let at = xml
            .find(&needle)
            .unwrap_or_else(|| panic!("no run with text {text:?}"));
        let run = xml[..at].rfind("<w:r>").expect("run start");
        &xml[run..at]
    }

    fn assert_well_formed(name: &str, xml: &str) {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name} is not well-formed: {e}"),
            }
        }
    }

    #[test]
    fn package_has_all_parts_and_they_are_well_formed() {
        let recipients = sample_recipients();
        let docx = write(&sample(&recipients));
        for name in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/settings.xml",
            "word/_rels/document.xml.rels",
            "word/header1.xml",
            "word/header2.xml",
            "docProps/core.xml",
            "docProps/app.xml",
        ] {
            assert_well_formed(name, &part(&docx, name));
        }
        let styles = part(&docx, "word/styles.xml");
        assert!(styles.contains(r#"w:ascii="Times New Roman""#));
        assert!(styles.contains(r#"<w:sz w:val="28"/>"#));
        let header = part(&docx, "word/header1.xml");
        assert!(header.contains(" PAGE "));
        assert!(header.contains(r#"<w:jc w:val="center"/>"#));
    }

    #[test]
    fn header_block_follows_36_hd() {
        let recipients = sample_recipients();
        let doc = part(&write(&sample(&recipients)), "word/document.xml");

        assert!(doc.contains(
            r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>"#
        ));
        for size in ["28", "30", "32"] {
            assert!(doc.contains(&format!(
                r#"<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>"#
            )));
        }

        let superior = props_of(&doc, "ĐẢNG BỘ TỈNH BÌNH THUẬN");
        assert!(!superior.contains("<w:b/>") && superior.contains(r#"<w:sz w:val="28"/>"#));

        let issuer = props_of(&doc, "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH");
        assert!(issuer.contains("<w:b/>") && issuer.contains(r#"<w:sz w:val="28"/>"#));

        let party = props_of(&doc, "ĐẢNG CỘNG SẢN VIỆT NAM");
        assert!(party.contains("<w:b/>") && party.contains(r#"<w:sz w:val="30"/>"#));
        // The rule is a bottom border on that very paragraph.
        let para_start = doc[..doc.find("ĐẢNG CỘNG SẢN VIỆT NAM").unwrap()]
            .rfind("<w:p>")
            .unwrap();
        assert!(doc[para_start..].starts_with(r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single""#));

        assert!(doc.contains(r#"<w:t xml:space="preserve">*</w:t>"#));
        let number = props_of(&doc, "Số 12-BC/ĐUK");
        assert!(!number.contains("<w:b/>"));
        assert!(!doc.contains("Số:"));

        let date = props_of(&doc, "Phan Thiết, ngày 02 tháng 8 năm 2019");
        assert!(date.contains("<w:i/>") && date.contains(r#"<w:sz w:val="28"/>"#));

        let type_name = props_of(&doc, "BÁO CÁO");
        assert!(type_name.contains("<w:b/>") && type_name.contains(r#"<w:sz w:val="32"/>"#));
        let subject = props_of(
            &doc,
            "Kết quả học tập, quán triệt Nghị quyết Hội nghị Trung ương 10 khóa XII",
        );
        assert!(subject.contains("<w:b/>") && subject.contains(r#"<w:sz w:val="28"/>"#));
        assert!(doc.contains(r#"<w:t xml:space="preserve">-----</w:t>"#));

        // Reading order: header, type, subject, body, signature.
        let pos = |s: &str| doc.find(s).unwrap_or_else(|| panic!("{s:?} missing"));
        assert!(pos("ĐẢNG ỦY KHỐI") < pos("Số 12-BC/ĐUK"));
        assert!(pos("Số 12-BC/ĐUK") < pos("BÁO CÁO"));
        assert!(pos("BÁO CÁO") < pos("I. TÌNH HÌNH"));
        assert!(pos("I. TÌNH HÌNH") < pos("T/M BAN THƯỜNG VỤ"));
    }

    #[test]
    fn page_setup_is_a4_with_margins_in_twips() {
        let recipients = sample_recipients();
        let mut letter = sample(&recipients);
        let doc = part(&write(&letter), "word/document.xml");
        assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
        // 25 mm = 1417 twips, 35 mm = 1984, 15 mm = 850.
        assert!(
            doc.contains(r#"<w:pgMar w:top="1417" w:right="850" w:bottom="1417" w:left="1984""#)
        );
        assert!(doc.contains("<w:titlePg/>"));
        assert!(doc.contains(r#"<w:headerReference w:type="first""#));

        letter.margins = Margins {
            top_mm: 20.0,
            bottom_mm: 20.0,
            left_mm: 30.0,
            right_mm: 20.0,
        };
        let doc = part(&write(&letter), "word/document.xml");
        assert!(
            doc.contains(r#"<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701""#)
        );
    }

    #[test]
    fn body_headings_escaping_and_signature() {
        let recipients = sample_recipients();
        let doc = part(&write(&sample(&recipients)), "word/document.xml");

        assert!(doc.contains("Sở Tài chính &amp; Kế hoạch: số đảng viên &lt;100 người."));
        assert!(!doc.contains("Tài chính & Kế"));
        assert!(props_of(&doc, "I. TÌNH HÌNH TRIỂN KHAI").contains("<w:b/>"));
        assert!(props_of(&doc, "II. ĐÁNH GIÁ CHUNG").contains("<w:b/>"));
        let plain = "Các chi bộ tổ chức học tập đầy đủ; tỷ lệ đảng viên tham gia đạt 97%.";
        assert!(!props_of(&doc, plain).contains("<w:b/>"));
        // Body paragraphs: justified, 1.27 cm first-line indent, 6 pt after.
        assert!(doc.contains(
            r#"<w:spacing w:before="0" w:after="120" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="720"/><w:jc w:val="both"/>"#
        ));
        // The blank input line does not become an empty paragraph.
        assert_eq!(doc.matches(r#"<w:jc w:val="both"/>"#).count(), 5);

        let label = props_of(&doc, "Nơi nhận:");
        assert!(
            label.contains("<w:b/>") && label.contains("<w:u ") && label.contains(r#"w:val="24""#)
        );
        for r in [
            "- Ban Tổ chức Tỉnh ủy,",
            "- Các chi, đảng bộ trực thuộc,",
            "- Lưu Văn phòng.",
        ] {
            assert!(props_of(&doc, r).contains(r#"<w:sz w:val="22"/>"#), "{r}");
        }
        assert!(!doc.contains("- - Các chi"));

        assert!(props_of(&doc, "T/M BAN THƯỜNG VỤ").contains("<w:b/>"));
        assert!(props_of(&doc, "PHÓ BÍ THƯ").contains("<w:b/>"));
        let name = props_of(&doc, "Nguyễn Văn An");
        assert!(name.contains("<w:b/>") && name.contains(r#"w:val="28""#));
        assert!(doc.contains("<w:cantSplit/>"));
        assert!(doc.ends_with("</w:sectPr></w:body></w:document>"));
    }

    #[test]
    fn optional_parts() {
        let recipients: Vec<String> = Vec::new();
        let mut letter = sample(&recipients);
        letter.superior = None;
        letter.authority = Some("  ");
        letter.secrecy = Some("Mật");
        letter.urgency = Some("Khẩn");
        letter.type_name = "Chương trình hành động";
        letter.signer_title = "Bí thư";
        letter.place = "";
        let doc = part(&write(&letter), "word/document.xml");
        assert!(!doc.contains("ĐẢNG BỘ TỈNH"));
        assert!(!doc.contains("Nơi nhận"));
        assert!(!doc.contains("T/M"));
        assert!(props_of(&doc, "MẬT").contains("<w:b/>"));
        assert!(props_of(&doc, "KHẨN").contains("<w:b/>"));
        assert!(props_of(&doc, "CHƯƠNG TRÌNH HÀNH ĐỘNG").contains(r#"w:val="32""#));
        assert!(props_of(&doc, "BÍ THƯ").contains("<w:b/>"));
        assert!(doc.contains(">Ngày 02 tháng 8 năm 2019<"));
        assert!(doc.find("Số 12-BC/ĐUK").unwrap() < doc.find("MẬT").unwrap());
    }

    #[test]
    fn control_characters_do_not_break_the_xml() {
        let recipients = vec!["A \u{1}<B>".to_owned()];
        let mut letter = sample(&recipients);
        letter.subject = "Tab\there \"quoted\" \u{0}\u{b}";
        letter.body = "Dòng có ký tự \u{7} lạ";
        let docx = write(&letter);
        assert_well_formed("document", &part(&docx, "word/document.xml"));
        assert_well_formed("core", &part(&docx, "docProps/core.xml"));
    }

    #[test]
    fn heading_detection() {
        for h in [
            "I. Mục đích",
            "IV. KẾT QUẢ",
            "Phần I: Tình hình",
            "Phần thứ hai",
            "Chương 2. Tổ chức",
            "Mục 1",
            "PHẦN THỨ NHẤT",
        ] {
            assert!(is_heading(h), "{h}");
        }
        for p in [
            "Mục tiêu của kế hoạch",
            "Ít nhất 90%",
            "Chương trình đã đạt",
            "1. Mục đích",
            "I.Tình hình",
        ] {
            assert!(!is_heading(p), "{p}");
        }
    }

    /// Writes /tmp/sample.docx for a look in LibreOffice:
    /// `cargo test -p trienkhai-office docx::tests::write_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_sample() {
        let recipients = vec![
            "Ban Tổ chức Tỉnh ủy,".to_owned(),
            "Ban Tuyên giáo Tỉnh ủy,".to_owned(),
            "Các chi, đảng bộ trực thuộc,".to_owned(),
            "Lưu Văn phòng Đảng ủy Khối.".to_owned(),
        ];
        let mut letter = sample(&recipients);
        letter.body = "Thực hiện Kế hoạch số 05-KH/ĐUK ngày 15/6/2019 của Ban Thường vụ Đảng ủy Khối về việc học tập, quán triệt Nghị quyết Hội nghị lần thứ mười Ban Chấp hành Trung ương Đảng khóa XII, Ban Thường vụ Đảng ủy Khối báo cáo kết quả như sau:\n\
            I. TÌNH HÌNH TRIỂN KHAI\n\
            1. Công tác chỉ đạo: Ban Thường vụ đã ban hành kế hoạch, phân công báo cáo viên và tổ chức hội nghị trực tuyến cho 45 tổ chức cơ sở đảng & 1.250 đảng viên.\n\
            2. Kết quả: tỷ lệ đảng viên tham gia học tập đạt 97,5%; số vắng mặt có lý do <3%, đã được học bù theo quy định.\n\
            II. ĐÁNH GIÁ CHUNG\n\
            Việc học tập, quán triệt được tiến hành nghiêm túc, đúng kế hoạch; các chi, đảng bộ trực thuộc xây dựng chương trình hành động sát với thực tế đơn vị.";
        std::fs::write("/tmp/sample.docx", write(&letter)).unwrap();
        // Three pages, to see the page numbers from page 2.
        let long = [letter.body; 6].join("\n");
        letter.body = &long;
        std::fs::write("/tmp/sample-long.docx", write(&letter)).unwrap();
    }
}
