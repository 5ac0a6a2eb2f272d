//! Read and write member lists as CSV and XLSX, streaming.
//!
//! Why the legacy-encoding work: lists typed years ago with the .VnTime
//! (TCVN3/ABC) or VNI-Times fonts still circulate between offices. Their
//! CSV bytes, or their XLSX cells, are not Unicode and show up as
//! "Uû ban nh©n d©n" or "Vieät Nam"; this crate detects and repairs them
//! so every cell comes out as NFC Unicode.

mod error;
pub mod legacy;
mod read;
#[cfg(test)]
mod tests;
mod write;

pub use error::SheetError;
pub use legacy::Encoding;
pub use read::{Format, Reader, Row, open};
pub use write::{CsvWriter, OutFormat, Writer, XlsxWriter};
