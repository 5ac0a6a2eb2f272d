//! The register over HTTP: issue a document and download its DOCX, register
//! one received, attach files (and refuse the wrong ones), search, and the
//! JSON API. Run on both engines.
use std::io::Write;

use trienkhai_core::Code;
use trienkhai_db::{Engine, demo, token, unit, user};
use trienkhai_web::WebConfig;

use crate::{
    both_engines,
    support::{Client, TestApp, TestDb, location},
};

async fn attach(c: &Client, id: i64, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let token = c.csrf(&format!("/documents/{id}")).await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = c
        .http
        .post(format!("{}/documents/{id}/files?_csrf={token}", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A minimal DOCX whose text says something searchable.
fn docx_with(text: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", o).unwrap();
    z.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
    z.start_file("word/document.xml", o).unwrap();
    let xml = format!(
        r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#
    );
    z.write_all(xml.as_bytes()).unwrap();
    z.finish().unwrap();
    out.into_inner()
}

fn id_in(location: &str) -> i64 {
    location
        .trim_start_matches("/documents/")
        .split(['?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn register_story(engine: Engine) {
    let t = TestDb::demo(engine).await;
    let cfg = WebConfig {
        max_attachment: 64 * 1024,
        data_dir: std::env::temp_dir().join(format!("tk-doc-{}", rand::random::<u64>())),
        ..Default::default()
    };
    let data_dir = cfg.data_dir.clone();
    let app = TestApp::spawn_with(&t.db, cfg).await;
    let c = app.client();
    c.login_ok("canbo", demo::PASSWORD).await;
    let (s, html) = c.text("/documents").await;
    assert_eq!(s, 200);
    assert!(html.contains("35-NQ/TW") && html.contains("Sổ văn bản"));

    // Issue a report: the number is allocated, the DOCX follows the layout.
    let duk = unit::by_code(&t.db, "DUK").await.unwrap().unwrap().id;
    let r = c
        .submit(
            "/documents/issue",
            "/documents/issue",
            &[
                ("unit_id", &duk.to_string()),
                ("type", "BC|bao_cao"),
                ("place", "Phan Thiết"),
                ("issued_on", "2026-08-02"),
                ("body", "BTV"),
                ("subject", "Kết quả học tập, quán triệt Chỉ thị số 05-CT/TW"),
                (
                    "content",
                    "I. KẾT QUẢ\nĐã học tập Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị.",
                ),
                ("authority", "T/M BAN THƯỜNG VỤ"),
                ("signer_title", "Bí thư"),
                ("signer", "Đỗ Quang Minh"),
                (
                    "recipients",
                    "Ban Thường vụ Tỉnh ủy (để b/c)\nLưu Văn phòng",
                ),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let issued = id_in(&location(&r));
    let (s, html) = c.text(&format!("/documents/{issued}?issued=1")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Đã ban hành văn bản số 01-BC/ĐUK"), "{html}");
    assert!(
        html.contains("class=\"cite\""),
        "the cited directive is a link"
    );
    let r = c.get(&format!("/documents/{issued}/docx")).await;
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    for want in [
        "Số 01-BC/ĐUK",
        "ngày 02 tháng 8 năm 2026",
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO",
        "Times New Roman",
    ] {
        assert!(xml.contains(want), "DOCX lacks {want}");
    }

    // Its PDF, where LibreOffice is installed (CI installs it).
    let r = c.get(&format!("/documents/{issued}/pdf")).await;
    if trienkhai_office::pdf::available() {
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    } else {
        assert_eq!(r.status().as_u16(), 503);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains(Code::PdfUnavailable.message())
        );
    }
    // Received documents are kept as filed, not re-typeset.
    let received = trienkhai_db::document::by_symbol(&t.db, "35-NQ/TW")
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        c.get(&format!("/documents/{received}/docx"))
            .await
            .status()
            .as_u16(),
        404
    );

    // A received document: bad symbol and duplicate are refused at the field.
    let bad = c
        .submit(
            "/documents/new",
            "/documents",
            &[
                ("symbol", "35/CT"),
                ("issued_on", "2019-05-30"),
                ("subject", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains(Code::InvalidSymbol.message()) && html.contains("id=\"symbol-err\""));
    let dup = c
        .submit(
            "/documents/new",
            "/documents",
            &[
                ("symbol", "35-NQ/TW"),
                ("issued_on", "2018-10-22"),
                ("subject", "Lặp"),
            ],
        )
        .await;
    assert_eq!(dup.status().as_u16(), 409);
    assert!(
        dup.text()
            .await
            .unwrap()
            .contains(Code::DocumentExists.message())
    );
    let r = c
        .submit(
            "/documents/new",
            "/documents",
            &[
                ("symbol", "Số 57-NQ/TW"),
                ("issued_on", "22/12/2024"),
                (
                    "subject",
                    "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo",
                ),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let nq57 = id_in(&location(&r));

    // Attachments: the wrong type, too large, empty; then a real DOCX whose
    // text becomes searchable.
    let (s, html) = attach(&c, nq57, "nghi-quyet.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await;
    assert_eq!(s, 415);
    assert!(html.contains(Code::UnsupportedFile.message()) && html.contains("id=\"file-err\""));
    let (s, html) = attach(&c, nq57, "lon.pdf", vec![b'%'; 70 * 1024]).await;
    assert_eq!(s, 413);
    assert!(html.contains(Code::FileTooLarge.message()));
    let (s, _) = attach(&c, nq57, "rong.docx", Vec::new()).await;
    assert_eq!(s, 422);
    let (s, _) = attach(
        &c,
        nq57,
        "toàn văn.docx",
        docx_with("chuyển đổi số quốc gia"),
    )
    .await;
    assert_eq!(s, 303);
    let (_, html) = c.text(&format!("/documents/{nq57}")).await;
    assert!(html.contains("toàn văn.docx") && html.contains("Word (DOCX)"));
    let (s, html) = c.text("/search?q=chuyen+doi+so").await;
    assert_eq!(s, 200);
    assert!(html.contains("57-NQ/TW"), "attachment text is searched");
    let file_id: i64 = html_file_id(&c.text(&format!("/documents/{nq57}")).await.1);
    let r = c.get(&format!("/documents/{nq57}/files/{file_id}")).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''to%C3%A0n%20v%C4%83n.docx")
    );
    assert_eq!(
        c.get(&format!("/documents/{issued}/files/{file_id}"))
            .await
            .status()
            .as_u16(),
        404
    );

    // Relations by symbol; an unknown one is refused at the field.
    let token = c.csrf(&format!("/documents/{issued}")).await;
    let r = c
        .post_form(
            &format!("/documents/{issued}/relations"),
            &[
                ("_csrf", &token),
                ("kind", "implements"),
                ("symbol", "99-NQ/TW"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = c
        .post_form(
            &format!("/documents/{issued}/relations"),
            &[
                ("_csrf", &token),
                ("kind", "reviews"),
                ("symbol", "05-CT/TW"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    // Export and paging.
    let r = c.get("/documents/export?type=CT").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    assert_eq!(c.get("/documents?after=bad").await.status().as_u16(), 400);
    assert_eq!(c.get("/documents?year=abc").await.status().as_u16(), 400);

    // The API: search, list, one document, and a register with field errors.
    let admin = user::by_username(&t.db, "canbo").await.unwrap().unwrap();
    let tok = token::create(&t.db, &trienkhai_db::Actor::system("test"), admin.id, "t")
        .await
        .unwrap();
    let j = app.api_json(&tok, "/api/v1/search?q=quan+triet").await;
    assert!(
        j["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == issued)
    );
    let j = app
        .api_json(&tok, &format!("/api/v1/documents/{issued}"))
        .await;
    assert_eq!(j["document"]["symbol"], "01-BC/ĐUK");
    assert!(
        j["cites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| !c["target_id"].is_null())
    );
    let j = app.api_json(&tok, "/api/v1/documents?type=CT").await;
    assert!(j["items"].as_array().unwrap().len() >= 5);
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/documents"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"symbol": "abc", "subject": "x", "issued_on": "2020-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "symbol");
    let _ = std::fs::remove_dir_all(data_dir);
    t.cleanup().await;
}
both_engines!(register_over_http, register_story);

fn html_file_id(html: &str) -> i64 {
    let i = html.find("/files/").unwrap() + "/files/".len();
    html[i..].split('"').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_do_not_see_secret_documents() {
    let t = TestDb::demo(Engine::Sqlite).await;
    let a = trienkhai_db::Actor::system("văn thư");
    let mut d = trienkhai_db::document::Incoming {
        symbol: "88-CV/TU".into(),
        ..Default::default()
    };
    d.common.issued_on = "2026-01-05".into();
    d.common.subject = "Công văn mật về nhân sự".into();
    d.common.secrecy = "Mật".into();
    let id = trienkhai_db::document::register(&t.db, &a, d)
        .await
        .unwrap();
    // A secret document citing a public one: the public page must not show it.
    let mut d = trienkhai_db::document::Incoming {
        symbol: "89-CV/TU".into(),
        ..Default::default()
    };
    d.common.issued_on = "2026-01-06".into();
    d.common.subject = "Công văn mật thực hiện Nghị quyết số 35-NQ/TW".into();
    d.common.secrecy = "Tối mật".into();
    trienkhai_db::document::register(&t.db, &a, d)
        .await
        .unwrap();
    let nq35 = trienkhai_db::document::by_symbol(&t.db, "35-NQ/TW")
        .await
        .unwrap()[0]
        .id;
    let app = TestApp::spawn(&t.db).await;
    let c = app.client();
    c.login_ok("dangvien", demo::PASSWORD).await;
    assert_eq!(
        c.get(&format!("/documents/{id}")).await.status().as_u16(),
        404
    );
    let (s, html) = c.text(&format!("/documents/{nq35}")).await;
    assert_eq!(s, 200);
    assert!(!html.contains("89-CV/TU") && !html.contains("Công văn mật"));
    let (_, html) = c.text("/search?q=nhan+su").await;
    assert!(!html.contains("88-CV/TU"));
    let (_, html) = c.text("/documents").await;
    assert!(!html.contains("88-CV/TU"));
    assert_eq!(c.get("/documents/issue").await.status().as_u16(), 403);
    let staff = app.client();
    staff.login_ok("canbo", demo::PASSWORD).await;
    let (_, html) = staff.text("/search?q=nhan+su").await;
    assert!(html.contains("88-CV/TU"));
    let (_, html) = staff.text(&format!("/documents/{nq35}")).await;
    assert!(html.contains("89-CV/TU"), "the office sees who cites it");
    t.cleanup().await;
}
