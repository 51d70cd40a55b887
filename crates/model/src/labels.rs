//! Every record field's Chinese name, and a record's values as a clerk reads them: codes
//! through their code list's label, 是/否 for yes-no fields, dates as written, lists joined
//! with “、”. Used where a record is shown field by field outside its form (the 同步 page's
//! changes the county refused).
//!
//! The names are domain.md's (§2) where it gives one, else the form's. A field added to a
//! record without a name here fails `every_field_of_every_kind_has_a_label`.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::codes::*;
use crate::meta::Kind;

/// The Chinese name of a field of a record of `kind`; `None` for a field the record does not
/// have.
pub fn field_label(kind: Kind, field: &str) -> Option<&'static str> {
    common_label(field).or_else(|| own_label(kind, field))
}

/// The bookkeeping every record carries (`Meta`).
fn common_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "id" => "记录编号",
        "org_id" => "所属司法所",
        "created_at" => "创建时间",
        "updated_at" => "修改时间",
        "created_by" => "创建人",
        "version" => "版本",
        "deleted" => "已删除",
        "draft" => "草稿",
        _ => return None,
    })
}

fn own_label(kind: Kind, field: &str) -> Option<&'static str> {
    use Kind as K;
    Some(match (kind, field) {
        (K::Organization, "name") => "名称",
        (K::Organization, "org_type") => "机构类别",
        (K::Organization, "committee_type") => "调委会类别",
        (K::Organization, "division_code") => "行政区划代码",
        (K::Organization, "number_prefix") => "编号代字",
        (K::Organization, "parent_id") => "上级机构",

        (K::Mediator, "name") => "姓名",
        (K::Mediator, "gender") => "性别",
        (K::Mediator, "id_number") => "公民身份号码",
        (K::Mediator, "phone") => "联系方式",
        (K::Mediator, "committee_id") => "所属调委会",
        (K::Mediator, "role") => "职务",
        (K::Mediator, "full_time") => "专职",

        (K::Person, "name") => "姓名",
        (K::Person, "alias") => "曾用名/别名",
        (K::Person, "id_type") => "证件类型",
        (K::Person, "id_number") => "公民身份号码",
        (K::Person, "gender") => "性别",
        (K::Person, "birth_date") => "出生日期",
        (K::Person, "ethnicity") => "民族",
        (K::Person, "education") => "文化程度",
        (K::Person, "marital_status") => "婚姻状况",
        (K::Person, "occupation") => "职业或职务",
        (K::Person, "phone") => "联系方式",
        (K::Person, "hukou_division_code") => "户籍地区划代码",
        (K::Person, "hukou_address") => "户籍地址",
        (K::Person, "residence_division_code") => "现住址区划代码",
        (K::Person, "residence_address") => "现住址",
        (K::Person, "population_type") => "人口类型",
        (K::Person, "note") => "备注",

        (K::LegalEntity, "name") => "名称",
        (K::LegalEntity, "uscc") => "统一社会信用代码",
        (K::LegalEntity, "legal_rep") => "法定代表人",
        (K::LegalEntity, "address") => "地址",
        (K::LegalEntity, "phone") => "联系方式",

        (K::DisputeCase, "case_no") => "编号",
        (K::DisputeCase, "committee_id") => "调委会",
        (K::DisputeCase, "accepted_on") => "受理日期",
        (K::DisputeCase, "applied_on") => "申请日期",
        (K::DisputeCase, "source") => "案件来源",
        (K::DisputeCase, "referral_type") => "委托移送单位类别",
        (K::DisputeCase, "referral_org") => "委托移送单位",
        (K::DisputeCase, "dispute_type") => "纠纷类型",
        (K::DisputeCase, "title") => "案由/纠纷名称",
        (K::DisputeCase, "summary") => "纠纷简要情况",
        (K::DisputeCase, "requests") => "申请事项",
        (K::DisputeCase, "occurred_on") => "发生时间",
        (K::DisputeCase, "occurred_place") => "发生地点",
        (K::DisputeCase, "party_count") => "涉及当事人数",
        (K::DisputeCase, "amount_cents") => "涉及金额",
        (K::DisputeCase, "is_difficult") => "疑难复杂",
        (K::DisputeCase, "is_group") => "群体性",
        (K::DisputeCase, "escalation_risk") => "激化风险",
        (K::DisputeCase, "escalation_reported_to") => "已报告公安/有关部门",
        (K::DisputeCase, "escalation_reported_on") => "报告日期",
        (K::DisputeCase, "lead_mediator_id") => "主调解员",
        (K::DisputeCase, "mediator_ids") => "参与调解员",
        (K::DisputeCase, "mediator_chosen_by_party") => "当事人选择调解员",
        (K::DisputeCase, "status") => "状态",
        (K::DisputeCase, "status_reason") => "不予受理/撤回原因",
        (K::DisputeCase, "result") => "调解结果",
        (K::DisputeCase, "agreement_form") => "协议形式",
        (K::DisputeCase, "closed_on") => "结案日期",
        (K::DisputeCase, "failure_reason") => "终止/不成功原因",
        (K::DisputeCase, "alternatives_told") => "告知的其他途径",
        (K::DisputeCase, "prevented") => "预防激化",
        (K::DisputeCase, "extension_consent") => "双方当事人同意延长调解",
        (K::DisputeCase, "extension_consent_on") => "同意延长调解日期",
        (K::DisputeCase, "screening_item_id") => "排查来源",
        (K::DisputeCase, "archived_on") => "归档日期",
        (K::DisputeCase, "archived_by") => "立卷人",
        (K::DisputeCase, "retention") => "保管期限",
        (K::DisputeCase, "page_count") => "卷内页数",
        (K::DisputeCase, "volume_name") => "卷名",

        (K::CaseParty, "case_id") => "案件",
        (K::CaseParty, "person_id") => "当事人（个人）",
        (K::CaseParty, "entity_id") => "当事人（单位）",
        (K::CaseParty, "role") => "当事人角色",
        (K::CaseParty, "side") => "甲乙方",
        (K::CaseParty, "agent_person_id") => "委托代理人",
        (K::CaseParty, "agent_authority") => "委托权限",
        (K::CaseParty, "rights_notice_given_on") => "权利义务告知日期",
        (K::CaseParty, "id_copy_attached") => "已附身份证明复印件",

        (K::InvestigationRecord, "case_id") => "案件",
        (K::InvestigationRecord, "started_at") => "开始时间",
        (K::InvestigationRecord, "ended_at") => "结束时间",
        (K::InvestigationRecord, "place") => "地点",
        (K::InvestigationRecord, "interviewee_person_id") => "被调查人",
        (K::InvestigationRecord, "interviewee_relation") => "与本案关系",
        (K::InvestigationRecord, "attendees") => "参加人",
        (K::InvestigationRecord, "investigator_ids") => "调查人",
        (K::InvestigationRecord, "recorder_id") => "记录人",
        (K::InvestigationRecord, "content") => "记录内容",
        (K::InvestigationRecord, "read_back") => "已宣读/核对",
        (K::InvestigationRecord, "signed_by_interviewee") => "签名情况",
        (K::InvestigationRecord, "refusal_reason") => "拒签原因",

        (K::MediationSession, "case_id") => "案件",
        (K::MediationSession, "seq") => "次序",
        (K::MediationSession, "held_at") => "时间",
        (K::MediationSession, "place") => "地点",
        (K::MediationSession, "subject") => "事由",
        (K::MediationSession, "present_party_ids") => "到场当事人",
        (K::MediationSession, "invitees") => "参加人（受邀）",
        (K::MediationSession, "mediator_ids") => "调解员",
        (K::MediationSession, "recorder_id") => "记录人",
        (K::MediationSession, "rights_notice_given") => "已告知权利义务",
        (K::MediationSession, "public") => "公开调解",
        (K::MediationSession, "content") => "记录",
        (K::MediationSession, "session_outcome") => "本次结果",
        (K::MediationSession, "signatures") => "当事人签名",

        (K::Agreement, "case_id") => "案件",
        (K::Agreement, "form") => "协议形式",
        (K::Agreement, "agreement_no") => "协议编号",
        (K::Agreement, "facts") => "纠纷主要事实、争议事项及责任",
        (K::Agreement, "terms") => "协议条款",
        (K::Agreement, "performance_method") => "履行方式",
        (K::Agreement, "performance_due_on") => "履行期限",
        (K::Agreement, "copies") => "份数",
        (K::Agreement, "signed_on") => "签署日期",
        (K::Agreement, "signature_checklist") => "签署清单",
        (K::Agreement, "oral_registered_on") => "口头协议登记日期",
        (K::Agreement, "registrar_id") => "登记人",
        (K::Agreement, "performance_status") => "履行情况",
        (K::Agreement, "jc_status") => "司法确认状态",
        (K::Agreement, "jc_applied_on") => "司法确认申请日期",
        (K::Agreement, "jc_court") => "司法确认法院",
        (K::Agreement, "jc_case_no") => "司法确认案号",
        (K::Agreement, "jc_result") => "司法确认结果",
        (K::Agreement, "supersedes_agreement_id") => "重新调解前的协议",

        (K::ReturnVisit, "case_id") => "案件",
        (K::ReturnVisit, "agreement_no") => "调解协议编号",
        (K::ReturnVisit, "visited_person_id") => "回访对象",
        (K::ReturnVisit, "reason") => "回访事由",
        (K::ReturnVisit, "visited_at") => "回访时间",
        (K::ReturnVisit, "method") => "回访方式",
        (K::ReturnVisit, "content") => "回访情况",
        (K::ReturnVisit, "performance_status_observed") => "履行情况",
        (K::ReturnVisit, "satisfaction") => "满意度",
        (K::ReturnVisit, "risk_found") => "发现激化风险或错误调解迹象",
        (K::ReturnVisit, "measures") => "采取的措施",
        (K::ReturnVisit, "visitor_ids") => "回访人",

        (K::ScreeningRound, "unit_org_id") => "排查单位",
        (K::ScreeningRound, "unit_division_code") => "排查单位区划代码",
        (K::ScreeningRound, "unit_name") => "排查单位名称",
        (K::ScreeningRound, "period_type") => "周期类型",
        (K::ScreeningRound, "period_start") => "周期开始",
        (K::ScreeningRound, "period_end") => "周期结束",
        (K::ScreeningRound, "screened_on") => "排查日期",
        (K::ScreeningRound, "screener_ids") => "排查人（工作人员）",
        (K::ScreeningRound, "screener_names") => "排查人",
        (K::ScreeningRound, "method") => "排查方式",
        (K::ScreeningRound, "found_count") => "发现数",
        (K::ScreeningRound, "zero_report") => "零报告",
        (K::ScreeningRound, "statement") => "说明",
        (K::ScreeningRound, "approved_by") => "负责人签字",
        (K::ScreeningRound, "approved_on") => "负责人签字日期",
        (K::ScreeningRound, "submitted_to") => "报送单位",
        (K::ScreeningRound, "submitted_on") => "报送日期",

        (K::ScreeningItem, "round_id") => "所属排查",
        (K::ScreeningItem, "found_on") => "发现日期",
        (K::ScreeningItem, "place") => "发现地点",
        (K::ScreeningItem, "party_summary") => "当事人",
        (K::ScreeningItem, "party_person_ids") => "当事人（已登记人员）",
        (K::ScreeningItem, "dispute_type") => "纠纷类型",
        (K::ScreeningItem, "people_involved") => "涉及人数",
        (K::ScreeningItem, "summary") => "纠纷简要情况",
        (K::ScreeningItem, "risk_level") => "风险等级",
        (K::ScreeningItem, "disposition") => "处置措施",
        (K::ScreeningItem, "responsible_person") => "责任人",
        (K::ScreeningItem, "deadline") => "化解时限",
        (K::ScreeningItem, "status") => "化解状态",
        (K::ScreeningItem, "resolved_on") => "化解日期",
        (K::ScreeningItem, "case_id") => "调解案件",

        (K::FieldVisit, "subject_type") => "走访对象类别",
        (K::FieldVisit, "subject_id") => "走访对象（已登记）",
        (K::FieldVisit, "subject_name") => "走访对象",
        (K::FieldVisit, "visited_at") => "走访时间",
        (K::FieldVisit, "place") => "地点",
        (K::FieldVisit, "visitor_ids") => "走访人",
        (K::FieldVisit, "method") => "走访方式",
        (K::FieldVisit, "content") => "走访内容",
        (K::FieldVisit, "findings") => "发现问题",
        (K::FieldVisit, "follow_up") => "后续措施",
        (K::FieldVisit, "anomaly") => "发现异常",

        (K::ReleasedPerson, "person_id") => "人员",
        (K::ReleasedPerson, "is_recidivist") => "是否累犯",
        (K::ReleasedPerson, "crime_name") => "原罪名",
        (K::ReleasedPerson, "crime_category") => "罪名类别",
        (K::ReleasedPerson, "sentence_term") => "原判刑期",
        (K::ReleasedPerson, "sentence_months") => "刑期（月）",
        (K::ReleasedPerson, "supplementary_penalty") => "附加刑",
        (K::ReleasedPerson, "prison_name") => "服刑场所",
        (K::ReleasedPerson, "prison_type") => "服刑场所类型",
        (K::ReleasedPerson, "released_on") => "释放日期",
        (K::ReleasedPerson, "release_type") => "释放类型",
        (K::ReleasedPerson, "assessment_type") => "危险性评估类型",
        (K::ReleasedPerson, "notice_received_on") => "收到通知书日期",
        (K::ReleasedPerson, "notice_from") => "通知书来源",
        (K::ReleasedPerson, "receipt_returned_on") => "回执寄回日期",
        (K::ReleasedPerson, "handover_on") => "衔接日期",
        (K::ReleasedPerson, "handover_method") => "衔接情况",
        (K::ReleasedPerson, "handover_status") => "衔接状态",
        (K::ReleasedPerson, "handover_fail_reason") => "未衔接原因",
        (K::ReleasedPerson, "must_escort") => "必接必送",
        (K::ReleasedPerson, "police_registration_on") => "户籍报到日期",
        (K::ReleasedPerson, "resettled_on") => "安置日期",
        (K::ReleasedPerson, "resettlement_method") => "安置情况",
        (K::ReleasedPerson, "unresettled_reason") => "未安置原因",
        (K::ReleasedPerson, "assistance") => "救助帮扶",
        (K::ReleasedPerson, "help_period_start") => "帮教期开始",
        (K::ReleasedPerson, "help_period_end") => "帮教期结束",
        (K::ReleasedPerson, "help_status") => "帮教状态",
        (K::ReleasedPerson, "help_summary") => "帮教情况",
        (K::ReleasedPerson, "help_released_on") => "解除帮教日期",
        (K::ReleasedPerson, "police_key_control") => "公安重点管控",
        (K::ReleasedPerson, "dual_registration") => "人户分离/双列管",
        (K::ReleasedPerson, "registered_division_codes") => "列管地",
        (K::ReleasedPerson, "reoffended") => "是否重新犯罪",
        (K::ReleasedPerson, "reoffense_crime") => "重新犯罪罪名",
        (K::ReleasedPerson, "reoffense_on") => "重新犯罪日期",
        (K::ReleasedPerson, "flags") => "特殊标识",

        (K::HelpGroup, "released_person_id") => "帮教对象",
        (K::HelpGroup, "formed_on") => "成立日期",
        (K::HelpGroup, "agreement_signed_on") => "帮教协议签订日期",
        (K::HelpGroup, "members") => "小组成员",

        (K::HelpVisit, "released_person_id") => "帮教对象",
        (K::HelpVisit, "visited_at") => "帮教时间",
        (K::HelpVisit, "place") => "地点",
        (K::HelpVisit, "visitor_ids") => "帮教人（工作人员）",
        (K::HelpVisit, "visitor_names") => "帮教人",
        (K::HelpVisit, "visit_type") => "帮教方式",
        (K::HelpVisit, "topics") => "帮教内容",
        (K::HelpVisit, "content") => "帮教情况",
        (K::HelpVisit, "problems") => "存在问题",
        (K::HelpVisit, "help_given") => "帮扶措施",
        (K::HelpVisit, "next_plan_on") => "下次帮教日期",
        (K::HelpVisit, "anomaly") => "发现异常",
        (K::HelpVisit, "anomaly_note") => "异常情况",

        (K::AssessmentChange, "released_person_id") => "帮教对象",
        (K::AssessmentChange, "from") => "变更前类型",
        (K::AssessmentChange, "to") => "变更后类型",
        (K::AssessmentChange, "changed_on") => "变更日期",
        (K::AssessmentChange, "reason") => "变更理由",
        (K::AssessmentChange, "approved_by") => "审批人",

        (K::HandoverEvent, "released_person_id") => "帮教对象",
        (K::HandoverEvent, "event") => "环节",
        (K::HandoverEvent, "on") => "日期",
        (K::HandoverEvent, "by") => "经办人",
        (K::HandoverEvent, "note") => "备注",

        _ => return None,
    })
}

/// Finds a code's label in one code list.
type CodeLabel = fn(&str) -> Option<&'static str>;

macro_rules! list {
    ($t:ty) => {
        (|code: &str| <$t>::from_code(code).map(<$t>::label)) as CodeLabel
    };
}

/// The code list of a code field (or of a list of codes).
fn code_list(kind: Kind, field: &str) -> Option<CodeLabel> {
    use Kind as K;
    Some(match (kind, field) {
        (K::Organization, "org_type") => list!(OrgType),
        (K::Organization, "committee_type") => list!(CommitteeType),
        (K::Mediator | K::Person, "gender") => list!(Gender),
        (K::Mediator, "role") => list!(MediatorRole),
        (K::Person, "id_type") => list!(IdType),
        (K::Person, "ethnicity") => list!(Ethnicity),
        (K::Person, "education") => list!(Education),
        (K::Person, "marital_status") => list!(MaritalStatus),
        (K::Person, "population_type") => list!(PopulationType),
        (K::DisputeCase, "source") => list!(CaseSource),
        (K::DisputeCase, "referral_type") => list!(ReferralType),
        (K::DisputeCase | K::ScreeningItem, "dispute_type") => list!(DisputeType),
        (K::DisputeCase, "escalation_risk") => list!(EscalationRisk),
        (K::DisputeCase, "status") => list!(CaseStatus),
        (K::DisputeCase, "result") => list!(MediationResult),
        (K::DisputeCase, "agreement_form") | (K::Agreement, "form") => list!(AgreementForm),
        (K::DisputeCase, "alternatives_told") => list!(Alternative),
        (K::DisputeCase, "retention") => list!(Retention),
        (K::CaseParty, "role") => list!(PartyRole),
        (K::InvestigationRecord, "interviewee_relation") => list!(IntervieweeRelation),
        (K::InvestigationRecord, "signed_by_interviewee") => list!(SignatureStatus),
        (K::MediationSession, "session_outcome") => list!(SessionOutcome),
        (K::Agreement, "performance_status") | (K::ReturnVisit, "performance_status_observed") => list!(PerformanceStatus),
        (K::Agreement, "jc_status") => list!(JcStatus),
        (K::Agreement, "jc_result") => list!(JcResult),
        (K::ReturnVisit, "method") => list!(ReturnVisitMethod),
        (K::ReturnVisit, "satisfaction") => list!(Satisfaction),
        (K::ScreeningRound, "period_type") => list!(PeriodType),
        (K::ScreeningRound, "method") => list!(ScreeningMethod),
        (K::ScreeningItem, "risk_level") => list!(RiskLevel),
        (K::ScreeningItem, "disposition") => list!(Disposition),
        (K::ScreeningItem, "status") => list!(ItemStatus),
        (K::FieldVisit, "subject_type") => list!(VisitSubjectType),
        (K::FieldVisit, "method") => list!(FieldVisitMethod),
        (K::ReleasedPerson, "crime_category") => list!(CrimeCategory),
        (K::ReleasedPerson, "prison_type") => list!(PrisonType),
        (K::ReleasedPerson, "release_type") => list!(ReleaseType),
        (K::ReleasedPerson, "assessment_type") | (K::AssessmentChange, "from" | "to") => list!(AssessmentType),
        (K::ReleasedPerson, "handover_method") => list!(HandoverMethod),
        (K::ReleasedPerson, "handover_status") => list!(HandoverStatus),
        (K::ReleasedPerson, "resettlement_method") => list!(ResettlementMethod),
        (K::ReleasedPerson, "assistance") => list!(Assistance),
        (K::ReleasedPerson, "help_status") => list!(HelpStatus),
        (K::ReleasedPerson, "flags") => list!(PersonFlag),
        (K::HelpVisit, "visit_type") => list!(HelpVisitType),
        (K::HelpVisit, "topics") => list!(HelpTopic),
        (K::HandoverEvent, "event") => list!(HandoverEventKind),
        _ => return None,
    })
}

/// A field's value as a clerk reads it: a code as its label (纠纷类型 `"neighborhood"` →
/// 邻里纠纷), 是/否, nothing for an empty value, dates as written (YYYY-MM-DD), times in office
/// time (YYYY-MM-DD HH:MM, UTC+8), lists joined with “、”, money in 元, and the few nested
/// parts of a record (预防激化, 参加人, 签名, 小组成员) in a line. Ids of other records are
/// shown as they are; a code not in its list is shown as it is.
pub fn display_value(kind: Kind, field: &str, value: &Value) -> String {
    use Kind as K;
    match (kind, field, value) {
        (K::DisputeCase, "amount_cents", Value::Number(n)) => n.as_i64().map(yuan).unwrap_or_else(|| n.to_string()),
        (K::DisputeCase, "prevented", Value::Object(o)) => prevented(o),
        (K::MediationSession, "invitees", Value::Array(a)) => join(a.iter().map(invitee)),
        (K::MediationSession, "signatures", Value::Array(a)) => signatures(a),
        (K::Agreement, "signature_checklist", Value::Object(o)) => checklist(o),
        (K::HelpGroup, "members", Value::Array(a)) => join(a.iter().map(member)),
        (K::MediationSession, "seq", Value::Number(n)) => format!("第{n}次"),
        (K::Agreement, "copies", Value::Number(n)) => format!("{n}份"),
        (K::DisputeCase, "page_count", Value::Number(n)) => format!("{n}页"),
        (K::DisputeCase, "party_count", Value::Number(n)) | (K::ScreeningItem, "people_involved", Value::Number(n)) => format!("{n}人"),
        (K::ReleasedPerson, "sentence_months", Value::Number(n)) => format!("{n}个月"),
        (K::ScreeningRound, "found_count", Value::Number(n)) => format!("{n}条"),
        _ => shown(value, code_list(kind, field)),
    }
}

/// A value of a record of an unknown kind: as [`display_value`] shows it, without code lists.
pub fn display_plain(value: &Value) -> String {
    shown(value, None)
}

fn shown(value: &Value, codes: Option<CodeLabel>) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => yes_no(*b).to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match codes.and_then(|c| c(s)) {
            Some(label) => label.to_string(),
            None => office_time(s).unwrap_or_else(|| s.clone()),
        },
        Value::Array(items) => join(items.iter().map(|v| shown(v, codes))),
        // No record has other nested parts today; keys as they are, rather than nothing.
        Value::Object(o) => {
            o.iter().map(|(k, v)| (k, shown(v, None))).filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}：{v}")).collect::<Vec<_>>().join("；")
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// The non-empty parts, joined with “、”.
fn join(parts: impl Iterator<Item = String>) -> String {
    parts.filter(|p| !p.is_empty()).collect::<Vec<_>>().join("、")
}

/// An RFC 3339 time (a record's `…_at`) in office time; `None` for anything else.
fn office_time(s: &str) -> Option<String> {
    if s.len() < 20 || !s.as_bytes().get(10).is_some_and(|c| *c == b'T' || *c == b't') {
        return None;
    }
    let t = DateTime::parse_from_rfc3339(s).ok()?;
    let office = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Some(t.with_timezone(&office).format("%Y-%m-%d %H:%M").to_string())
}

/// 分 → "1,234.50元".
fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let digits = (c / 100).to_string();
    let mut grouped = String::new();
    for (n, d) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("{sign}{grouped}.{:02}元", c % 100)
}

fn text<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn count(o: &Map<String, Value>, key: &str) -> i64 {
    o.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// 预防激化: the counts that are not zero, e.g. “防止民间纠纷引起自杀1件2人”.
fn prevented(o: &Map<String, Value>) -> String {
    const PARTS: [(&str, &str); 4] = [
        ("suicide", "防止民间纠纷引起自杀"),
        ("criminal", "防止民间纠纷转化为刑事案件"),
        ("group_petition", "防止群体性上访"),
        ("group_fight", "防止群体性械斗"),
    ];
    let parts: Vec<String> = PARTS
        .iter()
        .filter_map(|(key, label)| {
            let n = o.get(*key).and_then(Value::as_object)?;
            let (cases, persons) = (count(n, "cases"), count(n, "persons"));
            (cases != 0 || persons != 0).then(|| format!("{label}{cases}件{persons}人"))
        })
        .collect();
    if parts.is_empty() {
        "无".into()
    } else {
        parts.join("；")
    }
}

/// 参加人: “张三（东山村村委会，邻居，邀请事由：熟悉情况）”.
fn invitee(v: &Value) -> String {
    let Some(o) = v.as_object() else { return display_plain(v) };
    let mut about: Vec<String> = [text(o, "unit"), text(o, "relation")].into_iter().flatten().map(str::to_string).collect();
    if let Some(r) = text(o, "reason") {
        about.push(format!("邀请事由：{r}"));
    }
    with_details(text(o, "name").unwrap_or("（未填姓名）"), &about)
}

/// A party's signature: its status, or 未签名.
fn signature_status(v: &Value) -> &'static str {
    v.get("status").and_then(Value::as_str).and_then(SignatureStatus::from_code).map_or("未签名", SignatureStatus::label)
}

/// 当事人签名: “2方：已签名、拒签”.
fn signatures(parties: &[Value]) -> String {
    if parties.is_empty() {
        return String::new();
    }
    format!("{}方：{}", parties.len(), parties.iter().map(signature_status).collect::<Vec<_>>().join("、"))
}

/// 签署清单: “当事人2方：已签名、已签名并按指印；调解员已签名；已加盖调委会印章”.
fn checklist(o: &Map<String, Value>) -> String {
    let parties = o.get("parties").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let flag = |key: &str| o.get(key).and_then(Value::as_bool).unwrap_or(false);
    let parties = if parties.is_empty() { "当事人未签名".to_string() } else { format!("当事人{}", signatures(parties)) };
    let mediator = if flag("mediator_signed") { "调解员已签名" } else { "调解员未签名" };
    let seal = if flag("seal_applied") { "已加盖调委会印章" } else { "未加盖调委会印章" };
    format!("{parties}；{mediator}；{seal}")
}

/// 小组成员: “李四（组长，司法所工作人员，东山司法所，13800000000）”.
fn member(v: &Value) -> String {
    let Some(o) = v.as_object() else { return display_plain(v) };
    let mut about = Vec::new();
    if o.get("is_leader").and_then(Value::as_bool) == Some(true) {
        about.push("组长".to_string());
    }
    if let Some(role) = text(o, "role") {
        about.push(HelpGroupRole::from_code(role).map_or_else(|| role.to_string(), |r| r.label().to_string()));
    }
    about.extend([text(o, "org"), text(o, "phone")].into_iter().flatten().map(str::to_string));
    with_details(text(o, "name").unwrap_or("（未填姓名）"), &about)
}

fn with_details(name: &str, about: &[String]) -> String {
    if about.is_empty() {
        name.to_string()
    } else {
        format!("{name}（{}）", about.join("，"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use serde_json::json;

    /// A record of each kind as stored: every field of its struct is a key. The match has no
    /// catch-all, so a new kind must be added here.
    fn stored(kind: Kind) -> Value {
        fn v<T: serde::Serialize>(r: T) -> Value {
            serde_json::to_value(r).unwrap()
        }
        match kind {
            Kind::Organization => v(Organization::default()),
            Kind::Mediator => v(Mediator::default()),
            Kind::Person => v(Person::default()),
            Kind::LegalEntity => v(LegalEntity::default()),
            Kind::DisputeCase => v(DisputeCase::default()),
            Kind::CaseParty => v(CaseParty::default()),
            Kind::InvestigationRecord => v(InvestigationRecord::default()),
            Kind::MediationSession => v(MediationSession::default()),
            Kind::Agreement => v(Agreement::default()),
            Kind::ReturnVisit => v(ReturnVisit::default()),
            Kind::ScreeningRound => v(ScreeningRound::default()),
            Kind::ScreeningItem => v(ScreeningItem::default()),
            Kind::FieldVisit => v(FieldVisit::default()),
            Kind::ReleasedPerson => v(ReleasedPerson::default()),
            Kind::HelpGroup => v(HelpGroup::default()),
            Kind::HelpVisit => v(HelpVisit::default()),
            Kind::AssessmentChange => v(AssessmentChange::default()),
            Kind::HandoverEvent => v(HandoverEvent::default()),
        }
    }

    #[test]
    fn every_field_of_every_kind_has_a_label() {
        let mut missing = Vec::new();
        for &kind in Kind::ALL {
            let record = stored(kind);
            let fields = record.as_object().expect("a record is a JSON object");
            assert!(fields.len() > 8, "{kind:?} has fields of its own besides the bookkeeping");
            for (field, value) in fields {
                match field_label(kind, field) {
                    Some(label) => assert!(!label.is_empty() && !label.is_ascii(), "{kind:?}.{field}: {label}"),
                    None => missing.push(format!("{}.{field}", kind.code())),
                }
                // Every value of a default record reads without raw names or JSON.
                let shown = display_value(kind, field, value);
                assert!(!shown.contains('{') && !shown.contains('"'), "{kind:?}.{field}: {shown}");
            }
        }
        assert!(missing.is_empty(), "fields without a Chinese label in labels.rs: {missing:?}");
    }

    #[test]
    fn labels_are_unique_within_a_kind() {
        for &kind in Kind::ALL {
            let record = stored(kind);
            let mut seen = std::collections::HashMap::new();
            for field in record.as_object().unwrap().keys() {
                let label = field_label(kind, field).unwrap_or_default();
                if let Some(other) = seen.insert(label, field.clone()) {
                    panic!("{kind:?}: {other} and {field} are both called {label}");
                }
            }
        }
    }

    #[test]
    fn no_label_for_a_field_the_record_lacks() {
        assert_eq!(field_label(Kind::DisputeCase, "accepted_on"), Some("受理日期"));
        assert_eq!(field_label(Kind::Person, "accepted_on"), None);
        assert_eq!(field_label(Kind::Person, "version"), Some("版本"));
    }

    #[test]
    fn codes_read_as_their_labels() {
        assert_eq!(display_value(Kind::DisputeCase, "dispute_type", &json!("neighborhood")), "邻里纠纷");
        assert_eq!(display_value(Kind::ScreeningItem, "dispute_type", &json!("housing_homestead")), "房屋宅基地纠纷");
        assert_eq!(display_value(Kind::ReleasedPerson, "handover_method", &json!("03")), "司法所接回");
        assert_eq!(display_value(Kind::Person, "ethnicity", &json!("03")), "回族");
        assert_eq!(display_value(Kind::Person, "gender", &json!("2")), "女");
        assert_eq!(display_value(Kind::AssessmentChange, "to", &json!("01")), "重点帮教人员");
        // A code not in its list, and a code-like text of a free-text field, stay as they are.
        assert_eq!(display_value(Kind::DisputeCase, "dispute_type", &json!("quarrel")), "quarrel");
        assert_eq!(display_value(Kind::DisputeCase, "case_no", &json!("03")), "03");
    }

    #[test]
    fn yes_no_and_empty() {
        assert_eq!(display_value(Kind::DisputeCase, "is_difficult", &json!(true)), "是");
        assert_eq!(display_value(Kind::ReleasedPerson, "is_recidivist", &json!(false)), "否");
        assert_eq!(display_value(Kind::ReleasedPerson, "reoffended", &Value::Null), "");
        assert_eq!(display_value(Kind::DisputeCase, "requests", &json!([])), "");
    }

    #[test]
    fn lists_are_joined() {
        let told = json!(["litigation", "arbitration"]);
        assert_eq!(display_value(Kind::DisputeCase, "alternatives_told", &told), "诉讼、仲裁");
        let flags = json!(["three_no", "drug"]);
        assert_eq!(display_value(Kind::ReleasedPerson, "flags", &flags), "三无人员、涉毒");
        let requests = json!(["赔偿医药费", "", "赔礼道歉"]);
        assert_eq!(display_value(Kind::DisputeCase, "requests", &requests), "赔偿医药费、赔礼道歉");
        let ids = json!(["0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-000000000002"]);
        assert_eq!(
            display_value(Kind::DisputeCase, "mediator_ids", &ids),
            "0190a1b2-0000-7000-8000-000000000001、0190a1b2-0000-7000-8000-000000000002"
        );
    }

    #[test]
    fn dates_times_money_and_counts() {
        assert_eq!(display_value(Kind::DisputeCase, "accepted_on", &json!("2026-11-20")), "2026-11-20");
        assert_eq!(display_value(Kind::MediationSession, "held_at", &json!("2026-11-20T02:30:00Z")), "2026-11-20 10:30");
        assert_eq!(display_value(Kind::DisputeCase, "amount_cents", &json!(123456789)), "1,234,567.89元");
        assert_eq!(display_value(Kind::DisputeCase, "amount_cents", &json!(5)), "0.05元");
        assert_eq!(display_value(Kind::Agreement, "copies", &json!(3)), "3份");
        assert_eq!(display_value(Kind::MediationSession, "seq", &json!(2)), "第2次");
    }

    #[test]
    fn nested_parts_read_in_a_line() {
        let case =
            DisputeCase { prevented: Prevented { suicide: CasesPersons { cases: 1, persons: 2 }, ..Default::default() }, ..Default::default() };
        let data = serde_json::to_value(&case).unwrap();
        assert_eq!(display_value(Kind::DisputeCase, "prevented", &data["prevented"]), "防止民间纠纷引起自杀1件2人");
        assert_eq!(display_value(Kind::DisputeCase, "prevented", &json!(Prevented::default())), "无");

        let agreement = Agreement {
            signature_checklist: SignatureChecklist {
                parties: vec![
                    PartySignature { party_id: None, status: Some(SignatureStatus::Signed) },
                    PartySignature { party_id: None, status: Some(SignatureStatus::Refused) },
                ],
                mediator_signed: true,
                seal_applied: false,
            },
            ..Default::default()
        };
        let data = serde_json::to_value(&agreement).unwrap();
        assert_eq!(
            display_value(Kind::Agreement, "signature_checklist", &data["signature_checklist"]),
            "当事人2方：已签名、拒签；调解员已签名；未加盖调委会印章"
        );

        let session = MediationSession {
            invitees: vec![Invitee {
                name: Some("张三".into()), unit: Some("东山村村委会".into()), relation: None, reason: Some("熟悉情况".into())
            }],
            ..Default::default()
        };
        let data = serde_json::to_value(&session).unwrap();
        assert_eq!(display_value(Kind::MediationSession, "invitees", &data["invitees"]), "张三（东山村村委会，邀请事由：熟悉情况）");

        let group = HelpGroup {
            members: vec![
                HelpGroupMember { name: Some("李四".into()), role: Some(HelpGroupRole::JudicialStaff), is_leader: true, ..Default::default() },
                HelpGroupMember { name: Some("王五".into()), role: Some(HelpGroupRole::Family), ..Default::default() },
            ],
            ..Default::default()
        };
        let data = serde_json::to_value(&group).unwrap();
        assert_eq!(display_value(Kind::HelpGroup, "members", &data["members"]), "李四（组长，司法所工作人员）、王五（家庭成员/监护人）");
    }

    #[test]
    fn plain_values_of_an_unknown_kind() {
        assert_eq!(display_plain(&json!(true)), "是");
        assert_eq!(display_plain(&json!(["a", "b"])), "a、b");
        assert_eq!(display_plain(&Value::Null), "");
    }
}
