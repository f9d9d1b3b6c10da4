//! Wrapping the data key under a key-encryption key with XChaCha20-Poly1305. The slot's
//! id and kind are the associated data, so a wrapped key cannot be moved to another slot.

use super::{DataKey, Kek};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// A data key sealed for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    pub nonce: [u8; 24],
    pub ciphertext: Vec<u8>,
}

/// Unwrapping failed: wrong secret, or a slot that was altered. Deliberately says no more.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the key could not be unwrapped")]
pub struct UnwrapError;

fn associated_data(slot_id: &str, kind: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(slot_id.len() + kind.len() + 16);
    aad.extend_from_slice(b"pecs-slot-v1\0");
    aad.extend_from_slice(slot_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(kind.as_bytes());
    aad
}

fn cipher(kek: &Kek) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Key::from(kek.0))
}

pub fn wrap(key: &DataKey, kek: &Kek, slot_id: &str, kind: &str) -> Wrapped {
    let nonce = super::random::bytes::<24>();
    let aad = associated_data(slot_id, kind);
    let ciphertext = cipher(kek)
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: key.as_bytes(),
                aad: &aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption of 32 bytes cannot fail");
    Wrapped { nonce, ciphertext }
}

pub fn unwrap(
    wrapped: &Wrapped,
    kek: &Kek,
    slot_id: &str,
    kind: &str,
) -> Result<DataKey, UnwrapError> {
    let aad = associated_data(slot_id, kind);
    let plain = Zeroizing::new(
        cipher(kek)
            .decrypt(
                &XNonce::from(wrapped.nonce),
                Payload {
                    msg: &wrapped.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| UnwrapError)?,
    );
    let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| UnwrapError)?;
    Ok(DataKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding_to_slot() {
        let key = DataKey::generate();
        let kek = Kek::from_bytes([7; 32]);
        let w = wrap(&key, &kek, "slot-a", "user");
        assert_eq!(unwrap(&w, &kek, "slot-a", "user").unwrap(), key);
        assert_eq!(unwrap(&w, &kek, "slot-b", "user"), Err(UnwrapError));
        assert_eq!(unwrap(&w, &kek, "slot-a", "reset"), Err(UnwrapError));
        assert_eq!(
            unwrap(&w, &Kek::from_bytes([8; 32]), "slot-a", "user"),
            Err(UnwrapError)
        );
    }
}
