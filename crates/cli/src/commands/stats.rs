//! `stats`: the 人民调解案件情况统计表 and the metrics of domain.md §3.3–3.4.

use chrono::NaiveDate;
use fengqiao_store::stats::{Better, CaseStatistics, Count, Metrics, Rate, StatRow};
use serde_json::json;

use crate::table::Table;
use crate::{CliError, Env};

pub fn stats(env: &Env, from: NaiveDate, to: NaiveDate) -> Result<(), CliError> {
    if from > to {
        return Err(CliError::Usage(format!("起始日期{from}晚于截止日期{to}")));
    }
    let store = super::open(env)?;
    let statistics = store.case_statistics(from, to)?;
    let metrics = store.metrics(from, to, &store.targets()?)?;
    if env.json {
        crate::out(&format!("{}\n", json!({ "ok": true, "statistics": statistics, "metrics": metrics })));
    } else {
        crate::out(&render(&statistics, &metrics));
    }
    Ok(())
}

fn render(s: &CaseStatistics, m: &Metrics) -> String {
    let mut out = format!("{}\n填报单位：{}　统计期间：{}至{}（按受理日期）\n\n", s.title, s.office_name, s.from, s.to);
    let mut t = Table::new(&[
        ("单位", 36),
        ("类别", 0),
        ("调解案件总数", 0),
        ("涉及当事人数", 0),
        ("调解成功", 0),
        ("疑难复杂", 0),
        ("协议涉及金额（万元）", 0),
        ("排查纠纷（次）", 0),
    ]);
    for row in s.rows.iter().chain([&s.subordinate_total, &s.own_total]) {
        t.row(vec![
            row.label.clone(),
            row.committee_type.map(|c| c.label().to_string()).unwrap_or_default(),
            row.total.to_string(),
            row.party_count.to_string(),
            row.success.to_string(),
            row.difficult.to_string(),
            row.amount_wan.clone(),
            row.prevention.screening_rounds.to_string(),
        ]);
    }
    out.push_str(&t.render());
    out.push('\n');
    out.push_str(&details(&s.own_total));
    out.push_str("\n一致性检查\n");
    for c in &s.checks {
        out.push_str(&format!("  {}　{}：{}\n", if c.ok { "通过" } else { "不通过" }, c.name, c.detail));
    }
    out.push_str(&format!("\n工作指标（{}至{}）\n", m.from, m.to));
    let mut t = Table::new(&[("指标", 0), ("计算方法", 44), ("分子/分母", 0), ("比率", 0), ("目标", 0), ("是否达标", 0)]);
    for r in m.rates() {
        t.row(vec![
            r.label.to_string(),
            r.formula.to_string(),
            format!("{}/{}", r.numerator, r.denominator),
            r.value.map(percent).unwrap_or_else(|| "—".into()),
            target(r),
            match r.meets_target {
                Some(true) => "达标".into(),
                Some(false) => "未达标".into(),
                None => "—".into(),
            },
        ]);
    }
    out.push_str(&t.render());
    out
}

/// The columns of the 本级上报总计 that do not fit a table line.
fn details(r: &StatRow) -> String {
    let counts = |cs: &[Count]| cs.iter().map(|c| format!("{} {}", c.label, c.count)).collect::<Vec<_>>().join("，");
    let p = &r.prevention;
    let pv = &p.prevented;
    format!(
        "本级上报总计明细\n  案件来源：主动调解 {}，依申请调解 {}，接受委托移送调解 {}（其中{}）\n  案件分类：{}\n  协议形式：口头协议 {}，书面协议 {}\n  不同主体：{}\n  排查预防：排查纠纷 {}次，预防纠纷 {}件；防止民间纠纷引起自杀 {}件/{}人，防止转化为刑事案件 {}件/{}人，防止群体性上访 {}件/{}人，防止群体性械斗 {}件/{}人\n",
        r.sources.proactive,
        r.sources.party_application,
        r.sources.referral,
        counts(&r.sources.referral_by_type),
        counts(&r.by_dispute_type),
        r.agreement_forms.oral,
        r.agreement_forms.written,
        counts(&r.by_committee_type),
        p.screening_rounds,
        p.prevented_disputes,
        pv.suicide.cases,
        pv.suicide.persons,
        pv.criminal.cases,
        pv.criminal.persons,
        pv.group_petition.cases,
        pv.group_petition.persons,
        pv.group_fight.cases,
        pv.group_fight.persons,
    )
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn target(r: &Rate) -> String {
    match (r.target, r.better) {
        (None, _) => "—".into(),
        (Some(t), Better::Higher) => format!("≥{}", percent(t)),
        (Some(t), Better::Lower) => format!("<{}", percent(t)),
    }
}
