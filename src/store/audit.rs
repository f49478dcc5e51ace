//! The moderation audit log: every operation wamod sent, and what WhatsApp answered for each
//! participant.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::ops::OpReport;
use crate::protocol::AuditRow;

/// An operation about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRecord {
    pub session: u32,
    pub group: Option<String>,
    pub group_subject: String,
    pub action: String,
    pub title: String,
    /// The session's own number, who WhatsApp will name as the actor.
    pub actor: Option<String>,
    pub at: i64,
}

fn insert_targets(
    tx: &rusqlite::Connection,
    op: i64,
    targets: &[crate::ops::TargetOutcome],
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit (op, target, target_phone, outcome, detail)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for t in targets {
        let detail = (!t.outcome.is_done()).then(|| t.outcome.words());
        insert.execute(params![op, t.jid, t.phone, t.outcome.code(), detail])?;
    }
    Ok(())
}

impl Store {
    /// Records that an operation is being sent; returns its row id for `record_answer`.
    pub fn record_sent(&mut self, op: &OpRecord) -> Result<i64, StoreError> {
        let conn = self.audit_conn();
        conn.execute(
            "INSERT INTO ops (session, group_id, group_subject, action, title, actor, sent_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'sent')",
            params![
                op.session,
                op.group,
                op.group_subject,
                op.action,
                op.title,
                op.actor,
                op.at
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Records the participants of one answered batch of a bulk operation still under way.
    pub fn record_targets(
        &mut self,
        op: i64,
        targets: &[crate::ops::TargetOutcome],
    ) -> Result<(), StoreError> {
        let tx = self.audit_conn().transaction()?;
        insert_targets(&tx, op, targets)?;
        tx.commit()?;
        Ok(())
    }

    /// Records WhatsApp's answer: the operation's outcome and every participant's, in one
    /// transaction with marking the operation answered (batches recorded on the way are
    /// replaced by the final list).
    pub fn record_answer(&mut self, op: i64, report: &OpReport) -> Result<(), StoreError> {
        let tx = self.audit_conn().transaction()?;
        tx.execute("DELETE FROM audit WHERE op = ?1", [op])?;
        let detail = match &report.outcome {
            crate::ops::Outcome::Done => None,
            other => Some(other.words()),
        };
        tx.execute(
            "UPDATE ops SET state = 'answered', answered_at = ?2, outcome = ?3, detail = ?4
             WHERE id = ?1",
            params![op, report.at, report.outcome.code(), detail],
        )?;
        insert_targets(&tx, op, &report.targets)?;
        tx.commit()?;
        Ok(())
    }

    /// The audit log, newest first: one row per participant outcome, or per operation without
    /// participants (and for unanswered ones).
    pub fn audit(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.id, o.session, o.group_id, o.group_subject, o.action, o.actor, o.sent_at,
                    o.answered_at, a.target, a.target_phone,
                    COALESCE(a.outcome, o.outcome, 'sent'), COALESCE(a.detail, o.detail)
             FROM ops o LEFT JOIN audit a ON a.op = o.id
             ORDER BY o.id DESC, a.id ASC
             LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(AuditRow {
                op: r.get(0)?,
                session: r.get(1)?,
                group: r.get(2)?,
                group_subject: r.get(3)?,
                action: r.get(4)?,
                actor: r.get(5)?,
                sent_at: r.get(6)?,
                answered_at: r.get(7)?,
                target: r.get(8)?,
                target_phone: r.get(9)?,
                outcome: r.get(10)?,
                detail: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Operations sent whose answer was never recorded.
    pub fn unanswered(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM ops WHERE state = 'sent'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GroupId, SessionId};
    use crate::ops::{OpId, Outcome, TargetOutcome};

    fn report(outcomes: Vec<(&str, Outcome)>) -> OpReport {
        OpReport {
            id: OpId(1),
            session: SessionId(1),
            group: Some(GroupId("1203@g.us".into())),
            group_subject: "Team".into(),
            action: "add",
            title: "Add 2 participants".into(),
            outcome: Outcome::Done,
            targets: outcomes
                .into_iter()
                .map(|(jid, outcome)| TargetOutcome {
                    jid: jid.into(),
                    phone: None,
                    outcome,
                })
                .collect(),
            answer: None,
            at: 200,
        }
    }

    #[test]
    fn sent_then_answered_per_participant() {
        let mut store = Store::in_memory().expect("store");
        let op = store
            .record_sent(&OpRecord {
                session: 1,
                group: Some("1203@g.us".into()),
                group_subject: "Team".into(),
                action: "add".into(),
                title: "Add 2 participants".into(),
                actor: Some("+15550001111".into()),
                at: 100,
            })
            .expect("sent");
        let rows = store.audit(10).expect("audit");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].outcome, "sent");
        assert_eq!(store.unanswered().expect("n"), 1);

        store
            .record_answer(
                op,
                &report(vec![
                    ("a@s.whatsapp.net", Outcome::Done),
                    (
                        "b@s.whatsapp.net",
                        Outcome::PrivacyBlocked {
                            invite_code: Some("C".into()),
                        },
                    ),
                ]),
            )
            .expect("answer");
        let rows = store.audit(10).expect("audit");
        assert_eq!(store.unanswered().expect("n"), 0);
        let outcomes: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.target.as_deref().unwrap_or(""), r.outcome.as_str()))
            .collect();
        assert_eq!(
            outcomes,
            vec![
                ("a@s.whatsapp.net", "done"),
                ("b@s.whatsapp.net", "privacy-blocked")
            ]
        );
        assert_eq!(rows[0].actor.as_deref(), Some("+15550001111"));
        assert_eq!(rows[1].answered_at, Some(200));
    }

    /// The audit rows go to disk at each commit (`synchronous=FULL`, on a connection of their
    /// own), the cache on the faster setting; both are one database.
    #[test]
    fn audit_rows_are_written_with_full_sync_and_read_back_by_the_cache_connection() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut store = Store::open(&tmp.path().join("wamod.db")).expect("store");
        assert_eq!(store.sync_levels().expect("levels"), (1, 2));
        let op = store
            .record_sent(&OpRecord {
                session: 1,
                group: None,
                group_subject: String::new(),
                action: "join".into(),
                title: "Join".into(),
                actor: None,
                at: 100,
            })
            .expect("sent");
        assert_eq!(store.unanswered().expect("n"), 1);
        store.record_answer(op, &report(vec![])).expect("answer");
        assert_eq!(store.unanswered().expect("n"), 0);
        assert_eq!(store.audit(10).expect("audit")[0].outcome, "done");
    }
}
