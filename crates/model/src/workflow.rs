//! The case status machine of domain.md §2.9.5 and the rules that gate each step
//! (人民调解法 第十七、二十六、二十七、二十九条; 一个月调结, §3.2).

use chrono::NaiveDate;

use crate::aggregate::CaseFile;
use crate::codes::{AgreementForm, CaseStatus, MediationResult, PerformanceStatus};
use crate::meta::Record;
use crate::validate::{cn_date, Ctx, Issues};

use CaseStatus::*;

/// Days after acceptance by which a case should be concluded ("一般在一个月内调结").
pub const MEDIATION_DAYS: i64 = 30;
/// Day from which a case is flagged as near its month.
pub const MEDIATION_WARN_DAYS: i64 = 25;

/// The statuses a case may move to from `from`.
pub fn next_statuses(from: CaseStatus) -> &'static [CaseStatus] {
    match from {
        Draft => &[Accepted, Rejected, Withdrawn],
        Accepted => &[Investigating, Mediating, Rejected, Withdrawn],
        Investigating => &[Mediating, Terminated, Withdrawn],
        Mediating => &[Investigating, AgreementReached, Terminated, Withdrawn],
        AgreementReached => &[Performing, Closed],
        Performing => &[Closed],
        Terminated => &[Closed],
        Closed => &[Archived],
        Archived | Rejected | Withdrawn => &[],
    }
}

/// Why a step was refused: every reason, each naming what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("不能从“{from}”变为“{to}”：{}", reasons.join("；"))]
pub struct Refusal {
    pub from: CaseStatus,
    pub to: CaseStatus,
    pub reasons: Vec<String>,
}

/// Moves a case to `to`, returning the updated case (status and what the step derives: the
/// result, the agreement form, dates), or every reason the rules refuse it.
pub fn transition(file: &CaseFile, to: CaseStatus, ctx: &Ctx) -> Result<crate::DisputeCase, Refusal> {
    let from = file.case.status;
    let refuse = |reasons: Vec<String>| Refusal { from, to, reasons };
    if !next_statuses(from).contains(&to) {
        let allowed: Vec<&str> = next_statuses(from).iter().map(|s| s.label()).collect();
        let hint = if allowed.is_empty() {
            format!("“{}”是最终状态", from.label())
        } else {
            format!("当前只能变为：{}", allowed.join("、"))
        };
        return Err(refuse(vec![hint]));
    }
    let mut case = file.case.clone();
    let mut reasons = Vec::new();
    let live_parties: Vec<_> = file.parties.iter().filter(|p| !p.party.meta.deleted).collect();
    let final_sessions = file.sessions.iter().filter(|s| !s.meta.deleted && !s.meta.draft).count();
    let agreement = file.agreement.as_ref().filter(|a| !a.meta.deleted);

    match to {
        Accepted => {
            if live_parties.len() < 2 {
                reasons.push("纠纷至少应登记两方当事人".to_string());
            }
            case.accepted_on.get_or_insert(ctx.today);
        }
        Investigating | Mediating => {
            if let Some(accepted) = case.accepted_on {
                let days = (ctx.today - accepted).num_days();
                if days > MEDIATION_DAYS && !case.extension_consent {
                    reasons.push(format!("受理已{days}天，超过一个月；继续调解须经双方当事人同意（请先登记同意延长），否则应终止调解"));
                }
            }
        }
        AgreementReached => {
            if final_sessions == 0 {
                reasons.push("尚无定稿的调解记录".to_string());
            }
            match agreement {
                None => reasons.push("尚未登记调解协议".to_string()),
                Some(a) if a.meta.draft => reasons.push("调解协议仍是草稿，请补全后定稿".to_string()),
                Some(a) => {
                    case.result = Some(MediationResult::Success);
                    case.agreement_form = a.form;
                }
            }
        }
        Terminated => {
            case.result = Some(MediationResult::Failed);
        }
        Withdrawn => {
            case.result = Some(MediationResult::Withdrawn);
        }
        Performing => match agreement.and_then(|a| a.performance_status) {
            Some(PerformanceStatus::Immediate | PerformanceStatus::Fulfilled) => {
                reasons.push("协议已履行完毕，应直接结案".to_string());
            }
            _ => {}
        },
        Closed => {
            if from != Terminated {
                if let Some(a) = agreement {
                    if matches!(a.performance_status, Some(PerformanceStatus::InProgress) | None) {
                        reasons.push("协议尚在履行中，请先登记履行情况".to_string());
                    }
                }
            }
            case.closed_on.get_or_insert(ctx.today);
        }
        Archived => {
            for item in archive_checklist(file) {
                if item.required && !item.present {
                    reasons.push(format!("卷宗缺少必备材料：{}", item.name));
                }
            }
            case.archived_on.get_or_insert(ctx.today);
            case.page_count = case.page_count.or(Some(0)).filter(|&n| n > 0);
        }
        Draft | Rejected => {}
    }
    case.status = to;
    case.meta.draft = false;
    let mut issues = Issues::new();
    case.validate(ctx, &mut issues);
    reasons.extend(issues.errors.iter().map(|e| format!("{}{}", e.label, e.message)));
    if reasons.is_empty() {
        Ok(case)
    } else {
        Err(refuse(reasons))
    }
}

/// One line of the 卷宗 checklist (domain.md §1.2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChecklistItem {
    pub name: &'static str,
    pub required: bool,
    pub present: bool,
}

/// What the case file holds against the 卷宗 composition of §1.2; "必须" items must be present
/// before the file may be archived.
pub fn archive_checklist(file: &CaseFile) -> Vec<ChecklistItem> {
    let parties: Vec<_> = file.parties.iter().filter(|p| !p.party.meta.deleted).collect();
    let agreement = file.agreement.as_ref().filter(|a| !a.meta.deleted && !a.meta.draft);
    let success = file.case.result == Some(MediationResult::Success);
    let item = |name, required, present| ChecklistItem { name, required, present };
    vec![
        item("人民调解申请书或受理登记表", true, file.case.accepted_on.is_some()),
        item("当事人权利义务告知书", true, !parties.is_empty() && parties.iter().all(|p| p.party.rights_notice_given_on.is_some())),
        item("当事人身份证明", true, !parties.is_empty() && parties.iter().all(|p| p.party.id_copy_attached)),
        item(
            "授权委托书",
            parties.iter().any(|p| p.party.agent_person_id.is_some()),
            parties.iter().filter(|p| p.party.agent_person_id.is_some()).all(|p| p.party.agent_authority.is_some()),
        ),
        item("人民调解调查记录", false, file.investigations.iter().any(|r| !r.meta.deleted)),
        item("人民调解记录", true, file.sessions.iter().any(|s| !s.meta.deleted && !s.meta.draft)),
        item(
            if agreement.and_then(|a| a.form) == Some(AgreementForm::Oral) { "人民调解口头协议登记表" } else { "人民调解协议书" },
            success,
            agreement.is_some(),
        ),
        item("人民调解回访记录", false, file.return_visits.iter().any(|v| !v.meta.deleted)),
        item("司法确认有关材料", false, agreement.is_some_and(|a| a.jc_applied_on.is_some())),
    ]
}

/// Days a case has been open, counted from acceptance (the one-month clock).
pub fn days_open(accepted_on: NaiveDate, today: NaiveDate) -> i64 {
    (today - accepted_on).num_days()
}

/// A short Chinese line for the one-month clock, e.g. for the ledger.
pub fn month_clock_note(accepted_on: NaiveDate, today: NaiveDate) -> Option<String> {
    let days = days_open(accepted_on, today);
    (days >= MEDIATION_WARN_DAYS).then(|| format!("{}受理，已{}天", cn_date(accepted_on), days))
}
