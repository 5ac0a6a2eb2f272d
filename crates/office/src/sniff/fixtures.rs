//! Small but structurally real attachment files for the office tests.

use std::io::Write;

pub const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;

/// Two paragraphs with Vietnamese text, an entity, a tab and a break, plus
/// markup whose text must not leak (tab stops, deleted text, field codes).
pub const DOCUMENT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Đảng ủy</w:t></w:r><w:r><w:t xml:space="preserve"> xã Tân Lập</w:t></w:r></w:p>
<w:p><w:r><w:t>Học tập &amp; quán triệt</w:t><w:tab/><w:t>Nghị quyết</w:t><w:br/><w:t>số 35&#8209;NQ/TW</w:t></w:r><w:del><w:r><w:delText>bỏ</w:delText></w:r></w:del><w:r><w:instrText> PAGE </w:instrText></w:r></w:p>
<w:sectPr/></w:body></w:document>"#;

pub fn zip_bytes(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub fn docx_bytes() -> Vec<u8> {
    zip_bytes(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", DOCUMENT_XML),
    ])
}

pub const SHARED_STRINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Chi bộ 1</t></si><si><r><t>Đảng viên </t></r><r><rPr><b/></rPr><t>&amp; quần chúng</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si></sst>"#;

pub fn xlsx_bytes() -> Vec<u8> {
    zip_bytes(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("xl/workbook.xml", "<workbook/>"),
        ("xl/sharedStrings.xml", SHARED_STRINGS),
    ])
}

pub fn png_bytes() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    v.extend([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    v
}

/// One page showing `text` in Helvetica, with a correct xref table.
pub fn pdf_bytes(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 20 40 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        pdf.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
