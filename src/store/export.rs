//! Exports of the audit log, event history, cached rosters and pending requests as CSV or JSON,
//! for `wamod export …` (scripts, no UI) and the `:export` command. Columns are documented in
//! README ("Exports").

use std::io::Write;

use rusqlite::params;
use serde_json::{Map, Value};

use super::{Store, StoreError};
use crate::protocol::{Filter, Format, Table};

/// The export's SELECT: ?1 session, ?2 group id or subject piece.
fn query(table: Table) -> &'static str {
    match table {
            Table::Audit => {
                "SELECT o.id, o.session, o.group_id, o.group_subject, o.action, o.actor, o.sent_at,
                        o.answered_at, a.target, a.target_phone,
                        COALESCE(a.outcome, o.outcome, 'sent'), COALESCE(a.detail, o.detail)
                 FROM ops o LEFT JOIN audit a ON a.op = o.id
                 WHERE (?1 IS NULL OR o.session = ?1)
                   AND (?2 IS NULL OR o.group_id = ?2 OR instr(lower(o.group_subject), lower(?2)) > 0)
                 ORDER BY o.id, a.id"
            }
            Table::Events => {
                "SELECT id, session, group_id, group_subject, at, actor, kind, who, detail,
                        found_on_reconnect
                 FROM events
                 WHERE (?1 IS NULL OR session = ?1)
                   AND (?2 IS NULL OR group_id = ?2 OR instr(lower(group_subject), lower(?2)) > 0)
                 ORDER BY id"
            }
            Table::Roster => {
                "SELECT p.session, p.group_id, json_extract(g.summary, '$.subject'), p.jid, p.phone,
                        p.lid, p.role,
                        (SELECT n.name FROM names n WHERE n.session = p.session
                           AND n.id IN (p.phone, p.jid, p.lid) LIMIT 1)
                 FROM participants p LEFT JOIN groups g ON g.session = p.session AND g.id = p.group_id
                 WHERE (?1 IS NULL OR p.session = ?1)
                   AND (?2 IS NULL OR p.group_id = ?2
                        OR instr(lower(json_extract(g.summary, '$.subject')), lower(?2)) > 0)
                 ORDER BY p.session, p.group_id,
                          CASE p.role WHEN 'superadmin' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, p.phone"
            }
            Table::Requests => {
                "SELECT r.session, r.group_id, json_extract(g.summary, '$.subject'), r.jid, r.phone,
                        r.requested_at, json_extract(r.method, '$'), r.via_community,
                        (SELECT n.name FROM names n WHERE n.session = r.session
                           AND n.id IN (r.phone, r.jid) LIMIT 1)
                 FROM requests r LEFT JOIN groups g ON g.session = r.session AND g.id = r.group_id
                 WHERE (?1 IS NULL OR r.session = ?1)
                   AND (?2 IS NULL OR r.group_id = ?2
                        OR instr(lower(json_extract(g.summary, '$.subject')), lower(?2)) > 0)
                 ORDER BY r.session, r.group_id, r.requested_at"
            }
        }
}

/// A CSV cell. Text comes from strangers (subjects, names), so it is made safe to open in a
/// spreadsheet: control characters go (tabs and line breaks become spaces, other C0/C1 and DEL
/// are dropped), and a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`
/// or `@`, phone numbers included) gets a leading `'`, which spreadsheets hide. Numbers are
/// written as they are; JSON is never changed.
fn csv_field(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => spreadsheet_safe(s),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn spreadsheet_safe(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    if clean.starts_with(['=', '+', '-', '@']) {
        format!("'{clean}")
    } else {
        clean
    }
}

fn value(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Value> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::from(n),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => Value::Null,
    })
}

impl Store {
    /// Writes `table` to `path` (created 0600, or emptied first); returns the rows written.
    pub fn export_to_file(
        &self,
        table: Table,
        format: Format,
        filter: &Filter,
        path: &std::path::Path,
    ) -> Result<usize, StoreError> {
        let file = crate::paths::create_private_file(path)?;
        let mut out = std::io::BufWriter::new(file);
        let rows = self.export(table, format, filter, &mut out)?;
        out.flush()?;
        Ok(rows)
    }

    /// Writes `table` to `out`; returns the number of rows.
    pub fn export(
        &self,
        table: Table,
        format: Format,
        filter: &Filter,
        out: &mut dyn Write,
    ) -> Result<usize, StoreError> {
        let cols = table.columns();
        let mut q = self.conn.prepare(query(table))?;
        let rows = q.query_map(params![filter.session, filter.group], |r| {
            (0..cols.len())
                .map(|i| value(r, i))
                .collect::<rusqlite::Result<Vec<Value>>>()
        })?;
        let mut n = 0;
        match format {
            Format::Csv => {
                writeln!(out, "{}", cols.join(","))?;
                for row in rows {
                    let row = row?;
                    let line: Vec<String> = row.iter().map(csv_field).collect();
                    writeln!(out, "{}", line.join(","))?;
                    n += 1;
                }
            }
            Format::Json => {
                let mut all = Vec::new();
                for row in rows {
                    let obj: Map<String, Value> =
                        cols.iter().map(|c| c.to_string()).zip(row?).collect();
                    all.push(Value::Object(obj));
                    n += 1;
                }
                serde_json::to_writer_pretty(&mut *out, &all)
                    .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
                writeln!(out)?;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use crate::ops::{OpId, OpReport, Outcome, TargetOutcome};
    use crate::protocol::Update;
    use crate::store::OpRecord;

    fn store() -> Store {
        let mut s = Store::in_memory().expect("store");
        let sid = SessionId(1);
        let g = GroupId("1@g.us".into());
        s.apply_updates(
            &[
                Update::Groups {
                    session: sid,
                    groups: vec![GroupSummary {
                        id: g.clone(),
                        subject: "Team, \"A\"".into(),
                        ..Default::default()
                    }],
                },
                Update::Roster {
                    session: sid,
                    group: g.clone(),
                    participants: vec![Participant {
                        jid: "9@lid".into(),
                        phone: Some("+1555".into()),
                        lid: Some("9@lid".into()),
                        role: Role::Admin,
                    }],
                },
                Update::Requests {
                    session: sid,
                    group: g.clone(),
                    requests: vec![JoinRequest {
                        jid: "8@lid".into(),
                        phone: Some("+1666".into()),
                        requested_at: Some(5),
                        method: RequestMethod::InviteLink,
                        via_community: None,
                    }],
                },
                Update::Names {
                    session: sid,
                    names: vec![("+1555".into(), "Ana, \"the\" admin".into())],
                },
                Update::Event(GroupEvent {
                    at: 9,
                    session: sid,
                    group: g.clone(),
                    group_subject: "Team, \"A\"".into(),
                    actor: None,
                    kind: GroupEventKind::Left {
                        who: vec!["+1777".into()],
                    },
                    found_on_reconnect: true,
                }),
            ],
            3,
        )
        .expect("cache");
        let op = s
            .record_sent(&OpRecord {
                session: 1,
                group: Some(g.to_string()),
                group_subject: "Team, \"A\"".into(),
                action: "remove".into(),
                title: "Remove 1 participant".into(),
                actor: Some("+1000".into()),
                at: 10,
            })
            .expect("sent");
        s.record_answer(
            op,
            &OpReport {
                id: OpId(1),
                session: sid,
                group: Some(g),
                group_subject: "Team".into(),
                action: "remove",
                title: "Remove 1 participant".into(),
                outcome: Outcome::Done,
                targets: vec![TargetOutcome {
                    jid: "9@lid".into(),
                    phone: Some("+1555".into()),
                    outcome: Outcome::Done,
                }],
                answer: None,
                at: 11,
            },
        )
        .expect("answer");
        s
    }

    fn csv(s: &Store, t: Table) -> String {
        let mut out = Vec::new();
        s.export(t, Format::Csv, &Filter::default(), &mut out)
            .expect("export");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn every_table_exports_as_csv_with_quoting() {
        let s = store();
        assert_eq!(
            csv(&s, Table::Roster),
            "session,group_id,group_subject,jid,phone,lid,role,name\n\
             1,1@g.us,\"Team, \"\"A\"\"\",9@lid,'+1555,9@lid,admin,\"Ana, \"\"the\"\" admin\"\n"
        );
        assert!(csv(&s, Table::Requests).contains(",'+1666,5,InviteLink,,\n"));
        assert!(
            csv(&s, Table::Events)
                .contains(",Left,'+1777,\"{\"\"Left\"\":{\"\"who\"\":[\"\"+1777\"\"]}}\",1\n")
        );
        assert!(csv(&s, Table::Audit).contains(",remove,'+1000,10,11,9@lid,'+1555,done,\n"));
    }

    #[test]
    fn json_parses_back_and_filters_apply() {
        let s = store();
        let mut out = Vec::new();
        let n = s
            .export(Table::Audit, Format::Json, &Filter::default(), &mut out)
            .expect("export");
        let back: Vec<Map<String, Value>> = serde_json::from_slice(&out).expect("json");
        assert_eq!(n, 1);
        assert_eq!(back[0]["outcome"], "done");
        assert_eq!(back[0]["target_phone"], "+1555");
        let mut out = Vec::new();
        let none = Filter {
            session: Some(2),
            group: None,
        };
        assert_eq!(
            s.export(Table::Roster, Format::Json, &none, &mut out)
                .expect("export"),
            0
        );
        let by_subject = Filter {
            session: None,
            group: Some("team".into()),
        };
        let mut out = Vec::new();
        assert_eq!(
            s.export(Table::Events, Format::Csv, &by_subject, &mut out)
                .expect("export"),
            1
        );
    }

    #[test]
    fn csv_cells_cannot_be_formulas_or_hide_control_characters() {
        let cell = |s: &str| csv_field(&Value::from(s));
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+15550001111"), "'+15550001111");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("line 1\nline 2\tx"), "line 1 line 2 x");
        assert_eq!(cell("bell\u{7}\u{1b}[31m\u{85}red"), "bell[31mred");
        assert_eq!(cell("Team"), "Team");
        assert_eq!(csv_field(&Value::from(-5)), "-5", "numbers stay numbers");
    }
}
