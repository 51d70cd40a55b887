//! Processes that die: the agent killed (SIGKILL) during a push, the server killed during a
//! batch, the server restarted while the agent retries. Afterwards the county's export equals
//! the office's, and each change is held once.

use std::time::{Duration, Instant};

use fengqiao_e2e::*;
use serde_json::Value;

const OFFICE: &str = "城东镇司法所";
const DIVISION: &str = "350503101";

fn setup(tmp: &tempfile::TempDir, disputes: usize) -> (County, Proxy, Office) {
    let county = County::start(&tmp.path().join("county"));
    let proxy = Proxy::start(county.addr);
    let (_, code) = county.add_office(OFFICE, DIVISION);
    let a = Office::new(&tmp.path().join("a"));
    a.init(OFFICE, DIVISION);
    a.demo(disputes, 10, 20, 11);
    a.enroll(&proxy.url(), &code);
    (county, proxy, a)
}

/// Everything pushed, the county holds it once, and its export is the office's.
fn assert_converged(county: &County, a: &Office) {
    let status = a.status();
    assert_eq!((status["pending"].as_i64(), status["set_aside"].as_i64()), (Some(0), Some(0)), "{status}");
    assert_same_export("county vs office", &county.export(DIVISION), &a.export());
    assert_eq!(county.changes(DIVISION), a.log_sizes().1, "each change once at the county");
}

fn sync_json(a: &Office) -> Value {
    serde_json::from_str(&a.ok(&["--json", "sync", "--once", "--attempts", "1"])).unwrap()
}

#[test]
fn agent_killed_while_waiting_for_a_push_reply() {
    let tmp = tempfile::tempdir().unwrap();
    let (county, proxy, a) = setup(&tmp, 80);
    // The county gets the second batch and answers; the answer is held until the agent is dead.
    proxy.fail("/api/v1/push", 1, 1, Fault::Delay(Duration::from_secs(60)));
    let child = a.spawn_sync(&["--attempts", "1"]);
    wait_until(Duration::from_secs(60), "the second push to reach the county", || proxy.forwarded("/api/v1/push") == 2);
    std::thread::sleep(Duration::from_millis(500)); // the county commits the batch
    let mut child = child;
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    proxy.heal();
    // The batch whose reply was lost goes again: the county knows every change of it.
    let report = sync_json(&a);
    assert_eq!(report["report"]["push_duplicates"], 500, "{report}");
    assert_converged(&county, &a);
}

#[test]
fn agent_killed_at_random_moments() {
    let tmp = tempfile::tempdir().unwrap();
    let (county, proxy, a) = setup(&tmp, 200);
    // Each answer is slowed a little, so that kills land in every phase of a round.
    let mut rng_state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        rng_state
    };
    for _ in 0..6 {
        proxy.fail("/api/v1/", 0, 1000, Fault::Delay(Duration::from_millis(100)));
        let mut child = a.spawn_sync(&["--attempts", "1"]);
        std::thread::sleep(Duration::from_millis(50 + next() % 400));
        let _ = child.kill();
        let _ = child.wait();
    }
    proxy.heal();
    a.sync_ok();
    assert_converged(&county, &a);
    assert!(proxy.forwarded("/api/v1/push") >= 2, "pushes were under way when killed");
}

#[test]
fn server_killed_during_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut county, proxy, a) = setup(&tmp, 80);
    let mut child = a.spawn_sync(&["--attempts", "1"]);
    // As soon as the second batch has gone whole to the county, kill the county.
    let started = Instant::now();
    while proxy.forwarded("/api/v1/push") < 2 {
        assert!(started.elapsed() < Duration::from_secs(60), "the second push never came");
        std::thread::sleep(Duration::from_millis(1));
    }
    county.kill();
    let out = wait_output_of(&mut child);
    assert!(!out, "the agent could not finish with the county gone");
    county.start_again();
    a.sync_ok();
    assert_converged(&county, &a);
}

#[test]
fn server_restarted_while_the_agent_retries() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut county, proxy, a) = setup(&tmp, 40);
    a.sync_ok();
    // New work on the office, the county down: the agent retries (1 s, 2 s, 4 s … jittered).
    a.demo(20, 5, 5, 12);
    county.stop();
    let before = proxy.connections();
    let mut child = a.spawn_sync(&["--attempts", "8"]);
    wait_until(Duration::from_secs(30), "a failed attempt", || proxy.connections() > before);
    std::thread::sleep(Duration::from_millis(300));
    county.start_again();
    assert!(wait_output_of(&mut child), "the agent finished once the county was back");
    assert_converged(&county, &a);
}

/// Waits for a background `sync --once`; whether it succeeded.
fn wait_output_of(child: &mut std::process::Child) -> bool {
    let started = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.success();
        }
        assert!(started.elapsed() < PROCESS_LIMIT, "sync --once did not end");
        std::thread::sleep(Duration::from_millis(10));
    }
}
