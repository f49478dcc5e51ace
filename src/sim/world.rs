//! The simulated WhatsApp group world: accounts, groups, roles, settings, invite codes and pending
//! join requests, with WhatsApp's rules and error codes. Pure data and logic: no protocol, no I/O.
//!
//! Every mutating operation takes the acting account (`actor`, a phone number) and returns what
//! WhatsApp would answer plus the [`Notice`]s WhatsApp would push (`w:gp2` notifications). The
//! protocol layer (`groups_iq.rs`, `notify.rs`) turns requests into these calls and notices into
//! nodes; the control handle calls the same operations with simulated actors.

use std::collections::{BTreeMap, HashMap};

use super::pending::Pending;

/// WhatsApp's group size cap.
pub const MAX_GROUP_SIZE: usize = 1024;
pub const MAX_SUBJECT_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 2048;

/// A phone number in international format, digits only (no `+`), e.g. `"15550001111"`.
pub type Phone = String;
/// A group id, the user part of its `@g.us` JID, e.g. `"120363000000000001"`.
pub type GroupId = String;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub phone: Phone,
    /// The user part of the account's `@lid` JID (digits).
    pub lid: String,
    pub name: String,
    /// Privacy setting "who can add me to groups" excludes everyone: a direct add is refused with
    /// 403 and an `add_request` (invite) code instead.
    pub blocks_direct_adds: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Member,
    Admin,
    SuperAdmin,
}

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::SuperAdmin)
    }
    /// The wire `type` attribute, `None` for plain members.
    pub fn wire(self) -> Option<&'static str> {
        match self {
            Role::Member => None,
            Role::Admin => Some("admin"),
            Role::SuperAdmin => Some("superadmin"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub phone: Phone,
    pub role: Role,
    pub join_time: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    pub id: String,
    pub body: String,
    pub setter: Phone,
    pub time: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestMethod {
    InviteLink,
    LinkedGroupJoin,
    NonAdminAdd,
}

impl RequestMethod {
    pub fn wire(self) -> &'static str {
        match self {
            RequestMethod::InviteLink => "invite_link",
            RequestMethod::LinkedGroupJoin => "linked_group_join",
            RequestMethod::NonAdminAdd => "non_admin_add",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub phone: Phone,
    pub time: i64,
    pub method: RequestMethod,
    /// For `LinkedGroupJoin`: the community the request came through.
    pub parent: Option<GroupId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// Only admins can send messages (`announcement`).
    pub announce: bool,
    /// Only admins can edit group info (`locked`).
    pub locked: bool,
    /// New members need admin approval (`membership_approval_mode`).
    pub approval: bool,
    /// Only admins can add members (`member_add_mode` = `admin_add`); false = `all_member_add`.
    pub admin_add_only: bool,
    /// Disappearing messages timer in seconds, 0 = off.
    pub ephemeral: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressingMode {
    Pn,
    #[default]
    Lid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub subject: String,
    pub subject_owner: Option<Phone>,
    pub subject_time: i64,
    pub creator: Phone,
    pub creation: i64,
    pub description: Option<Description>,
    /// In join order.
    pub participants: Vec<Member>,
    pub settings: Settings,
    pub addressing: AddressingMode,
    pub invite_code: String,
    /// In arrival order.
    pub pending: Pending,
    /// This group is a community (parent group).
    pub is_parent: bool,
    /// The community this group is linked to.
    pub parent: Option<GroupId>,
    /// The community's announcement group (default subgroup).
    pub is_default_sub: bool,
    pub picture_id: Option<String>,
}

impl Group {
    pub fn member(&self, phone: &str) -> Option<&Member> {
        self.participants.iter().find(|m| m.phone == phone)
    }
    pub fn role_of(&self, phone: &str) -> Option<Role> {
        self.member(phone).map(|m| m.role)
    }
    pub fn is_admin(&self, phone: &str) -> bool {
        self.role_of(phone).is_some_and(Role::is_admin)
    }
    pub fn admins(&self) -> impl Iterator<Item = &Member> {
        self.participants.iter().filter(|m| m.role.is_admin())
    }
}

/// A WhatsApp error answer: the `<error code text>` of an IQ, or a participant's `error` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaError {
    pub code: u16,
    pub text: &'static str,
}

impl WaError {
    pub const BAD_REQUEST: WaError = WaError {
        code: 400,
        text: "bad-request",
    };
    pub const NOT_AUTHORIZED: WaError = WaError {
        code: 401,
        text: "not-authorized",
    };
    pub const FORBIDDEN: WaError = WaError {
        code: 403,
        text: "forbidden",
    };
    pub const NOT_FOUND: WaError = WaError {
        code: 404,
        text: "item-not-found",
    };
    pub const NOT_ACCEPTABLE: WaError = WaError {
        code: 406,
        text: "not-acceptable",
    };
    pub const CONFLICT: WaError = WaError {
        code: 409,
        text: "conflict",
    };
    pub const GONE: WaError = WaError {
        code: 410,
        text: "gone",
    };
    pub const GROUP_FULL: WaError = WaError {
        code: 419,
        text: "resource-limit",
    };
    pub const ALREADY_MEMBER: WaError = WaError {
        code: 304,
        text: "not-modified",
    };
}

pub type WaResult<T> = Result<T, WaError>;

/// One participant's answer inside a participant-list operation (add/remove/promote/demote,
/// approve/reject, cancel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantOutcome {
    pub phone: Phone,
    /// `None` = done; else the per-participant error code (403 privacy, 404 not found/not pending,
    /// 409 already a member, 419 group full, ...).
    pub error: Option<u16>,
    /// For a 403 privacy refusal on add: the V4 invite code (and its expiry, unix seconds) that
    /// WhatsApp hands back so the admin can invite the person instead.
    pub add_request: Option<(String, i64)>,
}

/// What WhatsApp pushes to member devices after a change: one `w:gp2` notification child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeAction {
    /// `<add [reason]>`: participants joined (added, via link, approved).
    Add {
        participants: Vec<Phone>,
        reason: Option<&'static str>,
    },
    Remove {
        participants: Vec<Phone>,
    },
    Promote {
        participants: Vec<Phone>,
    },
    Demote {
        participants: Vec<Phone>,
    },
    Subject {
        subject: String,
    },
    /// `body: None` = the description was deleted.
    Description {
        id: String,
        body: Option<String>,
    },
    Locked,
    Unlocked,
    Announce,
    NotAnnounce,
    /// 0 = `<not_ephemeral/>`.
    Ephemeral {
        expiration: u32,
    },
    MembershipApprovalMode {
        enabled: bool,
    },
    /// `"admin_add"` or `"all_member_add"`.
    MemberAddMode {
        mode: &'static str,
    },
    /// The invite link was reset (`<revoke/>`): old code no longer works.
    InviteRevoked,
    /// Admin side: new join requests.
    CreatedMembershipRequests {
        method: RequestMethod,
        parent: Option<GroupId>,
        requesters: Vec<Phone>,
    },
    /// Admin side: requests withdrawn (cancelled by the requester, or rejected).
    RevokedMembershipRequests {
        participants: Vec<Phone>,
    },
    /// The group was created (sent to the initial participants).
    Create,
    /// The group (or community) was deleted/deactivated.
    Delete,
    /// Community: subgroups linked to / unlinked from this parent.
    Link {
        subgroups: Vec<GroupId>,
    },
    Unlink {
        subgroups: Vec<GroupId>,
    },
    /// Group picture set (`Some(id)`) or removed; sent as a `type="picture"` notification.
    Picture {
        id: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub group: GroupId,
    /// The account that made the change.
    pub actor: Phone,
    pub time: i64,
    pub action: NoticeAction,
    /// The accounts whose devices receive it, computed when the change is made (members after the
    /// change plus e.g. the removed; admins only for join requests, plus the requester).
    pub recipients: Vec<Phone>,
}

/// Result of joining by invite code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined(GroupId),
    /// Approval mode: a pending request was created instead of a membership.
    Pending(GroupId),
}

/// Options for creating a group (`<create>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateOptions {
    pub subject: String,
    pub participants: Vec<Phone>,
    pub description: Option<String>,
    pub settings: Settings,
    pub is_parent: bool,
    pub parent: Option<GroupId>,
}

/// The whole simulated world.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub accounts: BTreeMap<Phone, Account>,
    pub lid_to_phone: HashMap<String, Phone>,
    pub groups: BTreeMap<GroupId, Group>,
    /// Codes that were valid once and have been reset: joining with one answers 410.
    pub revoked_codes: HashMap<String, GroupId>,
    /// Monotonic source of ids (groups, descriptions, invite codes) so runs are reproducible.
    pub next_id: u64,
    /// The simulated clock (unix seconds); the server advances it, tests may set it.
    pub now: i64,
}

/// Per-participant results plus the notices an operation caused.
pub type Outcomes = (Vec<ParticipantOutcome>, Vec<Notice>);

/// Per-subgroup results of linking/unlinking (`None` = done, else the error code) plus notices.
pub type LinkOutcomes = (Vec<(GroupId, Option<u16>)>, Vec<Notice>);

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn ok(phone: &str) -> ParticipantOutcome {
    ParticipantOutcome {
        phone: phone.to_string(),
        error: None,
        add_request: None,
    }
}

fn refused(phone: &str, code: u16) -> ParticipantOutcome {
    ParticipantOutcome {
        phone: phone.to_string(),
        error: Some(code),
        add_request: None,
    }
}

fn check_subject(subject: &str) -> WaResult<()> {
    let n = subject.trim().chars().count();
    if n == 0 || subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(WaError::BAD_REQUEST);
    }
    Ok(())
}

impl World {
    pub fn new(now: i64) -> Self {
        Self {
            now,
            next_id: 1,
            ..Default::default()
        }
    }

    /// Registers an account (and its LID mapping). Replaces an existing one with the same phone.
    pub fn add_account(&mut self, account: Account) {
        self.lid_to_phone
            .insert(account.lid.clone(), account.phone.clone());
        self.accounts.insert(account.phone.clone(), account);
    }

    pub fn account(&self, phone: &str) -> Option<&Account> {
        self.accounts.get(phone)
    }

    /// Resolves the user part of a `@s.whatsapp.net` (`is_lid = false`) or `@lid` JID to the phone
    /// of a known account.
    pub fn resolve_user(&self, user: &str, is_lid: bool) -> Option<Phone> {
        if is_lid {
            self.lid_to_phone.get(user).cloned()
        } else {
            self.accounts.contains_key(user).then(|| user.to_string())
        }
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// Groups (including communities) where `phone` is a participant, ordered by id.
    pub fn groups_of(&self, phone: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|g| g.member(phone).is_some())
            .collect()
    }

    /// Inserts a group as-is (scenario loading): no rules, no notices.
    pub fn insert_group(&mut self, group: Group) {
        self.groups.insert(group.id.clone(), group);
    }

    fn fresh(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh group id (`"120363"` + 12 digits), unique and deterministic.
    pub fn new_group_id(&mut self) -> GroupId {
        loop {
            let id = format!("120363{:012}", 900_000_000_000 + self.fresh());
            if !self.groups.contains_key(&id) {
                return id;
            }
        }
    }

    /// A fresh 22-character invite code (base62), unique and deterministic.
    pub fn new_invite_code(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut x = splitmix64(self.fresh() ^ 0x5EED);
        (0..22)
            .map(|i| {
                if i % 10 == 9 {
                    x = splitmix64(x);
                }
                let c = ALPHABET[(x % 62) as usize] as char;
                x /= 62;
                c
            })
            .collect()
    }

    fn notice(
        &self,
        group: &str,
        actor: &str,
        action: NoticeAction,
        recipients: Vec<Phone>,
    ) -> Notice {
        Notice {
            group: group.to_string(),
            actor: actor.to_string(),
            time: self.now,
            action,
            recipients,
        }
    }

    fn members_of(&self, group: &str) -> Vec<Phone> {
        self.groups
            .get(group)
            .map(|g| g.participants.iter().map(|m| m.phone.clone()).collect())
            .unwrap_or_default()
    }

    fn admins_of(&self, group: &str) -> Vec<Phone> {
        self.groups
            .get(group)
            .map(|g| g.admins().map(|m| m.phone.clone()).collect())
            .unwrap_or_default()
    }

    fn get(&self, group: &str) -> WaResult<&Group> {
        self.groups.get(group).ok_or(WaError::NOT_FOUND)
    }

    fn get_mut(&mut self, group: &str) -> WaResult<&mut Group> {
        self.groups.get_mut(group).ok_or(WaError::NOT_FOUND)
    }

    /// The actor's role: 404 unknown group, 403 not a participant.
    fn role(&self, actor: &str, group: &str) -> WaResult<Role> {
        self.get(group)?.role_of(actor).ok_or(WaError::FORBIDDEN)
    }

    fn require_admin(&self, actor: &str, group: &str) -> WaResult<()> {
        if self.role(actor, group)?.is_admin() {
            Ok(())
        } else {
            Err(WaError::NOT_AUTHORIZED)
        }
    }

    /// Editing info: admins only when the group is locked.
    fn require_info_editor(&self, actor: &str, group: &str) -> WaResult<()> {
        let role = self.role(actor, group)?;
        if self.get(group)?.settings.locked && !role.is_admin() {
            return Err(WaError::NOT_AUTHORIZED);
        }
        Ok(())
    }

    /// Adds `phone` as a member (no rules), keeping community membership in step.
    fn join(&mut self, group: &str, phone: &str) {
        let now = self.now;
        let parent = match self.groups.get_mut(group) {
            Some(g) => {
                g.pending.remove(phone);
                if g.member(phone).is_none() {
                    g.participants.push(Member {
                        phone: phone.to_string(),
                        role: Role::Member,
                        join_time: now,
                    });
                }
                g.parent.clone()
            }
            None => None,
        };
        // Members of a subgroup are members of its community.
        if let Some(p) = parent
            && let Some(pg) = self.groups.get_mut(&p)
            && pg.member(phone).is_none()
        {
            pg.participants.push(Member {
                phone: phone.to_string(),
                role: Role::Member,
                join_time: now,
            });
        }
    }

    // ---- groups ----------------------------------------------------------------------------

    /// `<create>`: the actor becomes superadmin; listed participants are added with per-participant
    /// outcomes like `add_participants` (privacy 403 + add_request, unknown 404). A community
    /// (`is_parent`) also gets its announcement group (`is_default_sub`, announce on).
    pub fn create_group(
        &mut self,
        actor: &str,
        opts: CreateOptions,
    ) -> WaResult<(GroupId, Vec<ParticipantOutcome>, Vec<Notice>)> {
        if self.account(actor).is_none() {
            return Err(WaError::NOT_FOUND);
        }
        check_subject(&opts.subject)?;
        if opts
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            return Err(WaError::BAD_REQUEST);
        }
        if let Some(p) = &opts.parent {
            let parent = self.get(p)?;
            if !parent.is_parent {
                return Err(WaError::BAD_REQUEST);
            }
            self.require_admin(actor, p)?;
        }
        let id = self.new_group_id();
        let code = self.new_invite_code();
        let now = self.now;
        let mut participants = vec![Member {
            phone: actor.to_string(),
            role: Role::SuperAdmin,
            join_time: now,
        }];
        let mut outcomes = Vec::new();
        for phone in opts.participants.iter().filter(|p| p.as_str() != actor) {
            let outcome = match self.account(phone) {
                None => refused(phone, 404),
                Some(a) if a.blocks_direct_adds => self.privacy_refusal(phone),
                Some(_) if participants.iter().any(|m| &m.phone == phone) => refused(phone, 409),
                Some(_) if participants.len() >= MAX_GROUP_SIZE => refused(phone, 419),
                Some(_) => {
                    participants.push(Member {
                        phone: phone.clone(),
                        role: Role::Member,
                        join_time: now,
                    });
                    ok(phone)
                }
            };
            outcomes.push(outcome);
        }
        let description = opts.description.as_ref().map(|body| Description {
            id: format!("{}", self.next_id + 1000),
            body: body.clone(),
            setter: actor.to_string(),
            time: now,
        });
        let group = Group {
            id: id.clone(),
            subject: opts.subject.clone(),
            subject_owner: Some(actor.to_string()),
            subject_time: now,
            creator: actor.to_string(),
            creation: now,
            description,
            participants: participants.clone(),
            settings: opts.settings,
            addressing: AddressingMode::Lid,
            invite_code: code,
            pending: Pending::default(),
            is_parent: opts.is_parent,
            parent: opts.parent.clone(),
            is_default_sub: false,
            picture_id: None,
        };
        self.groups.insert(id.clone(), group);
        let recipients: Vec<Phone> = participants.iter().map(|m| m.phone.clone()).collect();
        let mut notices = vec![self.notice(&id, actor, NoticeAction::Create, recipients.clone())];
        if opts.is_parent {
            let ann_id = self.new_group_id();
            let ann_code = self.new_invite_code();
            let ann = Group {
                id: ann_id.clone(),
                is_parent: false,
                parent: Some(id.clone()),
                is_default_sub: true,
                invite_code: ann_code,
                settings: Settings {
                    announce: true,
                    ..opts.settings
                },
                description: None,
                ..self.groups[&id].clone()
            };
            self.groups.insert(ann_id.clone(), ann);
            notices.push(self.notice(&ann_id, actor, NoticeAction::Create, recipients));
        } else if opts.parent.is_some() {
            // Everyone in a subgroup is in its community.
            for m in &participants {
                self.join(&id, &m.phone);
            }
        }
        Ok((id, outcomes, notices))
    }

    fn privacy_refusal(&mut self, phone: &str) -> ParticipantOutcome {
        let code = self.new_invite_code();
        ParticipantOutcome {
            phone: phone.to_string(),
            error: Some(403),
            add_request: Some((code, self.now + 3 * 86_400)),
        }
    }

    pub fn add_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        let role = self.role(actor, group)?;
        if self.get(group)?.settings.admin_add_only && !role.is_admin() {
            return Err(WaError::NOT_AUTHORIZED);
        }
        let mut outcomes = Vec::new();
        let mut added = Vec::new();
        for phone in phones {
            let g = self.get(group)?;
            let outcome = match self.account(phone) {
                None => refused(phone, 404),
                Some(_) if g.member(phone).is_some() => refused(phone, 409),
                Some(_) if g.participants.len() >= MAX_GROUP_SIZE => refused(phone, 419),
                Some(a) if a.blocks_direct_adds => self.privacy_refusal(phone),
                Some(_) => {
                    self.join(group, phone);
                    added.push(phone.clone());
                    ok(phone)
                }
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !added.is_empty() {
            let recipients = self.members_of(group);
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::Add {
                    participants: added,
                    reason: None,
                },
                recipients,
            ));
        }
        Ok((outcomes, notices))
    }

    pub fn remove_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        let actor_role = self.role(actor, group)?;
        let mut outcomes = Vec::new();
        let mut removed = Vec::new();
        for phone in phones {
            let g = self.get_mut(group)?;
            let outcome = match g.role_of(phone) {
                None => refused(phone, 404),
                Some(Role::SuperAdmin) if actor_role != Role::SuperAdmin => refused(phone, 403),
                Some(_) => {
                    g.participants.retain(|m| &m.phone != phone);
                    removed.push(phone.clone());
                    ok(phone)
                }
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !removed.is_empty() {
            let mut recipients = self.members_of(group);
            recipients.extend(removed.iter().cloned());
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::Remove {
                    participants: removed,
                },
                recipients,
            ));
        }
        Ok((outcomes, notices))
    }

    /// Removes people from a community and every group in it (`remove linked_groups="true"` on
    /// the parent): the answer is the parent's; each group they leave is notified.
    pub fn remove_from_community(
        &mut self,
        actor: &str,
        parent: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_community_admin(actor, parent)?;
        let (outcomes, mut notices) = self.remove_participants(actor, parent, phones)?;
        let subs: Vec<GroupId> = self
            .subgroups(parent)
            .iter()
            .map(|g| g.id.clone())
            .collect();
        for sub in subs {
            let mut removed = Vec::new();
            if let Some(g) = self.groups.get_mut(&sub) {
                for phone in phones {
                    if g.member(phone).is_some() {
                        g.participants.retain(|m| &m.phone != phone);
                        removed.push(phone.clone());
                    }
                }
            }
            if !removed.is_empty() {
                let mut recipients = self.members_of(&sub);
                recipients.extend(removed.iter().cloned());
                notices.push(self.notice(
                    &sub,
                    actor,
                    NoticeAction::Remove {
                        participants: removed,
                    },
                    recipients,
                ));
            }
        }
        Ok((outcomes, notices))
    }

    pub fn promote_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.change_roles(actor, group, phones, true)
    }

    pub fn demote_participants(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.change_roles(actor, group, phones, false)
    }

    fn change_roles(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
        promote: bool,
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        let actor_role = self.role(actor, group)?;
        let mut outcomes = Vec::new();
        let mut changed = Vec::new();
        let g = self.get_mut(group)?;
        for phone in phones {
            let outcome = match g.participants.iter_mut().find(|m| &m.phone == phone) {
                None => refused(phone, 404),
                Some(m) => match (promote, m.role) {
                    (true, Role::Member) => {
                        m.role = Role::Admin;
                        changed.push(phone.clone());
                        ok(phone)
                    }
                    (true, _) | (false, Role::Member) => ok(phone),
                    (false, Role::SuperAdmin) if actor_role != Role::SuperAdmin => {
                        refused(phone, 403)
                    }
                    (false, _) => {
                        m.role = Role::Member;
                        changed.push(phone.clone());
                        ok(phone)
                    }
                },
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !changed.is_empty() {
            let action = if promote {
                NoticeAction::Promote {
                    participants: changed,
                }
            } else {
                NoticeAction::Demote {
                    participants: changed,
                }
            };
            let recipients = self.members_of(group);
            notices.push(self.notice(group, actor, action, recipients));
        }
        Ok((outcomes, notices))
    }

    pub fn set_subject(
        &mut self,
        actor: &str,
        group: &str,
        subject: &str,
    ) -> WaResult<Vec<Notice>> {
        self.require_info_editor(actor, group)?;
        check_subject(subject)?;
        let now = self.now;
        let g = self.get_mut(group)?;
        g.subject = subject.to_string();
        g.subject_owner = Some(actor.to_string());
        g.subject_time = now;
        let recipients = self.members_of(group);
        Ok(vec![self.notice(
            group,
            actor,
            NoticeAction::Subject {
                subject: subject.to_string(),
            },
            recipients,
        )])
    }

    /// `prev` is the description id the client believes current; a mismatch answers 409.
    /// `body: None` deletes the description.
    pub fn set_description(
        &mut self,
        actor: &str,
        group: &str,
        new_id: &str,
        prev: Option<&str>,
        body: Option<&str>,
    ) -> WaResult<Vec<Notice>> {
        self.require_info_editor(actor, group)?;
        if body.is_some_and(|b| b.chars().count() > MAX_DESCRIPTION_CHARS) {
            return Err(WaError::BAD_REQUEST);
        }
        let now = self.now;
        let g = self.get_mut(group)?;
        if g.description.as_ref().map(|d| d.id.as_str()) != prev {
            return Err(WaError::CONFLICT);
        }
        g.description = body.map(|b| Description {
            id: new_id.to_string(),
            body: b.to_string(),
            setter: actor.to_string(),
            time: now,
        });
        let recipients = self.members_of(group);
        Ok(vec![self.notice(
            group,
            actor,
            NoticeAction::Description {
                id: new_id.to_string(),
                body: body.map(str::to_string),
            },
            recipients,
        )])
    }

    /// Applies a setting change; a notice only if something changed.
    fn set_setting(
        &mut self,
        actor: &str,
        group: &str,
        admin_only: bool,
        apply: impl FnOnce(&mut Settings) -> Option<NoticeAction>,
    ) -> WaResult<Vec<Notice>> {
        if admin_only {
            self.require_admin(actor, group)?;
        } else {
            self.require_info_editor(actor, group)?;
        }
        let g = self.get_mut(group)?;
        let Some(action) = apply(&mut g.settings) else {
            return Ok(Vec::new());
        };
        let recipients = self.members_of(group);
        Ok(vec![self.notice(group, actor, action, recipients)])
    }

    pub fn set_locked(&mut self, actor: &str, group: &str, locked: bool) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.locked != locked).then(|| {
                s.locked = locked;
                if locked {
                    NoticeAction::Locked
                } else {
                    NoticeAction::Unlocked
                }
            })
        })
    }

    pub fn set_announce(
        &mut self,
        actor: &str,
        group: &str,
        announce: bool,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.announce != announce).then(|| {
                s.announce = announce;
                if announce {
                    NoticeAction::Announce
                } else {
                    NoticeAction::NotAnnounce
                }
            })
        })
    }

    pub fn set_ephemeral(
        &mut self,
        actor: &str,
        group: &str,
        expiration: u32,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, false, |s| {
            (s.ephemeral != expiration).then(|| {
                s.ephemeral = expiration;
                NoticeAction::Ephemeral { expiration }
            })
        })
    }

    pub fn set_approval(
        &mut self,
        actor: &str,
        group: &str,
        enabled: bool,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.approval != enabled).then(|| {
                s.approval = enabled;
                NoticeAction::MembershipApprovalMode { enabled }
            })
        })
    }

    pub fn set_admin_add_only(
        &mut self,
        actor: &str,
        group: &str,
        admin_only: bool,
    ) -> WaResult<Vec<Notice>> {
        self.set_setting(actor, group, true, |s| {
            (s.admin_add_only != admin_only).then(|| {
                s.admin_add_only = admin_only;
                NoticeAction::MemberAddMode {
                    mode: if admin_only {
                        "admin_add"
                    } else {
                        "all_member_add"
                    },
                }
            })
        })
    }

    pub fn leave(&mut self, actor: &str, group: &str) -> WaResult<Vec<Notice>> {
        let g = self.get_mut(group)?;
        if g.member(actor).is_none() {
            return Err(WaError::NOT_FOUND);
        }
        g.participants.retain(|m| m.phone != actor);
        let mut promoted = None;
        if !g.participants.is_empty() && g.admins().next().is_none() {
            // WhatsApp hands the group to the longest-standing member.
            if let Some(m) = g.participants.iter_mut().min_by_key(|m| m.join_time) {
                m.role = Role::Admin;
                promoted = Some(m.phone.clone());
            }
        }
        let empty = g.participants.is_empty();
        let mut recipients = self.members_of(group);
        recipients.push(actor.to_string());
        let mut notices = vec![self.notice(
            group,
            actor,
            NoticeAction::Remove {
                participants: vec![actor.to_string()],
            },
            recipients,
        )];
        if let Some(p) = promoted {
            let recipients = self.members_of(group);
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::Promote {
                    participants: vec![p],
                },
                recipients,
            ));
        }
        if empty {
            self.groups.remove(group);
        }
        Ok(notices)
    }

    /// The group's invite code; `reset` revokes the current one first (it then answers 410).
    pub fn invite_code(
        &mut self,
        actor: &str,
        group: &str,
        reset: bool,
    ) -> WaResult<(String, Vec<Notice>)> {
        self.require_admin(actor, group)?;
        if !reset {
            return Ok((self.get(group)?.invite_code.clone(), Vec::new()));
        }
        let fresh = self.new_invite_code();
        let g = self.get_mut(group)?;
        let old = std::mem::replace(&mut g.invite_code, fresh.clone());
        self.revoked_codes.insert(old, group.to_string());
        let recipients = self.admins_of(group);
        Ok((
            fresh,
            vec![self.notice(group, actor, NoticeAction::InviteRevoked, recipients)],
        ))
    }

    /// Invite preview: 404 unknown code, 410 revoked code.
    pub fn invite_info(&self, code: &str) -> WaResult<&Group> {
        if let Some(g) = self.groups.values().find(|g| g.invite_code == code) {
            return Ok(g);
        }
        if self.revoked_codes.contains_key(code) {
            return Err(WaError::GONE);
        }
        Err(WaError::NOT_FOUND)
    }

    pub fn join_by_code(
        &mut self,
        actor: &str,
        code: &str,
    ) -> WaResult<(JoinOutcome, Vec<Notice>)> {
        if self.account(actor).is_none() {
            return Err(WaError::NOT_FOUND);
        }
        let g = self.invite_info(code)?;
        let id = g.id.clone();
        if g.member(actor).is_some() {
            return Err(WaError::ALREADY_MEMBER);
        }
        if g.participants.len() >= MAX_GROUP_SIZE {
            return Err(WaError::GROUP_FULL);
        }
        if g.settings.approval {
            if g.pending.contains(actor) {
                return Ok((JoinOutcome::Pending(id), Vec::new()));
            }
            let notices = self.request_join(actor, &id, RequestMethod::InviteLink, None)?;
            return Ok((JoinOutcome::Pending(id), notices));
        }
        self.join(&id, actor);
        let recipients = self.members_of(&id);
        let notice = self.notice(
            &id,
            actor,
            NoticeAction::Add {
                participants: vec![actor.to_string()],
                reason: Some("invite"),
            },
            recipients,
        );
        Ok((JoinOutcome::Joined(id), vec![notice]))
    }

    /// A simulated user asks to join (as if through a link or a community): a pending request
    /// and `CreatedMembershipRequests` to the admins. 304 if already a member, 409 if already pending.
    pub fn request_join(
        &mut self,
        actor: &str,
        group: &str,
        method: RequestMethod,
        parent: Option<GroupId>,
    ) -> WaResult<Vec<Notice>> {
        let now = self.now;
        let g = self.get_mut(group)?;
        if g.member(actor).is_some() {
            return Err(WaError::ALREADY_MEMBER);
        }
        if g.pending.contains(actor) {
            return Err(WaError::CONFLICT);
        }
        g.pending.push(PendingRequest {
            phone: actor.to_string(),
            time: now,
            method,
            parent: parent.clone(),
        });
        let mut recipients = self.admins_of(group);
        recipients.push(actor.to_string());
        Ok(vec![self.notice(
            group,
            actor,
            NoticeAction::CreatedMembershipRequests {
                method,
                parent,
                requesters: vec![actor.to_string()],
            },
            recipients,
        )])
    }

    pub fn membership_requests(&self, actor: &str, group: &str) -> WaResult<Vec<PendingRequest>> {
        self.require_admin(actor, group)?;
        Ok(self.get(group)?.pending.to_vec())
    }

    pub fn approve_requests(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        let mut outcomes = Vec::new();
        let mut added = Vec::new();
        for phone in phones {
            let g = self.get(group)?;
            let outcome = if !g.pending.contains(phone) {
                refused(phone, 404)
            } else if g.participants.len() >= MAX_GROUP_SIZE {
                refused(phone, 419)
            } else {
                self.join(group, phone);
                added.push(phone.clone());
                ok(phone)
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !added.is_empty() {
            let recipients = self.members_of(group);
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::Add {
                    participants: added,
                    reason: None,
                },
                recipients,
            ));
        }
        Ok((outcomes, notices))
    }

    pub fn reject_requests(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.require_admin(actor, group)?;
        self.withdraw(actor, group, phones, false)
    }

    /// The requester withdraws their own request(s): `phones` must be the actor's own.
    pub fn cancel_requests(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
    ) -> WaResult<Outcomes> {
        self.get(group)?;
        self.withdraw(actor, group, phones, true)
    }

    fn withdraw(
        &mut self,
        actor: &str,
        group: &str,
        phones: &[Phone],
        own_only: bool,
    ) -> WaResult<Outcomes> {
        let mut outcomes = Vec::new();
        let mut gone = Vec::new();
        let g = self.get_mut(group)?;
        for phone in phones {
            let outcome = if own_only && phone != actor {
                refused(phone, 403)
            } else if !g.pending.contains(phone) {
                refused(phone, 404)
            } else {
                g.pending.remove(phone);
                gone.push(phone.clone());
                ok(phone)
            };
            outcomes.push(outcome);
        }
        let mut notices = Vec::new();
        if !gone.is_empty() {
            let mut recipients = self.admins_of(group);
            recipients.extend(gone.iter().cloned());
            notices.push(self.notice(
                group,
                actor,
                NoticeAction::RevokedMembershipRequests { participants: gone },
                recipients,
            ));
        }
        Ok((outcomes, notices))
    }

    /// Sets (`Some(jpeg)`) or removes (`None`) the group picture; returns the new picture id.
    pub fn set_picture(
        &mut self,
        actor: &str,
        group: &str,
        jpeg: Option<&[u8]>,
    ) -> WaResult<(Option<String>, Vec<Notice>)> {
        self.require_info_editor(actor, group)?;
        if jpeg.is_some_and(<[u8]>::is_empty) {
            return Err(WaError::BAD_REQUEST);
        }
        let new_id = jpeg.map(|_| format!("{}", 1_000_000 + self.fresh()));
        let g = self.get_mut(group)?;
        if new_id.is_none() && g.picture_id.is_none() {
            return Ok((None, Vec::new()));
        }
        g.picture_id = new_id.clone();
        let recipients = self.members_of(group);
        let notice = self.notice(
            group,
            actor,
            NoticeAction::Picture { id: new_id.clone() },
            recipients,
        );
        Ok((new_id, vec![notice]))
    }

    // ---- communities -----------------------------------------------------------------------

    pub fn subgroups(&self, parent: &str) -> Vec<&Group> {
        self.groups
            .values()
            .filter(|g| g.parent.as_deref() == Some(parent))
            .collect()
    }

    /// The subgroups of a community, announcement group first, as its members may list them:
    /// 404 unknown or not a community, 403 not a member.
    pub fn community_subgroups(&self, actor: &str, parent: &str) -> WaResult<Vec<&Group>> {
        if !self.get(parent)?.is_parent {
            return Err(WaError::NOT_FOUND);
        }
        self.role(actor, parent)?;
        let mut subs = self.subgroups(parent);
        subs.sort_by(|a, b| {
            b.is_default_sub
                .cmp(&a.is_default_sub)
                .then_with(|| a.subject.cmp(&b.subject))
        });
        Ok(subs)
    }

    fn require_community_admin(&self, actor: &str, parent: &str) -> WaResult<()> {
        if !self.get(parent)?.is_parent {
            return Err(WaError::BAD_REQUEST);
        }
        self.require_admin(actor, parent)
    }

    /// Per subgroup: `None` = linked, `Some(code)` = refused (404 unknown, 401 not admin there,
    /// 406 already in a community).
    pub fn link_subgroups(
        &mut self,
        actor: &str,
        parent: &str,
        subgroups: &[GroupId],
    ) -> WaResult<LinkOutcomes> {
        self.require_community_admin(actor, parent)?;
        let mut results = Vec::new();
        let mut linked = Vec::new();
        for sub in subgroups {
            let code = match self.groups.get(sub) {
                None => Some(404),
                Some(g) if !g.is_admin(actor) => Some(401),
                Some(g) if g.parent.is_some() || g.is_parent => Some(406),
                Some(_) => None,
            };
            if code.is_none() {
                if let Some(g) = self.groups.get_mut(sub) {
                    g.parent = Some(parent.to_string());
                }
                for m in self.members_of(sub) {
                    self.join_parent_only(parent, &m);
                }
                linked.push(sub.clone());
            }
            results.push((sub.clone(), code));
        }
        let mut notices = Vec::new();
        if !linked.is_empty() {
            let mut recipients = self.members_of(parent);
            for s in &linked {
                recipients.extend(self.members_of(s));
            }
            recipients.sort();
            recipients.dedup();
            notices.push(self.notice(
                parent,
                actor,
                NoticeAction::Link { subgroups: linked },
                recipients,
            ));
        }
        Ok((results, notices))
    }

    fn join_parent_only(&mut self, parent: &str, phone: &str) {
        let now = self.now;
        if let Some(p) = self.groups.get_mut(parent)
            && p.member(phone).is_none()
        {
            p.participants.push(Member {
                phone: phone.to_string(),
                role: Role::Member,
                join_time: now,
            });
        }
    }

    pub fn unlink_subgroups(
        &mut self,
        actor: &str,
        parent: &str,
        subgroups: &[GroupId],
        remove_orphans: bool,
    ) -> WaResult<LinkOutcomes> {
        self.require_community_admin(actor, parent)?;
        let mut results = Vec::new();
        let mut unlinked = Vec::new();
        for sub in subgroups {
            let code = match self.groups.get(sub) {
                Some(g) if g.parent.as_deref() != Some(parent) => Some(404),
                None => Some(404),
                Some(g) if g.is_default_sub => Some(406),
                Some(_) => None,
            };
            if code.is_none() {
                let members = self.members_of(sub);
                if let Some(g) = self.groups.get_mut(sub) {
                    g.parent = None;
                }
                if remove_orphans {
                    let still: Vec<Phone> = self
                        .subgroups(parent)
                        .iter()
                        .filter(|g| !g.is_default_sub)
                        .flat_map(|g| g.participants.iter().map(|m| m.phone.clone()))
                        .collect();
                    if let Some(p) = self.groups.get_mut(parent) {
                        p.participants.retain(|m| {
                            m.role.is_admin()
                                || !members.contains(&m.phone)
                                || still.contains(&m.phone)
                        });
                    }
                }
                unlinked.push(sub.clone());
            }
            results.push((sub.clone(), code));
        }
        let mut notices = Vec::new();
        if !unlinked.is_empty() {
            let mut recipients = self.members_of(parent);
            for s in &unlinked {
                recipients.extend(self.members_of(s));
            }
            recipients.sort();
            recipients.dedup();
            notices.push(self.notice(
                parent,
                actor,
                NoticeAction::Unlink {
                    subgroups: unlinked,
                },
                recipients,
            ));
        }
        Ok((results, notices))
    }

    /// Deactivates the community: the parent and its announcement group go, subgroups stay as
    /// plain groups.
    pub fn deactivate_community(&mut self, actor: &str, parent: &str) -> WaResult<Vec<Notice>> {
        self.require_community_admin(actor, parent)?;
        let recipients = self.members_of(parent);
        let subs: Vec<(GroupId, bool)> = self
            .subgroups(parent)
            .iter()
            .map(|g| (g.id.clone(), g.is_default_sub))
            .collect();
        let mut notices = Vec::new();
        for (id, announcement) in subs {
            if announcement {
                let members = self.members_of(&id);
                notices.push(self.notice(&id, actor, NoticeAction::Delete, members));
                self.groups.remove(&id);
            } else if let Some(g) = self.groups.get_mut(&id) {
                g.parent = None;
            }
        }
        self.groups.remove(parent);
        notices.insert(
            0,
            self.notice(parent, actor, NoticeAction::Delete, recipients),
        );
        Ok(notices)
    }

    /// The merged participants of the community and all its subgroups, with their highest role.
    pub fn linked_participants(&self, actor: &str, parent: &str) -> WaResult<Vec<Member>> {
        self.role(actor, parent)?;
        let mut merged: BTreeMap<Phone, Member> = BTreeMap::new();
        let parent_group = self.get(parent)?;
        for g in std::iter::once(parent_group).chain(self.subgroups(parent)) {
            for m in &g.participants {
                let e = merged.entry(m.phone.clone()).or_insert_with(|| m.clone());
                if m.role > e.role {
                    e.role = m.role;
                }
            }
        }
        Ok(merged.into_values().collect())
    }

    /// A community member joins one of its subgroups (a pending `LinkedGroupJoin` request if the
    /// subgroup needs approval).
    pub fn join_linked_group(
        &mut self,
        actor: &str,
        parent: &str,
        subgroup: &str,
    ) -> WaResult<(JoinOutcome, Vec<Notice>)> {
        self.role(actor, parent)?;
        let sub = self.get(subgroup)?;
        if sub.parent.as_deref() != Some(parent) {
            return Err(WaError::NOT_FOUND);
        }
        if sub.member(actor).is_some() {
            return Err(WaError::ALREADY_MEMBER);
        }
        if sub.settings.approval {
            let notices = self.request_join(
                actor,
                subgroup,
                RequestMethod::LinkedGroupJoin,
                Some(parent.to_string()),
            )?;
            return Ok((JoinOutcome::Pending(subgroup.to_string()), notices));
        }
        if sub.participants.len() >= MAX_GROUP_SIZE {
            return Err(WaError::GROUP_FULL);
        }
        self.join(subgroup, actor);
        let recipients = self.members_of(subgroup);
        let notice = self.notice(
            subgroup,
            actor,
            NoticeAction::Add {
                participants: vec![actor.to_string()],
                reason: None,
            },
            recipients,
        );
        Ok((JoinOutcome::Joined(subgroup.to_string()), vec![notice]))
    }
}

#[cfg(test)]
#[path = "world_tests.rs"]
mod tests;
