//! One-time codes people type: reset codes and recovery codes, and the keyed hash that
//! finds a user's slot without storing the user name.

use super::Password;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Crockford-style alphabet without look-alikes (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `groups` groups of 4 characters from 32 symbols: 20 bits a group.
fn grouped_code(groups: usize) -> Password {
    let mut raw = vec![0u8; groups * 4];
    super::random::fill(&mut raw);
    let mut out = String::with_capacity(groups * 5);
    for (i, b) in raw.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[(*b & 31) as usize] as char);
    }
    zeroize::Zeroize::zeroize(&mut raw);
    let code = Password::new(&out);
    zeroize::Zeroize::zeroize(&mut out);
    code
}

/// A reset code: 80 bits, e.g. `7QK2-M9XD-4HTR-B1ZC`; typed instead of a password.
pub fn reset_code() -> Password {
    grouped_code(4)
}

/// A recovery code for the office safe: 160 bits in eight groups.
pub fn recovery_code() -> Password {
    grouped_code(8)
}

/// Codes are typed by people: accept lower case, spaces and missing hyphens.
pub fn normalise_code(typed: &Password) -> Password {
    let compact: zeroize::Zeroizing<String> = typed
        .expose()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect::<String>()
        .into();
    let mut out = zeroize::Zeroizing::new(String::with_capacity(compact.len() + compact.len() / 4));
    for (i, c) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Password::new(&out)
}

/// HMAC-SHA-256 of the normalised user name under the installation's random salt.
pub fn name_hash(salt: &[u8], normalised_name: &str) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(salt).expect("HMAC accepts keys of any length");
    mac.update(normalised_name.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_shape_and_normalise() {
        let code = reset_code();
        assert_eq!(code.expose().len(), 19);
        let sloppy = Password::new(&code.expose().to_lowercase().replace('-', " "));
        assert_eq!(normalise_code(&sloppy).expose(), code.expose());
        assert_eq!(recovery_code().expose().len(), 39);
        assert_ne!(reset_code().expose(), reset_code().expose());
    }

    #[test]
    fn name_hash_depends_on_salt() {
        assert_ne!(name_hash(b"a", "sam"), name_hash(b"b", "sam"));
        assert_eq!(name_hash(b"a", "sam"), name_hash(b"a", "sam"));
    }
}
