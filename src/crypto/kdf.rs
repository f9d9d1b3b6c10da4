//! Argon2id: a password (or code) and a per-slot salt give a key-encryption key.
//! Parameters travel with each slot so they can be raised later.

use super::{Kek, Password};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl KdfParams {
    /// DESIGN.md §2: m = 64 MiB, t = 3, p = 1 (about 100 ms on the office server).
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };
}

#[derive(Debug, thiserror::Error)]
#[error("key derivation parameters are invalid: {0}")]
pub struct KdfError(String);

pub fn derive(secret: &Password, salt: &[u8], params: KdfParams) -> Result<Kek, KdfError> {
    let argon_params = argon2::Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|e| KdfError(e.to_string()))?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon_params,
    );
    let mut out = Kek([0; 32]);
    argon
        .hash_password_into(secret.expose().as_bytes(), salt, &mut out.0)
        .map_err(|e| KdfError(e.to_string()))?;
    Ok(out)
}
