//! The scale world of the performance budgets: an operator in 1,000 groups holding 100,000
//! participants in all (one at WhatsApp's cap of 1,024), an approval-mode group with 500 pending
//! requests, and a pool of accounts in no group for bursts of join requests.

use super::scenario::Scenario;
use super::world::{
    Account, AddressingMode, Group, Member, PendingRequest, RequestMethod, Role, Settings, World,
};

/// The operator who links wamod (as in the demo world).
pub const OPERATOR: &str = "15550001111";
/// The approval-mode group that receives the bursts of requests.
pub const BURST_GROUP: &str = "120363900000000001";
/// The group at WhatsApp's cap, in approval mode with the pending requests (the frame budget's
/// selected group).
pub const FULL_GROUP: &str = "120363900000000002";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub groups: usize,
    /// Participants over all groups (each group's members are distinct people).
    pub participants: usize,
    /// Pending requests in the approval group.
    pub pending: usize,
    /// Accounts in no group, for bursts of requests.
    pub outsiders: usize,
}

impl Scale {
    /// The world of README's performance budgets.
    pub const BUDGET: Scale = Scale {
        groups: 1_000,
        participants: 100_000,
        pending: 500,
        outsiders: 10_000,
    };
}

fn account(phone: String, lid: String) -> Account {
    Account {
        name: format!("Person {phone}"),
        phone,
        lid,
        blocks_direct_adds: false,
        add_refusal: None,
    }
}

/// `n`-th generated phone number (`1556` + 7 digits), with a LID to match.
fn person(n: usize) -> (String, String) {
    (format!("1556{n:07}"), format!("8{n:014}"))
}

fn group_id(i: usize) -> String {
    format!("1203639{i:011}")
}

pub fn scenario(scale: Scale, now: i64) -> Scenario {
    let mut w = World::new(now);
    w.add_account(account(OPERATOR.into(), "100000000000001".into()));
    let people = scale.participants + scale.pending + scale.outsiders;
    for n in 0..people {
        let (phone, lid) = person(n);
        w.add_account(account(phone, lid));
    }
    // Sizes: one full group, the rest share what is left evenly (at least 2 each).
    let groups = scale.groups.max(3);
    let rest = scale.participants.saturating_sub(1024);
    let (each, extra) = (rest / (groups - 1), rest % (groups - 1));
    let mut next = 0usize;
    let mut others = 0usize;
    for i in 1..=groups {
        let size = if group_id(i) == FULL_GROUP {
            1024
        } else {
            others += 1;
            (each + usize::from(others <= extra)).max(2)
        };
        let mut members = vec![Member {
            phone: OPERATOR.into(),
            role: Role::SuperAdmin,
            join_time: now - 86_400,
        }];
        for _ in 1..size {
            members.push(Member {
                phone: person(next % scale.participants.max(1)).0,
                role: Role::Member,
                join_time: now - 3_600,
            });
            next += 1;
        }
        let id = group_id(i);
        let approval = id == BURST_GROUP || id == FULL_GROUP;
        let mut pending = Vec::new();
        if id == FULL_GROUP {
            for k in 0..scale.pending {
                pending.push(PendingRequest {
                    phone: person(scale.participants + k).0,
                    time: now - 600,
                    method: RequestMethod::InviteLink,
                    parent: None,
                });
            }
        }
        w.insert_group(Group {
            id: id.clone(),
            subject: format!("Scale group {i:04}"),
            subject_owner: Some(OPERATOR.into()),
            subject_time: now - 86_400,
            creator: OPERATOR.into(),
            creation: now - 86_400,
            description: None,
            participants: members,
            settings: Settings {
                approval,
                ..Settings::default()
            },
            addressing: AddressingMode::Lid,
            invite_code: format!("ScaleInvite{i:011}"),
            pending: pending.into(),
            is_parent: false,
            parent: None,
            is_default_sub: false,
            picture_id: None,
        });
    }
    Scenario {
        world: w,
        operators: vec![OPERATOR.into()],
        group_keys: Default::default(),
        activity: Vec::new(),
        min_version: None,
        login_failures: Vec::new(),
    }
}

/// The phones of the accounts in no group (burst requesters).
pub fn outsiders(scale: Scale) -> impl Iterator<Item = String> {
    let first = scale.participants + scale.pending;
    (first..first + scale.outsiders).map(|n| person(n).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_world_has_the_promised_shape() {
        let s = scenario(Scale::BUDGET, 1_800_000_000);
        let w = &s.world;
        assert_eq!(w.groups_of(OPERATOR).len(), 1_000);
        let total: usize = w.groups.values().map(|g| g.participants.len()).sum();
        assert_eq!(total, 100_000);
        assert_eq!(w.groups[FULL_GROUP].participants.len(), 1024);
        assert_eq!(w.groups[FULL_GROUP].pending.len(), 500);
        assert!(w.groups[BURST_GROUP].settings.approval);
        let first = outsiders(Scale::BUDGET).next().expect("outsider");
        assert!(w.account(&first).is_some());
        assert!(w.groups.values().all(|g| g.member(&first).is_none()));
    }
}
