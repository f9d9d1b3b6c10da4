//! The data key of an installation, through a recovery slot made for the purpose
//! (public APIs only): how tests and benchmarks get behind the service layer with a raw
//! keyed connection. Shared by `tests/common` and `benches/common`.

use pecs::crypto::{DataKey, Password, codes, kdf, wrap};
use pecs::service::{Pecs, demo, slots};
use pecs::store::keyring::{Keyring, SlotKind};

/// Log in as the demo sysadmin, make a recovery code and unwrap the key with it.
pub fn data_key_of(pecs: &Pecs, origin: pecs::domain::Origin) -> DataKey {
    let admin = pecs
        .login(demo::SYSADMIN, &Password::new(demo::DEMO_PASSWORD), origin)
        .expect("sysadmin login");
    let (summary, code) = slots::create_recovery_code(&admin).expect("recovery code");
    admin.logout().expect("logout");
    let ring = Keyring::open(&pecs.paths.keys).expect("key ring");
    let slot = ring
        .slots_of_kind(SlotKind::Recovery)
        .expect("slots")
        .into_iter()
        .find(|s| s.id == summary.id)
        .expect("the new recovery slot");
    let kek = kdf::derive(
        &codes::normalise_code(&code),
        &slot.salt,
        slot.kdf.expect("recovery slots have KDF parameters"),
    )
    .expect("derive");
    wrap::unwrap(&slot.wrapped, &kek, &slot.id, "recovery").expect("unwrap recovery slot")
}
