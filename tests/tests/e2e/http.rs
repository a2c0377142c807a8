//! A minimal HTTP/1.0 client over a real socket, for the relay's JSON and
//! file endpoints: enough to send a token and a JSON body and read the
//! status, headers and body back.

use std::io::{Read, Write};

use super::relay_process::PATIENCE;

/// An answer: status, header block (lower-cased), body bytes.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `method path` at `addr` with `Authorization: Bearer token` and, if
/// given, a JSON body.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Answer {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    send(
        addr,
        method,
        path,
        token,
        "application/json",
        body.as_bytes(),
    )
}

/// `POST path` with `bytes` of `content_type` as the body.
pub fn post_bytes(addr: &str, path: &str, token: &str, content_type: &str, bytes: &[u8]) -> Answer {
    send(addr, "POST", path, Some(token), content_type, bytes)
}

fn send(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Answer {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let content = if body.is_empty() {
        String::new()
    } else {
        format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        )
    };
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n{auth}{content}\r\n"
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head,
        body: answer[split + 4..].to_vec(),
    }
}

pub fn get(addr: &str, path: &str, token: &str) -> Answer {
    request(addr, "GET", path, Some(token), None)
}

pub fn post(addr: &str, path: &str, token: &str, body: &serde_json::Value) -> Answer {
    request(addr, "POST", path, Some(token), Some(body))
}
