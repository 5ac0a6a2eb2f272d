//! One importer for CSV and XLSX: rows come one at a time, cleaned
//! (trimmed, NFC, legacy encodings repaired).

mod csv_src;
mod utf16;
mod xlsx_src;

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::SheetError;
use crate::legacy::{self, Encoding};

/// Spreadsheet file format, detected from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// One non-empty row: `number` is what a spreadsheet user sees (1 = header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// A row as a source yields it, before cleaning.
pub(crate) type RawRow = (u64, Vec<String>);

/// Rows and text looked at before deciding on mojibake repair.
const SAMPLE_ROWS: usize = 1000;
const SAMPLE_TEXT: usize = 64 * 1024;

enum Source {
    Csv(csv_src::CsvSource),
    Xlsx(xlsx_src::XlsxSource),
}

impl Source {
    fn next(&mut self) -> Result<Option<RawRow>, SheetError> {
        match self {
            Source::Csv(s) => s.next(),
            Source::Xlsx(s) => s.next(),
        }
    }
}

/// Streaming reader over the first sheet of a CSV or XLSX file.
pub struct Reader {
    format: Format,
    encoding: Encoding,
    /// Tcvn3/Vni when cells are mojibake to repair, else Utf8.
    repair: Encoding,
    source: Source,
    pending: VecDeque<RawRow>,
    deferred: Option<SheetError>,
    width: usize,
    done: bool,
}

/// Open a CSV or XLSX file (format from its content, not its name).
/// Files larger than `max_bytes` are refused before parsing.
pub fn open(path: &Path, max_bytes: u64) -> Result<Reader, SheetError> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > max_bytes {
        return Err(SheetError::TooLarge { max_bytes });
    }
    if len == 0 {
        return Err(SheetError::Empty);
    }
    let mut magic = [0u8; 8];
    let n = read_full(&mut file, &mut magic)?;
    file.seek(SeekFrom::Start(0))?;
    let magic = &magic[..n];
    if magic.starts_with(b"PK\x03\x04") {
        xlsx_src::check_zip(&file, max_bytes)?;
        drop(file);
        let source = xlsx_src::XlsxSource::spawn(path.to_owned())?;
        return Reader::start(Format::Xlsx, Encoding::Utf8, Source::Xlsx(source));
    }
    if magic.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(SheetError::OldExcel);
    }
    const BINARY: [&[u8]; 11] = [
        b"PK\x05\x06",
        b"PK\x07\x08",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"%PDF",
        b"\x7FELF",
        b"Rar!",
        b"7z\xBC\xAF",
        b"\x1F\x8B",
        b"{\\rtf",
    ];
    if BINARY.iter().any(|m| magic.starts_with(m)) {
        return Err(SheetError::NotSpreadsheet);
    }
    let source = csv_src::CsvSource::new(file)?;
    let encoding = source.encoding();
    Reader::start(Format::Csv, encoding, Source::Csv(source))
}

/// Read until `buf` is full or EOF; returns the bytes read.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl Reader {
    /// Pull a sample, decide on mojibake repair, fail early on empty files.
    fn start(format: Format, encoding: Encoding, mut source: Source) -> Result<Self, SheetError> {
        let mut pending = VecDeque::new();
        let mut deferred = None;
        let mut text = String::new();
        let mut non_empty = false;
        while pending.len() < SAMPLE_ROWS && text.len() < SAMPLE_TEXT {
            match source.next() {
                Ok(Some(row)) => {
                    for cell in &row.1 {
                        let cell = cell.trim_matches(is_blank);
                        non_empty |= !cell.is_empty();
                        if legacy::maybe_mojibake(cell) {
                            text.push_str(cell);
                            text.push('\n');
                        }
                    }
                    pending.push_back(row);
                }
                Ok(None) => break,
                Err(e) if non_empty => {
                    deferred = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if !non_empty && deferred.is_none() {
            return Err(SheetError::Empty);
        }
        // Bytes already decoded from a legacy code page are never mojibake.
        let repair = if encoding.is_legacy() {
            Encoding::Utf8
        } else {
            legacy::detect_text(&text)
        };
        Ok(Reader {
            format,
            encoding: if repair == Encoding::Utf8 {
                encoding
            } else {
                repair
            },
            repair,
            source,
            pending,
            deferred,
            width: 0,
            done: false,
        })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The encoding the text was in: for XLSX or Unicode CSV cells typed
    /// with a legacy font this is `Tcvn3` or `Vni` (they get repaired).
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The next non-empty row, or `None` at the end. After an error the
    /// reader yields nothing more.
    pub fn next_row(&mut self) -> Result<Option<Row>, SheetError> {
        while !self.done {
            let raw = match self.pending.pop_front() {
                Some(raw) => raw,
                None => {
                    let next = match self.deferred.take() {
                        Some(e) => Err(e),
                        None => self.source.next(),
                    };
                    match next {
                        Ok(Some(raw)) => raw,
                        Ok(None) => {
                            self.done = true;
                            return Ok(None);
                        }
                        Err(e) => {
                            self.done = true;
                            return Err(e);
                        }
                    }
                }
            };
            if let Some(row) = self.clean(raw) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }

    /// Trim, NFC and repair cells; drop empty rows; pad to the header width.
    fn clean(&mut self, (number, cells): RawRow) -> Option<Row> {
        let mut cells: Vec<String> = cells
            .into_iter()
            .map(|c| {
                // Most cells need nothing: keep them rather than copy them.
                let changed = {
                    let fixed = legacy::repair_cell(c.trim_matches(is_blank), self.repair);
                    let out = fixed.trim_matches(is_blank);
                    match fixed {
                        Cow::Borrowed(_) if out.len() == c.len() => None,
                        _ => Some(out.to_owned()),
                    }
                };
                changed.unwrap_or(c)
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            return None;
        }
        while cells.len() > self.width && cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if self.width == 0 {
            self.width = cells.len();
        }
        if cells.len() < self.width {
            cells.resize(self.width, String::new());
        }
        Some(Row { number, cells })
    }
}

impl Iterator for Reader {
    type Item = Result<Row, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// Whitespace, including no-break and zero-width spaces and stray BOMs.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}
