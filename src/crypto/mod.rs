//! Cryptography with no I/O: secret types that zeroise, the Argon2id key-encryption
//! key, XChaCha20-Poly1305 key wrapping, sealed boxes for failed-login records, keyed
//! name hashes, one-time codes and the audit hash chain.

pub mod chain;
pub mod codes;
pub mod kdf;
pub mod random;
pub mod sealed;
pub mod secret;
pub mod wrap;

pub use kdf::KdfParams;
pub use secret::{DataKey, Kek, Password};
