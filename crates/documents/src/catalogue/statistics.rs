//! 人民调解案件情况统计表 (domain.md §3.3) for a period: a row per unit, then 下级上报总计 and
//! 本级上报总计, with every column of the form. Fifty columns do not fit across A4, so the
//! table is printed in three parts that each repeat the unit column, as offices print it.
//!
//! The figures come from the store; this crate does not read it, so the caller fills a
//! [`StatisticsTable`] (the CLI converts `fengqiao_store::stats::CaseStatistics`).

use fengqiao_model::{CommitteeType, DisputeType, Prevented, ReferralType};

use super::*;
use crate::model::size;

/// One row of the table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatisticsRow {
    /// The unit (a 调委会), or "下级上报总计" / "本级上报总计".
    pub label: String,
    /// 调解案件总数 (件).
    pub total: i64,
    /// 涉及当事人数 (人).
    pub party_count: i64,
    /// 调解成功 (件).
    pub success: i64,
    /// 疑难复杂案件 (件).
    pub difficult: i64,
    /// 协议涉及金额 in 万元, as printed ("12.34").
    pub amount_wan: String,
    /// 不同主体调解情况 (件); a type absent counts 0.
    pub by_committee_type: Vec<(CommitteeType, i64)>,
    /// 主动调解, 依申请调解, 接受委托移送调解 (件).
    pub proactive: i64,
    pub party_application: i64,
    pub referral: i64,
    /// 接受委托移送调解 by who referred (件).
    pub referral_by_type: Vec<(ReferralType, i64)>,
    /// 案件分类情况 (件).
    pub by_dispute_type: Vec<(DisputeType, i64)>,
    /// 协议形式 (件): 口头协议, 书面协议.
    pub oral: i64,
    pub written: i64,
    /// 排查纠纷 (次).
    pub screening_rounds: i64,
    /// 预防纠纷 (件).
    pub prevented_disputes: i64,
    /// 防止民间纠纷引起自杀 / 转化为刑事案件 / 群体性上访 / 群体性械斗 (件 / 人).
    pub prevented: Prevented,
}

/// One consistency check of §3.3, as the store made it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatisticsCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// The whole table for one period.
#[derive(Clone, Debug, PartialEq)]
pub struct StatisticsTable {
    /// 填报单位: the office.
    pub office_name: String,
    pub period: Period,
    pub rows: Vec<StatisticsRow>,
    pub subordinate_total: StatisticsRow,
    pub own_total: StatisticsRow,
    pub checks: Vec<StatisticsCheck>,
}

fn get<T: PartialEq + Copy>(counts: &[(T, i64)], key: T) -> i64 {
    counts.iter().filter(|(k, _)| *k == key).map(|(_, n)| n).sum()
}

/// The unit column's width (mm); the others share the rest.
const UNIT_W: f32 = 44.0;
const TABLE_W: f32 = 257.0;

fn columns(n: usize) -> Vec<f32> {
    let mut c = vec![UNIT_W];
    c.extend(std::iter::repeat_n((TABLE_W - UNIT_W) / n as f32, n));
    c
}

fn num(n: i64) -> Cell {
    centred(n.to_string())
}

/// A header cell: centred, spanning `cols` columns and `rows` rows.
fn head(text: &str, cols: usize, rows: usize) -> Cell {
    Cell::label(text).span(cols).rows(rows)
}

fn body_rows(t: &StatisticsTable) -> impl Iterator<Item = &StatisticsRow> {
    t.rows.iter().chain([&t.subordinate_total, &t.own_total])
}

/// Part 1: totals, 不同主体调解情况, 案件来源. The first five columns carry their unit in
/// the header's third row, so narrow columns never break "（件）".
fn part_one(t: &StatisticsTable) -> Grid {
    // The amount column is wider: "123.45" must not break.
    let mut widths = vec![UNIT_W];
    let rest = (TABLE_W - UNIT_W - 16.0) / 18.0;
    widths.extend([rest, rest, rest, rest, 16.0]);
    widths.extend(std::iter::repeat_n(rest, 14));
    let mut g = Grid::new(&widths).size(size::WU_HAO).header_rows(3);
    let mut a = vec![head("单　位", 1, 3)];
    for h in ["调解案件总数", "涉及当事人数", "调解成功", "疑难复杂案件", "协议涉及金额"] {
        a.push(head(h, 1, 2));
    }
    a.push(head("不同主体调解情况（件）", 6, 1));
    a.push(head("案件来源（件）", 8, 1));
    let mut b: Vec<Cell> = CommitteeType::ALL.iter().map(|c| head(c.label().trim_end_matches("调委会"), 1, 2)).collect();
    b.push(head("主动调解", 1, 2));
    b.push(head("依申请调解", 1, 2));
    b.push(head("接受委托移送调解", 6, 1));
    let mut c: Vec<Cell> = ["件", "人", "件", "件", "万元"].iter().map(|u| head(u, 1, 1)).collect();
    c.push(head("小计", 1, 1));
    c.extend(ReferralType::ALL.iter().map(|r| head(r.label(), 1, 1)));
    g = g.row(Row::new(a).min_height(8.0)).row(Row::new(b).min_height(16.0)).row(Row::new(c).min_height(12.0));
    for r in body_rows(t) {
        let mut cells = vec![Cell::value(&r.label), num(r.total), num(r.party_count), num(r.success), num(r.difficult), centred(&r.amount_wan)];
        cells.extend(CommitteeType::ALL.iter().map(|c| num(get(&r.by_committee_type, *c))));
        cells.extend([num(r.proactive), num(r.party_application), num(r.referral)]);
        cells.extend(ReferralType::ALL.iter().map(|k| num(get(&r.referral_by_type, *k))));
        g = g.row(Row::new(cells).min_height(9.0));
    }
    g
}

/// Part 2: 案件分类情况, with 劳动争议纠纷 and 消费纠纷 over their sub-types.
fn part_two(t: &StatisticsTable) -> Grid {
    let n = DisputeType::ALL.len();
    let mut g = Grid::new(&columns(n)).size(size::WU_HAO).header_rows(3);
    let a = vec![head("单　位", 1, 3), head("案件分类情况（件）", n, 1)];
    let mut b = Vec::new();
    let mut c = Vec::new();
    let mut k = 0;
    while k < n {
        let t = DisputeType::ALL[k];
        match t.group_label() {
            Some(group) => {
                let members = DisputeType::ALL[k..].iter().take_while(|d| d.group_label() == Some(group)).count();
                b.push(head(group, members, 1));
                c.extend(DisputeType::ALL[k..k + members].iter().map(|d| head(d.label(), 1, 1)));
                k += members;
            }
            None => {
                b.push(head(t.label(), 1, 2));
                k += 1;
            }
        }
    }
    g = g.row(Row::new(a).min_height(8.0)).row(Row::new(b).min_height(10.0)).row(Row::new(c).min_height(18.0));
    for r in body_rows(t) {
        let mut cells = vec![Cell::value(&r.label)];
        cells.extend(DisputeType::ALL.iter().map(|d| num(get(&r.by_dispute_type, *d))));
        g = g.row(Row::new(cells).min_height(9.0));
    }
    g
}

/// Part 3: 协议形式 and 排查预防纠纷.
fn part_three(t: &StatisticsTable) -> Grid {
    let mut g = Grid::new(&columns(12)).size(size::WU_HAO).header_rows(3);
    let a = vec![head("单　位", 1, 3), head("协议形式（件）", 2, 1), head("排查预防纠纷", 10, 1)];
    let mut b = vec![head("口头协议", 1, 2), head("书面协议", 1, 2), head("排查纠纷（次）", 1, 2), head("预防纠纷（件）", 1, 2)];
    for h in ["防止民间纠纷引起自杀", "防止民间纠纷转化为刑事案件", "防止群体性上访", "防止群体性械斗"] {
        b.push(head(h, 2, 1));
    }
    let c: Vec<Cell> = (0..4).flat_map(|_| [head("件", 1, 1), head("人", 1, 1)]).collect();
    g = g.row(Row::new(a).min_height(8.0)).row(Row::new(b).min_height(12.0)).row(Row::new(c).min_height(8.0));
    for r in body_rows(t) {
        let p = &r.prevented;
        let mut cells = vec![Cell::value(&r.label), num(r.oral), num(r.written), num(r.screening_rounds), num(r.prevented_disputes)];
        for cp in [&p.suicide, &p.criminal, &p.group_petition, &p.group_fight] {
            cells.extend([num(cp.cases), num(cp.persons)]);
        }
        g = g.row(Row::new(cells).min_height(9.0));
    }
    g
}

/// 人民调解案件情况统计表: 填报单位 and period, the three parts, how it was counted, what the
/// consistency checks found, and the lines for the people who sign a statistical report.
pub fn statistics_table(t: &StatisticsTable) -> Document {
    let mut doc = Document::landscape("人民调解案件情况统计表");
    let head_line = || Paragraph::new(format!("填报单位（盖章）：{}　　　　统计期间：{}", t.office_name, t.period.text())).no_indent();
    let parts = [
        ("表一　调解案件总体情况、不同主体调解情况、案件来源", part_one(t)),
        ("表二　案件分类情况", part_two(t)),
        ("表三　协议形式、排查预防纠纷", part_three(t)),
    ];
    for (k, (name, grid)) in parts.into_iter().enumerate() {
        if k > 0 {
            doc.push(Block::PageBreak);
        }
        doc.push(head_line());
        doc.push(Paragraph::new(name).no_indent().bold());
        doc.push(grid);
    }
    let mut notes = vec![
        "说明：按受理日期统计；协议涉及金额为调解成功案件所达成协议涉及的金额；排查纠纷为本期排查次数，预防纠纷为本期排查发现并化解的纠纷件数。"
            .to_string(),
    ];
    let failed: Vec<&StatisticsCheck> = t.checks.iter().filter(|c| !c.ok).collect();
    if t.checks.is_empty() {
        // Nothing was checked (a caller without the store's checks).
    } else if failed.is_empty() {
        notes.push(format!("数据核对：{}，均一致。", t.checks.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("；")));
    } else {
        notes.push(format!(
            "数据核对未通过，请核实后再报送：{}。",
            failed.iter().map(|c| format!("{}（{}）", c.name, c.detail)).collect::<Vec<_>>().join("；")
        ));
    }
    for n in notes {
        doc.push(Paragraph::new(n).no_indent().size(size::WU_HAO));
    }
    doc.push(
        Paragraph::runs(vec![
            text("单位负责人："),
            field("", 6),
            text("　　统计负责人："),
            field("", 6),
            text("　　填表人："),
            field("", 6),
            text("　　报出日期：　　年　　月　　日"),
        ])
        .no_indent(),
    );
    doc
}
