//! CSV source: encoding and delimiter sniffed from the first MB, then
//! streamed record by record.

use std::fs::File;
use std::io::{Cursor, Read};

use csv::{ByteRecord, ReaderBuilder};

use super::{RawRow, read_full, utf16::Utf16Reader};
use crate::SheetError;
use crate::legacy::{self, Encoding};

/// Bytes looked at to decide the encoding.
const SAMPLE: usize = 1024 * 1024;

pub(crate) struct CsvSource {
    rdr: csv::Reader<Box<dyn Read + Send>>,
    /// Encoding of the file.
    encoding: Encoding,
    /// Encoding of the bytes the parser sees (UTF-16 is transcoded).
    fields: Encoding,
    rec: ByteRecord,
    row: u64,
}

impl CsvSource {
    pub(crate) fn new(mut file: File) -> Result<Self, SheetError> {
        let mut head = vec![0; SAMPLE];
        let n = read_full(&mut file, &mut head)?;
        head.truncate(n);
        let (encoding, bom) = legacy::sniff_bytes(&head, n < SAMPLE);
        let utf16 = matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be);
        if !utf16 && looks_binary(&head[bom..], encoding) {
            return Err(SheetError::NotSpreadsheet);
        }
        let first = legacy::decode_with(&head[bom..n.min(bom + 64 * 1024)], encoding);
        if is_markup(&first) {
            return Err(SheetError::NotSpreadsheet);
        }
        let delimiter = sniff_delimiter(&first);
        // Records end at LF only (a CR is trimmed with the cell), so that
        // line numbers tell blank lines; old Mac files end lines with CR.
        let cr_only = !first.contains('\n') && first.contains('\r');
        drop(first);
        let mut rest: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(file));
        let mut skip = [0u8; 3];
        read_full(&mut rest, &mut skip[..bom])?;
        let stream: Box<dyn Read + Send> = if utf16 {
            Box::new(Utf16Reader::new(rest, encoding == Encoding::Utf16Be))
        } else {
            rest
        };
        let rdr = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(if cr_only {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_reader(stream);
        Ok(CsvSource {
            rdr,
            encoding,
            fields: if utf16 { Encoding::Utf8 } else { encoding },
            rec: ByteRecord::new(),
            row: 0,
        })
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub(crate) fn next(&mut self) -> Result<Option<RawRow>, SheetError> {
        let before = self.rdr.position().line();
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => {
                return Err(match e.into_kind() {
                    csv::ErrorKind::Io(e) => SheetError::Io(e),
                    _ => SheetError::Corrupt { row: self.row + 1 },
                });
            }
        }
        // Lines read = blank lines skipped + newlines inside quoted cells
        // + the terminator. Blank lines are rows in Excel.
        let lines = self.rdr.position().line().saturating_sub(before);
        let inner = self.rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        self.row += 1 + lines.saturating_sub(inner + 1);
        let row = self.row;
        let cells = self
            .rec
            .iter()
            .map(|f| match self.fields {
                Encoding::Utf8 => std::str::from_utf8(f)
                    .map(str::to_owned)
                    .map_err(|_| SheetError::BadEncoding { row }),
                enc => Ok(legacy::decode_with(f, enc).into_owned()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((row, cells)))
    }
}

/// NUL bytes, many control codes, or mostly odd symbols: not a text table.
fn looks_binary(sample: &[u8], enc: Encoding) -> bool {
    if sample.contains(&0) {
        return true;
    }
    let ctrl = sample
        .iter()
        .filter(|&&b| matches!(b, 0x01..=0x08 | 0x0B | 0x0E..=0x1F | 0x7F) && b != 0x1A)
        .count();
    if ctrl * 100 > sample.len() {
        return true;
    }
    enc.is_legacy() && legacy::odd_percent(sample, enc) > 20
}

/// HTML or XML saved with a spreadsheet name (common "fake .xls" exports).
fn is_markup(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let head: String = t.chars().take(9).collect::<String>().to_ascii_lowercase();
    ["<!doctype", "<html", "<?xml", "<table"]
        .iter()
        .any(|m| head.starts_with(m))
}

/// The most frequent of `,` `;` `\t` outside quotes on the header line.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1,2;3"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("\"x;y\",b,c"), b',');
        assert_eq!(sniff_delimiter("onlyone"), b',');
    }
}
