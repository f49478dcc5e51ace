//! The loopback listener: WebSocket connections at `/ws/chat` (what whatsapp-rust's tokio transport
//! dials) and small HTTP admin routes for scripted runs (`/admin/...`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_websockets::{Message, ServerBuilder};

use super::Simulator;
use super::admin::{AdminResponse, handle_admin};
use super::connection::{ByteSink, serve};

/// A running listener; stops when dropped.
pub struct Listener {
    addr: SocketAddr,
    token: Arc<str>,
    task: JoinHandle<()>,
}

impl Listener {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// What to give `TokioWebSocketTransportFactory::with_url`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws/chat", self.addr)
    }
    pub fn http_base(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The admin routes' token for this run: `Authorization: Bearer <token>` or `?token=`.
    pub fn admin_token(&self) -> &str {
        &self.token
    }
}

/// A fresh token per listener, so a web page in the user's browser (which can POST to
/// loopback but cannot read the demo's files) cannot drive the admin routes.
fn new_token() -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0'))
        .collect()
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn listen(sim: Simulator, addr: SocketAddr) -> Result<Listener> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the simulator to {addr}"))?;
    let addr = listener.local_addr()?;
    let token: Arc<str> = new_token().into();
    let accepted = token.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            // Only this machine: the simulator drives a test or the demo, nothing remote.
            if !peer.ip().is_loopback() {
                continue;
            }
            let sim = sim.clone();
            let token = accepted.clone();
            tokio::spawn(async move {
                if let Err(e) = route(sim, stream, &token).await {
                    tracing::debug!("sim listener: {e:#}");
                }
            });
        }
    });
    Ok(Listener { addr, token, task })
}

/// Reads the request line without consuming it, to send WebSocket upgrades and admin calls their
/// own ways.
async fn route(sim: Simulator, stream: TcpStream, token: &str) -> Result<()> {
    let mut buf = [0u8; 64];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let head = loop {
        let n = tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await??;
        if n == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&buf[..n]).to_string();
        if text.contains(' ') && (text.contains('\n') || n == buf.len() || text.len() > 16) {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    if head.starts_with("GET /ws/chat") {
        serve_websocket(sim, stream).await
    } else {
        serve_http(sim, stream, token).await
    }
}

struct WsSink {
    tx: mpsc::UnboundedSender<Option<Bytes>>,
}

impl ByteSink for WsSink {
    fn send(&self, data: Bytes) -> bool {
        self.tx.send(Some(data)).is_ok()
    }
    fn close(&self) {
        let _ = self.tx.send(None);
    }
}

async fn serve_websocket(sim: Simulator, stream: TcpStream) -> Result<()> {
    let (_req, ws) = ServerBuilder::new().accept(stream).await?;
    let (mut ws_tx, mut ws_rx) = ws.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Option<Bytes>>();
    let (in_tx, in_rx) = mpsc::unbounded_channel::<Bytes>();
    let conn = tokio::spawn(serve(
        sim.shared.clone(),
        in_rx,
        Arc::new(WsSink { tx: out_tx }),
    ));
    let writer = tokio::spawn(async move {
        while let Some(Some(data)) = out_rx.recv().await {
            if ws_tx.send(Message::binary(data)).await.is_err() {
                return;
            }
        }
        let _ = ws_tx.close().await;
    });
    while let Some(Ok(msg)) = ws_rx.next().await {
        if msg.is_binary() {
            let payload = Bytes::copy_from_slice(&msg.into_payload());
            if in_tx.send(payload).is_err() {
                break;
            }
        } else if msg.is_close() {
            break;
        }
    }
    drop(in_tx);
    let _ = conn.await;
    writer.abort();
    Ok(())
}

async fn serve_http(sim: Simulator, mut stream: TcpStream, token: &str) -> Result<()> {
    const MAX_REQUEST: usize = 4 * 1024 * 1024;
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await??;
        if n == 0 {
            return Ok(());
        }
        data.extend_from_slice(&chunk[..n]);
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if data.len() > MAX_REQUEST {
            return write_response(&mut stream, AdminResponse::bad("request too large")).await;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_string();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let content_length = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_REQUEST);
    while data.len() < header_end + content_length {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await??;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&chunk[..n]);
    }
    let body_end = data.len().min(header_end + content_length);
    let body = String::from_utf8_lossy(&data[header_end..body_end]).to_string();
    let bearer = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.trim().strip_prefix("Bearer "))
        .map(str::trim);
    let (target, given) = without_token(&target);
    if bearer.or(given.as_deref()) != Some(token) {
        let refused = AdminResponse {
            status: 401,
            body: "missing or wrong admin token: send it as \"Authorization: Bearer <token>\" or \
                   ?token=<token> (the demo writes it to <data dir>/demo/admin-token)"
                .into(),
        };
        return write_response(&mut stream, refused).await;
    }
    let response = handle_admin(&sim, &method, &target, &body);
    write_response(&mut stream, response).await
}

/// The target without its `token=` query parameter, and the token if there was one.
fn without_token(target: &str) -> (String, Option<String>) {
    let Some((path, query)) = target.split_once('?') else {
        return (target.to_string(), None);
    };
    let mut token = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("token=") {
            Some(t) => {
                token = Some(t.to_string());
                false
            }
            None => true,
        })
        .collect();
    match rest.is_empty() {
        true => (path.to_string(), token),
        false => (format!("{path}?{}", rest.join("&")), token),
    }
}

async fn write_response(stream: &mut TcpStream, r: AdminResponse) -> Result<()> {
    let reason = match r.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let body = if r.body.ends_with('\n') {
        r.body
    } else {
        format!("{}\n", r.body)
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        r.status,
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await?;
    Ok(())
}
