//! The ledgers as .xlsx: Chinese headers (the same the import reads, so an export can be
//! imported again), real date cells, numbers as numbers, ID numbers masked when asked.

use chrono::{Datelike, NaiveDate};
use fengqiao_model::*;
use fengqiao_store::{DisputeFilter, ReleasedFilter, ScreeningFilter, Store, MAX_PAGE_SIZE};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use serde::{Deserialize, Serialize};

use crate::SheetError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Disputes,
    Released,
    Screenings,
}

#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Show ID numbers as 340524********001X (for lists handed to people who may not see
    /// them whole).
    pub mask_ids: bool,
}

/// 340524********001X: the area code and the last four kept.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let keep_end = 4;
    chars.iter().enumerate().map(|(i, c)| if i < 6 || i >= chars.len() - keep_end { *c } else { '*' }).collect()
}

enum V {
    Text(String),
    Date(NaiveDate),
    Num(f64),
    Empty,
}

fn t(s: impl Into<String>) -> V {
    V::Text(s.into())
}
fn opt(s: Option<impl Into<String>>) -> V {
    s.map(|s| V::Text(s.into())).unwrap_or(V::Empty)
}
fn date(d: Option<NaiveDate>) -> V {
    d.map(V::Date).unwrap_or(V::Empty)
}
fn label<T: Copy>(v: Option<T>, f: fn(T) -> &'static str) -> V {
    v.map(|v| V::Text(f(v).to_string())).unwrap_or(V::Empty)
}

struct Sheet<'a> {
    ws: &'a mut Worksheet,
    header: Format,
    date: Format,
    cell: Format,
    widths: Vec<usize>,
    row: u32,
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::Write(e.to_string())
}

impl<'a> Sheet<'a> {
    fn new(ws: &'a mut Worksheet, name: &str, title: &str, columns: &[&str]) -> Result<Self, SheetError> {
        ws.set_name(name).map_err(xerr)?;
        let title_fmt = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
        let header =
            Format::new().set_bold().set_border(FormatBorder::Thin).set_background_color("#DDEBF7").set_align(FormatAlign::Center).set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin);
        let date = Format::new().set_border(FormatBorder::Thin).set_num_format("yyyy-mm-dd");
        if columns.len() > 1 {
            ws.merge_range(0, 0, 0, (columns.len() - 1) as u16, title, &title_fmt).map_err(xerr)?;
        } else {
            ws.write_string_with_format(0, 0, title, &title_fmt).map_err(xerr)?;
        }
        for (c, h) in columns.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, *h, &header).map_err(xerr)?;
        }
        ws.set_freeze_panes(2, 0).map_err(xerr)?;
        let widths = columns.iter().map(|h| crate::clean::half_width(h).chars().count() * 2 + 2).collect();
        Ok(Sheet { ws, header, date, cell, widths, row: 2 })
    }

    fn row(&mut self, values: Vec<V>) -> Result<(), SheetError> {
        for (c, v) in values.into_iter().enumerate() {
            let col = c as u16;
            let w = match v {
                V::Text(s) => {
                    let s: String = s.chars().take(32_000).collect();
                    self.ws.write_string_with_format(self.row, col, &s, &self.cell).map_err(xerr)?;
                    s.chars().map(|ch| if ch.is_ascii() { 1 } else { 2 }).sum::<usize>()
                }
                V::Date(d) => {
                    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(xerr)?;
                    self.ws.write_datetime_with_format(self.row, col, x, &self.date).map_err(xerr)?;
                    10
                }
                V::Num(n) => {
                    self.ws.write_number_with_format(self.row, col, n, &self.cell).map_err(xerr)?;
                    10
                }
                V::Empty => {
                    self.ws.write_blank(self.row, col, &self.cell).map_err(xerr)?;
                    0
                }
            };
            if let Some(slot) = self.widths.get_mut(c) {
                *slot = (*slot).max(w.min(60));
            }
        }
        self.row += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), SheetError> {
        let _ = &self.header;
        for (c, w) in self.widths.iter().enumerate() {
            self.ws.set_column_width(c as u16, (*w as f64 + 2.0).min(62.0)).map_err(xerr)?;
        }
        Ok(())
    }
}

/// Every page of a list, in ascending order.
fn all_pages<T>(mut page: impl FnMut(u32) -> fengqiao_store::Result<fengqiao_store::Page<T>>) -> Result<Vec<T>, SheetError> {
    let mut out = Vec::new();
    for p in 1.. {
        let got = page(p)?;
        let n = got.rows.len();
        out.extend(got.rows);
        if n < MAX_PAGE_SIZE as usize || out.len() as i64 >= got.total {
            break;
        }
    }
    Ok(out)
}

/// Writes a ledger as an .xlsx workbook and returns its bytes.
pub fn export_xlsx(store: &Store, kind: ExportKind, opts: &ExportOptions) -> Result<(Vec<u8>, usize), SheetError> {
    let office = store.office()?.name.unwrap_or_default();
    let mut wb = Workbook::new();
    let rows = match kind {
        ExportKind::Disputes => {
            let list = all_pages(|page| {
                store.list_disputes(&DisputeFilter { page, page_size: MAX_PAGE_SIZE, order: fengqiao_store::SortOrder::Asc, ..Default::default() })
            })?;
            let committees: std::collections::HashMap<uuid::Uuid, String> =
                store.all::<Organization>()?.into_iter().map(|o| (o.meta.id, o.name.unwrap_or_default())).collect();
            let mediators: std::collections::HashMap<uuid::Uuid, String> =
                store.all::<Mediator>()?.into_iter().map(|m| (m.meta.id, m.name.unwrap_or_default())).collect();
            let ws = wb.add_worksheet();
            let mut s = Sheet::new(
                ws,
                "纠纷调解台账",
                &format!("{office}矛盾纠纷调解台账"),
                &[
                    "编号",
                    "受理日期",
                    "当事人",
                    "纠纷类型",
                    "案由",
                    "纠纷简要情况",
                    "案件来源",
                    "状态",
                    "调解结果",
                    "协议形式",
                    "结案日期",
                    "涉及金额（元）",
                    "调委会",
                    "调解员",
                ],
            )?;
            for r in &list {
                let c = &r.case;
                s.row(vec![
                    opt(c.case_no.clone()),
                    date(c.accepted_on),
                    t(r.party_names.clone()),
                    label(c.dispute_type, DisputeType::label),
                    opt(c.title.clone()),
                    opt(c.summary.clone()),
                    match (c.source, c.referral_type) {
                        (Some(CaseSource::Referral), Some(rt)) => t(format!("{}委托移送", rt.label())),
                        (s, _) => label(s, CaseSource::label),
                    },
                    t(c.status.label()),
                    label(c.result, MediationResult::label),
                    label(c.agreement_form, AgreementForm::label),
                    date(c.closed_on),
                    c.amount_cents.map(|a| V::Num(a as f64 / 100.0)).unwrap_or(V::Empty),
                    opt(c.committee_id.and_then(|id| committees.get(&id).cloned())),
                    opt(c.lead_mediator_id.and_then(|id| mediators.get(&id).cloned())),
                ])?;
            }
            s.finish()?;
            list.len()
        }
        ExportKind::Released => {
            let list = all_pages(|page| {
                store.list_released(&ReleasedFilter { page, page_size: MAX_PAGE_SIZE, order: fengqiao_store::SortOrder::Asc, ..Default::default() })
            })?;
            let ws = wb.add_worksheet();
            let mut s = Sheet::new(
                ws,
                "安置帮教台账",
                &format!("{office}刑满释放人员安置帮教台账"),
                &[
                    "姓名",
                    "性别",
                    "公民身份号码",
                    "原罪名",
                    "原判刑期",
                    "服刑场所",
                    "释放日期",
                    "危险性评估",
                    "是否累犯",
                    "衔接状态",
                    "衔接日期",
                    "衔接情况",
                    "户籍登记日期",
                    "安置情况",
                    "帮教期满日期",
                    "帮教状态",
                ],
            )?;
            for r in &list {
                let x = &r.released;
                let id = r.id_number.clone().map(|i| if opts.mask_ids { mask_id(&i) } else { i });
                s.row(vec![
                    opt(r.name.clone()),
                    label(r.gender, Gender::label),
                    opt(id),
                    opt(x.crime_name.clone()),
                    opt(x.sentence_term.clone()),
                    opt(x.prison_name.clone()),
                    date(x.released_on),
                    label(x.assessment_type, AssessmentType::label),
                    x.is_recidivist.map(|b| t(if b { "是" } else { "否" })).unwrap_or(V::Empty),
                    label(x.handover_status, HandoverStatus::label),
                    date(x.handover_on),
                    label(x.handover_method, HandoverMethod::label),
                    date(x.police_registration_on),
                    label(x.resettlement_method, ResettlementMethod::label),
                    date(x.help_period_end),
                    label(x.help_status, HelpStatus::label),
                ])?;
            }
            s.finish()?;
            list.len()
        }
        ExportKind::Screenings => {
            let rounds = all_pages(|page| {
                store.list_screenings(&ScreeningFilter {
                    page,
                    page_size: MAX_PAGE_SIZE,
                    order: fengqiao_store::SortOrder::Asc,
                    ..Default::default()
                })
            })?;
            let ws = wb.add_worksheet();
            let mut s = Sheet::new(
                ws,
                "排查记录",
                &format!("{office}矛盾纠纷排查记录"),
                &["排查单位", "排查周期", "周期开始", "周期结束", "排查日期", "发现纠纷数", "零报告", "说明", "负责人", "报送日期"],
            )?;
            let mut units = std::collections::HashMap::new();
            for r in &rounds {
                let x = &r.round;
                units.insert(x.meta.id, x.unit_name.clone().unwrap_or_default());
                s.row(vec![
                    opt(x.unit_name.clone()),
                    label(x.period_type, PeriodType::label),
                    date(x.period_start),
                    date(x.period_end),
                    date(x.screened_on),
                    V::Num(x.found_count as f64),
                    t(if x.zero_report { "是" } else { "否" }),
                    opt(x.statement.clone()),
                    opt(x.approved_by.clone()),
                    date(x.submitted_on),
                ])?;
            }
            s.finish()?;
            let mut items = store.all::<ScreeningItem>()?;
            items.retain(|i| i.round_id.is_some_and(|r| units.contains_key(&r)));
            items.sort_by_key(|i| (i.found_on, i.meta.id));
            let ws = wb.add_worksheet();
            let mut s = Sheet::new(
                ws,
                "排查登记",
                &format!("{office}矛盾纠纷排查登记台账"),
                &[
                    "排查日期",
                    "排查单位",
                    "发现地点",
                    "当事人",
                    "纠纷类型",
                    "涉及人数",
                    "纠纷简要情况",
                    "风险等级",
                    "处置措施",
                    "责任人",
                    "化解时限",
                    "化解结果",
                    "化解日期",
                ],
            )?;
            for i in &items {
                s.row(vec![
                    date(i.found_on),
                    opt(i.round_id.and_then(|r| units.get(&r).cloned())),
                    opt(i.place.clone()),
                    opt(i.party_summary.clone()),
                    label(i.dispute_type, DisputeType::label),
                    i.people_involved.map(|n| V::Num(n as f64)).unwrap_or(V::Empty),
                    opt(i.summary.clone()),
                    label(i.risk_level, RiskLevel::label),
                    label(i.disposition, Disposition::label),
                    opt(i.responsible_person.clone()),
                    date(i.deadline),
                    label(i.status, ItemStatus::label),
                    date(i.resolved_on),
                ])?;
            }
            s.finish()?;
            rounds.len()
        }
    };
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    Ok((bytes, rows))
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_keep_area_and_last_four() {
        assert_eq!(super::mask_id("34052419800101001X"), "340524********001X");
        assert_eq!(super::mask_id("123"), "***");
    }
}
