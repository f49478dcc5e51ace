//! The simulator's admin routes (scan a QR, send a burst), over plain HTTP/1.1 on loopback.

use anyhow::{Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `POST` to the simulator's admin routes; the response body.
pub(super) async fn post(http: &str, path: &str, body: &str) -> Result<String> {
    request(http, "POST", path, body).await
}

/// `GET` of an admin route; the response body.
pub(super) async fn get(http: &str, path: &str) -> Result<String> {
    request(http, "GET", path, "").await
}

async fn request(http: &str, method: &str, path: &str, body: &str) -> Result<String> {
    let addr = http.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    if !out.starts_with("HTTP/1.1 200") {
        bail!("{path}: {}", out.lines().next().unwrap_or_default());
    }
    Ok(out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string())
}
