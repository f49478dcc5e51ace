//! Bytes <-> nodes on one connection: the connection header, 3-byte length frames, and after the
//! handshake AES-GCM with a per-direction counter around `[flag] + binary node`.

use anyhow::{Result, anyhow};
use whatsapp_rust::wacore::framing::{FrameDecoder, encode_frame};
use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::consts::WA_CONN_HEADER;
use whatsapp_rust::wacore_binary::marshal::{marshal, unmarshal_ref};
use whatsapp_rust::wacore_binary::util::unpack;

use super::noise::TransportKeys;

pub struct Wire {
    decoder: FrameDecoder,
    /// The client opens with `WA\x06\x03` once, before its first frame.
    header_seen: bool,
    raw: Vec<u8>,
    keys: Option<TransportKeys>,
    read_counter: u32,
    write_counter: u32,
}

impl Default for Wire {
    fn default() -> Self {
        Self::new()
    }
}

impl Wire {
    pub fn new() -> Self {
        Self {
            decoder: FrameDecoder::new(),
            header_seen: false,
            raw: Vec::new(),
            keys: None,
            read_counter: 0,
            write_counter: 0,
        }
    }

    pub fn feed(&mut self, data: &[u8]) -> Result<()> {
        if self.header_seen {
            self.decoder.feed(data);
            return Ok(());
        }
        self.raw.extend_from_slice(data);
        if self.raw.len() < WA_CONN_HEADER.len() {
            return Ok(());
        }
        if self.raw[..WA_CONN_HEADER.len()] != WA_CONN_HEADER {
            return Err(anyhow!("connection did not start with the WA header"));
        }
        self.header_seen = true;
        let rest = std::mem::take(&mut self.raw);
        self.decoder.feed(&rest[WA_CONN_HEADER.len()..]);
        Ok(())
    }

    /// The next complete frame's payload (still encrypted once keys are set).
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        self.decoder.decode_frame().map(|f| f.to_vec())
    }

    pub fn set_keys(&mut self, keys: TransportKeys) {
        self.keys = Some(keys);
    }

    /// Frames a handshake message (sent in clear).
    pub fn handshake_frame(payload: &[u8]) -> Result<Vec<u8>> {
        encode_frame(payload, None)
    }

    pub fn decrypt_node(&mut self, mut frame: Vec<u8>) -> Result<Node> {
        let keys = self
            .keys
            .as_ref()
            .ok_or_else(|| anyhow!("no transport keys"))?;
        keys.read
            .decrypt_in_place_with_counter(self.read_counter, &mut frame)?;
        self.read_counter = self.read_counter.wrapping_add(1);
        let plain = unpack(&frame)?;
        Ok(unmarshal_ref(&plain)?.to_owned())
    }

    pub fn encrypt_node(&mut self, node: &Node) -> Result<Vec<u8>> {
        let keys = self
            .keys
            .as_ref()
            .ok_or_else(|| anyhow!("no transport keys"))?;
        // `marshal` already prefixes the uncompressed flag byte.
        let plain = marshal(node)?;
        let ct = keys
            .write
            .encrypt_with_counter(self.write_counter, &plain)?;
        self.write_counter = self.write_counter.wrapping_add(1);
        encode_frame(&ct, None)
    }
}
