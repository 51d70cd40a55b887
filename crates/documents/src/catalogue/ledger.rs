//! 人民调解纠纷台账 (domain.md §2.2): the cases accepted in a period, one row each, landscape.

use fengqiao_model::{CaseFile, MediationResult};

use super::*;
use crate::model::size;

const HEAD: [&str; 13] = [
    "序号",
    "编号",
    "受理日期",
    "当事人",
    "纠纷类型",
    "案件来源",
    "纠纷简要情况",
    "调委会",
    "调解员",
    "调解结果",
    "协议金额（元）",
    "结案日期",
    "履行情况",
];

/// Widths in mm of landscape A4's 257 mm text block; a date ("2024.10.13") needs 23 mm at 五号.
const COLUMNS: [f32; 13] = [8.0, 25.0, 23.0, 22.0, 17.0, 15.0, 42.0, 21.0, 15.0, 18.0, 14.0, 23.0, 14.0];

/// 分 → "1200" or "1200.50" 元.
fn yuan(cents: i64) -> String {
    if cents % 100 == 0 {
        format!("{}", cents / 100)
    } else {
        format!("{}.{:02}", cents / 100, (cents % 100).abs())
    }
}

/// "调解成功（书面协议）", else the status of a case still open ("调解中").
fn result(file: &CaseFile) -> String {
    let c = &file.case;
    match (c.result, c.agreement_form) {
        (Some(MediationResult::Success), Some(f)) => format!("调解成功（{}）", f.label()),
        (Some(r), _) => r.label().to_string(),
        (None, _) => c.status.label().to_string(),
    }
}

/// The committee's name without the township's and the form's words, which every row repeats:
/// "城东镇岭兜村人民调解委员会" → "岭兜村".
fn short_committee(name: &str, office: Option<&str>) -> String {
    let mut s = name.trim().trim_end_matches("人民调解委员会").to_string();
    if let Some(town) = office.map(|o| o.trim_end_matches("司法所")) {
        if !town.is_empty() && s.len() > town.len() && s.starts_with(town) {
            s = s[town.len()..].to_string();
        }
    }
    if s.is_empty() {
        name.trim().to_string()
    } else {
        s
    }
}

/// 人民调解纠纷台账: every case accepted in the period (the caller passes them in the order to
/// print), then the period's counts and the signatures.
pub fn dispute_ledger(cases: &[CaseFile], period: Period, refs: &Refs) -> Document {
    let mut doc = Document::landscape("人民调解纠纷台账");
    doc.push(ledger_head(refs, "受理期间", period));
    let mut g = Grid::new(&COLUMNS).size(size::WU_HAO).header_rows(1).row(Row::new(HEAD.iter().map(|h| Cell::label(*h)).collect()).min_height(12.0));
    for (n, f) in cases.iter().enumerate() {
        let c = &f.case;
        let mut mediators: Vec<_> = c.lead_mediator_id.into_iter().collect();
        mediators.extend(c.mediator_ids.iter().filter(|id| Some(**id) != c.lead_mediator_id));
        let mut source = c.source.map(|s| s.label().to_string()).unwrap_or_default();
        if let Some(r) = c.referral_type {
            source = format!("{source}（{}）", r.label());
        }
        let committee = short_committee(&refs.org_name(c.committee_id), refs.office_name());
        let amount = c.amount_cents.filter(|_| c.result == Some(MediationResult::Success)).map(yuan).unwrap_or_default();
        g = g.row(
            Row::new(vec![
                centred((n + 1).to_string()),
                Cell::value(opt(&c.case_no)),
                centred(short_date(c.accepted_on)),
                Cell::value(join(f.parties.iter().map(|p| p.name().to_string()))),
                Cell::value(c.dispute_type.map(|t| t.label()).unwrap_or_default()),
                Cell::value(source),
                Cell::value(opt(&c.summary)).align(Align::Justify),
                Cell::value(committee),
                Cell::value(refs.mediators(&mediators)),
                Cell::value(result(f)),
                centred(amount),
                centred(short_date(c.closed_on)),
                Cell::value(f.agreement.as_ref().and_then(|a| a.performance_status).map(|p| p.label()).unwrap_or_default()),
            ])
            .min_height(10.0),
        );
    }
    if cases.is_empty() {
        g = g.row(Row::new(vec![centred("本期未受理纠纷案件").span(HEAD.len())]).min_height(14.0));
    }
    doc.push(g);
    let success = cases.iter().filter(|f| f.case.result == Some(MediationResult::Success)).count();
    let closed = cases.iter().filter(|f| f.case.result.is_some()).count();
    let amount: i64 = cases.iter().filter(|f| f.case.result == Some(MediationResult::Success)).filter_map(|f| f.case.amount_cents).sum();
    let mut summary = format!("本期受理纠纷{}件，已结{closed}件，其中调解成功{success}件", cases.len());
    if closed > 0 {
        summary.push_str(&format!("（调解成功率{:.1}%）", success as f64 * 100.0 / closed as f64));
    }
    summary.push_str(&format!("；调解成功案件协议涉及金额{}元。", yuan(amount)));
    ledger_foot(&mut doc, summary);
    doc
}
