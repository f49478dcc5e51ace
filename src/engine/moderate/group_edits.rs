//! Operations on the group itself: its subject, description, settings and picture, and
//! leaving it. Input WhatsApp would refuse is not sent.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::features::{
    GroupDescription, GroupSubject, MemberAddMode, MembershipApprovalMode, PreviousDescription,
};
use whatsapp_rust::{Client, Jid};

use super::{need_group, not_sent, within};
use crate::ops::{Outcome, Setting};

pub(super) async fn set_subject(
    client: &Arc<Client>,
    subject: &str,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let subject = GroupSubject::new(subject.to_string())
        .map_err(|_| not_sent("a subject has 1 to 100 characters"))?;
    let g = need_group(group)?;
    within(timeout, client.groups().set_subject(g, subject)).await
}

/// Empty `text` deletes the description; `prev` is the description id the edit started from.
pub(super) async fn set_description(
    client: &Arc<Client>,
    text: &str,
    prev: Option<&str>,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let description = if text.is_empty() {
        None
    } else {
        let d = GroupDescription::new(text.to_string())
            .map_err(|_| not_sent("a description has at most 2048 characters"))?;
        Some(d)
    };
    let g = need_group(group)?;
    let prev = match prev {
        Some(id) => PreviousDescription::Id(id),
        None => PreviousDescription::Absent,
    };
    within(
        timeout,
        client.groups().set_description(g, description, prev),
    )
    .await
}

pub(super) async fn set_setting(
    client: &Arc<Client>,
    setting: Setting,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let g = need_group(group)?;
    let groups = client.groups();
    match setting {
        Setting::AdminsOnlySend(on) => within(timeout, groups.set_announce(g, on)).await,
        Setting::AdminsOnlyEdit(on) => within(timeout, groups.set_locked(g, on)).await,
        Setting::Approval(on) => {
            let mode = if on {
                MembershipApprovalMode::On
            } else {
                MembershipApprovalMode::Off
            };
            within(timeout, groups.set_membership_approval(g, mode)).await
        }
        Setting::AdminsOnlyAdd(on) => {
            let mode = if on {
                MemberAddMode::AdminAdd
            } else {
                MemberAddMode::AllMemberAdd
            };
            within(timeout, groups.set_member_add_mode(g, mode)).await
        }
        Setting::Disappearing(secs) => within(timeout, groups.set_ephemeral(g, secs)).await,
    }
}

/// Largest picture file read; WhatsApp's own group pictures are well under 1 MB.
pub const MAX_PICTURE_BYTES: u64 = 5 * 1024 * 1024;

/// The picture file's bytes: a regular file under the cap. A FIFO would hang the read and
/// `/dev/zero` would fill the memory, so neither is opened for reading.
pub fn read_picture(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    if meta.len() > MAX_PICTURE_BYTES {
        return Err(format!(
            "{shown} is {} KB; a group picture may be at most {} KB",
            meta.len() / 1024,
            MAX_PICTURE_BYTES / 1024
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut bytes = Vec::new();
    // The cap holds even if the file grows between the check and the read.
    file.take(MAX_PICTURE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_PICTURE_BYTES {
        return Err(format!("{shown} grew past {} KB", MAX_PICTURE_BYTES / 1024));
    }
    Ok(bytes)
}

/// Sets the group's picture from a JPEG file.
pub(super) async fn set_picture(
    client: &Arc<Client>,
    path: &Path,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let owned = path.to_path_buf();
    let bytes = tokio::task::spawn_blocking(move || read_picture(&owned))
        .await
        .map_err(|e| not_sent(&e.to_string()))?
        .map_err(|e| not_sent(&e))?;
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(not_sent(&format!("{} is not a JPEG image", path.display())));
    }
    let g = need_group(group)?;
    let groups = client.groups();
    within(timeout, groups.set_profile_picture(g, bytes))
        .await
        .map(|_| ())
}

pub(super) async fn remove_picture(
    client: &Arc<Client>,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let g = need_group(group)?;
    let groups = client.groups();
    within(timeout, groups.remove_profile_picture(g))
        .await
        .map(|_| ())
}

pub(super) async fn leave(
    client: &Arc<Client>,
    group: Option<&Jid>,
    timeout: Duration,
) -> Result<(), Outcome> {
    let g = need_group(group)?;
    within(timeout, client.groups().leave(g)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_file_under_the_cap_is_read() {
        let err = read_picture(Path::new("/dev/zero")).expect_err("a device");
        assert!(err.contains("not a regular file"), "{err}");
        let tmp = tempfile::tempdir().expect("tmp");
        let err = read_picture(tmp.path()).expect_err("a directory");
        assert!(err.contains("not a regular file"), "{err}");
        let big = tmp.path().join("big.jpg");
        std::fs::write(&big, vec![0u8; (MAX_PICTURE_BYTES + 1) as usize]).expect("write");
        let err = read_picture(&big).expect_err("too big");
        assert!(err.contains("at most 5120 KB"), "{err}");
        #[cfg(unix)]
        {
            let fifo = tmp.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let err = read_picture(&fifo).expect_err("a FIFO");
                assert!(err.contains("not a regular file"), "{err}");
            }
        }
        let ok = tmp.path().join("ok.jpg");
        std::fs::write(&ok, [0xFF, 0xD8, 0xFF, 0xE0]).expect("write");
        assert_eq!(read_picture(&ok).expect("read").len(), 4);
    }
}
