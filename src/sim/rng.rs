//! The one pseudo-random mixer of the simulator.

/// SplitMix64's output function: a cheap, well-mixed hash of a counter or seed. The simulator
/// derives its ids, invite codes, LIDs, generated names and pairing refs with it, so every run of
/// the same world is identical (no OS randomness, reproducible tests).
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
