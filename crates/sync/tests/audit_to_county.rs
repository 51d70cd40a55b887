//! The office's audit log reaches the county with every sync round (issue 7), against the real
//! county server (its router and SQLite store on loopback in this process): the county holds
//! every entry once, in order; a resend after a lost reply adds nothing; and a log rewritten on
//! the PC — even one whose chain was recomputed so that the PC's own check passes — is refused
//! by the county with the place where the chains part, while the records keep syncing.

mod common;

use std::sync::{Arc, Mutex};

use fengqiao_model::*;
use fengqiao_store::audit::GENESIS;
use fengqiao_store::Store;
use fengqiao_sync::agent::{enroll, Agent, AgentConfig};
use fengqiao_sync::protocol::*;
use fengqiao_sync::{Client, ClientOptions, NoStatus};
use uuid::Uuid;

struct Setup {
    county: common::County,
    office_dir: tempfile::TempDir,
}

/// The county, and an office of three persons enrolled with it.
async fn setup() -> Setup {
    let county = common::county().await;
    let office_dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::init(office_dir.path(), "东山镇司法所", "350502101").unwrap();
        store.set_actor("李明");
        for name in ["张伟", "李娜", "王芳"] {
            store.save(Person { name: Some(name.into()), gender: Some(Gender::Male), ..Default::default() }).unwrap();
        }
    }
    enroll(office_dir.path(), &county.url, &county.code, "东山镇司法所-1", fengqiao_store::system_clock(), ClientOptions::default()).await.unwrap();
    Setup { county, office_dir }
}

fn all_entries(store: &Arc<Mutex<Store>>) -> Vec<fengqiao_store::AuditEntry> {
    store.lock().unwrap().audit_entries_after(0, usize::MAX).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_reaches_the_county_once_and_a_rewritten_one_is_refused() {
    let s = setup().await;
    let store = Arc::new(Mutex::new(Store::open(s.office_dir.path()).unwrap()));
    let agent = Agent::new(store.clone(), AgentConfig::default(), Arc::new(NoStatus)).unwrap();

    let report = agent.round().await.unwrap();
    let mine = all_entries(&store);
    assert!(mine.len() >= 4, "{}", mine.len());
    assert_eq!(report.audit_sent, mine.len());
    assert_eq!(report.audit_refused, None);
    let mut held = s.county.store.office_audit(s.county.office.id, 10_000).await.unwrap();
    held.reverse();
    assert_eq!(held, mine, "the county holds the office's entries as written");

    // New work: only the new entries go.
    store.lock().unwrap().save(Person { name: Some("赵强".into()), gender: Some(Gender::Male), ..Default::default() }).unwrap();
    let report = agent.round().await.unwrap();
    let now_mine = all_entries(&store);
    assert_eq!(report.audit_sent, now_mine.len() - mine.len());
    assert_eq!(s.county.store.office_audit(s.county.office.id, 10_000).await.unwrap().len(), now_mine.len());

    // A resend of everything (a reply lost on the way) adds nothing.
    let token = store.lock().unwrap().sync_setting(fengqiao_store::sync::keys::TOKEN).unwrap().unwrap();
    let client = Client::new(&s.county.url, Some(&token), ClientOptions::default()).unwrap();
    let again = client.push_audit(&AuditPushRequest { entries: now_mine.clone() }).await.unwrap();
    assert_eq!(again.held_through, now_mine.last().unwrap().seq);
    assert_eq!(s.county.store.office_audit(s.county.office.id, 10_000).await.unwrap().len(), now_mine.len());

    // Someone rewrites the second entry on the PC and recomputes the chain after it, so the
    // PC's own check passes.
    rewrite_entry(&store, 2, "（被改写的内容）");
    assert!(store.lock().unwrap().verify_audit().unwrap().is_ok(), "the PC alone cannot tell");
    store.lock().unwrap().save(Person { name: Some("钱七".into()), gender: Some(Gender::Female), ..Default::default() }).unwrap();
    let report = agent.round().await.unwrap();
    let why = report.audit_refused.expect("refused by the county");
    assert!(why.contains("接不上"), "{why}");
    assert_eq!(report.pushed, 1, "the records still sync");
    let held = s.county.store.office_audit(s.county.office.id, 10_000).await.unwrap();
    assert_eq!(held.len(), now_mine.len(), "nothing of the rewritten chain is taken");
    assert!(held.iter().all(|e| !e.summary.contains("被改写")));
    let kept = store.lock().unwrap().sync_setting(Agent::AUDIT_REFUSED_KEY).unwrap();
    assert_eq!(kept.as_deref(), Some(why.as_str()));

    // Another office's device cannot add to this one's log: entries name their device.
    let mut foreign = now_mine[..1].to_vec();
    foreign[0].device_id = Uuid::now_v7().to_string();
    foreign[0].seq = now_mine.len() as i64 + 1;
    assert!(client.push_audit(&AuditPushRequest { entries: foreign }).await.is_err());
}

/// Rewrites entry `seq` and recomputes every hash after it and the head, as a careful forger
/// with the file in hand would (the triggers dropped first).
fn rewrite_entry(store: &Arc<Mutex<Store>>, seq: i64, summary: &str) {
    let s = store.lock().unwrap();
    let conn = s.connection();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    let mut entries = s.audit_entries_after(0, usize::MAX).unwrap();
    let mut prev = GENESIS.to_string();
    for e in entries.iter_mut() {
        if e.seq == seq {
            e.summary = summary.into();
        }
        e.prev_hash = prev.clone();
        e.hash = e.computed_hash();
        prev = e.hash.clone();
        let sql = "UPDATE audit_log SET summary = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1";
        conn.execute(sql, (e.seq, &e.summary, &e.prev_hash, &e.hash)).unwrap();
    }
    conn.execute("UPDATE settings SET value = ?1 WHERE key = 'audit_head'", [prev]).unwrap();
}
