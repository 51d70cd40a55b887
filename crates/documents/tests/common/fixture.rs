//! A realistic case file (a drainage-ditch dispute between neighbours) for the catalogue tests
//! and the sample renderer.
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use fengqiao_model::*;

pub struct Fixture {
    pub file: CaseFile,
    pub committee: Organization,
    pub mediators: Vec<Mediator>,
    pub persons: Vec<Person>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Beijing time → UTC.
fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - chrono::Duration::hours(8)
}

fn person(name: &str, gender: Gender, birth: NaiveDate, occupation: &str, phone: &str, address: &str) -> Person {
    let mut p = Person {
        name: Some(name.into()),
        gender: Some(gender),
        birth_date: Some(birth),
        ethnicity: Some(Ethnicity::Han),
        occupation: Some(occupation.into()),
        phone: Some(phone.into()),
        residence_address: Some(address.into()),
        ..Person::default()
    };
    p.meta.id = new_id();
    p
}

fn mediator(name: &str) -> Mediator {
    let mut m = Mediator { name: Some(name.into()), ..Mediator::default() };
    m.meta.id = new_id();
    m
}

pub fn fixture() -> Fixture {
    let mut committee = Organization { name: Some("城关镇东街村人民调解委员会".into()), ..Organization::default() };
    committee.meta.id = new_id();
    let mediators = vec![mediator("王建国"), mediator("赵秀兰"), mediator("陈明")];
    let zhang = person("张𠮷祥", Gender::Male, day(1972, 3, 15), "农民", "13800001234", "城关镇东街村三组45号");
    let li = person("李秀英", Gender::Female, day(1968, 11, 2), "个体工商户", "13912345678", "城关镇东街村三组47号");
    let witness = person("周德福", Gender::Male, day(1955, 6, 1), "村民小组长", "13700007777", "城关镇东街村三组12号");

    let party = |p: &Person, role: PartyRole, side: &str| {
        let mut cp = CaseParty {
            person_id: Some(p.meta.id),
            role: Some(role),
            side: Some(side.into()),
            rights_notice_given_on: Some(day(2024, 5, 6)),
            id_copy_attached: true,
            ..CaseParty::default()
        };
        cp.meta.id = new_id();
        PartyEntry { party: cp, person: Some(p.clone()), entity: None }
    };
    let parties = vec![party(&zhang, PartyRole::Applicant, "甲"), party(&li, PartyRole::Respondent, "乙")];

    let case = DisputeCase {
        case_no: Some("（2024）城东调字第12号".into()),
        committee_id: Some(committee.meta.id),
        accepted_on: Some(day(2024, 5, 6)),
        applied_on: Some(day(2024, 5, 6)),
        source: Some(CaseSource::PartyApplication),
        dispute_type: Some(DisputeType::Neighborhood),
        title: Some("张𠮷祥与李秀英排水沟纠纷".into()),
        summary: Some("2024年3月，李秀英在自家宅基地上建房时，将两家之间的排水沟改向张𠮷祥承包地，致使张𠮷祥约0.3亩小麦受淹减产。张𠮷祥要求李秀英恢复排水沟原状并赔偿损失，李秀英认为排水沟系村集体修建，不同意赔偿，双方多次发生口角。".into()),
        requests: vec!["请求调解李秀英恢复排水沟原状；".into(), "请求调解李秀英赔偿小麦减产损失1200元。".into()],
        lead_mediator_id: Some(mediators[0].meta.id),
        mediator_ids: vec![mediators[0].meta.id, mediators[1].meta.id],
        status: CaseStatus::Archived,
        result: Some(MediationResult::Success),
        agreement_form: Some(AgreementForm::Written),
        closed_on: Some(day(2024, 6, 20)),
        archived_on: Some(day(2024, 6, 25)),
        archived_by: Some("陈明".into()),
        retention: Some(Retention::LongTerm),
        ..DisputeCase::default()
    };

    let mut inv = InvestigationRecord {
        started_at: Some(at(2024, 5, 7, 9, 0)),
        ended_at: Some(at(2024, 5, 7, 10, 30)),
        place: Some("东街村三组张𠮷祥承包地边".into()),
        interviewee_person_id: Some(witness.meta.id),
        interviewee_relation: Some(IntervieweeRelation::Informed),
        attendees: Some("无".into()),
        investigator_ids: vec![mediators[0].meta.id, mediators[1].meta.id],
        recorder_id: Some(mediators[2].meta.id),
        content: Some("问：我们是东街村人民调解委员会的调解员，今天就张𠮷祥与李秀英排水沟纠纷向你了解情况，你要如实陈述，听清楚了吗？\n答：听清楚了。\n问：这条排水沟是谁修的？\n答：是2009年村里统一修的，当时两家都出了工。\n问：今年3月排水沟有什么变化？\n答：李秀英家建房，把沟口往东挪了两米多，雨水就都流到张家地里去了。\n问：张家小麦受淹的情况你看到了吗？\n答：看到了，4月下了几场大雨，地头那一片有三分地左右全泡了。".into()),
        read_back: true,
        ..InvestigationRecord::default()
    };
    inv.meta.id = new_id();

    let mut s1 = MediationSession {
        seq: Some(1),
        held_at: Some(at(2024, 5, 10, 14, 30)),
        place: Some("东街村人民调解室".into()),
        subject: Some("排水沟改向致农田受淹".into()),
        present_party_ids: parties.iter().map(|p| p.party.meta.id).collect(),
        invitees: vec![Invitee { name: Some("周德福".into()), unit: Some("东街村三组".into()), relation: Some("村民小组长".into()), reason: None }],
        mediator_ids: vec![mediators[0].meta.id, mediators[1].meta.id],
        recorder_id: Some(mediators[2].meta.id),
        rights_notice_given: true,
        public: false,
        content: Some("调解员：今天我们依法对你们之间的排水沟纠纷进行调解。调解遵循自愿、平等原则，不收取任何费用。你们在调解中享有的权利和承担的义务已经书面告知，清楚吗？\n张𠮷祥：清楚。\n李秀英：清楚。\n张𠮷祥：她家把沟改了，我家小麦淹了三分地，要恢复原状，还要赔我1200元。\n李秀英：沟是村里的，我建房时挪一点也是没办法，赔钱不合理。\n调解员：根据调查，排水沟系村集体统一修建，任何一方不得擅自改变走向。改向造成张家受损，李家应当承担相应责任。张家主张的损失，按当地小麦亩产和收购价计算约为800元。如果协商不成，双方可以通过诉讼解决，但诉讼周期长、费用高，也不利于邻里关系。\n经过耐心疏导，双方同意：李秀英恢复排水沟原状并补偿张𠮷祥800元。".into()),
        session_outcome: Some(SessionOutcome::Agreement),
        ..MediationSession::default()
    };
    s1.meta.id = new_id();

    let mut agreement = Agreement {
        form: Some(AgreementForm::Written),
        agreement_no: Some("（2024）城东调字第12号".into()),
        facts: Some("2024年3月，乙方建房时将两家之间由村集体修建的排水沟改向甲方承包地，致使甲方约0.3亩小麦受淹减产。甲方要求恢复原状并赔偿损失1200元，乙方不同意赔偿。经调查，排水沟系村集体于2009年统一修建，乙方擅自改变走向，对甲方损失应承担主要责任。".into()),
        terms: vec![
            "乙方于2024年5月20日前将排水沟恢复原状，费用由乙方承担；".into(),
            "乙方一次性补偿甲方小麦减产损失人民币800元（大写：捌佰元整），于本协议签订之日当场付清；".into(),
            "双方今后应互谅互让，不得再因此事发生争执。".into(),
        ],
        performance_method: Some("第2项当场履行；第1项由乙方自行施工".into()),
        performance_due_on: Some(day(2024, 5, 20)),
        copies: Some(3),
        signed_on: Some(day(2024, 5, 10)),
        performance_status: Some(PerformanceStatus::Fulfilled),
        jc_status: Some(JcStatus::Applied),
        jc_applied_on: Some(day(2024, 5, 15)),
        jc_court: Some("某某县人民法院".into()),
        ..Agreement::default()
    };
    agreement.meta.id = new_id();

    let mut visit = ReturnVisit {
        agreement_no: agreement.agreement_no.clone(),
        visited_person_id: Some(zhang.meta.id),
        visited_at: Some(at(2024, 6, 18, 10, 0)),
        method: Some(ReturnVisitMethod::OnSite),
        content: Some("回访时排水沟已按协议恢复原状，补偿款800元已于协议签订当日付清。双方关系已缓和，张𠮷祥表示对调解结果满意。".into()),
        performance_status_observed: Some(PerformanceStatus::Fulfilled),
        satisfaction: Some(Satisfaction::Satisfied),
        visitor_ids: vec![mediators[1].meta.id],
        ..ReturnVisit::default()
    };
    visit.meta.id = new_id();

    let file = CaseFile { case, parties, investigations: vec![inv], sessions: vec![s1], agreement: Some(agreement), return_visits: vec![visit] };
    Fixture { file, committee, mediators, persons: vec![witness] }
}

impl Fixture {
    pub fn refs(&self) -> fengqiao_documents::catalogue::Refs<'_> {
        fengqiao_documents::catalogue::Refs {
            committee: Some(&self.committee),
            mediators: &self.mediators,
            persons: &self.persons,
            court: None,
            office: None,
            organizations: &[],
        }
    }
}

/// The 司法所 that prints.
pub fn office() -> Organization {
    let mut o = Organization { name: Some("城关镇司法所".into()), org_type: Some(OrgType::JudicialOffice), ..Organization::default() };
    o.meta.id = new_id();
    o
}

/// A released person's file: a 一般 person released in 2024, handed over, placed, with a
/// five-member group and two visits.
pub fn released() -> ReleasedFile {
    let mut p = person("黄少祥", Gender::Male, day(1992, 7, 24), "泥水工", "15023343105", "城关镇岭兜村9组9号");
    p.id_number = Some("350503199207242136".into());
    p.hukou_address = Some("城关镇岭兜村9组9号".into());
    p.education = Some(Education::HighSchool);
    p.marital_status = Some(MaritalStatus::Married);
    let mut r = ReleasedPerson {
        person_id: Some(p.meta.id),
        is_recidivist: Some(false),
        crime_name: Some("危险驾驶罪".into()),
        crime_category: Some(CrimeCategory::PublicSafety),
        sentence_term: Some("拘役5个月".into()),
        sentence_months: Some(5),
        prison_name: Some("某某市看守所".into()),
        prison_type: Some(PrisonType::DetentionCenter),
        released_on: Some(day(2024, 4, 11)),
        release_type: Some(ReleaseType::SentenceServed),
        assessment_type: Some(AssessmentType::General),
        notice_received_on: Some(day(2024, 3, 12)),
        notice_from: Some("某某市看守所".into()),
        handover_on: Some(day(2024, 4, 11)),
        handover_method: Some(HandoverMethod::JudicialOfficeCollected),
        handover_status: Some(HandoverStatus::Done),
        must_escort: Some(false),
        police_registration_on: Some(day(2024, 4, 14)),
        resettled_on: Some(day(2024, 9, 12)),
        resettlement_method: Some(ResettlementMethod::PublicWelfareJob),
        assistance: vec![Assistance::SkillsTraining],
        help_period_start: Some(day(2024, 4, 11)),
        help_period_end: Some(day(2029, 4, 10)),
        help_status: Some(HelpStatus::Active),
        reoffended: Some(false),
        ..ReleasedPerson::default()
    };
    r.meta.id = new_id();
    let member = |name: &str, role: HelpGroupRole, org: Option<&str>, phone: &str, leader: bool| HelpGroupMember {
        name: Some(name.into()),
        role: Some(role),
        org: org.map(str::to_string),
        phone: Some(phone.into()),
        is_leader: leader,
    };
    let mut group = HelpGroup {
        released_person_id: Some(r.meta.id),
        formed_on: Some(day(2024, 4, 13)),
        agreement_signed_on: Some(day(2024, 4, 13)),
        members: vec![
            member("洪建宗", HelpGroupRole::JudicialStaff, Some("城关镇司法所"), "13296637308", false),
            member("李永建", HelpGroupRole::VillageCadre, Some("岭兜村委会"), "17057960431", true),
            member("林福旺", HelpGroupRole::Police, Some("城关镇派出所"), "19632281022", false),
            member("黄建", HelpGroupRole::Family, None, "17087695977", false),
        ],
        ..HelpGroup::default()
    };
    group.meta.id = new_id();
    let rid = r.meta.id;
    let visit = |at_: chrono::DateTime<Utc>, content: &str, problems: Option<&str>| {
        let mut v = HelpVisit {
            released_person_id: Some(rid),
            visited_at: Some(at_),
            place: Some("本人家中".into()),
            visitor_names: vec!["洪建宗".into(), "李永建".into()],
            visit_type: Some(HelpVisitType::Visit),
            topics: vec![HelpTopic::Thought, HelpTopic::Employment],
            content: Some(content.into()),
            problems: problems.map(str::to_string),
            help_given: problems.map(|_| "联系镇劳动保障所推荐公益性岗位".to_string()),
            next_plan_on: Some(day(2024, 10, 15)),
            ..HelpVisit::default()
        };
        v.meta.id = new_id();
        v
    };
    let help_visits = vec![
        visit(
            at(2024, 4, 18, 9, 30),
            "帮教小组与黄少祥谈话，了解其回归后的思想和生活情况。黄少祥表示认罪悔罪，愿意遵纪守法。",
            Some("暂无稳定工作，家庭收入较低"),
        ),
        visit(at(2024, 7, 16, 15, 0), "回访黄少祥，其已在镇环卫站公益性岗位工作，收入稳定，家庭和睦。", None),
    ];
    ReleasedFile { released: r, person: Some(p), help_group: Some(group), help_visits, ..ReleasedFile::default() }
}

/// Two 排查 rounds of October 2024: one found two disputes, one is a 零报告.
pub fn rounds() -> Vec<RoundFile> {
    let mut found = ScreeningRound {
        unit_name: Some("城关镇".into()),
        period_type: Some(PeriodType::Monthly),
        period_start: Some(day(2024, 10, 1)),
        period_end: Some(day(2024, 10, 31)),
        screened_on: Some(day(2024, 10, 30)),
        screener_names: vec!["肖琴丹".into()],
        method: vec![ScreeningMethod::Informant],
        found_count: 2,
        statement: Some("本期排查发现矛盾纠纷2起，均已登记并落实处置措施".into()),
        approved_by: Some("杨德".into()),
        approved_on: Some(day(2024, 10, 30)),
        submitted_to: Some("某某区司法局".into()),
        submitted_on: Some(day(2024, 10, 31)),
        ..ScreeningRound::default()
    };
    found.meta.id = new_id();
    let item = |on: NaiveDate, place: &str, parties: &str, t: DisputeType, summary: &str, status: ItemStatus| {
        let mut i = ScreeningItem {
            round_id: Some(found.meta.id),
            found_on: Some(on),
            place: Some(place.into()),
            party_summary: Some(parties.into()),
            dispute_type: Some(t),
            people_involved: Some(2),
            summary: Some(summary.into()),
            risk_level: Some(RiskLevel::General),
            disposition: Some(Disposition::MediateOnSpot),
            responsible_person: Some("杨德".into()),
            deadline: Some(on + chrono::Duration::days(20)),
            status: Some(status),
            resolved_on: (status == ItemStatus::Resolved).then(|| on + chrono::Duration::days(4)),
            ..ScreeningItem::default()
        };
        i.meta.id = new_id();
        i
    };
    let items = vec![
        item(
            day(2024, 10, 13),
            "城关镇石鼓村",
            "王娜芳、曾坤宗",
            DisputeType::HousingHomestead,
            "王娜芳与曾坤宗系石鼓村村民，两家宅基地相邻。双方对两家宅基地之间一块约20平方米空地的使用权存在争议。",
            ItemStatus::Resolved,
        ),
        item(
            day(2024, 10, 30),
            "城关镇洋坪村",
            "黄鹏、钟欣丽",
            DisputeType::ForestLand,
            "黄鹏与钟欣丽均为洋坪村村民，两家承包的山林相邻。双方对两块山场交界处的界址认识不一。",
            ItemStatus::InProgress,
        ),
    ];
    let mut zero = ScreeningRound {
        unit_name: Some("田中央村".into()),
        period_type: Some(PeriodType::HalfMonth),
        period_start: Some(day(2024, 10, 16)),
        period_end: Some(day(2024, 10, 31)),
        screened_on: Some(day(2024, 10, 31)),
        screener_names: vec!["郑文华".into(), "陈丽".into()],
        method: vec![ScreeningMethod::HouseholdVisit, ScreeningMethod::GridPatrol],
        zero_report: true,
        statement: Some(ZERO_REPORT_STATEMENT.into()),
        approved_by: Some("郑文华".into()),
        approved_on: Some(day(2024, 10, 31)),
        submitted_to: Some("城关镇司法所".into()),
        submitted_on: Some(day(2024, 11, 1)),
        ..ScreeningRound::default()
    };
    zero.meta.id = new_id();
    vec![RoundFile { round: found, items }, RoundFile { round: zero, items: vec![] }]
}

/// A 统计表 of two committees for 2024.
pub fn statistics() -> fengqiao_documents::catalogue::StatisticsTable {
    use fengqiao_documents::catalogue::{Period, StatisticsCheck, StatisticsRow, StatisticsTable};
    let unit = |label: &str, ct: CommitteeType, total: i64, types: &[(DisputeType, i64)]| StatisticsRow {
        label: label.into(),
        total,
        party_count: total * 2 + 1,
        success: total - 1,
        difficult: 1,
        amount_wan: format!("{}.50", total),
        by_committee_type: vec![(ct, total)],
        proactive: 1,
        party_application: total - 2,
        referral: 1,
        referral_by_type: vec![(ReferralType::Police, 1)],
        by_dispute_type: types.to_vec(),
        oral: 2,
        written: total - 3,
        screening_rounds: 24,
        prevented_disputes: 3,
        prevented: Prevented { criminal: CasesPersons { cases: 1, persons: 3 }, ..Prevented::default() },
    };
    let a = unit(
        "城关镇东街村人民调解委员会",
        CommitteeType::Village,
        12,
        &[(DisputeType::Neighborhood, 7), (DisputeType::MarriageFamily, 3), (DisputeType::LaborWageArrears, 2)],
    );
    let b = unit("城关镇人民调解委员会", CommitteeType::Township, 9, &[(DisputeType::Contract, 4), (DisputeType::ConsumerEcommerce, 5)]);
    let mut own = StatisticsRow { label: "本级上报总计".into(), ..StatisticsRow::default() };
    for r in [&a, &b] {
        own.total += r.total;
        own.party_count += r.party_count;
        own.success += r.success;
        own.difficult += r.difficult;
        own.proactive += r.proactive;
        own.party_application += r.party_application;
        own.referral += r.referral;
        own.oral += r.oral;
        own.written += r.written;
        own.screening_rounds += r.screening_rounds;
        own.prevented_disputes += r.prevented_disputes;
        own.prevented.criminal.cases += r.prevented.criminal.cases;
        own.prevented.criminal.persons += r.prevented.criminal.persons;
        own.by_committee_type.extend(r.by_committee_type.iter().copied());
        own.referral_by_type.extend(r.referral_by_type.iter().copied());
        own.by_dispute_type.extend(r.by_dispute_type.iter().copied());
    }
    own.amount_wan = "21.00".into();
    StatisticsTable {
        office_name: "城关镇司法所".into(),
        period: Period { from: day(2024, 1, 1), to: day(2024, 12, 31) },
        rows: vec![a, b],
        subordinate_total: StatisticsRow { label: "下级上报总计".into(), amount_wan: "0.00".into(), ..StatisticsRow::default() },
        own_total: own,
        checks: vec![StatisticsCheck { name: "案件来源合计等于调解案件总数".into(), ok: true, detail: "一致".into() }],
    }
}
