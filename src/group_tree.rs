//! The groups pane as a tree: each community, then (unless folded) its announcement group and
//! subgroups, joined or not; groups outside communities stay flat. Sorting applies at each
//! level; a filter shows a community when it or one of its subgroups matches, unfolded.
//!
//! A pure function of a session's groups, so the UI's state and the engine's first frame (which
//! roster to read from the cache) order the pane the same way.

use std::collections::{HashMap, HashSet};

use crate::domain::{CommunityMark, GroupId, GroupSummary};

/// The groups pane's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupSort {
    #[default]
    Name,
    Size,
    Pending,
}

impl GroupSort {
    pub fn label(self) -> &'static str {
        match self {
            GroupSort::Name => "name",
            GroupSort::Size => "size",
            GroupSort::Pending => "pending",
        }
    }

    /// The next order `s` cycles to.
    pub fn next(self) -> Self {
        match self {
            GroupSort::Name => GroupSort::Size,
            GroupSort::Size => GroupSort::Pending,
            GroupSort::Pending => GroupSort::Name,
        }
    }
}

/// What the tree is built from: one session's groups and what the pane shows of them.
pub struct TreeInput<'a> {
    pub groups: &'a [GroupSummary],
    /// Every subgroup of each community the session sees (joined or not).
    pub subgroups: Vec<(&'a GroupId, &'a [GroupSummary])>,
    pub sort: GroupSort,
    /// Lowercase piece of a subject; empty shows everything.
    pub filter: String,
    /// Communities folded by the user (ignored while filtering).
    pub folded: HashSet<&'a GroupId>,
}

impl<'a> TreeInput<'a> {
    /// The pane as it first shows `groups`: name order, nothing filtered or folded.
    pub fn unfiltered(groups: &'a [GroupSummary]) -> Self {
        Self {
            groups,
            subgroups: Vec::new(),
            sort: GroupSort::default(),
            filter: String::new(),
            folded: HashSet::new(),
        }
    }
}

/// One row of the groups pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRow<'a> {
    pub group: &'a GroupSummary,
    /// 0 top level, 1 inside a community.
    pub depth: u8,
    /// The last row of its community (drawn `└`).
    pub last: bool,
    /// The session is in it (subgroups it is not in are listed, to join).
    pub joined: bool,
    /// For a community: folded or not, and how many subgroups it has.
    pub fold: Option<(bool, usize)>,
}

/// Sorts in the pane's order, `first` rows ahead of the others: by name (each subject
/// lowercased once, not in every comparison: 1,000 groups would be 20,000 allocations a frame),
/// or largest size / most pending first, then by subject.
fn sort_groups<'a, T>(
    sort: GroupSort,
    items: &mut [T],
    group: impl Fn(&T) -> &'a GroupSummary,
    first: impl Fn(&T) -> bool,
) {
    let count: fn(&GroupSummary) -> usize = match sort {
        GroupSort::Name => {
            items.sort_by_cached_key(|x| {
                let g = group(x);
                (!first(x), g.subject.to_lowercase(), g.id.as_str())
            });
            return;
        }
        GroupSort::Size => |g| g.size,
        GroupSort::Pending => |g| g.pending,
    };
    items.sort_by(|a, b| {
        let (ga, gb) = (group(a), group(b));
        first(b)
            .cmp(&first(a))
            .then_with(|| count(gb).cmp(&count(ga)))
            .then_with(|| ga.subject.cmp(&gb.subject))
    });
}

fn parent(g: &GroupSummary) -> Option<&GroupId> {
    match &g.community {
        CommunityMark::Subgroup { parent } | CommunityMark::Announcement { parent } => Some(parent),
        _ => None,
    }
}

pub fn rows<'a>(input: &TreeInput<'a>) -> Vec<GroupRow<'a>> {
    let groups = input.groups;
    let filter = input.filter.as_str();
    let matches = |g: &GroupSummary| filter.is_empty() || g.subject.to_lowercase().contains(filter);
    let joined: HashSet<&GroupId> = groups.iter().map(|g| &g.id).collect();
    let communities: HashSet<&GroupId> = groups
        .iter()
        .filter(|g| g.community == CommunityMark::Community)
        .map(|g| &g.id)
        .collect();

    let mut top: Vec<&GroupSummary> = Vec::new();
    let mut children: HashMap<&GroupId, Vec<(&GroupSummary, bool)>> = HashMap::new();
    for g in groups {
        match parent(g) {
            Some(p) if communities.contains(p) => children.entry(p).or_default().push((g, true)),
            _ => top.push(g),
        }
    }
    for (community, subs) in &input.subgroups {
        if !communities.contains(community) {
            continue;
        }
        let list = children.entry(community).or_default();
        for sub in subs.iter().filter(|x| !joined.contains(&x.id)) {
            list.push((sub, false));
        }
    }

    sort_groups(input.sort, &mut top, |g| *g, |_| false);
    let mut out = Vec::with_capacity(groups.len());
    for g in top {
        if g.community != CommunityMark::Community {
            if matches(g) {
                out.push(GroupRow {
                    group: g,
                    depth: 0,
                    last: false,
                    joined: true,
                    fold: None,
                });
            }
            continue;
        }
        let mut kids = children.remove(&g.id).unwrap_or_default();
        let total = kids.len();
        if !matches(g) {
            kids.retain(|(k, _)| matches(k));
            if kids.is_empty() {
                continue;
            }
        }
        // Announcement group first, then the subgroups in the pane's order.
        sort_groups(
            input.sort,
            &mut kids,
            |(k, _)| *k,
            |(k, _)| matches!(k.community, CommunityMark::Announcement { .. }),
        );
        let folded = filter.is_empty() && input.folded.contains(&g.id);
        out.push(GroupRow {
            group: g,
            depth: 0,
            last: false,
            joined: true,
            fold: Some((folded, total)),
        });
        if folded {
            continue;
        }
        let n = kids.len();
        for (i, (k, is_joined)) in kids.into_iter().enumerate() {
            out.push(GroupRow {
                group: k,
                depth: 1,
                last: i + 1 == n,
                joined: is_joined,
                fold: None,
            });
        }
    }
    out
}

/// The group the pane shows first for `groups` as it first opens (no filter, no folds, name
/// order): the roster a first frame from the cache shows.
pub fn first_group(groups: &[GroupSummary]) -> Option<&GroupId> {
    rows(&TreeInput::unfiltered(groups))
        .first()
        .map(|r| &r.group.id)
}

/// The community a row belongs to (itself for a community row).
pub fn community_of(row: &GroupRow<'_>) -> Option<GroupId> {
    if row.group.community == CommunityMark::Community {
        return Some(row.group.id.clone());
    }
    if row.depth == 1 {
        return parent(row.group).cloned();
    }
    None
}
