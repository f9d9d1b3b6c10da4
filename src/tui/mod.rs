//! The terminal UI. It calls the service layer only (never the storage layer), renders what the
//! service returned, and hides what the policy says the role cannot do; the service is
//! the guard, the hiding is courtesy.

pub mod action;
pub mod app;
pub mod keymap;
pub mod screens;
pub mod terminal;
pub mod theme;
pub mod widgets;

pub use app::{App, UiOptions};
