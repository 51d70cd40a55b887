//! 矛盾纠纷排查 (domain.md §1.12, §3.5): the 排查登记台账 of a period, one row per issue found,
//! and the 零报告 a unit files when a round finds nothing.

use fengqiao_model::{ItemStatus, RoundFile, ScreeningItem, ScreeningRound, ZERO_REPORT_STATEMENT};

use super::*;
use crate::model::size;

const LEDGER_HEAD: [&str; 15] = [
    "序号",
    "排查日期",
    "排查单位",
    "排查人",
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
    "备注",
];

/// Widths in mm of landscape A4's 257 mm text block; a date ("2024.10.13") needs 23 mm at 五号.
const LEDGER_COLUMNS: [f32; 15] = [8.0, 23.0, 15.0, 16.0, 19.0, 18.0, 15.0, 9.0, 39.0, 10.0, 14.0, 12.0, 23.0, 22.0, 14.0];

/// The unit that screened: its name as written, else the organization's.
fn unit(round: &ScreeningRound, refs: &Refs) -> String {
    round.unit_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| refs.org_name(round.unit_org_id))
}

fn screeners(round: &ScreeningRound, refs: &Refs) -> String {
    join(round.screener_ids.iter().map(|id| refs.mediator(Some(*id))).chain(round.screener_names.iter().map(|n| n.trim().to_string())))
}

fn outcome(item: &ScreeningItem) -> String {
    let status = item.status.map(|s| s.label()).unwrap_or_default();
    match (item.status, item.resolved_on) {
        (Some(ItemStatus::Resolved), Some(d)) => format!("{status}\n{}", short_date(Some(d))),
        _ => status.to_string(),
    }
}

/// 矛盾纠纷排查登记台账 for a period: every item found in the given rounds, in the order found,
/// then a count of rounds, zero reports and outcomes, and the signatures.
pub fn screening_ledger(rounds: &[RoundFile], period: Period, refs: &Refs) -> Document {
    let mut doc = Document::landscape("矛盾纠纷排查登记台账");
    doc.push(ledger_head(refs, "排查期间", period));

    let mut items: Vec<(&ScreeningRound, &ScreeningItem)> =
        rounds.iter().flat_map(|r| r.items.iter().map(move |i| (&r.round, i))).filter(|(_, i)| !i.meta.deleted).collect();
    items.sort_by_key(|(r, i)| (i.found_on.or(r.screened_on), r.period_start, i.meta.id));

    let mut g = Grid::new(&LEDGER_COLUMNS)
        .size(size::WU_HAO)
        .header_rows(1)
        .row(Row::new(LEDGER_HEAD.iter().map(|h| Cell::label(*h)).collect()).min_height(12.0));
    for (n, (round, item)) in items.iter().enumerate() {
        let mut note = Vec::new();
        if round.period_type == Some(fengqiao_model::PeriodType::Special) {
            note.push("专项排查".to_string());
        }
        if item.case_id.is_some() {
            note.push("已立人民调解案件".to_string());
        }
        g = g.row(
            Row::new(vec![
                centred((n + 1).to_string()),
                centred(short_date(item.found_on.or(round.screened_on))),
                Cell::value(unit(round, refs)),
                Cell::value(screeners(round, refs)),
                Cell::value(opt(&item.place)),
                Cell::value(opt(&item.party_summary)),
                Cell::value(item.dispute_type.map(|t| t.label()).unwrap_or_default()),
                centred(item.people_involved.map(|p| p.to_string()).unwrap_or_default()),
                Cell::value(opt(&item.summary)).align(Align::Justify),
                centred(item.risk_level.map(|r| r.label()).unwrap_or_default()),
                Cell::value(item.disposition.map(|d| d.label()).unwrap_or_default()),
                Cell::value(opt(&item.responsible_person)),
                centred(short_date(item.deadline)),
                Cell::value(outcome(item)),
                Cell::value(note.join("；")),
            ])
            .min_height(10.0),
        );
    }
    let zero = rounds.iter().filter(|r| r.round.zero_report).count();
    if items.is_empty() {
        g = g.row(
            Row::new(vec![centred(format!("本期未登记矛盾纠纷（共排查{}次，其中零报告{zero}次）", rounds.len())).span(LEDGER_HEAD.len())])
                .min_height(14.0),
        );
    }
    doc.push(g);

    let count = |s: ItemStatus| items.iter().filter(|(_, i)| i.status == Some(s)).count();
    let mut summary = format!(
        "本期共排查{}次，其中零报告{zero}次；登记矛盾纠纷{}件，涉及{}人",
        rounds.len(),
        items.len(),
        items.iter().filter_map(|(_, i)| i.people_involved).sum::<i64>()
    );
    if !items.is_empty() {
        let parts: Vec<String> =
            ItemStatus::ALL.iter().map(|s| (s.label(), count(*s))).filter(|(_, n)| *n > 0).map(|(l, n)| format!("{l}{n}件")).collect();
        summary.push_str(&format!("，其中{}", parts.join("、")));
    }
    summary.push('。');
    ledger_foot(&mut doc, summary);
    doc
}

/// 矛盾纠纷排查零报告: the unit, the period, how it screened and who, the statement, the
/// head's signature, where it was sent, and the unit's seal.
pub fn zero_report(file: &RoundFile, refs: &Refs) -> Document {
    let r = &file.round;
    let mut doc = Document::portrait("矛盾纠纷排查零报告");
    let unit = unit(r, refs);
    let span = match (r.period_start, r.period_end) {
        (None, None) => "　　年　月　日至　　年　月　日".to_string(),
        (a, b) => format!("{}至{}", date(a), date(b)),
    };
    let statement = r.statement.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| ZERO_REPORT_STATEMENT.to_string());
    let statement = statement.trim().trim_end_matches('。');
    let methods = join(r.method.iter().map(|m| m.label().to_string()));
    // Indented with two ideographic spaces: a cell has no first-line indent of its own.
    let mut prose = format!("　　{unit}于{}对本辖区{span}期间的矛盾纠纷进行了排查", date(r.screened_on));
    if !methods.is_empty() {
        prose.push_str(&format!("（排查方式：{methods}）"));
    }
    prose.push_str(&format!("，{statement}。特此报告。"));
    let four = |a: &str, b: String, c: &str, d: String| row4(a, b, c, d).min_height(13.0);
    let wide = |a: &str, b: String| Row::new(vec![Cell::label(a), Cell::value(b).span(3)]).min_height(13.0);
    doc.push(
        Grid::new(&[36.0, 42.0, 32.0, 46.0])
            .size(size::SI_HAO)
            .row(four("报告单位", unit.clone(), "排查周期", r.period_type.map(|p| p.label()).unwrap_or_default().into()))
            .row(wide("排查期间", span.clone()))
            .row(four("排查日期", date(r.screened_on), "排查方式", methods))
            .row(wide("排查人", screeners(r, refs)))
            .row(Row::new(vec![Cell::label("排查情况"), Cell::value(prose).span(3).top().align(Align::Justify)]).min_height(62.0))
            .row(four("主要负责人", opt(&r.approved_by), "负责人签字", String::new()).min_height(16.0))
            .row(four("签字日期", date(r.approved_on), "报送日期", date(r.submitted_on)))
            .row(wide("报送单位", opt(&r.submitted_to))),
    );
    doc.push(Seal { committee: Some(unit), date: r.approved_on.map_or(DateLine::Blank, |d| DateLine::Printed(date(Some(d)))) });
    doc
}
