//! The 人民调解案件情况统计表 and the §3.4 metrics against a hand-built store whose every
//! count is known, plus boundaries, deletions, an inconsistent store, an empty period and the
//! time budget on a 100,000-case store.

mod common;

use chrono::NaiveDate;
use common::*;
use fengqiao_model::*;
use fengqiao_store::stats::*;
use fengqiao_store::*;
use uuid::Uuid;

fn from() -> NaiveDate {
    date(2026, 1, 1)
}
fn to() -> NaiveDate {
    date(2026, 6, 30)
}

/// The hand-built office: committees A (乡镇, the fixture's), B (村) and C (居, no cases).
struct World {
    f: Fixture,
    a: Uuid,
    b: Uuid,
    /// A case in the period with three parties.
    a2: Uuid,
}

fn committee(name: &str, t: CommitteeType, prefix: &str) -> Organization {
    Organization {
        name: Some(name.into()),
        org_type: Some(OrgType::MediationCommittee),
        committee_type: Some(t),
        division_code: Some("350502101".into()),
        number_prefix: Some(prefix.into()),
        ..Default::default()
    }
}

/// An accepted case in 调解中; the tests override what they need.
fn case(committee: Uuid, mediator: Uuid, no: u32, accepted_on: NaiveDate) -> DisputeCase {
    DisputeCase {
        meta: Meta { id: new_id(), ..Default::default() },
        case_no: Some(format!("（2026）东山调字第{no}号")),
        committee_id: Some(committee),
        accepted_on: Some(accepted_on),
        source: Some(CaseSource::PartyApplication),
        dispute_type: Some(DisputeType::Neighborhood),
        title: Some(format!("第{no}号纠纷")),
        summary: Some("双方因琐事发生争执。".into()),
        lead_mediator_id: Some(mediator),
        status: CaseStatus::Mediating,
        ..Default::default()
    }
}

fn success(mut c: DisputeCase, form: AgreementForm) -> DisputeCase {
    c.status = CaseStatus::Closed;
    c.result = Some(MediationResult::Success);
    c.agreement_form = Some(form);
    c.closed_on = c.accepted_on;
    c
}

fn referral(mut c: DisputeCase, t: ReferralType) -> DisputeCase {
    c.source = Some(CaseSource::Referral);
    c.referral_type = Some(t);
    c.referral_org = Some(t.label().into());
    c
}

/// Saves `n` live parties (each a new person) of a case.
fn parties(b: &Batch, case: Uuid, n: usize) -> Result<()> {
    for k in 0..n {
        let p = b.save(person(["当事人甲", "当事人乙", "当事人丙"][k], None))?.record;
        b.save(CaseParty {
            case_id: Some(case),
            person_id: Some(p.meta.id),
            role: Some(if k == 0 { PartyRole::Applicant } else { PartyRole::Respondent }),
            ..Default::default()
        })?;
    }
    Ok(())
}

fn oral_agreement(case: Uuid, registrar: Uuid, status: PerformanceStatus, on: NaiveDate) -> Agreement {
    Agreement {
        meta: Meta { id: new_id(), ..Default::default() },
        case_id: Some(case),
        form: Some(AgreementForm::Oral),
        agreement_no: Some(format!("口协-{}", &case.to_string()[..8])),
        facts: Some("事实清楚。".into()),
        terms: vec!["一方赔偿另一方损失。".into()],
        performance_method: Some("当场履行".into()),
        performance_status: Some(status),
        oral_registered_on: Some(on),
        registrar_id: Some(registrar),
        ..Default::default()
    }
}

fn round(unit: Option<Uuid>, screened_on: NaiveDate) -> ScreeningRound {
    ScreeningRound {
        meta: Meta { id: new_id(), ..Default::default() },
        unit_org_id: unit,
        unit_division_code: Some("350502101".into()),
        unit_name: Some("东山村".into()),
        period_type: Some(PeriodType::Special),
        period_start: Some(screened_on),
        period_end: Some(screened_on),
        screened_on: Some(screened_on),
        screener_names: vec!["李排查".into()],
        ..Default::default()
    }
}

fn item(round: Uuid, found_on: NaiveDate, status: ItemStatus) -> ScreeningItem {
    ScreeningItem {
        round_id: Some(round),
        found_on: Some(found_on),
        party_summary: Some("张三、李四".into()),
        dispute_type: Some(DisputeType::Neighborhood),
        people_involved: Some(2),
        summary: Some("相邻通行纠纷。".into()),
        risk_level: Some(RiskLevel::General),
        disposition: Some(Disposition::MediateOnSpot),
        resolved_on: (status == ItemStatus::Resolved).then_some(found_on),
        status: Some(status),
        ..Default::default()
    }
}

/// A released person's file; `n` makes the person's ID number unique.
fn released(b: &Batch, n: u32, released_on: NaiveDate, key: bool) -> Result<ReleasedPerson> {
    let p = b.save(person("帮教对象", Some(id_number("350502", "19800101", &format!("{:03}", 100 + n)))))?.record;
    Ok(ReleasedPerson {
        meta: Meta { id: new_id(), ..Default::default() },
        person_id: Some(p.meta.id),
        is_recidivist: Some(false),
        crime_name: Some("盗窃罪".into()),
        sentence_term: Some("有期徒刑2年".into()),
        prison_name: Some("某省某监狱".into()),
        released_on: Some(released_on),
        release_type: Some(ReleaseType::SentenceServed),
        assessment_type: Some(if key { AssessmentType::Key } else { AssessmentType::General }),
        ..Default::default()
    })
}

fn handed_over(mut r: ReleasedPerson, method: HandoverMethod) -> ReleasedPerson {
    r.handover_status = Some(HandoverStatus::Done);
    r.handover_on = r.released_on;
    r.handover_method = Some(method);
    r
}

fn resettled(mut r: ReleasedPerson, on: NaiveDate) -> ReleasedPerson {
    r.resettled_on = Some(on);
    r.resettlement_method = Some(ResettlementMethod::PublicWelfareJob);
    r
}

fn help_group(released: Uuid, deleted: bool) -> HelpGroup {
    HelpGroup {
        meta: Meta { deleted, ..Default::default() },
        released_person_id: Some(released),
        formed_on: Some(date(2026, 1, 5)),
        members: vec![HelpGroupMember {
            name: Some("司法所王某".into()),
            role: Some(HelpGroupRole::JudicialStaff),
            is_leader: true,
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The store whose counts the tests assert; the comment by each record says where it counts.
fn world() -> World {
    let mut f = fixture();
    let (a, m) = (f.committee, f.mediator);
    let office = f.store.office_id();
    let b = f.store.save(committee("东山村人民调解委员会", CommitteeType::Village, "东山村")).unwrap().record.meta.id;
    f.store.save(committee("西岭社区人民调解委员会", CommitteeType::Residential, "西岭")).unwrap();
    let (deleted_round, a2) = f
        .store
        .batch(|bt| {
            // --- committee A (乡镇) ---
            // A1: boundary day, success oral, difficult, 2 live parties + 1 deleted, 自杀 1/2.
            let mut a1 = success(case(a, m, 1, date(2026, 1, 1)), AgreementForm::Oral);
            a1.source = Some(CaseSource::PartyApplication);
            a1.dispute_type = Some(DisputeType::MarriageFamily);
            a1.amount_cents = Some(1_235_000);
            a1.is_difficult = true;
            a1.prevented.suicide = CasesPersons { cases: 1, persons: 2 };
            let a1 = bt.save(a1)?.record.meta.id;
            parties(bt, a1, 2)?;
            let gone = bt.save(person("已删当事人", None))?.record.meta.id;
            bt.save(CaseParty {
                meta: Meta { deleted: true, ..Default::default() },
                case_id: Some(a1),
                person_id: Some(gone),
                role: Some(PartyRole::ThirdParty),
                ..Default::default()
            })?;
            bt.save(oral_agreement(a1, m, PerformanceStatus::Immediate, date(2026, 1, 1)))?;
            // A2: success written, still performing, referred by a court, 3 parties, 刑事 1/3.
            let mut a2 = referral(success(case(a, m, 2, date(2026, 3, 15)), AgreementForm::Written), ReferralType::Court);
            a2.status = CaseStatus::Performing;
            a2.closed_on = None;
            a2.amount_cents = Some(500_000);
            a2.prevented.criminal = CasesPersons { cases: 1, persons: 3 };
            let a2 = bt.save(a2)?.record.meta.id;
            parties(bt, a2, 3)?;
            bt.save(Agreement {
                case_id: Some(a2),
                form: Some(AgreementForm::Written),
                agreement_no: Some("东山协2号".into()),
                facts: Some("事实清楚。".into()),
                terms: vec!["分期付款。".into()],
                performance_method: Some("分三期支付".into()),
                performance_status: Some(PerformanceStatus::InProgress),
                copies: Some(4),
                signed_on: Some(date(2026, 3, 20)),
                signature_checklist: SignatureChecklist {
                    parties: vec![PartySignature { party_id: None, status: Some(SignatureStatus::Signed) }],
                    mediator_signed: true,
                    seal_applied: true,
                },
                ..Default::default()
            })?;
            // A3: last day, failed (its amount is not an agreement's), 欠薪, proactive.
            let mut a3 = case(a, m, 3, date(2026, 6, 30));
            a3.status = CaseStatus::Closed;
            a3.result = Some(MediationResult::Failed);
            a3.closed_on = Some(date(2026, 7, 10));
            a3.failure_reason = Some("双方分歧过大".into());
            a3.alternatives_told = vec![Alternative::Litigation];
            a3.source = Some(CaseSource::Proactive);
            a3.dispute_type = Some(DisputeType::LaborWageArrears);
            a3.amount_cents = Some(9_999);
            let a3 = bt.save(a3)?.record.meta.id;
            parties(bt, a3, 2)?;
            // A draft agreement is not an agreement reached.
            bt.save(Agreement { meta: Meta { draft: true, ..Default::default() }, case_id: Some(a3), ..Default::default() })?;
            // Outside the period, a day either side.
            let a4 = bt.save(success(case(a, m, 4, date(2026, 7, 1)), AgreementForm::Oral))?.record.meta.id;
            parties(bt, a4, 2)?;
            bt.save(oral_agreement(a4, m, PerformanceStatus::Fulfilled, date(2026, 7, 1)))?;
            bt.save(case(a, m, 5, date(2025, 12, 31)))?;
            // Never counted: a draft, a deleted case, 不予受理, 撤回 before acceptance.
            let mut draft = case(a, m, 6, date(2026, 2, 1));
            draft.status = CaseStatus::Draft;
            draft.case_no = None;
            bt.save(draft)?;
            // (deleted as a tombstone from sync would arrive: after its parties)
            let mut deleted = bt.save(referral(case(a, m, 7, date(2026, 2, 2)), ReferralType::Police))?.record;
            parties(bt, deleted.meta.id, 2)?;
            deleted.meta.deleted = true;
            bt.save(deleted)?;
            let mut rejected = case(a, m, 8, date(2026, 2, 3));
            rejected.status = CaseStatus::Rejected;
            rejected.case_no = None;
            rejected.status_reason = Some("一方当事人明确拒绝调解".into());
            bt.save(rejected)?;
            let mut early_withdrawal = case(a, m, 9, date(2026, 2, 4));
            early_withdrawal.status = CaseStatus::Withdrawn;
            early_withdrawal.case_no = None;
            early_withdrawal.status_reason = Some("申请人撤回申请".into());
            bt.save(early_withdrawal)?;

            // --- committee B (村) ---
            // B1: ongoing, difficult, referred by 信访, 电商 (amount not counted: no success).
            let mut b1 = referral(case(b, m, 11, date(2026, 2, 10)), ReferralType::PetitionOffice);
            b1.dispute_type = Some(DisputeType::ConsumerEcommerce);
            b1.is_difficult = true;
            b1.amount_cents = Some(100_000);
            let b1 = bt.save(b1)?.record.meta.id;
            parties(bt, b1, 2)?;
            // B2: success oral, proactive, 交通; 群体性上访 1/12, 械斗 1/20; a superseded agreement.
            let mut b2 = success(case(b, m, 12, date(2026, 5, 5)), AgreementForm::Oral);
            b2.source = Some(CaseSource::Proactive);
            b2.dispute_type = Some(DisputeType::TrafficAccident);
            b2.prevented.group_petition = CasesPersons { cases: 1, persons: 12 };
            b2.prevented.group_fight = CasesPersons { cases: 1, persons: 20 };
            let b2 = bt.save(b2)?.record.meta.id;
            parties(bt, b2, 2)?;
            let first = bt.save(oral_agreement(b2, m, PerformanceStatus::NotPerformed, date(2026, 5, 5)))?.record.meta.id;
            let mut second = oral_agreement(b2, m, PerformanceStatus::Fulfilled, date(2026, 5, 20));
            second.supersedes_agreement_id = Some(first);
            second.agreement_no = Some("口协-重".into());
            bt.save(second)?;
            // B3: withdrawn after acceptance (numbered): a case, not a success.
            let mut b3 = case(b, m, 13, date(2026, 4, 1));
            b3.status = CaseStatus::Withdrawn;
            b3.result = Some(MediationResult::Withdrawn);
            b3.status_reason = Some("双方自行和解".into());
            b3.dispute_type = Some(DisputeType::MarriageFamily);
            let b3 = bt.save(b3)?.record.meta.id;
            parties(bt, b3, 2)?;

            // --- 排查 ---
            let r1 = bt.save(round(Some(b), date(2026, 1, 1)))?.record.meta.id; // B, counted
            bt.save(item(r1, date(2026, 1, 5), ItemStatus::Resolved))?; // B prevented; handled
            bt.save(item(r1, date(2026, 2, 1), ItemStatus::InProgress))?; // handled
            bt.save(item(r1, date(2026, 3, 1), ItemStatus::Open))?; // found only
            let r0 = bt.save(round(Some(b), date(2025, 12, 31)))?.record.meta.id; // round outside
            bt.save(item(r0, date(2026, 1, 2), ItemStatus::Resolved))?; // item inside: B prevented
            let r2 = bt.save(round(Some(office), date(2026, 6, 30)))?.record.meta.id; // the office's row
            bt.save(item(r2, date(2026, 6, 30), ItemStatus::Resolved))?; // office prevented
            bt.save(item(r2, date(2026, 6, 1), ItemStatus::Referred))?; // handled
            let r3 = bt.save(round(Some(b), date(2026, 7, 1)))?.record.meta.id; // outside
            bt.save(item(r3, date(2026, 7, 1), ItemStatus::Resolved))?;
            let r4 = bt.save(round(Some(b), date(2026, 3, 1)))?.record.meta.id; // deleted below
            bt.save(item(r4, date(2026, 3, 2), ItemStatus::Resolved))?;

            // --- 安置帮教 ---
            let p1 = handed_over(resettled(released(bt, 1, date(2026, 1, 1), true)?, date(2026, 2, 1)), HandoverMethod::JudicialOfficeCollected);
            let p1 = bt.save(p1)?.record.meta.id;
            bt.save(help_group(p1, false))?;
            bt.save(handed_over(released(bt, 2, date(2026, 6, 30), true)?, HandoverMethod::SelfReturned))?;
            let p3 = bt.save(resettled(released(bt, 3, date(2026, 3, 1), false)?, date(2026, 7, 1)))?.record.meta.id;
            bt.save(help_group(p3, false))?;
            bt.save(handed_over(released(bt, 4, date(2026, 7, 1), false)?, HandoverMethod::GovernmentCollected))?;
            let mut p5 = released(bt, 5, date(2020, 5, 1), false)?;
            p5.help_status = Some(HelpStatus::Expired);
            p5.help_released_on = Some(date(2025, 4, 30));
            bt.save(p5)?;
            let mut p6 = released(bt, 6, date(2022, 1, 1), false)?;
            p6.help_status = Some(HelpStatus::Reoffended);
            p6.reoffended = Some(true);
            p6.reoffense_crime = Some("诈骗罪".into());
            p6.reoffense_on = Some(date(2026, 4, 1));
            bt.save(p6)?;
            let p7 = bt.save(resettled(released(bt, 7, date(2023, 3, 1), false)?, date(2023, 5, 1)))?.record.meta.id;
            bt.save(help_group(p7, true))?;
            let mut p8 = handed_over(released(bt, 8, date(2026, 2, 1), true)?, HandoverMethod::PrisonEscorted);
            p8.meta.deleted = true;
            bt.save(p8)?;
            let mut p9 = resettled(released(bt, 9, date(2021, 1, 1), false)?, date(2021, 3, 1));
            p9.help_period_end = Some(date(2025, 12, 31)); // ended the day before the period
            let p9 = bt.save(p9)?.record.meta.id;
            bt.save(help_group(p9, false))?;
            let mut p10 = resettled(released(bt, 10, date(2021, 1, 2), false)?, date(2021, 6, 1));
            p10.help_period_end = Some(date(2026, 1, 1)); // ends on the first day: on the roll
            bt.save(p10)?;
            let mut p11 = released(bt, 11, date(2021, 5, 1), false)?;
            p11.help_status = Some(HelpStatus::Reoffended);
            p11.reoffended = Some(true);
            p11.reoffense_crime = Some("故意伤害罪".into());
            p11.reoffense_on = Some(date(2025, 11, 1)); // before the period
            bt.save(p11)?;
            Ok((r4, a2))
        })
        .unwrap();
    f.store.delete::<ScreeningRound>(deleted_round).unwrap();
    World { f, a, b, a2 }
}

fn counts(c: &[Count]) -> Vec<(&'static str, i64)> {
    c.iter().filter(|c| c.count != 0).map(|c| (c.code, c.count)).collect()
}

/// The hand-counted values of one row; lists name only the non-zero columns.
struct Expect {
    /// 总数, 当事人数, 调解成功, 疑难复杂.
    cases: (i64, i64, i64, i64),
    amount: (i64, &'static str),
    committee_types: &'static [(&'static str, i64)],
    /// 主动, 依申请, 委托移送.
    sources: (i64, i64, i64),
    referrals: &'static [(&'static str, i64)],
    types: &'static [(&'static str, i64)],
    /// 口头, 书面.
    forms: (i64, i64),
    /// 排查纠纷, 预防纠纷.
    screening: (i64, i64),
    /// 自杀, 刑事, 群体性上访, 群体性械斗 as (件, 人).
    prevented: [(i64, i64); 4],
}

fn assert_row(r: &StatRow, e: Expect) {
    let l = &r.label;
    assert_eq!((r.total, r.party_count, r.success, r.difficult), e.cases, "{l}");
    assert_eq!((r.amount_cents, r.amount_wan.as_str()), e.amount, "{l}");
    assert_eq!(counts(&r.by_committee_type), e.committee_types, "{l}");
    assert_eq!((r.sources.proactive, r.sources.party_application, r.sources.referral), e.sources, "{l}");
    assert_eq!(counts(&r.sources.referral_by_type), e.referrals, "{l}");
    assert_eq!(counts(&r.by_dispute_type), e.types, "{l}");
    assert_eq!((r.agreement_forms.oral, r.agreement_forms.written), e.forms, "{l}");
    assert_eq!((r.prevention.screening_rounds, r.prevention.prevented_disputes), e.screening, "{l}");
    let p = &r.prevention.prevented;
    assert_eq!([p.suicide, p.criminal, p.group_petition, p.group_fight].map(|x| (x.cases, x.persons)), e.prevented, "{l}");
}

#[test]
fn table_matches_the_hand_counted_store() {
    let w = world();
    let s = w.f.store.case_statistics(from(), to()).unwrap();
    assert_eq!(s.title, "人民调解案件情况统计表");
    assert_eq!(s.office_name, "东山镇司法所");
    let labels: Vec<&str> = s.rows.iter().map(|r| r.label.as_str()).collect();
    // Committees in §2.9.4 order (村, 居, 乡镇), the empty one included; then the office,
    // which screened township-wide.
    assert_eq!(labels, ["东山村人民调解委员会", "西岭社区人民调解委员会", "东山镇人民调解委员会", "东山镇司法所"]);
    let (b, c, a, office) = (&s.rows[0], &s.rows[1], &s.rows[2], &s.rows[3]);
    assert_eq!((a.org_id, b.org_id), (Some(w.a), Some(w.b)));

    // Committee A: A1, A2, A3.
    assert_row(
        a,
        Expect {
            cases: (3, 7, 2, 1),
            amount: (1_735_000, "1.74"),
            committee_types: &[("township", 3)],
            sources: (1, 1, 1),
            referrals: &[("court", 1)],
            types: &[("marriage_family", 1), ("neighborhood", 1), ("labor_wage_arrears", 1)],
            forms: (1, 1),
            screening: (0, 0),
            prevented: [(1, 2), (1, 3), (0, 0), (0, 0)],
        },
    );
    // Committee B: B1, B2, B3, and its 排查.
    assert_row(
        b,
        Expect {
            cases: (3, 6, 1, 1),
            amount: (0, "0.00"),
            committee_types: &[("village", 3)],
            sources: (1, 1, 1),
            referrals: &[("petition_office", 1)],
            types: &[("marriage_family", 1), ("consumer_ecommerce", 1), ("traffic_accident", 1)],
            forms: (1, 0),
            screening: (1, 2),
            prevented: [(0, 0), (0, 0), (1, 12), (1, 20)],
        },
    );

    // C: a zero row with every column present.
    assert_eq!(*c, {
        let mut z = StatRow::empty(RowKind::Unit, c.org_id, "西岭社区人民调解委员会");
        z.committee_type = Some(CommitteeType::Residential);
        z
    });
    assert_eq!(c.by_dispute_type.len(), DisputeType::ALL.len());
    assert_eq!(office.committee_type, None);
    assert_eq!((office.total, office.prevention.screening_rounds, office.prevention.prevented_disputes), (0, 1, 1));

    // 下级上报总计 is zero; 本级上报总计 is the sum.
    assert_eq!(s.subordinate_total, StatRow::empty(RowKind::SubordinateTotal, None, "下级上报总计"));
    let t = &s.own_total;
    assert_eq!(t.label, "本级上报总计");
    assert_row(
        t,
        Expect {
            cases: (6, 13, 3, 2),
            amount: (1_735_000, "1.74"),
            committee_types: &[("village", 3), ("township", 3)],
            sources: (2, 2, 2),
            referrals: &[("court", 1), ("petition_office", 1)],
            types: &[("marriage_family", 2), ("neighborhood", 1), ("labor_wage_arrears", 1), ("consumer_ecommerce", 1), ("traffic_accident", 1)],
            forms: (2, 1),
            screening: (2, 3),
            prevented: [(1, 2), (1, 3), (1, 12), (1, 20)],
        },
    );
    let codes: Vec<&str> = t.by_dispute_type.iter().map(|c| c.code).collect();
    let model: Vec<&str> = DisputeType::ALL.iter().map(|d| d.code()).collect();
    assert_eq!(codes, model, "every type, in the form's order");
    assert_eq!(t.by_dispute_type[9].group, Some("劳动争议纠纷"));

    assert!(s.all_consistent(), "{:#?}", s.checks);
    let check_codes: Vec<&str> = s.checks.iter().map(|c| c.code).collect();
    assert_eq!(check_codes, ["sources", "dispute_types", "agreement_forms", "success_le_total", "referral_types", "committee_types"]);
    assert!(s.checks[0].detail.contains("本级上报总计：案件来源合计6，调解案件总数6"), "{}", s.checks[0].detail);

    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["own_total"]["label"], "本级上报总计");
    assert_eq!(json["own_total"]["by_dispute_type"][0]["label"], "婚姻家庭纠纷");
}

#[test]
fn period_bounds_are_inclusive() {
    let w = world();
    let total = |from, to| w.f.store.case_statistics(from, to).unwrap().own_total;
    // A day narrower at each end drops A1 (1 Jan), A3 (30 Jun), both boundary rounds and the
    // item found on 30 Jun.
    let narrow = total(date(2026, 1, 2), date(2026, 6, 29));
    assert_eq!((narrow.total, narrow.success), (4, 2));
    assert_eq!((narrow.prevention.screening_rounds, narrow.prevention.prevented_disputes), (0, 2));
    // A single day on either side of the period.
    assert_eq!(total(date(2025, 12, 31), date(2025, 12, 31)).total, 1);
    assert_eq!(total(date(2026, 7, 1), date(2026, 7, 1)).total, 1);
    let day = total(date(2026, 1, 1), date(2026, 1, 1));
    assert_eq!((day.total, day.prevention.screening_rounds), (1, 1));

    let m = w.f.store.metrics(date(2026, 1, 2), date(2026, 6, 29), &Targets::default()).unwrap();
    assert_eq!((m.handover.numerator, m.handover.denominator), (0, 1), "P1 (1 Jan) and P2 (30 Jun) fall outside");
    // P10's 帮教期 ends on 1 Jan: on the roll for a period starting then, not the day after.
    let on_roll = |from| w.f.store.metrics(from, to(), &Targets::default()).unwrap().resettlement.denominator;
    assert_eq!(on_roll(date(2026, 1, 1)), 5);
    assert_eq!(on_roll(date(2026, 1, 2)), 4);
}

#[test]
fn deleted_records_are_not_counted() {
    let mut w = world();
    let before = w.f.store.case_statistics(from(), to()).unwrap().own_total;
    // A deleted party no longer counts; a deleted draft case never did.
    let case = w.f.case_with_parties("临时登记纠纷", "甲某", "乙某");
    w.f.store.delete::<DisputeCase>(case).unwrap();
    let a2_party = w.f.store.case_file(w.a2).unwrap().parties[0].party.meta.id;
    w.f.store.delete::<CaseParty>(a2_party).unwrap();
    let after = w.f.store.case_statistics(from(), to()).unwrap().own_total;
    assert_eq!(after.total, before.total);
    assert_eq!(after.party_count, before.party_count - 1);
}

#[test]
fn metrics_numerators_and_denominators() {
    let w = world();
    let m = w.f.store.metrics(from(), to(), &Targets::default()).unwrap();
    let nd = |r: &Rate| (r.numerator, r.denominator);
    assert_eq!(nd(&m.mediation_success), (3, 6));
    assert_eq!(m.mediation_success.value, Some(0.5));
    assert_eq!((m.mediation_success.target, m.mediation_success.meets_target), (Some(0.95), Some(false)));
    // A1 immediate, B2's agreement in force fulfilled, A2 performing; A3's draft and B2's
    // superseded agreement are not counted, nor A4 (outside the period).
    assert_eq!(nd(&m.performance), (2, 3));
    assert_eq!((m.performance.target, m.performance.meets_target), (None, None));
    // Found in the period: 6 items (one of a round held before it; none of the deleted round).
    assert_eq!(nd(&m.screening_handled), (5, 6));
    assert_eq!(nd(&m.screening_success), (3, 6));
    assert_eq!(nd(&m.handover), (2, 3));
    assert_eq!(nd(&m.must_escort), (1, 2));
    assert_eq!(nd(&m.resettlement), (3, 5));
    assert_eq!(nd(&m.help), (2, 5));
    assert_eq!(nd(&m.reoffense), (1, 6));
    assert_eq!(m.reoffense.better, Better::Lower);
    for r in m.rates() {
        assert_eq!(r.value, Some(r.numerator as f64 / r.denominator as f64), "{}", r.label);
    }
    let labels: Vec<&str> = m.rates().iter().map(|r| r.label).collect();
    assert_eq!(labels, ["调解成功率", "协议履行率", "排查调处率", "排查成功率", "衔接率", "必接必送率", "安置率", "帮教率", "重新犯罪率"]);
    let defaults: Vec<Option<bool>> = m.rates().iter().map(|r| r.meets_target).collect();
    assert_eq!(defaults, [Some(false), None, None, None, Some(false), Some(false), Some(false), Some(false), Some(false)]);

    // Targets are met at the boundary when higher is better, and only strictly below when lower.
    let t = Targets {
        mediation_success: Some(0.5),
        must_escort: Some(0.5),
        reoffense_below: Some(1.0 / 6.0),
        help: Some(0.41),
        screening_success_base: ScreeningSuccessBase::Handled,
        ..Targets::default()
    };
    let m = w.f.store.metrics(from(), to(), &t).unwrap();
    assert_eq!(m.mediation_success.meets_target, Some(true));
    assert_eq!(m.must_escort.meets_target, Some(true));
    assert_eq!(m.reoffense.meets_target, Some(false));
    assert_eq!(m.help.meets_target, Some(false));
    assert_eq!(nd(&m.screening_success), (3, 5), "成功率 over the items handled");
    let m = w.f.store.metrics(from(), to(), &Targets { reoffense_below: Some(0.17), ..Targets::default() }).unwrap();
    assert_eq!(m.reoffense.meets_target, Some(true));
}

#[test]
fn rate_targets() {
    let r = Rate::new("调解成功率", "", 19, 20, Some(0.95), Better::Higher);
    assert_eq!(r.meets_target, Some(true));
    assert_eq!(Rate::new("x", "", 18, 20, Some(0.95), Better::Higher).meets_target, Some(false));
    assert_eq!(Rate::new("x", "", 1, 50, Some(0.02), Better::Lower).meets_target, Some(false), "2% is not below 2%");
    assert_eq!(Rate::new("x", "", 1, 51, Some(0.02), Better::Lower).meets_target, Some(true));
    let none = Rate::new("x", "", 0, 0, Some(0.9), Better::Higher);
    assert_eq!((none.value, none.meets_target), (None, None));
    let d = Targets::default();
    assert_eq!(
        (d.mediation_success, d.handover, d.must_escort, d.resettlement, d.help, d.reoffense_below),
        (Some(0.95), Some(0.90), Some(1.0), Some(0.85), Some(0.95), Some(0.02))
    );
    // County configuration: a partial JSON keeps the other defaults.
    let t: Targets = serde_json::from_str(r#"{"handover": 0.8, "screening_success_base": "handled"}"#).unwrap();
    assert_eq!((t.handover, t.help, t.screening_success_base), (Some(0.8), Some(0.95), ScreeningSuccessBase::Handled));
}

#[test]
fn empty_period_gives_zeros_and_no_rates() {
    let w = world();
    let s = w.f.store.case_statistics(date(2010, 1, 1), date(2010, 12, 31)).unwrap();
    assert_eq!(s.rows.len(), 3, "the committees, with zero rows");
    assert!(s.rows.iter().all(|r| r.total == 0 && r.prevention == Prevention::default()));
    assert_eq!(s.own_total, StatRow::empty(RowKind::OwnTotal, None, "本级上报总计"));
    assert_eq!(s.own_total.amount_wan, "0.00");
    assert!(s.all_consistent());
    let m = w.f.store.metrics(date(2010, 1, 1), date(2010, 12, 31), &Targets::default()).unwrap();
    for r in m.rates() {
        assert_eq!((r.numerator, r.denominator, r.value, r.meets_target), (0, 0, None, None), "{}", r.label);
    }
    // A store with nothing but its office and one committee.
    let f = fixture();
    let s = f.store.case_statistics(from(), to()).unwrap();
    assert_eq!((s.rows.len(), s.own_total.total), (1, 0));
    assert!(s.all_consistent());
    f.store.metrics(from(), to(), &Targets::default()).unwrap();
    // A reversed period is refused, not reported as empty.
    assert_eq!(f.store.case_statistics(to(), from()).unwrap_err().code(), "rule");
    assert_eq!(f.store.metrics(to(), from(), &Targets::default()).unwrap_err().code(), "rule");
}

#[test]
fn inconsistent_store_is_flagged() {
    // A case withdrawn after acceptance needs neither 案件来源 nor 纠纷类型 to be saved, yet it
    // counts as a case: the table must say the columns do not add up.
    let mut f = fixture();
    let (a, m) = (f.committee, f.mediator);
    f.store
        .batch(|b| {
            b.save(case(a, m, 1, date(2026, 3, 1)))?;
            let mut bare = case(a, m, 2, date(2026, 3, 2));
            bare.status = CaseStatus::Withdrawn;
            bare.status_reason = Some("双方自行和解".into());
            bare.source = None;
            bare.dispute_type = None;
            b.save(bare)
        })
        .unwrap();
    let s = f.store.case_statistics(from(), to()).unwrap();
    assert_eq!(s.own_total.total, 2);
    let by_code = |code: &str| s.checks.iter().find(|c| c.code == code).unwrap().clone();
    let sources = by_code("sources");
    assert!(!sources.ok);
    assert_eq!(sources.detail, "不一致：东山镇人民调解委员会：案件来源合计1，调解案件总数2；本级上报总计：案件来源合计1，调解案件总数2");
    assert!(!by_code("dispute_types").ok);
    for ok in ["agreement_forms", "success_le_total", "referral_types", "committee_types"] {
        assert!(by_code(ok).ok, "{ok}");
    }
    assert!(!s.all_consistent());
}

#[test]
fn each_check_flags_its_own_inconsistency() {
    let good = |label: &str| {
        let mut r = StatRow::empty(RowKind::Unit, None, label);
        r.total = 2;
        r.success = 1;
        r.agreement_forms.oral = 1;
        r.sources.referral = 2;
        r.sources.referral_by_type[0].count = 2;
        r.by_dispute_type[3].count = 2;
        r.by_committee_type[0].count = 2;
        r
    };
    let ok_all = |r: &StatRow| consistency_checks(&[r]).iter().map(|c| (c.code, c.ok)).filter(|c| !c.1).map(|c| c.0).collect::<Vec<_>>();
    assert!(ok_all(&good("甲")).is_empty());
    type Breakage = (fn(&mut StatRow), &'static [&'static str]);
    let broken: [Breakage; 6] = [
        (|r| r.sources.proactive += 1, &["sources"]),
        (|r| r.by_dispute_type[0].count += 1, &["dispute_types"]),
        (|r| r.agreement_forms.written += 1, &["agreement_forms"]),
        (|r| r.success = 3, &["agreement_forms", "success_le_total"]),
        (|r| r.sources.referral_by_type[4].count += 1, &["referral_types"]),
        (|r| r.by_committee_type[5].count += 1, &["committee_types"]),
    ];
    for (breaks, expect) in broken {
        let mut r = good("乙");
        breaks(&mut r);
        assert_eq!(ok_all(&r), expect);
    }
    // A failure in one row fails the check even when another row is fine, and names the row.
    let mut bad = good("乙村调委会");
    bad.success = 3;
    let checks = consistency_checks(&[&good("甲"), &bad]);
    let c = checks.iter().find(|c| c.code == "success_le_total").unwrap();
    assert!(!c.ok);
    assert_eq!(c.detail, "不一致：乙村调委会：调解成功3，调解案件总数2");
}

#[test]
fn amounts_in_wan() {
    assert_eq!(cents_to_wan(0), "0.00");
    assert_eq!(cents_to_wan(4_999), "0.00");
    assert_eq!(cents_to_wan(5_000), "0.01");
    assert_eq!(cents_to_wan(1_000_000), "1.00");
    assert_eq!(cents_to_wan(1_735_000), "1.74");
    assert_eq!(cents_to_wan(12_345_678_900), "12345.68");
    assert_eq!(cents_to_wan(-5_000), "-0.01");
}

/// The county keeps one digest of everything per office and adds any period up from it: it
/// must answer what the office's own 统计 answers, at every boundary of the hand-counted
/// world (each record's day, the day before and after).
#[test]
fn a_digest_of_everything_answers_every_period_as_the_store_does() {
    let w = world();
    let all = w.f.store.stat_digest_all().unwrap();
    let days = [
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 3, 15),
        date(2026, 6, 29),
        date(2026, 6, 30),
        date(2026, 7, 1),
        date(2026, 7, 2),
        date(2027, 1, 1),
    ];
    let t = Targets::default();
    let mut nonzero = 0;
    for (i, &a) in days.iter().enumerate() {
        for &b in &days[i..] {
            let table = w.f.store.case_statistics(a, b).unwrap();
            assert_eq!(all.case_statistics(a, b).unwrap(), table, "{a}–{b}");
            assert_eq!(all.metrics(a, b, &t).unwrap(), w.f.store.metrics(a, b, &t).unwrap(), "{a}–{b}");
            assert_eq!(all.cases_and_success(a, b), (table.own_total.total, table.own_total.success), "{a}–{b}");
            nonzero += usize::from(table.own_total.total > 0);
        }
    }
    assert!(nonzero > 10, "the periods cover the world's cases ({nonzero} with cases)");
    // A period backwards is refused by the digest too.
    assert!(all.case_statistics(date(2026, 2, 1), date(2026, 1, 1)).is_err());
}
