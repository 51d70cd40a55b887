//! Statistics: the 人民调解案件情况统计表 (domain.md §3.3) and the metrics of §3.4.
//!
//! Everything is aggregated in SQL, through indexes (schema V3) that hold every value summed,
//! so a year of a large store is one pass over an index, with no record loaded or parsed.

use chrono::NaiveDate;
use fengqiao_model::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// The cases of a period, read through the statistics index (schema V3): every value summed
/// comes from the index, so no case's JSON is parsed. Use with [`CASES_IN_PERIOD`].
const CASES: &str = "dispute_case c INDEXED BY dispute_case_stats";

/// Cases counted in a period: accepted on a day of it, and really accepted — drafts, 不予受理
/// and a 撤回 before acceptance (no number issued) never became 调解案件.
const CASES_IN_PERIOD: &str = "c.deleted = 0 AND c.accepted_on BETWEEN ?1 AND ?2 \
     AND c.status NOT IN ('draft', 'rejected') AND (c.status <> 'withdrawn' OR coalesce(c.case_no, '') <> '')";

/// A case field outside the generated columns, spelt exactly as in the V3 index.
fn field(path: &str) -> String {
    format!("json_extract(c.data, '$.{path}')")
}

/// Screening items found in a period, of live rounds.
const ITEMS_FOUND: &str = "FROM screening_item i JOIN screening_round r ON r.id = i.parent_id AND r.deleted = 0 \
     WHERE i.deleted = 0 AND i.found_on BETWEEN ?1 AND ?2";

/// The four 防止… columns, as keys of the case's `prevented` JSON.
const PREVENTED_KEYS: [&str; 4] = ["suicide", "criminal", "group_petition", "group_fight"];

/// One counted column: a code of a model list with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub code: &'static str,
    pub label: &'static str,
    /// The form's parent column of a sub-type (劳动争议纠纷, 消费纠纷).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
    pub count: i64,
}

fn zero_counts<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str, group: fn(T) -> Option<&'static str>) -> Vec<Count> {
    all.iter().map(|&v| Count { code: code(v), label: label(v), group: group(v), count: 0 }).collect()
}

fn add_counts(into: &mut [Count], from: &[Count]) {
    for (a, b) in into.iter_mut().zip(from) {
        a.count += b.count;
    }
}

fn sum_counts(counts: &[Count]) -> i64 {
    counts.iter().map(|c| c.count).sum()
}

/// 案件来源 (件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sources {
    /// 主动调解.
    pub proactive: i64,
    /// 依申请调解.
    pub party_application: i64,
    /// 接受委托移送调解.
    pub referral: i64,
    /// 其中：法院 / 检察院 / 公安机关 / 信访部门 / 其他部门.
    pub referral_by_type: Vec<Count>,
}

/// 协议形式 (件), among successful cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgreementForms {
    /// 口头协议.
    pub oral: i64,
    /// 书面协议.
    pub written: i64,
}

/// 排查预防纠纷.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Prevention {
    /// 排查纠纷 (次): screening rounds held in the period.
    pub screening_rounds: i64,
    /// 预防纠纷 (件): items found in the period and resolved.
    pub prevented_disputes: i64,
    /// 防止民间纠纷引起自杀 / 转化为刑事案件 / 群体性上访 / 群体性械斗 (件 / 人).
    pub prevented: Prevented,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// One unit: a 调委会 (or another unit that screened or holds cases).
    Unit,
    /// 下级上报总计.
    SubordinateTotal,
    /// 本级上报总计.
    OwnTotal,
}

/// One row of the 统计表.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatRow {
    pub kind: RowKind,
    /// The unit's organization (None for totals, and for 排查 of no recorded unit).
    pub org_id: Option<Uuid>,
    pub label: String,
    pub committee_type: Option<CommitteeType>,
    /// 调解案件总数 (件).
    pub total: i64,
    /// 涉及当事人数 (人).
    pub party_count: i64,
    /// 调解成功 (件).
    pub success: i64,
    /// 疑难复杂案件 (件).
    pub difficult: i64,
    /// 协议涉及金额 of successful cases, in 分.
    pub amount_cents: i64,
    /// The same in 万元, two decimals, as printed.
    pub amount_wan: String,
    /// 不同主体调解情况 (件), in the order of §2.9.4.
    pub by_committee_type: Vec<Count>,
    pub sources: Sources,
    /// 案件分类情况 (件), every §2.9.1 type in form order.
    pub by_dispute_type: Vec<Count>,
    pub agreement_forms: AgreementForms,
    pub prevention: Prevention,
}

impl StatRow {
    /// A row with every column present and zero.
    pub fn empty(kind: RowKind, org_id: Option<Uuid>, label: impl Into<String>) -> StatRow {
        StatRow {
            kind,
            org_id,
            label: label.into(),
            committee_type: None,
            total: 0,
            party_count: 0,
            success: 0,
            difficult: 0,
            amount_cents: 0,
            amount_wan: cents_to_wan(0),
            by_committee_type: zero_counts(CommitteeType::ALL, CommitteeType::code, CommitteeType::label, |_| None),
            sources: Sources {
                proactive: 0,
                party_application: 0,
                referral: 0,
                referral_by_type: zero_counts(ReferralType::ALL, ReferralType::code, ReferralType::label, |_| None),
            },
            by_dispute_type: zero_counts(DisputeType::ALL, DisputeType::code, DisputeType::label, DisputeType::group_label),
            agreement_forms: AgreementForms::default(),
            prevention: Prevention::default(),
        }
    }

    /// Adds every column of `o` (a roll-up of units' rows).
    pub fn add(&mut self, o: &StatRow) {
        self.total += o.total;
        self.party_count += o.party_count;
        self.success += o.success;
        self.difficult += o.difficult;
        self.amount_cents += o.amount_cents;
        self.amount_wan = cents_to_wan(self.amount_cents);
        add_counts(&mut self.by_committee_type, &o.by_committee_type);
        self.sources.proactive += o.sources.proactive;
        self.sources.party_application += o.sources.party_application;
        self.sources.referral += o.sources.referral;
        add_counts(&mut self.sources.referral_by_type, &o.sources.referral_by_type);
        add_counts(&mut self.by_dispute_type, &o.by_dispute_type);
        self.agreement_forms.oral += o.agreement_forms.oral;
        self.agreement_forms.written += o.agreement_forms.written;
        let (p, q) = (&mut self.prevention, &o.prevention);
        p.screening_rounds += q.screening_rounds;
        p.prevented_disputes += q.prevented_disputes;
        for (a, b) in prevented_parts_mut(&mut p.prevented).into_iter().zip(prevented_parts(&q.prevented)) {
            a.cases += b.cases;
            a.persons += b.persons;
        }
    }
}

fn prevented_parts(p: &Prevented) -> [&CasesPersons; 4] {
    [&p.suicide, &p.criminal, &p.group_petition, &p.group_fight]
}

fn prevented_parts_mut(p: &mut Prevented) -> [&mut CasesPersons; 4] {
    [&mut p.suicide, &mut p.criminal, &mut p.group_petition, &mut p.group_fight]
}

/// 分 → 万元 with two decimals, rounded half away from zero, without floating point.
pub fn cents_to_wan(cents: i64) -> String {
    let hundredths = (cents.abs() + 5_000) / 10_000;
    let sign = if cents < 0 && hundredths > 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", hundredths / 100, hundredths % 100)
}

/// One consistency check of §3.3 over every row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsistencyCheck {
    /// Stable key: `sources`, `dispute_types`, `agreement_forms`, `success_le_total`,
    /// `referral_types`, `committee_types`.
    pub code: &'static str,
    pub name: &'static str,
    pub ok: bool,
    /// What was compared; for a failure, each row that fails and by how much.
    pub detail: String,
}

/// The checks of §3.3 (and two of the same kind the form implies) over `rows`; each check
/// passes only if every row passes. The detail quotes the last row (the total) when all pass.
pub fn consistency_checks(rows: &[&StatRow]) -> Vec<ConsistencyCheck> {
    type Sides = fn(&StatRow) -> (i64, i64);
    let equal: [(&'static str, &'static str, &'static str, &'static str, Sides); 5] = [
        ("sources", "案件来源合计等于调解案件总数", "案件来源合计", "调解案件总数", |r| {
            (r.sources.proactive + r.sources.party_application + r.sources.referral, r.total)
        }),
        ("dispute_types", "纠纷类型合计等于调解案件总数", "纠纷类型合计", "调解案件总数", |r| {
            (sum_counts(&r.by_dispute_type), r.total)
        }),
        ("agreement_forms", "口头协议与书面协议之和等于调解成功数", "口头协议+书面协议", "调解成功", |r| {
            (r.agreement_forms.oral + r.agreement_forms.written, r.success)
        }),
        (
            "referral_types",
            "委托移送单位分类合计等于接受委托移送调解数",
            "法院+检察院+公安机关+信访部门+其他部门",
            "接受委托移送调解",
            |r| (sum_counts(&r.sources.referral_by_type), r.sources.referral),
        ),
        ("committee_types", "不同主体调解情况合计等于调解案件总数", "不同主体合计", "调解案件总数", |r| {
            (sum_counts(&r.by_committee_type), r.total)
        }),
    ];
    let mut checks: Vec<ConsistencyCheck> = equal
        .iter()
        .map(|&(code, name, left, right, sides)| {
            check(code, name, rows, |r| {
                let (a, b) = sides(r);
                (a == b, format!("{left}{a}，{right}{b}"))
            })
        })
        .collect();
    checks.insert(
        3,
        check("success_le_total", "调解成功数不大于调解案件总数", rows, |r| {
            (r.success <= r.total, format!("调解成功{}，调解案件总数{}", r.success, r.total))
        }),
    );
    checks
}

fn check(code: &'static str, name: &'static str, rows: &[&StatRow], test: impl Fn(&StatRow) -> (bool, String)) -> ConsistencyCheck {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| match test(r) {
            (true, _) => None,
            (false, said) => Some(format!("{}：{said}", r.label)),
        })
        .collect();
    let detail = match (failures.is_empty(), rows.last()) {
        (true, Some(last)) => format!("一致（{}：{}）", last.label, test(last).1),
        (true, None) => "一致（无数据）".to_string(),
        (false, _) => format!("不一致：{}", failures.join("；")),
    };
    ConsistencyCheck { code, name, ok: failures.is_empty(), detail }
}

/// 人民调解案件情况统计表 for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseStatistics {
    pub title: &'static str,
    /// 填报单位: the office.
    pub office_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every live 调委会 (zero rows included), then any other unit that holds cases or
    /// screened in the period (e.g. the office itself for a township-wide 排查).
    pub rows: Vec<StatRow>,
    /// 下级上报总计: an office has no subordinate reports, so zero; kept for the form's shape.
    pub subordinate_total: StatRow,
    /// 本级上报总计: the sum of `rows`.
    pub own_total: StatRow,
    pub checks: Vec<ConsistencyCheck>,
}

impl CaseStatistics {
    pub fn all_consistent(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

/// Whether a rate is good when high (成功率) or when low (重新犯罪率).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

/// One §3.4 metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub label: &'static str,
    /// What is divided by what, in words.
    pub formula: &'static str,
    pub numerator: i64,
    pub denominator: i64,
    /// None when the denominator is 0.
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub better: Better,
    /// `value ≥ target` (or `value < target` when lower is better); None without both.
    pub meets_target: Option<bool>,
}

impl Rate {
    pub fn new(label: &'static str, formula: &'static str, numerator: i64, denominator: i64, target: Option<f64>, better: Better) -> Rate {
        let value = (denominator != 0).then(|| numerator as f64 / denominator as f64);
        // A tolerance so that 19/20 meets 0.95 whatever the rounding of either side.
        const EPS: f64 = 1e-9;
        let meets_target = value.zip(target).map(|(v, t)| match better {
            Better::Higher => v + EPS >= t,
            Better::Lower => v + EPS < t,
        });
        Rate { label, formula, numerator, denominator, value, target, better, meets_target }
    }
}

/// What 排查成功率 divides by (§3.4: the 综治 form uses items found; some places use items handled).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningSuccessBase {
    #[default]
    Found,
    Handled,
}

/// Targets of the metrics, configurable per county; None = no target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Targets {
    pub mediation_success: Option<f64>,
    pub performance: Option<f64>,
    pub screening_handled: Option<f64>,
    pub screening_success: Option<f64>,
    pub screening_success_base: ScreeningSuccessBase,
    pub handover: Option<f64>,
    pub must_escort: Option<f64>,
    pub resettlement: Option<f64>,
    pub help: Option<f64>,
    /// 重新犯罪率 meets its target when strictly below this.
    pub reoffense_below: Option<f64>,
}

impl Default for Targets {
    /// §3.4: Dezhou's 衔接率 ≥ 90% with 重点 100% (必接必送率); Guangdong's 安置率 85%,
    /// 帮教率 95%, 重新犯罪率 < 2%; a township's 调解成功率 ≥ 95%.
    fn default() -> Self {
        Targets {
            mediation_success: Some(0.95),
            performance: None,
            screening_handled: None,
            screening_success: None,
            screening_success_base: ScreeningSuccessBase::Found,
            handover: Some(0.90),
            must_escort: Some(1.0),
            resettlement: Some(0.85),
            help: Some(0.95),
            reoffense_below: Some(0.02),
        }
    }
}

/// The §3.4 metrics for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 调解成功率.
    pub mediation_success: Rate,
    /// 协议履行率.
    pub performance: Rate,
    /// 排查调处率.
    pub screening_handled: Rate,
    /// 排查成功率.
    pub screening_success: Rate,
    /// 衔接率.
    pub handover: Rate,
    /// 必接必送率.
    pub must_escort: Rate,
    /// 安置率.
    pub resettlement: Rate,
    /// 帮教率.
    pub help: Rate,
    /// 重新犯罪率.
    pub reoffense: Rate,
}

impl Metrics {
    /// Every rate in display order.
    pub fn rates(&self) -> [&Rate; 9] {
        [
            &self.mediation_success,
            &self.performance,
            &self.screening_handled,
            &self.screening_success,
            &self.handover,
            &self.must_escort,
            &self.resettlement,
            &self.help,
            &self.reoffense,
        ]
    }
}

/// `'a', 'b'` for an SQL `IN` list of model codes (static, never user input).
pub(crate) fn sql_codes<T: Copy>(values: impl IntoIterator<Item = T>, code: fn(T) -> &'static str) -> String {
    values.into_iter().map(|v| format!("'{}'", code(v))).collect::<Vec<_>>().join(", ")
}

fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(StoreError::Rule(format!("统计期间的开始日期（{from}）晚于结束日期（{to}）")));
    }
    Ok(())
}

/// The aggregate columns of the case query, in the order `fill_case_columns` reads them.
fn case_aggregates() -> Vec<String> {
    let success = format!("c.result = '{}'", MediationResult::Success.code());
    let mut cols = vec![
        "count(*)".to_string(),
        // Parties counted from the live party rows: the case's own `party_count` is derived
        // only when a file is read.
        "sum((SELECT count(*) FROM case_party p INDEXED BY case_party_live WHERE p.parent_id = c.id AND p.deleted = 0))".to_string(),
        format!("sum({success})"),
        format!("sum({} = 1)", field("is_difficult")),
        format!("sum(CASE WHEN {success} THEN {} END)", field("amount_cents")),
    ];
    for form in [AgreementForm::Oral, AgreementForm::Written] {
        cols.push(format!("sum({success} AND {} = '{}')", field("agreement_form"), form.code()));
    }
    for s in [CaseSource::Proactive, CaseSource::PartyApplication, CaseSource::Referral] {
        cols.push(format!("sum(c.source = '{}')", s.code()));
    }
    for t in ReferralType::ALL {
        cols.push(format!("sum(c.source = '{}' AND {} = '{}')", CaseSource::Referral.code(), field("referral_type"), t.code()));
    }
    for t in DisputeType::ALL {
        cols.push(format!("sum(c.dispute_type = '{}')", t.code()));
    }
    for key in PREVENTED_KEYS {
        for part in ["cases", "persons"] {
            cols.push(format!("sum({})", field(&format!("prevented.{key}.{part}"))));
        }
    }
    cols
}

/// Fills a row's case columns from the sums of `case_aggregates` (in that order).
fn fill_case_columns(row: &mut StatRow, sums: &[i64]) {
    let mut it = sums.iter().copied();
    let mut next = || it.next().unwrap_or(0);
    row.total = next();
    row.party_count = next();
    row.success = next();
    row.difficult = next();
    row.amount_cents = next();
    row.amount_wan = cents_to_wan(row.amount_cents);
    row.agreement_forms = AgreementForms { oral: next(), written: next() };
    row.sources.proactive = next();
    row.sources.party_application = next();
    row.sources.referral = next();
    for c in row.sources.referral_by_type.iter_mut() {
        c.count = next();
    }
    for c in row.by_dispute_type.iter_mut() {
        c.count = next();
    }
    for part in prevented_parts_mut(&mut row.prevention.prevented) {
        part.cases = next();
        part.persons = next();
    }
    // 不同主体: all of a unit's cases go to its committee type.
    if let Some(t) = row.committee_type {
        if let Some(c) = row.by_committee_type.iter_mut().find(|c| c.code == t.code()) {
            c.count = row.total;
        }
    }
}

fn parse_id(s: Option<String>) -> Option<Uuid> {
    s.and_then(|s| Uuid::parse_str(&s).ok())
}

mod digest;
pub use digest::{CasesWith, StatDigest};
