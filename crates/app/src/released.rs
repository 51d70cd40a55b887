//! 安置帮教: person files with their 衔接, 帮教小组, 帮教记录, 安置 and 评估变更, and the end of the
//! 帮教期 prompting 解除.

use chrono::NaiveDate;
use fengqiao_model::*;
use fengqiao_store::{ReleasedFilter, SortOrder, Store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{privacy, AppError, AppState};

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReleasedQuery {
    pub query: Option<String>,
    pub assessment_type: Option<AssessmentType>,
    pub handover_status: Option<HandoverStatus>,
    pub help_status: Option<HelpStatus>,
    pub released_from: Option<NaiveDate>,
    pub released_to: Option<NaiveDate>,
    /// 帮教期 ending within this many days from today.
    pub period_ends_within_days: Option<u32>,
    /// `released_on` (default), `help_period_end` or `updated_at`.
    pub sort: Option<String>,
    pub ascending: bool,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleasedRow {
    pub id: Uuid,
    pub name: Option<String>,
    /// Always masked (`350502********123X`), for every account: the whole number is shown by
    /// `reveal_personal` (recorded) or in the file.
    pub id_number: Option<String>,
    pub gender: Option<Gender>,
    pub crime_name: Option<String>,
    pub released_on: Option<NaiveDate>,
    pub assessment_type: Option<AssessmentType>,
    pub handover_status: Option<HandoverStatus>,
    pub help_status: Option<HelpStatus>,
    pub help_period_end: Option<NaiveDate>,
    /// The 帮教期 has ended and the person is still 在册: prompt 解除.
    pub needs_release: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleasedPage {
    pub rows: Vec<ReleasedRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

pub fn list_released(state: &AppState, q: ReleasedQuery) -> Result<ReleasedPage, AppError> {
    if let Some(sort) = q.sort.as_deref() {
        if !matches!(sort, "released_on" | "help_period_end" | "updated_at") {
            return Err(AppError::bad_input(format!("不能按“{sort}”排序")));
        }
    }
    state.with(|s| {
        let today = s.ctx().today;
        let filter = ReleasedFilter {
            query: q.query.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            assessment_type: q.assessment_type,
            handover_status: q.handover_status,
            help_status: q.help_status,
            released_from: q.released_from,
            released_to: q.released_to,
            period_ends_by: q.period_ends_within_days.and_then(|d| today.checked_add_days(chrono::Days::new(d as u64))),
            sort: q.sort,
            order: if q.ascending { SortOrder::Asc } else { SortOrder::Desc },
            page: q.page.max(1),
            page_size: if q.page_size == 0 { 20 } else { q.page_size },
        };
        let page = s.list_released(&filter)?;
        let rows = page
            .rows
            .into_iter()
            .map(|r| ReleasedRow {
                id: r.released.meta.id,
                needs_release: r.released.needs_release_from_help(today),
                name: r.name,
                id_number: r.id_number.as_deref().map(privacy::mask_id_number),
                gender: r.gender,
                crime_name: r.released.crime_name,
                released_on: r.released.released_on,
                assessment_type: r.released.assessment_type,
                handover_status: r.released.handover_status,
                help_status: r.released.help_status,
                help_period_end: r.released.help_period_end,
            })
            .collect();
        Ok(ReleasedPage { rows, total: page.total, page: page.page, page_size: page.page_size })
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleasedView {
    /// The person's ID and phone numbers and the 帮教小组's phones are whole only for an
    /// account that may see them (see `masked`); its opening is then recorded.
    pub file: ReleasedFile,
    /// The numbers are shown masked (an account without the right to see them, 只读): the
    /// form must not offer them for saving.
    pub masked: bool,
    /// The 帮教期 has ended and the person is still 在册: prompt 解除.
    pub needs_release: bool,
    /// Days until the 帮教期 ends (negative once past).
    pub period_ends_in_days: Option<i64>,
    pub warnings: Vec<FieldIssue>,
}

/// The file as the account may see it: masked without the right to see the numbers; whole
/// with it, and then recorded (at most once an hour per person and account). When the record
/// cannot be written the numbers are shown masked, with a warning saying why.
fn view(store: &mut Store, id: Uuid, mut warnings: Vec<FieldIssue>) -> Result<ReleasedView, AppError> {
    let mut file = store.released_file(id)?;
    let today = store.ctx().today;
    let mut masked = !privacy::may_see_personal(store);
    if !masked {
        if let Err(e) = privacy::note_released_unmasked(store, &file) {
            masked = true;
            warnings.push(FieldIssue {
                field: "person.id_number".into(),
                label: "公民身份号码".into(),
                message: format!("查看记录未能写入审计日志（{}），号码暂以隐去中间位显示", e.message),
            });
        }
    }
    if masked {
        privacy::mask_released_file(&mut file);
    }
    Ok(ReleasedView {
        needs_release: file.released.needs_release_from_help(today),
        period_ends_in_days: file.released.help_period_end.map(|e| (e - today).num_days()),
        file,
        masked,
        warnings,
    })
}

pub fn get_released(state: &AppState, id: Uuid) -> Result<ReleasedView, AppError> {
    state.with(|s| view(s, id, Vec::new()))
}

/// The file's 基本信息 with the person (made with the file when new).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReleasedInput {
    pub released: ReleasedPerson,
    pub person: Person,
}

pub fn save_released(state: &AppState, input: ReleasedInput) -> Result<ReleasedView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let ReleasedInput { mut released, mut person } = input;
    privacy::MaskedCheck::new().person("person", &person).finish()?;
    state.with(|s| {
        let ctx = s.ctx();
        let mut issues = Issues::new();
        person.normalize(&ctx);
        issues.nested("person", |i| {
            person.validate(&ctx, i);
            // 安置帮教对象 must have an ID number (domain.md §2.8).
            if !released.meta.draft {
                i.required_text("id_number", "公民身份号码", &person.id_number);
            }
        });
        let mut probe = released.clone();
        probe.person_id.get_or_insert_with(new_id);
        probe.normalize(&ctx);
        issues.nested("released", |i| probe.validate(&ctx, i));
        let mut warnings = AppError::check(issues)?;
        let p = s.save(person).map_err(|e| AppError::from(e).under("person"))?;
        warnings.extend(p.warnings);
        released.person_id = Some(p.record.meta.id);
        let r = s.save(released).map_err(|e| AppError::from(e).under("released"))?;
        warnings.extend(r.warnings);
        view(s, r.record.meta.id, warnings)
    })
}

fn parent(id: Option<Uuid>) -> Result<Uuid, AppError> {
    id.ok_or_else(|| AppError::bad_input("缺少所属的帮教对象"))
}

pub fn save_help_group(state: &AppState, g: HelpGroup) -> Result<ReleasedView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let id = parent(g.released_person_id)?;
    privacy::MaskedCheck::new().help_group(&g).finish()?;
    state.with(|s| {
        let w = s.save(g)?.warnings;
        view(s, id, w)
    })
}

pub fn save_help_visit(state: &AppState, v: HelpVisit) -> Result<ReleasedView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let id = parent(v.released_person_id)?;
    state.with(|s| {
        let w = s.save(v)?.warnings;
        view(s, id, w)
    })
}

pub fn save_handover_event(state: &AppState, e: HandoverEvent) -> Result<ReleasedView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let id = parent(e.released_person_id)?;
    state.with(|s| {
        let w = s.save(e)?.warnings;
        view(s, id, w)
    })
}

/// 评估变更: records the change and sets the file's 危险性评估类型 to the new class.
pub fn save_assessment_change(state: &AppState, c: AssessmentChange) -> Result<ReleasedView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    let id = parent(c.released_person_id)?;
    state.with(|s| {
        let mut file = s.require::<ReleasedPerson>(id)?;
        let mut c = c;
        c.from.get_or_insert(file.assessment_type.unwrap_or(AssessmentType::General));
        let to = c.to;
        let w = s.save(c)?.warnings;
        if to.is_some() && file.assessment_type != to {
            file.assessment_type = to;
            s.save(file)?;
        }
        view(s, id, w)
    })
}

/// 解除帮教 at the end of the 帮教期.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReleaseFromHelpInput {
    pub id: Uuid,
    /// Today by default.
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

pub fn release_from_help(state: &AppState, input: ReleaseFromHelpInput) -> Result<ReleasedView, AppError> {
    state.require(fengqiao_store::Permission::EditRecords)?;
    state.with(|s| {
        let mut r = s.require::<ReleasedPerson>(input.id)?;
        let today = s.ctx().today;
        if r.help_period_end.is_some_and(|end| end >= today) && input.on.is_none() {
            return Err(AppError::new("rule", "帮教期尚未届满，不能解除帮教"));
        }
        r.help_status = Some(HelpStatus::Expired);
        r.help_released_on = Some(input.on.unwrap_or(today));
        let w = s.save(r)?.warnings;
        view(s, input.id, w)
    })
}
