//! Fixtures shared by the store's integration tests: a store on a fixed clock with an office,
//! a committee and a mediator, and builders for valid records.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use fengqiao_model::*;
use fengqiao_store::Store;
use uuid::Uuid;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub committee: Uuid,
    pub mediator: Uuid,
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// "Today" in the tests: 2026-11-20 (UTC+8 day of the fixed clock).
pub fn fixed_clock() -> fengqiao_store::Clock {
    Arc::new(|| Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap())
}

/// An 18-digit ID number with a correct check character.
pub fn id_number(area: &str, birth: &str, seq: &str) -> String {
    let first = format!("{area}{birth}{seq}");
    format!("{first}{}", fengqiao_model::id_number::check_character(&first).unwrap())
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::init_with_clock(dir.path(), "东山镇司法所", "350502101", fixed_clock()).unwrap();
    store.set_actor("测试员");
    let (committee, mediator) = committee_and_mediator(&mut store);
    Fixture { dir, store, committee, mediator }
}

/// The office's 调委会 (东山, township) and its 主任调解员 王调解; returns their ids.
pub fn committee_and_mediator(store: &mut Store) -> (Uuid, Uuid) {
    let committee = store
        .save(Organization {
            name: Some("东山镇人民调解委员会".into()),
            org_type: Some(OrgType::MediationCommittee),
            committee_type: Some(CommitteeType::Township),
            division_code: Some("350502101".into()),
            number_prefix: Some("东山".into()),
            ..Default::default()
        })
        .unwrap()
        .record
        .meta
        .id;
    let mediator = store
        .save(Mediator {
            name: Some("王调解".into()),
            gender: Some(Gender::Female),
            committee_id: Some(committee),
            role: Some(MediatorRole::Director),
            ..Default::default()
        })
        .unwrap()
        .record
        .meta
        .id;
    (committee, mediator)
}

pub fn person(name: &str, id: Option<String>) -> Person {
    Person {
        name: Some(name.into()),
        gender: if id.is_some() { None } else { Some(Gender::Male) },
        id_number: id,
        ethnicity: Some(Ethnicity::Han),
        residence_address: Some("东山镇东山村3组".into()),
        ..Default::default()
    }
}

impl Fixture {
    /// A draft case with two parties; returns the case id.
    pub fn case_with_parties(&mut self, title: &str, a: &str, b: &str) -> Uuid {
        let case = self
            .store
            .save(DisputeCase {
                committee_id: Some(self.committee),
                source: Some(CaseSource::PartyApplication),
                dispute_type: Some(DisputeType::Neighborhood),
                title: Some(title.into()),
                summary: Some(format!("{a}与{b}因相邻通行发生争执。")),
                lead_mediator_id: Some(self.mediator),
                accepted_on: Some(date(2026, 11, 2)),
                ..Default::default()
            })
            .unwrap()
            .record;
        for (n, (name, side)) in [(a, "甲"), (b, "乙")].into_iter().enumerate() {
            let p = self.store.save(person(name, Some(id_number("350502", "19800101", &format!("{:03}", n + 11))))).unwrap().record;
            self.store
                .save(CaseParty {
                    case_id: Some(case.meta.id),
                    person_id: Some(p.meta.id),
                    role: Some(if n == 0 { PartyRole::Applicant } else { PartyRole::Respondent }),
                    side: Some(side.into()),
                    rights_notice_given_on: Some(date(2026, 11, 2)),
                    id_copy_attached: true,
                    ..Default::default()
                })
                .unwrap();
        }
        case.meta.id
    }
}

/// Where `needles` occur in clear text — UTF-8, and UTF-16LE as SQLite could store text — in
/// the file `path`, or in every file under the folder `path` (database, WAL, key ring,
/// backups…): one line per file and needle found.
pub fn clear_text_hits(path: &Path, needles: &[String]) -> Vec<String> {
    let mut hits = vec![];
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
            continue;
        }
        let bytes = std::fs::read(&p).unwrap();
        for n in needles {
            let utf16: Vec<u8> = n.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            if bytes.windows(n.len()).any(|w| w == n.as_bytes()) || bytes.windows(utf16.len()).any(|w| w == utf16.as_slice()) {
                hits.push(format!("{} 含 {n}", p.display()));
            }
        }
    }
    hits
}
