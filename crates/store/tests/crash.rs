//! A crash test: a child process saves records in a loop and is killed with SIGKILL at random
//! moments. After reopening, the file is sound, every save that had returned is there, and
//! the change log matches the records exactly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fengqiao_model::*;
use fengqiao_store::Store;
use uuid::Uuid;

const CHILD_DIR: &str = "FENGQIAO_CRASH_CHILD_DIR";

/// Not a test of its own: the body of the child process (does nothing unless spawned).
#[test]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(CHILD_DIR) else { return };
    let mut store = Store::open(Path::new(&dir)).unwrap();
    let committee = store.all::<Organization>().unwrap().into_iter().find(|o| o.org_type == Some(OrgType::MediationCommittee)).unwrap();
    let mut n = 0u64;
    loop {
        n += 1;
        let person = store
            .save(Person {
                name: Some(format!("测{}", ["甲", "乙", "丙", "丁", "戊"][(n % 5) as usize])),
                gender: Some(Gender::Male),
                ..Default::default()
            })
            .unwrap()
            .record;
        println!("SAVED person {}", person.meta.id);
        let case = store
            .save(DisputeCase {
                committee_id: Some(committee.meta.id),
                title: Some(format!("第{n}号测试纠纷")),
                summary: Some("崩溃测试".into()),
                ..Default::default()
            })
            .unwrap()
            .record;
        println!("SAVED dispute_case {}", case.meta.id);
        let party = store
            .save(CaseParty { case_id: Some(case.meta.id), person_id: Some(person.meta.id), role: Some(PartyRole::Applicant), ..Default::default() })
            .unwrap()
            .record;
        println!("SAVED case_party {}", party.meta.id);
        let mut edited = case.clone();
        edited.occurred_place = Some("村口".into());
        store.save(edited).unwrap();
        println!("SAVED dispute_case {} v2", case.meta.id);
    }
}

/// A small xorshift: the kill moments need to vary, not to be cryptographic.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::init(dir.path(), "崩溃测试司法所", "350502101").unwrap();
        store
            .save(Organization {
                name: Some("测试调委会".into()),
                org_type: Some(OrgType::MediationCommittee),
                committee_type: Some(CommitteeType::Township),
                division_code: Some("350502101".into()),
                number_prefix: Some("测".into()),
                ..Default::default()
            })
            .unwrap();
    }
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut acknowledged: Vec<(String, Uuid, i64)> = Vec::new();
    let rounds = 8;
    for round in 0..rounds {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["crash_child_writer", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        // Wait for the first save, then kill at a random moment.
        let start = Instant::now();
        let delay = Duration::from_millis(100 + next_random(&mut seed) % 600);
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        let before = acknowledged.len();
        for l in lines.iter().filter_map(|l| l.strip_prefix("SAVED ")) {
            let mut parts = l.split(' ');
            let kind = parts.next().unwrap().to_string();
            let id = Uuid::parse_str(parts.next().unwrap()).unwrap();
            let version = if parts.next() == Some("v2") { 2 } else { 1 };
            acknowledged.push((kind, id, version));
        }
        eprintln!("round {round}: killed after {:?}, {} saves had returned", start.elapsed(), acknowledged.len() - before);

        let store = Store::open(dir.path()).unwrap();
        store.integrity_check().unwrap();
        let conn = store.connection();
        for (kind, id, version) in &acknowledged {
            let stored: i64 = conn
                .query_row(&format!("SELECT version FROM {kind} WHERE id = ?1"), [id.to_string()], |r| r.get(0))
                .unwrap_or_else(|_| panic!("{kind} {id} was acknowledged but is missing after the crash"));
            assert!(stored >= *version, "{kind} {id}: version {stored} < acknowledged {version}");
        }
        // The change log matches the records: one entry per version of every record, the
        // last one holding exactly the stored data, and no entry for a record that is missing.
        let mut versions = 0i64;
        for kind in Kind::ALL {
            let mut stmt = conn.prepare(&format!("SELECT id, version, data FROM {}", kind.code())).unwrap();
            let rows: Vec<(String, i64, String)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
            for (id, version, data) in rows {
                versions += version;
                let (count, last_version, last_data): (i64, i64, String) = conn
                    .query_row(
                        "SELECT count(*), max(version), (SELECT data FROM change_log WHERE kind = ?1 AND record_id = ?2 ORDER BY seq DESC LIMIT 1) \
                         FROM change_log WHERE kind = ?1 AND record_id = ?2",
                        [kind.code(), &id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .unwrap();
                assert_eq!((count, last_version), (version, version), "{} {id}: change log out of step", kind.code());
                assert_eq!(last_data, data, "{} {id}: last change differs from the record", kind.code());
            }
        }
        let log: i64 = conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
        assert_eq!(log, versions, "every change-log entry belongs to a stored version");
        let audits: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)).unwrap();
        assert_eq!(audits, versions, "one audit entry per change");
    }
    assert!(acknowledged.len() > rounds * 2, "the child should have saved records before being killed");
}
