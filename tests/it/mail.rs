//! Outgoing mail against the local SMTP sink: Vietnamese subject, sender
//! name and body survive the trip (RFC 2047 headers, QP/base64 body), the
//! envelope is right, AUTH and dot-stuffing work, and failures are errors
//! that come in time.
use std::time::{Duration, Instant};

use trienkhai_web::mail::{Mailer, Security, SmtpConfig, TIMEOUT};

use crate::smtp_sink::{Sink, base64_decode};

const FROM: &str = "Văn phòng Đảng ủy <vanphong@example.vn>";

fn config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: FROM.into(),
        security: Security::None,
        ..SmtpConfig::default()
    }
}

/// Splits a message into unfolded headers and the raw body.
fn parse(data: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = data.split_once("\r\n\r\n").expect("header/body separator");
    let mut headers: Vec<(String, String)> = Vec::new();
    for l in head.split("\r\n") {
        if l.starts_with([' ', '\t']) {
            headers
                .last_mut()
                .expect("continuation first")
                .1
                .push_str(l);
        } else {
            let (k, v) = l.split_once(':').expect("header name");
            headers.push((k.to_owned(), v.trim_start().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

fn hex(b: u8) -> u8 {
    (b as char).to_digit(16).expect("hex digit") as u8
}

/// Quoted-printable (RFC 2045): soft breaks dropped, `=XX` decoded. With
/// `q_word`, the RFC 2047 "Q" variant where `_` is a space.
fn qp_decode(s: &str, q_word: bool) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' => {
                out.push(hex(b[i + 1]) << 4 | hex(b[i + 2]));
                i += 3;
            }
            b'_' if q_word => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// One `=?charset?B|Q?text?=` at the start of `s`: its bytes and length.
fn encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, rest) = inner.split_once('?')?;
    let (enc, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
    let text = &rest[..end];
    let bytes = match enc {
        "B" | "b" => base64_decode(text),
        "Q" | "q" => qp_decode(text, true),
        _ => return None,
    };
    Some((bytes, 2 + charset.len() + 1 + enc.len() + 1 + end + 2))
}

/// An unfolded header value with RFC 2047 encoded-words decoded;
/// whitespace between two adjacent encoded-words is dropped.
fn decode_header(v: &str) -> String {
    let mut out = Vec::new();
    let mut rest = v;
    let mut after_word = false;
    while let Some(i) = rest.find("=?") {
        let before = &rest[..i];
        match encoded_word(&rest[i..]) {
            Some((bytes, len)) => {
                if !(after_word && before.trim().is_empty()) {
                    out.extend_from_slice(before.as_bytes());
                }
                out.extend(bytes);
                rest = &rest[i + len..];
                after_word = true;
            }
            None => {
                out.extend_from_slice(&rest.as_bytes()[..i + 2]);
                rest = &rest[i + 2..];
                after_word = false;
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8(out).expect("UTF-8 after decoding")
}

/// The body per its Content-Transfer-Encoding, as text.
fn decode_body(headers: &[(String, String)], body: &str) -> String {
    // The sink ends the last line with CRLF; that is not part of the body.
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    let cte = header(headers, "Content-Transfer-Encoding").to_ascii_lowercase();
    let bytes = match cte.as_str() {
        "base64" => base64_decode(body),
        "quoted-printable" => qp_decode(body, false),
        "7bit" | "8bit" => body.as_bytes().to_vec(),
        other => panic!("unexpected Content-Transfer-Encoding {other}"),
    };
    String::from_utf8(bytes).expect("UTF-8 body")
}

#[tokio::test]
async fn vietnamese_subject_and_body_arrive_intact() {
    let sink = Sink::start().await;
    let mailer = Mailer::new(&config(sink.port)).unwrap();
    let subject = "Nhắc hạn: báo cáo kết quả học tập Nghị quyết";
    let body = "Kính gửi đồng chí Nguyễn Thị Hồng Nhung,\n\n\
                Đề nghị đồng chí nộp báo cáo thu hoạch Nghị quyết Đại hội XIV \
                của Đảng trước ngày 15/9/2025. Chi bộ Văn phòng Đảng ủy xin cảm ơn.\n\
                Trân trọng.";
    mailer
        .send("Nguyễn Thị Hồng Nhung <dangvien@example.vn>", subject, body)
        .await
        .unwrap();

    let got = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "vanphong@example.vn");
    assert_eq!(m.to, vec!["dangvien@example.vn".to_owned()]);
    assert_eq!(m.auth, None);
    assert!(
        m.data.is_ascii(),
        "message should be 7-bit clean:\n{}",
        m.data
    );

    let (headers, raw_body) = parse(&m.data);
    let raw_subject = header(&headers, "Subject");
    assert!(
        raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
        "subject not RFC 2047 encoded: {raw_subject}"
    );
    assert_eq!(decode_header(raw_subject), subject);
    let from = decode_header(header(&headers, "From"));
    assert!(
        from.contains("Văn phòng Đảng ủy") && from.ends_with("<vanphong@example.vn>"),
        "From: {from}"
    );
    let to = decode_header(header(&headers, "To"));
    assert!(
        to.contains("Nguyễn Thị Hồng Nhung") && to.ends_with("<dangvien@example.vn>"),
        "To: {to}"
    );
    assert!(
        header(&headers, "Content-Type")
            .to_ascii_lowercase()
            .starts_with("text/plain; charset=utf-8"),
        "{headers:?}"
    );
    assert_eq!(decode_body(&headers, &raw_body), body.replace('\n', "\r\n"));
    let id = header(&headers, "Message-ID");
    assert!(id.starts_with('<') && id.ends_with("@example.vn>"), "{id}");

    // A subject long enough to be folded over several encoded-words with
    // plain words between them, and a mostly-ASCII body (quoted-printable).
    let long = "Nhắc hạn: báo cáo kết quả học tập Nghị quyết của Ban Chấp hành \
                Trung ương Đảng khóa XIII, Hội nghị lần thứ tám (Nghị quyết 45-NQ/TW)";
    let text = "Report due 15/9/2025 - Văn phòng\nThanks.";
    mailer.send("x@example.vn", long, text).await.unwrap();
    let got = sink.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2);
    let (headers, raw_body) = parse(&got[1].data);
    assert_eq!(decode_header(header(&headers, "Subject")), long);
    assert_eq!(decode_body(&headers, &raw_body), text.replace('\n', "\r\n"));
}

#[tokio::test]
async fn login_several_messages_and_dot_stuffing() {
    let sink = Sink::start().await;
    let cfg = SmtpConfig {
        username: Some("vanphong".into()),
        password: Some("mật-khẩu".into()),
        ..config(sink.port)
    };
    let mailer = Mailer::new(&cfg).unwrap();
    // 7-bit text goes out as is, so the dots reach the wire unencoded.
    let body = "Line one\n.\n..two dots\n.leading dot\nend";
    mailer.send("a@example.vn", "First", body).await.unwrap();
    mailer
        .clone()
        .send("b@example.vn", "Second", "x")
        .await
        .unwrap();

    let got = sink.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].to, vec!["a@example.vn".to_owned()]);
    assert_eq!(got[1].to, vec!["b@example.vn".to_owned()]);
    for m in &got {
        assert_eq!(m.auth.as_deref(), Some("vanphong:mật-khẩu"));
    }
    let (headers, raw_body) = parse(&got[0].data);
    assert_eq!(header(&headers, "Content-Transfer-Encoding"), "7bit");
    assert_eq!(decode_header(header(&headers, "Subject")), "First");
    assert_eq!(decode_body(&headers, &raw_body), body.replace('\n', "\r\n"));
}

/// A server's refusal often quotes the address: the error keeps its code
/// and leaves the address out (it goes to the log and the outbox).
#[tokio::test]
async fn a_refusal_does_not_echo_the_address() {
    let sink = Sink::start().await;
    let mailer = Mailer::new(&config(sink.port)).unwrap();
    let err = mailer
        .send("tuchoi.nguyen@example.vn", "Chủ đề", "Nội dung")
        .await
        .unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("Không gửi được thư") && msg.contains("550"),
        "{msg}"
    );
    assert!(!msg.contains("tuchoi"), "error names the recipient: {msg}");
}

#[tokio::test]
async fn closed_port_is_an_error_in_time() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // dropped: nothing listens there now
    let mailer = Mailer::new(&config(port)).unwrap();
    let start = Instant::now();
    let res = tokio::time::timeout(
        TIMEOUT * 3,
        mailer.send("dangvien@example.vn", "Chủ đề", "Nội dung"),
    )
    .await
    .expect("send must give up by itself");
    assert!(res.is_err());
    assert!(start.elapsed() < TIMEOUT, "took {:?}", start.elapsed());
    let msg = format!("{:#}", res.unwrap_err());
    assert!(msg.contains("Không gửi được thư"), "{msg}");
    assert!(
        !msg.contains("dangvien"),
        "error names the recipient: {msg}"
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    // Accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let mailer = Mailer::with_timeout(&config(port), Duration::from_millis(300)).unwrap();
    let start = Instant::now();
    let res = tokio::time::timeout(
        Duration::from_secs(5),
        mailer.send("dangvien@example.vn", "Chủ đề", "Nội dung"),
    )
    .await
    .expect("send must give up by itself");
    assert!(res.is_err());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    hold.abort();
}

#[tokio::test]
async fn bad_configuration_and_recipient_are_refused() {
    let err = |cfg: &SmtpConfig| format!("{:#}", Mailer::new(cfg).unwrap_err());

    let bad_from = SmtpConfig {
        from: "Văn phòng Đảng ủy".into(),
        ..config(2525)
    };
    assert!(err(&bad_from).contains("người gửi"), "{}", err(&bad_from));
    let no_at = SmtpConfig {
        from: "vanphong.example.vn".into(),
        ..config(2525)
    };
    assert!(err(&no_at).contains("người gửi"));
    let no_host = SmtpConfig {
        host: " ".into(),
        ..config(2525)
    };
    assert!(err(&no_host).contains("máy chủ"));
    let no_password = SmtpConfig {
        username: Some("vanphong".into()),
        ..config(2525)
    };
    assert!(err(&no_password).contains("mật khẩu"));

    let sink = Sink::start().await;
    let mailer = Mailer::new(&config(sink.port)).unwrap();
    let e = mailer
        .send("không phải địa chỉ", "Chủ đề", "Nội dung")
        .await
        .unwrap_err();
    assert!(format!("{e:#}").contains("người nhận"), "{e:#}");
    assert!(sink.messages().is_empty());
}

#[test]
fn config_reads_from_toml() {
    let cfg: SmtpConfig = toml::from_str(
        r#"
        host = "smtp.example.vn"
        from = "Văn phòng Đảng ủy <vanphong@example.vn>"
        security = "starttls"
        username = "vanphong"
        password = "bí mật"
        "#,
    )
    .unwrap();
    assert_eq!(cfg.security, Security::Starttls);
    assert_eq!(cfg.port, 0);
    assert_eq!(cfg.password.as_deref(), Some("bí mật"));
    let mailer = Mailer::new(&cfg).unwrap();
    assert!(format!("{mailer:?}").contains("587"));
    assert!(!format!("{mailer:?}").contains("bí mật"));

    let plain: SmtpConfig =
        toml::from_str("host = \"localhost\"\nport = 2525\nfrom = \"a@b.vn\"").unwrap();
    assert_eq!(plain.security, Security::None);
    assert!(plain.username.is_none());
}
