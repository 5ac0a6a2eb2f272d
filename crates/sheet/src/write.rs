//! Streaming writers: CSV (UTF-8 with BOM, CRLF) and XLSX (constant memory).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use crate::SheetError;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Csv,
    Xlsx,
}

impl OutFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Csv => "csv",
            OutFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            OutFormat::Csv => "text/csv; charset=utf-8",
            OutFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// CSV for Excel: UTF-8 with BOM, comma, CRLF.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(mut w: W) -> Result<Self, SheetError> {
        w.write_all(b"\xEF\xBB\xBF")?;
        let out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(w);
        Ok(CsvWriter { out })
    }

    pub fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        for cell in cells {
            let cell = defuse(cell.as_ref());
            self.out.write_field(cell.as_bytes()).map_err(csv_error)?;
        }
        self.out.write_record(None::<&[u8]>).map_err(csv_error)
    }

    /// Flush and give back the inner writer.
    pub fn finish(self) -> Result<W, SheetError> {
        self.out
            .into_inner()
            .map_err(|e| SheetError::Io(e.into_error()))
    }
}

fn csv_error(e: csv::Error) -> SheetError {
    SheetError::Io(e.into())
}

/// Cells Excel would run as a formula ("=cmd|...", "@SUM(...)") get a
/// leading apostrophe; plain numbers like "+84 912" or "-5" are kept.
fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    let Some(rest) = s.strip_prefix(['=', '+', '-', '@']) else {
        return s.into();
    };
    let numeric = rest
        .chars()
        .all(|c| c.is_ascii_digit() || " .,".contains(c));
    if rest.is_empty() || numeric {
        s.into()
    } else {
        format!("'{s}").into()
    }
}

/// XLSX in constant-memory mode: rows must come in order, the header
/// (first row) is bold, column widths follow the content.
pub struct XlsxWriter {
    book: Workbook,
    path: PathBuf,
    bold: CellFormat,
    row: u32,
    widths: Vec<usize>,
}

/// Excel's sheet size.
const MAX_ROWS: u32 = 1_048_576;

impl XlsxWriter {
    /// Write to `path` on [`XlsxWriter::finish`] (use a temp file, then copy).
    pub fn create(path: &Path) -> Result<Self, SheetError> {
        let mut book = Workbook::new();
        // Deflate at level 6 was 40% of a large roll's export; level 1
        // writes a somewhat larger file several times faster.
        book.set_zip_compression_level(1);
        let sheet = book
            .add_worksheet_with_constant_memory()
            .map_err(|e| xlsx_error(e, 0))?;
        sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error(e, 0))?;
        Ok(XlsxWriter {
            book,
            path: path.to_owned(),
            bold: CellFormat::new().set_bold(),
            row: 0,
            widths: Vec::new(),
        })
    }

    pub fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let number = u64::from(self.row) + 1;
        if self.row >= MAX_ROWS {
            return Err(SheetError::ExcelLimit { row: number });
        }
        let sheet = self
            .book
            .worksheet_from_index(0)
            .map_err(|e| xlsx_error(e, number))?;
        for (col, cell) in cells.iter().enumerate() {
            let text = cell.as_ref();
            if text.is_empty() {
                continue;
            }
            let col16 = u16::try_from(col).map_err(|_| SheetError::ExcelLimit { row: number })?;
            let res = if self.row == 0 {
                sheet.write_string_with_format(self.row, col16, text, &self.bold)
            } else {
                sheet.write_string(self.row, col16, text)
            };
            res.map_err(|e| xlsx_error(e, number))?;
            if self.widths.len() <= col {
                self.widths.resize(col + 1, 0);
            }
            let w = &mut self.widths[col];
            *w = (*w).max(text.chars().count());
        }
        self.row += 1;
        Ok(())
    }

    /// Set column widths and write the file.
    pub fn finish(mut self) -> Result<(), SheetError> {
        let sheet = self
            .book
            .worksheet_from_index(0)
            .map_err(|e| xlsx_error(e, 0))?;
        for (col, w) in self.widths.iter().enumerate() {
            let width = (*w + 2).clamp(8, 60) as f64;
            sheet
                .set_column_width(col as u16, width)
                .map_err(|e| xlsx_error(e, 0))?;
        }
        self.book.save(&self.path).map_err(|e| xlsx_error(e, 0))
    }
}

fn xlsx_error(e: XlsxError, row: u64) -> SheetError {
    match e {
        XlsxError::RowColumnLimitError | XlsxError::MaxStringLengthExceeded => {
            SheetError::ExcelLimit { row }
        }
        XlsxError::IoError(e) => SheetError::Io(e),
        e => SheetError::Io(std::io::Error::other(e.to_string())),
    }
}

/// CSV or XLSX writer to a file path.
pub struct Writer {
    inner: Inner,
}

enum Inner {
    Csv(Box<CsvWriter<BufWriter<File>>>),
    Xlsx(Box<XlsxWriter>),
}

impl Writer {
    pub fn create(path: &Path, format: OutFormat) -> Result<Self, SheetError> {
        let inner = match format {
            OutFormat::Csv => {
                let file = BufWriter::new(File::create(path)?);
                Inner::Csv(Box::new(CsvWriter::new(file)?))
            }
            OutFormat::Xlsx => Inner::Xlsx(Box::new(XlsxWriter::create(path)?)),
        };
        Ok(Writer { inner })
    }

    pub fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        match &mut self.inner {
            Inner::Csv(w) => w.write_row(cells),
            Inner::Xlsx(w) => w.write_row(cells),
        }
    }

    pub fn finish(self) -> Result<(), SheetError> {
        match self.inner {
            Inner::Csv(w) => {
                w.finish()?.flush()?;
                Ok(())
            }
            Inner::Xlsx(w) => w.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_defused() {
        assert_eq!(defuse("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("+84 912 345 678"), "+84 912 345 678");
        assert_eq!(defuse("-5"), "-5");
        assert_eq!(defuse("-"), "-");
        assert_eq!(defuse("Nguyễn"), "Nguyễn");
    }
}
