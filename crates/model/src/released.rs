//! Released-person files (domain.md §2.8, §3.6): 刑满释放人员安置帮教.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::*;
use crate::meta::{Kind, Meta, Record};
use crate::validate::{Ctx, Issues};

/// 安置帮教对象档案 — one per release; the person is a [`crate::Person`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReleasedPerson {
    #[serde(flatten)]
    pub meta: Meta,
    pub person_id: Option<Uuid>,
    pub is_recidivist: Option<bool>,
    pub crime_name: Option<String>,
    pub crime_category: Option<CrimeCategory>,
    pub sentence_term: Option<String>,
    pub sentence_months: Option<i64>,
    pub supplementary_penalty: Option<String>,
    pub prison_name: Option<String>,
    pub prison_type: Option<PrisonType>,
    pub released_on: Option<NaiveDate>,
    pub release_type: Option<ReleaseType>,
    pub assessment_type: Option<AssessmentType>,
    pub notice_received_on: Option<NaiveDate>,
    pub notice_from: Option<String>,
    pub receipt_returned_on: Option<NaiveDate>,
    pub handover_on: Option<NaiveDate>,
    pub handover_method: Option<HandoverMethod>,
    pub handover_status: Option<HandoverStatus>,
    pub handover_fail_reason: Option<String>,
    /// 必接必送: true for 重点 by default.
    pub must_escort: Option<bool>,
    pub police_registration_on: Option<NaiveDate>,
    pub resettled_on: Option<NaiveDate>,
    pub resettlement_method: Option<ResettlementMethod>,
    pub unresettled_reason: Option<String>,
    pub assistance: Vec<Assistance>,
    pub help_period_start: Option<NaiveDate>,
    pub help_period_end: Option<NaiveDate>,
    pub help_status: Option<HelpStatus>,
    pub help_summary: Option<String>,
    /// 解除帮教 date (when the 帮教期 ended and the office released the person from it).
    pub help_released_on: Option<NaiveDate>,
    pub police_key_control: bool,
    pub dual_registration: bool,
    pub registered_division_codes: Vec<String>,
    pub reoffended: Option<bool>,
    pub reoffense_crime: Option<String>,
    pub reoffense_on: Option<NaiveDate>,
    pub flags: Vec<PersonFlag>,
}

/// The default 帮教期 end: release + N years − 1 day (domain.md §3.6).
pub fn default_help_period_end(released_on: NaiveDate, years: u32) -> Option<NaiveDate> {
    released_on.checked_add_months(Months::new(years * 12))?.pred_opt()
}

impl ReleasedPerson {
    /// Whether the 帮教期 has ended on `today` while the person is still 在册.
    pub fn needs_release_from_help(&self, today: NaiveDate) -> bool {
        self.help_status == Some(HelpStatus::Active) && self.help_period_end.is_some_and(|end| end < today)
    }
}

impl Record for ReleasedPerson {
    const KIND: Kind = Kind::ReleasedPerson;
    record_meta!();
    fn normalize(&mut self, ctx: &Ctx) {
        if let Some(released) = self.released_on {
            self.help_period_start.get_or_insert(released);
            if self.help_period_end.is_none() {
                self.help_period_end = default_help_period_end(released, ctx.help_period_years);
            }
        }
        if self.must_escort.is_none() {
            if let Some(a) = self.assessment_type {
                self.must_escort = Some(a == AssessmentType::Key);
            }
        }
        self.handover_status.get_or_insert(HandoverStatus::Pending);
        self.help_status.get_or_insert(HelpStatus::Active);
        self.reoffended.get_or_insert(false);
        self.registered_division_codes.retain(|c| !c.trim().is_empty());
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("crime_name", "原罪名", &self.crime_name);
        i.line("sentence_term", "原判刑期", &self.sentence_term);
        i.line("supplementary_penalty", "附加刑", &self.supplementary_penalty);
        i.line("prison_name", "服刑场所", &self.prison_name);
        i.line("notice_from", "通知书来源", &self.notice_from);
        i.text("handover_fail_reason", "未衔接原因", &self.handover_fail_reason);
        i.text("unresettled_reason", "未安置原因", &self.unresettled_reason);
        i.text("help_summary", "帮教情况", &self.help_summary);
        i.line("reoffense_crime", "重新犯罪罪名", &self.reoffense_crime);
        for (n, code) in self.registered_division_codes.iter().enumerate() {
            i.division_code(&format!("registered_division_codes[{n}]"), "列管地", &Some(code.clone()));
        }
        if let Some(m) = self.sentence_months {
            if !(0..=600).contains(&m) {
                i.error("sentence_months", "刑期（月）", "刑期月数应在0到600之间");
            }
        }
        // Released dates may lie ahead (the notice comes a month early); the rest are facts.
        i.not_future("notice_received_on", "收到通知书日期", self.notice_received_on, ctx);
        i.not_future("receipt_returned_on", "回执寄回日期", self.receipt_returned_on, ctx);
        i.not_future("handover_on", "衔接日期", self.handover_on, ctx);
        i.not_future("police_registration_on", "户籍报到日期", self.police_registration_on, ctx);
        i.not_future("resettled_on", "安置日期", self.resettled_on, ctx);
        i.not_future("reoffense_on", "重新犯罪日期", self.reoffense_on, ctx);
        i.not_future("help_released_on", "解除帮教日期", self.help_released_on, ctx);
        i.date_order(
            ("notice_received_on", "收到通知书日期", self.notice_received_on),
            ("receipt_returned_on", "回执寄回日期", self.receipt_returned_on),
        );
        i.date_order(("released_on", "释放日期", self.released_on), ("police_registration_on", "户籍报到日期", self.police_registration_on));
        i.date_order(("released_on", "释放日期", self.released_on), ("resettled_on", "安置日期", self.resettled_on));
        i.date_order(("released_on", "释放日期", self.released_on), ("reoffense_on", "重新犯罪日期", self.reoffense_on));
        i.date_order(("help_period_start", "帮教期开始", self.help_period_start), ("help_period_end", "帮教期结束", self.help_period_end));
        i.date_order(("released_on", "释放日期", self.released_on), ("help_period_start", "帮教期开始", self.help_period_start));
        if self.meta.draft {
            return;
        }
        i.required("person_id", "人员", &self.person_id);
        i.required("is_recidivist", "是否累犯", &self.is_recidivist);
        i.required_text("crime_name", "原罪名", &self.crime_name);
        i.required_text("sentence_term", "原判刑期", &self.sentence_term);
        i.required_text("prison_name", "服刑场所", &self.prison_name);
        i.required("released_on", "释放日期", &self.released_on);
        i.required("release_type", "释放类型", &self.release_type);
        i.required("assessment_type", "危险性评估类型", &self.assessment_type);
        i.required("handover_status", "衔接状态", &self.handover_status);
        i.required("help_period_start", "帮教期开始", &self.help_period_start);
        i.required("help_period_end", "帮教期结束", &self.help_period_end);
        i.required("help_status", "帮教状态", &self.help_status);
        i.required("reoffended", "是否重新犯罪", &self.reoffended);
        match self.handover_status {
            Some(HandoverStatus::Done) => {
                i.required("handover_on", "衔接日期", &self.handover_on);
                i.required("handover_method", "衔接情况", &self.handover_method);
            }
            Some(HandoverStatus::Failed) => {
                i.required_text("handover_fail_reason", "未衔接原因", &self.handover_fail_reason);
            }
            _ => {}
        }
        if self.resettled_on.is_some() {
            i.required("resettlement_method", "安置情况", &self.resettlement_method);
        }
        if self.reoffended == Some(true) {
            i.required_text("reoffense_crime", "重新犯罪罪名", &self.reoffense_crime);
            i.required("reoffense_on", "重新犯罪日期", &self.reoffense_on);
        }
        if self.help_status == Some(HelpStatus::Expired) {
            i.required("help_released_on", "解除帮教日期", &self.help_released_on);
        }
        if self.dual_registration && self.registered_division_codes.len() < 2 {
            i.error("registered_division_codes", "列管地", "双列管人员须填写户籍地和居住地两个列管地");
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HelpGroupMember {
    pub name: Option<String>,
    pub role: Option<HelpGroupRole>,
    pub org: Option<String>,
    pub phone: Option<String>,
    pub is_leader: bool,
}

/// 帮教小组 of one released person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HelpGroup {
    #[serde(flatten)]
    pub meta: Meta,
    pub released_person_id: Option<Uuid>,
    pub formed_on: Option<NaiveDate>,
    /// 帮教协议书 signed.
    pub agreement_signed_on: Option<NaiveDate>,
    pub members: Vec<HelpGroupMember>,
}

impl Record for HelpGroup {
    const KIND: Kind = Kind::HelpGroup;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.released_person_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.not_future("formed_on", "成立日期", self.formed_on, ctx);
        i.not_future("agreement_signed_on", "帮教协议签订日期", self.agreement_signed_on, ctx);
        for (n, m) in self.members.iter().enumerate() {
            i.nested(&format!("members[{n}]"), |i| {
                i.name("name", "成员姓名", &m.name, false);
                i.line("org", "单位", &m.org);
                i.phone("phone", "联系方式", &m.phone);
                if !self.meta.draft {
                    i.required_text("name", "成员姓名", &m.name);
                    i.required("role", "成员角色", &m.role);
                }
            });
        }
        if !self.meta.draft {
            i.required("released_person_id", "帮教对象", &self.released_person_id);
            i.required("formed_on", "成立日期", &self.formed_on);
            i.required_list("members", "小组成员", &self.members);
            if !self.members.is_empty() && self.members.iter().filter(|m| m.is_leader).count() != 1 {
                i.error("members", "小组成员", "须指定一名组长");
            }
        }
    }
}

/// 帮教记录 — a visit, talk or call with a released person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HelpVisit {
    #[serde(flatten)]
    pub meta: Meta,
    pub released_person_id: Option<Uuid>,
    pub visited_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub visitor_ids: Vec<Uuid>,
    pub visitor_names: Vec<String>,
    pub visit_type: Option<HelpVisitType>,
    pub topics: Vec<HelpTopic>,
    pub content: Option<String>,
    pub problems: Option<String>,
    pub help_given: Option<String>,
    pub next_plan_on: Option<NaiveDate>,
    /// 失联 / 异常.
    pub anomaly: bool,
    pub anomaly_note: Option<String>,
}

impl Record for HelpVisit {
    const KIND: Kind = Kind::HelpVisit;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.released_person_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("place", "地点", &self.place);
        for (n, name) in self.visitor_names.iter().enumerate() {
            i.name(&format!("visitor_names[{n}]"), "帮教人", &Some(name.clone()), false);
        }
        i.text("content", "帮教内容", &self.content);
        i.text("problems", "存在问题", &self.problems);
        i.text("help_given", "帮扶措施", &self.help_given);
        i.text("anomaly_note", "异常情况", &self.anomaly_note);
        i.not_future_time("visited_at", "帮教时间", self.visited_at, ctx);
        if !self.meta.draft {
            i.required("released_person_id", "帮教对象", &self.released_person_id);
            i.required("visited_at", "帮教时间", &self.visited_at);
            i.required("visit_type", "帮教方式", &self.visit_type);
            if self.visitor_ids.is_empty() && self.visitor_names.is_empty() {
                i.error("visitor_ids", "帮教人", "至少填写一名帮教人");
            }
            i.required_text("content", "帮教内容", &self.content);
            if self.anomaly {
                i.required_text("anomaly_note", "异常情况", &self.anomaly_note);
            }
        }
    }
}

/// 评估变更: 重点 ↔ 一般.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AssessmentChange {
    #[serde(flatten)]
    pub meta: Meta,
    pub released_person_id: Option<Uuid>,
    pub from: Option<AssessmentType>,
    pub to: Option<AssessmentType>,
    pub changed_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub approved_by: Option<String>,
}

impl Record for AssessmentChange {
    const KIND: Kind = Kind::AssessmentChange;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.released_person_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.text("reason", "变更理由", &self.reason);
        i.name("approved_by", "审批人", &self.approved_by, false);
        i.not_future("changed_on", "变更日期", self.changed_on, ctx);
        if self.from.is_some() && self.from == self.to {
            i.error("to", "变更后类型", "变更前后的评估类型相同");
        }
        if !self.meta.draft {
            i.required("released_person_id", "帮教对象", &self.released_person_id);
            i.required("from", "变更前类型", &self.from);
            i.required("to", "变更后类型", &self.to);
            i.required("changed_on", "变更日期", &self.changed_on);
            i.required_text("reason", "变更理由", &self.reason);
            i.required_text("approved_by", "审批人", &self.approved_by);
        }
    }
}

/// One step of the handover after a release notice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HandoverEvent {
    #[serde(flatten)]
    pub meta: Meta,
    pub released_person_id: Option<Uuid>,
    pub event: Option<HandoverEventKind>,
    pub on: Option<NaiveDate>,
    pub by: Option<String>,
    pub note: Option<String>,
}

impl Record for HandoverEvent {
    const KIND: Kind = Kind::HandoverEvent;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.released_person_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.name("by", "经办人", &self.by, false);
        i.text("note", "备注", &self.note);
        i.not_future("on", "日期", self.on, ctx);
        if !self.meta.draft {
            i.required("released_person_id", "帮教对象", &self.released_person_id);
            i.required("event", "环节", &self.event);
            i.required("on", "日期", &self.on);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_period_defaults_to_five_years_less_a_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(default_help_period_end(d(2024, 3, 15), 5), Some(d(2029, 3, 14)));
        assert_eq!(default_help_period_end(d(2024, 2, 29), 5), Some(d(2029, 2, 27)));
        let mut r = ReleasedPerson { released_on: Some(d(2024, 3, 15)), assessment_type: Some(AssessmentType::Key), ..Default::default() };
        r.normalize(&Ctx::at(chrono::Utc::now()));
        assert_eq!(r.help_period_start, Some(d(2024, 3, 15)));
        assert_eq!(r.help_period_end, Some(d(2029, 3, 14)));
        assert_eq!(r.must_escort, Some(true));
    }
}
