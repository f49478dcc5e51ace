//! The simulator's admin routes (scan a QR, send a burst), over plain HTTP/1.1 on loopback,
//! with the run's token.

use anyhow::{Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where the simulator child's admin routes answer, and its token.
#[derive(Debug, Clone)]
pub struct Admin {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub token: String,
}

impl Admin {
    /// `POST` to an admin route; the response body.
    pub(super) async fn post(&self, path: &str, body: &str) -> Result<String> {
        self.request("POST", path, body).await
    }

    /// `GET` of an admin route; the response body.
    pub(super) async fn get(&self, path: &str) -> Result<String> {
        self.request("GET", path, "").await
    }

    async fn request(&self, method: &str, path: &str, body: &str) -> Result<String> {
        let addr = self.base.trim_start_matches("http://");
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            self.token,
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
}
