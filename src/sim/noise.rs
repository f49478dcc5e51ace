//! The server side of WhatsApp's Noise handshake (XX pattern) and the per-direction transport
//! ciphers that follow it. whatsapp-rust only ships the initiator; this is the responder, built
//! from the same public primitives.

use anyhow::{Context, Result, anyhow, bail};
use whatsapp_rust::buffa::{self, Message as _};
use whatsapp_rust::wacore::handshake::{NoiseCipher, NoiseHandshake};
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore_binary::consts::{NOISE_PATTERN_XX, WA_CONN_HEADER};
use whatsapp_rust::waproto::whatsapp::{self as wa, cert_chain::noise_certificate};

/// The simulator's long-lived Noise identity and the certificate chain it presents.
pub struct ServerIdentity {
    static_kp: KeyPair,
    cert_chain: Vec<u8>,
}

impl ServerIdentity {
    pub fn generate() -> Self {
        let static_kp = whatsapp_rust::wacore::crypto::generate_curve_key_pair();
        let cert_chain = cert_chain_for(static_kp.public_key.public_key_bytes());
        Self {
            static_kp,
            cert_chain,
        }
    }

    fn static_pub(&self) -> &[u8] {
        self.static_kp.public_key.public_key_bytes()
    }
}

/// A chain whose leaf carries our static key. Its signatures are zero: only clients built with
/// `danger-skip-cert-chain-verify` accept it. Its validity ended in 2023 on purpose: the client
/// then never caches it for the IK pattern and always uses XX, the only pattern we answer.
fn cert_chain_for(server_static_pub: &[u8]) -> Vec<u8> {
    let intermediate = noise_certificate::Details {
        serial: Some(1),
        issuer_serial: Some(0),
        key: Some(vec![0xCC; 32]),
        not_before: Some(1_600_000_000),
        not_after: Some(1_700_000_100),
    };
    let leaf = noise_certificate::Details {
        serial: Some(2),
        issuer_serial: Some(1),
        key: Some(server_static_pub.to_vec()),
        not_before: Some(1_600_000_500),
        not_after: Some(1_700_000_000),
    };
    wa::CertChain {
        leaf: buffa::MessageField::some(wa::cert_chain::NoiseCertificate {
            details: Some(leaf.encode_to_vec()),
            signature: Some(vec![0u8; 64]),
        }),
        intermediate: buffa::MessageField::some(wa::cert_chain::NoiseCertificate {
            details: Some(intermediate.encode_to_vec()),
            signature: Some(vec![0u8; 64]),
        }),
    }
    .encode_to_vec()
}

/// Our half of an XX handshake after the ServerHello went out, waiting for the ClientFinish.
pub struct PendingHandshake {
    noise: NoiseHandshake,
    server_eph: KeyPair,
}

/// Answers a ClientHello (the first frame's payload, header already stripped) with the
/// ServerHello payload to frame and send.
pub fn respond_to_client_hello(
    identity: &ServerIdentity,
    client_hello: &[u8],
) -> Result<(Vec<u8>, PendingHandshake)> {
    let msg = wa::HandshakeMessage::decode_from_slice(client_hello).context("ClientHello")?;
    let hello = msg
        .client_hello
        .into_option()
        .ok_or_else(|| anyhow!("handshake message without client_hello"))?;
    if hello.r#static.is_some() {
        // An IK attempt: we only speak XX (our expired certificate keeps clients from trying).
        bail!("IK handshake not supported by the simulator");
    }
    let client_eph: [u8; 32] = hello
        .ephemeral
        .ok_or_else(|| anyhow!("ClientHello without ephemeral"))?
        .try_into()
        .map_err(|_| anyhow!("ClientHello ephemeral is not 32 bytes"))?;

    let mut noise = NoiseHandshake::new(NOISE_PATTERN_XX, &WA_CONN_HEADER)?;
    noise.authenticate(&client_eph);
    let server_eph = whatsapp_rust::wacore::crypto::generate_curve_key_pair();
    noise.authenticate(server_eph.public_key.public_key_bytes());
    noise.mix_shared_secret(server_eph.private_key.serialize(), &client_eph)?;
    let static_ct = noise.encrypt(identity.static_pub())?;
    noise.mix_shared_secret(identity.static_kp.private_key.serialize(), &client_eph)?;
    let cert_ct = noise.encrypt(&identity.cert_chain)?;

    let server_hello = wa::HandshakeMessage {
        server_hello: buffa::MessageField::some(wa::handshake_message::ServerHello {
            ephemeral: Some(server_eph.public_key.public_key_bytes().to_vec()),
            r#static: Some(static_ct),
            payload: Some(cert_ct),
            ..Default::default()
        }),
        ..Default::default()
    };
    Ok((
        server_hello.encode_to_vec(),
        PendingHandshake { noise, server_eph },
    ))
}

/// The keys of an established connection, seen from the server.
pub struct TransportKeys {
    /// Decrypts what the client sends (the initiator's write key).
    pub read: NoiseCipher,
    /// Encrypts what we send.
    pub write: NoiseCipher,
}

impl PendingHandshake {
    /// Consumes the ClientFinish; returns the decrypted `ClientPayload` and the transport keys.
    pub fn finish(mut self, client_finish: &[u8]) -> Result<(wa::ClientPayload, TransportKeys)> {
        let msg = wa::HandshakeMessage::decode_from_slice(client_finish).context("ClientFinish")?;
        let finish = msg
            .client_finish
            .into_option()
            .ok_or_else(|| anyhow!("handshake message without client_finish"))?;
        let static_ct = finish
            .r#static
            .ok_or_else(|| anyhow!("ClientFinish without static"))?;
        let payload_ct = finish
            .payload
            .ok_or_else(|| anyhow!("ClientFinish without payload"))?;
        let client_static = self.noise.decrypt(&static_ct)?;
        self.noise
            .mix_shared_secret(self.server_eph.private_key.serialize(), &client_static)?;
        let payload = self.noise.decrypt(&payload_ct)?;
        let client_payload =
            wa::ClientPayload::decode_from_slice(payload.as_slice()).context("ClientPayload")?;
        let (client_write, client_read) = self.noise.finish()?;
        Ok((
            client_payload,
            TransportKeys {
                read: client_write,
                write: client_read,
            },
        ))
    }
}
