//! Investigation logs (domain.md §2.7): 排查 rounds with their items and zero reports, and
//! general field visits.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::*;
use crate::meta::{Kind, Meta, Record};
use crate::validate::{Ctx, Issues};

/// One 排查 of one unit for one period. A round with no items is filed as a 零报告.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ScreeningRound {
    #[serde(flatten)]
    pub meta: Meta,
    pub unit_org_id: Option<Uuid>,
    pub unit_division_code: Option<String>,
    /// The unit's name as printed (村/社区/乡镇), e.g. 东山村.
    pub unit_name: Option<String>,
    pub period_type: Option<PeriodType>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub screened_on: Option<NaiveDate>,
    pub screener_ids: Vec<Uuid>,
    /// Names of screeners who are not staff (村干部, 网格员).
    pub screener_names: Vec<String>,
    pub method: Vec<ScreeningMethod>,
    /// Derived from the items on save.
    pub found_count: i64,
    pub zero_report: bool,
    pub statement: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub submitted_to: Option<String>,
    pub submitted_on: Option<NaiveDate>,
}

/// The statement a zero report carries when the clerk writes none.
pub const ZERO_REPORT_STATEMENT: &str = "本期未发现矛盾纠纷";

impl ScreeningRound {
    /// 零报告 rule (§3.5): a zero report only when the round found nothing. `item_count` is
    /// the number of live items, which the store knows.
    pub fn check_items(&self, item_count: i64, i: &mut Issues) {
        if self.zero_report && item_count > 0 {
            i.error("zero_report", "零报告", format!("本次排查已登记{item_count}条矛盾纠纷，不能报零报告；请删除这些登记或取消零报告"));
        }
    }
}

impl Record for ScreeningRound {
    const KIND: Kind = Kind::ScreeningRound;
    record_meta!();
    fn normalize(&mut self, _ctx: &Ctx) {
        self.screener_names.retain(|n| !n.trim().is_empty());
        if self.zero_report && self.statement.as_deref().is_none_or(|s| s.trim().is_empty()) {
            self.statement = Some(ZERO_REPORT_STATEMENT.to_string());
        }
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.division_code("unit_division_code", "排查单位区划代码", &self.unit_division_code);
        i.name("unit_name", "排查单位", &self.unit_name, true);
        for (n, name) in self.screener_names.iter().enumerate() {
            i.name(&format!("screener_names[{n}]"), "排查人", &Some(name.clone()), false);
        }
        i.text("statement", "说明", &self.statement);
        i.name("approved_by", "负责人", &self.approved_by, false);
        i.line("submitted_to", "报送单位", &self.submitted_to);
        i.not_future("screened_on", "排查日期", self.screened_on, ctx);
        i.not_future("approved_on", "负责人签字日期", self.approved_on, ctx);
        i.not_future("submitted_on", "报送日期", self.submitted_on, ctx);
        i.date_order(("period_start", "周期开始", self.period_start), ("period_end", "周期结束", self.period_end));
        i.date_order(("screened_on", "排查日期", self.screened_on), ("approved_on", "负责人签字日期", self.approved_on));
        if let (Some(start), Some(on)) = (self.period_start, self.screened_on) {
            if on < start {
                i.error("screened_on", "排查日期", "排查日期早于本期开始日期");
            }
        }
        self.check_items(self.found_count, i);
        if !self.meta.draft {
            if self.unit_org_id.is_none() && self.unit_division_code.is_none() {
                i.error("unit_division_code", "排查单位", "必须填写排查单位（机构或区划代码）");
            }
            i.required_text("unit_name", "排查单位名称", &self.unit_name);
            i.required("period_type", "周期类型", &self.period_type);
            i.required("period_start", "周期开始", &self.period_start);
            i.required("period_end", "周期结束", &self.period_end);
            i.required("screened_on", "排查日期", &self.screened_on);
            if self.screener_ids.is_empty() && self.screener_names.is_empty() {
                i.error("screener_ids", "排查人", "至少填写一名排查人");
            }
            if self.zero_report {
                i.required_text("statement", "说明", &self.statement);
            }
            if self.submitted_on.is_some() {
                i.required_text("approved_by", "负责人签字", &self.approved_by);
                i.required("approved_on", "负责人签字日期", &self.approved_on);
            }
        }
    }
}

/// 矛盾纠纷排查登记 — one issue found in a round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ScreeningItem {
    #[serde(flatten)]
    pub meta: Meta,
    pub round_id: Option<Uuid>,
    pub found_on: Option<NaiveDate>,
    pub place: Option<String>,
    /// The parties as written (names), or links to persons.
    pub party_summary: Option<String>,
    pub party_person_ids: Vec<Uuid>,
    pub dispute_type: Option<DisputeType>,
    pub people_involved: Option<i64>,
    pub summary: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub disposition: Option<Disposition>,
    pub responsible_person: Option<String>,
    /// 化解时限.
    pub deadline: Option<NaiveDate>,
    pub status: Option<ItemStatus>,
    pub resolved_on: Option<NaiveDate>,
    /// The 人民调解 case opened from this item.
    pub case_id: Option<Uuid>,
}

impl Record for ScreeningItem {
    const KIND: Kind = Kind::ScreeningItem;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.round_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("place", "发现地点", &self.place);
        i.line("party_summary", "当事人", &self.party_summary);
        i.text("summary", "纠纷简要情况", &self.summary);
        i.name("responsible_person", "责任人", &self.responsible_person, false);
        i.not_future("found_on", "发现日期", self.found_on, ctx);
        i.not_future("resolved_on", "化解日期", self.resolved_on, ctx);
        i.date_order(("found_on", "发现日期", self.found_on), ("resolved_on", "化解日期", self.resolved_on));
        i.date_order(("found_on", "发现日期", self.found_on), ("deadline", "化解时限", self.deadline));
        if let Some(n) = self.people_involved {
            if n < 1 {
                i.error("people_involved", "涉及人数", "涉及人数至少为1");
            }
        }
        if !self.meta.draft {
            i.required("round_id", "所属排查", &self.round_id);
            i.required("found_on", "发现日期", &self.found_on);
            i.required_text("party_summary", "当事人", &self.party_summary);
            i.required("dispute_type", "纠纷类型", &self.dispute_type);
            i.required("people_involved", "涉及人数", &self.people_involved);
            i.required_text("summary", "纠纷简要情况", &self.summary);
            i.required("risk_level", "风险等级", &self.risk_level);
            i.required("disposition", "处置措施", &self.disposition);
            i.required("status", "化解状态", &self.status);
            if self.status == Some(ItemStatus::Resolved) {
                i.required("resolved_on", "化解日期", &self.resolved_on);
            }
        }
    }
}

/// 走访记录 (general purpose).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct FieldVisit {
    #[serde(flatten)]
    pub meta: Meta,
    pub subject_type: Option<VisitSubjectType>,
    pub subject_id: Option<Uuid>,
    /// Who or what was visited, as written (a household, an enterprise).
    pub subject_name: Option<String>,
    pub visited_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub visitor_ids: Vec<Uuid>,
    pub method: Option<FieldVisitMethod>,
    pub content: Option<String>,
    pub findings: Option<String>,
    pub follow_up: Option<String>,
    /// 失联, 情绪异常 …: triggers escalation.
    pub anomaly: bool,
}

impl Record for FieldVisit {
    const KIND: Kind = Kind::FieldVisit;
    record_meta!();
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("subject_name", "走访对象", &self.subject_name);
        i.line("place", "地点", &self.place);
        i.text("content", "走访内容", &self.content);
        i.text("findings", "发现问题", &self.findings);
        i.text("follow_up", "后续措施", &self.follow_up);
        i.not_future_time("visited_at", "走访时间", self.visited_at, ctx);
        if !self.meta.draft {
            i.required("subject_type", "走访对象类别", &self.subject_type);
            if self.subject_id.is_none() && self.subject_name.as_deref().is_none_or(|s| s.trim().is_empty()) {
                i.error("subject_name", "走访对象", "必须填写走访对象");
            }
            i.required("visited_at", "走访时间", &self.visited_at);
            i.required("method", "走访方式", &self.method);
            i.required_list("visitor_ids", "走访人", &self.visitor_ids);
            i.required_text("content", "走访内容", &self.content);
            if self.anomaly {
                i.required_text("follow_up", "后续措施", &self.follow_up);
            }
        }
    }
}
