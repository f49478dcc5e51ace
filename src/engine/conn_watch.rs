//! Why a connection cannot even start. whatsapp-rust retries a failed connect on its own and
//! emits no event for it (only a log line: client/lifecycle.rs, "Failed to connect … Will
//! retry"), so wamod wraps the two things a connect needs, the transport and the HTTP client
//! that fetches WhatsApp Web's version, and reports their failures to the session.

use std::sync::Arc;

use tokio::sync::mpsc;
use whatsapp_rust::http::{HttpClient, HttpRequest, HttpResponse};
use whatsapp_rust::transport::{Transport, TransportEvent, TransportFactory};

/// A connect attempt, or a connect step that failed (in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnProblem {
    /// whatsapp-rust is opening a transport: one more connect attempt.
    Attempt,
    /// The WebSocket (or in-process transport) did not open.
    Unreachable(String),
    /// WhatsApp Web's `sw.js` (the current version) could not be read.
    Version(String),
}

pub type ProblemSender = mpsc::UnboundedSender<ConnProblem>;

/// Reports when a transport does not open, or is still opening when whatsapp-rust gives up
/// on it (its 20 s connect timeout drops the future).
pub struct WatchedTransport<F> {
    pub inner: F,
    pub problems: ProblemSender,
}

#[whatsapp_rust::async_trait]
impl<F: TransportFactory> TransportFactory for WatchedTransport<F> {
    async fn create_transport(
        &self,
    ) -> anyhow::Result<(Arc<dyn Transport>, async_channel::Receiver<TransportEvent>)> {
        let _ = self.problems.send(ConnProblem::Attempt);
        let mut pending = Pending {
            problems: Some(self.problems.clone()),
        };
        let result = self.inner.create_transport().await;
        match &result {
            Ok(_) => pending.problems = None,
            Err(e) => pending.report(ConnProblem::Unreachable(short(e))),
        }
        result
    }
}

/// Reports a failed version fetch: an error, or an answer that is not 2xx.
pub struct WatchedHttp {
    pub inner: Arc<dyn HttpClient>,
    pub problems: ProblemSender,
}

#[whatsapp_rust::async_trait]
impl HttpClient for WatchedHttp {
    async fn execute(&self, request: HttpRequest) -> anyhow::Result<HttpResponse> {
        let mut pending = Pending {
            problems: Some(self.problems.clone()),
        };
        let result = self.inner.execute(request).await;
        match &result {
            Ok(r) if r.status_code < 300 => pending.problems = None,
            Ok(r) => pending.report(ConnProblem::Version(format!("HTTP {}", r.status_code))),
            Err(e) => pending.report(ConnProblem::Version(short(e))),
        }
        result
    }
}

/// A connect step under way; dropped before it finished means it timed out.
struct Pending {
    problems: Option<ProblemSender>,
}

impl Pending {
    fn report(&mut self, problem: ConnProblem) {
        if let Some(tx) = self.problems.take() {
            let _ = tx.send(problem);
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.report(ConnProblem::Unreachable("no answer in 20 s".into()));
    }
}

/// The innermost cause, which says most ("Connection refused"), without the OS error number.
fn short(e: &anyhow::Error) -> String {
    let cause = e
        .chain()
        .last()
        .map_or_else(|| e.to_string(), ToString::to_string);
    match cause.rfind(" (os error ") {
        Some(i) if cause.ends_with(')') => cause[..i].to_string(),
        _ => cause,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Refusing;

    #[whatsapp_rust::async_trait]
    impl TransportFactory for Refusing {
        async fn create_transport(
            &self,
        ) -> anyhow::Result<(Arc<dyn Transport>, async_channel::Receiver<TransportEvent>)> {
            Err(anyhow::anyhow!("Connection refused (os error 111)").context("failed to open"))
        }
    }

    struct Status(u16);

    #[whatsapp_rust::async_trait]
    impl HttpClient for Status {
        async fn execute(&self, _request: HttpRequest) -> anyhow::Result<HttpResponse> {
            Ok(HttpResponse {
                status_code: self.0,
                body: Vec::new(),
            })
        }
    }

    #[tokio::test]
    async fn failures_are_reported_and_successes_are_not() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let transport = WatchedTransport {
            inner: Refusing,
            problems: tx.clone(),
        };
        assert!(transport.create_transport().await.is_err());
        assert_eq!(rx.try_recv(), Ok(ConnProblem::Attempt));
        assert_eq!(
            rx.try_recv(),
            Ok(ConnProblem::Unreachable("Connection refused".into()))
        );
        let ok = WatchedHttp {
            inner: Arc::new(Status(200)),
            problems: tx.clone(),
        };
        assert!(ok.execute(HttpRequest::get("https://x")).await.is_ok());
        assert!(rx.try_recv().is_err(), "a 200 is no problem");
        let refused = WatchedHttp {
            inner: Arc::new(Status(403)),
            problems: tx,
        };
        assert!(refused.execute(HttpRequest::get("https://x")).await.is_ok());
        assert_eq!(rx.try_recv(), Ok(ConnProblem::Version("HTTP 403".into())));
    }

    #[test]
    fn a_step_dropped_unfinished_timed_out() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        drop(Pending { problems: Some(tx) });
        assert_eq!(
            rx.try_recv(),
            Ok(ConnProblem::Unreachable("no answer in 20 s".into()))
        );
    }
}
