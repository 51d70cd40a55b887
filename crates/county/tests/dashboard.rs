//! The county dashboard over HTTP, on SQLite and PostgreSQL: two offices' demo stores pushed
//! to the county, then the dashboard's figures checked against each office's own statistics
//! (the same records, the office store's functions) and against counts made by hand from the
//! records; accounts, sessions and a viewer refused an admin action; the roll-up's .xlsx
//! read back and its totals checked; the 零报告 matrix of a crafted office checked by hand.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::*;
use fengqiao_cli::demo::{generate, DemoOptions};
use fengqiao_county::accounts;
use fengqiao_county::store::{CountyStore, Office, Role, User};
use fengqiao_model::*;
use fengqiao_store::stats::Targets;
use fengqiao_store::Store;
use fengqiao_sync::agent::to_wire;
use fengqiao_sync::protocol::MAX_BATCH;
use serde_json::{json, Value};
use uuid::Uuid;

async fn serve(store: Arc<dyn CountyStore>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = fengqiao_county::http::router(store);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// An office store with demo data, registered with the county and pushed in full.
async fn synced_office(county: &dyn CountyStore, dir: &std::path::Path, name: &str, division: &str, seed: u64) -> (Office, Store) {
    let mut store = Store::init(dir, name, division).unwrap();
    generate(&mut store, &DemoOptions { disputes: 240, released: 50, screenings: 12, seed }, |_| {}).unwrap();
    // An agreement changed: the new one, now performed, supersedes the old, which stays on
    // file and no longer counts (协议履行率 and its records).
    let old = store
        .all::<Agreement>()
        .unwrap()
        .into_iter()
        .find(|a| !a.meta.draft && a.performance_status == Some(PerformanceStatus::InProgress))
        .expect("an agreement being performed");
    let mut new = old.clone();
    new.meta = Meta::default();
    new.supersedes_agreement_id = Some(old.meta.id);
    new.performance_status = Some(PerformanceStatus::Fulfilled);
    store.save(new).unwrap();
    let office = Office {
        id: Uuid::now_v7(),
        org_id: Some(store.office_id()),
        name: name.into(),
        division_code: division.into(),
        county_device_id: Uuid::now_v7(),
        created_at: Utc::now(),
    };
    county.create_office(&office).await.unwrap();
    let (dev, _) = device(county, &office).await;
    let changes: Vec<_> = store.pending_changes(1_000_000).unwrap().iter().map(to_wire).collect();
    for batch in changes.chunks(MAX_BATCH) {
        county.push(office.id, dev.id, batch.to_vec(), Utc::now()).await.unwrap();
    }
    (office, store)
}

struct Client {
    base: String,
    http: reqwest::Client,
    cookie: Option<String>,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client { base: format!("http://{addr}"), http: reqwest::Client::new(), cookie: None }
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        req.send().await.unwrap()
    }
    async fn get(&self, path: &str) -> Value {
        let r = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(r.status(), 200, "GET {path}: {}", r.text().await.unwrap());
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
    }
    async fn sign_in(&mut self, name: &str, password: &str) -> reqwest::Response {
        let r = self.send(reqwest::Method::POST, "/api/v1/dashboard/session", Some(json!({"name": name, "password": password}))).await;
        if let Some(c) = r.headers().get("set-cookie") {
            self.cookie = Some(c.to_str().unwrap().split(';').next().unwrap().to_string());
        }
        r
    }
}

async fn add_user(store: &dyn CountyStore, name: &str, role: Role, password: &str) {
    let u = User { id: Uuid::now_v7(), name: name.into(), role, created_at: Utc::now() };
    assert!(store.create_user(&u, &accounts::hash_password(password).unwrap()).await.unwrap());
}

fn counted(c: &DisputeCase, from: NaiveDate, to: NaiveDate) -> bool {
    !c.meta.deleted
        && c.accepted_on.is_some_and(|d| d >= from && d <= to)
        && !matches!(c.status, CaseStatus::Draft | CaseStatus::Rejected)
        && (c.status != CaseStatus::Withdrawn || c.case_no.as_deref().is_some_and(|n| !n.is_empty()))
}

fn rate<'a>(rates: &'a Value, label: &str) -> &'a Value {
    rates.as_array().unwrap().iter().find(|r| r["label"] == label).unwrap_or_else(|| panic!("no rate {label}"))
}

async fn figures_match_the_offices(county: Arc<dyn CountyStore>) {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, sa) = synced_office(&*county, dirs.0.path(), "东山镇司法所", "350502101", 11).await;
    let (b, sb) = synced_office(&*county, dirs.1.path(), "西山镇司法所", "350502102", 12).await;
    add_user(&*county, "张科长", Role::Admin, "admin-pass-1").await;
    add_user(&*county, "李干事", Role::Viewer, "viewer-pass-1").await;
    let addr = serve(county.clone()).await;
    let mut c = Client::new(addr);

    // Sign-in: every dashboard endpoint needs a session; a wrong password is refused.
    let r = c.send(reqwest::Method::GET, "/api/v1/dashboard/figures", None).await;
    assert_eq!(r.status(), 401);
    assert_eq!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).unwrap()["message"], "请先登录");
    let r = c.sign_in("张科长", "wrong-password").await;
    assert_eq!(r.status(), 401);
    assert_eq!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).unwrap()["message"], "账号或密码不正确");
    assert!(c.cookie.is_none());
    let r = c.sign_in("张科长", "admin-pass-1").await;
    assert_eq!(r.status(), 200);
    let set = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Max-Age=28800", "Path=/"] {
        assert!(set.contains(attr), "{set}");
    }
    assert_eq!(c.get("/api/v1/dashboard/session").await["role"], "admin");

    // Offices: both synced, neither silent, nothing refused.
    let offices = c.get("/api/v1/dashboard/offices").await;
    let rows = offices["offices"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|o| o["silent"] == false && o["rejected"] == 0 && o["last_sync_at"].is_string()), "{offices}");

    // Figures over the whole demo period equal the offices' own, summed.
    let (from, to) = (NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2028, 12, 31).unwrap());
    let q = format!("from={from}&to={to}");
    let f = c.get(&format!("/api/v1/dashboard/figures?{q}")).await;
    let (ta, tb) = (sa.case_statistics(from, to).unwrap(), sb.case_statistics(from, to).unwrap());
    let (ma, mb) = (sa.metrics(from, to, &Targets::default()).unwrap(), sb.metrics(from, to, &Targets::default()).unwrap());
    assert_eq!(f["cases"], ta.own_total.total + tb.own_total.total);
    assert_eq!(f["success"], ta.own_total.success + tb.own_total.success);
    assert_eq!(f["difficult"], ta.own_total.difficult + tb.own_total.difficult);
    assert_eq!(f["amount_cents"], ta.own_total.amount_cents + tb.own_total.amount_cents);
    assert!(f["cases"].as_i64().unwrap() > 100, "the demo data set has cases: {}", f["cases"]);
    for (ra, rb) in ma.rates().into_iter().zip(mb.rates()) {
        let r = rate(&f["rates"], ra.label);
        assert_eq!(
            (r["numerator"].as_i64().unwrap(), r["denominator"].as_i64().unwrap()),
            (ra.numerator + rb.numerator, ra.denominator + rb.denominator),
            "{}",
            ra.label
        );
    }
    // … and per office, each office's own rates exactly.
    for (o, m) in [(&a, &ma), (&b, &mb)] {
        let one = c.get(&format!("/api/v1/dashboard/figures?{q}&office={}", o.id)).await;
        for r in m.rates() {
            let got = rate(&one["rates"], r.label);
            assert_eq!(
                (got["numerator"].as_i64().unwrap(), got["denominator"].as_i64().unwrap()),
                (r.numerator, r.denominator),
                "{} {}",
                o.name,
                r.label
            );
            assert!(
                got["value"].as_f64().zip(r.value).is_none_or(|(g, v)| (g - v).abs() < 1e-12) && got["value"].is_null() == r.value.is_none(),
                "{} {}",
                o.name,
                r.label
            );
        }
    }

    // By hand from the records: 调解成功率 and 衔接率.
    let (mut cases, mut success, mut released, mut handed) = (0, 0, 0, 0);
    for s in [&sa, &sb] {
        for case in s.all::<DisputeCase>().unwrap().iter().filter(|x| counted(x, from, to)) {
            cases += 1;
            success += (case.result == Some(MediationResult::Success)) as i64;
        }
        for p in s.all::<ReleasedPerson>().unwrap().iter().filter(|p| !p.meta.deleted && p.released_on.is_some_and(|d| d >= from && d <= to)) {
            released += 1;
            handed += (p.handover_status == Some(HandoverStatus::Done)) as i64;
        }
    }
    let ms = rate(&f["rates"], "调解成功率");
    assert_eq!((ms["numerator"].as_i64().unwrap(), ms["denominator"].as_i64().unwrap()), (success, cases));
    assert!((ms["value"].as_f64().unwrap() - success as f64 / cases as f64).abs() < 1e-12);
    let h = rate(&f["rates"], "衔接率");
    assert_eq!((h["numerator"].as_i64().unwrap(), h["denominator"].as_i64().unwrap()), (handed, released));
    assert!(released > 0);

    // Cases by month add up to the total; by type too.
    let by_month: i64 = f["by_month"].as_array().unwrap().iter().map(|m| m["cases"].as_i64().unwrap()).sum();
    assert_eq!(by_month, f["cases"].as_i64().unwrap());
    let by_type: i64 = f["by_type"].as_array().unwrap().iter().map(|m| m["count"].as_i64().unwrap()).sum();
    assert_eq!(by_type, f["cases"].as_i64().unwrap());

    // Drill-down: the records behind a figure, as many as it counts.
    let drill = c.get(&format!("/api/v1/dashboard/drill?{q}&figure=success&page_size=500")).await;
    assert_eq!(drill["total"].as_i64().unwrap(), f["success"].as_i64().unwrap());
    assert_eq!(drill["rows"].as_array().unwrap().len() as i64, f["success"].as_i64().unwrap());
    assert!(drill["rows"].as_array().unwrap().iter().all(|r| r["result"] == "调解成功"));
    let t = f["by_type"].as_array().unwrap().iter().find(|t| t["count"].as_i64().unwrap() > 0).unwrap();
    let drill = c.get(&format!("/api/v1/dashboard/drill?{q}&figure=type:{}&office={}", t["code"].as_str().unwrap(), a.id)).await;
    let in_a = ta.own_total.by_dispute_type.iter().find(|x| x.code == t["code"].as_str().unwrap()).unwrap().count;
    assert_eq!(drill["total"].as_i64().unwrap(), in_a);
    // … and the persons behind 衔接率: all of them its denominator, those handed over its numerator.
    let people = c.get(&format!("/api/v1/dashboard/drill/released?{q}")).await;
    let people = people.as_array().unwrap();
    assert_eq!(people.len() as i64, released);
    assert_eq!(people.iter().filter(|p| p["handed_over"] == true).count() as i64, handed);
    let r = c.send(reqwest::Method::GET, &format!("/api/v1/dashboard/drill?{q}&figure=nonsense"), None).await;
    assert_eq!(r.status(), 400);

    // The roll-up: one row per office, then the totals; the .xlsx says the same.
    let roll = c.get(&format!("/api/v1/dashboard/rollup?{q}")).await;
    let t = &roll["table"];
    assert_eq!(t["rows"].as_array().unwrap().len(), 2);
    assert_eq!(t["subordinate_total"]["total"], f["cases"]);
    assert_eq!(t["own_total"]["total"], f["cases"]);
    assert_eq!(roll["all_consistent"], true, "{}", t["checks"]);
    let r = c.send(reqwest::Method::GET, &format!("/api/v1/dashboard/rollup.xlsx?{q}"), None).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("content-disposition").unwrap().to_str().unwrap().contains("filename*=UTF-8''"));
    let bytes = r.bytes().await.unwrap().to_vec();
    let grids = {
        use calamine::Reader;
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        wb.worksheet_range("统计表汇总").unwrap()
    };
    let row_of = |label: &str| grids.rows().find(|r| r[0] == label).unwrap_or_else(|| panic!("no row {label}")).to_vec();
    let total_of = |label: &str| row_of(label)[1].to_string().parse::<f64>().unwrap() as i64;
    assert_eq!(total_of("东山镇司法所") + total_of("西山镇司法所"), total_of("下级上报总计"));
    assert_eq!(total_of("下级上报总计"), f["cases"].as_i64().unwrap());
    assert_eq!(total_of("本级上报总计"), f["cases"].as_i64().unwrap());
    let r = c.send(reqwest::Method::GET, &format!("/api/v1/dashboard/rollup.pdf?{q}"), None).await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    // Late work and the calendar answer; the settings round-trip for an admin.
    let late = c.get("/api/v1/dashboard/late").await;
    assert_eq!(late["groups"].as_array().unwrap().len(), 5);
    let cal = c.get("/api/v1/dashboard/calendar").await;
    assert!(cal.as_array().unwrap().iter().any(|d| d["name"] == "安置帮教工作半年报告"));
    let mut settings = c.get("/api/v1/dashboard/settings").await["settings"].clone();
    settings["offline_days"] = json!(3);
    let r = c.send(reqwest::Method::PUT, "/api/v1/dashboard/settings", Some(settings.clone())).await;
    assert_eq!(r.status(), 200);
    settings["offline_days"] = json!(0);
    let r = c.send(reqwest::Method::PUT, "/api/v1/dashboard/settings", Some(settings.clone())).await;
    assert_eq!(r.status(), 400);
    assert_eq!(c.get("/api/v1/dashboard/settings").await["settings"]["offline_days"], 3);

    // A viewer reads, but the server refuses it an admin action.
    let mut v = Client::new(addr);
    assert_eq!(v.sign_in("李干事", "viewer-pass-1").await.status(), 200);
    assert_eq!(v.get("/api/v1/dashboard/offices").await["offices"].as_array().unwrap().len(), 2);
    let r = v.send(reqwest::Method::PUT, "/api/v1/dashboard/settings", Some(settings)).await;
    assert_eq!(r.status(), 403);
    let body: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert!(body["message"].as_str().unwrap().contains("没有权限"), "{body}");
    let notice = json!({"office_id": a.id, "name": "王某", "id_number": "11010519491231002X", "released_on": "2026-03-01", "prison": "某监狱", "crime": "盗窃罪"});
    assert_eq!(v.send(reqwest::Method::POST, "/api/v1/dashboard/notices", Some(notice.clone())).await.status(), 403);
    // The admin issues it; the office receives it on its next pull.
    let r = c.send(reqwest::Method::POST, "/api/v1/dashboard/notices", Some(notice)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let held = county.records(a.id).await.unwrap();
    assert!(held.iter().any(|r| r.kind == "released_person" && r.data["notice_from"] == "某监狱"));

    // Offices: an admin registers one and gets its code; a viewer is refused.
    let form = json!({"name": "北山镇司法所", "division_code": "350502104"});
    assert_eq!(v.send(reqwest::Method::POST, "/api/v1/dashboard/offices", Some(form.clone())).await.status(), 403);
    let r = c.send(reqwest::Method::POST, "/api/v1/dashboard/offices", Some(form.clone())).await;
    assert_eq!(r.status(), 200);
    let added: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(added["enrollment_code"].as_str().unwrap().len(), 19);
    assert_eq!(c.send(reqwest::Method::POST, "/api/v1/dashboard/offices", Some(form)).await.status(), 409);
    let r = c.send(reqwest::Method::POST, "/api/v1/dashboard/offices", Some(json!({"name": "", "division_code": "12"}))).await;
    assert_eq!(r.status(), 400);
    // Every dashboard endpoint is in the OpenAPI document, with the session scheme.
    let doc = c.get("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/dashboard/session",
        "/api/v1/dashboard/figures",
        "/api/v1/dashboard/drill",
        "/api/v1/dashboard/compliance",
        "/api/v1/dashboard/late",
        "/api/v1/dashboard/rollup.xlsx",
        "/api/v1/dashboard/settings",
        "/api/v1/dashboard/notices",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/api/v1/dashboard/settings"]["put"]["responses"]["403"].is_object());

    // Sign-out ends the session on the server.
    let r = v.send(reqwest::Method::DELETE, "/api/v1/dashboard/session", None).await;
    assert_eq!(r.status(), 204);
    assert!(r.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(v.send(reqwest::Method::GET, "/api/v1/dashboard/offices", None).await.status(), 401);
}

/// A crafted office: one village committee screened half-monthly. January: the first half a
/// zero report, the second half a round that found one dispute; February: the first half a
/// round that found nothing and was not filed as a zero report, the second half nothing.
async fn compliance_matrix_by_hand(county: Arc<dyn CountyStore>) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::init(dir.path(), "南山镇司法所", "350502103").unwrap();
    let office_org = s.office_id();
    let now = Utc::now();
    let village = Organization {
        name: Some("前村人民调解委员会".into()),
        org_type: Some(OrgType::MediationCommittee),
        committee_type: Some(CommitteeType::Village),
        division_code: Some("350502103001".into()),
        number_prefix: Some("前调".into()),
        ..Default::default()
    };
    let village = s.save(village).unwrap().record;
    let d = |m, dd| NaiveDate::from_ymd_opt(2026, m, dd).unwrap();
    let round = |start: NaiveDate, end: NaiveDate, zero: bool| ScreeningRound {
        unit_org_id: Some(village.meta.id),
        unit_name: Some("前村".into()),
        period_type: Some(PeriodType::HalfMonth),
        period_start: Some(start),
        period_end: Some(end),
        screened_on: Some(end),
        zero_report: zero,
        screener_ids: vec![new_id()],
        ..Default::default()
    };
    s.save(round(d(1, 1), d(1, 15), true)).unwrap();
    let r2 = s.save(round(d(1, 16), d(1, 31), false)).unwrap().record;
    s.save(round(d(2, 1), d(2, 15), false)).unwrap();
    let item = ScreeningItem {
        round_id: Some(r2.meta.id),
        found_on: Some(d(1, 20)),
        summary: Some("宅基地纠纷".into()),
        party_summary: Some("张某与李某".into()),
        dispute_type: Some(DisputeType::ALL[0]),
        people_involved: Some(2),
        risk_level: Some(RiskLevel::ALL[0]),
        disposition: Some(Disposition::ALL[0]),
        status: Some(ItemStatus::InProgress),
        ..Default::default()
    };
    s.save(item).unwrap();
    let office = Office {
        id: Uuid::now_v7(),
        org_id: Some(office_org),
        name: "南山镇司法所".into(),
        division_code: "350502103".into(),
        county_device_id: Uuid::now_v7(),
        created_at: now,
    };
    county.create_office(&office).await.unwrap();
    let (dev, _) = device(&*county, &office).await;
    let changes: Vec<_> = s.pending_changes(1000).unwrap().iter().map(to_wire).collect();
    county.push(office.id, dev.id, changes, now).await.unwrap();
    add_user(&*county, "王科员", Role::Viewer, "viewer-pass-2").await;
    let addr = serve(county.clone()).await;
    let mut c = Client::new(addr);
    assert_eq!(c.sign_in("王科员", "viewer-pass-2").await.status(), 200);
    let m = c.get("/api/v1/dashboard/compliance?from=2026-01-01&to=2026-02-28").await;
    let rows = m["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{m}");
    assert_eq!(rows[0]["unit"], "前村");
    let cells: Vec<(&str, &str)> =
        rows[0]["cells"].as_array().unwrap().iter().map(|c| (c["label"].as_str().unwrap(), c["status"].as_str().unwrap())).collect();
    assert_eq!(
        cells,
        [("2026年1月上半月", "zero"), ("2026年1月下半月", "found"), ("2026年2月上半月", "no_zero_report"), ("2026年2月下半月", "missing")]
    );
    assert_eq!(m["totals"], json!({"found": 1, "zero": 1, "no_zero_report": 1, "missing": 1}));
    // The missing period's zero report arrives: the same query answers anew (nothing stale).
    s.save(round(d(2, 16), d(2, 28), true)).unwrap();
    let fresh: Vec<_> = s.pending_changes(1000).unwrap().iter().map(to_wire).collect();
    county.push(office.id, dev.id, fresh, now).await.unwrap();
    let m = c.get("/api/v1/dashboard/compliance?from=2026-01-01&to=2026-02-28").await;
    assert_eq!(m["totals"], json!({"found": 1, "zero": 2, "no_zero_report": 1}));
    let _ = Duration::days(1);
}

/// Every row of a drill-down (`q`: its query), 7 to a page: the pages hold as many rows as the
/// first page's `total` says, each once, office after office, and as many marked
/// `in_numerator` as its `in_numerator` says.
async fn every_page(c: &Client, q: &str) -> Vec<Value> {
    const SIZE: usize = 7;
    let mut rows: Vec<Value> = Vec::new();
    let (mut total, mut marked) = (None, 0);
    for page in 1.. {
        let p = c.get(&format!("/api/v1/dashboard/drill?{q}&page={page}&page_size={SIZE}")).await;
        assert_eq!((p["page"].as_u64(), p["page_size"].as_u64()), (Some(page), Some(SIZE as u64)), "{q}");
        total = total.or(p["total"].as_u64());
        marked = p["in_numerator"].as_u64().unwrap();
        let got = p["rows"].as_array().unwrap();
        assert!(got.len() <= SIZE, "{q}");
        rows.extend(got.iter().cloned());
        if got.len() < SIZE {
            break;
        }
    }
    assert_eq!(rows.len() as u64, total.unwrap(), "{q}: the pages add up to the total");
    let ids: std::collections::HashSet<&Value> = rows.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids.len(), rows.len(), "{q}: no row twice");
    let offices: Vec<&Value> = rows.iter().map(|r| &r["office_id"]).collect();
    let mut seen = Vec::new();
    for o in offices {
        if seen.last() != Some(&o) {
            assert!(!seen.contains(&o), "{q}: one office's rows together");
            seen.push(o);
        }
    }
    if q.contains("rate:") && !q.contains(":numerator") {
        assert_eq!(rows.iter().filter(|r| r["in_numerator"] == true).count() as u64, marked, "{q}");
    }
    rows
}

/// Every figure of the 统计 page drills to its records through `/api/v1/dashboard/drill`: as
/// many rows as the figure counts (amounts and parties summed), each rate's denominator with
/// its numerator marked and `:numerator` only those — over the whole demo period and over a
/// year that cuts through it, for the county and for one office; 排查成功率 divided by items
/// handled once the county says so. The drill-downs change nothing.
async fn every_figure_drills_to_its_records(county: Arc<dyn CountyStore>) {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, sa) = synced_office(&*county, dirs.0.path(), "东山镇司法所", "350502101", 31).await;
    let (_b, _sb) = synced_office(&*county, dirs.1.path(), "西山镇司法所", "350502102", 32).await;
    add_user(&*county, "张科长", Role::Admin, "admin-pass-1").await;
    let addr = serve(county.clone()).await;
    let mut c = Client::new(addr);
    assert_eq!(c.sign_in("张科长", "admin-pass-1").await.status(), 200);
    let held = county.offices().await.unwrap().iter().map(|o| o.changes).sum::<i64>();

    let n = |v: &Value| v.as_i64().unwrap();
    let today = Utc::now().date_naive();
    let periods = [
        (NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2028, 12, 31).unwrap()),
        (today - Duration::days(400), today - Duration::days(35)),
    ];
    for (from, to) in periods {
        for office in [None, Some(a.id)] {
            let mut q = format!("from={from}&to={to}");
            if let Some(o) = office {
                q.push_str(&format!("&office={o}"));
            }
            let f = c.get(&format!("/api/v1/dashboard/figures?{q}")).await;
            let drill = |figure: String| {
                let c = &c;
                let q = q.clone();
                async move { every_page(c, &format!("{q}&figure={figure}")).await }
            };
            let at = q.clone();
            // The cards.
            for (figure, key) in [("cases", "cases"), ("success", "success"), ("difficult", "difficult"), ("rounds", "screening_rounds")] {
                assert_eq!(drill(figure.into()).await.len() as i64, n(&f[key]), "{figure} {at}");
            }
            let amount = drill("amount".into()).await;
            assert_eq!(amount.iter().map(|r| n(&r["amount_cents"])).sum::<i64>(), n(&f["amount_cents"]), "amount {at}");
            assert!(amount.iter().all(|r| r["result"] == "调解成功" && n(&r["amount_cents"]) != 0));
            let parties = drill("parties".into()).await;
            assert_eq!(parties.iter().map(|r| n(&r["party_count"])).sum::<i64>(), n(&f["party_count"]), "parties {at}");
            if from.year() == 2019 {
                assert!(n(&f["cases"]) > 0 && n(&f["screening_rounds"]) > 0 && n(&f["amount_cents"]) > 0, "{at}: {f}");
            }
            // By type, source and month.
            for t in f["by_type"].as_array().unwrap().iter().filter(|t| n(&t["count"]) > 0) {
                let rows = drill(format!("type:{}", t["code"].as_str().unwrap())).await;
                assert_eq!(rows.len() as i64, n(&t["count"]), "type {} {at}", t["code"]);
                assert!(rows.iter().all(|r| r["dispute_type"] == t["label"]));
            }
            for s in f["by_source"].as_array().unwrap() {
                let rows = drill(format!("source:{}", s["code"].as_str().unwrap())).await;
                assert_eq!(rows.len() as i64, n(&s["count"]), "source {} {at}", s["code"]);
            }
            for m in f["by_month"].as_array().unwrap().iter().filter(|m| n(&m["cases"]) > 0).take(6) {
                let rows = drill(format!("month:{}", m["month"].as_str().unwrap())).await;
                assert_eq!(rows.len() as i64, n(&m["cases"]), "month {} {at}", m["month"]);
                assert_eq!(rows.iter().filter(|r| r["result"] == "调解成功").count() as i64, n(&m["success"]), "month {} {at}", m["month"]);
            }
            // Every rate: its denominator's records, the numerator's marked.
            let rates = f["rates"].as_array().unwrap();
            assert_eq!(rates.len(), 9);
            for r in rates {
                let figure = r["figure"].as_str().unwrap_or_else(|| panic!("{} has no drill-down", r["label"])).to_string();
                let rows = drill(figure.clone()).await;
                let marked = rows.iter().filter(|x| x["in_numerator"] == true).count() as i64;
                assert!(rows.iter().all(|x| x["in_numerator"].is_boolean()), "{figure}");
                assert_eq!((marked, rows.len() as i64), (n(&r["numerator"]), n(&r["denominator"])), "{} {at}", r["label"]);
                let only = drill(format!("{figure}:numerator")).await;
                assert_eq!(only.len() as i64, n(&r["numerator"]), "{} numerator {at}", r["label"]);
                if from.year() == 2019 {
                    assert!(n(&r["denominator"]) > 0, "the demo data exercises {}: {r}", r["label"]);
                }
            }
        }
    }

    // 排查成功率 divided by items handled: the drill-down follows the county's setting.
    let mut settings = c.get("/api/v1/dashboard/settings").await["settings"].clone();
    settings["targets"]["screening_success_base"] = json!("handled");
    assert_eq!(c.send(reqwest::Method::PUT, "/api/v1/dashboard/settings", Some(settings)).await.status(), 200);
    let q = "from=2019-01-01&to=2028-12-31";
    let f = c.get(&format!("/api/v1/dashboard/figures?{q}")).await;
    let r = rate(&f["rates"], "排查成功率");
    let handled = rate(&f["rates"], "排查调处率");
    assert_eq!(r["denominator"], handled["numerator"]);
    let rows = every_page(&c, &format!("{q}&figure=rate:screening_success")).await;
    assert_eq!(rows.len() as i64, n(&r["denominator"]));
    assert_eq!(rows.iter().filter(|x| x["in_numerator"] == true).count() as i64, n(&r["numerator"]));
    // … and one office's by hand: items found in the period, of live rounds, by status.
    let rounds: std::collections::HashSet<Uuid> = sa.all::<ScreeningRound>().unwrap().iter().map(|r| r.meta.id).collect();
    let items: Vec<ScreeningItem> =
        sa.all::<ScreeningItem>().unwrap().into_iter().filter(|i| i.round_id.is_some_and(|r| rounds.contains(&r))).collect();
    let found = items.iter().filter(|i| i.found_on.is_some_and(|d| d.year() >= 2019 && d.year() <= 2028)).count();
    let one = every_page(&c, &format!("{q}&office={}&figure=rate:screening_handled", a.id)).await;
    assert_eq!(one.len(), found);

    // Pages out of range are refused in Chinese; one past the last is empty.
    for bad in ["page=0", "page_size=0", "page_size=501", "page=x"] {
        let r = c.send(reqwest::Method::GET, &format!("/api/v1/dashboard/drill?{q}&figure=cases&{bad}"), None).await;
        assert_eq!(r.status(), 400, "{bad}");
    }
    let past = c.get(&format!("/api/v1/dashboard/drill?{q}&figure=cases&page=100000&page_size=500")).await;
    assert_eq!(past["rows"].as_array().unwrap().len(), 0);
    assert!(past["total"].as_u64().unwrap() > 0);

    // Unknown figures are refused in Chinese; nothing the drill-downs read was changed.
    for bad in ["rate:nonsense", "rate:handover:denominator", "amounts"] {
        let r = c.send(reqwest::Method::GET, &format!("/api/v1/dashboard/drill?{q}&figure={bad}"), None).await;
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.text().await.unwrap().contains("不认识的统计项"));
    }
    assert_eq!(county.offices().await.unwrap().iter().map(|o| o.changes).sum::<i64>(), held);
}

/// 逾期事项 by page: for each group, for the county and for one office, the pages (7 to a
/// page) hold exactly the overdue reminders the offices' own stores compute for today, each
/// once, most overdue first across the offices, and each group's count says as many. Bad
/// groups and pages are refused.
async fn late_work_pages_hold_each_offices_own_overdue_work(county: Arc<dyn CountyStore>) {
    use fengqiao_store::reminders::{ReminderSettings, Rule, Severity};
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, sa) = synced_office(&*county, dirs.0.path(), "东山镇司法所", "350502101", 41).await;
    let (b, sb) = synced_office(&*county, dirs.1.path(), "西山镇司法所", "350502102", 42).await;
    add_user(&*county, "张科长", Role::Admin, "admin-pass-1").await;
    let addr = serve(county.clone()).await;
    let mut c = Client::new(addr);
    assert_eq!(c.sign_in("张科长", "admin-pass-1").await.status(), 200);

    let groups: [(&str, &[Rule]); 5] = [
        ("mediation", &[Rule::MediationOverdue]),
        ("return_visit", &[Rule::ReturnVisit]),
        ("help_visit", &[Rule::HelpVisit]),
        ("notice", &[Rule::HandoverNotify, Rule::HandoverCollect, Rule::HandoverFirstVisit, Rule::HandoverFile, Rule::HandoverHukou]),
        ("help_period", &[Rule::HelpPeriodEnded]),
    ];
    let today = fengqiao_county::dashboard::today();
    let own = |office: &Office, s: &Store, rules: &[Rule]| -> Vec<String> {
        s.compute_reminders(&ReminderSettings::default(), today)
            .unwrap()
            .into_iter()
            .filter(|r| r.severity == Severity::Overdue && rules.contains(&r.rule))
            .map(|r| format!("{} {} {:?} {} {}", office.id, r.rule.label(), r.record_id, r.title, r.days_overdue))
            .collect()
    };
    let mut paged_across = false;
    for (code, rules) in groups {
        for office in [None, Some(&a)] {
            let mut expected = own(&a, &sa, rules);
            if office.is_none() {
                expected.extend(own(&b, &sb, rules));
            }
            expected.sort();
            let q = office.map(|o| format!("&office={}", o.id)).unwrap_or_default();
            let (mut got, mut days, mut counted) = (Vec::new(), Vec::new(), None);
            for page in 1.. {
                let p = c.get(&format!("/api/v1/dashboard/late?group={code}&page={page}&page_size=7{q}")).await;
                assert_eq!((p["group"].as_str(), p["page"].as_u64()), (Some(code), Some(page)), "{p}");
                let count = p["groups"].as_array().unwrap().iter().find(|g| g["code"] == code).unwrap()["count"].as_u64();
                assert_eq!(count, p["total"].as_u64(), "{code}");
                counted = counted.or(count);
                let items = p["items"].as_array().unwrap();
                for it in items {
                    let rid = it["record_id"].as_str().map(|id| format!("Some({id})")).unwrap_or_else(|| "None".into());
                    got.push(format!(
                        "{} {} {} {} {}",
                        it["office_id"].as_str().unwrap(),
                        it["rule"].as_str().unwrap(),
                        rid,
                        it["title"].as_str().unwrap(),
                        it["days_overdue"]
                    ));
                    days.push(it["days_overdue"].as_i64().unwrap());
                }
                if items.len() < 7 {
                    break;
                }
            }
            assert_eq!(counted, Some(expected.len() as u64), "{code}: the count is the offices' own");
            assert!(days.windows(2).all(|w| w[0] >= w[1]), "{code}: most overdue first across pages: {days:?}");
            paged_across |= office.is_none() && expected.len() > 7;
            got.sort();
            assert_eq!(got, expected, "{code} {q}: the pages hold the offices' own overdue work, each once");
        }
    }
    assert!(paged_across, "the demo offices have some group of late work longer than a page");
    for bad in ["group=overdue", "page=0", "page_size=501"] {
        let r = c.send(reqwest::Method::GET, &format!("/api/v1/dashboard/late?{bad}"), None).await;
        assert_eq!(r.status(), 400, "{bad}");
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let f = crate::common::sqlite().await;
                    super::$name(f.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(f) = crate::common::postgres().await else { return };
                    super::$name(f.store.clone()).await;
                }
            )*
        }
    };
}

both!(figures_match_the_offices, compliance_matrix_by_hand, every_figure_drills_to_its_records, late_work_pages_hold_each_offices_own_overdue_work);

/// The dashboard's mirrors kept on disk (`serve --data DIR` keeps them in DIR/mirrors): after a
/// restart an office's mirror is the same file, brought up to date with only what arrived
/// since; a mirror that cannot be opened is built again, and the figures stay right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrors_are_kept_between_runs() {
    use fengqiao_county::dashboard::Dashboard;
    use std::os::unix::fs::MetadataExt;

    let f = crate::common::sqlite().await;
    let county = f.store.clone();
    let office_dir = tempfile::tempdir().unwrap();
    let (office, mut store) = synced_office(&*county, office_dir.path(), "东山镇司法所", "350502101", 21).await;
    let mirrors = tempfile::tempdir().unwrap();
    let mirror_file = mirrors.path().join(office.id.to_string()).join(fengqiao_store::DB_FILE);
    let (from, to) = (NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2028, 12, 31).unwrap());
    let own_cases = |s: &Store| s.case_statistics(from, to).unwrap().own_total.total;

    let first = Dashboard::kept_in(county.clone(), mirrors.path()).unwrap();
    assert_eq!(first.figures(from, to, Some(office.id)).await.unwrap().cases, own_cases(&store));
    let inode = std::fs::metadata(&mirror_file).unwrap().ino();
    drop(first);

    // The office goes on working and syncs; the county restarts.
    generate(&mut store, &DemoOptions { disputes: 7, released: 1, screenings: 1, seed: 22 }, |_| {}).unwrap();
    let (dev, _) = device(&*county, &office).await;
    let changes: Vec<_> = store.pending_changes(1_000_000).unwrap().iter().map(to_wire).collect();
    for batch in changes.chunks(MAX_BATCH) {
        county.push(office.id, dev.id, batch.to_vec(), Utc::now()).await.unwrap();
    }
    // The warm-up (the server runs it every 10 s) takes what arrived before anyone asks.
    let second = Dashboard::kept_in(county.clone(), mirrors.path()).unwrap();
    second.warm().await.unwrap();
    assert_eq!(std::fs::metadata(&mirror_file).unwrap().ino(), inode, "the mirror was built again instead of kept");
    drop(second);
    // It remembers how far it has pulled: the county's last change for the office.
    let kept = Store::open(mirror_file.parent().unwrap()).unwrap();
    let cursor: i64 = kept.sync_setting(fengqiao_store::sync::keys::CURSOR).unwrap().unwrap().parse().unwrap();
    let last = county.pull(office.id, Uuid::nil(), cursor, 1, Utc::now()).await.unwrap();
    assert!(cursor > 0 && last.changes.is_empty() && !last.more, "cursor {cursor}: {} more changes", last.changes.len());
    drop(kept);
    let again = Dashboard::kept_in(county.clone(), mirrors.path()).unwrap();
    assert_eq!(again.figures(from, to, Some(office.id)).await.unwrap().cases, own_cases(&store));
    drop(again);

    // A damaged mirror is set aside and built again from the county's records.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", mirror_file.display()));
    }
    std::fs::write(&mirror_file, b"not a database").unwrap();
    let third = Dashboard::kept_in(county.clone(), mirrors.path()).unwrap();
    assert_eq!(third.figures(from, to, Some(office.id)).await.unwrap().cases, own_cases(&store));
}

/// Queries arriving together on a fresh dashboard (two browser tabs right after a start) open
/// each office's mirror once: neither fails, both give the office's own figures, and the
/// mirror holds each record once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_at_once_on_a_fresh_dashboard_share_each_mirror() {
    use fengqiao_county::dashboard::Dashboard;

    let f = crate::common::sqlite().await;
    let county = f.store.clone();
    let office_dir = tempfile::tempdir().unwrap();
    let (office, store) = synced_office(&*county, office_dir.path(), "东山镇司法所", "350502101", 23).await;
    let (from, to) = (NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2028, 12, 31).unwrap());
    let own = store.case_statistics(from, to).unwrap().own_total.total;
    for _ in 0..3 {
        let mirrors = tempfile::tempdir().unwrap();
        let dash = Dashboard::kept_in(county.clone(), mirrors.path()).unwrap();
        let (a, b, c, d) = tokio::join!(
            dash.figures(from, to, None),
            dash.figures(from, to, Some(office.id)),
            dash.late_page(None, "mediation", 1, 50),
            dash.rollup(from, to)
        );
        assert_eq!(a.unwrap().cases, own);
        assert_eq!(b.unwrap().cases, own);
        c.unwrap();
        assert_eq!(d.unwrap().own_total.total, own);
        drop(dash);
        let mirror = Store::open(&mirrors.path().join(office.id.to_string())).unwrap();
        assert_eq!(mirror.case_statistics(from, to).unwrap().own_total.total, own);
    }
}
