//! Building a whatsapp-rust bot for a session: its key store, the transport for the endpoint, and
//! an event channel.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use whatsapp_rust::TokioRuntime;
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse, UreqHttpClient};
use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::transport::TokioWebSocketTransportFactory;
use whatsapp_rust::types::events::Event;

use super::endpoint::Endpoint;
use crate::paths::private_file;

/// The WhatsApp Web version wamod announces. Pinned so connecting never fetches it from the web
/// first (and works offline against the simulator).
pub const WA_VERSION: (u32, u32, u32) = (2, 3000, 1_030_000_000);

pub struct BuiltBot {
    pub handle: BotHandle,
    pub events: async_channel::Receiver<std::sync::Arc<Event>>,
}

/// The simulator needs no HTTP; refusing keeps a test or demo from ever reaching the web.
pub struct NoHttp;

#[whatsapp_rust::async_trait]
impl HttpClient for NoHttp {
    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse> {
        Err(anyhow!("no HTTP against the simulator ({})", request.url))
    }
}

pub async fn build_bot(endpoint: &Endpoint, store_path: &Path) -> Result<BuiltBot> {
    endpoint.check().map_err(|e| anyhow!(e))?;
    // 0600 before the store writes any key into it (SQLite gives -wal/-shm the same mode).
    private_file(store_path).context("creating the key store")?;
    let path = store_path
        .to_str()
        .ok_or_else(|| anyhow!("key store path is not UTF-8"))?;
    let store = SqliteStore::new(path)
        .await
        .map_err(|e| anyhow!("opening the key store: {e}"))?;
    let (tx, rx) = async_channel::unbounded();
    let builder = Bot::builder()
        .with_backend(store)
        .with_runtime(TokioRuntime)
        .with_version(WA_VERSION)
        .skip_history_sync()
        .on_event(move |ev, _client| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(ev).await;
            }
        });
    let bot = match endpoint {
        Endpoint::WhatsApp => {
            builder
                .with_transport_factory(TokioWebSocketTransportFactory::new())
                .with_http_client(UreqHttpClient::new())
                .build()
                .await
        }
        Endpoint::InProcess(transport) => {
            builder
                .with_transport_factory(transport.clone())
                .with_http_client(NoHttp)
                .build()
                .await
        }
        Endpoint::WebSocket(url) => {
            builder
                .with_transport_factory(TokioWebSocketTransportFactory::new().with_url(url))
                .with_http_client(NoHttp)
                .build()
                .await
        }
    }
    .map_err(|e| anyhow!("building the client: {e}"))?;
    Ok(BuiltBot {
        handle: bot.spawn(),
        events: rx,
    })
}
