//! The rolled-up 统计表 as .xlsx: the form's columns in its order (grouped headers on two
//! rows), one row per office, 下级上报总计, 本级上报总计, then the consistency checks.

use fengqiao_store::stats::{CaseStatistics, StatRow};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::error::{CountyError, Result};

/// Every column of a row: (group header, header, value). Numbers but 协议涉及金额 (万元, text
/// as printed, so 0.05 stays 0.05).
pub fn columns(r: &StatRow) -> Vec<(&'static str, String, Value)> {
    let mut c: Vec<(&'static str, String, Value)> = vec![
        ("调解案件总数（件）", String::new(), Value::N(r.total)),
        ("涉及当事人数（人）", String::new(), Value::N(r.party_count)),
        ("调解成功（件）", String::new(), Value::N(r.success)),
        ("疑难复杂案件（件）", String::new(), Value::N(r.difficult)),
        ("协议涉及金额（万元）", String::new(), Value::T(r.amount_wan.clone())),
    ];
    for x in &r.by_committee_type {
        c.push(("不同主体调解情况（件）", x.label.to_string(), Value::N(x.count)));
    }
    c.push(("案件来源（件）", "主动调解".into(), Value::N(r.sources.proactive)));
    c.push(("案件来源（件）", "依申请调解".into(), Value::N(r.sources.party_application)));
    c.push(("案件来源（件）", "接受委托移送调解".into(), Value::N(r.sources.referral)));
    for x in &r.sources.referral_by_type {
        c.push(("案件来源（件）", format!("其中：{}", x.label), Value::N(x.count)));
    }
    for x in &r.by_dispute_type {
        let label = match x.group {
            Some(g) => format!("{g}：{}", x.label),
            None => x.label.to_string(),
        };
        c.push(("案件分类情况（件）", label, Value::N(x.count)));
    }
    c.push(("协议形式（件）", "口头协议".into(), Value::N(r.agreement_forms.oral)));
    c.push(("协议形式（件）", "书面协议".into(), Value::N(r.agreement_forms.written)));
    let p = &r.prevention;
    c.push(("排查预防纠纷", "排查纠纷（次）".into(), Value::N(p.screening_rounds)));
    c.push(("排查预防纠纷", "预防纠纷（件）".into(), Value::N(p.prevented_disputes)));
    for (label, x) in [
        ("防止民间纠纷引起自杀", &p.prevented.suicide),
        ("防止民间纠纷转化为刑事案件", &p.prevented.criminal),
        ("防止群体性上访", &p.prevented.group_petition),
        ("防止群体性械斗", &p.prevented.group_fight),
    ] {
        c.push(("排查预防纠纷", format!("{label}（件）"), Value::N(x.cases)));
        c.push(("排查预防纠纷", format!("{label}（人）"), Value::N(x.persons)));
    }
    c
}

pub enum Value {
    N(i64),
    T(String),
}

fn xl(e: rust_xlsxwriter::XlsxError) -> CountyError {
    CountyError::Invalid(format!("无法生成Excel文件：{e}"))
}

/// The workbook's bytes.
pub fn rollup_xlsx(t: &CaseStatistics) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("统计表汇总").map_err(xl)?;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let head =
        Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_align(FormatAlign::VerticalCenter).set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let total = Format::new().set_border(FormatBorder::Thin).set_bold();
    let width = columns(&t.own_total).len() as u16;
    ws.merge_range(0, 0, 0, width, t.title, &title).map_err(xl)?;
    ws.write_string(1, 0, format!("填报单位：{}　统计期间：{}至{}", t.office_name, t.from, t.to)).map_err(xl)?;
    // Headers: a group over its columns on row 2, the column on row 3 (a group of one spans both).
    ws.merge_range(2, 0, 3, 0, "单位", &head).map_err(xl)?;
    let cols = columns(&t.own_total);
    let mut i = 0;
    while i < cols.len() {
        let group = cols[i].0;
        let mut j = i;
        while j + 1 < cols.len() && cols[j + 1].0 == group {
            j += 1;
        }
        let (a, b) = (i as u16 + 1, j as u16 + 1);
        if i == j && cols[i].1.is_empty() {
            ws.merge_range(2, a, 3, a, group, &head).map_err(xl)?;
        } else {
            if a == b {
                ws.write_string_with_format(2, a, group, &head).map_err(xl)?;
            } else {
                ws.merge_range(2, a, 2, b, group, &head).map_err(xl)?;
            }
            for (k, col) in cols.iter().enumerate().take(j + 1).skip(i) {
                ws.write_string_with_format(3, k as u16 + 1, &col.1, &head).map_err(xl)?;
            }
        }
        i = j + 1;
    }
    ws.set_row_height(3, 60).map_err(xl)?;
    ws.set_column_width(0, 24).map_err(xl)?;
    let mut row = 4u32;
    let all = t.rows.iter().map(|r| (r, &cell)).chain([(&t.subordinate_total, &total), (&t.own_total, &total)]);
    for (r, fmt) in all {
        ws.write_string_with_format(row, 0, &r.label, fmt).map_err(xl)?;
        for (k, (_, _, v)) in columns(r).into_iter().enumerate() {
            let col = k as u16 + 1;
            match v {
                Value::N(n) => ws.write_number_with_format(row, col, n as f64, fmt).map_err(xl)?,
                Value::T(s) => ws.write_string_with_format(row, col, s, fmt).map_err(xl)?,
            };
        }
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "一致性校验", &Format::new().set_bold()).map_err(xl)?;
    for c in &t.checks {
        row += 1;
        ws.write_string(row, 0, c.name).map_err(xl)?;
        ws.write_string(row, 1, if c.ok { "通过" } else { "未通过" }).map_err(xl)?;
        ws.write_string(row, 2, &c.detail).map_err(xl)?;
    }
    ws.set_freeze_panes(4, 1).map_err(xl)?;
    wb.save_to_buffer().map_err(xl)
}
