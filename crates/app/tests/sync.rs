//! Sync in the desktop app against the real county server (its router and SQLite store, served
//! on loopback in this process): enrollment from 设置 with its refusals, a saved case pushed by
//! the agent the app runs, the indicator going 未连接县局 → 已同步 → 离线 → 已同步 as the server
//! goes away and comes back, a change the county refused set aside and shown, and the agent
//! started again when the app reopens an enrolled store.

mod common;
#[path = "common/county.rs"]
mod county;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use county::{new_case, quick, County};
use fengqiao_app::sync::{self, EnrollInput, SyncPhase};
use fengqiao_app::{settings, AppState};
use fengqiao_county::store::Office;
use fengqiao_store::Store;
use uuid::Uuid;

fn wait_for(state: &AppState, what: &str, ok: impl Fn(&sync::SyncIndicator) -> bool) -> sync::SyncIndicator {
    let started = Instant::now();
    loop {
        let now = sync::sync_status(state).unwrap();
        if ok(&now) {
            return now;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the indicator never showed {what}; it shows {now:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the county holds `record` and the indicator says 已同步 with nothing pending.
fn wait_pushed(state: &AppState, county: &County, office: &Office, record: Uuid, what: &str) {
    let started = Instant::now();
    while !county.record_ids(office).contains(&record) {
        assert!(started.elapsed() < Duration::from_secs(60), "the county never got {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    wait_for(state, &format!("已同步 after {what}"), |s| s.phase == SyncPhase::Synced && s.pending == 0);
}

/// Makes the office's last 调解员 change one the county must refuse (it claims another
/// office), through a second connection to the same file, as damage from outside would.
fn spoil_mediator_change(dir: &Path) -> Uuid {
    let store = Store::open_secured(dir, "liming", PASSWORD, clock()).unwrap();
    let other = Uuid::now_v7().to_string();
    store.connection().execute("UPDATE change_log SET data = json_set(data, '$.org_id', ?1) WHERE kind = 'mediator'", [other]).unwrap();
    store.pending_changes(100).unwrap().into_iter().find(|c| c.kind == "mediator").unwrap().change_id
}

#[test]
fn enrolled_from_settings_the_app_syncs_through_an_outage() {
    let mut county = County::start();
    let (office, code) = county.add_office();
    let app = ready();
    let state = &app.state;
    sync::set_config(state, quick());
    sync::start(state);
    let shown = sync::sync_status(state).unwrap();
    assert_eq!((shown.phase, shown.label.as_str()), (SyncPhase::NotConnected, "未连接县局"));
    let spoiled = spoil_mediator_change(app.dir.path());

    // Refusals, each beside its field, and nothing remembered.
    let refused = sync::enroll(state, EnrollInput { server: county.url(), code: "WRONG-CODE".into() }).unwrap_err();
    assert_eq!((refused.code.as_str(), refused.issues[0].field.as_str()), ("wrong_code", "enrollment_code"));
    assert!(refused.message.contains("注册码无效"), "{}", refused.message);
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let refused = sync::enroll(state, EnrollInput { server: format!("http://{nobody}"), code: code.clone() }).unwrap_err();
    assert_eq!((refused.code.as_str(), refused.issues[0].field.as_str()), ("unreachable", "county_server"));
    assert!(refused.message.starts_with("无法连接县级服务器"), "{}", refused.message);
    let refused = sync::enroll(state, EnrollInput { server: "sfj.example".into(), code: String::new() }).unwrap_err();
    let fields: Vec<&str> = refused.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["county_server", "enrollment_code"]);
    assert!(!settings::settings(state).unwrap().enrolled);

    // Enrolled with the right code: the agent starts without a restart and pushes what the
    // office has; the spoiled change is set aside and does not hold the rest back.
    let view = sync::enroll(state, EnrollInput { server: format!("{}/", county.url()), code: code.clone() }).unwrap();
    assert!(view.enrolled);
    assert_eq!(view.county_server.as_deref(), Some(county.url().as_str()));
    let shown = wait_for(state, "已同步", |s| s.phase == SyncPhase::Synced);
    assert_eq!((shown.label.as_str(), shown.pending, shown.set_aside), ("已同步", 0, 1));
    let again = sync::enroll(state, EnrollInput { server: county.url(), code }).unwrap_err();
    assert_eq!(again.code, "already_enrolled");
    assert!(again.message.contains("本机已登记到县司法局"), "{}", again.message);

    // A case saved in the app reaches the county.
    let first = new_case(state, "张伟与李娜相邻通行纠纷", 11);
    wait_pushed(state, &county, &office, first, "the case");
    let office_id = settings::settings(state).unwrap().office.meta.id;
    assert!(county.record_ids(&office).contains(&office_id), "and the office record");

    // The server goes away: the next save waits, the indicator says since when.
    county.stop();
    let second = new_case(state, "王强与赵敏宅基地纠纷", 21);
    let shown = wait_for(state, "离线", |s| s.phase == SyncPhase::Offline);
    assert!(shown.label.starts_with("离线（自") && shown.label.ends_with("起）"), "{}", shown.label);
    assert!(shown.pending > 0, "{shown:?}");
    assert!(shown.detail.contains("条修改待上传"), "{}", shown.detail);

    // Back on the same address: the agent notices by itself and pushes what waited.
    county.serve();
    wait_pushed(state, &county, &office, second, "the case saved during the outage");

    // The 同步 page: address, this PC, the runs (the outage among them), the set-aside change.
    let page = sync::sync_overview(state).unwrap();
    assert_eq!(page.server.as_deref(), Some(county.url().as_str()));
    assert!(page.enrolled && page.pending == 0 && page.set_aside == 1);
    assert!(page.last_sync_at.is_some() && page.last_push_count > 0 && page.last_push_at.is_some());
    assert!(page.history.iter().any(|r| !r.ok && r.error_code.as_deref() == Some("offline")), "{:?}", page.history);
    assert!(page.history[0].ok, "the newest run is the one that finished");
    let aside = &page.set_aside_changes[0];
    assert_eq!((aside.change_id, aside.kind_label.as_str(), aside.title.as_deref()), (spoiled, "人民调解员", Some("王秀英")));
    assert!(!aside.reason.is_empty());
    assert!(aside.fields.iter().any(|f| f.field == "name" && f.value == "王秀英"), "{:?}", aside.fields);
    assert!(!aside.fields.iter().any(|f| f.field == "created_by"), "no bookkeeping: {:?}", aside.fields);

    // 立即同步 runs a round and ends where it started.
    sync::sync_now(state).unwrap();
    wait_for(state, "已同步 after 立即同步", |s| s.phase == SyncPhase::Synced);

    // Reopened (the app restarted): the agent starts because the store is enrolled.
    let dir = app.dir;
    drop(app.state);
    let reopened = reopen(dir.path(), clock());
    sync::set_config(&reopened, quick());
    sync::start(&reopened);
    let third = new_case(&reopened, "陈刚与周丽相邻采光纠纷", 31);
    wait_pushed(&reopened, &county, &office, third, "a case saved after a restart");
}

#[test]
fn without_a_server_the_app_works_offline_and_sync_now_says_why() {
    let app = ready();
    sync::start(&app.state);
    let before = sync::sync_status(&app.state).unwrap().pending;
    new_case(&app.state, "张伟与李娜相邻通行纠纷", 11);
    // The saves are counted (off the command's path).
    let shown = wait_for(&app.state, "the case counted", |s| s.pending > before);
    assert_eq!((shown.phase, shown.label.as_str()), (SyncPhase::NotConnected, "未连接县局"));
    let e = sync::sync_now(&app.state).unwrap_err();
    assert_eq!(e.code, "not_enrolled");
    assert!(e.message.contains("设置"), "{}", e.message);
}
