//! The operating system's random number generator, the only source of randomness.

/// Fill with random bytes. The OS generator failing is not recoverable.
pub fn fill(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system random number generator failed");
}

pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}

/// A random id as 32 hex characters (128 bits).
pub fn hex_id() -> String {
    hex::encode(bytes::<16>())
}
