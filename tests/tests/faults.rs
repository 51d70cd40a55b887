//! The network spoils a push and a pull (through the proxy), then heals: the county's export
//! of the office is the office's own export byte for byte, a second PC's too, and every change
//! is held once — nothing lost, nothing doubled.

use std::time::Duration;

use fengqiao_e2e::*;

const OFFICE: &str = "城东镇司法所";
const DIVISION: &str = "350503101";

/// One office with demo data (≈1,200 changes: three push batches), enrolled through a proxy.
fn setup(tmp: &tempfile::TempDir) -> (County, Proxy, Office) {
    let county = County::start(&tmp.path().join("county"));
    let proxy = Proxy::start(county.addr);
    let (_, code) = county.add_office(OFFICE, DIVISION);
    let mut a = Office::new(&tmp.path().join("a"));
    a.timeout_secs = Some(5.0);
    a.init(OFFICE, DIVISION);
    a.demo(80, 10, 20, 7);
    a.enroll(&proxy.url(), &code);
    (county, proxy, a)
}

/// Spoils the second push of the first office and the first pull page of a new PC (the
/// office's ≈1,200 changes come in one page of up to 2,000); after
/// each, heals and syncs again; then everything must agree. `county_applied`: the spoiled push
/// reached the county whole, so the next sync sends that batch again and the county answers
/// `duplicate` for each of its changes.
fn scenario(push_fault: Fault, pull_fault: Fault, spoiled_round_fails: bool, county_applied: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let (county, proxy, a) = setup(&tmp);

    proxy.fail("/api/v1/push", 1, 1, push_fault);
    let out = a.sync(&[]);
    assert_eq!(proxy.spoiled(), 1, "the fault hit a push");
    eprintln!("{push_fault:?} on a push: {}", text(&out.stderr).trim());
    assert_eq!(!out.status.success(), spoiled_round_fails, "sync with {push_fault:?}:\n{}", text(&out.stderr));
    if spoiled_round_fails {
        assert!(text(&out.stderr).contains("错误："), "a Chinese message: {}", text(&out.stderr));
        let status = a.status();
        assert!(status["pending"].as_i64().unwrap() > 0);
        assert!(status["last_error"].as_str().is_some_and(|e| !e.is_empty()), "{status}");
    }
    proxy.heal();
    let out = a.ok(&["--json", "sync", "--once", "--attempts", "1"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let duplicates = report["report"]["push_duplicates"].as_u64().unwrap();
    let expected = if county_applied && spoiled_round_fails { 500 } else { 0 };
    assert_eq!(duplicates, expected, "changes the county already had: {report}");
    let status = a.status();
    assert_eq!((status["pending"].as_i64(), status["set_aside"].as_i64()), (Some(0), Some(0)), "{status}");
    assert!(status["last_error"].is_null(), "{status}");

    // A second PC of the office, enrolled into an empty directory, pulls through the fault.
    let mut b = Office::new(&tmp.path().join("b"));
    b.timeout_secs = Some(5.0);
    b.enroll(&proxy.url(), &county.new_code(DIVISION));
    proxy.fail("/api/v1/pull", 0, 1, pull_fault);
    let out = b.sync(&[]);
    assert_eq!(proxy.spoiled(), 2, "the fault hit a pull");
    eprintln!("{pull_fault:?} on a pull: {}", text(&out.stderr).trim());
    assert_eq!(!out.status.success(), spoiled_round_fails, "pull with {pull_fault:?}:\n{}", text(&out.stderr));
    proxy.heal();
    b.sync_ok();

    let from_county = county.export(DIVISION);
    assert!(from_county.len() > 100_000, "the demo data is there");
    assert_same_export("county vs first PC", &from_county, &a.export());
    assert_same_export("county vs second PC", &from_county, &b.export());
    let (a_total, a_local) = a.log_sizes();
    assert_eq!(a_total, a_local, "the first PC pulled nothing it did not make");
    assert_eq!(county.changes(DIVISION), a_local, "each change once at the county");
    assert_eq!(b.log_sizes(), (a_local, 0), "each change once on the second PC");
}

#[test]
fn connection_dropped_before_the_request() {
    scenario(Fault::DropBeforeRequest, Fault::DropBeforeRequest, true, false);
}

#[test]
fn connection_dropped_after_the_request_before_the_answer() {
    scenario(Fault::DropAfterRequest, Fault::DropAfterRequest, true, true);
}

#[test]
fn request_cut_in_the_middle_of_its_body() {
    // A push is cut inside its gzip body; a pull (no body) inside its head.
    scenario(Fault::CutRequest(600), Fault::CutRequest(20), true, false);
}

#[test]
fn answer_cut_in_the_middle_of_its_body() {
    scenario(Fault::CutResponse(400), Fault::CutResponse(2000), true, true);
}

#[test]
fn connection_reset_after_the_request() {
    scenario(Fault::Reset, Fault::Reset, true, true);
}

#[test]
fn answer_delayed_past_the_timeout() {
    // The county applies the push; the agent has stopped waiting (5 s) and sends it again.
    scenario(Fault::Delay(Duration::from_secs(7)), Fault::Delay(Duration::from_secs(7)), true, true);
}

#[test]
fn answer_delayed_within_the_timeout() {
    scenario(Fault::Delay(Duration::from_secs(2)), Fault::Delay(Duration::from_secs(2)), false, true);
}
