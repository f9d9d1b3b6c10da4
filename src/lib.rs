//! PECS: the encrypted, audited case system of a tracing, process-serving, investigation
//! and debt-recovery agency. Layers (DESIGN.md §1): `cli` -> `service` -> `store`;
//! all may use `domain` and `crypto`.

pub mod cli;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod sanitize;
pub mod service;
pub mod store;
pub mod tui;
