//! Validation as the clerk types: a form's record checked with the model's own rules and
//! messages, without saving.

use fengqiao_model::*;
use serde::Deserialize;

use crate::{AppError, AppState};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValidateInput {
    pub kind: Kind,
    /// The record as the form holds it.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub record: serde_json::Value,
    /// Judge it as it must be to be final (a case: as on acceptance), so the form shows what
    /// is still missing; otherwise only what is wrong in what was typed.
    #[serde(default)]
    pub as_final: bool,
}

fn check<R: Record>(value: serde_json::Value, as_final: bool, ctx: &Ctx) -> Result<Issues, AppError> {
    let mut rec: R = serde_json::from_value(value).map_err(|e| AppError::bad_input(format!("表单内容无法识别：{e}")))?;
    rec.normalize(ctx);
    if as_final {
        rec.meta_mut().draft = false;
    }
    let mut issues = Issues::new();
    rec.validate(ctx, &mut issues);
    Ok(issues)
}

pub fn validate_record(state: &AppState, input: ValidateInput) -> Result<Issues, AppError> {
    let ctx = state.ctx();
    let ValidateInput { kind, mut record, as_final } = input;
    if kind == Kind::DisputeCase && as_final {
        // A case is judged as it must be on acceptance; the number is issued then.
        if let Some(obj) = record.as_object_mut() {
            if obj.get("status").and_then(|s| s.as_str()).is_none_or(|s| s == "draft") {
                obj.insert("status".into(), "accepted".into());
                if obj.get("case_no").is_none_or(|v| v.is_null()) {
                    obj.insert("case_no".into(), "待分配".into());
                }
            }
        }
    }
    match kind {
        Kind::Organization => check::<Organization>(record, as_final, &ctx),
        Kind::Mediator => check::<Mediator>(record, as_final, &ctx),
        Kind::Person => check::<Person>(record, as_final, &ctx),
        Kind::LegalEntity => check::<LegalEntity>(record, as_final, &ctx),
        Kind::DisputeCase => check::<DisputeCase>(record, as_final, &ctx),
        Kind::CaseParty => check::<CaseParty>(record, as_final, &ctx),
        Kind::InvestigationRecord => check::<InvestigationRecord>(record, as_final, &ctx),
        Kind::MediationSession => check::<MediationSession>(record, as_final, &ctx),
        Kind::Agreement => check::<Agreement>(record, as_final, &ctx),
        Kind::ReturnVisit => check::<ReturnVisit>(record, as_final, &ctx),
        Kind::ScreeningRound => check::<ScreeningRound>(record, as_final, &ctx),
        Kind::ScreeningItem => check::<ScreeningItem>(record, as_final, &ctx),
        Kind::FieldVisit => check::<FieldVisit>(record, as_final, &ctx),
        Kind::ReleasedPerson => check::<ReleasedPerson>(record, as_final, &ctx),
        Kind::HelpGroup => check::<HelpGroup>(record, as_final, &ctx),
        Kind::HelpVisit => check::<HelpVisit>(record, as_final, &ctx),
        Kind::AssessmentChange => check::<AssessmentChange>(record, as_final, &ctx),
        Kind::HandoverEvent => check::<HandoverEvent>(record, as_final, &ctx),
    }
}
