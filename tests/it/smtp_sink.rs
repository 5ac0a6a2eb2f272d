//! A tiny SMTP server for tests: it accepts every message on 127.0.0.1 and
//! keeps it. It speaks the greeting, EHLO/HELO, AUTH PLAIN/LOGIN (any
//! credentials pass), MAIL FROM, RCPT TO, DATA (with dot-unstuffing),
//! RSET, NOOP and QUIT, over as many connections as come.
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::JoinHandle,
};

/// One message as the sink received it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope sender (MAIL FROM), without the angle brackets.
    pub from: String,
    /// The envelope recipients (RCPT TO), without the angle brackets.
    pub to: Vec<String>,
    /// Headers and body after dot-unstuffing, CRLF line ends, without the
    /// final `.` line.
    pub data: String,
    /// What AUTH gave, as `user:password`, if the client logged in.
    pub auth: Option<String>,
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
}

pub struct Sink {
    pub port: u16,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Sink {
    pub async fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let accept = tokio::spawn({
            let shared = shared.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        let _ = session(stream, &shared).await;
                    });
                }
            }
        });
        Sink {
            port,
            shared,
            accept,
        }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.shared.messages.lock().unwrap().clone()
    }

    /// The messages once there are at least `n`, or whatever came by
    /// `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before the check, so no arrival is missed.
            let arrived = self.shared.arrived.notified();
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.messages();
            }
        }
    }
}

/// Reads one line, CRLF (or LF) stripped; `None` at end of stream.
async fn line(
    r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    if r.read_until(b'\n', &mut buf).await? == 0 {
        return Ok(None);
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The address inside `<...>` after a `MAIL FROM:`/`RCPT TO:` verb.
fn path(arg: &str) -> String {
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_owned(),
        _ => arg.split_whitespace().next().unwrap_or("").to_owned(),
    }
}

/// `\0user\0password` (AUTH PLAIN) as `user:password`.
fn plain(b64: &str) -> String {
    let raw = String::from_utf8_lossy(&base64_decode(b64)).into_owned();
    let mut parts = raw.split('\0').skip(1);
    format!(
        "{}:{}",
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("")
    )
}

async fn session(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP trienkhai test sink\r\n")
        .await?;

    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut auth: Option<String> = None;
    while let Some(cmd) = line(&mut r).await? {
        let upper = cmd.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or("");
        let reply: &[u8] = match verb {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n",
            "HELO" => b"250 sink.test\r\n",
            "AUTH" => {
                let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
                match args.first().map(|m| m.to_ascii_uppercase()).as_deref() {
                    Some("PLAIN") => {
                        let b64 = match args.get(1) {
                            Some(b64) => b64.to_string(),
                            None => {
                                w.write_all(b"334 \r\n").await?;
                                line(&mut r).await?.unwrap_or_default()
                            }
                        };
                        auth = Some(plain(&b64));
                        b"235 2.7.0 Authentication successful\r\n"
                    }
                    Some("LOGIN") => {
                        let user = match args.get(1) {
                            Some(b64) => b64.to_string(),
                            None => {
                                w.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
                                line(&mut r).await?.unwrap_or_default()
                            }
                        };
                        w.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
                        let pass = line(&mut r).await?.unwrap_or_default();
                        let dec = |s: &str| String::from_utf8_lossy(&base64_decode(s)).into_owned();
                        auth = Some(format!("{}:{}", dec(&user), dec(&pass)));
                        b"235 2.7.0 Authentication successful\r\n"
                    }
                    _ => b"504 5.5.4 Unrecognized authentication type\r\n",
                }
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                from = Some(path(&cmd["MAIL FROM:".len()..]));
                to.clear();
                b"250 2.1.0 OK\r\n"
            }
            "RCPT" if upper.starts_with("RCPT TO:") => {
                let rcpt = path(&cmd["RCPT TO:".len()..]);
                if rcpt.starts_with("tuchoi") {
                    // A refusal quoting the address, as real servers write it.
                    let refusal = format!("550 5.1.1 <{rcpt}>: Recipient address rejected\r\n");
                    w.write_all(refusal.as_bytes()).await?;
                    continue;
                }
                if from.is_none() {
                    b"503 5.5.1 MAIL first\r\n"
                } else {
                    to.push(rcpt);
                    b"250 2.1.5 OK\r\n"
                }
            }
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    b"503 5.5.1 RCPT first\r\n"
                } else {
                    w.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let mut data = String::new();
                    loop {
                        let Some(l) = line(&mut r).await? else {
                            return Ok(()); // cut off mid-message: keep nothing
                        };
                        if l == "." {
                            break;
                        }
                        data.push_str(l.strip_prefix('.').unwrap_or(&l));
                        data.push_str("\r\n");
                    }
                    shared.messages.lock().unwrap().push(Received {
                        from: from.take().unwrap_or_default(),
                        to: std::mem::take(&mut to),
                        data,
                        auth: auth.clone(),
                    });
                    shared.arrived.notify_waiters();
                    b"250 2.0.0 OK queued\r\n"
                }
            }
            "RSET" => {
                from = None;
                to.clear();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                w.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 5.5.2 Command not recognized\r\n",
        };
        w.write_all(reply).await?;
    }
    Ok(())
}

/// Standard base64 (padding and whitespace ignored; other bytes skipped).
pub fn base64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
