//! Sends one moderation operation in its own task, with its audit bookkeeping: recorded as sent
//! before anything goes out (not auditable means not sent), each answered batch of a bulk
//! operation recorded before the next is sent, then the answer recorded and reported.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;
use whatsapp_rust::Client;

use super::moderate::{self, Answered};
use super::session_reports::Internal;
use super::shared_store::{SharedStore, with_store, with_store_in_place};
use crate::domain::{GroupId, SessionId};
use crate::ops::{Op, OpId, OpReport, Outcome, TargetOutcome};
use crate::protocol::Update;
use crate::store::OpRecord;

/// One operation, with what the session knew when it was asked.
pub(super) struct OpOrder {
    pub(super) id: OpId,
    pub(super) session: SessionId,
    /// The operation's group (none: join, create).
    pub(super) group: Option<GroupId>,
    pub(super) op: Op,
    /// The group's subject, for the audit log and the report.
    pub(super) subject: String,
    /// Who sends it (our phone number), for the audit log.
    pub(super) actor: Option<String>,
    /// Phone numbers (and group subjects) by JID, so outcomes name people as the roster does.
    pub(super) phones: HashMap<String, String>,
}

/// What an operation is sent with, and where its results go.
pub(super) struct OpRunner {
    pub(super) client: Arc<Client>,
    pub(super) store: Option<SharedStore>,
    pub(super) updates: mpsc::UnboundedSender<Update>,
    /// The session hears the report (and any 429 pause) here.
    pub(super) internal: mpsc::UnboundedSender<Internal>,
    pub(super) timeout: Duration,
    /// After a 429, operations wait until this instant before they are sent.
    pub(super) paused_until: Arc<Mutex<Option<Instant>>>,
}

impl OpRunner {
    /// Sends `order` in its own task, after any 429 pause.
    pub(super) fn spawn(self, order: OpOrder) {
        tokio::spawn(self.run(order));
    }

    async fn run(self, order: OpOrder) {
        let wait = self.paused_until.lock().ok().and_then(|p| *p);
        if let Some(until) = wait {
            tokio::time::sleep_until(until).await;
        }
        let row = match self.record_sent(&order).await {
            Ok(row) => row,
            Err(why) => {
                // Not auditable means not sent: the log must not miss an action.
                let outcome = Outcome::NotSent {
                    why: format!("the audit log cannot be written: {why}"),
                };
                let report = order.report(Answered::whole(outcome));
                let _ = self.internal.send(Internal::OpDone(report, None));
                return;
            }
        };
        let progress = Progress {
            runner: &self,
            order: &order,
            row,
            recorded: AtomicUsize::new(0),
        };
        let answered = moderate::run(
            &self.client,
            &order.op,
            order.group.as_ref().map(GroupId::as_str),
            &order.phones,
            self.timeout,
            |so_far, total| progress.report(so_far, total),
        )
        .await;
        let pause = answered.pause;
        let report = order.report(answered);
        self.record_answer(row, &report, order.session).await;
        let _ = self.internal.send(Internal::OpDone(report, pause));
    }

    /// Records the operation as sent; its audit row, or none without a database.
    async fn record_sent(&self, order: &OpOrder) -> Result<Option<i64>, String> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let record = OpRecord {
            session: order.session.0,
            group: order.group.as_ref().map(|g| g.to_string()),
            group_subject: order.subject.clone(),
            action: order.op.name().to_string(),
            title: order.op.title(),
            actor: order.actor.clone(),
            at: chrono::Utc::now().timestamp(),
        };
        with_store(store, move |s| s.record_sent(&record))
            .await
            .map(Some)
    }

    async fn record_answer(&self, row: Option<i64>, report: &OpReport, session: SessionId) {
        let (Some(store), Some(row)) = (&self.store, row) else {
            return;
        };
        let r = report.clone();
        if let Err(e) = with_store(store, move |s| s.record_answer(row, &r)).await {
            tracing::error!(%session, "cannot record an answer in the audit log: {e}");
        }
    }
}

impl OpOrder {
    /// This operation, not sent (`why`).
    pub(super) fn not_sent(&self, why: &str) -> OpReport {
        self.report(Answered::whole(Outcome::NotSent { why: why.into() }))
    }

    /// The report of this operation, answered now.
    fn report(&self, answered: Answered) -> OpReport {
        OpReport {
            id: self.id,
            session: self.session,
            group: self.group.clone(),
            group_subject: self.subject.clone(),
            action: self.op.name(),
            title: self.op.title(),
            outcome: answered.outcome,
            targets: answered.targets,
            answer: answered.answer,
            at: chrono::Utc::now().timestamp(),
        }
    }
}

/// A bulk operation's progress: each answered batch goes into the audit log before the next is
/// sent, so a crash mid-way loses no confirmed outcome, and the UI hears how far it got.
struct Progress<'a> {
    runner: &'a OpRunner,
    order: &'a OpOrder,
    row: Option<i64>,
    /// How many outcomes are in the audit log already.
    recorded: AtomicUsize,
}

impl Progress<'_> {
    fn report(&self, so_far: &[TargetOutcome], total: usize) {
        if total <= moderate::BATCH {
            return;
        }
        if let (Some(store), Some(row)) = (&self.runner.store, self.row) {
            let from = self.recorded.load(Ordering::Relaxed);
            let new = &so_far[from.min(so_far.len())..];
            let written = with_store_in_place(store, |s| s.record_targets(row, new));
            if let Err(e) = written {
                let session = self.order.session;
                tracing::error!(%session, "cannot record outcomes: {e}");
            }
            self.recorded.store(so_far.len(), Ordering::Relaxed);
        }
        let _ = self.runner.updates.send(Update::OpProgress {
            id: self.order.id,
            done: so_far.len(),
            total,
        });
    }
}
