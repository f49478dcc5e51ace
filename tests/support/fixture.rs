//! A small simulated world for protocol tests, built through the world's own API.

use wamod::sim::Simulator;
use wamod::sim::scenario::Scenario;
use wamod::sim::shapes::Shapes;
use wamod::sim::world::{
    Account, AddressingMode, Group, Member, PendingRequest, RequestMethod, Role, Settings, World,
};

pub const DANA: &str = "15550001111"; // operator
pub const SAM: &str = "15550002222"; // second admin
pub const RILEY: &str = "15550003333"; // plain member / requester
pub const PRIV: &str = "15550004444"; // blocks direct adds
pub const NEWBIE: &str = "15550005555"; // in no group
pub const QUINN: &str = "15550006666"; // pending requester

pub const TEAM: &str = "120363000000000101"; // Dana superadmin, Sam admin, Riley member
pub const CLUB: &str = "120363000000000102"; // approval mode, Dana + Sam admins, Quinn pending
pub const FULL: &str = "120363000000000103"; // 1,024 members, Dana superadmin
pub const OTHER: &str = "120363000000000104"; // Sam superadmin, Dana member only

pub const CLUB_CODE: &str = "ClubInviteCode00000001";

fn account(phone: &str, name: &str, blocks: bool) -> Account {
    Account {
        phone: phone.to_string(),
        lid: format!("9{}", &phone[1..]),
        name: name.to_string(),
        blocks_direct_adds: blocks,
        add_refusal: None,
    }
}

fn member(phone: &str, role: Role) -> Member {
    Member {
        phone: phone.to_string(),
        role,
        join_time: 1_700_000_000,
    }
}

fn group(id: &str, subject: &str, members: Vec<Member>, settings: Settings, code: &str) -> Group {
    Group {
        id: id.to_string(),
        subject: subject.to_string(),
        subject_owner: None,
        subject_time: 1_700_000_000,
        creator: members.first().map(|m| m.phone.clone()).unwrap_or_default(),
        creation: 1_700_000_000,
        description: None,
        participants: members,
        settings,
        addressing: AddressingMode::Lid,
        invite_code: code.to_string(),
        pending: Default::default(),
        is_parent: false,
        parent: None,
        is_default_sub: false,
        picture_id: None,
    }
}

pub fn world(now: i64) -> World {
    let mut w = World::new(now);
    for (p, n, b) in [
        (DANA, "Dana Moderator", false),
        (SAM, "Sam CoAdmin", false),
        (RILEY, "Riley Member", false),
        (PRIV, "Pat Private", true),
        (NEWBIE, "Nico Newbie", false),
        (QUINN, "Quinn Requester", false),
    ] {
        w.add_account(account(p, n, b));
    }
    w.insert_group(group(
        TEAM,
        "Team",
        vec![
            member(DANA, Role::SuperAdmin),
            member(SAM, Role::Admin),
            member(RILEY, Role::Member),
        ],
        Settings::default(),
        "TeamInviteCode00000001",
    ));
    let mut club = group(
        CLUB,
        "Club",
        vec![member(DANA, Role::SuperAdmin), member(SAM, Role::Admin)],
        Settings {
            approval: true,
            ..Settings::default()
        },
        CLUB_CODE,
    );
    club.pending.push(PendingRequest {
        phone: QUINN.to_string(),
        time: now - 600,
        method: RequestMethod::InviteLink,
        parent: None,
    });
    w.insert_group(club);
    let mut full = vec![member(DANA, Role::SuperAdmin)];
    for i in 0..1023u32 {
        let phone = format!("1555100{i:04}");
        w.add_account(account(&phone, &format!("Filler {i}"), false));
        full.push(member(&phone, Role::Member));
    }
    w.insert_group(group(
        FULL,
        "Full House",
        full,
        Settings::default(),
        "FullInviteCode00000001",
    ));
    w.insert_group(group(
        OTHER,
        "Sam's Group",
        vec![member(SAM, Role::SuperAdmin), member(DANA, Role::Member)],
        Settings::default(),
        "OtherInviteCode0000001",
    ));
    w
}

pub fn simulator() -> Simulator {
    simulator_in(Shapes::default())
}

/// The fixture world, answering in `shapes` where WhatsApp varies.
pub fn simulator_in(shapes: Shapes) -> Simulator {
    let now = chrono::Utc::now().timestamp();
    let mut world = world(now);
    world.shapes = shapes;
    Simulator::new(Scenario {
        world,
        operators: vec![DANA.to_string(), SAM.to_string(), RILEY.to_string()],
        group_keys: Default::default(),
        activity: Vec::new(),
        min_version: None,
        login_failures: Vec::new(),
    })
}

pub fn gjid(id: &str) -> whatsapp_rust::Jid {
    format!("{id}@g.us").parse().expect("group jid")
}

pub fn pn(phone: &str) -> whatsapp_rust::Jid {
    format!("{phone}@s.whatsapp.net").parse().expect("pn jid")
}

/// `n` new accounts numbered `<prefix>NNNN` (in no group), added to the simulator's world; their
/// LIDs are `7` and the number without its first digit, clear of the fixture's.
pub fn new_accounts(sim: &Simulator, prefix: &str, n: usize) -> Vec<String> {
    let phones: Vec<String> = (0..n).map(|i| format!("{prefix}{i:04}")).collect();
    sim.act(|w| {
        for (i, p) in phones.iter().enumerate() {
            w.add_account(Account {
                phone: p.clone(),
                lid: format!("7{}", &p[1..]),
                name: format!("Person {i}"),
                blocks_direct_adds: false,
                add_refusal: None,
            });
        }
        Ok(((), Vec::new()))
    })
    .expect("accounts");
    phones
}

/// Each of `phones` asks to join `group`.
pub fn ask_to_join(sim: &Simulator, phones: &[String], group: &str) {
    for p in phones {
        sim.apply(&wamod::sim::scenario::Activity::RequestJoin {
            phone: p.clone(),
            group: group.into(),
        })
        .expect("request");
    }
}
