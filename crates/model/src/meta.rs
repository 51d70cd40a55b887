//! What every stored record carries (DESIGN.md "Rules of the house"), and the record kinds.

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{Ctx, Issues};

/// Identity and bookkeeping common to every record. The store fills these; a new record sent
/// by the UI may leave them empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Meta {
    /// UUIDv7, made on the device.
    pub id: Uuid,
    /// The owning 司法所.
    pub org_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
    /// Incremented by every save; sync uses it to detect conflicts.
    pub version: i64,
    /// Soft delete: a deleted record is kept (and synced) as a tombstone.
    pub deleted: bool,
    /// A draft may be incomplete; a final record must have every required field.
    pub draft: bool,
}

code_enum!(
    /// The kinds of stored records; the code is also the SQL table name.
    Kind, "记录类别", {
    Organization = "organization", "机构";
    Mediator = "mediator", "人民调解员";
    Person = "person", "人员";
    LegalEntity = "legal_entity", "单位";
    DisputeCase = "dispute_case", "纠纷案件";
    CaseParty = "case_party", "当事人";
    InvestigationRecord = "investigation_record", "调查记录";
    MediationSession = "mediation_session", "调解记录";
    Agreement = "agreement", "调解协议";
    ReturnVisit = "return_visit", "回访记录";
    ScreeningRound = "screening_round", "排查";
    ScreeningItem = "screening_item", "排查登记";
    FieldVisit = "field_visit", "走访记录";
    ReleasedPerson = "released_person", "安置帮教对象";
    HelpGroup = "help_group", "帮教小组";
    HelpVisit = "help_visit", "帮教记录";
    AssessmentChange = "assessment_change", "评估变更";
    HandoverEvent = "handover_event", "衔接环节";
});

/// A stored record: its kind, its bookkeeping, and its own rules.
pub trait Record: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static {
    const KIND: Kind;
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
    /// Fills what can be derived (canonical ID number, gender and birth date from it, the
    /// 帮教期 default …). Runs before `validate` on every save.
    fn normalize(&mut self, _ctx: &Ctx) {}
    /// The record's own rules. Rules that need other records live with the aggregate.
    fn validate(&self, ctx: &Ctx, issues: &mut Issues);
    /// The parent record this one belongs to (a party's case, an item's round), if any.
    fn parent_id(&self) -> Option<Uuid> {
        None
    }
}

/// Implements the boilerplate of [`Record`] for a struct with a flattened `meta`.
macro_rules! record_meta {
    () => {
        fn meta(&self) -> &$crate::meta::Meta {
            &self.meta
        }
        fn meta_mut(&mut self) -> &mut $crate::meta::Meta {
            &mut self.meta
        }
    };
}
