//! The offline cache: each session's groups, rosters and pending requests as last seen, and the
//! history of group events. Written in batches by the engine; read at startup to draw the first
//! frame before any network work.

use rusqlite::{Connection, params};

use super::{Store, StoreError};
use crate::domain::{
    GroupEvent, GroupEventKind, GroupId, GroupSummary, JoinRequest, Participant, Role, SessionId,
};
use crate::protocol::Update;

/// One session as the cache remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CachedSession {
    pub id: SessionId,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub groups: Vec<GroupSummary>,
    pub rosters: Vec<(GroupId, Vec<Participant>)>,
    pub requests: Vec<(GroupId, Vec<JoinRequest>)>,
    /// Names WhatsApp gave people, by phone or LID JID.
    pub names: Vec<(String, String)>,
    /// When the newest group was synced (unix seconds).
    pub synced_at: i64,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The variant's name, for filtering by kind ("Joined", "RequestCreated", ...).
pub fn kind_name(k: &GroupEventKind) -> String {
    let full = format!("{k:?}");
    full.split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_string()
}

fn who(k: &GroupEventKind) -> Vec<String> {
    match k {
        GroupEventKind::Joined { who, .. }
        | GroupEventKind::Left { who }
        | GroupEventKind::Removed { who }
        | GroupEventKind::Added { who }
        | GroupEventKind::Promoted { who }
        | GroupEventKind::Demoted { who }
        | GroupEventKind::RequestCreated { who, .. }
        | GroupEventKind::RequestRevoked { who } => who.clone(),
        _ => Vec::new(),
    }
}

fn put_names(tx: &Connection, s: u32, names: &[(String, String)]) -> rusqlite::Result<()> {
    let mut q = tx.prepare_cached(
        "INSERT INTO names (session, id, name) VALUES (?1, ?2, ?3)
         ON CONFLICT(session, id) DO UPDATE SET name = excluded.name",
    )?;
    for (id, name) in names {
        q.execute(params![s, id, name])?;
    }
    Ok(())
}

fn put_roster(
    tx: &Connection,
    s: u32,
    g: &GroupId,
    roster: &[Participant],
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM participants WHERE session = ?1 AND group_id = ?2",
        params![s, g.as_str()],
    )?;
    upsert_participants(tx, s, g, roster)
}

fn upsert_participants(
    tx: &Connection,
    s: u32,
    g: &GroupId,
    roster: &[Participant],
) -> rusqlite::Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO participants (session, group_id, jid, phone, lid, role)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in roster {
        ins.execute(params![
            s,
            g.as_str(),
            p.jid,
            p.phone,
            p.lid,
            p.role.label()
        ])?;
    }
    Ok(())
}

fn put_requests(
    tx: &Connection,
    s: u32,
    g: &GroupId,
    reqs: &[JoinRequest],
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM requests WHERE session = ?1 AND group_id = ?2",
        params![s, g.as_str()],
    )?;
    upsert_requests(tx, s, g, reqs)
}

fn upsert_requests(
    tx: &Connection,
    s: u32,
    g: &GroupId,
    reqs: &[JoinRequest],
) -> rusqlite::Result<()> {
    let mut ins = tx.prepare_cached(
        "INSERT OR REPLACE INTO requests
         (session, group_id, jid, phone, requested_at, method, via_community)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for r in reqs {
        ins.execute(params![
            s,
            g.as_str(),
            r.jid,
            r.phone,
            r.requested_at,
            json(&r.method),
            r.via_community.as_ref().map(GroupId::as_str)
        ])?;
    }
    Ok(())
}

fn put_group(tx: &Connection, s: u32, g: &GroupSummary, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO groups (session, id, summary, synced_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![s, g.id.as_str(), json(g), now])?;
    Ok(())
}

fn drop_group(tx: &Connection, s: u32, g: &GroupId) -> rusqlite::Result<()> {
    for table in ["groups", "participants", "requests"] {
        let col = if table == "groups" { "id" } else { "group_id" };
        tx.execute(
            &format!("DELETE FROM {table} WHERE session = ?1 AND {col} = ?2"),
            params![s, g.as_str()],
        )?;
    }
    Ok(())
}

fn role_of(label: &str) -> Role {
    match label {
        "superadmin" => Role::SuperAdmin,
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

/// Deletes these JIDs' rows of a group (`table`: participants or requests).
fn delete_rows(
    tx: &Connection,
    table: &str,
    s: u32,
    g: &GroupId,
    jids: &[String],
) -> rusqlite::Result<()> {
    // Most deltas only add: no statement to look up.
    if jids.is_empty() {
        return Ok(());
    }
    let mut del = tx.prepare_cached(&format!(
        "DELETE FROM {table} WHERE session = ?1 AND group_id = ?2 AND jid = ?3"
    ))?;
    for jid in jids {
        del.execute(params![s, g.as_str(), jid])?;
    }
    Ok(())
}

pub fn put_event(tx: &Connection, e: &GroupEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO events
         (session, group_id, group_subject, actor, kind, who, detail, at, found_on_reconnect)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        e.session.0,
        e.group.as_str(),
        e.group_subject,
        e.actor,
        kind_name(&e.kind),
        who(&e.kind).join(" "),
        json(&e.kind),
        e.at,
        e.found_on_reconnect
    ])?;
    Ok(())
}

impl Store {
    /// Writes what a batch of engine updates changed, in one transaction. `now` stamps syncs.
    pub fn apply_updates(&mut self, updates: &[Update], now: i64) -> Result<(), StoreError> {
        let superseded = crate::protocol::superseded(updates);
        let tx = self.conn.transaction()?;
        for (i, u) in updates.iter().enumerate() {
            if superseded[i] {
                continue;
            }
            match u {
                Update::Session { id, phone, name } => {
                    tx.execute(
                        "INSERT INTO sessions (id, phone, name) VALUES (?1, ?2, ?3)
                         ON CONFLICT(id) DO UPDATE SET
                           phone = COALESCE(excluded.phone, phone),
                           name = COALESCE(excluded.name, name)",
                        params![id.0, phone, name],
                    )?;
                }
                Update::SessionRemoved(id) => {
                    for table in ["sessions", "groups", "participants", "requests", "names"] {
                        let col = if table == "sessions" { "id" } else { "session" };
                        tx.execute(&format!("DELETE FROM {table} WHERE {col} = ?1"), [id.0])?;
                    }
                }
                Update::Groups { session, groups } => {
                    let s = session.0;
                    let keep: std::collections::HashSet<&str> =
                        groups.iter().map(|g| g.id.as_str()).collect();
                    let old: Vec<String> = {
                        let mut q = tx.prepare("SELECT id FROM groups WHERE session = ?1")?;
                        q.query_map([s], |r| r.get(0))?.collect::<Result<_, _>>()?
                    };
                    for id in old.iter().filter(|id| !keep.contains(id.as_str())) {
                        drop_group(&tx, s, &GroupId(id.clone()))?;
                    }
                    for g in groups {
                        put_group(&tx, s, g, now)?;
                    }
                }
                Update::Group { session, group } => put_group(&tx, session.0, group, now)?,
                Update::GroupGone { session, group } => drop_group(&tx, session.0, group)?,
                Update::Roster {
                    session,
                    group,
                    participants,
                } => put_roster(&tx, session.0, group, participants)?,
                Update::CacheRoster {
                    session,
                    group,
                    participants,
                } => put_roster(&tx, session.0, group, participants)?,
                Update::Requests {
                    session,
                    group,
                    requests,
                } => put_requests(&tx, session.0, group, requests)?,
                Update::Event(e) => put_event(&tx, e)?,
                Update::Names { session, names } => put_names(&tx, session.0, names)?,
                Update::RosterChanged {
                    session,
                    group,
                    upsert,
                    removed,
                } => {
                    upsert_participants(&tx, session.0, group, upsert)?;
                    delete_rows(&tx, "participants", session.0, group, removed)?;
                }
                Update::RequestsChanged {
                    session,
                    group,
                    added,
                    removed,
                } => {
                    upsert_requests(&tx, session.0, group, added)?;
                    delete_rows(&tx, "requests", session.0, group, removed)?;
                }
                _ => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every cached session with its groups, rosters and requests.
    pub fn load_cache(&self) -> Result<Vec<CachedSession>, StoreError> {
        self.load_cache_with(true)
    }

    /// One cached roster.
    pub fn roster(
        &self,
        session: SessionId,
        group: &GroupId,
    ) -> Result<Vec<Participant>, StoreError> {
        let mut q = self.conn.prepare_cached(
            "SELECT jid, phone, lid, role FROM participants WHERE session = ?1 AND group_id = ?2",
        )?;
        let rows = q.query_map(params![session.0, group.as_str()], |r| {
            let role: String = r.get(3)?;
            Ok(Participant {
                jid: r.get(0)?,
                phone: r.get(1)?,
                lid: r.get(2)?,
                role: role_of(&role),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cache, with or without the rosters (the first frame reads only the one it shows).
    pub fn load_cache_with(&self, rosters: bool) -> Result<Vec<CachedSession>, StoreError> {
        let mut out: Vec<CachedSession> = {
            let mut q = self
                .conn
                .prepare("SELECT id, phone, name FROM sessions ORDER BY id")?;
            q.query_map([], |r| {
                Ok(CachedSession {
                    id: SessionId(r.get(0)?),
                    phone: r.get(1)?,
                    name: r.get(2)?,
                    ..Default::default()
                })
            })?
            .collect::<Result<_, _>>()?
        };
        for s in &mut out {
            let sid = s.id.0;
            let mut q = self
                .conn
                .prepare("SELECT summary, synced_at FROM groups WHERE session = ?1")?;
            let rows: Vec<(String, i64)> = q
                .query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (summary, synced) in rows {
                if let Ok(g) = serde_json::from_str::<GroupSummary>(&summary) {
                    s.groups.push(g);
                }
                s.synced_at = s.synced_at.max(synced);
            }
            let mut q = self.conn.prepare(
                "SELECT group_id, jid, phone, lid, role FROM participants
                 WHERE session = ?1 AND ?2 ORDER BY group_id",
            )?;
            let rows = q.query_map(params![sid, rosters], |r| {
                let role: String = r.get(4)?;
                Ok((
                    GroupId(r.get(0)?),
                    Participant {
                        jid: r.get(1)?,
                        phone: r.get(2)?,
                        lid: r.get(3)?,
                        role: role_of(&role),
                    },
                ))
            })?;
            for row in rows {
                let (g, p) = row?;
                match s.rosters.last_mut() {
                    Some((last, list)) if *last == g => list.push(p),
                    _ => s.rosters.push((g, vec![p])),
                }
            }
            let mut q = self.conn.prepare(
                "SELECT group_id, jid, phone, requested_at, method, via_community FROM requests
                 WHERE session = ?1 ORDER BY group_id",
            )?;
            let rows = q.query_map([sid], |r| {
                let method: String = r.get(4)?;
                Ok((
                    GroupId(r.get(0)?),
                    JoinRequest {
                        jid: r.get(1)?,
                        phone: r.get(2)?,
                        requested_at: r.get(3)?,
                        method: serde_json::from_str(&method).unwrap_or_default(),
                        via_community: r.get::<_, Option<String>>(5)?.map(GroupId),
                    },
                ))
            })?;
            for row in rows {
                let (g, req) = row?;
                match s.requests.last_mut() {
                    Some((last, list)) if *last == g => list.push(req),
                    _ => s.requests.push((g, vec![req])),
                }
            }
            let mut q = self
                .conn
                .prepare("SELECT id, name FROM names WHERE session = ?1 ORDER BY id")?;
            s.names = q
                .query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
        }
        Ok(out)
    }

    /// How many events the log holds (of one group, or all).
    pub fn event_count(&self, group: Option<&GroupId>) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM events WHERE ?1 IS NULL OR group_id = ?1",
            params![group.map(GroupId::as_str)],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Stored events, newest first: `before` pages back (an event id), `group` narrows.
    pub fn events(
        &self,
        group: Option<&GroupId>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<(i64, GroupEvent)>, StoreError> {
        let mut q = self.conn.prepare(
            "SELECT id, session, group_id, group_subject, actor, detail, at, found_on_reconnect
             FROM events
             WHERE (?1 IS NULL OR group_id = ?1) AND (?2 IS NULL OR id < ?2)
             ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = q.query_map(
            params![
                group.map(GroupId::as_str),
                before,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| {
                let detail: String = r.get(5)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    detail,
                    r.get::<_, i64>(6)?,
                    r.get::<_, bool>(7)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, session, group, subject, actor, detail, at, found) = row?;
            let kind = serde_json::from_str(&detail).unwrap_or(GroupEventKind::Other {
                what: detail.clone(),
            });
            out.push((
                id,
                GroupEvent {
                    at,
                    session: SessionId(session),
                    group: GroupId(group),
                    group_subject: subject,
                    actor,
                    kind,
                    found_on_reconnect: found,
                },
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_and_superseded_lists_land_as_the_last_word() {
        let mut store = Store::in_memory().expect("store");
        let s = SessionId(1);
        let g = GroupId("1@g.us".into());
        let req = |j: &str| JoinRequest {
            jid: j.into(),
            ..Default::default()
        };
        let person = |j: &str, role| Participant {
            jid: j.into(),
            phone: None,
            lid: None,
            role,
        };
        let group = GroupSummary {
            id: g.clone(),
            subject: "G".into(),
            ..Default::default()
        };
        let list = |requests| Update::Requests {
            session: s,
            group: g.clone(),
            requests,
        };
        store
            .apply_updates(
                &[
                    Update::Session {
                        id: s,
                        phone: None,
                        name: None,
                    },
                    Update::Groups {
                        session: s,
                        groups: vec![group],
                    },
                    // Three whole lists in one batch: only the last is written.
                    list(vec![req("a")]),
                    list(vec![req("a"), req("b")]),
                    list(vec![req("b"), req("c")]),
                    Update::RequestsChanged {
                        session: s,
                        group: g.clone(),
                        added: vec![req("d")],
                        removed: vec!["b".into()],
                    },
                    Update::Roster {
                        session: s,
                        group: g.clone(),
                        participants: vec![person("x", Role::Admin), person("y", Role::Member)],
                    },
                    Update::RosterChanged {
                        session: s,
                        group: g.clone(),
                        upsert: vec![person("y", Role::Admin), person("z", Role::Member)],
                        removed: vec!["x".into()],
                    },
                ],
                0,
            )
            .expect("write");
        let cached = store.load_cache().expect("read");
        let mut jids: Vec<String> = cached[0].requests[0]
            .1
            .iter()
            .map(|r| r.jid.clone())
            .collect();
        jids.sort();
        assert_eq!(jids, ["c", "d"]);
        let mut roster: Vec<(String, Role)> = cached[0].rosters[0]
            .1
            .iter()
            .map(|p| (p.jid.clone(), p.role))
            .collect();
        roster.sort();
        assert_eq!(
            roster,
            [("y".into(), Role::Admin), ("z".into(), Role::Member)]
        );
    }

    #[test]
    fn history_pages_back_through_thousands_of_events() {
        let mut store = Store::in_memory().expect("store");
        let updates: Vec<Update> = (0..3000)
            .map(|i| {
                Update::Event(GroupEvent {
                    at: i,
                    session: SessionId(1),
                    group: GroupId(format!("{}@g.us", i % 3)),
                    group_subject: "G".into(),
                    actor: None,
                    kind: GroupEventKind::InviteReset,
                    found_on_reconnect: false,
                })
            })
            .collect();
        store.apply_updates(&updates, 0).expect("write");
        let mut before = None;
        let mut seen = Vec::new();
        loop {
            let page = store.events(None, before, 500).expect("page");
            if page.is_empty() {
                break;
            }
            before = page.last().map(|(id, _)| *id);
            seen.extend(page.into_iter().map(|(_, e)| e.at));
        }
        assert_eq!(seen.len(), 3000);
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "newest first, no repeats"
        );
        let one = store
            .events(Some(&GroupId("1@g.us".into())), None, 5000)
            .expect("group");
        assert_eq!(one.len(), 1000);
        assert_eq!(
            store.event_count(Some(&GroupId("1@g.us".into()))).ok(),
            Some(1000)
        );
        assert_eq!(store.event_count(None).ok(), Some(3000));
    }

    fn summary(n: u32, subject: &str) -> GroupSummary {
        GroupSummary {
            id: GroupId(format!("{n}@g.us")),
            subject: subject.into(),
            size: 2,
            ..Default::default()
        }
    }

    #[test]
    fn updates_round_trip_through_the_cache() {
        let mut store = Store::in_memory().expect("store");
        let s = SessionId(1);
        let p = |n: u32, role| Participant {
            jid: format!("{n}@lid"),
            phone: Some(format!("+{n}")),
            lid: Some(format!("{n}@lid")),
            role,
        };
        let ev = GroupEvent {
            at: 7,
            session: s,
            group: GroupId("1@g.us".into()),
            group_subject: "One".into(),
            actor: Some("+9".into()),
            kind: GroupEventKind::Promoted {
                who: vec!["+2".into()],
            },
            found_on_reconnect: false,
        };
        store
            .apply_updates(
                &[
                    Update::Session {
                        id: s,
                        phone: Some("+1555".into()),
                        name: None,
                    },
                    Update::Groups {
                        session: s,
                        groups: vec![summary(1, "One"), summary(2, "Two")],
                    },
                    Update::Roster {
                        session: s,
                        group: GroupId("1@g.us".into()),
                        participants: vec![p(1, Role::SuperAdmin), p(2, Role::Member)],
                    },
                    Update::Requests {
                        session: s,
                        group: GroupId("1@g.us".into()),
                        requests: vec![JoinRequest {
                            jid: "3@lid".into(),
                            phone: Some("+3".into()),
                            requested_at: Some(5),
                            method: crate::domain::RequestMethod::InviteLink,
                            via_community: None,
                        }],
                    },
                    Update::Event(ev.clone()),
                    // A later list without group 2 drops it.
                    Update::Groups {
                        session: s,
                        groups: vec![summary(1, "One")],
                    },
                ],
                100,
            )
            .expect("write");
        let cached = store.load_cache().expect("load");
        assert_eq!(cached.len(), 1);
        let c = &cached[0];
        assert_eq!(c.phone.as_deref(), Some("+1555"));
        assert_eq!(c.groups, vec![summary(1, "One")]);
        assert_eq!(c.rosters[0].1.len(), 2);
        assert_eq!(c.rosters[0].1[0].role, Role::SuperAdmin);
        assert_eq!(
            c.requests[0].1[0].method,
            crate::domain::RequestMethod::InviteLink
        );
        assert_eq!(c.synced_at, 100);
        let events = store.events(None, None, 10).expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].1, ev);
        assert_eq!(kind_name(&ev.kind), "Promoted");
    }
}
