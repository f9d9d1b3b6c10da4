//! The audit hash chain: `hash = SHA-256(prev_hash || canonical encoding of the row)`.
//! The encoding is length-prefixed so no two different rows encode alike.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The columns of one audit row, exactly as stored.
pub struct ChainFields<'a> {
    pub seq: i64,
    pub at_ms: i64,
    /// Every other column in table order, `None` for NULL.
    pub text: &'a [Option<&'a str>],
}

pub fn link(prev_hash: &[u8], fields: &ChainFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"pecs-audit-v1");
    h.update(prev_hash);
    h.update(fields.seq.to_be_bytes());
    h.update(fields.at_ms.to_be_bytes());
    for field in fields.text.iter().copied() {
        match field {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    h.finalize().into()
}
