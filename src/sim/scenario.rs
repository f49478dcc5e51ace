//! Scenario files: a simulated world (accounts, groups, communities, pending requests) and a
//! script of live activity, in TOML. The demo world ships in `assets/demo-world.toml`.
//!
//! ```toml
//! [[operators]]                      # accounts that can link a device; the first is the default
//! phone = "15550001111"
//! name = "Dana Moderator"
//!
//! [[accounts]]                       # other named accounts
//! phone = "15550004444"
//! name = "Pat Private"
//! blocks_direct_adds = true          # privacy: a direct add answers 403 + an invite code
//! # refuses_adds = 463               # adds answer this code (406, 463 no privacy token, 500)
//!
//! [population]                       # generated members: phones are prefix + 4 digits
//! count = 1200
//! phone_prefix = "1555020"
//! privacy_blocked_every = 17         # every 17th blocks direct adds (0 = none)
//!
//! [[groups]]
//! key = "support"                    # how activity and communities refer to it
//! subject = "Customer Support"
//! description = "optional"
//! size = 40                          # filled up from the population
//! roles = { "15550001111" = "superadmin", "15550002222" = "admin" }
//! members = ["15550004444"]          # extra named members
//! approval = true                    # also: announce, locked, admin_add_only, ephemeral (secs)
//! pending = 12                       # generated pending join requests
//!
//! [[communities]]
//! key = "riverside"
//! subject = "Riverside Community"
//! subgroups = ["garden", "safety"]   # keys of groups above
//! roles = { "15550001111" = "superadmin" }
//!
//! [server]
//! min_version = "2.3000.1030000000"  # older clients get <failure reason="405"> (default: any)
//! lid_answers = "lid_with_phone"     # LID groups name people in answers by LID with phone_number
//!                                    # (default), "lid_only", or "as_asked" (echo the request)
//! echo_to_actor = false              # the acting device gets no notification of its change
//! offline_queue = 1000               # notifications kept per offline device (0: none)
//! read_budget = 100                  # group reads per account and window, then 429 (default 100)
//! read_window_secs = 60              # the window (default 60)
//!
//! [[login_failures]]                 # refuse this account's next logins, as WhatsApp does
//! phone = "15550001111"
//! reason = 402                       # 402 temporary ban, 403 locked, 405 outdated, 503 outage
//! expire = 3600                      # 402: the ban's length in seconds; code = 103: its reason
//! count = 1
//!
//! [[activity]]                       # played in real time by `Simulator::play_activity`
//! after_ms = 5000
//! kind = "request_join"              # request_join, cancel_request, join_by_link, leave, add,
//! group = "support"                  # remove, promote, demote, subject, description,
//! phone = "15550200017"              # announce, locked, approval
//! # actor = "15550002222"            # for admin actions; subject = "..."; body = "..."; on = true
//! # kind = "kick", phone = "…", reason = "replaced" | "removed": no group; WhatsApp ends the
//! #   account's device connections
//! # kind = "change_number", phone = "…", to = "…": no group; the account's new number (<modify>)
//! # kind = "migrate_lid", group = "…": the group moves to LID addressing
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::endings::{Kick, LoginFailure, Version, parse_version};
use super::rng::splitmix64;
use super::shapes::LidAnswers;
use super::world::{
    Account, AddressingMode, Description, Group, GroupId, MAX_GROUP_SIZE, Member, PendingRequest,
    Phone, RequestMethod, Role, Settings, World,
};

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read the scenario: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid scenario TOML: {0}")]
    Toml(String),
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

pub struct Scenario {
    pub world: World,
    /// Accounts that can pair a device. The first is the default operator a QR scan pairs to.
    pub operators: Vec<Phone>,
    /// Scenario group key -> generated group id.
    pub group_keys: BTreeMap<String, GroupId>,
    /// Scripted live activity, ordered by `after_ms`.
    pub activity: Vec<ScriptedActivity>,
    /// `[server] min_version`.
    pub min_version: Option<Version>,
    /// `[[login_failures]]`: (phone, refusal, how many logins).
    pub login_failures: Vec<(Phone, LoginFailure, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedActivity {
    pub after_ms: u64,
    pub activity: Activity,
}

/// Something a simulated person does. `group` is a generated group id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    /// WhatsApp ends the account's device connections (`endings::kick`).
    Kick {
        phone: Phone,
        how: Kick,
    },
    /// The account `phone` gets the number `to` (same LID).
    ChangeNumber {
        phone: Phone,
        to: Phone,
    },
    /// The group moves to LID addressing.
    MigrateToLid {
        group: GroupId,
    },
    RequestJoin {
        phone: Phone,
        group: GroupId,
    },
    CancelRequest {
        phone: Phone,
        group: GroupId,
    },
    JoinByLink {
        phone: Phone,
        group: GroupId,
    },
    Leave {
        phone: Phone,
        group: GroupId,
    },
    Add {
        actor: Phone,
        group: GroupId,
        phone: Phone,
    },
    Remove {
        actor: Phone,
        group: GroupId,
        phone: Phone,
    },
    Promote {
        actor: Phone,
        group: GroupId,
        phone: Phone,
    },
    Demote {
        actor: Phone,
        group: GroupId,
        phone: Phone,
    },
    Subject {
        actor: Phone,
        group: GroupId,
        subject: String,
    },
    Description {
        actor: Phone,
        group: GroupId,
        body: String,
    },
    Announce {
        actor: Phone,
        group: GroupId,
        on: bool,
    },
    Locked {
        actor: Phone,
        group: GroupId,
        on: bool,
    },
    Approval {
        actor: Phone,
        group: GroupId,
        on: bool,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    operators: Vec<AccountSpec>,
    #[serde(default)]
    accounts: Vec<AccountSpec>,
    population: Option<PopulationSpec>,
    #[serde(default)]
    groups: Vec<GroupSpec>,
    #[serde(default)]
    communities: Vec<CommunitySpec>,
    #[serde(default)]
    activity: Vec<ActivitySpec>,
    server: Option<ServerSpec>,
    #[serde(default)]
    login_failures: Vec<LoginFailureSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSpec {
    min_version: Option<String>,
    lid_answers: Option<String>,
    #[serde(default = "yes")]
    echo_to_actor: bool,
    offline_queue: Option<usize>,
    read_budget: Option<usize>,
    read_window_secs: Option<u64>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginFailureSpec {
    phone: String,
    reason: u16,
    expire: Option<u64>,
    code: Option<u16>,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountSpec {
    phone: String,
    name: String,
    lid: Option<String>,
    #[serde(default)]
    blocks_direct_adds: bool,
    refuses_adds: Option<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PopulationSpec {
    count: usize,
    phone_prefix: String,
    #[serde(default)]
    privacy_blocked_every: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSpec {
    key: String,
    subject: String,
    description: Option<String>,
    #[serde(default)]
    size: usize,
    #[serde(default)]
    roles: BTreeMap<String, String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    announce: bool,
    #[serde(default)]
    locked: bool,
    #[serde(default)]
    approval: bool,
    #[serde(default)]
    admin_add_only: bool,
    #[serde(default)]
    ephemeral: u32,
    #[serde(default)]
    pending: usize,
    addressing: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommunitySpec {
    key: String,
    subject: String,
    description: Option<String>,
    subgroups: Vec<String>,
    #[serde(default)]
    roles: BTreeMap<String, String>,
}

/// One activity as written: a scenario's `[[activity]]` entry or an admin route's query.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivitySpec {
    #[serde(default)]
    pub after_ms: u64,
    pub kind: String,
    /// A scenario group key (or a group id, for the admin route); none for `kick`.
    #[serde(default)]
    pub group: String,
    pub phone: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub on: Option<bool>,
    /// `kick`: `replaced` or `removed`.
    pub reason: Option<String>,
    /// `change_number`: the new number.
    pub to: Option<String>,
}

impl Activity {
    /// Builds the activity a spec describes; `group` is the spec's group resolved to an id.
    pub fn from_spec(spec: &ActivitySpec, group: GroupId) -> Result<Activity, String> {
        let need = |v: &Option<String>, field: &str| v.clone().ok_or(format!("missing {field}"));
        let phone = || need(&spec.phone, "phone");
        let actor = || need(&spec.actor, "actor");
        let on = spec.on.unwrap_or(true);
        Ok(match spec.kind.as_str() {
            "kick" => Activity::Kick {
                phone: phone()?,
                how: Kick::parse(spec.reason.as_deref().unwrap_or("replaced"))
                    .ok_or("reason must be replaced or removed")?,
            },
            "change_number" => Activity::ChangeNumber {
                phone: phone()?,
                to: need(&spec.to, "to")?,
            },
            "migrate_lid" => Activity::MigrateToLid { group },
            "request_join" => Activity::RequestJoin {
                phone: phone()?,
                group,
            },
            "cancel_request" => Activity::CancelRequest {
                phone: phone()?,
                group,
            },
            "join_by_link" => Activity::JoinByLink {
                phone: phone()?,
                group,
            },
            "leave" => Activity::Leave {
                phone: phone()?,
                group,
            },
            "add" => Activity::Add {
                actor: actor()?,
                group,
                phone: phone()?,
            },
            "remove" => Activity::Remove {
                actor: actor()?,
                group,
                phone: phone()?,
            },
            "promote" => Activity::Promote {
                actor: actor()?,
                group,
                phone: phone()?,
            },
            "demote" => Activity::Demote {
                actor: actor()?,
                group,
                phone: phone()?,
            },
            "subject" => Activity::Subject {
                actor: actor()?,
                group,
                subject: need(&spec.subject, "subject")?,
            },
            "description" => Activity::Description {
                actor: actor()?,
                group,
                body: need(&spec.body, "body")?,
            },
            "announce" => Activity::Announce {
                actor: actor()?,
                group,
                on,
            },
            "locked" => Activity::Locked {
                actor: actor()?,
                group,
                on,
            },
            "approval" => Activity::Approval {
                actor: actor()?,
                group,
                on,
            },
            other => return Err(format!("unknown kind \"{other}\"")),
        })
    }
}

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Luca", "Maya", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wen", "Ximena", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Alvarez", "Brooks", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Silva",
    "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang",
];

/// A LID derived from the phone: 15 digits starting with 1, stable across runs.
fn lid_for(phone: &str) -> String {
    let h = phone.bytes().fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
        splitmix64(h ^ u64::from(b))
    });
    format!("1{:014}", h % 100_000_000_000_000)
}

fn role(text: &str, what: &str) -> Result<Option<Role>, ScenarioError> {
    Ok(match text {
        "superadmin" => Some(Role::SuperAdmin),
        "admin" => Some(Role::Admin),
        "member" => Some(Role::Member),
        "none" => None,
        other => {
            return Err(ScenarioError::Invalid(format!(
                "{what}: unknown role \"{other}\" (superadmin, admin, member, none)"
            )));
        }
    })
}

fn digits(phone: &str, what: &str) -> Result<(), ScenarioError> {
    if phone.len() < 8 || phone.len() > 15 || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScenarioError::Invalid(format!(
            "{what}: \"{phone}\" is not a phone number (8-15 digits, no +)"
        )));
    }
    Ok(())
}

impl Scenario {
    pub fn load(path: &Path, now: i64) -> Result<Scenario, ScenarioError> {
        Self::parse(&std::fs::read_to_string(path)?, now)
    }

    /// The shipped demo world.
    pub fn demo(now: i64) -> Scenario {
        match Self::parse(include_str!("../../assets/demo-world.toml"), now) {
            Ok(s) => s,
            // Guarded by a unit test: the shipped file always parses.
            Err(e) => panic!("assets/demo-world.toml: {e}"),
        }
    }

    pub fn parse(text: &str, now: i64) -> Result<Scenario, ScenarioError> {
        let file: File = toml::from_str(text).map_err(|e| ScenarioError::Toml(e.to_string()))?;
        let mut b = Builder {
            world: World::new(now),
            now,
            operators: Vec::new(),
            population: Vec::new(),
            keys: BTreeMap::new(),
        };
        // Section by section, in this order: later sections refer to what earlier ones made,
        // and the order ids are drawn in keeps the generated world identical from run to run.
        b.add_accounts(&file.operators, &file.accounts)?;
        if let Some(p) = &file.population {
            b.add_population(p)?;
        }
        for (gi, spec) in file.groups.iter().enumerate() {
            b.add_group(gi, spec)?;
        }
        for c in &file.communities {
            b.add_community(c)?;
        }
        let activity = b.scripted_activity(&file.activity)?;
        let server = file.server.unwrap_or(ServerSpec {
            min_version: None,
            lid_answers: None,
            echo_to_actor: true,
            offline_queue: None,
            read_budget: None,
            read_window_secs: None,
        });
        let budget = &mut b.world.shapes.read_budget;
        budget.reads = server.read_budget.unwrap_or(budget.reads);
        if let Some(secs) = server.read_window_secs {
            budget.window = std::time::Duration::from_secs(secs.max(1));
        }
        b.world.shapes.no_echo = !server.echo_to_actor;
        if let Some(n) = server.offline_queue {
            b.world.shapes.offline_queue = n;
        }
        if let Some(a) = &server.lid_answers {
            b.world.shapes.lid_answers = LidAnswers::parse(a).ok_or_else(|| {
                ScenarioError::Invalid(format!(
                    "server.lid_answers {a:?}: expected as_asked, lid_with_phone or lid_only"
                ))
            })?;
        }
        let min_version = match server.min_version {
            Some(v) => Some(parse_version(&v).ok_or_else(|| {
                ScenarioError::Invalid(format!("server.min_version {v:?}: expected 2.3000.N"))
            })?),
            None => None,
        };
        let mut login_failures = Vec::new();
        for f in file.login_failures {
            if b.world.account(&f.phone).is_none() {
                return Err(ScenarioError::Invalid(format!(
                    "login_failures: no account {}",
                    f.phone
                )));
            }
            let failure = LoginFailure {
                reason: f.reason,
                expire: f.expire,
                code: f.code,
            };
            login_failures.push((f.phone, failure, f.count));
        }
        Ok(Scenario {
            world: b.world,
            operators: b.operators,
            group_keys: b.keys,
            activity,
            min_version,
            login_failures,
        })
    }
}

/// The world under construction while a scenario file is read, plus what later sections look up.
struct Builder {
    world: World,
    now: i64,
    operators: Vec<Phone>,
    /// The generated accounts, in order: groups fill up from them.
    population: Vec<Phone>,
    /// Scenario group (and community) key -> generated group id.
    keys: BTreeMap<String, GroupId>,
}

impl Builder {
    /// `[[operators]]` then `[[accounts]]`: every phone valid and listed once.
    fn add_accounts(
        &mut self,
        operators: &[AccountSpec],
        accounts: &[AccountSpec],
    ) -> Result<(), ScenarioError> {
        for (i, a) in operators.iter().chain(accounts).enumerate() {
            digits(&a.phone, "account")?;
            if self.world.account(&a.phone).is_some() {
                return Err(ScenarioError::Invalid(format!(
                    "account {} listed twice",
                    a.phone
                )));
            }
            self.world.add_account(Account {
                phone: a.phone.clone(),
                lid: a.lid.clone().unwrap_or_else(|| lid_for(&a.phone)),
                name: a.name.clone(),
                blocks_direct_adds: a.blocks_direct_adds,
                add_refusal: a.refuses_adds,
            });
            if i < operators.len() {
                self.operators.push(a.phone.clone());
            }
        }
        Ok(())
    }

    /// `[population]`: generated accounts with generated names (at most 10,000); phones already
    /// taken by named accounts are skipped.
    fn add_population(&mut self, p: &PopulationSpec) -> Result<(), ScenarioError> {
        digits(
            &format!("{}0000", p.phone_prefix),
            "population.phone_prefix",
        )?;
        for i in 0..p.count.min(10_000) {
            let phone = format!("{}{:04}", p.phone_prefix, i);
            let h = splitmix64(i as u64 ^ 0xA11CE);
            let name = format!(
                "{} {}",
                FIRST[(h % FIRST.len() as u64) as usize],
                LAST[((h >> 16) % LAST.len() as u64) as usize]
            );
            let blocks = p.privacy_blocked_every > 0
                && i % p.privacy_blocked_every == p.privacy_blocked_every - 1;
            if self.world.account(&phone).is_none() {
                self.world.add_account(Account {
                    lid: lid_for(&phone),
                    phone: phone.clone(),
                    name,
                    blocks_direct_adds: blocks,
                    add_refusal: None,
                });
                self.population.push(phone);
            }
        }
        Ok(())
    }

    fn known(&self, phone: &str, what: &str) -> Result<(), ScenarioError> {
        if self.world.account(phone).is_none() {
            return Err(ScenarioError::Invalid(format!(
                "{what}: unknown account {phone}"
            )));
        }
        Ok(())
    }

    /// A section's `roles`, or the first operator as superadmin when it names none.
    fn roles_or_default(&self, roles: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut roles = roles.clone();
        if roles.is_empty()
            && let Some(op) = self.operators.first()
        {
            roles.insert(op.clone(), "superadmin".into());
        }
        roles
    }

    /// One `[[groups]]` entry: its named people, filled up to `size` from the population, plus
    /// generated pending requests.
    fn add_group(&mut self, gi: usize, spec: &GroupSpec) -> Result<(), ScenarioError> {
        if self.keys.contains_key(&spec.key) {
            return Err(ScenarioError::Invalid(format!(
                "group key \"{}\" used twice",
                spec.key
            )));
        }
        let now = self.now;
        let id = self.world.new_group_id();
        let what = format!("group \"{}\"", spec.key);
        let mut participants = self.named_members(spec, &what)?;
        if spec.size > MAX_GROUP_SIZE {
            return Err(ScenarioError::Invalid(format!("{what}: size over 1024")));
        }
        let mut taken: HashSet<Phone> = participants.iter().map(|m| m.phone.clone()).collect();
        // Each group starts at its own place in the population, so groups overlap only partly.
        let start = gi * 97;
        self.fill_from_population(&mut participants, &mut taken, spec.size, start);
        if participants.len() < spec.size {
            return Err(ScenarioError::Invalid(format!(
                "{what}: size {} but only {} people available",
                spec.size,
                participants.len()
            )));
        }
        let pending = self.generated_pending(&taken, spec.pending, start);
        let creator = participants
            .iter()
            .find(|m| m.role == Role::SuperAdmin)
            .or(participants.first())
            .map(|m| m.phone.clone())
            .unwrap_or_default();
        let invite_code = self.world.new_invite_code();
        self.world.insert_group(Group {
            id: id.clone(),
            subject: spec.subject.clone(),
            subject_owner: Some(creator.clone()),
            subject_time: now - 86_400 * 60,
            creator: creator.clone(),
            creation: now - 86_400 * 120,
            description: spec.description.as_ref().map(|body| Description {
                id: format!("D{}", gi + 1),
                body: body.clone(),
                setter: creator.clone(),
                time: now - 86_400 * 60,
            }),
            participants,
            settings: Settings {
                announce: spec.announce,
                locked: spec.locked,
                approval: spec.approval,
                admin_add_only: spec.admin_add_only,
                ephemeral: spec.ephemeral,
            },
            addressing: addressing(spec.addressing.as_deref(), &what)?,
            invite_code,
            pending: pending.into(),
            is_parent: false,
            parent: None,
            is_default_sub: false,
            picture_id: None,
        });
        self.keys.insert(spec.key.clone(), id);
        Ok(())
    }

    /// The people a group entry names: `roles` (or the default operator) then `members`.
    fn named_members(&self, spec: &GroupSpec, what: &str) -> Result<Vec<Member>, ScenarioError> {
        let now = self.now;
        let mut participants: Vec<Member> = Vec::new();
        for (phone, r) in &self.roles_or_default(&spec.roles) {
            self.known(phone, what)?;
            if let Some(r) = role(r, what)? {
                participants.push(Member {
                    phone: phone.clone(),
                    role: r,
                    join_time: now - 86_400 * 90,
                });
            }
        }
        for phone in &spec.members {
            self.known(phone, what)?;
            if !participants.iter().any(|m| &m.phone == phone) {
                participants.push(Member {
                    phone: phone.clone(),
                    role: Role::Member,
                    join_time: now - 86_400 * 30,
                });
            }
        }
        Ok(participants)
    }

    /// Adds population members from `start` on (wrapping) until the group has `size` people.
    fn fill_from_population(
        &self,
        participants: &mut Vec<Member>,
        taken: &mut HashSet<Phone>,
        size: usize,
        start: usize,
    ) {
        let population = &self.population;
        let mut k = 0;
        while participants.len() < size && k < population.len() {
            let phone = &population[(start + k) % population.len()];
            k += 1;
            if taken.insert(phone.clone()) {
                participants.push(Member {
                    phone: phone.clone(),
                    role: Role::Member,
                    join_time: self.now - 3600 * (k as i64 % 2000),
                });
            }
        }
    }

    /// `count` join requests from population members not in the group, taken half a population
    /// away from where the members came from; every fifth came as a non-admin add.
    fn generated_pending(
        &self,
        taken: &HashSet<Phone>,
        count: usize,
        start: usize,
    ) -> Vec<PendingRequest> {
        let population = &self.population;
        let mut pending = Vec::new();
        let mut j = 0;
        while pending.len() < count && j < population.len() {
            let phone = &population[(start + population.len() / 2 + j) % population.len()];
            j += 1;
            if taken.contains(phone) {
                continue;
            }
            let n = pending.len();
            pending.push(PendingRequest {
                phone: phone.clone(),
                time: self.now - 600 * (n as i64 + 1) - 37 * j as i64,
                method: if n % 5 == 4 {
                    RequestMethod::NonAdminAdd
                } else {
                    RequestMethod::InviteLink
                },
                parent: None,
            });
        }
        pending
    }

    /// One `[[communities]]` entry: the community (everyone in its subgroups, with `roles`
    /// applied), its announcement group, and its subgroups linked to it.
    fn add_community(&mut self, c: &CommunitySpec) -> Result<(), ScenarioError> {
        let now = self.now;
        let what = format!("community \"{}\"", c.key);
        if self.keys.contains_key(&c.key) {
            return Err(ScenarioError::Invalid(format!("{what}: key used twice")));
        }
        let (subs, members) = self.community_members(c, &what)?;
        let participants: Vec<Member> = members
            .into_iter()
            .map(|(phone, role)| Member {
                phone,
                role,
                join_time: now - 86_400 * 100,
            })
            .collect();
        let creator = participants
            .iter()
            .find(|m| m.role == Role::SuperAdmin)
            .map(|m| m.phone.clone())
            .unwrap_or_default();
        let parent_id = self.world.new_group_id();
        let base = Group {
            id: parent_id.clone(),
            subject: c.subject.clone(),
            subject_owner: Some(creator.clone()),
            subject_time: now - 86_400 * 100,
            creator: creator.clone(),
            creation: now - 86_400 * 100,
            description: c.description.as_ref().map(|body| Description {
                id: format!("C{}", self.keys.len()),
                body: body.clone(),
                setter: creator.clone(),
                time: now - 86_400 * 100,
            }),
            participants,
            settings: Settings::default(),
            addressing: AddressingMode::Lid,
            invite_code: self.world.new_invite_code(),
            pending: Default::default(),
            is_parent: true,
            parent: None,
            is_default_sub: false,
            picture_id: None,
        };
        let announcement = Group {
            id: self.world.new_group_id(),
            subject: c.subject.clone(),
            invite_code: self.world.new_invite_code(),
            is_parent: false,
            parent: Some(parent_id.clone()),
            is_default_sub: true,
            description: None,
            settings: Settings {
                announce: true,
                ..Settings::default()
            },
            ..base.clone()
        };
        self.world.insert_group(base);
        self.world.insert_group(announcement);
        for id in subs {
            if let Some(g) = self.world.groups.get_mut(&id) {
                g.parent = Some(parent_id.clone());
            }
        }
        self.keys.insert(c.key.clone(), parent_id);
        Ok(())
    }

    /// The community's subgroup ids and its members: everyone in a subgroup as a member, then
    /// `roles` (or the default operator) raising, adding or (`"none"`) removing people.
    fn community_members(
        &self,
        c: &CommunitySpec,
        what: &str,
    ) -> Result<(Vec<GroupId>, BTreeMap<Phone, Role>), ScenarioError> {
        let mut members: BTreeMap<Phone, Role> = BTreeMap::new();
        let mut subs = Vec::new();
        for key in &c.subgroups {
            let id = self.keys.get(key).cloned().ok_or_else(|| {
                ScenarioError::Invalid(format!("{what}: unknown group \"{key}\""))
            })?;
            if let Some(g) = self.world.group(&id) {
                for m in &g.participants {
                    members.entry(m.phone.clone()).or_insert(Role::Member);
                }
            }
            subs.push(id);
        }
        for (phone, r) in &self.roles_or_default(&c.roles) {
            self.known(phone, what)?;
            match role(r, what)? {
                Some(r) => {
                    members.insert(phone.clone(), r);
                }
                None => {
                    members.remove(phone);
                }
            }
        }
        Ok((subs, members))
    }

    /// `[[activity]]`: each entry's group key and people resolved, ordered by `after_ms`.
    fn scripted_activity(
        &self,
        specs: &[ActivitySpec],
    ) -> Result<Vec<ScriptedActivity>, ScenarioError> {
        let mut activity = Vec::new();
        for (i, a) in specs.iter().enumerate() {
            let what = format!("activity #{} ({})", i + 1, a.kind);
            let group = match self.keys.get(&a.group) {
                Some(g) => g.clone(),
                None if a.kind == "kick" || a.kind == "change_number" => GroupId::new(),
                None => {
                    return Err(ScenarioError::Invalid(format!(
                        "{what}: unknown group \"{}\"",
                        a.group
                    )));
                }
            };
            for phone in [&a.phone, &a.actor].into_iter().flatten() {
                self.known(phone, &what)?;
            }
            let act = Activity::from_spec(a, group)
                .map_err(|e| ScenarioError::Invalid(format!("{what}: {e}")))?;
            activity.push(ScriptedActivity {
                after_ms: a.after_ms,
                activity: act,
            });
        }
        activity.sort_by_key(|a| a.after_ms);
        Ok(activity)
    }
}

fn addressing(text: Option<&str>, what: &str) -> Result<AddressingMode, ScenarioError> {
    match text {
        Some("pn") => Ok(AddressingMode::Pn),
        Some("lid") | None => Ok(AddressingMode::Lid),
        Some(other) => Err(ScenarioError::Invalid(format!(
            "{what}: addressing \"{other}\" (lid or pn)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_world_has_what_the_demo_promises() {
        let s = Scenario::demo(1_800_000_000);
        let w = &s.world;
        assert_eq!(s.operators[0], "15550001111");
        assert!(w.groups.len() >= 12, "{}", w.groups.len());
        assert!(w.groups.values().any(|g| g.participants.len() == 1024));
        let community = w
            .groups
            .values()
            .find(|g| g.is_parent)
            .expect("a community");
        let subs = w.subgroups(&community.id);
        assert!(subs.iter().any(|g| g.is_default_sub), "announcement group");
        assert!(subs.iter().filter(|g| !g.is_default_sub).count() >= 2);
        assert!(
            subs.iter().any(|g| g.member("15550001111").is_none()),
            "a subgroup Dana can join through the community"
        );
        let approval: Vec<_> = w
            .groups
            .values()
            .filter(|g| g.settings.approval && !g.pending.is_empty())
            .collect();
        assert!(approval.len() >= 3);
        assert!(w.accounts.values().any(|a| a.blocks_direct_adds));
        assert!(s.activity.len() >= 30);
        // Dana is a plain member somewhere, to show "not admin".
        assert!(
            w.groups
                .values()
                .any(|g| g.role_of("15550001111") == Some(Role::Member))
        );
    }

    #[test]
    fn parsing_is_deterministic() {
        let a = Scenario::demo(1_800_000_000);
        let b = Scenario::demo(1_800_000_000);
        assert_eq!(a.group_keys, b.group_keys);
        assert_eq!(a.world.groups, b.world.groups);
        assert_eq!(a.activity, b.activity);
    }

    #[test]
    fn server_rules_and_refused_logins() {
        let base = "[[operators]]\nphone = \"15550001111\"\nname = \"Dana\"\n";
        let text = format!(
            "{base}[server]\nmin_version = \"2.3000.1030000000\"\n\
             [[login_failures]]\nphone = \"15550001111\"\nreason = 402\nexpire = 60\ncount = 2\n"
        );
        let s = Scenario::parse(&text, 0).expect("parses");
        assert_eq!(s.min_version, Some((2, 3000, 1_030_000_000)));
        let ban = LoginFailure {
            reason: 402,
            expire: Some(60),
            code: None,
        };
        assert_eq!(s.login_failures, vec![("15550001111".to_string(), ban, 2)]);
        let kick = format!(
            "{base}[[activity]]\nafter_ms = 5\nkind = \"kick\"\nphone = \"15550001111\"\nreason = \"removed\"\n"
        );
        let s = Scenario::parse(&kick, 0).expect("parses");
        assert_eq!(
            s.activity[0].activity,
            Activity::Kick {
                phone: "15550001111".into(),
                how: Kick::Removed
            }
        );
        let bad = format!("{base}[server]\nmin_version = \"new\"\n");
        let e = Scenario::parse(&bad, 0).err().expect("error");
        assert!(e.to_string().contains("min_version"), "{e}");
        let nobody = format!("{base}[[login_failures]]\nphone = \"1999\"\nreason = 403\n");
        let e = Scenario::parse(&nobody, 0).err().expect("error");
        assert!(e.to_string().contains("no account 1999"), "{e}");
    }

    #[test]
    fn errors_name_the_problem() {
        let base = "[[operators]]\nphone = \"15550001111\"\nname = \"Dana\"\n";
        let unknown_group = format!(
            "{base}[[activity]]\nafter_ms = 1\nkind = \"leave\"\ngroup = \"nope\"\nphone = \"15550001111\"\n"
        );
        let e = Scenario::parse(&unknown_group, 0).err().expect("error");
        assert!(e.to_string().contains("unknown group \"nope\""), "{e}");
        let bad_type = format!("{base}[[groups]]\nkey = \"a\"\nsubject = \"A\"\nsize = \"big\"\n");
        let e = Scenario::parse(&bad_type, 0).err().expect("error");
        assert!(matches!(e, ScenarioError::Toml(_)), "{e}");
        assert!(e.to_string().contains("size"), "{e}");
        let too_big = format!("{base}[[groups]]\nkey = \"a\"\nsubject = \"A\"\nsize = 2000\n");
        let e = Scenario::parse(&too_big, 0).err().expect("error");
        assert!(e.to_string().contains("over 1024"), "{e}");
        let bad_phone = "[[operators]]\nphone = \"+1 555\"\nname = \"X\"\n";
        let e = Scenario::parse(bad_phone, 0).err().expect("error");
        assert!(e.to_string().contains("not a phone number"), "{e}");
    }
}
