//! The HTTP admin routes of the listener, for scripted end-to-end runs:
//!
//! | route | effect |
//! |---|---|
//! | `POST /admin/mock-phone/scan-qr[?phone=P]` (body: the QR string) | the phone of P (default: the first operator) scans it |
//! | `POST /admin/scenario` (body: scenario TOML) | replaces the world |
//! | `POST /admin/activity?kind=K&group=KEY&phone=P[&actor=A][&subject=S][&body=B][&on=true][&to=P2]` | a simulated actor acts (kinds as in scenario `[[activity]]`, incl. `change_number` and `migrate_lid`) |
//! | `POST /admin/fault?kind=add&code=429[&text=rate-overlimit][&count=1][&after=0]` | next N requests of a kind (after letting `after` through) answer an error |
//! | `POST /admin/fault?kind=add&action=swallow\|drop\|drop-after[&count=1]` | never answer / drop before / drop after applying |
//! | `POST /admin/latency?ms=N` | delay every group answer |
//! | `POST /admin/refuse?on=true\|false` | refuse new connections |
//! | `POST /admin/drop[?phone=P]` | close connections |
//! | `POST /admin/kick?phone=P&reason=replaced\|removed` | P's devices get `<stream:error><conflict type="replaced"/>` or `type="device_removed"` (and are unlinked) |
//! | `POST /admin/login-failure?phone=P&reason=402\|403\|405\|503[&expire=SECONDS][&code=C][&count=N]` | P's next N logins (default 1) get `<failure reason=…>` |
//! | `POST /admin/clear-faults` | remove all faults |
//! | `POST /admin/burst?group=G&n=N` | N accounts in no group ask to join G (ids as in `sim::scale`), as fast as the simulator goes |
//! | `GET /admin/state` | a short summary of the world and devices |
//! | `GET /admin/group-iqs` | group IQs received so far, one `kind count` line per kind |

use std::collections::HashMap;
use std::time::Duration;

use super::Simulator;
use super::clock::now_unix;
use super::endings::{Kick, LoginFailure};
use super::faults::FaultAction;
use super::scenario::{Activity, ActivitySpec, Scenario};

pub struct AdminResponse {
    pub status: u16,
    pub body: String,
}

impl AdminResponse {
    fn ok(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            body: body.into(),
        }
    }
    pub fn bad(body: impl Into<String>) -> Self {
        Self {
            status: 400,
            body: body.into(),
        }
    }
}

/// The query string of an admin route, decoded.
type Query = HashMap<String, String>;

/// The route table: one handler per `(method, path)` of the module's table.
pub fn handle_admin(sim: &Simulator, method: &str, target: &str, body: &str) -> AdminResponse {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let q = parse_query(query);
    match (method, path) {
        ("POST", "/admin/mock-phone/scan-qr") => scan_qr(sim, &q, body),
        ("POST", "/admin/scenario") => load_scenario(sim, body),
        ("POST", "/admin/activity") => activity(sim, &q),
        ("POST", "/admin/burst") => burst(sim, &q),
        ("POST", "/admin/fault") => fault(sim, &q),
        ("POST", "/admin/latency") => latency(sim, &q),
        ("POST", "/admin/refuse") => {
            let on = q.get("on").is_none_or(|v| v == "true" || v == "1");
            sim.refuse_connections(on);
            AdminResponse::ok(format!("refusing connections: {on}"))
        }
        ("POST", "/admin/drop") => {
            let n = sim.drop_connections(q.get("phone").map(String::as_str));
            AdminResponse::ok(format!("dropped {n} connection(s)"))
        }
        ("POST", "/admin/kick") => kick(sim, &q),
        ("POST", "/admin/login-failure") => login_failure(sim, &q),
        ("POST", "/admin/clear-faults") => {
            sim.clear_faults();
            AdminResponse::ok("faults cleared")
        }
        ("GET", "/admin/state") => state(sim),
        ("GET", "/admin/group-iqs") => AdminResponse::ok(
            sim.group_iqs()
                .iter()
                .map(|(kind, n)| format!("{kind} {n}\n"))
                .collect::<String>(),
        ),
        (_, p) if p.starts_with("/admin/") => AdminResponse {
            status: 404,
            body: format!("no admin route {method} {p}"),
        },
        _ => AdminResponse {
            status: 404,
            body: "not found".into(),
        },
    }
}

/// `POST /admin/mock-phone/scan-qr[?phone=P]`: the body is the QR string.
fn scan_qr(sim: &Simulator, q: &Query, body: &str) -> AdminResponse {
    let result = match q.get("phone") {
        Some(phone) => sim.scan_qr_as(body.trim(), phone),
        None => sim.scan_qr(body.trim()),
    };
    match result {
        Ok((phone, device)) => AdminResponse::ok(format!("paired {phone}:{device}")),
        Err(e) => AdminResponse::bad(format!("scan failed: {e:#}")),
    }
}

/// `POST /admin/scenario`: the body is scenario TOML.
fn load_scenario(sim: &Simulator, body: &str) -> AdminResponse {
    match Scenario::parse(body, now_unix()) {
        Ok(s) => {
            sim.load_scenario(s);
            AdminResponse::ok("scenario loaded")
        }
        Err(e) => AdminResponse::bad(format!("invalid scenario: {e}")),
    }
}

/// `POST /admin/activity?kind=K&group=KEY...`: a simulated actor acts.
fn activity(sim: &Simulator, q: &Query) -> AdminResponse {
    match activity_from_query(sim, q) {
        Ok(a) => match sim.apply(&a) {
            Ok(()) => AdminResponse::ok("done"),
            Err(e) => AdminResponse::bad(format!("refused: {} {}", e.code, e.text)),
        },
        Err(e) => AdminResponse::bad(e),
    }
}

/// `POST /admin/burst?group=G&n=N`: N accounts in no group ask to join G.
fn burst(sim: &Simulator, q: &Query) -> AdminResponse {
    let n: usize = q.get("n").and_then(|n| n.parse().ok()).unwrap_or(0);
    let group = q
        .get("group")
        .cloned()
        .unwrap_or_else(|| super::scale::BURST_GROUP.into());
    // Accounts in no group (the scale world's outsiders), in order.
    let askers: Vec<String> = sim.world(|w| {
        let busy: std::collections::HashSet<&str> = w
            .groups
            .values()
            .flat_map(|g| {
                g.participants
                    .iter()
                    .map(|m| m.phone.as_str())
                    .chain(g.pending.iter().map(|p| p.phone.as_str()))
            })
            .collect();
        w.accounts
            .keys()
            .filter(|p| !busy.contains(p.as_str()))
            .take(n)
            .cloned()
            .collect()
    });
    let mut done = 0usize;
    for phone in askers {
        let a = Activity::RequestJoin {
            phone,
            group: group.clone(),
        };
        if sim.apply(&a).is_ok() {
            done += 1;
        }
    }
    AdminResponse::ok(format!("{done} requests"))
}

/// `POST /admin/fault?kind=K[&count=N]` with `code=N[&text=T][&backoff=S]` or `action=...`.
fn fault(sim: &Simulator, q: &Query) -> AdminResponse {
    let kind = q.get("kind").map_or("*", String::as_str);
    let count = q.get("count").and_then(|c| c.parse().ok()).unwrap_or(1);
    let after = q.get("after").and_then(|c| c.parse().ok()).unwrap_or(0);
    let action = match fault_action(q) {
        Ok(action) => action,
        Err(refusal) => return refusal,
    };
    sim.inject_fault_after(kind, action, count, after);
    AdminResponse::ok(format!(
        "{count} {kind} request(s) faulted after {after} more"
    ))
}

/// What a fault does, from `action=` (default `error`, which needs `code=`).
fn fault_action(q: &Query) -> Result<FaultAction, AdminResponse> {
    match q.get("action").map(String::as_str) {
        Some("swallow") => Ok(FaultAction::Swallow),
        Some("drop") => Ok(FaultAction::DropBefore),
        Some("drop-after") => Ok(FaultAction::DropAfter),
        Some("error") | None => match q.get("code").and_then(|c| c.parse::<u16>().ok()) {
            Some(code) => {
                let text = q.get("text").cloned().unwrap_or_else(|| {
                    if code == 429 {
                        "rate-overlimit"
                    } else {
                        "internal-server-error"
                    }
                    .to_string()
                });
                Ok(FaultAction::Error {
                    code,
                    text,
                    backoff: q.get("backoff").and_then(|b| b.parse().ok()),
                })
            }
            None => Err(AdminResponse::bad("fault needs code=N or action=...")),
        },
        Some(other) => Err(AdminResponse::bad(format!("unknown fault action {other}"))),
    }
}

/// `POST /admin/kick?phone=P&reason=replaced|removed`.
fn kick(sim: &Simulator, q: &Query) -> AdminResponse {
    let Some(phone) = q.get("phone") else {
        return AdminResponse::bad("kick needs phone=P");
    };
    let reason = q.get("reason").map_or("replaced", String::as_str);
    let Some(how) = Kick::parse(reason) else {
        return AdminResponse::bad(format!(
            "kick reason {reason:?}: expected replaced or removed"
        ));
    };
    let n = sim.kick(phone, how);
    AdminResponse::ok(format!("kicked {n} connection(s) of {phone} ({reason})"))
}

/// `POST /admin/login-failure?phone=P&reason=R[&expire=S][&code=C][&count=N]`.
fn login_failure(sim: &Simulator, q: &Query) -> AdminResponse {
    let Some(phone) = q.get("phone") else {
        return AdminResponse::bad("login-failure needs phone=P");
    };
    let Some(reason) = q.get("reason").and_then(|r| r.parse::<u16>().ok()) else {
        return AdminResponse::bad("login-failure needs reason=402|403|405|503");
    };
    let number = |k: &str| q.get(k).and_then(|v| v.parse::<u64>().ok());
    let failure = LoginFailure {
        reason,
        expire: number("expire"),
        code: number("code").and_then(|c| u16::try_from(c).ok()),
    };
    let count = number("count").map_or(1, |c| u32::try_from(c).unwrap_or(u32::MAX));
    sim.fail_logins(phone, failure, count);
    AdminResponse::ok(format!(
        "next {count} login(s) of {phone} answered with reason {reason}"
    ))
}

/// `POST /admin/latency?ms=N`.
fn latency(sim: &Simulator, q: &Query) -> AdminResponse {
    match q.get("ms").and_then(|m| m.parse::<u64>().ok()) {
        Some(ms) => {
            sim.set_latency(Duration::from_millis(ms));
            AdminResponse::ok(format!("latency {ms} ms"))
        }
        None => AdminResponse::bad("latency needs ms=N"),
    }
}

/// `GET /admin/state`.
fn state(sim: &Simulator) -> AdminResponse {
    let (groups, accounts) = sim.world(|w| (w.groups.len(), w.accounts.len()));
    AdminResponse::ok(format!(
        "groups {groups}\naccounts {accounts}\ndevices {:?}\nonline {:?}",
        sim.devices(),
        sim.online()
    ))
}

fn activity_from_query(sim: &Simulator, q: &Query) -> Result<Activity, String> {
    let field = |k: &str| q.get(k).cloned();
    let kind = field("kind").ok_or("missing kind=")?;
    // Activities about an account, not a group.
    let groupless = matches!(kind.as_str(), "kick" | "change_number");
    let spec = ActivitySpec {
        after_ms: 0,
        group: match field("group") {
            Some(g) => g,
            None if groupless => String::new(),
            None => return Err("missing group=".into()),
        },
        kind,
        phone: field("phone"),
        actor: field("actor"),
        subject: field("subject"),
        body: field("body"),
        on: q.get("on").map(|v| v == "true" || v == "1"),
        reason: field("reason"),
        to: field("to"),
    };
    if groupless {
        return Activity::from_spec(&spec, String::new());
    }
    // A scenario key, or a group id.
    let group = sim
        .group_id(&spec.group)
        .or_else(|| sim.world(|w| w.group(&spec.group).map(|g| g.id.clone())))
        .ok_or_else(|| format!("unknown group {}", spec.group))?;
    Activity::from_spec(&spec, group)
}

fn parse_query(query: &str) -> Query {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = parse_query("subject=Hello+World%21&on=false&bad=%zz&end=%4");
        assert_eq!(q["subject"], "Hello World!");
        assert_eq!(q["on"], "false");
        assert_eq!(q["bad"], "%zz");
        assert_eq!(q["end"], "%4");
    }
}
