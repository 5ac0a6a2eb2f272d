//! XLSX source: calamine's streaming cell reader runs in a worker thread
//! (it borrows the workbook) and hands rows over a small bounded channel,
//! so memory stays flat whatever the row count.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader as _, SheetType, SheetVisible, Xlsx, XlsxError};

use super::RawRow;
use crate::SheetError;

const BATCH: usize = 256;

enum Msg {
    Rows(Vec<RawRow>),
    Err(SheetError),
    End,
}

pub(crate) struct XlsxSource {
    rx: Receiver<Msg>,
    rows: VecDeque<RawRow>,
    last: u64,
    done: bool,
}

/// A ZIP must hold `xl/workbook.xml`; declared sizes of the parts calamine
/// loads whole are bounded (zip bombs).
pub(crate) fn check_zip(file: &File, max_bytes: u64) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(file).map_err(|_| SheetError::NotSpreadsheet)?;
    let mut workbook = false;
    let mut loaded = 0u64;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|_| SheetError::NotSpreadsheet)?;
        let Ok(name) = f.name() else { continue };
        let name = name.to_ascii_lowercase();
        workbook |= name == "xl/workbook.xml";
        if name.ends_with("sharedstrings.xml") || name.ends_with("styles.xml") {
            loaded = loaded.saturating_add(f.size());
        }
    }
    if !workbook {
        return Err(SheetError::NotSpreadsheet);
    }
    if loaded > max_bytes.saturating_mul(40).max(64 << 20) {
        return Err(SheetError::TooLarge { max_bytes });
    }
    Ok(())
}

impl XlsxSource {
    pub(crate) fn spawn(path: PathBuf) -> Result<Self, SheetError> {
        let (tx, rx) = sync_channel(4);
        std::thread::Builder::new()
            .name("sheet-xlsx".into())
            .spawn(move || {
                let end = match stream(path, &tx) {
                    Ok(()) => Msg::End,
                    Err(e) => Msg::Err(e),
                };
                let _ = tx.send(end);
            })?;
        Ok(XlsxSource {
            rx,
            rows: VecDeque::new(),
            last: 0,
            done: false,
        })
    }

    pub(crate) fn next(&mut self) -> Result<Option<RawRow>, SheetError> {
        loop {
            if let Some(row) = self.rows.pop_front() {
                self.last = row.0;
                return Ok(Some(row));
            }
            if self.done {
                return Ok(None);
            }
            match self.rx.recv() {
                Ok(Msg::Rows(rows)) => self.rows.extend(rows),
                Ok(Msg::End) => self.done = true,
                Ok(Msg::Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The worker died (panic in the parser).
                Err(_) => {
                    self.done = true;
                    return Err(SheetError::Corrupt { row: self.last + 1 });
                }
            }
        }
    }
}

fn open_error(e: XlsxError) -> SheetError {
    match e {
        XlsxError::Password => SheetError::OldExcel,
        XlsxError::Io(e) => SheetError::Io(e),
        _ => SheetError::NotSpreadsheet,
    }
}

/// Worker: read the first worksheet and send rows in batches. Returns
/// early (Ok) when the reader has been dropped.
fn stream(path: PathBuf, tx: &SyncSender<Msg>) -> Result<(), SheetError> {
    let file = BufReader::new(File::open(path)?);
    let mut book: Xlsx<_> = Xlsx::new(file).map_err(open_error)?;
    let sheets = book.sheets_metadata();
    let first = sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .min_by_key(|s| s.visible != SheetVisible::Visible)
        .map(|s| s.name.clone())
        .ok_or(SheetError::NotSpreadsheet)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(open_error)?;
    let mut batch: Vec<RawRow> = Vec::with_capacity(BATCH);
    let mut cur: Option<RawRow> = None;
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => {
                let row = cur.as_ref().map_or(1, |r| r.0);
                return Err(SheetError::Corrupt { row });
            }
        };
        let (r, c) = cell.get_position();
        let number = u64::from(r) + 1;
        if cur.as_ref().is_none_or(|row| row.0 != number) {
            batch.extend(cur.take());
            if batch.len() >= BATCH && tx.send(Msg::Rows(std::mem::take(&mut batch))).is_err() {
                return Ok(());
            }
            cur = Some((number, Vec::new()));
        }
        let text = cell_text(cell.get_value());
        if let Some((_, row)) = cur.as_mut()
            && !text.is_empty()
        {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = text;
        }
    }
    batch.extend(cur);
    if !batch.is_empty() {
        let _ = tx.send(Msg::Rows(batch));
    }
    Ok(())
}

/// Cell value as text: numbers without ".0", dates as ISO.
fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(d) if d.is_duration() => {
            let secs = (d.as_f64() * 86_400.0).round() as i64;
            format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
        }
        DataRef::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if d.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_owned(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// Like Excel shows it: at most 15 significant digits, no trailing ".0".
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let magnitude = f.abs().log10().floor() as i32 + 1;
    let decimals = 15 - magnitude;
    if !(0..=15).contains(&decimals) || !f.is_finite() {
        return f.to_string();
    }
    let s = format!("{f:.*}", decimals as usize);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::number_text;

    #[test]
    fn numbers() {
        assert_eq!(number_text(1234567.0), "1234567");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(912345678.0), "912345678");
    }
}
