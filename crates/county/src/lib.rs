//! The county 司法局's server: the sync endpoints of protocol v1 (`fengqiao_sync::protocol`),
//! enrollment and device tokens, the county's notices to offices, and the export of an
//! office's records, over an embedded SQLite database or PostgreSQL behind one trait.

pub mod accounts;
pub mod apply;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod http;
pub mod limits;
pub mod notice;
pub mod office_audit;
pub mod openapi;
pub mod store;

pub use error::{CountyError, Result};
pub use store::{CountyStore, PgStore, SqliteStore};
