//! QR pairing as the phone does it: the server hands out `pair-device` refs, the simulated phone
//! "scans" a QR string and answers with a device identity signed by the account key, exactly as
//! whatsapp-rust verifies it (ADV HMAC with the QR's secret + XEdDSA account signature).

use anyhow::{Context, Result, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::{Jid, Node};
use whatsapp_rust::waproto::whatsapp as wa;

use super::rng::splitmix64;

/// How many refs one `pair-device` carries (WhatsApp sends six: 60 s + 5 x 20 s of QR codes).
pub const REFS_PER_PAIRING: usize = 6;

/// Signature prefix of a (non-hosted) account signature over a device identity.
const ADV_PREFIX_ACCOUNT_SIGNATURE: &[u8] = &[6, 0];

/// What the phone reads off a QR code.
#[derive(Debug, Clone)]
pub struct ScannedQr {
    pub pairing_ref: String,
    pub identity_pub: [u8; 32],
    pub adv_secret: Vec<u8>,
}

/// Parses `"{ref},{noise pub b64},{identity pub b64},{adv secret b64}[,{client type}]"`, bare
/// or behind `https://wa.me/settings/linked_devices#` as newer clients show it and phones
/// read it (wacore companion_reg.rs `NATIVE_CAMERA_DEEP_LINK_PREFIX`, pair.rs `parse_qr_code`).
pub fn parse_qr(code: &str) -> Result<ScannedQr> {
    let code = code.trim();
    let code = code
        .strip_prefix(whatsapp_rust::pair::NATIVE_CAMERA_DEEP_LINK_PREFIX)
        .unwrap_or(code);
    let parts: Vec<&str> = code.split(',').collect();
    if parts.len() < 4 || parts.iter().take(4).any(|p| p.is_empty()) {
        return Err(anyhow!(
            "not a WhatsApp QR code: expected 4 or 5 comma-separated fields"
        ));
    }
    let identity_pub: [u8; 32] = B64
        .decode(parts[2])
        .context("identity key is not base64")?
        .try_into()
        .map_err(|_| anyhow!("identity key is not 32 bytes"))?;
    let adv_secret = B64.decode(parts[3]).context("ADV secret is not base64")?;
    if adv_secret.len() != 32 {
        return Err(anyhow!("ADV secret is not 32 bytes"));
    }
    Ok(ScannedQr {
        pairing_ref: parts[0].to_string(),
        identity_pub,
        adv_secret,
    })
}

/// `<iq type="set" xmlns="md"><pair-device><ref>…</ref>×N</pair-device></iq>`. Refs must be bytes:
/// the client reads `content_bytes()` and would drop string content.
pub fn pair_device_iq(id: &str, refs: &[String]) -> Node {
    NodeBuilder::new("iq")
        .attr("from", "s.whatsapp.net")
        .attr("type", "set")
        .attr("id", id)
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-device")
            .children(
                refs.iter()
                    .map(|r| NodeBuilder::new("ref").bytes(r.as_bytes().to_vec()).build()),
            )
            .build()])
        .build()
}

/// The phone's answer to a scan: `<pair-success>` with the signed device identity.
pub fn pair_success_iq(
    id: &str,
    scan: &ScannedQr,
    account_key: &KeyPair,
    device: &Jid,
    lid: &Jid,
    business_name: &str,
    now: i64,
) -> Result<Node> {
    let details = wa::ADVDeviceIdentity {
        raw_id: Some(u32::from(device.device).wrapping_mul(7919).wrapping_add(17)),
        timestamp: Some(u64::try_from(now).unwrap_or(0)),
        key_index: Some(1),
        ..Default::default()
    }
    .encode_to_vec();
    let account_pub = account_key.public_key.public_key_bytes().to_vec();
    let mut to_sign = Vec::with_capacity(2 + details.len() + 32);
    to_sign.extend_from_slice(ADV_PREFIX_ACCOUNT_SIGNATURE);
    to_sign.extend_from_slice(&details);
    to_sign.extend_from_slice(&scan.identity_pub);
    let account_signature = whatsapp_rust::wacore::crypto::calculate_curve_signature(
        &account_key.private_key,
        &to_sign,
    )
    .map_err(|e| anyhow!("account signature: {e}"))?;
    let signed = wa::ADVSignedDeviceIdentity {
        details: Some(details),
        account_signature_key: Some(account_pub),
        account_signature: Some(account_signature.to_vec()),
        device_signature: None,
    }
    .encode_to_vec();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&scan.adv_secret)
        .map_err(|e| anyhow!("hmac key: {e}"))?;
    mac.update(&signed);
    let container = wa::ADVSignedDeviceIdentityHMAC {
        details: Some(signed),
        hmac: Some(mac.finalize().into_bytes().to_vec()),
        account_type: None,
    }
    .encode_to_vec();

    Ok(NodeBuilder::new("iq")
        .attr("from", "s.whatsapp.net")
        .attr("type", "set")
        .attr("id", id)
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-success")
            .children([
                NodeBuilder::new("device-identity").bytes(container).build(),
                NodeBuilder::new("device")
                    .attr("jid", device.clone())
                    .attr("lid", lid.clone())
                    .build(),
                NodeBuilder::new("platform").attr("name", "android").build(),
                NodeBuilder::new("biz").attr("name", business_name).build(),
            ])
            .build()])
        .build())
}

/// Random-looking but unique pairing refs (`2@…`). Much shorter than WhatsApp's so the whole QR
/// string fits QR version 7, which a half-block rendering shows in 24 terminal rows.
pub fn new_refs(seed: u64) -> Vec<String> {
    (0..REFS_PER_PAIRING as u64)
        .map(|i| {
            let mut bytes = [0u8; 6];
            let mut x = seed ^ (i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            for chunk in bytes.chunks_mut(8) {
                x = splitmix64(x);
                chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
            }
            format!("2@{}", URL_SAFE_NO_PAD.encode(bytes))
        })
        .collect()
}
