//! Community links and unlinks, as each side of one tells it: the community names its new
//! (or former) subgroups, a subgroup names its community, a sibling names the group that came
//! or went. The tree must end the same whichever of these notices a device gets.

use whatsapp_rust::wacore_binary::node::Node;

use super::SessionModel;
use super::notifications::Changes;
use crate::domain::{CommunityMark, GroupEventKind, GroupId};

impl SessionModel {
    /// A community link or unlink, told from `id`'s side (`link_type`): from the community
    /// (`sub_group`, or none) the groups inside are its subgroups; from a subgroup
    /// (`parent_group`) the group inside is its community; from a sibling (`sibling_group`)
    /// the groups inside joined or left `id`'s community.
    pub(super) fn relinked(
        &mut self,
        id: &GroupId,
        side: &str,
        raw: &Node,
        link: bool,
        c: &mut Changes,
    ) -> GroupEventKind {
        let named: Vec<GroupId> = raw
            .get_children_by_tag("group")
            .filter_map(|n| n.attrs.get("jid").map(|v| GroupId(v.as_str().into_owned())))
            .collect();
        match side {
            "parent_group" => self.community_changed(id, named.first(), link, c),
            "sibling_group" => {
                let parent = match self.groups.get(id).map(|g| &g.community) {
                    Some(CommunityMark::Subgroup { parent }) => Some(parent.clone()),
                    _ => None,
                };
                let mut names = Vec::new();
                for sib in &named {
                    names.push(self.subject_of(sib));
                    let mark = match (&parent, link) {
                        (Some(p), true) => CommunityMark::Subgroup { parent: p.clone() },
                        (_, false) => CommunityMark::None,
                        (None, true) => continue,
                    };
                    if let Some(g) = self.groups.get_mut(sib) {
                        g.community = mark;
                        c.also.push(sib.clone());
                    }
                }
                let verb = if link { "joined" } else { "left" };
                GroupEventKind::Other {
                    what: format!("{} {verb} this group's community", names.join(", ")),
                }
            }
            _ => self.subgroups_relinked(id, &named, link, c),
        }
    }

    /// `id` (a subgroup) was linked into `community` or unlinked from it.
    fn community_changed(
        &mut self,
        id: &GroupId,
        community: Option<&GroupId>,
        link: bool,
        c: &mut Changes,
    ) -> GroupEventKind {
        let name = community.map(|p| self.subject_of(p)).unwrap_or_default();
        let mark = match (community, link) {
            (Some(p), true) => CommunityMark::Subgroup { parent: p.clone() },
            _ => CommunityMark::None,
        };
        self.with_group(id, |g| g.community = mark);
        c.group = true;
        if link {
            GroupEventKind::JoinedCommunity { community: name }
        } else {
            GroupEventKind::LeftCommunity { community: name }
        }
    }

    /// A group's subject, or its id when we do not have it.
    fn subject_of(&self, id: &GroupId) -> String {
        self.groups
            .get(id)
            .map_or_else(|| id.to_string(), |g| g.subject.clone())
    }

    /// Groups were linked to the community `id` (`link`) or unlinked from it.
    fn subgroups_relinked(
        &mut self,
        id: &GroupId,
        named: &[GroupId],
        link: bool,
        c: &mut Changes,
    ) -> GroupEventKind {
        let mut names = Vec::new();
        for sub in named {
            let sub = sub.clone();
            match self.groups.get_mut(&sub) {
                Some(g) => {
                    g.community = if link {
                        CommunityMark::Subgroup { parent: id.clone() }
                    } else {
                        CommunityMark::None
                    };
                    names.push(g.subject.clone());
                    c.also.push(sub);
                }
                None => names.push(sub.to_string()),
            }
        }
        if link {
            GroupEventKind::Linked { groups: names }
        } else {
            GroupEventKind::Unlinked { groups: names }
        }
    }
}
