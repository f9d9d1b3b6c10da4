//! Secret values: zeroised on drop, never printed by `Debug`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The 256-bit key that opens `pecs.db`.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

/// A key-encryption key: unwraps a [`DataKey`] from one slot.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Kek(pub(crate) [u8; 32]);

impl DataKey {
    pub fn generate() -> DataKey {
        let mut key = DataKey([0; 32]);
        super::random::fill(&mut key.0);
        key
    }

    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// HMAC-SHA-256 of `data` under a key of its own for `purpose`, derived from this
    /// one: proof that whoever wrote `data` held the data key.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        self.mac_for(purpose)
            .chain_update(data)
            .finalize()
            .into_bytes()
            .into()
    }

    /// Whether `tag` is [`DataKey::mac`] of `data` for `purpose` (compared in constant time).
    pub fn verify_mac(&self, purpose: &str, data: &[u8], tag: &[u8]) -> bool {
        self.mac_for(purpose)
            .chain_update(data)
            .verify_slice(tag)
            .is_ok()
    }

    fn mac_for(&self, purpose: &str) -> Hmac<Sha256> {
        let derived: [u8; 32] = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes keys of any length")
            .chain_update(purpose.as_bytes())
            .finalize()
            .into_bytes()
            .into();
        let subkey = Zeroizing::new(derived);
        <Hmac<Sha256> as KeyInit>::new_from_slice(subkey.as_ref())
            .expect("HMAC takes keys of any length")
    }

    /// The SQLCipher raw-key literal `x'…'`, in a buffer that is wiped after use.
    pub fn sqlcipher_literal(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        s.push_str(&hex::encode(self.0));
        s.push('\'');
        s
    }
}

impl Kek {
    pub fn from_bytes(bytes: [u8; 32]) -> Kek {
        Kek(bytes)
    }
}

/// A password, reset code or recovery code as typed: NFKC-normalised on entry so that
/// the same characters typed on different keyboards give the same key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    pub fn new(typed: &str) -> Password {
        // NFKC can lengthen text (up to 18x for some characters); reserving generously
        // keeps the push from reallocating and leaving unwiped copies behind.
        let mut out = String::with_capacity(typed.len() * 4 + 16);
        out.extend(typed.nfkc());
        Password(out)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

macro_rules! redacted_debug {
    ($($t:ty),+) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "(<redacted>)"))
            }
        }
    )+};
}
redacted_debug!(DataKey, Kek, Password);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_nothing_secret() {
        let p = Password::new("correct horse battery staple");
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        let k = DataKey::from_bytes([0xab; 32]);
        assert!(!format!("{k:?}").contains("ab"));
    }

    #[test]
    fn nfkc_makes_compatibility_forms_equal() {
        // U+FB01 LATIN SMALL LIGATURE FI normalises to "fi".
        assert_eq!(Password::new("\u{FB01}sh").expose(), "fish");
    }
}
