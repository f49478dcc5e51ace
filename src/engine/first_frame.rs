//! The first frame: what wamod draws from the cache before any network work.

use std::path::Path;

use super::existing_sessions;
use crate::domain::SessionId;
use crate::group_tree;
use crate::protocol::Update;
use crate::store::{CachedSession, Store};

/// The first frame's updates from the cache, and nothing else: what `wamod` draws before any
/// network work. The engine reads its own copy of the whole cache when it starts.
pub fn first_frame(database: &Path, sessions_dir: &Path) -> Vec<Update> {
    let (store, cached) = match read_cache(database, sessions_dir) {
        Ok(c) => c,
        Err(error) => return vec![*error],
    };
    // Of the rosters, only the one the first frame shows: the first group of the first
    // session as the groups pane orders them. The engine has the others when one is opened.
    let first = cached
        .first()
        .and_then(|c| Some((c.id, group_tree::first_group(&c.groups)?.clone())));
    let mut updates = frame_updates(&store, cached);
    if let Some((session, group)) = first
        && let Ok(participants) = store.roster(session, &group)
    {
        updates.push(Update::Roster {
            session,
            group,
            participants,
        });
    }
    updates
}

/// The cached sessions that are still linked.
fn read_cache(
    database: &Path,
    sessions_dir: &Path,
) -> Result<(Store, Vec<CachedSession>), Box<Update>> {
    let linked = existing_sessions(sessions_dir);
    let read = Store::open(database).and_then(|s| s.load_cache_with(false).map(|c| (s, c)));
    match read {
        Ok((store, cached)) => Ok((
            store,
            cached
                .into_iter()
                .filter(|c| linked.contains(&c.id))
                .collect(),
        )),
        Err(e) => Err(Box::new(Update::Error {
            session: None,
            message: format!("cannot read the cache in {}: {e}", database.display()),
        })),
    }
}

/// The feed's latest events (oldest first, as if they had just arrived), then each session's
/// groups, rosters and requests, marked as cached.
fn frame_updates(store: &Store, cached: Vec<CachedSession>) -> Vec<Update> {
    let mut updates = Vec::new();
    let ids: Vec<SessionId> = cached.iter().map(|c| c.id).collect();
    if let Ok(recent) = store.events(None, None, 500) {
        updates.extend(
            recent
                .into_iter()
                .rev()
                .filter(|(_, e)| ids.contains(&e.session))
                .map(|(_, e)| Update::Event(e)),
        );
    }
    for c in cached {
        updates.push(Update::Session {
            id: c.id,
            phone: c.phone,
            name: c.name,
        });
        if !c.names.is_empty() {
            updates.push(Update::Names {
                session: c.id,
                names: c.names,
            });
        }
        updates.push(Update::Groups {
            session: c.id,
            groups: c.groups,
        });
        for (group, participants) in c.rosters {
            updates.push(Update::Roster {
                session: c.id,
                group,
                participants,
            });
        }
        for (group, requests) in c.requests {
            updates.push(Update::Requests {
                session: c.id,
                group,
                requests,
            });
        }
        updates.push(Update::Cached {
            session: c.id,
            synced_at: c.synced_at,
        });
    }
    updates
}
