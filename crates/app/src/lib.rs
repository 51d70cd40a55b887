//! The desktop app's command layer: one function per UI action.
//!
//! Every command takes the [`AppState`] (the opened store behind a mutex, and the data
//! directory) and a serde input, and returns a serde output or an [`AppError`] whose message
//! is the Chinese text a clerk can act on, with validation problems carried per field so the
//! UI shows each next to its field. Nothing here knows Tauri: the desktop shell's commands are
//! one-line adapters into these functions, and the tests drive them in plain `cargo test`
//! against a temporary store.

mod error;
mod state;

pub mod about;
pub mod accounts;
pub mod audit_log;
pub mod backup;
pub mod cases;
pub mod dashboard;
pub mod env;
pub mod excel;
pub mod idcheck;
pub mod logs;
pub mod print;
pub mod privacy;
pub mod released;
pub mod reminders;
pub mod screening;
pub mod settings;
pub mod setup;
pub mod statistics;
pub mod sync;
pub mod validate;
mod views;

#[cfg(feature = "ts")]
pub mod bindings;

pub use error::AppError;
pub use state::AppState;
pub use views::*;

/// The program's version, as `fengqiao --version` prints it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
