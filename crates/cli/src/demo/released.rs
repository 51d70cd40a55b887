//! Released-person files: the person, the release notice, handover, resettlement, the help
//! group with its leader, help visits, assessment changes and the handover steps.

use chrono::{Duration, NaiveDate};
use fengqiao_model::*;

use super::gen::Gen;
use super::people::{self, PersonSpec};
use super::words::*;
use super::world::World;

pub struct ReleasedGen<'w> {
    w: &'w World,
    done: usize,
    resettled: usize,
    groups: usize,
}

impl<'w> ReleasedGen<'w> {
    pub fn new(w: &'w World) -> Self {
        ReleasedGen { w, done: 0, resettled: 0, groups: 0 }
    }

    pub fn build(&mut self, g: &mut Gen, i: usize) -> ReleasedFile {
        let w = self.w;
        let today = g.today;
        let yesterday = today - Duration::days(1);
        let years = |n: i64| Duration::days(365 * n + n / 4);
        let clerk = w.clerk(g).to_string();

        // ---- when, and what became of the person ----
        let forced = HelpStatus::ALL.get(i).copied();
        let released_on = match forced {
            Some(HelpStatus::Expired) => g.date(today - years(7), today - years(5) - Duration::days(30)),
            Some(_) => g.date(today - years(4), today - Duration::days(90)),
            None if i == 6 => g.date(today - Duration::days(5), yesterday),
            None if g.chance(0.015) => g.date(today + Duration::days(1), today + Duration::days(30)),
            None => g.date(today - years(7), yesterday),
        };
        let future = released_on > today;
        let end = released::default_help_period_end(released_on, 5).unwrap_or(released_on);
        let recent = (today - released_on).num_days() < 90;
        let help_status = match forced {
            Some(s) => s,
            None if future || recent => HelpStatus::Active,
            None if end < today => g.weighted(&[
                (HelpStatus::Expired, 85),
                (HelpStatus::Active, 8),
                (HelpStatus::MovedOut, 3),
                (HelpStatus::Deceased, 3),
                (HelpStatus::Reoffended, 1),
            ]),
            None => g.weighted(&[
                (HelpStatus::Active, 935),
                (HelpStatus::Reoffended, 30),
                (HelpStatus::LostContact, 10),
                (HelpStatus::MovedOut, 15),
                (HelpStatus::Deceased, 10),
            ]),
        };
        let help_end = end.min(yesterday);
        let reoffense_on = (help_status == HelpStatus::Reoffended).then(|| g.date(released_on + Duration::days(60), help_end));
        let help_released_on = (help_status == HelpStatus::Expired).then(|| (end + Duration::days(g.int(1, 20))).min(today));
        // The last day the office worked with the person.
        let active_until = reoffense_on.or(help_released_on).unwrap_or(help_end).min(help_end);

        let assessment = match i {
            0 => AssessmentType::Key,
            1 => AssessmentType::General,
            _ if g.chance(0.2) => AssessmentType::Key,
            _ => AssessmentType::General,
        };
        let key = assessment == AssessmentType::Key;
        let juvenile = i == 10 || (i >= CrimeCategory::ALL.len() && g.chance(0.01));
        let correction = i == 9 || g.chance(0.03);

        // ---- the person ----
        let gender = if juvenile || g.chance(0.9) { Gender::Male } else { Gender::Female };
        let birth =
            if juvenile { released_on - Duration::days(g.int(16 * 365 + 10, 17 * 365 + 300)) } else { people::adult_birth(g, released_on, 20, 70) };
        let village = g.index(w.villages.len());
        let noticed = released_on - Duration::days(g.int(25, 40));
        let created = g.at(noticed.min(today), 9, 17);
        let mut person = people::person(g, w, PersonSpec { gender, birth, village, surname: None, floating: false, with_id: true }, created);
        let dual = g.chance(0.04);
        let mut registered = Vec::new();
        if dual {
            let (code, county) = *g.pick(COUNTIES);
            registered = vec![w.villages[village].code.clone(), code.to_string()];
            person.residence_division_code = Some(code.to_string());
            person.residence_address = Some(format!("{}{county}{}{}号", w.city, g.pick(ROADS), g.int(1, 300)));
        }
        let name = person.name.clone().unwrap_or_default();

        // ---- the crime and the prison ----
        let crime = match CrimeCategory::ALL.get(i) {
            Some(c) => *CRIMES.iter().find(|x| x.1 == c.code()).expect("a crime in every category"),
            // What minors are sentenced for.
            None if juvenile => *CRIMES
                .iter()
                .filter(|c| ["盗窃罪", "抢劫罪", "故意伤害罪", "寻衅滋事罪", "聚众斗殴罪"].contains(&c.0))
                .nth(g.index(5))
                .expect("juvenile crimes"),
            None => {
                let weights: Vec<(usize, u32)> = CRIMES.iter().enumerate().map(|(n, c)| (n, c.2)).collect();
                CRIMES[g.weighted(&weights)]
            }
        };
        let (crime_name, category, _, (lo, hi), detention) = crime;
        let months = g.int(lo, hi);
        let term = if detention {
            format!("拘役{months}个月")
        } else {
            match (months / 12, months % 12) {
                (0, m) => format!("有期徒刑{m}个月"),
                (y, 0) => format!("有期徒刑{y}年"),
                (y, m) => format!("有期徒刑{y}年{m}个月"),
            }
        };
        let (prison, prison_type) = if correction {
            (format!("{}社区矫正管理局", w.county_full()), None)
        } else if juvenile {
            (PRISON_JUVENILE.to_string(), Some(PrisonType::JuvenileFacility))
        } else if detention || months <= 12 {
            ("泉州市看守所".to_string(), Some(PrisonType::DetentionCenter))
        } else if gender == Gender::Female {
            (PRISON_FEMALE.to_string(), Some(PrisonType::Prison))
        } else {
            let (n, _) = *g.pick(PRISONS_MALE);
            let t = if n.contains("看守所") { PrisonType::DetentionCenter } else { PrisonType::Prison };
            (n.to_string(), Some(t))
        };
        let supplementary = match g.int(0, 99) {
            0..=34 => Some(format!("罚金人民币{}元", g.int(1, 50) * 1000)),
            35..=39 => Some(format!("剥夺政治权利{}年", g.int(1, 3))),
            _ => None,
        };

        // ---- handover ----
        let handover_status = if future || i == 6 {
            HandoverStatus::Pending
        } else if i == 7 || g.chance(0.025) {
            HandoverStatus::Failed
        } else {
            HandoverStatus::Done
        };
        let done = handover_status == HandoverStatus::Done;
        let handover_on = done.then(|| (released_on + Duration::days(g.int(0, 1))).min(today));
        let handover_method = done.then(|| {
            self.done += 1;
            match HandoverMethod::ALL.get(self.done - 1) {
                Some(m) => *m,
                None if key => g.weighted(&[
                    (HandoverMethod::JudicialOfficeCollected, 40),
                    (HandoverMethod::GovernmentCollected, 20),
                    (HandoverMethod::GrassrootsCollected, 20),
                    (HandoverMethod::PrisonEscorted, 19),
                    (HandoverMethod::PoliceControl, 1),
                ]),
                None => g.weighted(&[
                    (HandoverMethod::SelfReturned, 60),
                    (HandoverMethod::GrassrootsCollected, 15),
                    (HandoverMethod::JudicialOfficeCollected, 10),
                    (HandoverMethod::GovernmentCollected, 5),
                    (HandoverMethod::PrisonEscorted, 3),
                    (HandoverMethod::PoliceControl, 2),
                    (HandoverMethod::Other, 5),
                ]),
            }
        });
        let notice_received_on = noticed.min(today);
        let receipt_returned_on = (notice_received_on + Duration::days(g.int(2, 10))).min(today);
        let police_registration_on = (done && released_on < today).then(|| (released_on + Duration::days(g.int(1, 15))).min(today));

        // ---- resettlement ----
        let can_resettle = done && (today - released_on).num_days() >= 15 && help_status != HelpStatus::Deceased;
        let resettled_on = (can_resettle && g.chance(0.9)).then(|| (released_on + Duration::days(g.int(15, 180))).min(today));
        let resettlement_method = resettled_on.map(|_| {
            self.resettled += 1;
            match ResettlementMethod::ALL.get(self.resettled - 1) {
                Some(m) => *m,
                None => g.weighted(&[
                    (ResettlementMethod::ResponsibilityLand, 25),
                    (ResettlementMethod::PublicWelfareJob, 5),
                    (ResettlementMethod::CertifiedEnterpriseBase, 5),
                    (ResettlementMethod::GovernmentBase, 3),
                    (ResettlementMethod::SelfEmployed, 20),
                    (ResettlementMethod::EnterpriseEmployment, 30),
                    (ResettlementMethod::Entrepreneurship, 7),
                    (ResettlementMethod::Other, 5),
                ]),
            }
        });
        let age = fengqiao_model::id_number::age_on(birth, released_on);
        let unresettled_reason = (resettled_on.is_none() && (today - released_on).num_days() >= 30).then(|| {
            // The first reason (old age) only for the old, and only for them.
            if age >= 60 {
                UNRESETTLED_REASONS[0].to_string()
            } else {
                g.text(&UNRESETTLED_REASONS[1..]).to_string()
            }
        });
        let mut assistance = Vec::new();
        if g.chance(0.15) {
            assistance.push(*g.pick(Assistance::ALL));
        }
        let mut flags = Vec::new();
        if crime_name.contains('毒') {
            flags.push(PersonFlag::Drug);
        }
        if juvenile {
            flags.push(PersonFlag::Minor);
        }
        for (flag, p) in [(PersonFlag::ThreeNo, 0.02), (PersonFlag::MentalDisorder, 0.005), (PersonFlag::Hiv, 0.002), (PersonFlag::Other, 0.003)] {
            if g.chance(p) {
                flags.push(flag);
            }
        }

        // ---- an assessment change for a few ----
        let changed = !future && (today - released_on).num_days() > 200 && (i == 2 || g.chance(0.05));
        let original = if changed {
            if key {
                AssessmentType::General
            } else {
                AssessmentType::Key
            }
        } else {
            assessment
        };

        let updated_day = help_released_on.or(reoffense_on).or(resettled_on).or(handover_on).unwrap_or(notice_received_on);
        let updated = g.at(updated_day.min(today), 9, 17);
        let meta = g.meta(w.office_id, &clerk, created, updated, if future { 1 } else { 3 });
        let rid = meta.id;
        let reoffense_crime = reoffense_on.map(|_| {
            let weights: Vec<(usize, u32)> = CRIMES.iter().enumerate().map(|(n, c)| (n, c.2)).collect();
            CRIMES[g.weighted(&weights)].0.to_string()
        });
        let released = ReleasedPerson {
            meta,
            person_id: Some(person.meta.id),
            is_recidivist: Some(!juvenile && g.chance(0.15)),
            crime_name: Some(crime_name.to_string()),
            crime_category: CrimeCategory::from_code(category),
            sentence_term: Some(term),
            sentence_months: Some(months),
            supplementary_penalty: supplementary,
            prison_name: Some(prison.clone()),
            prison_type,
            released_on: Some(released_on),
            release_type: Some(if correction { ReleaseType::CorrectionEnded } else { ReleaseType::SentenceServed }),
            assessment_type: Some(assessment),
            notice_received_on: Some(notice_received_on),
            notice_from: Some(prison.clone()),
            receipt_returned_on: Some(receipt_returned_on),
            handover_on,
            handover_method,
            handover_status: Some(handover_status),
            handover_fail_reason: (handover_status == HandoverStatus::Failed).then(|| g.pick(HANDOVER_FAIL_REASONS).to_string()),
            must_escort: Some(original == AssessmentType::Key),
            police_registration_on,
            resettled_on,
            resettlement_method,
            unresettled_reason,
            assistance,
            help_period_start: Some(released_on),
            help_period_end: Some(end),
            help_status: Some(help_status),
            help_summary: Some(help_summary(help_status, reoffense_crime.as_deref())),
            help_released_on,
            police_key_control: key && g.chance(0.6),
            dual_registration: dual,
            registered_division_codes: registered,
            reoffended: Some(reoffense_on.is_some()),
            reoffense_crime,
            reoffense_on,
            flags,
        };

        // ---- the help group and its visits ----
        let vill = &w.villages[village];
        let surname = people::surname_of(&name).to_string();
        let help_group = handover_on.map(|h| {
            let formed = (h + Duration::days(g.int(0, 5))).min(today);
            let signed = (formed + Duration::days(g.int(0, 2))).min(today);
            self.groups += 1;
            let all_roles = self.groups == 1;
            let staff = w.staff[g.index(w.staff.len())].clone();
            let leader_is_staff = g.chance(0.6);
            let mut members = vec![
                HelpGroupMember {
                    name: Some(staff),
                    role: Some(HelpGroupRole::JudicialStaff),
                    org: Some(format!("{}司法所", w.town)),
                    phone: Some(people::phone(g)),
                    is_leader: leader_is_staff,
                },
                HelpGroupMember {
                    name: Some(vill.head.clone()),
                    role: Some(HelpGroupRole::VillageCadre),
                    org: Some(vill.council()),
                    phone: Some(people::phone(g)),
                    is_leader: !leader_is_staff,
                },
                HelpGroupMember {
                    name: Some(people::name(g, Gender::Male, None)),
                    role: Some(HelpGroupRole::Police),
                    org: Some(w.police_station()),
                    phone: Some(people::phone(g)),
                    is_leader: false,
                },
                HelpGroupMember {
                    name: Some(people::any_name(g, 0.4, Some(&surname))),
                    role: Some(HelpGroupRole::Family),
                    org: None,
                    phone: Some(people::phone(g)),
                    is_leader: false,
                },
            ];
            for (role, org, p) in [
                (HelpGroupRole::SocialWorker, format!("{}社会工作服务站", w.town), 0.15),
                (HelpGroupRole::Volunteer, format!("{}志愿者协会", w.town), 0.1),
                (HelpGroupRole::Employer, format!("{}{}有限公司", w.town, g.pick(FIRM_WORDS)), 0.1),
            ] {
                if all_roles || g.chance(p) {
                    let gender = people::random_gender(g, 0.5);
                    members.push(HelpGroupMember {
                        name: Some(people::name(g, gender, None)),
                        role: Some(role),
                        org: Some(org),
                        phone: Some(people::phone(g)),
                        is_leader: false,
                    });
                }
            }
            let t = g.at(formed, 9, 17);
            HelpGroup {
                meta: g.meta(w.office_id, &clerk, t, t, 1),
                released_person_id: Some(rid),
                formed_on: Some(formed),
                agreement_signed_on: Some(signed),
                members,
            }
        });
        let mut help_visits = Vec::new();
        if let Some(group) = &help_group {
            let formed = group.formed_on.unwrap_or(released_on);
            let step = if key { 30 } else { 90 };
            let max = if key { 6 } else { 4 };
            let mut day = active_until - Duration::days(g.int(0, 10));
            let first = formed + Duration::days(3);
            let visitors: Vec<String> = group.members.iter().take(2).filter_map(|m| m.name.clone()).collect();
            let mut dates = Vec::new();
            while day >= first && dates.len() < max {
                dates.push(day);
                day -= Duration::days(step + g.int(-7, 7));
            }
            dates.reverse();
            let lost = help_status == HelpStatus::LostContact;
            for (n, d) in dates.iter().enumerate() {
                let at = g.at(*d, 9, 17);
                let anomaly = lost && n + 1 == dates.len();
                // What the person said, what the group saw as a problem, what it did.
                const SITUATIONS: [(&str, Option<&str>, Option<&str>); 5] = [
                    ("目前在本地务工，收入稳定。", None, None),
                    ("在家务农，家庭关系和睦。", None, None),
                    ("正在找工作，希望得到就业推荐。", Some("就业不稳定"), Some("推荐参加镇人社所组织的职业技能培训")),
                    ("身体状况一般，家庭经济较为困难。", Some("家庭经济困难"), Some("协助申请临时救助")),
                    ("与家人偶有争吵，情绪有时低落。", Some("与家人关系紧张"), Some("约请家属共同谈话，做好心理疏导")),
                ];
                let situation = SITUATIONS[g.weighted(&[(0, 40), (1, 30), (2, 12), (3, 10), (4, 8)])];
                let kind = g.weighted(&[
                    (HelpVisitType::Visit, 50),
                    (HelpVisitType::Talk, 20),
                    (HelpVisitType::Phone, 20),
                    (HelpVisitType::GroupEducation, 5),
                    (HelpVisitType::AidDelivery, 5),
                ]);
                let mut topics = vec![HelpTopic::Thought];
                if g.chance(0.6) {
                    topics.push(*g.pick(&[HelpTopic::Employment, HelpTopic::Livelihood, HelpTopic::Family, HelpTopic::LawAbiding]));
                }
                help_visits.push(HelpVisit {
                    meta: g.meta(w.office_id, &clerk, at, at, 1),
                    released_person_id: Some(rid),
                    visited_at: Some(at),
                    place: Some(match kind {
                        HelpVisitType::Phone => "电话联系".to_string(),
                        HelpVisitType::GroupEducation => format!("{}司法所", w.town),
                        _ => {
                            if g.chance(0.7) {
                                "本人家中".to_string()
                            } else {
                                vill.council()
                            }
                        }
                    }),
                    visitor_ids: vec![],
                    visitor_names: visitors.clone(),
                    visit_type: Some(kind),
                    topics,
                    content: Some(if anomaly {
                        format!("帮教小组到{name}家中走访，未见本人，家属称其已外出多日，电话无法接通。")
                    } else {
                        format!("帮教小组与{name}谈话，了解其近期思想动态和生活就业情况。{name}表示认罪悔罪，遵纪守法，{}", situation.0)
                    }),
                    problems: situation.1.map(String::from),
                    help_given: situation.2.map(String::from),
                    next_plan_on: Some(*d + Duration::days(step)),
                    anomaly,
                    anomaly_note: anomaly.then(|| "本人失联，已报告派出所并发出协查通报".to_string()),
                });
            }
        }
        let assessment_changes = if changed {
            let on = g.date(released_on + Duration::days(90), help_end.max(released_on + Duration::days(90)).min(today));
            let t = g.at(on, 9, 17);
            vec![AssessmentChange {
                meta: g.meta(w.office_id, &clerk, t, t, 1),
                released_person_id: Some(rid),
                from: Some(original),
                to: Some(assessment),
                changed_on: Some(on),
                reason: Some(
                    if key {
                        "帮教期间多次违反管理规定，经评估调整为重点帮教对象"
                    } else {
                        "帮教期间表现良好，经评估调整为一般帮教对象"
                    }
                    .to_string(),
                ),
                approved_by: Some(w.staff[0].clone()),
            }]
        } else {
            vec![]
        };
        let mut steps: Vec<(HandoverEventKind, NaiveDate)> = vec![
            (HandoverEventKind::NoticeReceived, notice_received_on),
            (HandoverEventKind::Verification, (notice_received_on + Duration::days(g.int(1, 3))).min(today)),
            (HandoverEventKind::ReceiptSent, receipt_returned_on),
        ];
        if let (Some(on), Some(m)) = (handover_on, handover_method) {
            if m.is_escort() {
                steps.push((HandoverEventKind::Collected, on));
            }
            if let Some(p) = police_registration_on {
                steps.push((HandoverEventKind::Reported, p));
            }
            steps.push((HandoverEventKind::FileCreated, (on + Duration::days(g.int(1, 5))).min(today)));
        }
        if let Some(s) = help_group.as_ref().and_then(|g| g.agreement_signed_on) {
            steps.push((HandoverEventKind::AgreementSigned, s));
        }
        steps.sort_by_key(|s| s.1);
        let handover_events = steps
            .into_iter()
            .map(|(event, on)| {
                let t = g.at(on, 9, 17);
                HandoverEvent {
                    meta: g.meta(w.office_id, &clerk, t, t, 1),
                    released_person_id: Some(rid),
                    event: Some(event),
                    on: Some(on),
                    by: Some(clerk.clone()),
                    note: None,
                }
            })
            .collect();
        ReleasedFile { released, person: Some(person), help_group, help_visits, assessment_changes, handover_events }
    }
}

fn help_summary(s: HelpStatus, crime: Option<&str>) -> String {
    match s {
        HelpStatus::Active => "已落实帮教小组和帮教协议，定期走访谈话，本人思想稳定，遵纪守法。".to_string(),
        HelpStatus::Expired => "帮教期内表现良好，帮教期满，经评估予以解除。".to_string(),
        HelpStatus::Reoffended => format!("帮教期内因涉嫌{}被公安机关依法处理。", crime.unwrap_or("违法犯罪")),
        HelpStatus::Deceased => "本人因病死亡，已注销帮教档案。".to_string(),
        HelpStatus::MovedOut => "本人户籍已迁出本辖区，帮教档案已移交迁入地司法所。".to_string(),
        HelpStatus::LostContact => "本人离家外出后失去联系，已报告公安机关协查。".to_string(),
    }
}
