//! Drives the real whatsapp-rust client against the simulator, in process.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use wamod::engine::bot::{NoHttp, SIM_WA_VERSION};
use wamod::sim::Simulator;
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::store::traits::Backend;
use whatsapp_rust::types::events::Event;
use whatsapp_rust::{Client, TokioRuntime};

pub mod fixture;

/// Generous: a fresh pairing waits ~10 s for an app-state key share no simulator can produce.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct TestClient {
    pub client: Arc<Client>,
    pub events: async_channel::Receiver<Arc<Event>>,
    pub backend: Arc<dyn Backend>,
    pub handle: Option<BotHandle>,
}

/// Builds and starts a client over the in-process transport with the given key store.
pub async fn start(sim: &Simulator, backend: Arc<dyn Backend>) -> TestClient {
    start_with(sim.transport_factory(), backend).await
}

/// Builds and starts a client that dials the simulator's WebSocket listener.
pub async fn start_ws(ws_url: &str, backend: Arc<dyn Backend>) -> TestClient {
    let transport =
        whatsapp_rust::transport::TokioWebSocketTransportFactory::new().with_url(ws_url);
    start_with(transport, backend).await
}

async fn start_with(
    transport: impl whatsapp_rust::transport::TransportFactory + 'static,
    backend: Arc<dyn Backend>,
) -> TestClient {
    let (tx, rx) = async_channel::unbounded();
    let bot = Bot::builder()
        .with_backend_arc(backend.clone())
        .with_transport_factory(transport)
        .with_http_client(NoHttp)
        .with_runtime(TokioRuntime)
        .with_version(SIM_WA_VERSION)
        .skip_history_sync()
        .on_event(move |ev, _client| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(ev).await;
            }
        })
        .build()
        .await
        .expect("bot builds");
    let handle = bot.spawn();
    TestClient {
        client: handle.client(),
        events: rx,
        backend,
        handle: Some(handle),
    }
}

/// A new device of `phone`, paired by QR through the simulated phone, connected.
pub async fn pair(sim: &Simulator, phone: &str) -> TestClient {
    let c = start(
        sim,
        Arc::new(whatsapp_rust::wacore::store::InMemoryBackend::new()),
    )
    .await;
    let code = c.qr_code().await;
    sim.scan_qr_as(&code, phone).expect("scan");
    c.connected().await;
    c
}

impl TestClient {
    /// The first event `f` picks, within [`PATIENCE`]; earlier events are dropped.
    pub async fn wait_for<T>(&self, what: &str, mut f: impl FnMut(&Event) -> Option<T>) -> T {
        let fut = async {
            loop {
                let ev = self.events.recv().await.expect("event channel open");
                if let Some(t) = f(&ev) {
                    return t;
                }
            }
        };
        tokio::time::timeout(PATIENCE, fut)
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
    }

    pub async fn qr_code(&self) -> String {
        self.wait_for("a QR code", |e| match e {
            Event::PairingQrCode(q) => Some(q.code.clone()),
            _ => None,
        })
        .await
    }

    pub async fn connected(&self) {
        self.wait_for("Connected", |e| {
            matches!(e, Event::Connected(_)).then_some(())
        })
        .await
    }

    /// Stops the client and waits until it is gone.
    pub async fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.client().disconnect().await;
            h.shutdown().await;
        }
    }
}

/// A minimal HTTP/1.1 POST over loopback (the admin routes), returning (status, body).
pub async fn http(
    method: &str,
    listener: &wamod::sim::listener::Listener,
    path: &str,
    body: &str,
) -> (u16, String) {
    let auth = format!("authorization: Bearer {}\r\n", listener.admin_token());
    http_as(method, &listener.http_base(), &auth, path, body).await
}

/// An HTTP/1.1 request with `headers` (each ending in CRLF) as given: the status and body.
pub async fn http_as(
    method: &str,
    base: &str,
    headers: &str,
    path: &str,
    body: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("connect admin");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: {host}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut resp = Vec::new();
    stream.read_to_end(&mut resp).await.expect("read");
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A device of `phone` that is already linked (registered with the simulator, key store
/// prepared), connected. Skips the ~10 s a fresh pairing spends waiting for an app-state key
/// share; use `pair` for tests about pairing.
pub async fn linked(sim: &Simulator, phone: &str) -> TestClient {
    use whatsapp_rust::wacore::store::traits::DeviceStore;
    let device = sim.register_device(phone).expect("register device");
    let (lid, name) = sim.world(|w| {
        let a = w.account(phone).expect("account");
        (a.lid.clone(), a.name.clone())
    });
    let mut d = whatsapp_rust::wacore::store::Device::new();
    d.pn = Some(
        format!("{phone}:{device}@s.whatsapp.net")
            .parse()
            .expect("pn jid"),
    );
    d.lid = Some(format!("{lid}:{device}@lid").parse().expect("lid jid"));
    d.push_name = name;
    let backend = Arc::new(whatsapp_rust::wacore::store::InMemoryBackend::new());
    backend.save(&d).await.expect("save device");
    let c = start(sim, backend).await;
    c.connected().await;
    c
}
