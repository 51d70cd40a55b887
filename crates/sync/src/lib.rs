//! Sync between a 司法所 and the county 司法局: the versioned wire protocol (shared with the
//! county server) and the agent that runs on the office PC.

pub mod protocol;
