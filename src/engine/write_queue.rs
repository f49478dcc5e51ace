//! One queue per session for every write: operations go out one at a time, in the order asked,
//! at the pace of `write_pace` (small jittered batches of adds, caps per hour and day, an
//! exponential pause after a 429). Each operation is recorded as sent before anything goes out,
//! each answered batch of a bulk operation before the next is sent, then the answer. What has
//! not gone out can be cancelled: it is reported (and recorded) as not sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use whatsapp_rust::Client;

use super::moderate::{self, Answered};
use super::op_audit::{Audit, OpOrder, Progress};
use super::session_reports::Internal;
use super::write_pace::{Wait, WriteKind, WritePace};
use crate::domain::{Pace, PaceLimits};
use crate::ops::{Op, Outcome, TargetOutcome};

const CANCELLED: &str = "cancelled before it was sent";

/// An operation waiting its turn, with the client it is sent by.
struct Queued {
    order: OpOrder,
    client: Arc<Client>,
    /// The cancel count when it was queued: a later cancel drops it.
    epoch: u64,
}

/// The session's end of the queue.
pub(super) struct WriteQueue {
    tx: mpsc::UnboundedSender<Queued>,
    cancel: watch::Sender<u64>,
    queued: Arc<AtomicUsize>,
    /// The queue's task, until its first operation starts it.
    idle: Option<(QueueTask, mpsc::UnboundedReceiver<Queued>)>,
}

impl WriteQueue {
    /// The session's queue; its task starts with the first operation and ends when the queue
    /// is dropped and drained.
    pub(super) fn new(audit: Audit, limits: PaceLimits) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let (cancel, cancelled) = watch::channel(0);
        let queued = Arc::new(AtomicUsize::new(0));
        let task = QueueTask {
            audit,
            pace: WritePace::new(limits),
            cancelled,
            queued: queued.clone(),
        };
        Self {
            tx,
            cancel,
            queued,
            idle: Some((task, rx)),
        }
    }

    pub(super) fn push(&mut self, client: &Arc<Client>, order: OpOrder) {
        if let Some((task, rx)) = self.idle.take() {
            tokio::spawn(task.run(rx));
        }
        self.queued.fetch_add(1, Ordering::SeqCst);
        let queued = Queued {
            order,
            client: client.clone(),
            epoch: *self.cancel.borrow(),
        };
        if let Err(e) = self.tx.send(queued) {
            // The task is gone (it never ends while we hold the sender): say so, not nothing.
            self.queued.fetch_sub(1, Ordering::SeqCst);
            tracing::error!(
                "the write queue is gone; operation {:?} not sent",
                e.0.order.id
            );
        }
    }

    /// Everything not sent yet (queued operations, the unsent batches of the one going out)
    /// is dropped and reported as not sent.
    pub(super) fn cancel_unsent(&self) {
        self.cancel.send_modify(|n| *n += 1);
    }
}

struct QueueTask {
    audit: Audit,
    pace: WritePace,
    cancelled: watch::Receiver<u64>,
    queued: Arc<AtomicUsize>,
}

/// Whether a write may go now.
enum Turn {
    Go,
    Cancelled,
}

impl QueueTask {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Queued>) {
        while let Some(q) = rx.recv().await {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            let report = self.send(q).await;
            let _ = self.audit.internal.send(Internal::OpDone(report));
            self.report_pace(None, None);
        }
    }

    async fn send(&mut self, q: Queued) -> crate::ops::OpReport {
        let Queued {
            order,
            client,
            epoch,
        } = q;
        if self.is_cancelled(epoch) {
            return order.not_sent(CANCELLED);
        }
        // No audit log, no moderation: refused before it waits for its turn.
        if let Err(why) = self.audit.check() {
            return order.not_sent(&why);
        }
        // Its first request's turn comes before the audit row, so "sent" is when it went.
        let kind = WriteKind::of(&order.op);
        let people = order.op.targets().len();
        let first = match order.op.is_people() {
            true => people.min(self.pace.batch(kind)),
            false => people,
        };
        let turn = self.turn(kind, count(first), epoch).await;
        let row = match self.audit.record_sent(&order).await {
            Ok(row) => row,
            // Not auditable means not sent: the log must not miss an action.
            Err(why) => return order.not_sent(&format!("the audit log cannot be written: {why}")),
        };
        let answered = match turn {
            // Cancelled while it waited: recorded, as not sent.
            Turn::Cancelled => Answered::whole(Outcome::NotSent {
                why: CANCELLED.into(),
            }),
            Turn::Go if order.op.is_people() => {
                self.send_people(&client, &order, row, kind, epoch).await
            }
            Turn::Go => {
                let a = self.send_one(&client, &order, &order.op).await;
                self.after(kind, count(people), &a);
                a
            }
        };
        let report = order.report(answered);
        self.audit.record_answer(row, &report, order.session).await;
        report
    }

    /// A people operation, in batches at the pace of its kind. After a 429 or a cancel the rest
    /// is not sent, and says why.
    async fn send_people(
        &mut self,
        client: &Arc<Client>,
        order: &OpOrder,
        row: Option<i64>,
        kind: WriteKind,
        epoch: u64,
    ) -> Answered {
        let targets = order.op.targets();
        let batch = self.pace.batch(kind);
        let audit = self.audit.clone();
        let progress = Progress::new(&audit, order, row);
        let mut out: Vec<TargetOutcome> = Vec::with_capacity(targets.len());
        let mut stop: Option<Outcome> = None;
        for chunk in targets.chunks(batch) {
            let n = count(chunk.len());
            if stop.is_none() && matches!(self.turn(kind, n, epoch).await, Turn::Cancelled) {
                stop = Some(Outcome::NotSent {
                    why: CANCELLED.into(),
                });
            }
            if let Some(why) = &stop {
                out.extend(chunk.iter().map(|t| order.target(t, why.clone())));
                continue;
            }
            let op = order.op.with_people(chunk.to_vec());
            let answered = self.send_one(client, order, &op).await;
            self.after(kind, n, &answered);
            if let Some(pause) = answered.pause {
                stop = Some(Outcome::NotSent {
                    why: format!("paused by WhatsApp's rate limit ({}s)", pause.as_secs()),
                });
            }
            out.extend(per_person(answered, chunk, order));
            if targets.len() > batch {
                progress.report(&out, targets.len());
            }
        }
        Answered {
            outcome: Outcome::Done,
            targets: out,
            answer: None,
            pause: None,
        }
    }

    async fn send_one(&self, client: &Arc<Client>, order: &OpOrder, op: &Op) -> Answered {
        moderate::run(
            client,
            op,
            order.group.as_ref().map(|g| g.as_str()),
            &order.phones,
            self.audit.timeout,
        )
        .await
    }

    /// Waits until the pace lets a write of `kind` naming `people` go (the status bar shows
    /// until when, and why), or until it is cancelled.
    async fn turn(&mut self, kind: WriteKind, people: u32, epoch: u64) -> Turn {
        loop {
            if self.is_cancelled(epoch) {
                return Turn::Cancelled;
            }
            let now = Instant::now();
            let (at, cap) = match self.pace.wait(kind, people, now) {
                Wait::Now => return Turn::Go,
                Wait::Until { at, cap } => (at, cap),
            };
            self.report_pace(Some(at), cap);
            tokio::select! {
                _ = tokio::time::sleep_until(at) => {}
                _ = self.cancelled.changed() => {}
            }
        }
    }

    /// A write was answered: counted for the caps, or a 429's pause begins.
    fn after(&mut self, kind: WriteKind, people: u32, answered: &Answered) {
        let now = Instant::now();
        match answered.pause {
            Some(pause) => {
                let secs = u32::try_from(pause.as_secs()).unwrap_or(u32::MAX);
                self.pace.rate_limited(now, Some(secs));
            }
            None => {
                self.pace.answered();
                self.pace.sent(kind, people, now, rand::random::<f64>());
            }
        }
        self.report_pace(None, None);
    }

    fn is_cancelled(&self, epoch: u64) -> bool {
        *self.cancelled.borrow() > epoch
    }

    /// Tells the session where the writes stand (the status bar's pace).
    fn report_pace(&self, next: Option<Instant>, cap: Option<String>) {
        let now = Instant::now();
        let unix = |t: Instant| {
            let left = t.saturating_duration_since(now).as_secs();
            chrono::Utc::now().timestamp() + i64::try_from(left).unwrap_or(0)
        };
        let pace = Pace {
            reads_paused_until: None,
            writes_paused_until: self.pace.paused_until(now).map(unix),
            queued: self.queued.load(Ordering::SeqCst),
            next_send: next.map(unix),
            cap_reached: cap,
            adds_hour: self.pace.adds_last_hour(now),
        };
        let _ = self.audit.internal.send(Internal::WritePace(pace));
    }
}

fn count(people: usize) -> u32 {
    u32::try_from(people).unwrap_or(u32::MAX)
}

/// A batch's answer, one outcome per person: a refusal of the whole request (offline, timeout)
/// is each person's outcome.
fn per_person(answered: Answered, chunk: &[String], order: &OpOrder) -> Vec<TargetOutcome> {
    if answered.targets.is_empty() {
        chunk
            .iter()
            .map(|t| order.target(t, answered.outcome.clone()))
            .collect()
    } else {
        answered.targets
    }
}
