//! The dispute ledger (domain.md §2.1–2.6): organizations, mediators, persons, cases and
//! everything filed in a case.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::*;
use crate::id_number;
use crate::meta::{Kind, Meta, Record};
use crate::validate::{Ctx, Issues};

/// 司法所 / 调委会 / 县司法局.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Organization {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: Option<String>,
    pub org_type: Option<OrgType>,
    pub committee_type: Option<CommitteeType>,
    pub division_code: Option<String>,
    /// 编号代字 for 调字第 numbers, e.g. "南海区" in （2024）南海区调字第123号.
    pub number_prefix: Option<String>,
    pub parent_id: Option<Uuid>,
}

impl Record for Organization {
    const KIND: Kind = Kind::Organization;
    record_meta!();
    fn validate(&self, _ctx: &Ctx, i: &mut Issues) {
        i.name("name", "名称", &self.name, true);
        i.division_code("division_code", "行政区划代码", &self.division_code);
        i.line("number_prefix", "编号代字", &self.number_prefix);
        if !self.meta.draft {
            i.required_text("name", "名称", &self.name);
            i.required("org_type", "类别", &self.org_type);
            i.required("division_code", "行政区划代码", &self.division_code);
            if self.org_type == Some(OrgType::MediationCommittee) {
                i.required("committee_type", "调委会类别", &self.committee_type);
                i.required_text("number_prefix", "编号代字", &self.number_prefix);
            }
        }
    }
}

/// 人民调解员.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Mediator {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: Option<String>,
    pub gender: Option<Gender>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub committee_id: Option<Uuid>,
    pub role: Option<MediatorRole>,
    /// 专职.
    pub full_time: bool,
}

impl Record for Mediator {
    const KIND: Kind = Kind::Mediator;
    record_meta!();
    fn normalize(&mut self, ctx: &Ctx) {
        normalize_id(&mut self.id_number, &mut self.gender, &mut None, ctx);
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.name("name", "姓名", &self.name, false);
        i.phone("phone", "联系方式", &self.phone);
        check_id(i, &self.id_number, self.gender, None, ctx);
        if !self.meta.draft {
            i.required_text("name", "姓名", &self.name);
            i.required("gender", "性别", &self.gender);
            i.required("committee_id", "所属调委会", &self.committee_id);
            i.required("role", "职务", &self.role);
        }
    }
}

/// A natural person: a party, a released person, an interviewee.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Person {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: Option<String>,
    pub alias: Option<String>,
    pub id_type: Option<IdType>,
    pub id_number: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub ethnicity: Option<Ethnicity>,
    pub education: Option<Education>,
    pub marital_status: Option<MaritalStatus>,
    pub occupation: Option<String>,
    pub phone: Option<String>,
    pub hukou_division_code: Option<String>,
    pub hukou_address: Option<String>,
    pub residence_division_code: Option<String>,
    pub residence_address: Option<String>,
    pub population_type: Option<PopulationType>,
    pub note: Option<String>,
}

impl Person {
    /// Whether the id number is a 居民身份证 number (the default when no type is given).
    pub fn has_resident_id(&self) -> bool {
        matches!(self.id_type, None | Some(IdType::ResidentId))
    }
    /// Age on a date, from the birth date.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        self.birth_date.map(|b| id_number::age_on(b, on))
    }
}

impl Record for Person {
    const KIND: Kind = Kind::Person;
    record_meta!();
    fn normalize(&mut self, ctx: &Ctx) {
        if self.has_resident_id() {
            normalize_id(&mut self.id_number, &mut self.gender, &mut self.birth_date, ctx);
        }
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.name("name", "姓名", &self.name, false);
        i.name("alias", "曾用名/别名", &self.alias, false);
        i.line("occupation", "职业或职务", &self.occupation);
        i.phone("phone", "联系方式", &self.phone);
        i.division_code("hukou_division_code", "户籍地区划代码", &self.hukou_division_code);
        i.line("hukou_address", "户籍地址", &self.hukou_address);
        i.division_code("residence_division_code", "现住址区划代码", &self.residence_division_code);
        i.line("residence_address", "现住址", &self.residence_address);
        i.text("note", "备注", &self.note);
        i.not_future("birth_date", "出生日期", self.birth_date, ctx);
        if self.has_resident_id() {
            check_id(i, &self.id_number, self.gender, self.birth_date, ctx);
        } else {
            i.line("id_number", "证件号码", &self.id_number);
        }
        if !self.meta.draft {
            i.required_text("name", "姓名", &self.name);
            i.required("gender", "性别", &self.gender);
        }
    }
}

/// Canonicalizes an ID number and fills gender and birth date from it where they are empty.
/// Invalid numbers are left as typed so that `check_id` can say what is wrong.
fn normalize_id(number: &mut Option<String>, gender: &mut Option<Gender>, birth: &mut Option<NaiveDate>, ctx: &Ctx) {
    let Some(raw) = number.as_deref() else { return };
    if raw.trim().is_empty() {
        *number = None;
        return;
    }
    if let Ok(id) = id_number::parse(raw, ctx.today) {
        gender.get_or_insert(id.gender);
        birth.get_or_insert(id.birth_date);
        *number = Some(id.number);
    }
}

fn check_id(i: &mut Issues, number: &Option<String>, gender: Option<Gender>, birth: Option<NaiveDate>, ctx: &Ctx) {
    const F: &str = "id_number";
    const L: &str = "公民身份号码";
    let Some(raw) = number.as_deref() else { return };
    match id_number::parse(raw, ctx.today) {
        Err(e) => i.error(F, L, e.to_string()),
        Ok(id) => {
            if id.number != raw {
                i.error(F, L, format!("应保存为规范的18位号码{}", id.number));
            }
            for w in id.warnings {
                i.warn(F, L, w);
            }
            if let Some(g) = gender {
                if matches!(g, Gender::Male | Gender::Female) && g != id.gender {
                    i.error("gender", "性别", format!("与公民身份号码不符（号码显示为{}）", id.gender.label()));
                }
            }
            if let Some(b) = birth {
                if b != id.birth_date {
                    i.error("birth_date", "出生日期", format!("与公民身份号码不符（号码显示为{}）", crate::validate::cn_date(id.birth_date)));
                }
            }
        }
    }
}

/// A party that is a unit (法人或其他组织).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct LegalEntity {
    #[serde(flatten)]
    pub meta: Meta,
    pub name: Option<String>,
    /// 统一社会信用代码 (GB 32100).
    pub uscc: Option<String>,
    pub legal_rep: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

impl Record for LegalEntity {
    const KIND: Kind = Kind::LegalEntity;
    record_meta!();
    fn normalize(&mut self, _ctx: &Ctx) {
        if let Some(u) = &mut self.uscc {
            *u = u.trim().to_uppercase();
        }
    }
    fn validate(&self, _ctx: &Ctx, i: &mut Issues) {
        i.name("name", "名称", &self.name, true);
        i.name("legal_rep", "法定代表人", &self.legal_rep, false);
        i.line("address", "地址", &self.address);
        i.phone("phone", "联系方式", &self.phone);
        if let Some(u) = &self.uscc {
            if !(u.len() == 18 && u.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())) {
                i.error("uscc", "统一社会信用代码", "应为18位数字或大写字母");
            }
        }
        if !self.meta.draft {
            i.required_text("name", "名称", &self.name);
        }
    }
}

/// 防止民间纠纷… counts for the statistics table (§3.3 column 10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CasesPersons {
    pub cases: i64,
    pub persons: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Prevented {
    /// 防止民间纠纷引起自杀.
    pub suicide: CasesPersons,
    /// 防止民间纠纷转化为刑事案件.
    pub criminal: CasesPersons,
    /// 防止群体性上访.
    pub group_petition: CasesPersons,
    /// 防止群体性械斗.
    pub group_fight: CasesPersons,
}

/// 纠纷案件 — one line of the 调解台账 and the root of a case file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct DisputeCase {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_no: Option<String>,
    pub committee_id: Option<Uuid>,
    pub accepted_on: Option<NaiveDate>,
    pub applied_on: Option<NaiveDate>,
    pub source: Option<CaseSource>,
    pub referral_type: Option<ReferralType>,
    pub referral_org: Option<String>,
    pub dispute_type: Option<DisputeType>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub requests: Vec<String>,
    pub occurred_on: Option<NaiveDate>,
    pub occurred_place: Option<String>,
    /// Derived from the parties on save.
    pub party_count: i64,
    pub amount_cents: Option<i64>,
    pub is_difficult: bool,
    pub is_group: bool,
    pub escalation_risk: Option<EscalationRisk>,
    pub escalation_reported_to: Option<String>,
    pub escalation_reported_on: Option<NaiveDate>,
    pub lead_mediator_id: Option<Uuid>,
    pub mediator_ids: Vec<Uuid>,
    pub mediator_chosen_by_party: bool,
    pub status: CaseStatus,
    /// Why the case was 不予受理 or 撤回 (e.g. 一方当事人明确拒绝调解).
    pub status_reason: Option<String>,
    pub result: Option<MediationResult>,
    pub agreement_form: Option<AgreementForm>,
    pub closed_on: Option<NaiveDate>,
    pub failure_reason: Option<String>,
    pub alternatives_told: Vec<Alternative>,
    pub prevented: Prevented,
    /// Both parties agreed to continue past one month (provincial rule, §3.2).
    pub extension_consent: bool,
    pub extension_consent_on: Option<NaiveDate>,
    pub screening_item_id: Option<Uuid>,
    pub archived_on: Option<NaiveDate>,
    pub archived_by: Option<String>,
    pub retention: Option<Retention>,
    pub page_count: Option<i64>,
    pub volume_name: Option<String>,
}

impl Default for CaseStatus {
    fn default() -> Self {
        CaseStatus::Draft
    }
}

impl DisputeCase {
    /// Whether the status is past intake, so the intake fields are required.
    pub fn is_accepted(&self) -> bool {
        !matches!(self.status, CaseStatus::Draft | CaseStatus::Rejected | CaseStatus::Withdrawn)
    }
}

impl Record for DisputeCase {
    const KIND: Kind = Kind::DisputeCase;
    record_meta!();
    fn normalize(&mut self, _ctx: &Ctx) {
        self.requests.retain(|r| !r.trim().is_empty());
        self.meta.draft = self.status == CaseStatus::Draft;
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("case_no", "编号", &self.case_no);
        i.line("title", "案由/纠纷名称", &self.title);
        i.text("summary", "纠纷简要情况", &self.summary);
        i.lines("requests", "申请事项", &self.requests);
        i.line("referral_org", "委托移送单位", &self.referral_org);
        i.line("occurred_place", "发生地点", &self.occurred_place);
        i.line("escalation_reported_to", "已报告单位", &self.escalation_reported_to);
        i.line("status_reason", "不予受理/撤回原因", &self.status_reason);
        i.text("failure_reason", "终止/不成功原因", &self.failure_reason);
        i.line("archived_by", "立卷人", &self.archived_by);
        i.line("volume_name", "卷名", &self.volume_name);
        i.non_negative("amount_cents", "涉及金额", self.amount_cents);
        i.non_negative("page_count", "页数", self.page_count);
        i.not_future("accepted_on", "受理日期", self.accepted_on, ctx);
        i.not_future("applied_on", "申请日期", self.applied_on, ctx);
        i.not_future("occurred_on", "发生时间", self.occurred_on, ctx);
        i.not_future("closed_on", "结案日期", self.closed_on, ctx);
        i.not_future("archived_on", "归档日期", self.archived_on, ctx);
        i.date_order(("applied_on", "申请日期", self.applied_on), ("accepted_on", "受理日期", self.accepted_on));
        i.date_order(("accepted_on", "受理日期", self.accepted_on), ("closed_on", "结案日期", self.closed_on));
        i.date_order(("closed_on", "结案日期", self.closed_on), ("archived_on", "归档日期", self.archived_on));
        for (n, label) in [
            (&self.prevented.suicide, "防止民间纠纷引起自杀"),
            (&self.prevented.criminal, "防止民间纠纷转化为刑事案件"),
            (&self.prevented.group_petition, "防止群体性上访"),
            (&self.prevented.group_fight, "防止群体性械斗"),
        ] {
            if n.cases < 0 || n.persons < 0 {
                i.error("prevented", label, "件数和人数不能为负数");
            }
        }
        if self.meta.draft {
            return;
        }
        // Required once the case leaves 登记中 (§2.2).
        if self.is_accepted() {
            i.required_text("case_no", "编号", &self.case_no);
            i.required("committee_id", "调委会", &self.committee_id);
            i.required("accepted_on", "受理日期", &self.accepted_on);
            i.required("source", "案件来源", &self.source);
            i.required("dispute_type", "纠纷类型", &self.dispute_type);
            i.required_text("title", "案由/纠纷名称", &self.title);
            i.required_text("summary", "纠纷简要情况", &self.summary);
            i.required("lead_mediator_id", "主调解员", &self.lead_mediator_id);
        }
        if self.source == Some(CaseSource::Referral) {
            i.required("referral_type", "委托移送单位类别", &self.referral_type);
            i.required_text("referral_org", "委托移送单位", &self.referral_org);
        }
        // 第二十五条: a dispute that may turn criminal is reported.
        if self.escalation_risk == Some(EscalationRisk::High) {
            i.required_text("escalation_reported_to", "已报告公安/有关部门", &self.escalation_reported_to);
            i.required("escalation_reported_on", "报告日期", &self.escalation_reported_on);
        }
        if matches!(self.status, CaseStatus::Rejected | CaseStatus::Withdrawn) {
            i.required_text("status_reason", "不予受理/撤回原因", &self.status_reason);
        }
        if matches!(self.status, CaseStatus::Closed | CaseStatus::Archived) {
            i.required("result", "调解结果", &self.result);
            i.required("closed_on", "结案日期", &self.closed_on);
        }
        if self.result == Some(MediationResult::Success) {
            i.required("agreement_form", "协议形式", &self.agreement_form);
        }
        // 第二十六条: a failed mediation tells the parties the other routes.
        if self.result == Some(MediationResult::Failed) || self.status == CaseStatus::Terminated {
            i.required_text("failure_reason", "终止/不成功原因", &self.failure_reason);
            i.required_list("alternatives_told", "告知的其他途径", &self.alternatives_told);
        }
        if self.status == CaseStatus::Archived {
            i.required("archived_on", "归档日期", &self.archived_on);
            i.required_text("archived_by", "立卷人", &self.archived_by);
            i.required("retention", "保管期限", &self.retention);
        }
        if self.extension_consent {
            i.required("extension_consent_on", "同意延长调解日期", &self.extension_consent_on);
        }
    }
}

/// A party of a case: a person or a unit, with the case-specific facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CaseParty {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub entity_id: Option<Uuid>,
    pub role: Option<PartyRole>,
    /// 甲 / 乙 / 丙 … as the agreement names the sides.
    pub side: Option<String>,
    pub agent_person_id: Option<Uuid>,
    /// 授权委托书 scope.
    pub agent_authority: Option<String>,
    pub rights_notice_given_on: Option<NaiveDate>,
    pub id_copy_attached: bool,
}

impl Record for CaseParty {
    const KIND: Kind = Kind::CaseParty;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.case_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("side", "甲乙方", &self.side);
        i.text("agent_authority", "委托权限", &self.agent_authority);
        i.not_future("rights_notice_given_on", "权利义务告知日期", self.rights_notice_given_on, ctx);
        if self.person_id.is_some() && self.entity_id.is_some() {
            i.error("entity_id", "当事单位", "当事人只能是个人或单位之一");
        }
        if !self.meta.draft {
            i.required("case_id", "案件", &self.case_id);
            i.required("role", "当事人角色", &self.role);
            if self.person_id.is_none() && self.entity_id.is_none() {
                i.error("person_id", "当事人", "必须填写当事人（个人或单位）");
            }
        }
    }
}

/// 人民调解调查记录.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct InvestigationRecord {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub interviewee_person_id: Option<Uuid>,
    pub interviewee_relation: Option<IntervieweeRelation>,
    pub attendees: Option<String>,
    pub investigator_ids: Vec<Uuid>,
    pub recorder_id: Option<Uuid>,
    pub content: Option<String>,
    /// Read back to or shown to the interviewee before signing.
    pub read_back: bool,
    pub signed_by_interviewee: Option<SignatureStatus>,
    pub refusal_reason: Option<String>,
}

impl Record for InvestigationRecord {
    const KIND: Kind = Kind::InvestigationRecord;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.case_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("place", "地点", &self.place);
        i.line("attendees", "参加人", &self.attendees);
        i.text("content", "记录内容", &self.content);
        i.line("refusal_reason", "拒签原因", &self.refusal_reason);
        i.not_future_time("started_at", "开始时间", self.started_at, ctx);
        i.time_order(("开始时间", self.started_at), ("ended_at", "结束时间", self.ended_at));
        if !self.meta.draft {
            i.required("case_id", "案件", &self.case_id);
            i.required("started_at", "开始时间", &self.started_at);
            i.required_text("place", "地点", &self.place);
            i.required("interviewee_person_id", "被调查人", &self.interviewee_person_id);
            i.required_list("investigator_ids", "调查人", &self.investigator_ids);
            i.required("recorder_id", "记录人", &self.recorder_id);
            i.required_text("content", "记录内容", &self.content);
            if !self.read_back {
                i.error("read_back", "已宣读/核对", "记录须向被调查人宣读或交其阅看后才能定稿");
            }
            if self.signed_by_interviewee == Some(SignatureStatus::Refused) {
                i.required_text("refusal_reason", "拒签原因", &self.refusal_reason);
            }
        }
    }
}

/// A person the committee invited to help (第二十条).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Invitee {
    pub name: Option<String>,
    pub unit: Option<String>,
    pub relation: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PartySignature {
    /// The `case_party` id.
    pub party_id: Option<Uuid>,
    pub status: Option<SignatureStatus>,
}

/// 人民调解记录 — one mediation session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct MediationSession {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_id: Option<Uuid>,
    pub seq: Option<i64>,
    pub held_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub subject: Option<String>,
    /// `case_party` ids of the parties present.
    pub present_party_ids: Vec<Uuid>,
    pub invitees: Vec<Invitee>,
    pub mediator_ids: Vec<Uuid>,
    pub recorder_id: Option<Uuid>,
    pub rights_notice_given: bool,
    pub public: bool,
    pub content: Option<String>,
    pub session_outcome: Option<SessionOutcome>,
    pub signatures: Vec<PartySignature>,
}

impl Record for MediationSession {
    const KIND: Kind = Kind::MediationSession;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.case_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("place", "地点", &self.place);
        i.line("subject", "事由", &self.subject);
        i.text("content", "记录", &self.content);
        i.not_future_time("held_at", "时间", self.held_at, ctx);
        for (n, inv) in self.invitees.iter().enumerate() {
            i.nested(&format!("invitees[{n}]"), |i| {
                i.name("name", "参加人姓名", &inv.name, false);
                i.line("unit", "参加人单位", &inv.unit);
                i.line("relation", "与当事人关系", &inv.relation);
                i.line("reason", "邀请事由", &inv.reason);
            });
        }
        if let Some(seq) = self.seq {
            if seq < 1 {
                i.error("seq", "次序", "应从1开始");
            }
        }
        if !self.meta.draft {
            i.required("case_id", "案件", &self.case_id);
            i.required("seq", "次序", &self.seq);
            i.required("held_at", "时间", &self.held_at);
            i.required_text("place", "地点", &self.place);
            i.required_text("subject", "事由", &self.subject);
            i.required_list("present_party_ids", "到场当事人", &self.present_party_ids);
            i.required_list("mediator_ids", "调解员", &self.mediator_ids);
            i.required("recorder_id", "记录人", &self.recorder_id);
            i.required_text("content", "记录", &self.content);
            i.required("session_outcome", "本次结果", &self.session_outcome);
            // 第二十三、二十四条: the first session must show the notice was given.
            if self.seq == Some(1) && !self.rights_notice_given {
                i.error("rights_notice_given", "已告知权利义务", "第一次调解前须告知当事人权利义务");
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct SignatureChecklist {
    pub parties: Vec<PartySignature>,
    pub mediator_signed: bool,
    pub seal_applied: bool,
}

impl SignatureChecklist {
    /// 第二十九条: effective once every party has signed, sealed or fingerprinted, the mediator
    /// signed and the committee seal is applied.
    pub fn is_complete(&self) -> bool {
        self.mediator_signed
            && self.seal_applied
            && !self.parties.is_empty()
            && self.parties.iter().all(|p| matches!(p.status, Some(s) if s != SignatureStatus::Refused))
    }
}

/// 人民调解协议书 / 口头协议.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Agreement {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_id: Option<Uuid>,
    pub form: Option<AgreementForm>,
    pub agreement_no: Option<String>,
    pub facts: Option<String>,
    pub terms: Vec<String>,
    pub performance_method: Option<String>,
    pub performance_due_on: Option<NaiveDate>,
    pub copies: Option<i64>,
    /// The day the last signature/seal was applied: the effective date of a written agreement.
    pub signed_on: Option<NaiveDate>,
    pub signature_checklist: SignatureChecklist,
    pub oral_registered_on: Option<NaiveDate>,
    pub registrar_id: Option<Uuid>,
    pub performance_status: Option<PerformanceStatus>,
    pub jc_status: Option<JcStatus>,
    pub jc_applied_on: Option<NaiveDate>,
    pub jc_court: Option<String>,
    pub jc_case_no: Option<String>,
    pub jc_result: Option<JcResult>,
    pub supersedes_agreement_id: Option<Uuid>,
}

/// Days after the effective date within which 司法确认 may be applied for (第三十三条).
pub const JC_WINDOW_DAYS: u64 = 30;

impl Agreement {
    /// 第二十九、三十条: written → the signing day; oral → the day it was reached.
    pub fn effective_on(&self) -> Option<NaiveDate> {
        match self.form {
            Some(AgreementForm::Oral) => self.oral_registered_on,
            _ => self.signed_on,
        }
    }
    /// Last day to apply jointly for judicial confirmation.
    pub fn jc_deadline(&self) -> Option<NaiveDate> {
        self.effective_on().and_then(|d| d.checked_add_days(chrono::Days::new(JC_WINDOW_DAYS)))
    }
}

impl Record for Agreement {
    const KIND: Kind = Kind::Agreement;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.case_id
    }
    fn normalize(&mut self, _ctx: &Ctx) {
        self.terms.retain(|t| !t.trim().is_empty());
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("agreement_no", "协议编号", &self.agreement_no);
        i.text("facts", "纠纷主要事实、争议事项及责任", &self.facts);
        i.lines("terms", "协议条款", &self.terms);
        i.text("performance_method", "履行方式", &self.performance_method);
        i.line("jc_court", "司法确认法院", &self.jc_court);
        i.line("jc_case_no", "司法确认案号", &self.jc_case_no);
        i.not_future("signed_on", "签署日期", self.signed_on, ctx);
        i.not_future("oral_registered_on", "口头协议登记日期", self.oral_registered_on, ctx);
        i.not_future("jc_applied_on", "司法确认申请日期", self.jc_applied_on, ctx);
        i.date_order(("signed_on", "签署日期", self.signed_on), ("performance_due_on", "履行期限", self.performance_due_on));
        if let Some(c) = self.copies {
            if !(1..=20).contains(&c) {
                i.error("copies", "份数", "份数应在1到20之间");
            }
        }
        if let (Some(applied), Some(deadline)) = (self.jc_applied_on, self.jc_deadline()) {
            if applied > deadline {
                i.error("jc_applied_on", "司法确认申请日期", format!("已超过协议生效后30日的申请期限（{}）", crate::validate::cn_date(deadline)));
            }
        }
        if self.meta.draft {
            return;
        }
        i.required("case_id", "案件", &self.case_id);
        i.required("form", "协议形式", &self.form);
        i.required_text("agreement_no", "协议编号", &self.agreement_no);
        i.required_text("facts", "纠纷主要事实、争议事项及责任", &self.facts);
        i.required_list("terms", "协议条款", &self.terms);
        i.required_text("performance_method", "履行方式", &self.performance_method);
        i.required("performance_status", "履行情况", &self.performance_status);
        match self.form {
            Some(AgreementForm::Written) => {
                i.required("copies", "份数", &self.copies);
                i.required("signed_on", "签署日期", &self.signed_on);
                if !self.signature_checklist.is_complete() {
                    i.error("signature_checklist", "签署清单", "书面协议须各方当事人签名盖章或按指印、调解员签名并加盖调委会印章后方可生效");
                }
            }
            Some(AgreementForm::Oral) => {
                i.required("oral_registered_on", "口头协议登记日期", &self.oral_registered_on);
                i.required("registrar_id", "登记人", &self.registrar_id);
            }
            None => {}
        }
        if matches!(self.jc_status, Some(JcStatus::Applied | JcStatus::Decided)) {
            i.required("jc_applied_on", "司法确认申请日期", &self.jc_applied_on);
            i.required_text("jc_court", "司法确认法院", &self.jc_court);
        }
        if self.jc_status == Some(JcStatus::Decided) {
            i.required("jc_result", "司法确认结果", &self.jc_result);
        }
    }
}

/// 人民调解回访记录.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReturnVisit {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_id: Option<Uuid>,
    pub agreement_no: Option<String>,
    pub visited_person_id: Option<Uuid>,
    /// 回访事由; defaults to the case title.
    pub reason: Option<String>,
    pub visited_at: Option<DateTime<Utc>>,
    pub method: Option<ReturnVisitMethod>,
    /// 回访情况.
    pub content: Option<String>,
    pub performance_status_observed: Option<PerformanceStatus>,
    pub satisfaction: Option<Satisfaction>,
    pub risk_found: bool,
    pub measures: Option<String>,
    pub visitor_ids: Vec<Uuid>,
}

impl Record for ReturnVisit {
    const KIND: Kind = Kind::ReturnVisit;
    record_meta!();
    fn parent_id(&self) -> Option<Uuid> {
        self.case_id
    }
    fn validate(&self, ctx: &Ctx, i: &mut Issues) {
        i.line("agreement_no", "调解协议编号", &self.agreement_no);
        i.line("reason", "回访事由", &self.reason);
        i.text("content", "回访情况", &self.content);
        i.text("measures", "采取的措施", &self.measures);
        i.not_future_time("visited_at", "回访时间", self.visited_at, ctx);
        if !self.meta.draft {
            i.required("case_id", "案件", &self.case_id);
            i.required("visited_person_id", "回访对象", &self.visited_person_id);
            i.required("visited_at", "回访时间", &self.visited_at);
            i.required("method", "回访方式", &self.method);
            i.required_text("content", "回访情况", &self.content);
            i.required("performance_status_observed", "履行情况", &self.performance_status_observed);
            i.required_list("visitor_ids", "回访人", &self.visitor_ids);
            if self.risk_found {
                i.required_text("measures", "采取的措施", &self.measures);
            }
        }
    }
}
