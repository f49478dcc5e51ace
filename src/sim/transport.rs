//! The in-process transport: whatsapp-rust's `TransportFactory` over channels, straight into the
//! simulator's connection task. No sockets, same bytes as on the wire.

use std::sync::{Arc, Mutex};

use anyhow::anyhow;
use bytes::Bytes;
use tokio::sync::mpsc;
use whatsapp_rust::transport::{DisconnectReason, Transport, TransportEvent, TransportFactory};

use super::connection::{ByteSink, serve};
use super::state::Shared;

/// Hands whatsapp-rust a fresh in-process connection to the simulator on every (re)connect.
#[derive(Clone)]
pub struct InProcessTransportFactory {
    pub(crate) shared: Arc<Shared>,
}

struct InProcessTransport {
    to_server: Mutex<Option<mpsc::UnboundedSender<Bytes>>>,
}

#[whatsapp_rust::async_trait]
impl Transport for InProcessTransport {
    async fn send(&self, data: Bytes) -> anyhow::Result<()> {
        let guard = self.to_server.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(tx) => tx
                .send(data)
                .map_err(|_| anyhow!("simulator closed the connection")),
            None => Err(anyhow!("transport disconnected")),
        }
    }

    async fn disconnect(&self) {
        // Dropping the sender ends the simulator's connection task.
        self.to_server
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }
}

struct ChannelSink {
    events: async_channel::Sender<TransportEvent>,
}

impl ByteSink for ChannelSink {
    fn send(&self, data: Bytes) -> bool {
        self.events
            .try_send(TransportEvent::DataReceived(data))
            .is_ok()
    }

    fn close(&self) {
        let _ = self
            .events
            .try_send(TransportEvent::Disconnected(DisconnectReason::StreamEnded));
        self.events.close();
    }
}

#[whatsapp_rust::async_trait]
impl TransportFactory for InProcessTransportFactory {
    async fn create_transport(
        &self,
    ) -> anyhow::Result<(Arc<dyn Transport>, async_channel::Receiver<TransportEvent>)> {
        if self.shared.lock().refuse_connections {
            return Err(anyhow!("simulator is refusing connections"));
        }
        let (to_server, from_client) = mpsc::unbounded_channel();
        let (events_tx, events_rx) = async_channel::unbounded();
        events_tx.try_send(TransportEvent::Connected)?;
        let sink: Arc<dyn ByteSink> = Arc::new(ChannelSink { events: events_tx });
        tokio::spawn(serve(self.shared.clone(), from_client, sink));
        Ok((
            Arc::new(InProcessTransport {
                to_server: Mutex::new(Some(to_server)),
            }),
            events_rx,
        ))
    }
}
