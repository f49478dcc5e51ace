//! Identity changes WhatsApp makes under a group: a member's new phone number (the same LID),
//! and a group moving from phone-number to LID addressing. Neither is a join or a leave.

use super::*;

impl World {
    /// `old` now has the number `new` (same account, same LID). Each group they are in hears a
    /// `<modify>` naming them with the new number (wacore stanza/groups.rs `Modify`).
    pub fn change_number(&mut self, old: &str, new: &str) -> WaResult<Vec<Notice>> {
        if self.accounts.contains_key(new) {
            return Err(WaError::CONFLICT);
        }
        let mut account = self.accounts.remove(old).ok_or(WaError::NOT_FOUND)?;
        account.phone = new.to_string();
        self.lid_to_phone
            .insert(account.lid.clone(), new.to_string());
        self.accounts.insert(new.to_string(), account);
        let rename = |p: &mut Phone| {
            if p == old {
                *p = new.to_string();
            }
        };
        let mut groups = Vec::new();
        for g in self.groups.values_mut() {
            let mut member = false;
            for m in &mut g.participants {
                member |= m.phone == old;
                rename(&mut m.phone);
            }
            rename(&mut g.creator);
            if let Some(o) = &mut g.subject_owner {
                rename(o);
            }
            if let Some(d) = &mut g.description {
                rename(&mut d.setter);
            }
            if let Some(mut r) = g.pending.iter().find(|r| r.phone == old).cloned() {
                g.pending.remove(old);
                r.phone = new.to_string();
                g.pending.push(r);
            }
            if member {
                groups.push(g.id.clone());
            }
        }
        Ok(groups
            .iter()
            .map(|g| {
                let action = NoticeAction::Modify {
                    phone: new.to_string(),
                };
                self.notice(g, new, action, self.members_of(g))
            })
            .collect())
    }

    /// The group is LID-addressed from now on: its people are named by LID in every answer and
    /// notification (WhatsApp migrates groups without a notification; clients see it on the
    /// next read).
    pub fn migrate_to_lid(&mut self, group: &str) -> WaResult<()> {
        self.get_mut(group)?.addressing = AddressingMode::Lid;
        Ok(())
    }
}
