//! Errors, with messages written for office clerks.

/// Everything that can go wrong reading or writing a sheet.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("Tệp rỗng, không có dữ liệu.")]
    Empty,
    #[error("Tệp quá lớn: tối đa {}.", size_label(*max_bytes))]
    TooLarge { max_bytes: u64 },
    #[error("Tệp không phải bảng tính CSV hoặc XLSX hợp lệ.")]
    NotSpreadsheet,
    #[error(
        "Tệp Excel cũ (.xls) hoặc tệp có đặt mật khẩu: hãy mở bằng Excel, \
         bỏ mật khẩu và lưu lại dạng .xlsx hoặc .csv."
    )]
    OldExcel,
    #[error("Dòng {row}: không đọc được mã ký tự.")]
    BadEncoding { row: u64 },
    #[error("Dòng {row}: tệp bị hỏng, không đọc tiếp được.")]
    Corrupt { row: u64 },
    #[error(
        "Dòng {row}: vượt giới hạn của Excel (tối đa 1.048.576 dòng, \
         32.767 ký tự mỗi ô)."
    )]
    ExcelLimit { row: u64 },
    #[error("Lỗi đọc/ghi tệp trên máy chủ.")]
    Io(#[from] std::io::Error),
}

impl SheetError {
    /// Stable short code, e.g. for logs, APIs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::Empty => "sheet_empty",
            SheetError::TooLarge { .. } => "sheet_too_large",
            SheetError::NotSpreadsheet => "sheet_not_spreadsheet",
            SheetError::OldExcel => "sheet_old_excel",
            SheetError::BadEncoding { .. } => "sheet_bad_encoding",
            SheetError::Corrupt { .. } => "sheet_corrupt",
            SheetError::ExcelLimit { .. } => "sheet_excel_limit",
            SheetError::Io(_) => "sheet_io",
        }
    }

    /// The spreadsheet row the error is about, if any.
    pub fn row(&self) -> Option<u64> {
        match self {
            SheetError::BadEncoding { row }
            | SheetError::Corrupt { row }
            | SheetError::ExcelLimit { row } => Some(*row),
            _ => None,
        }
    }
}

/// "20 MB", "1,5 MB", "500 KB".
fn size_label(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let e = SheetError::TooLarge {
            max_bytes: 20 * 1024 * 1024,
        };
        assert_eq!(e.to_string(), "Tệp quá lớn: tối đa 20 MB.");
        assert_eq!(e.code(), "sheet_too_large");
        let e = SheetError::BadEncoding { row: 17 };
        assert_eq!(e.to_string(), "Dòng 17: không đọc được mã ký tự.");
        assert_eq!(e.row(), Some(17));
        assert_eq!(SheetError::Empty.to_string(), "Tệp rỗng, không có dữ liệu.");
        assert_eq!(size_label(1536 * 1024), "1,5 MB");
        assert_eq!(size_label(1000), "1 KB");
    }
}
