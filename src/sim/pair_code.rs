//! Linking with a phone-number code, as the phone does it: the companion announces a wrapped
//! ephemeral key (stage 1), the user types the 8-character code on the phone, which answers with
//! its own wrapped ephemeral key (primary_hello); the companion sends its key bundle (stage 2) and
//! the phone derives the same ADV secret to sign the pair-success with.

use anyhow::{Result, anyhow};
use whatsapp_rust::wacore::crypto::hkdf_sha256_into;
use whatsapp_rust::wacore::libsignal::crypto::aes_256_gcm_decrypt;
use whatsapp_rust::wacore::libsignal::protocol::{KeyPair, PublicKey};
use whatsapp_rust::wacore::pair_code::PairCodeUtils;
use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;

/// What stage 1 left on the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionHello {
    /// The account the companion wants to link to (digits).
    pub phone: String,
    /// `salt (32) || iv (16) || AES-CTR(ephemeral pub)` under the code.
    pub wrapped_ephemeral: Vec<u8>,
    pub pairing_ref: Vec<u8>,
}

/// Reads a `companion_hello` IQ (`<link_code_companion_reg stage="companion_hello">`).
pub fn parse_companion_hello(iq: &Node, pairing_ref: Vec<u8>) -> Option<CompanionHello> {
    let reg = iq.get_optional_child("link_code_companion_reg")?;
    if reg
        .attrs
        .get("stage")
        .map(|v| v.as_str().into_owned())
        .as_deref()
        != Some("companion_hello")
    {
        return None;
    }
    let jid = reg.attrs.get("jid")?.as_str().into_owned();
    let phone = jid.split(['@', ':']).next()?.to_string();
    let wrapped =
        bytes_of(reg.get_optional_child("link_code_pairing_wrapped_companion_ephemeral_pub")?)?;
    (wrapped.len() == 80).then_some(CompanionHello {
        phone,
        wrapped_ephemeral: wrapped,
        pairing_ref,
    })
}

fn bytes_of(node: &Node) -> Option<Vec<u8>> {
    match &node.content {
        Some(whatsapp_rust::wacore_binary::node::NodeContent::Bytes(b)) => Some(b.clone()),
        _ => None,
    }
}

/// The answer to stage 1: the pairing ref.
pub fn companion_hello_result(pairing_ref: &[u8]) -> Node {
    NodeBuilder::new("link_code_companion_reg")
        .children([NodeBuilder::new("link_code_pairing_ref")
            .bytes(pairing_ref.to_vec())
            .build()])
        .build()
}

/// The phone's side after the user typed the code.
pub struct PrimaryHello {
    pub notification: Node,
    pub primary_ephemeral: KeyPair,
    pub companion_ephemeral_pub: [u8; 32],
}

/// The user typed `code` on the phone of the account with key `account`.
pub fn primary_hello(
    hello: &CompanionHello,
    code: &str,
    account: &KeyPair,
    id: &str,
) -> Result<PrimaryHello> {
    let code = code.trim().replace('-', "").to_ascii_uppercase();
    if !PairCodeUtils::validate_code(&code) {
        return Err(anyhow!("not a pairing code: expected 8 characters"));
    }
    // Same wrapping both ways (salt || iv || AES-CTR under a PBKDF2 key of the code).
    let companion_ephemeral_pub =
        PairCodeUtils::decrypt_primary_ephemeral_pub(&hello.wrapped_ephemeral, &code)
            .map_err(|e| anyhow!("unwrapping the companion key: {e}"))?;
    let primary_ephemeral = whatsapp_rust::wacore::crypto::generate_curve_key_pair();
    let eph_pub: [u8; 32] = primary_ephemeral
        .public_key
        .public_key_bytes()
        .try_into()
        .map_err(|_| anyhow!("ephemeral key size"))?;
    let wrapped = PairCodeUtils::encrypt_ephemeral_pub(&eph_pub, &code);
    let notification = NodeBuilder::new("notification")
        .attr("type", "link_code_companion_reg")
        .attr("from", "s.whatsapp.net")
        .attr("id", id)
        .attr("t", super::clock::now_unix().to_string())
        .children([NodeBuilder::new("link_code_companion_reg")
            .attr("stage", "primary_hello")
            .children([
                NodeBuilder::new("link_code_pairing_wrapped_primary_ephemeral_pub")
                    .bytes(wrapped.to_vec())
                    .build(),
                NodeBuilder::new("primary_identity_pub")
                    .bytes(account.public_key.public_key_bytes().to_vec())
                    .build(),
                NodeBuilder::new("link_code_pairing_ref")
                    .bytes(hello.pairing_ref.clone())
                    .build(),
            ])
            .build()])
        .build();
    Ok(PrimaryHello {
        notification,
        primary_ephemeral,
        companion_ephemeral_pub,
    })
}

/// Reads `companion_finish` and derives what the phone needs for pair-success: the companion's
/// identity key and the ADV secret (both sides compute it from the same DH results).
pub fn companion_finish(
    iq: &Node,
    primary_ephemeral: &KeyPair,
    companion_ephemeral_pub: &[u8; 32],
    account: &KeyPair,
) -> Result<([u8; 32], Vec<u8>)> {
    let reg = iq
        .get_optional_child("link_code_companion_reg")
        .ok_or_else(|| anyhow!("not a companion_finish"))?;
    let wrapped = reg
        .get_optional_child("link_code_pairing_wrapped_key_bundle")
        .and_then(bytes_of)
        .ok_or_else(|| anyhow!("companion_finish without a key bundle"))?;
    if wrapped.len() < 32 + 12 + 16 {
        return Err(anyhow!("key bundle too short"));
    }
    let companion_eph = PublicKey::from_djb_public_key_bytes(companion_ephemeral_pub)
        .map_err(|e| anyhow!("companion ephemeral key: {e}"))?;
    let ephemeral_shared = primary_ephemeral
        .private_key
        .calculate_agreement(&companion_eph)
        .map_err(|e| anyhow!("ephemeral agreement: {e}"))?;
    let mut enc_key = [0u8; 32];
    hkdf_sha256_into(
        &ephemeral_shared,
        Some(&wrapped[..32]),
        b"link_code_pairing_key_bundle_encryption_key",
        &mut enc_key,
    )
    .map_err(|e| anyhow!("bundle key: {e:?}"))?;
    let iv: [u8; 12] = wrapped[32..44]
        .try_into()
        .map_err(|_| anyhow!("bundle iv"))?;
    let mut bundle = Vec::new();
    aes_256_gcm_decrypt(&enc_key, &iv, b"", &wrapped[44..], &mut bundle)
        .map_err(|_| anyhow!("the key bundle does not decrypt: wrong code?"))?;
    if bundle.len() != 96 {
        return Err(anyhow!("key bundle is {} bytes, expected 96", bundle.len()));
    }
    let companion_identity: [u8; 32] = bundle[..32]
        .try_into()
        .map_err(|_| anyhow!("companion identity"))?;
    let companion_id = PublicKey::from_djb_public_key_bytes(&companion_identity)
        .map_err(|e| anyhow!("companion identity key: {e}"))?;
    let identity_shared = account
        .private_key
        .calculate_agreement(&companion_id)
        .map_err(|e| anyhow!("identity agreement: {e}"))?;
    let mut combined = Vec::with_capacity(96);
    combined.extend_from_slice(&ephemeral_shared);
    combined.extend_from_slice(&identity_shared);
    combined.extend_from_slice(&bundle[64..96]);
    let mut adv_secret = [0u8; 32];
    hkdf_sha256_into(&combined, None, b"adv_secret", &mut adv_secret)
        .map_err(|e| anyhow!("adv secret: {e:?}"))?;
    Ok((companion_identity, adv_secret.to_vec()))
}
