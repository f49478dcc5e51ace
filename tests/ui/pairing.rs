//! The pairing popups: the QR code (checked module by module against the code it encodes), the
//! phone-number flow, and the logout and quit confirms.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wamod::app::state::{AppState, Confirm, Level, Pairing, Popup, StatusLine};
use wamod::domain::SessionId;

use crate::fixture::{NOW, fixture};
use crate::{find, render, snapshot_at};

/// A pairing code in the shape WhatsApp's QR codes carry (made-up keys).
pub const QR: &str = "2@AAAAAAAAAAAAAAA,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTIz,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTIz,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTIz,1";

#[test]
fn qr_popup_fits_80x24_and_is_the_whole_code() {
    let rows = wamod::ui::popups::pairing::qr_rows(QR).expect("encodes");
    let qr =
        qrcode::QrCode::with_error_correction_level(QR.as_bytes(), qrcode::EcLevel::L).expect("qr");
    let modules = qr.width() + 2;
    assert_eq!(
        rows.len(),
        modules.div_ceil(2),
        "two module rows per text row"
    );
    assert!(rows.iter().all(|r| r.chars().count() == modules));
    assert!(rows.len() <= 24, "fits 24 rows: {}", rows.len());
    // Decode the half blocks back to modules and compare with the code.
    for (r, row) in rows.iter().enumerate() {
        for (x, ch) in row.chars().enumerate() {
            let (top, bottom) = half_blocks(&ch.to_string());
            assert_eq!(top, is_light(&qr, x, 2 * r), "({x},{})", 2 * r);
            if 2 * r + 1 < modules {
                assert_eq!(bottom, is_light(&qr, x, 2 * r + 1), "({x},{})", 2 * r + 1);
            }
        }
    }
    let s = qr_popup_state();
    // The whole code is on the 80x24 screen: read the modules back from the cells.
    let decoded = modules_on_screen(&render(&s, 80, 24), &rows, modules);
    assert_eq!(
        decoded.len(),
        qr.width() + 2,
        "same height as QrCode reports"
    );
    assert!(decoded.iter().all(|row| row.len() == qr.width() + 2));
    for (y, row) in decoded.iter().enumerate().skip(1).take(qr.width()) {
        for (x, light) in row.iter().enumerate().skip(1).take(qr.width()) {
            assert_eq!(
                *light,
                qr[(x - 1, y - 1)] == qrcode::Color::Light,
                "module ({x},{y})"
            );
        }
    }
    snapshot_at("qr_popup_80x24", &s, 80, 24);
    snapshot_at("qr_popup_120x40", &s, 120, 40);
    let t = render(&s, 60, 20);
    let buf = t.backend().buffer();
    assert!(
        find(buf, "at least 73x24").is_some(),
        "too small: says what size is needed"
    );
    assert!(find(buf, "press P").is_some(), "and offers the phone code");
}

/// The (top, bottom) modules a half-block character draws; drawn halves are the light ones.
fn half_blocks(symbol: &str) -> (bool, bool) {
    match symbol {
        "█" => (true, true),
        "▀" => (true, false),
        "▄" => (false, true),
        _ => (false, false),
    }
}

/// Whether module (`mx`, `my`) is light, counting the one-module quiet zone around the code.
fn is_light(qr: &qrcode::QrCode, mx: usize, my: usize) -> bool {
    if mx == 0 || my == 0 || mx > qr.width() || my > qr.width() {
        return true;
    }
    qr[(mx - 1, my - 1)] == qrcode::Color::Light
}

/// The QR code popup, with the demo's note in the status bar.
fn qr_popup_state() -> AppState {
    let mut s = fixture();
    s.popup = Some(Popup::Pairing {
        session: SessionId(3),
        state: Pairing::Qr {
            code: QR.into(),
            expires_at: NOW + 17,
        },
    });
    s.status = Some(StatusLine {
        text: "Demo: the simulated phone scans this QR code in 4s".into(),
        level: Level::Info,
        until: NOW + 1,
    });
    s
}

/// The modules (light = true) read back from the cells where the QR code's `rows` are drawn,
/// `modules` wide; checks the block fits 24 rows and is white on black.
fn modules_on_screen(t: &Terminal<TestBackend>, rows: &[String], modules: usize) -> Vec<Vec<bool>> {
    let buf = t.backend().buffer();
    let (x0, y0) = find(buf, &rows[0]).expect("the QR's first row is drawn");
    let text_rows = u16::try_from(rows.len()).expect("rows");
    assert!(y0 + text_rows <= 24, "the QR block fits 24 rows");
    let mut decoded: Vec<Vec<bool>> = vec![Vec::new(); modules + 1];
    for r in 0..text_rows {
        for c in 0..u16::try_from(modules).expect("cols") {
            let cell = &buf[(x0 + c, y0 + r)];
            let (top, bottom) = half_blocks(cell.symbol());
            // Light modules are the foreground: white on black, whatever the theme.
            assert_eq!(cell.fg, ratatui::style::Color::White);
            assert_eq!(cell.bg, ratatui::style::Color::Black);
            decoded[2 * usize::from(r)].push(top);
            decoded[2 * usize::from(r) + 1].push(bottom);
        }
    }
    decoded.truncate(modules);
    decoded
}

#[test]
fn phone_pairing_and_confirm_popups() {
    let mut s = fixture();
    let states = [
        (
            "phone_entry",
            Pairing::EnterPhone {
                input: "0044 7700".into(),
                error: Some("Start with the country code, not 0 (e.g. +44 7700 900123)".into()),
            },
        ),
        (
            "phone_requesting",
            Pairing::RequestingCode {
                phone: "15550001111".into(),
            },
        ),
        (
            "phone_code",
            Pairing::Code {
                phone: "15550001111".into(),
                code: "ABCD2345".into(),
            },
        ),
        ("pairing_waiting", Pairing::Waiting),
    ];
    for (name, p) in states {
        s.popup = Some(Popup::Pairing {
            session: SessionId(3),
            state: p,
        });
        snapshot_at(&format!("{name}_80x24"), &s, 80, 24);
        snapshot_at(&format!("{name}_120x40"), &s, 120, 40);
    }
    s.popup = Some(Popup::Confirm(Confirm::Logout(SessionId(1))));
    snapshot_at("confirm_logout_80x24", &s, 80, 24);
    snapshot_at("confirm_logout_120x40", &s, 120, 40);
    s.popup = Some(Popup::Confirm(Confirm::Quit));
    snapshot_at("confirm_quit_80x24", &s, 80, 24);
}
