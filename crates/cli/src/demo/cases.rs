//! Dispute cases with their whole file, consistent with their status: a closed case has its
//! result, sessions (the first with the rights notice), an agreement when it succeeded, and
//! perhaps a return visit; an archived one has its archive fields.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use fengqiao_model::*;
use uuid::Uuid;

use super::gen::{cn_date, cn_month, yuan, Gen};
use super::narrative::{self, fill, Scenario, SPECS};
use super::people::{self, anonymized};
use super::words::*;
use super::world::{Role, World};

/// A case with its file and the persons it refers to outside its parties (witnesses, agents).
pub struct CaseBundle {
    pub file: CaseFile,
    pub extra_persons: Vec<Person>,
}

/// What is decided before the files are made: enough to number the cases in date order.
pub struct Head {
    pub dtype: DisputeType,
    pub status: CaseStatus,
    pub source: (CaseSource, Option<ReferralType>),
    pub committee: usize,
    pub village: usize,
    /// The acceptance date, or the application date of a case never accepted.
    pub date: NaiveDate,
    pub accepted: bool,
    pub case_no: Option<String>,
}

const REFERRALS: [ReferralType; 5] =
    [ReferralType::Court, ReferralType::Procuratorate, ReferralType::Police, ReferralType::PetitionOffice, ReferralType::OtherDept];

/// Plans `n` cases over the last six years up to yesterday (drafts up to today), every type,
/// source and status among the first ones, and numbers them per committee and year in date
/// order, after the numbers already issued (`last_seq`).
pub fn plan(g: &mut Gen, w: &World, n: usize, last_seq: &mut HashMap<(Uuid, i32), i64>) -> Vec<Head> {
    let today = g.today;
    let yesterday = today - Duration::days(1);
    let start = today - Duration::days(6 * 365);
    let type_weights: Vec<(DisputeType, u32)> = SPECS.iter().map(|s| (s.t, s.weight)).collect();
    let mut heads = Vec::with_capacity(n);
    for i in 0..n {
        let dtype = if i < DisputeType::ALL.len() { DisputeType::ALL[i] } else { g.weighted(&type_weights) };
        let (status, date) = if i < CaseStatus::ALL.len() {
            let s = CaseStatus::ALL[i];
            (s, date_for(g, s, start, today))
        } else {
            let d = g.date(start, yesterday);
            let s = status_by_age(g, (today - d).num_days());
            if s == CaseStatus::Draft {
                (s, g.date(today - Duration::days(2), today))
            } else {
                (s, d)
            }
        };
        let source = if i < 2 + REFERRALS.len() {
            match i {
                0 => (CaseSource::PartyApplication, None),
                1 => (CaseSource::Proactive, None),
                _ => (CaseSource::Referral, Some(REFERRALS[i - 2])),
            }
        } else {
            source_for(g, dtype)
        };
        let village = g.index(w.villages.len());
        let committee = committee_for(g, w, dtype, village);
        let accepted = match status {
            CaseStatus::Draft => false,
            CaseStatus::Rejected => g.chance(0.5),
            _ => true,
        };
        heads.push(Head { dtype, status, source, committee, village, date, accepted, case_no: None });
    }
    heads.sort_by_key(|h| h.date);
    for h in heads.iter_mut().filter(|h| h.accepted) {
        let c = &w.committees[h.committee];
        let seq = last_seq.entry((c.id, h.date.year())).or_insert(0);
        *seq += 1;
        h.case_no = Some(case_no::format(h.date.year(), &c.prefix, *seq));
    }
    heads
}

fn date_for(g: &mut Gen, s: CaseStatus, start: NaiveDate, today: NaiveDate) -> NaiveDate {
    let days_ago = |g: &mut Gen, lo: i64, hi: i64| (today - Duration::days(g.int(lo, hi))).max(start);
    match s {
        CaseStatus::Draft => days_ago(g, 0, 2),
        CaseStatus::Accepted => days_ago(g, 1, 5),
        CaseStatus::Investigating | CaseStatus::Mediating | CaseStatus::Terminated => days_ago(g, 3, 25),
        CaseStatus::AgreementReached | CaseStatus::Performing => days_ago(g, 5, 40),
        CaseStatus::Closed => days_ago(g, 40, 400),
        CaseStatus::Archived => days_ago(g, 120, 2000),
        CaseStatus::Rejected | CaseStatus::Withdrawn => days_ago(g, 3, 700),
    }
}

fn status_by_age(g: &mut Gen, age: i64) -> CaseStatus {
    use CaseStatus::*;
    let table: &[(CaseStatus, u32)] = match age {
        0..=2 => &[(Draft, 20), (Accepted, 45), (Investigating, 20), (Mediating, 15)],
        3..=29 => &[
            (Accepted, 5),
            (Investigating, 12),
            (Mediating, 25),
            (AgreementReached, 8),
            (Performing, 10),
            (Terminated, 4),
            (Closed, 30),
            (Rejected, 2),
            (Withdrawn, 4),
        ],
        30..=119 => &[(Mediating, 3), (Performing, 8), (Terminated, 1), (Closed, 61), (Archived, 24), (Rejected, 2), (Withdrawn, 1)],
        _ => &[(Performing, 1), (Closed, 12), (Archived, 84), (Rejected, 2), (Withdrawn, 1)],
    };
    g.weighted(table)
}

fn source_for(g: &mut Gen, t: DisputeType) -> (CaseSource, Option<ReferralType>) {
    use DisputeType::*;
    use ReferralType::*;
    let referral = match t {
        TrafficAccident if g.chance(0.6) => Some(Police),
        Damages if g.chance(0.35) => Some(Police),
        Medical if g.chance(0.5) => Some(OtherDept),
        LandExpropriation if g.chance(0.4) => Some(if g.chance(0.8) { OtherDept } else { PetitionOffice }),
        LaborWageArrears | LaborOther if g.chance(0.4) => Some(OtherDept),
        MarriageFamily | Contract if g.chance(0.12) => Some(Court),
        _ if g.chance(0.05) => Some(*g.pick(&REFERRALS)),
        _ => None,
    };
    match referral {
        Some(r) => (CaseSource::Referral, Some(r)),
        None if g.chance(0.62) => (CaseSource::PartyApplication, None),
        None => (CaseSource::Proactive, None),
    }
}

fn committee_for(g: &mut Gen, w: &World, t: DisputeType, village: usize) -> usize {
    use DisputeType::*;
    let role = match t {
        Medical => Role::Medical,
        TrafficAccident if g.chance(0.75) => Role::Traffic,
        LaborWageArrears | LaborOther if g.chance(0.4) => Role::Enterprise,
        _ if g.chance(0.65) => Role::Village(village),
        _ => Role::Township,
    };
    w.committee_for(role).or_else(|| w.committee_for(Role::Township)).unwrap_or(0)
}

/// Makes the files; counters make sure every performance status, agreement form and
/// judicial-confirmation outcome appears early.
pub struct CaseGen<'w> {
    w: &'w World,
    successes: usize,
    closed: usize,
    closed_successes: usize,
    visits: usize,
    firms: HashMap<String, LegalEntity>,
}

impl<'w> CaseGen<'w> {
    pub fn new(w: &'w World) -> Self {
        CaseGen { w, successes: 0, closed: 0, closed_successes: 0, visits: 0, firms: HashMap::new() }
    }

    pub fn build(&mut self, g: &mut Gen, h: &Head) -> CaseBundle {
        let w = self.w;
        let today = g.today;
        let last = today - Duration::days(1);
        let spec = narrative::spec(h.dtype);
        let sc: &Scenario = g.pick(spec.scenarios);
        let committee = &w.committees[h.committee];
        let village = &w.villages[h.village];
        let base = h.date;
        let accepted_on = h.accepted.then_some(base);
        let status = h.status;
        let clerk = w.clerk(g).to_string();

        // ---- timeline ----
        let concluded = matches!(
            status,
            CaseStatus::AgreementReached | CaseStatus::Performing | CaseStatus::Terminated | CaseStatus::Closed | CaseStatus::Archived
        );
        let result = match status {
            CaseStatus::AgreementReached | CaseStatus::Performing => Some(MediationResult::Success),
            CaseStatus::Terminated => Some(MediationResult::Failed),
            CaseStatus::Withdrawn => Some(MediationResult::Withdrawn),
            CaseStatus::Closed | CaseStatus::Archived => {
                self.closed += 1;
                Some(if self.closed == 2 || g.chance(0.025) { MediationResult::Failed } else { MediationResult::Success })
            }
            _ => None,
        };
        let long = g.chance(0.12);
        let m_days = if long { g.int(31, 60) } else { g.int(1, 25) };
        let m_end = concluded.then(|| (base + Duration::days(m_days)).min(last).max(base));
        let extension = match (m_end, status) {
            (Some(end), _) if (end - base).num_days() > 30 => true,
            (None, CaseStatus::Mediating | CaseStatus::Investigating) => (last - base).num_days() > 30,
            _ => false,
        };
        let success = result == Some(MediationResult::Success);
        let performance = success.then(|| self.performance(g, status));
        let due = match (performance, m_end) {
            (Some(PerformanceStatus::Immediate), Some(end)) => Some(end),
            (Some(_), Some(end)) => Some(end + Duration::days(g.int(7, 90))),
            _ => None,
        };
        let mut closed_on = match (status, m_end) {
            (CaseStatus::Closed | CaseStatus::Archived, Some(end)) => Some(match (performance, due) {
                (Some(PerformanceStatus::Immediate), _) | (None, _) => end + Duration::days(g.int(0, 2)),
                (Some(PerformanceStatus::Fulfilled), Some(d)) => d + Duration::days(g.int(0, 10)),
                (_, Some(d)) => d + Duration::days(g.int(10, 60)),
                (_, None) => end,
            }),
            _ => None,
        };
        if let Some(c) = &mut closed_on {
            *c = (*c).min(last);
        }
        let due = match (due, closed_on) {
            (Some(d), Some(c)) => Some(d.min(c)),
            (d, _) => d,
        };
        let archived_on = (status == CaseStatus::Archived).then(|| (closed_on.unwrap_or(base) + Duration::days(g.int(3, 60))).min(today));
        // Session dates: spread from acceptance to the conclusion (or yesterday).
        let n_sessions = match status {
            CaseStatus::Mediating => g.int(1, 2),
            CaseStatus::Withdrawn if h.accepted => g.int(0, 1),
            _ if concluded => g.int(1, 3),
            _ => 0,
        } as usize;
        let session_end = m_end.unwrap_or(last);
        let mut session_days: Vec<NaiveDate> = (0..n_sessions).map(|_| g.date(base, session_end)).collect();
        session_days.sort();
        if let (Some(end), Some(l)) = (m_end, session_days.last_mut()) {
            *l = end;
        }
        let n_investigations = match status {
            CaseStatus::Investigating => g.int(1, 2),
            _ if n_sessions > 0 && g.chance(0.55) => g.int(1, 2),
            _ => 0,
        } as usize;
        let first_session = session_days.first().copied().unwrap_or(session_end);

        // ---- persons and parties ----
        let created = g.at(base, 8, 11);
        // "{A}等{N}人": several applicants; a 群体性 dispute from five.
        let several = sc.background.iter().any(|b| b.contains("{A}等{N}人"));
        let n_applicants = if several {
            g.int(2, 8)
        } else if matches!(h.dtype, DisputeType::Environment | DisputeType::LandExpropriation) && g.chance(0.2) {
            g.int(3, 6)
        } else if g.chance(0.07) {
            2
        } else {
            1
        } as usize;
        let group = n_applicants >= 5;
        let unit = spec.unit_share > 0.0 && g.chance(spec.unit_share);
        let firm = g.pick(FIRM_WORDS).to_string();
        let county = w.county_full();
        let place_vars = |k: &str| -> Option<String> {
            Some(match k {
                "T" => w.town.clone(),
                "V" => village.name.clone(),
                "RES" => if village.community { "居民" } else { "村民" }.to_string(),
                "CITY" => w.city.clone(),
                "X" => firm.clone(),
                _ => return None,
            })
        };
        let subject = sc.subject;
        let same_surname = matches!(subject, "赡养" | "征地补偿款分配");
        let opposite = matches!(subject, "离婚" | "抚养费");
        let mut a = if subject == "离婚" {
            // Most divorce applications are the wife's (and the templates say so: 回娘家).
            let birth = people::adult_birth(g, base, 22, 60);
            people::person(
                g,
                w,
                people::PersonSpec { gender: Gender::Female, birth, village: h.village, surname: None, floating: false, with_id: true },
                created,
            )
        } else if subject == "赡养" {
            let gender = people::random_gender(g, 0.5);
            let birth = people::adult_birth(g, base, 70, 90);
            people::person(g, w, people::PersonSpec { gender, birth, village: h.village, surname: None, floating: false, with_id: true }, created)
        } else {
            w.local_person(g, h.village, base, created, None)
        };
        if subject == "征地补偿款分配" {
            a.gender = Some(Gender::Male);
            let birth = a.birth_date.unwrap_or(base);
            a.id_number = Some(people::id_number(g, &w.county_code, birth, Gender::Male));
        }
        let a_name = a.name.clone().unwrap_or_default();
        let a_surname = people::surname_of(&a_name).to_string();
        let mut persons = vec![a];
        for _ in 1..n_applicants {
            persons.push(w.local_person(g, h.village, base, created, None));
        }
        let (b_person, b_entity) = if unit {
            let name = fill(g.text(spec.units), &place_vars);
            let name = if name.contains('{') { format!("{}{}有限公司", w.town, firm) } else { name };
            // A township has a limited number of firms: the same unit recurs across cases.
            let entity = match self.firms.get(&name) {
                Some(e) => e.clone(),
                None => {
                    let legal_rep = people::any_name(g, 0.8, None);
                    let uscc = uscc(g, &w.county_code);
                    let e = LegalEntity {
                        meta: g.meta(w.office_id, &clerk, created, created, 1),
                        name: Some(name.clone()),
                        uscc: Some(uscc),
                        legal_rep: Some(legal_rep),
                        address: Some(w.address(g, h.village)),
                        phone: Some(people::phone(g)),
                    };
                    self.firms.insert(name, e.clone());
                    e
                }
            };
            (None, Some(entity))
        } else {
            let mut b = w.local_person(g, h.village, base, created, same_surname.then_some(a_surname.as_str()));
            let a_gender = persons[0].gender.unwrap_or(Gender::Male);
            let b_gender = if opposite {
                if a_gender == Gender::Male {
                    Gender::Female
                } else {
                    Gender::Male
                }
            } else if subject == "征地补偿款分配" {
                Gender::Male
            } else {
                b.gender.unwrap_or(Gender::Male)
            };
            if b.gender != Some(b_gender) {
                let birth = b.birth_date.unwrap_or(base);
                b.gender = Some(b_gender);
                if b.id_number.is_some() {
                    b.id_number = Some(people::id_number(g, &w.county_code, birth, b_gender));
                }
                b.name = Some(people::name(g, b_gender, same_surname.then_some(a_surname.as_str())));
            }
            (Some(b), None)
        };
        let b_name = b_person.as_ref().and_then(|p| p.name.clone()).or_else(|| b_entity.as_ref().and_then(|e| e.name.clone())).unwrap_or_default();
        let third = (!group && g.chance(0.04)).then(|| w.local_person(g, h.village, base, created, None));

        // ---- texts ----
        let amount = (sc.amount.1 > 0).then(|| round100(g.int(sc.amount.0, sc.amount.1)));
        let pay = amount.map(|y| round100(y * g.int(50, 100) / 100).max(100));
        let years = g.int(2, 15);
        let count = if several { n_applicants as i64 } else { g.int(2, 9) };
        let occurred = base - Duration::days(g.int(3, 120));
        let road = g.pick(ROADS).to_string();
        let vars = |k: &str| -> Option<String> {
            Some(match k {
                "A" => a_name.clone(),
                "B" => b_name.clone(),
                "M" => cn_month(occurred),
                "Y" => years.to_string(),
                "N" => count.to_string(),
                "ROAD" => road.clone(),
                "AMT" => yuan(amount.unwrap_or(0)),
                "PAY" => yuan(pay.unwrap_or(0)),
                "HALF" => yuan(amount.unwrap_or(0) / 2),
                "DUE" => cn_date(due.unwrap_or(session_end)),
                other => return place_vars(other),
            })
        };
        let a_short = anonymized(&a_name);
        let b_short = if unit { b_name.clone() } else { anonymized(&b_name) };
        let title = if n_applicants > 1 {
            format!("{a_short}等{n_applicants}人与{b_short}{subject}纠纷")
        } else {
            format!("{a_short}与{b_short}{subject}纠纷")
        };
        let mut sentences = vec![fill(g.text(sc.background), &vars), fill(g.text(sc.cause), &vars)];
        if !sc.extra.is_empty() && g.chance(0.6) {
            sentences.push(fill(g.text(sc.extra), &vars));
        }
        let facts = sentences.concat();
        sentences.push(fill(g.text(sc.status), &vars));
        let summary = sentences.concat();
        let n_requests = g.int(1, sc.requests.len() as i64) as usize;
        let requests: Vec<String> = sc.requests.iter().take(n_requests).map(|r| fill(r, &vars)).collect();
        let claim = fill(g.text(sc.claim), &vars);
        let reply = fill(g.text(sc.reply), &vars);

        // ---- the case ----
        let mediators = &committee.mediators;
        let lead = g.index(mediators.len());
        let second = if mediators.len() > 1 { (lead + 1 + g.index(mediators.len() - 1)) % mediators.len() } else { lead };
        let (lead_id, lead_name) = mediators[lead].clone();
        let (second_id, _) = mediators[second].clone();
        let case_updated = g.at(archived_on.or(closed_on).or(m_end).unwrap_or(base), 9, 17);
        let version = match status {
            CaseStatus::Draft => 1,
            CaseStatus::Accepted | CaseStatus::Rejected => 2,
            CaseStatus::Closed => 6,
            CaseStatus::Archived => 7,
            _ => 4,
        };
        let case_meta = g.meta(w.office_id, &clerk, created, case_updated, version);
        let case_id = case_meta.id;
        let (source, referral_type) = h.source;
        let risk = g.weighted(&[(None, 25), (Some(EscalationRisk::None), 60), (Some(EscalationRisk::Low), 12), (Some(EscalationRisk::High), 3)]);
        let high = risk == Some(EscalationRisk::High);
        let failed = result == Some(MediationResult::Failed);
        let mut prevented = Prevented::default();
        if g.chance(0.03) {
            prevented.criminal = CasesPersons { cases: 1, persons: g.int(2, 4) };
        }
        if group && g.chance(0.3) {
            prevented.group_petition = CasesPersons { cases: 1, persons: n_applicants as i64 };
        }
        if g.chance(0.004) {
            prevented.suicide = CasesPersons { cases: 1, persons: 1 };
        }
        if g.chance(0.003) {
            prevented.group_fight = CasesPersons { cases: 1, persons: g.int(6, 30) };
        }
        let mut case = DisputeCase {
            meta: case_meta,
            case_no: h.case_no.clone(),
            committee_id: Some(committee.id),
            accepted_on,
            applied_on: (source == CaseSource::PartyApplication || !h.accepted).then(|| (base - Duration::days(g.int(0, 3))).min(base)),
            source: Some(source),
            referral_type,
            referral_org: referral_type.map(|r| referral_org(w, r, h.dtype, &county)),
            dispute_type: Some(h.dtype),
            title: Some(title.clone()),
            summary: Some(summary.clone()),
            requests,
            occurred_on: g.chance(0.85).then_some(occurred),
            occurred_place: Some(format!("{}{}", w.town, village.name)),
            party_count: 0,
            amount_cents: amount.map(|y| y * 100),
            is_difficult: g.chance(if amount.unwrap_or(0) > 100_000 { 0.25 } else { 0.04 }),
            is_group: group,
            escalation_risk: risk,
            escalation_reported_to: high.then(|| w.police_station()),
            escalation_reported_on: high.then_some(base),
            lead_mediator_id: h.accepted.then_some(lead_id),
            mediator_ids: if h.accepted && second != lead && g.chance(0.6) { vec![second_id] } else { vec![] },
            mediator_chosen_by_party: g.chance(0.05),
            status,
            status_reason: match status {
                CaseStatus::Rejected => Some(
                    g.pick(&[
                        "一方当事人明确拒绝调解",
                        "纠纷已由人民法院受理，不属于人民调解受理范围",
                        "纠纷涉及刑事案件，已告知当事人向公安机关报案",
                    ])
                    .to_string(),
                ),
                CaseStatus::Withdrawn => {
                    Some(g.pick(&["申请人撤回调解申请，双方已自行和解", "申请人决定直接向人民法院起诉，撤回调解申请"]).to_string())
                }
                _ => None,
            },
            result,
            agreement_form: None,
            closed_on,
            failure_reason: failed.then(|| {
                g.pick(&[
                    "双方分歧较大，经多次调解仍无法达成一致",
                    "被申请人拒绝继续参加调解",
                    "一方当事人坚持通过诉讼解决",
                    "争议涉及权属确认，需由有关部门依法处理",
                ])
                .to_string()
            }),
            alternatives_told: if failed { alternatives(g, h.dtype) } else { vec![] },
            prevented,
            extension_consent: extension,
            extension_consent_on: extension.then(|| (base + Duration::days(g.int(25, 30))).min(last)),
            screening_item_id: None,
            archived_on,
            archived_by: archived_on.map(|_| w.staff[0].clone()),
            retention: archived_on.map(|_| {
                if prevented.criminal.cases > 0 || prevented.group_fight.cases > 0 {
                    Retention::Permanent
                } else if amount.unwrap_or(0) > 100_000 || g.chance(0.15) {
                    Retention::LongTerm
                } else {
                    Retention::ShortTerm
                }
            }),
            page_count: archived_on.map(|_| g.int(8, 48)),
            volume_name: archived_on.map(|_| title.clone()),
        };

        // Parties: 甲 applicants, then the respondent, then a third party.
        let notice = h.accepted.then_some(base);
        let mut parties = Vec::new();
        let sides = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"];
        let mut entries: Vec<(PartyRole, Option<Person>, Option<LegalEntity>)> =
            persons.into_iter().map(|p| (PartyRole::Applicant, Some(p), None)).collect();
        entries.push((PartyRole::Respondent, b_person, b_entity));
        if let Some(t) = third {
            entries.push((PartyRole::ThirdParty, Some(t), None));
        }
        let mut extra_persons = Vec::new();
        for (n, (role, person, entity)) in entries.into_iter().enumerate() {
            let agent = (g.chance(0.03) && person.is_some()).then(|| w.local_person(g, h.village, base, created, None));
            let party = CaseParty {
                meta: g.meta(w.office_id, &clerk, created, created, 1),
                case_id: Some(case_id),
                person_id: person.as_ref().map(|p| p.meta.id),
                entity_id: entity.as_ref().map(|e| e.meta.id),
                role: Some(role),
                side: Some(sides[n.min(sides.len() - 1)].to_string()),
                agent_person_id: agent.as_ref().map(|a| a.meta.id),
                agent_authority: agent
                    .as_ref()
                    .map(|_| g.pick(&["一般授权", "特别授权：代为承认、放弃、变更调解请求，代为签署调解协议"]).to_string()),
                rights_notice_given_on: notice,
                id_copy_attached: h.accepted,
            };
            extra_persons.extend(agent);
            parties.push(PartyEntry { party, person, entity });
        }
        case.party_count = parties.len() as i64;
        let party_ids: Vec<Uuid> = parties.iter().map(|p| p.party.meta.id).collect();

        // Investigations, before the first session.
        let mut investigations = Vec::new();
        for k in 0..n_investigations {
            let day = g.date(base, first_session);
            let started = g.at(day, 9, 16);
            let witness = k == 1 || parties[k.min(parties.len() - 1)].person.is_none();
            let (interviewee, relation, answer) = if witness {
                let p = w.local_person(g, h.village, base, started, None);
                let id = p.meta.id;
                let rel =
                    g.weighted(&[(IntervieweeRelation::Witness, 50), (IntervieweeRelation::Informed, 30), (IntervieweeRelation::VillageCadre, 20)]);
                extra_persons.push(p);
                (
                    id,
                    rel,
                    format!(
                        "我是{}{}，和两家都认识。{}",
                        village.name,
                        if village.community { "居民" } else { "村民" },
                        fill(sc.background[0], &vars)
                    ),
                )
            } else {
                let p = parties[k].person.as_ref().expect("checked").meta.id;
                (p, IntervieweeRelation::Party, if k == 0 { claim.clone() } else { reply.clone() })
            };
            let refused = g.chance(0.02);
            investigations.push(InvestigationRecord {
                meta: g.meta(w.office_id, &clerk, started, started, 1),
                case_id: Some(case_id),
                started_at: Some(started),
                ended_at: Some(started + Duration::minutes(g.int(25, 90))),
                place: Some(if g.chance(0.5) { village.council() } else { "当事人家中".to_string() }),
                interviewee_person_id: Some(interviewee),
                interviewee_relation: Some(relation),
                attendees: g.chance(0.3).then(|| format!("{}（{}）", village.head, village.cadre())),
                investigator_ids: if second != lead { vec![lead_id, second_id] } else { vec![lead_id] },
                recorder_id: Some(second_id),
                content: Some(format!(
                    "问：我们是{}的人民调解员，今天就{}向你了解情况，你要如实陈述，明白吗？\n答：明白。\n问：请你讲一下事情的经过。\n答：{answer}\n问：你还有什么要补充的？\n答：没有了。\n问：以上记录已向你宣读，是否属实？\n答：属实。",
                    committee_name(w, h.committee), title
                )),
                read_back: true,
                signed_by_interviewee: Some(if refused { SignatureStatus::Refused } else { SignatureStatus::Fingerprinted }),
                refusal_reason: refused.then(|| "被调查人表示不愿在记录上签字".to_string()),
            });
        }

        // Sessions.
        let mut sessions = Vec::new();
        for (k, day) in session_days.iter().enumerate() {
            let held = g.at(*day, 9, 17);
            let is_last = k + 1 == session_days.len();
            let outcome = match (status, is_last) {
                (_, false) => {
                    if g.chance(0.7) {
                        SessionOutcome::NoAgreementContinue
                    } else {
                        SessionOutcome::Adjourned
                    }
                }
                (CaseStatus::Mediating | CaseStatus::Withdrawn, true) => {
                    if g.chance(0.7) {
                        SessionOutcome::NoAgreementContinue
                    } else {
                        SessionOutcome::Adjourned
                    }
                }
                _ if success => SessionOutcome::Agreement,
                _ => SessionOutcome::Terminated,
            };
            let ending = match outcome {
                SessionOutcome::Agreement => "经耐心疏导，双方互谅互让，自愿达成调解协议。".to_string(),
                SessionOutcome::NoAgreementContinue => "双方分歧仍然较大，约定另行安排时间继续调解。".to_string(),
                SessionOutcome::Adjourned => format!("因{}需与家人商量，双方同意休会，择日再调。", b_short),
                SessionOutcome::Terminated => "双方坚持各自意见，无法达成一致。调解员告知双方可通过诉讼等途径解决，本次调解终止。".to_string(),
            };
            let invitees = if g.chance(0.2) {
                vec![Invitee {
                    name: Some(village.head.clone()),
                    unit: Some(village.council()),
                    relation: Some(village.cadre().into()),
                    reason: Some("熟悉双方情况，协助调解".into()),
                }]
            } else {
                vec![]
            };
            sessions.push(MediationSession {
                meta: g.meta(w.office_id, &clerk, held, held, 1),
                case_id: Some(case_id),
                seq: Some(k as i64 + 1),
                held_at: Some(held),
                place: Some(format!("{}调解室", committee_name(w, h.committee))),
                subject: Some(title.clone()),
                present_party_ids: party_ids.clone(),
                invitees,
                mediator_ids: if second != lead { vec![lead_id, second_id] } else { vec![lead_id] },
                recorder_id: Some(second_id),
                rights_notice_given: true,
                public: g.chance(0.15),
                content: Some(format!(
                    "调解员{lead_name}主持调解。调解员告知双方当事人人民调解的性质、原则及各自享有的权利和应履行的义务，双方表示清楚，同意接受调解。\n申请人{a_name}陈述：{claim}\n被申请人{b_name}陈述：{reply}\n调解员结合调查核实的情况，向双方释明相关法律规定，分析了诉讼可能面临的时间成本和举证风险。{ending}"
                )),
                session_outcome: Some(outcome),
                signatures: party_ids.iter().map(|id| PartySignature { party_id: Some(*id), status: Some(SignatureStatus::Fingerprinted) }).collect(),
            });
        }

        // The agreement.
        let agreement = match (success, m_end, performance) {
            (true, Some(day), Some(perf)) => {
                self.successes += 1;
                let oral = perf != PerformanceStatus::JcEnforced && (self.successes == 2 || (perf == PerformanceStatus::Immediate && g.chance(0.35)));
                let form = if oral { AgreementForm::Oral } else { AgreementForm::Written };
                case.agreement_form = Some(form);
                let signed = g.at(day, 10, 17);
                let n_terms = g.int(1, sc.terms.len() as i64) as usize;
                let mut terms: Vec<String> = sc.terms.iter().take(n_terms).map(|t| fill(t, &vars)).collect();
                terms.push("本协议履行完毕后，双方就本纠纷再无其他争议。".to_string());
                let wants_jc = !oral && (perf == PerformanceStatus::JcEnforced || g.chance(0.05));
                let jc_applied = wants_jc.then(|| (day + Duration::days(g.int(1, 25))).min(today));
                let jc_status =
                    jc_applied.map(|_| if perf == PerformanceStatus::JcEnforced || g.chance(0.8) { JcStatus::Decided } else { JcStatus::Applied });
                let jc_result = (jc_status == Some(JcStatus::Decided)).then(|| {
                    if perf == PerformanceStatus::JcEnforced {
                        JcResult::Confirmed
                    } else {
                        g.weighted(&[(JcResult::Confirmed, 90), (JcResult::Invalid, 5), (JcResult::NotAccepted, 5)])
                    }
                });
                let code4 = &w.county_code[2..6];
                let updated = match closed_on {
                    Some(c) => g.at(c, 9, 17),
                    None => signed,
                };
                Some(Agreement {
                    meta: g.meta(w.office_id, &clerk, signed, updated, if closed_on.is_some() { 2 } else { 1 }),
                    case_id: Some(case_id),
                    form: Some(form),
                    agreement_no: h.case_no.clone(),
                    facts: Some(facts.clone()),
                    terms,
                    performance_method: Some(match perf {
                        PerformanceStatus::Immediate => "即时履行".to_string(),
                        _ => g.pick(&["一次性给付", "分期履行", "按协议约定期限履行"]).to_string(),
                    }),
                    performance_due_on: due,
                    copies: (!oral).then_some(parties.len() as i64 + 1),
                    signed_on: (!oral).then_some(day),
                    signature_checklist: if oral {
                        SignatureChecklist::default()
                    } else {
                        SignatureChecklist {
                            parties: parties
                                .iter()
                                .map(|p| PartySignature {
                                    party_id: Some(p.party.meta.id),
                                    status: Some(if p.entity.is_some() { SignatureStatus::Sealed } else { SignatureStatus::Fingerprinted }),
                                })
                                .collect(),
                            mediator_signed: true,
                            seal_applied: true,
                        }
                    },
                    oral_registered_on: oral.then_some(day),
                    registrar_id: oral.then_some(second_id),
                    performance_status: Some(perf),
                    jc_status,
                    jc_applied_on: jc_applied,
                    jc_court: jc_applied.map(|_| w.court()),
                    jc_case_no: jc_result.map(|_| format!("（{}）闽{code4}民特{}号", jc_applied.unwrap_or(day).year(), g.int(1, 900))),
                    jc_result,
                    supersedes_agreement_id: None,
                })
            }
            _ => None,
        };

        // A return visit for some concluded agreements.
        let mut return_visits = Vec::new();
        if let (Some(a), Some(day)) = (&agreement, m_end) {
            let until = closed_on.unwrap_or(last);
            self.visits += 1;
            if (self.visits <= 3 || g.chance(0.4)) && until > day {
                let vday = g.date(day + Duration::days(1), until);
                let at = g.at(vday, 9, 17);
                let observed = a.performance_status.unwrap_or(PerformanceStatus::InProgress);
                let risk = g.chance(0.03);
                let visited = parties[0].person.as_ref().map(|p| p.meta.id).expect("the applicant is a person");
                return_visits.push(ReturnVisit {
                    meta: g.meta(w.office_id, &clerk, at, at, 1),
                    case_id: Some(case_id),
                    agreement_no: h.case_no.clone(),
                    visited_person_id: Some(visited),
                    reason: Some(title.clone()),
                    visited_at: Some(at),
                    method: Some(g.weighted(&[(ReturnVisitMethod::OnSite, 60), (ReturnVisitMethod::Phone, 35), (ReturnVisitMethod::Interview, 5)])),
                    content: Some(visit_text(observed, &a_name, &b_name)),
                    performance_status_observed: Some(observed),
                    satisfaction: Some(match observed {
                        PerformanceStatus::Immediate | PerformanceStatus::Fulfilled | PerformanceStatus::JcEnforced => {
                            if g.chance(0.85) {
                                Satisfaction::Satisfied
                            } else {
                                Satisfaction::BasicallySatisfied
                            }
                        }
                        PerformanceStatus::InProgress | PerformanceStatus::Partial => Satisfaction::BasicallySatisfied,
                        _ => Satisfaction::Unsatisfied,
                    }),
                    risk_found: risk,
                    measures: risk.then(|| "已约双方再次沟通，督促履行，并告知可依法向人民法院起诉".to_string()),
                    visitor_ids: vec![lead_id],
                });
            }
        }

        CaseBundle { file: CaseFile { case, parties, investigations, sessions, agreement, return_visits }, extra_persons }
    }

    /// The performance status of a successful case; the first closed successes walk through
    /// every status a closed case can have.
    fn performance(&mut self, g: &mut Gen, status: CaseStatus) -> PerformanceStatus {
        use PerformanceStatus::*;
        match status {
            CaseStatus::AgreementReached => InProgress,
            CaseStatus::Performing => {
                if g.chance(0.7) {
                    InProgress
                } else {
                    Partial
                }
            }
            _ => {
                const CLOSED: [PerformanceStatus; 6] = [Immediate, Fulfilled, Partial, NotPerformed, Sued, JcEnforced];
                let n = self.closed_successes;
                self.closed_successes += 1;
                if n < CLOSED.len() {
                    CLOSED[n]
                } else {
                    g.weighted(&[(Immediate, 45), (Fulfilled, 42), (Partial, 5), (NotPerformed, 3), (Sued, 3), (JcEnforced, 2)])
                }
            }
        }
    }
}

fn round100(y: i64) -> i64 {
    (y + 50) / 100 * 100
}

fn committee_name(w: &World, idx: usize) -> String {
    let c = &w.committees[idx];
    match c.role {
        Role::Village(v) => format!("{}{}人民调解委员会", w.town, w.villages[v].name),
        Role::Township => format!("{}人民调解委员会", w.town),
        Role::Enterprise => format!("{}工业园区企业人民调解委员会", w.town),
        Role::Traffic => format!("{}道路交通事故纠纷人民调解委员会", w.town),
        Role::Medical => format!("{}医疗纠纷人民调解委员会", w.town),
    }
}

fn referral_org(w: &World, r: ReferralType, t: DisputeType, county: &str) -> String {
    match r {
        ReferralType::Court => format!("{}{}人民法庭", w.court(), w.town.trim_end_matches("街道").trim_end_matches('镇').trim_end_matches('乡')),
        ReferralType::Procuratorate => format!("{county}人民检察院"),
        ReferralType::Police if t == DisputeType::TrafficAccident => format!("{county}公安局交通警察大队"),
        ReferralType::Police => w.police_station(),
        ReferralType::PetitionOffice => format!("{}信访办", w.town),
        ReferralType::OtherDept => match t {
            DisputeType::Medical => format!("{county}卫生健康局"),
            DisputeType::LaborWageArrears | DisputeType::LaborOther => format!("{}劳动保障事务所", w.town),
            DisputeType::LandExpropriation => format!("{}征迁工作指挥部", w.town),
            _ => format!("{}综治中心", w.town),
        },
    }
}

fn alternatives(g: &mut Gen, t: DisputeType) -> Vec<Alternative> {
    let mut v = vec![Alternative::Litigation];
    match t {
        DisputeType::LaborWageArrears | DisputeType::LaborOther => v.push(Alternative::Arbitration),
        DisputeType::ForestLand | DisputeType::HousingHomestead | DisputeType::LandExpropriation => v.push(Alternative::Administrative),
        _ if g.chance(0.05) => v.push(Alternative::Petition),
        _ => {}
    }
    v
}

fn visit_text(p: PerformanceStatus, a: &str, b: &str) -> String {
    let state = match p {
        PerformanceStatus::Immediate => "协议已当场履行完毕",
        PerformanceStatus::Fulfilled => "协议已按约定履行完毕",
        PerformanceStatus::InProgress => "协议正在按约定履行，尚未到期",
        PerformanceStatus::Partial => "协议已部分履行，剩余部分对方承诺近期履行",
        PerformanceStatus::NotPerformed => "对方至今未按协议履行",
        PerformanceStatus::Sued => "因对方未履行，当事人已向人民法院起诉",
        PerformanceStatus::JcEnforced => "协议经司法确认后，已申请人民法院强制执行",
    };
    format!("回访人员向{a}了解协议履行情况：{state}。{a}与{b}之间未再发生新的矛盾，当事人对调解工作表示认可。")
}

/// A 统一社会信用代码 with a correct check character (GB 32100): 9 1 + area + an
/// organization code with its own check digit (GB 11714) + check.
pub fn uscc(g: &mut Gen, area: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W_ORG: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    const W_USCC: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let org: Vec<u32> = (0..8).map(|_| g.int(0, 9) as u32).collect();
    let c9 = 11 - org.iter().zip(W_ORG).map(|(d, w)| d * w).sum::<u32>() % 11;
    let org_check = match c9 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("digit"),
    };
    let org_code: String = org.iter().map(|d| char::from_digit(*d, 10).expect("digit")).chain(std::iter::once(org_check)).collect();
    let first17 = format!("91{area}{org_code}");
    let sum: u32 = first17.bytes().zip(W_USCC).map(|(b, w)| ALPHABET.iter().position(|&a| a == b).unwrap_or(0) as u32 * w).sum();
    let check = (31 - sum % 31) % 31;
    format!("{first17}{}", ALPHABET[check as usize] as char)
}
