//! Sealed boxes (X25519 + XSalsa20-Poly1305): anyone with the public key in the key ring
//! can seal a failed-login record; only the private key inside the encrypted database
//! can open it.

use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use zeroize::Zeroizing;

pub struct SealKeypair {
    pub public: [u8; 32],
    pub secret: Zeroizing<[u8; 32]>,
}

pub fn generate_keypair() -> SealKeypair {
    let secret = SecretKey::generate(&mut OsRng);
    SealKeypair {
        public: secret.public_key().to_bytes(),
        secret: Zeroizing::new(secret.to_bytes()),
    }
}

pub fn seal(public: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    PublicKey::from_bytes(*public)
        .seal(&mut OsRng, plaintext)
        .expect("sealing a small record cannot fail")
}

/// `None` when the box was not sealed to this key or was altered.
pub fn open(secret: &[u8; 32], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    SecretKey::from_bytes(*secret)
        .unseal(sealed)
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_key_opens() {
        let pair = generate_keypair();
        let boxed = seal(&pair.public, b"alice");
        assert!(!boxed.windows(5).any(|w| w == b"alice"));
        assert_eq!(open(&pair.secret, &boxed).unwrap().as_slice(), b"alice");
        assert!(open(&generate_keypair().secret, &boxed).is_none());
    }
}
