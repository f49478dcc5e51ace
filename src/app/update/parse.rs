//! Text typed or pasted into the dialogs, checked: participants (numbers or ids) and invite
//! links. Errors say what to fix.

use super::normalize_phone;

/// Most people one pasted list may name (a group's own limit).
pub const MAX_PARTICIPANTS: usize = 1024;

/// Participants typed or pasted: numbers in international format or ids, separated by commas,
/// semicolons or new lines. Every bad entry is reported, with its position.
pub fn parse_participants(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut errors = Vec::new();
    let entries = text
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty());
    for (i, entry) in entries.enumerate() {
        match parse_participant(entry) {
            Ok(jid) if seen.insert(jid.clone()) => out.push(jid),
            Ok(_) => {}
            Err(e) => errors.push(format!("#{} \"{entry}\": {e}", i + 1)),
        }
        if out.len() > MAX_PARTICIPANTS {
            return Err(format!(
                "More than {MAX_PARTICIPANTS} people at once: a group holds at most 1,024; \
                 split the list"
            ));
        }
    }
    if !errors.is_empty() {
        let more = errors.len().saturating_sub(3);
        let mut msg = errors.into_iter().take(3).collect::<Vec<_>>().join("; ");
        if more > 0 {
            msg.push_str(&format!(" (and {more} more)"));
        }
        return Err(msg);
    }
    if out.is_empty() {
        return Err("Type at least one number, e.g. +1 555 000 1111".into());
    }
    Ok(out)
}

fn parse_participant(entry: &str) -> Result<String, String> {
    let Some((user, server)) = entry.split_once('@') else {
        return normalize_phone(entry).map(|d| format!("{d}@s.whatsapp.net"));
    };
    let server = match server.to_ascii_lowercase().as_str() {
        "s.whatsapp.net" | "c.us" => "s.whatsapp.net",
        "lid" => "lid",
        other => {
            return Err(format!(
                "\"@{other}\" is not a person's id (@s.whatsapp.net or @lid)"
            ));
        }
    };
    if user.is_empty() || !user.chars().all(|c| c.is_ascii_digit()) || user.len() > 20 {
        return Err("the part before @ must be digits".into());
    }
    if server == "s.whatsapp.net" {
        normalize_phone(user)?;
    }
    Ok(format!("{user}@{server}"))
}

/// An invite link in any form WhatsApp prints, or a bare code: `chat.whatsapp.com/CODE` and
/// `chat.whatsapp.com/invite/CODE` (any case of scheme and host, with or without them), and the
/// `?code=CODE` forms (`whatsapp://chat/?code=`, `web.whatsapp.com/…/accept/?code=`), as
/// whatsapp-rust's `extract_invite_code` (features/groups.rs) reads them.
pub fn parse_invite(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Paste an invite link (https://chat.whatsapp.com/…) or its code".into());
    }
    let code = invite_code_of(t).ok_or_else(|| {
        "Not a WhatsApp invite link: it starts with https://chat.whatsapp.com/".to_string()
    })?;
    if !(16..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "\"{code}\" is not an invite code (about 22 letters and digits)"
        ));
    }
    Ok(code.to_string())
}

/// The code part of a link (the code keeps its case: it is case-sensitive).
fn invite_code_of(t: &str) -> Option<&str> {
    let lower = t.to_ascii_lowercase();
    if let Some(i) = lower.find("code=") {
        let from_query = lower[..i].ends_with('?') || lower[..i].ends_with('&');
        if from_query && (lower.starts_with("whatsapp://") || lower.contains("whatsapp.com/")) {
            return t[i + 5..].split('&').next();
        }
    }
    let without_scheme = ["https://", "http://"]
        .iter()
        .find(|s| lower.starts_with(*s))
        .map_or(0, |s| s.len());
    let rest = &t[without_scheme..];
    let path = match rest.to_ascii_lowercase().strip_prefix("chat.whatsapp.com/") {
        Some(_) => &rest["chat.whatsapp.com/".len()..],
        None if without_scheme > 0 || rest.contains('/') || rest.contains('.') => return None,
        None => rest,
    };
    let path = match path.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("invite/") => &path[7..],
        _ => path,
    };
    let code = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    (!code.contains('/')).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_accept_numbers_ids_and_lists() {
        assert_eq!(
            parse_participants("+1 555 000 1111, 15550002222@s.whatsapp.net\n123456789012@lid;")
                .expect("valid"),
            vec![
                "15550001111@s.whatsapp.net",
                "15550002222@s.whatsapp.net",
                "123456789012@lid"
            ]
        );
        // Duplicates collapse; c.us ids are phone ids.
        assert_eq!(
            parse_participants("+15550001111\n15550001111@c.us").expect("valid"),
            vec!["15550001111@s.whatsapp.net"]
        );
    }

    #[test]
    fn participants_report_every_bad_entry() {
        let err = parse_participants("+1555, abc@g.us, 0044 7700 900123").expect_err("bad");
        assert!(err.contains("#1 \"+1555\""), "{err}");
        assert!(err.contains("#2 \"abc@g.us\""), "{err}");
        assert!(err.contains("#3"), "{err}");
        assert!(parse_participants("  ").is_err());
    }

    #[test]
    fn invites_accept_links_and_codes() {
        let code = "AbCdEfGhIjKlMnOpQrStUv";
        assert_eq!(
            parse_invite(&format!("https://chat.whatsapp.com/{code}")).as_deref(),
            Ok(code)
        );
        assert_eq!(
            parse_invite(&format!("chat.whatsapp.com/{code}/")).as_deref(),
            Ok(code)
        );
        assert_eq!(parse_invite(code).as_deref(), Ok(code));
        for form in [
            format!("https://chat.whatsapp.com/invite/{code}"),
            format!("HTTPS://Chat.WhatsApp.com/{code}?utm=x"),
            format!("http://CHAT.WHATSAPP.COM/Invite/{code}/"),
            format!("whatsapp://chat/?code={code}"),
            format!("https://web.whatsapp.com/accept/?code={code}&x=1"),
        ] {
            assert_eq!(parse_invite(&form).as_deref(), Ok(code), "{form}");
        }
        assert!(parse_invite("https://example.com/x").is_err());
        assert!(parse_invite(&format!("https://example.com/?code={code}")).is_err());
        assert!(parse_invite(&format!("https://chat.whatsapp.com/a/{code}")).is_err());
        assert!(parse_invite("short").is_err());
        assert!(parse_invite("").is_err());
    }

    #[test]
    fn a_huge_paste_is_refused_quickly_and_duplicates_count_once() {
        let same = vec!["+1 555 000 1111"; 50_000].join("\n");
        assert_eq!(parse_participants(&same).expect("one person").len(), 1);
        let many: Vec<String> = (0..5_000).map(|i| format!("+1555{i:07}")).collect();
        let err = parse_participants(&many.join(",")).expect_err("too many");
        assert!(err.contains("More than 1024"), "{err}");
        let max: Vec<String> = (0..1024).map(|i| format!("+1555{i:07}")).collect();
        assert_eq!(
            parse_participants(&max.join(";")).expect("fits").len(),
            1024
        );
    }
}
