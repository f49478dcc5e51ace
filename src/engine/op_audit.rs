//! An operation as the session hands it to its write queue (`OpOrder`), and its audit
//! bookkeeping (`Audit`): recorded as sent before anything goes out (not auditable means not
//! sent), each answered batch of a bulk operation recorded before the next is sent
//! (`Progress`), then the answer recorded and reported.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use super::moderate::Answered;
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

/// Where an operation's records and reports go.
#[derive(Clone)]
pub(super) struct Audit {
    pub(super) store: Option<SharedStore>,
    /// Why `wamod.db` could not be opened, when it is configured: nothing is sent then.
    pub(super) unavailable: Option<Arc<str>>,
    pub(super) updates: mpsc::UnboundedSender<Update>,
    /// The session hears each report, and the write pace, here.
    pub(super) internal: mpsc::UnboundedSender<Internal>,
    /// How long to wait for WhatsApp's answer before calling an outcome unknown.
    pub(super) timeout: Duration,
}

impl Audit {
    /// Whether an operation may go out: not when its audit log cannot be written.
    pub(super) fn check(&self) -> Result<(), String> {
        match &self.unavailable {
            Some(why) => Err(format!("the audit log is unavailable ({why})")),
            None => Ok(()),
        }
    }

    /// Records the operation as sent; its audit row, or none without a database.
    pub(super) async fn record_sent(&self, order: &OpOrder) -> Result<Option<i64>, String> {
        self.check()?;
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

    /// Records WhatsApp's answer, trying again a little later if the write fails (a locked or
    /// busy database); if it still fails, the user hears it: the row stays "sent".
    pub(super) async fn record_answer(
        &self,
        row: Option<i64>,
        report: &OpReport,
        session: SessionId,
    ) {
        let (Some(store), Some(row)) = (&self.store, row) else {
            return;
        };
        let mut failed = String::new();
        for pause in ANSWER_RETRIES {
            tokio::time::sleep(pause).await;
            let r = report.clone();
            match with_store(store, move |s| s.record_answer(row, &r)).await {
                Ok(()) => return,
                Err(e) => failed = e,
            }
        }
        tracing::error!(%session, "cannot record an answer in the audit log: {failed}");
        let _ = self.updates.send(Update::Error {
            session: Some(session),
            message: format!(
                "\"{}\" was answered, but the answer could not be written to the audit log \
                 ({failed}); it stays listed as sent (:audit unanswered)",
                report.title
            ),
        });
    }
}

/// Pauses before each attempt to record an answer.
const ANSWER_RETRIES: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_millis(200),
    Duration::from_secs(1),
];

impl OpOrder {
    /// This operation, not sent (`why`).
    pub(super) fn not_sent(&self, why: &str) -> OpReport {
        self.report(Answered::whole(Outcome::NotSent { why: why.into() }))
    }

    /// One person's outcome, named as the roster names them.
    pub(super) fn target(&self, jid: &str, outcome: Outcome) -> TargetOutcome {
        TargetOutcome {
            jid: jid.to_string(),
            phone: super::moderate::participants::phone(&self.phones, jid),
            outcome,
        }
    }

    /// The report of this operation, answered now.
    pub(super) fn report(&self, answered: Answered) -> OpReport {
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
pub(super) struct Progress<'a> {
    audit: &'a Audit,
    order: &'a OpOrder,
    row: Option<i64>,
    /// How many outcomes are in the audit log already...
    recorded: AtomicUsize,
    /// ...and how many the UI has heard of.
    shown: AtomicUsize,
}

impl<'a> Progress<'a> {
    pub(super) fn new(audit: &'a Audit, order: &'a OpOrder, row: Option<i64>) -> Self {
        Self {
            audit,
            order,
            row,
            recorded: AtomicUsize::new(0),
            shown: AtomicUsize::new(0),
        }
    }

    pub(super) fn report(&self, so_far: &[TargetOutcome], total: usize) {
        if let (Some(store), Some(row)) = (&self.audit.store, self.row) {
            let from = self.recorded.load(Ordering::Relaxed);
            let new = &so_far[from.min(so_far.len())..];
            match with_store_in_place(store, |s| s.record_targets(row, new)) {
                // Only what is written counts as recorded: the next batch tries the rest again.
                Ok(()) => self.recorded.store(so_far.len(), Ordering::Relaxed),
                Err(e) => {
                    let session = self.order.session;
                    tracing::error!(%session, "cannot record outcomes: {e}");
                    let _ = self.audit.updates.send(Update::Error {
                        session: Some(session),
                        message: format!(
                            "cannot write answered participants to the audit log ({e}); \
                             will try again with the next batch"
                        ),
                    });
                }
            }
        }
        let from = self.shown.swap(so_far.len(), Ordering::Relaxed);
        let _ = self.audit.updates.send(Update::OpProgress {
            id: self.order.id,
            done: so_far.len(),
            total,
            answered: so_far[from.min(so_far.len())..].to_vec(),
        });
    }
}
