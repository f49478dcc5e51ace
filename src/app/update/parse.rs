//! Text typed or pasted into the dialogs, checked: participants (numbers or ids) and invite
//! links. Errors say what to fix.

use super::normalize_phone;

/// Participants typed or pasted: numbers in international format or ids, separated by commas,
/// semicolons or new lines. Every bad entry is reported, with its position.
pub fn parse_participants(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    let entries = text
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty());
    for (i, entry) in entries.enumerate() {
        match parse_participant(entry) {
            Ok(jid) if !out.contains(&jid) => out.push(jid),
            Ok(_) => {}
            Err(e) => errors.push(format!("#{} \"{entry}\": {e}", i + 1)),
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

/// An invite link (`https://chat.whatsapp.com/CODE`, with or without the scheme) or a bare code.
pub fn parse_invite(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Paste an invite link (https://chat.whatsapp.com/…) or its code".into());
    }
    let code = t
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("chat.whatsapp.com/")
        .trim_end_matches('/');
    let code = code.split(['?', '#']).next().unwrap_or_default();
    if code.contains('/') || code.contains('.') {
        return Err("Not a WhatsApp invite link: it starts with https://chat.whatsapp.com/".into());
    }
    if !(16..=32).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "\"{code}\" is not an invite code (about 22 letters and digits)"
        ));
    }
    Ok(code.to_string())
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
        assert!(parse_invite("https://example.com/x").is_err());
        assert!(parse_invite("short").is_err());
        assert!(parse_invite("").is_err());
    }
}
