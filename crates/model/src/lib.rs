//! Fengqiao's record model: the records of a 司法所 (dispute ledger, investigation logs,
//! released-person files), their enumerations with Chinese labels, and the rules a record
//! must satisfy. No I/O: the store, the documents and sync build on this.

#[macro_use]
pub mod codes;
#[macro_use]
pub mod meta;
pub mod aggregate;
pub mod case_no;
pub mod id_number;
pub mod labels;
pub mod mediation;
pub mod merge;
pub mod released;
pub mod screening;
pub mod validate;
pub mod workflow;

pub use aggregate::{parse_line, CaseFile, ExportLine, PartyEntry, ReleasedFile, RoundFile};
pub use codes::*;
pub use labels::{display_value, field_label};
pub use mediation::*;
pub use meta::{Kind, Meta, Record};
pub use released::*;
pub use screening::*;
pub use validate::{Ctx, FieldIssue, Invalid, Issues};

/// A new record id: UUIDv7, time-ordered, made on the device.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
