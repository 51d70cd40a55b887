//! 纠纷台账 and the case file: the ledger list, the file with its records, each record's
//! save, and the workflow steps with the rules' refusal reasons.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_model::workflow::{self, ChecklistItem, Refusal};
use fengqiao_model::*;
use fengqiao_store::{DisputeFilter, SortOrder, Store, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{privacy, AppError, AppState};

// ---------------------------------------------------------------------------------------------
// The ledger

/// Filters, search, sorting and paging of the 纠纷台账.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct LedgerQuery {
    /// Words, names (2 characters are enough), case numbers, ID numbers.
    pub query: Option<String>,
    pub statuses: Vec<CaseStatus>,
    pub dispute_type: Option<DisputeType>,
    pub source: Option<CaseSource>,
    pub committee_id: Option<Uuid>,
    pub result: Option<MediationResult>,
    pub accepted_from: Option<NaiveDate>,
    pub accepted_to: Option<NaiveDate>,
    /// `accepted_on` (default), `case_no`, `updated_at` or `closed_on`.
    pub sort: Option<String>,
    /// Oldest (or lowest) first; the default is newest first.
    pub ascending: bool,
    /// From 1.
    pub page: u32,
    /// 20 by default, at most 500.
    pub page_size: u32,
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LedgerRow {
    pub id: Uuid,
    pub case_no: Option<String>,
    pub title: Option<String>,
    pub dispute_type: Option<DisputeType>,
    pub source: Option<CaseSource>,
    pub status: CaseStatus,
    pub result: Option<MediationResult>,
    pub accepted_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// The parties, 甲 side first, joined by "、".
    pub party_names: String,
    pub party_count: i64,
    pub committee: Option<String>,
    pub lead_mediator: Option<String>,
    pub is_difficult: bool,
    pub amount_cents: Option<i64>,
    pub updated_at: DateTime<Utc>,
    /// Days since acceptance while the case is open.
    pub days_open: Option<i64>,
    /// Set from day 25 of an open case, e.g. "2026年11月2日受理，已27天".
    pub month_clock: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LedgerPage {
    pub rows: Vec<LedgerRow>,
    /// Every case matching the filters.
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// Open: the one-month clock runs.
fn is_open(s: CaseStatus) -> bool {
    matches!(s, CaseStatus::Accepted | CaseStatus::Investigating | CaseStatus::Mediating)
}

fn names<R: Record>(store: &Store, name: fn(&R) -> Option<String>) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(store.all::<R>()?.iter().filter_map(|r| name(r).map(|n| (r.meta().id, n))).collect())
}

pub fn list_cases(state: &AppState, q: LedgerQuery) -> Result<LedgerPage, AppError> {
    if let Some(sort) = q.sort.as_deref() {
        if !matches!(sort, "accepted_on" | "case_no" | "updated_at" | "closed_on") {
            return Err(AppError::bad_input(format!("不能按“{sort}”排序")));
        }
    }
    state.with(|s| {
        let today = s.ctx().today;
        let filter = DisputeFilter {
            query: q.query.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            statuses: q.statuses,
            dispute_type: q.dispute_type,
            source: q.source,
            committee_id: q.committee_id,
            result: q.result,
            accepted_from: q.accepted_from,
            accepted_to: q.accepted_to,
            sort: q.sort,
            order: if q.ascending { SortOrder::Asc } else { SortOrder::Desc },
            page: q.page.max(1),
            page_size: if q.page_size == 0 { 20 } else { q.page_size },
        };
        let page = s.list_disputes(&filter)?;
        let committees = names::<Organization>(s, |o| o.name.clone())?;
        let mediators = names::<Mediator>(s, |m| m.name.clone())?;
        let rows = page
            .rows
            .into_iter()
            .map(|r| {
                let c = r.case;
                let days_open = c.accepted_on.filter(|_| is_open(c.status)).map(|a| workflow::days_open(a, today));
                let month_clock = c.accepted_on.filter(|_| is_open(c.status)).and_then(|a| workflow::month_clock_note(a, today));
                LedgerRow {
                    id: c.meta.id,
                    case_no: c.case_no,
                    title: c.title,
                    dispute_type: c.dispute_type,
                    source: c.source,
                    status: c.status,
                    result: c.result,
                    accepted_on: c.accepted_on,
                    closed_on: c.closed_on,
                    party_names: r.party_names,
                    party_count: c.party_count,
                    committee: c.committee_id.and_then(|id| committees.get(&id).cloned()),
                    lead_mediator: c.lead_mediator_id.and_then(|id| mediators.get(&id).cloned()),
                    is_difficult: c.is_difficult,
                    amount_cents: c.amount_cents,
                    updated_at: c.meta.updated_at,
                    days_open,
                    month_clock,
                }
            })
            .collect();
        Ok(LedgerPage { rows, total: page.total, page: page.page, page_size: page.page_size })
    })
}

// ---------------------------------------------------------------------------------------------
// The case file

/// A workflow step the case may take next, with whether the rules allow it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkflowAction {
    pub to: CaseStatus,
    /// The button's text: 受理, 开始调解, 达成协议, 终止调解, 结案, 归档 …
    pub verb: String,
    pub allowed: bool,
    /// Why the rules refuse it now (empty when allowed).
    pub reasons: Vec<String>,
    /// What the step asks for in its dialog: `status_reason`, `failure_reason`,
    /// `alternatives_told`, `closed_on`, `archived_by`, `retention`.
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseView {
    /// The parties' ID and phone numbers are whole only for an account that may see them.
    pub file: CaseFile,
    /// The numbers are shown masked (an account without the right to see them, 只读): the
    /// forms must not offer them for saving.
    pub masked: bool,
    /// The steps the status machine offers from the current status, in its order.
    pub actions: Vec<WorkflowAction>,
    /// The 卷宗 checklist (§1.2): what must be present before 归档.
    pub checklist: Vec<ChecklistItem>,
    pub days_open: Option<i64>,
    pub month_clock: Option<String>,
    /// Last day to apply jointly for 司法确认 (30 days after the agreement took effect).
    pub jc_deadline: Option<NaiveDate>,
}

/// A case save's result: the refreshed file, and the warnings that did not stop the save.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseUpdate {
    pub view: CaseView,
    pub warnings: Vec<FieldIssue>,
}

pub fn verb(to: CaseStatus) -> &'static str {
    match to {
        CaseStatus::Draft => "退回登记",
        CaseStatus::Accepted => "受理",
        CaseStatus::Investigating => "开始调查",
        CaseStatus::Mediating => "开始调解",
        CaseStatus::AgreementReached => "达成协议",
        CaseStatus::Performing => "进入履行",
        CaseStatus::Terminated => "终止调解",
        CaseStatus::Closed => "结案",
        CaseStatus::Archived => "归档",
        CaseStatus::Rejected => "不予受理",
        CaseStatus::Withdrawn => "撤回",
    }
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// What a step's dialog asks for; fills stand-ins for them so the dry run judges only the
/// rules, not the dialog the clerk has not filled yet.
fn dialog_fields(case: &mut DisputeCase, to: CaseStatus) -> Vec<String> {
    let mut needs: Vec<&str> = Vec::new();
    match to {
        CaseStatus::Rejected | CaseStatus::Withdrawn => {
            needs.push("status_reason");
            if blank(&case.status_reason) {
                case.status_reason = Some("—".into());
            }
        }
        CaseStatus::Terminated => {
            needs.extend(["failure_reason", "alternatives_told"]);
            if blank(&case.failure_reason) {
                case.failure_reason = Some("—".into());
            }
            if case.alternatives_told.is_empty() {
                case.alternatives_told = vec![Alternative::Litigation];
            }
        }
        CaseStatus::Closed => needs.push("closed_on"),
        CaseStatus::Archived => {
            needs.extend(["archived_by", "retention"]);
            if blank(&case.archived_by) {
                case.archived_by = Some("—".into());
            }
            case.retention.get_or_insert(Retention::LongTerm);
        }
        _ => {}
    }
    needs.into_iter().map(String::from).collect()
}

/// Runs the status machine's checks without writing.
fn dry_run(file: &CaseFile, to: CaseStatus, ctx: &Ctx) -> Result<DisputeCase, Refusal> {
    let mut file = file.clone();
    if to == CaseStatus::Accepted && file.case.case_no.is_none() {
        file.case.case_no = Some("待分配".into()); // the store allocates the number on acceptance
    }
    workflow::transition(&file, to, ctx)
}

pub(crate) fn case_view(store: &Store, id: Uuid) -> Result<CaseView, AppError> {
    let mut file = store.case_file(id)?;
    let ctx = store.ctx();
    let actions = workflow::next_statuses(file.case.status)
        .iter()
        .map(|&to| {
            let mut probe = file.clone();
            let needs = dialog_fields(&mut probe.case, to);
            let reasons = match dry_run(&probe, to, &ctx) {
                Ok(_) => Vec::new(),
                Err(r) => r.reasons,
            };
            WorkflowAction { to, verb: verb(to).into(), allowed: reasons.is_empty(), reasons, needs }
        })
        .collect();
    let open = is_open(file.case.status);
    let days_open = file.case.accepted_on.filter(|_| open).map(|a| workflow::days_open(a, ctx.today));
    let month_clock = file.case.accepted_on.filter(|_| open).and_then(|a| workflow::month_clock_note(a, ctx.today));
    let jc_deadline = file.agreement.as_ref().and_then(|a| a.jc_deadline());
    let checklist = workflow::archive_checklist(&file);
    let masked = !privacy::may_see_personal(store);
    if masked {
        privacy::mask_case_file(&mut file);
    }
    Ok(CaseView { checklist, actions, days_open, month_clock, jc_deadline, masked, file })
}

pub fn get_case(state: &AppState, id: Uuid) -> Result<CaseView, AppError> {
    state.with(|s| case_view(s, id))
}

// ---------------------------------------------------------------------------------------------
// Saving

/// A party with the person (or unit) it is; a new person or unit is made with the party.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PartyInput {
    pub party: CaseParty,
    pub person: Option<Person>,
    pub entity: Option<LegalEntity>,
}

/// 登记 a new case with its parties, in one action.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct IntakeInput {
    pub case: DisputeCase,
    pub parties: Vec<PartyInput>,
}

const SIDES: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];

/// Checks a record with the model's rules as the store will, without writing.
fn precheck<R: Record>(rec: &mut R, ctx: &Ctx, prefix: &str, issues: &mut Issues) {
    rec.normalize(ctx);
    issues.nested(prefix, |i| rec.validate(ctx, i));
}

/// Checks a party and its person or unit (paths `{prefix}.party.*`, `{prefix}.person.*`).
fn precheck_party(p: &mut PartyInput, ctx: &Ctx, prefix: &str, issues: &mut Issues) {
    let at = |s: &str| if prefix.is_empty() { s.to_string() } else { format!("{prefix}.{s}") };
    if let Some(person) = p.person.as_mut() {
        precheck(person, ctx, &at("person"), issues);
    }
    if let Some(entity) = p.entity.as_mut() {
        precheck(entity, ctx, &at("entity"), issues);
    }
    let mut party = p.party.clone();
    // Stand-ins for ids the save will fill, so only what the clerk typed is judged.
    party.case_id.get_or_insert_with(new_id);
    if p.person.is_some() {
        party.person_id.get_or_insert_with(new_id);
    }
    if p.entity.is_some() {
        party.entity_id.get_or_insert_with(new_id);
    }
    precheck(&mut party, ctx, &at("party"), issues);
}

/// A party's ID or phone number as a masked view showed it is refused, never saved.
fn masked_party(check: &mut privacy::MaskedCheck, p: &PartyInput, prefix: &str) {
    let at = |s: &str| if prefix.is_empty() { s.to_string() } else { format!("{prefix}.{s}") };
    if let Some(person) = &p.person {
        check.person(&at("person"), person);
    }
    if let Some(entity) = &p.entity {
        check.entity(&at("entity"), entity);
    }
}

/// Saves a party's person or unit, then the party itself.
fn write_party(s: &mut Store, mut p: PartyInput) -> Result<Vec<FieldIssue>, AppError> {
    let mut warnings = Vec::new();
    if let Some(person) = p.person.take() {
        let saved = s.save(person).map_err(|e| AppError::from(e).under("person"))?;
        warnings.extend(prefixed(saved.warnings, "person"));
        p.party.person_id = Some(saved.record.meta.id);
    }
    if let Some(entity) = p.entity.take() {
        let saved = s.save(entity).map_err(|e| AppError::from(e).under("entity"))?;
        p.party.entity_id = Some(saved.record.meta.id);
    }
    let saved = s.save(p.party).map_err(|e| AppError::from(e).under("party"))?;
    warnings.extend(prefixed(saved.warnings, "party"));
    Ok(warnings)
}

fn prefixed(mut w: Vec<FieldIssue>, prefix: &str) -> Vec<FieldIssue> {
    for i in &mut w {
        i.field = format!("{prefix}.{}", i.field);
    }
    w
}

/// 登记: a new case (登记中) with its parties; refused as a whole when anything is wrong.
pub fn create_case(state: &AppState, input: IntakeInput) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let IntakeInput { mut case, mut parties } = input;
    if !case.meta.id.is_nil() {
        return Err(AppError::bad_input("登记新案件时不能带已有案件的编号"));
    }
    case.status = CaseStatus::Draft;
    let mut masked = privacy::MaskedCheck::new();
    for (n, p) in parties.iter().enumerate() {
        masked_party(&mut masked, p, &format!("parties[{n}]"));
    }
    masked.finish()?;
    state.with(|s| {
        let ctx = s.ctx();
        let mut issues = Issues::new();
        precheck(&mut case, &ctx, "case", &mut issues);
        for (n, p) in parties.iter_mut().enumerate() {
            if p.party.side.is_none() {
                p.party.side = SIDES.get(n).map(|x| x.to_string());
            }
            if p.party.role.is_none() {
                p.party.role = Some(if n == 0 { PartyRole::Applicant } else { PartyRole::Respondent });
            }
            precheck_party(p, &ctx, &format!("parties[{n}]"), &mut issues);
        }
        let mut warnings = AppError::check(issues)?;
        let saved = s.save(case).map_err(|e| AppError::from(e).under("case"))?;
        warnings.extend(prefixed(saved.warnings, "case"));
        let id = saved.record.meta.id;
        for (n, mut p) in parties.into_iter().enumerate() {
            p.party.case_id = Some(id);
            let w = write_party(s, p).map_err(|e| e.under(&format!("parties[{n}]")))?;
            warnings.extend(prefixed(w, &format!("parties[{n}]")));
        }
        Ok(CaseUpdate { view: case_view(s, id)?, warnings })
    })
}

/// Saves the case's own fields (基本情况). Its status changes only through [`transition`].
pub fn save_case(state: &AppState, case: DisputeCase) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let saved = s.save(case)?;
        Ok(CaseUpdate { view: case_view(s, saved.record.meta.id)?, warnings: saved.warnings })
    })
}

fn require_case(id: Option<Uuid>) -> Result<Uuid, AppError> {
    id.ok_or_else(|| AppError::invalid(vec![FieldIssue { field: "case_id".into(), label: "案件".into(), message: "必须填写".into() }]))
}

/// Adds or changes a party (当事人). A new one gets the next free side (甲, 乙, 丙 …).
pub fn save_party(state: &AppState, input: PartyInput) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let mut input = input;
    let case_id = require_case(input.party.case_id)?;
    let mut masked = privacy::MaskedCheck::new();
    masked_party(&mut masked, &input, "");
    masked.finish()?;
    state.with(|s| {
        let file = s.case_file(case_id)?;
        if input.party.side.is_none() {
            let used: Vec<&str> = file.parties.iter().filter_map(|p| p.party.side.as_deref()).collect();
            input.party.side = SIDES.iter().find(|x| !used.contains(x)).map(|x| x.to_string());
        }
        let ctx = s.ctx();
        let mut issues = Issues::new();
        precheck_party(&mut input, &ctx, "", &mut issues);
        AppError::check(issues)?;
        let warnings = write_party(s, input)?;
        Ok(CaseUpdate { view: case_view(s, case_id)?, warnings })
    })
}

/// A 调查记录, with a new person when the interviewee is not yet known (a witness).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct InvestigationInput {
    pub record: InvestigationRecord,
    pub new_interviewee: Option<Person>,
}

pub fn save_investigation(state: &AppState, input: InvestigationInput) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let InvestigationInput { mut record, new_interviewee } = input;
    let case_id = require_case(record.case_id)?;
    if let Some(p) = &new_interviewee {
        privacy::MaskedCheck::new().person("new_interviewee", p).finish()?;
    }
    state.with(|s| {
        let ctx = s.ctx();
        let mut warnings = Vec::new();
        if let Some(mut person) = new_interviewee {
            let mut issues = Issues::new();
            precheck(&mut person, &ctx, "new_interviewee", &mut issues);
            let mut probe = record.clone();
            probe.interviewee_person_id = Some(new_id());
            precheck(&mut probe, &ctx, "record", &mut issues);
            AppError::check(issues)?;
            let saved = s.save(person).map_err(|e| AppError::from(e).under("new_interviewee"))?;
            record.interviewee_person_id = Some(saved.record.meta.id);
        }
        let saved = s.save(record).map_err(|e| AppError::from(e).under("record"))?;
        warnings.extend(saved.warnings);
        Ok(CaseUpdate { view: case_view(s, case_id)?, warnings })
    })
}

/// A 调解记录; a new one is numbered after the last (次序).
pub fn save_session(state: &AppState, session: MediationSession) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let mut session = session;
    let case_id = require_case(session.case_id)?;
    state.with(|s| {
        if session.seq.is_none() {
            let file = s.case_file(case_id)?;
            session.seq = Some(file.sessions.iter().filter_map(|x| x.seq).max().unwrap_or(0) + 1);
        }
        let saved = s.save(session)?;
        Ok(CaseUpdate { view: case_view(s, case_id)?, warnings: saved.warnings })
    })
}

/// The 调解协议 (书面 or 口头). Defaults: its number is the case's, one copy per party plus one,
/// and the signature checklist lists every party.
pub fn save_agreement(state: &AppState, agreement: Agreement) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let mut a = agreement;
    let case_id = require_case(a.case_id)?;
    state.with(|s| {
        let file = s.case_file(case_id)?;
        if blank(&a.agreement_no) {
            a.agreement_no = file.case.case_no.clone();
        }
        if a.copies.is_none() && a.form == Some(AgreementForm::Written) {
            a.copies = Some(file.parties.len() as i64 + 1);
        }
        if a.signature_checklist.parties.is_empty() {
            a.signature_checklist.parties = file.parties.iter().map(|p| PartySignature { party_id: Some(p.party.meta.id), status: None }).collect();
        }
        let saved = s.save(a)?;
        Ok(CaseUpdate { view: case_view(s, case_id)?, warnings: saved.warnings })
    })
}

/// A 回访记录; its 事由 defaults to the case's title and its number to the agreement's.
pub fn save_return_visit(state: &AppState, visit: ReturnVisit) -> Result<CaseUpdate, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let mut v = visit;
    let case_id = require_case(v.case_id)?;
    state.with(|s| {
        let file = s.case_file(case_id)?;
        if blank(&v.reason) {
            v.reason = file.case.title.clone();
        }
        if blank(&v.agreement_no) {
            v.agreement_no = file.agreement.as_ref().and_then(|a| a.agreement_no.clone());
        }
        let saved = s.save(v)?;
        Ok(CaseUpdate { view: case_view(s, case_id)?, warnings: saved.warnings })
    })
}

/// Removes a record from a case file (a party, an investigation, a session, a visit).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseRecordRef {
    pub case_id: Uuid,
    pub kind: Kind,
    pub id: Uuid,
}

/// Deletes a child record of `case_id` (refusing one of another case).
fn remove<R: Record>(s: &mut Store, case_id: Uuid, id: Uuid) -> Result<(), AppError> {
    if s.require::<R>(id)?.parent_id() != Some(case_id) {
        return Err(AppError::bad_input("该记录不属于这个案件"));
    }
    s.delete::<R>(id)?;
    Ok(())
}

pub fn delete_case_record(state: &AppState, r: CaseRecordRef) -> Result<CaseView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        match r.kind {
            Kind::CaseParty => remove::<CaseParty>(s, r.case_id, r.id)?,
            Kind::InvestigationRecord => remove::<InvestigationRecord>(s, r.case_id, r.id)?,
            Kind::MediationSession => remove::<MediationSession>(s, r.case_id, r.id)?,
            Kind::ReturnVisit => remove::<ReturnVisit>(s, r.case_id, r.id)?,
            Kind::Agreement => remove::<Agreement>(s, r.case_id, r.id)?,
            other => return Err(AppError::bad_input(format!("不能在案件中删除{}", other.label()))),
        }
        case_view(s, r.case_id)
    })
}

/// Deletes a case still 登记中 (an accepted one is withdrawn or rejected instead).
pub fn delete_case(state: &AppState, id: Uuid) -> Result<(), AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        s.delete::<DisputeCase>(id)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// The workflow

/// A workflow step, with what its dialog asked for.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TransitionInput {
    pub case_id: Uuid,
    pub to: CaseStatus,
    /// 不予受理 / 撤回: why.
    #[serde(default)]
    pub status_reason: Option<String>,
    /// 终止调解: why, and the other routes the parties were told of (第二十六条).
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub alternatives_told: Vec<Alternative>,
    /// 结案日期 (today by default).
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
    /// 归档: 立卷人 (the staff member by default), 保管期限, 页数, 卷名.
    #[serde(default)]
    pub archived_by: Option<String>,
    #[serde(default)]
    pub retention: Option<Retention>,
    #[serde(default)]
    pub page_count: Option<i64>,
    #[serde(default)]
    pub volume_name: Option<String>,
}

fn refused(r: Refusal) -> AppError {
    AppError::from(StoreError::Refused(r))
}

/// Moves the case to `to`. Refused steps change nothing: the dialog's answers are written only
/// together with a step the rules allow.
pub fn transition(state: &AppState, input: TransitionInput) -> Result<CaseView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let file = s.case_file(input.case_id)?;
        let mut case = file.case.clone();
        let text = |v: Option<String>| v.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        match input.to {
            CaseStatus::Rejected | CaseStatus::Withdrawn => case.status_reason = text(input.status_reason),
            CaseStatus::Terminated => {
                case.failure_reason = text(input.failure_reason);
                case.alternatives_told = input.alternatives_told;
            }
            CaseStatus::Closed => {
                if let Some(on) = input.closed_on {
                    case.closed_on = Some(on);
                }
            }
            CaseStatus::Archived => {
                case.archived_by = text(input.archived_by).or_else(|| Some(s.actor().to_string()));
                case.retention = input.retention;
                if input.page_count.is_some() {
                    case.page_count = input.page_count;
                }
                if let Some(v) = text(input.volume_name) {
                    case.volume_name = Some(v);
                }
            }
            _ => {}
        }
        let mut probe = file.clone();
        probe.case = case.clone();
        dry_run(&probe, input.to, &s.ctx()).map_err(refused)?;
        if case != file.case {
            s.save(case)?;
        }
        s.transition_case(input.case_id, input.to)?;
        case_view(s, input.case_id)
    })
}
