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

fn person(
    name: &str,
    gender: Gender,
    birth: NaiveDate,
    occupation: &str,
    phone: &str,
    address: &str,
) -> Person {
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
    let mut m = Mediator {
        name: Some(name.into()),
        ..Mediator::default()
    };
    m.meta.id = new_id();
    m
}

pub fn fixture() -> Fixture {
    let mut committee = Organization {
        name: Some("城关镇东街村人民调解委员会".into()),
        ..Organization::default()
    };
    committee.meta.id = new_id();
    let mediators = vec![mediator("王建国"), mediator("赵秀兰"), mediator("陈明")];
    let zhang = person(
        "张𠮷祥",
        Gender::Male,
        day(1972, 3, 15),
        "农民",
        "13800001234",
        "城关镇东街村三组45号",
    );
    let li = person(
        "李秀英",
        Gender::Female,
        day(1968, 11, 2),
        "个体工商户",
        "13912345678",
        "城关镇东街村三组47号",
    );
    let witness = person(
        "周德福",
        Gender::Male,
        day(1955, 6, 1),
        "村民小组长",
        "13700007777",
        "城关镇东街村三组12号",
    );

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
        PartyEntry {
            party: cp,
            person: Some(p.clone()),
            entity: None,
        }
    };
    let parties = vec![
        party(&zhang, PartyRole::Applicant, "甲"),
        party(&li, PartyRole::Respondent, "乙"),
    ];

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

    let file = CaseFile {
        case,
        parties,
        investigations: vec![inv],
        sessions: vec![s1],
        agreement: Some(agreement),
        return_visits: vec![visit],
    };
    Fixture {
        file,
        committee,
        mediators,
        persons: vec![witness],
    }
}

impl Fixture {
    pub fn refs(&self) -> fengqiao_documents::catalogue::Refs<'_> {
        fengqiao_documents::catalogue::Refs {
            committee: Some(&self.committee),
            mediators: &self.mediators,
            persons: &self.persons,
            court: None,
        }
    }
}
