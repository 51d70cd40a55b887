//! Sync between a 司法所 and the county 司法局: the versioned wire protocol (shared with the
//! county server) and the agent that runs on the office PC.

pub mod agent;
pub mod client;
pub mod protocol;

pub use agent::{enroll, Agent, AgentConfig, Enrolled, NoStatus, RoundReport, SharedStore, StatusSink, SyncError, SyncState};
pub use client::{Client, ClientError, ClientOptions};
