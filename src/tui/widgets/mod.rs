//! Small drawing pieces shared by the screens.

pub mod field;
pub mod form;
pub mod hints;
pub mod popup;
