//! Building a whatsapp-rust bot for a session: its key store, the transport for the endpoint,
//! the WhatsApp Web version it announces, how the phone lists it, and an event channel.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use whatsapp_rust::TokioRuntime;
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse, UreqHttpClient};
use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::transport::TokioWebSocketTransportFactory;
use whatsapp_rust::types::events::{Event, EventHandler};
use whatsapp_rust::wacore::store::DevicePropsOverride;
use whatsapp_rust::waproto::whatsapp::device_props::PlatformType;

use super::conn_watch::{ProblemSender, WatchedHttp, WatchedTransport};
use super::endpoint::Endpoint;
use crate::paths::private_file;

/// A WhatsApp Web version: (2, 3000, revision).
pub type WaVersion = (u32, u32, u32);

/// The version wamod announces to the simulator, which never fetches one.
pub const SIM_WA_VERSION: WaVersion = (2, 3000, 1_030_000_000);

/// How the phone's "Linked devices" lists wamod (sent once, at pairing).
pub const DEVICE_NAME: &str = "wamod";

/// Which WhatsApp Web version the client announces.
#[derive(Clone)]
pub enum VersionSource {
    /// whatsapp-rust reads the current one from WhatsApp Web's `sw.js` over this HTTP client
    /// and keeps it 24 h in the key store (whatsapp-rust version.rs).
    Fetch(Arc<dyn HttpClient>),
    /// Exactly this one, never fetched: `wa_version` in the config, or the simulator.
    Pinned(WaVersion),
}

impl VersionSource {
    /// WhatsApp Web's own `sw.js`, over HTTPS.
    pub fn whatsapp_web() -> Self {
        VersionSource::Fetch(Arc::new(UreqHttpClient::new()))
    }

    /// What the simulator's endpoints announce.
    pub fn simulator() -> Self {
        VersionSource::Pinned(SIM_WA_VERSION)
    }
}

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

/// Hands each event to the session as whatsapp-rust dispatches it, inline. The closure
/// callbacks (`on_event`) run each event on a task of its own by default, so two notifications
/// of one group could reach the session in either order, and a burst parks one task per event;
/// their ordered mode drops events when its mailbox is full (whatsapp-rust bot.rs,
/// `EventDelivery`).
struct InOrder(async_channel::Sender<Arc<Event>>);

impl EventHandler for InOrder {
    fn handle_event(&self, event: Arc<Event>) {
        // Unbounded: never full; an error means the session is gone.
        let _ = self.0.try_send(event);
    }
}

/// A new bot for the key store at `store_path`; connect failures go to `problems`.
pub async fn build_bot(
    endpoint: &Endpoint,
    version: &VersionSource,
    store_path: &Path,
    problems: ProblemSender,
) -> Result<BuiltBot> {
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
    let mut builder = Bot::builder()
        .with_backend(store)
        .with_runtime(TokioRuntime)
        .with_device_props(
            DevicePropsOverride::new()
                .with_os(DEVICE_NAME)
                .with_platform_type(PlatformType::DESKTOP),
        )
        .skip_history_sync()
        .with_event_handler(InOrder(tx));
    let http: Arc<dyn HttpClient> = match (version, endpoint) {
        (VersionSource::Fetch(http), _) => http.clone(),
        (VersionSource::Pinned(v), Endpoint::WhatsApp) => {
            builder = builder.with_version(*v);
            Arc::new(UreqHttpClient::new())
        }
        (VersionSource::Pinned(v), _) => {
            builder = builder.with_version(*v);
            Arc::new(NoHttp)
        }
    };
    let http = WatchedHttp {
        inner: http,
        problems: problems.clone(),
    };
    let bot = match endpoint {
        Endpoint::WhatsApp => {
            builder
                .with_transport_factory(WatchedTransport {
                    inner: TokioWebSocketTransportFactory::new(),
                    problems,
                })
                .with_http_client(http)
                .build()
                .await
        }
        Endpoint::InProcess(transport) => {
            builder
                .with_transport_factory(WatchedTransport {
                    inner: transport.clone(),
                    problems,
                })
                .with_http_client(http)
                .build()
                .await
        }
        Endpoint::WebSocket(url) => {
            builder
                .with_transport_factory(WatchedTransport {
                    inner: TokioWebSocketTransportFactory::new().with_url(url),
                    problems,
                })
                .with_http_client(http)
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
