//! End-to-end tests: files on disk through `open` and the writers.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::legacy::tests::{SENTENCES, encode_tcvn3, encode_vni};
use crate::{CsvWriter, Encoding, Format, OutFormat, SheetError, Writer, open};

const MB: u64 = 1024 * 1024;

fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn rows(path: &Path) -> Vec<(u64, Vec<String>)> {
    open(path, 20 * MB)
        .unwrap()
        .map(|r| r.map(|r| (r.number, r.cells)).unwrap())
        .collect()
}

fn err(path: &Path, max: u64) -> SheetError {
    match open(path, max) {
        Err(e) => e,
        Ok(r) => panic!("opened as {:?}", r.format()),
    }
}

/// A member list as CSV text, one sentence per row.
fn member_csv() -> String {
    let mut s = String::from("STT,Họ và tên,Ghi chú\r\n");
    for (i, name) in SENTENCES.iter().enumerate() {
        s.push_str(&format!("{},\"{name}\", Đảng viên \r\n", i + 1));
    }
    s
}

fn expected_members() -> Vec<(u64, Vec<String>)> {
    let mut v = vec![(1, vec!["STT".into(), "Họ và tên".into(), "Ghi chú".into()])];
    for (i, name) in SENTENCES.iter().enumerate() {
        let cells = vec![(i + 1).to_string(), name.to_string(), "Đảng viên".into()];
        v.push((i as u64 + 2, cells));
    }
    v
}

#[test]
fn legacy_csv_files_read_as_unicode() {
    let dir = tempfile::tempdir().unwrap();
    let text = member_csv();
    for (enc, bytes) in [
        (Encoding::Tcvn3, encode_tcvn3(&text)),
        (Encoding::Vni, encode_vni(&text)),
    ] {
        let p = file(&dir, "legacy.csv", &bytes);
        let r = open(&p, MB).unwrap();
        assert_eq!((r.format(), r.encoding()), (Format::Csv, enc));
        assert_eq!(rows(&p), expected_members(), "{enc:?}");
    }
}

#[test]
fn utf8_bom_semicolon_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{FEFF}Họ tên;Địa chỉ;Ghi chú\r\n\
                Lê Hồng Quân;\"Số 1; phố Huế\";\"hai\r\ndòng\"\r\n\
                \r\n\
                ;;\r\n\
                Trần Đình Quế;Hà Nội\r\n";
    let p = file(&dir, "x.csv", text.as_bytes());
    let r = open(&p, MB).unwrap();
    assert_eq!(r.encoding(), Encoding::Utf8);
    let got = rows(&p);
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            (1, s(&["Họ tên", "Địa chỉ", "Ghi chú"])),
            (2, s(&["Lê Hồng Quân", "Số 1; phố Huế", "hai\r\ndòng"])),
            (5, s(&["Trần Đình Quế", "Hà Nội", ""])),
        ]
    );
}

#[test]
fn utf16_tab_text_and_nfd() {
    let dir = tempfile::tempdir().unwrap();
    let nfd: String =
        unicode_normalization::UnicodeNormalization::nfd("Ủy ban\tKiểm tra\r\n1\t2\r\n").collect();
    let mut b = vec![0xFF, 0xFE];
    nfd.encode_utf16().for_each(|u| b.extend(u.to_le_bytes()));
    let p = file(&dir, "u16.txt", &b);
    assert_eq!(open(&p, MB).unwrap().encoding(), Encoding::Utf16Le);
    let got = rows(&p);
    assert_eq!(got[0].1, vec!["Ủy ban", "Kiểm tra"]);
    assert_eq!(got[1], (2, vec!["1".into(), "2".into()]));
}

#[test]
fn bad_utf8_after_the_sample_names_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Vec::new();
    let mut n = 0;
    while b.len() < 1_100_000 {
        n += 1;
        writeln!(b, "{n},Nguyễn Văn Hòa,Hà Nội").unwrap();
    }
    b.extend_from_slice(b"bad,\xFF\xFE,row\n");
    let p = file(&dir, "late.csv", &b);
    let mut r = open(&p, 2 * MB).unwrap();
    assert_eq!(r.encoding(), Encoding::Utf8);
    let mut last = 0;
    let e = loop {
        match r.next_row() {
            Ok(Some(row)) => last = row.number,
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert_eq!(last, n);
    assert_eq!(e.code(), "sheet_bad_encoding");
    assert_eq!(e.row(), Some(n + 1));
    assert!(r.next_row().unwrap().is_none());
}

#[test]
fn xlsx_round_trip_through_our_writer() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.xlsx");
    let mut w = Writer::create(&p, OutFormat::Xlsx).unwrap();
    let expected = expected_members();
    for (_, cells) in &expected {
        w.write_row(cells).unwrap();
    }
    w.finish().unwrap();
    let r = open(&p, MB).unwrap();
    assert_eq!((r.format(), r.encoding()), (Format::Xlsx, Encoding::Utf8));
    assert_eq!(rows(&p), expected);
}

#[test]
fn xlsx_numbers_dates_gaps_and_vntime_cells() {
    use rust_xlsxwriter::{ExcelDateTime, Format as F, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("typed.xlsx");
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let date = F::new().set_num_format("dd/mm/yyyy");
    s.write(0, 0, "Họ và tên").unwrap();
    s.write(0, 1, "Số thẻ").unwrap();
    s.write(0, 2, "Ngày vào Đảng").unwrap();
    s.write(0, 3, "Hệ số").unwrap();
    // A cell typed with the .VnTime font: TCVN3 bytes shown as Latin-1.
    s.write(1, 0, "NguyÔn ThÞ Thñy").unwrap();
    s.write(1, 1, 12345678).unwrap();
    let d = ExcelDateTime::from_ymd(2003, 2, 3).unwrap();
    s.write_datetime_with_format(1, 2, &d, &date).unwrap();
    s.write(1, 3, 2.34).unwrap();
    s.write(3, 0, "Hoµng V¨n Quý").unwrap();
    s.write(3, 3, 3.0).unwrap();
    // Formatted but empty trailing rows.
    s.write_blank(7, 0, &date).unwrap();
    book.save(&p).unwrap();

    let r = open(&p, MB).unwrap();
    assert_eq!(r.encoding(), Encoding::Tcvn3);
    let got = rows(&p);
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            (1, s(&["Họ và tên", "Số thẻ", "Ngày vào Đảng", "Hệ số"])),
            (2, s(&["Nguyễn Thị Thủy", "12345678", "2003-02-03", "2.34"])),
            (4, s(&["Hoàng Văn Quý", "", "", "3"])),
        ]
    );
}

#[test]
fn not_spreadsheets() {
    let dir = tempfile::tempdir().unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    let p = file(&dir, "anh.xlsx", png);
    assert_eq!(err(&p, MB).code(), "sheet_not_spreadsheet");
    let mut x: u32 = 12345;
    let random: Vec<u8> = (0..4000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    let p = file(&dir, "random.xlsx", &random);
    assert_eq!(err(&p, MB).code(), "sheet_not_spreadsheet");
    let nonul: Vec<u8> = random.iter().map(|&b| b.max(1)).collect();
    let p = file(&dir, "random2.csv", &nonul);
    assert_eq!(err(&p, MB).code(), "sheet_not_spreadsheet");
    let p = file(&dir, "fake.xls", b"<html><body><table><tr><td>1</td></tr>");
    assert_eq!(err(&p, MB).code(), "sheet_not_spreadsheet");
    let p = file(&dir, "old.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0");
    assert_eq!(err(&p, MB).code(), "sheet_old_excel");

    // A ZIP that is not a workbook (e.g. a .docx).
    let p = dir.path().join("doc.xlsx");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("word/document.xml", opts).unwrap();
    z.write_all(b"<w:document/>").unwrap();
    z.finish().unwrap();
    let e = err(&p, MB);
    assert_eq!(e.code(), "sheet_not_spreadsheet");
    assert_eq!(
        e.to_string(),
        "Tệp không phải bảng tính CSV hoặc XLSX hợp lệ."
    );
}

#[test]
fn empty_and_too_large() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("zero.csv", &b""[..]),
        ("bom.csv", b"\xEF\xBB\xBF"),
        ("blank.csv", b" \r\n\t\r\n"),
        ("commas.csv", b",,\r\n,,\r\n"),
    ] {
        let p = file(&dir, name, bytes);
        assert_eq!(err(&p, MB).code(), "sheet_empty", "{name}");
    }
    let p = dir.path().join("empty.xlsx");
    Writer::create(&p, OutFormat::Xlsx)
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(err(&p, MB).code(), "sheet_empty");

    let p = file(&dir, "big.csv", &vec![b'a'; 3000]);
    let e = err(&p, 2000);
    assert_eq!(e.code(), "sheet_too_large");
    assert_eq!(e.to_string(), "Tệp quá lớn: tối đa 2 KB.");
    let e = SheetError::TooLarge { max_bytes: 20 * MB };
    assert_eq!(e.to_string(), "Tệp quá lớn: tối đa 20 MB.");
}

#[test]
fn csv_writer_bytes() {
    let mut w = CsvWriter::new(Vec::new()).unwrap();
    w.write_row(&["Họ tên", "Ghi chú"]).unwrap();
    w.write_row(&["Phạm Ngọc Ước", "a, \"b\""]).unwrap();
    let out = w.finish().unwrap();
    let expected = "\u{FEFF}Họ tên,Ghi chú\r\nPhạm Ngọc Ước,\"a, \"\"b\"\"\"\r\n";
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[test]
fn csv_round_trip_through_our_writer() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.csv");
    let mut w = Writer::create(&p, OutFormat::Csv).unwrap();
    let expected = expected_members();
    for (_, cells) in &expected {
        w.write_row(cells).unwrap();
    }
    w.finish().unwrap();
    assert_eq!(rows(&p), expected);
}

/// Manual check that memory stays flat:
/// `cargo test -p trienkhai-sheet --release -- --ignored --nocapture`
#[test]
#[ignore]
fn million_rows_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.xlsx");
    let mut w = Writer::create(&p, OutFormat::Xlsx).unwrap();
    w.write_row(&["STT", "Họ và tên", "Chi bộ", "Ngày sinh"])
        .unwrap();
    for i in 0..1_000_000u32 {
        let n = i.to_string();
        w.write_row(&[&n, "Nguyễn Thị Thủy", "Chi bộ Văn phòng", "1980-01-02"])
            .unwrap();
    }
    w.finish().unwrap();
    println!("after write: {}", peak_rss());
    let size = std::fs::metadata(&p).unwrap().len();
    let mut count = 0;
    for r in open(&p, size).unwrap() {
        r.unwrap();
        count += 1;
    }
    assert_eq!(count, 1_000_001);
    println!("after read: {} (file {} MB)", peak_rss(), size / MB);
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("")
        .to_string()
}

#[test]
fn blank_lines_count_as_rows() {
    let dir = tempfile::tempdir().unwrap();
    for text in ["a,b\n\n\nc,d\ne\n", "a,b\r\n\r\n\r\nc,d\r\ne"] {
        let p = file(&dir, "blank.csv", text.as_bytes());
        let numbers: Vec<u64> = rows(&p).iter().map(|r| r.0).collect();
        assert_eq!(numbers, [1, 4, 5], "{text:?}");
    }
}

#[test]
fn utf8_csv_with_vntime_mojibake_is_repaired() {
    // Text pasted from a .VnTime document into Excel, saved as CSV UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let latin: String = encode_tcvn3("Nguyễn Thị Thủy,Ủy ban Kiểm tra")
        .iter()
        .map(|&b| char::from(b))
        .collect();
    let text = format!("Họ và tên,Đơn vị\n{latin}\n");
    let p = file(&dir, "paste.csv", text.as_bytes());
    assert_eq!(open(&p, MB).unwrap().encoding(), Encoding::Tcvn3);
    assert_eq!(rows(&p)[1].1, vec!["Nguyễn Thị Thủy", "Ủy ban Kiểm tra"]);
}

#[test]
fn reader_and_writers_are_send() {
    fn send<T: Send>() {}
    send::<crate::Reader>();
    send::<Writer>();
    send::<SheetError>();
}
