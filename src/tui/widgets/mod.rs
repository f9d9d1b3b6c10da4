//! Small drawing pieces shared by the screens.

pub mod audit_state;
pub mod field;
pub mod form;
pub mod hints;
pub mod popup;
