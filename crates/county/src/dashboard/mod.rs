//! The county dashboard: every figure is computed by the office store's own code
//! (`fengqiao_store::stats`, `fengqiao_store::reminders`) over the records the county holds.
//!
//! For each office the dashboard keeps a *mirror*: an office store (`fengqiao_store::Store`)
//! fed with the office's changes exactly as a new PC of that office would pull them
//! (`Store::apply_remote`, the same merge). Before a query the mirror pulls what arrived since
//! its cursor; then the 统计表, the §3.4 metrics and the reminders are the office's own
//! functions run on it, and county figures are sums of the offices' numerators and
//! denominators. The mirrors are kept in the data directory between starts (`kept_in`), or in
//! a temporary directory.

pub mod openapi;
pub mod routes;
pub mod ui;
pub mod xlsx;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use fengqiao_model::*;
use fengqiao_store::reminders::{period_containing, CountyPolicy, ReminderSettings, Rule, Severity};
use fengqiao_store::stats::{
    consistency_checks, CaseStatistics, ConsistencyCheck, Count, Rate, RowKind, ScreeningSuccessBase, StatDigest, StatRow, Targets,
};
use fengqiao_store::sync::keys;
use fengqiao_store::{DisputeFilter, Store, MAX_PAGE_SIZE};
use fengqiao_sync::protocol::MAX_BATCH;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{CountyError, Result};
use crate::store::{CountyStore, OfficeHead, OfficeSummary};

/// The key of the county's settings in the store.
pub const SETTINGS_KEY: &str = "dashboard";

/// What the county configures: when an office counts as not heard from, the reminder periods
/// (排查 frequency per level, 帮教 visit frequency per risk class, the report calendar) and the
/// metrics' targets. Once an administrator has saved them, the offices receive all but
/// `offline_days` through sync ([`CountySettings::policy`], the `settings` of a pull answer)
/// and their reminders and targets follow them; before that each office keeps its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CountySettings {
    /// 填报单位 of the rolled-up 统计表.
    pub county_name: String,
    /// An office whose last sync is older than this many days is highlighted.
    pub offline_days: i64,
    pub reminders: ReminderSettings,
    pub targets: Targets,
}

impl Default for CountySettings {
    fn default() -> Self {
        CountySettings { county_name: "县司法局".into(), offline_days: 7, reminders: ReminderSettings::default(), targets: Targets::default() }
    }
}

impl CountySettings {
    /// What the offices receive through sync (its version a hash of the content, so it
    /// changes exactly when something the offices see does).
    pub fn policy(&self) -> CountyPolicy {
        CountyPolicy::new(self.county_name.trim(), self.reminders.clone(), self.targets.clone())
    }

    /// Refuses what no rule can work with, in Chinese.
    pub fn check(&self) -> Result<()> {
        if self.county_name.trim().is_empty() || self.county_name.chars().count() > 60 {
            return Err(CountyError::Invalid("填报单位不能为空，不能超过60个字符".into()));
        }
        if !(1..=365).contains(&self.offline_days) {
            return Err(CountyError::Invalid("“多少天未同步视为失联”应为1到365天".into()));
        }
        self.reminders.check().map_err(|e| CountyError::Invalid(e.to_string()))?;
        let t = &self.targets;
        for (label, v) in [
            ("调解成功率目标", t.mediation_success),
            ("协议履行率目标", t.performance),
            ("排查调处率目标", t.screening_handled),
            ("排查成功率目标", t.screening_success),
            ("衔接率目标", t.handover),
            ("必接必送率目标", t.must_escort),
            ("安置率目标", t.resettlement),
            ("帮教率目标", t.help),
            ("重新犯罪率上限", t.reoffense_below),
        ] {
            if v.is_some_and(|v| !(0.0..=1.0).contains(&v)) {
                return Err(CountyError::Invalid(format!("{label}应在0%到100%之间")));
            }
        }
        Ok(())
    }
}

/// An office's mirror: its store, how far it has pulled, and results computed on it (by
/// query, with the cursor they were computed at: unchanged records, same answer).
struct Mirror {
    cursor: tokio::sync::Mutex<i64>,
    store: Arc<Mutex<Store>>,
    results: Mutex<HashMap<String, (i64, Computed)>>,
}

/// A result computed on a mirror, of whatever type its query gives.
type Computed = Arc<dyn std::any::Any + Send + Sync>;

/// Results kept per office before the oldest are dropped.
const RESULTS_KEPT: usize = 64;

/// The keys of what every query of any period reads (and the warm-up computes): kept when the
/// answers of particular periods are dropped, as reading them again costs the most.
const DIGEST_KEY: &str = "digest";
const SCREENING_KEY: &str = "screening";
const LATE_KEY_PREFIX: &str = "late:";

fn standing(key: &str) -> bool {
    key == DIGEST_KEY || key == SCREENING_KEY || key.starts_with(LATE_KEY_PREFIX)
}

pub struct Dashboard {
    pub store: Arc<dyn CountyStore>,
    /// Session cookies marked `Secure` (served over TLS).
    pub secure_cookies: bool,
    /// Failed sign-ins counted per account name and client address (in memory).
    pub sign_in_limits: Arc<crate::limits::SignInLimiter>,
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    /// Each office's mirror, opened once: two queries arriving together for an office whose
    /// mirror is not open yet (a second browser tab after a start) wait for the same opening
    /// rather than both building it in the same directory.
    mirrors: Mutex<HashMap<Uuid, Arc<tokio::sync::OnceCell<Arc<Mirror>>>>>,
}

/// An office's mirror in `dir` and how far it has pulled: the one kept from an earlier run when
/// it opens and is the same office's, else a new one.
///
/// Mirrors keep no history of what they pull (`Store::without_pulled_history`): the county
/// holds every change already, and the pulled changes' log was a third of each mirror.
fn open_mirror(dir: &Path, org: Uuid) -> Result<(Store, i64)> {
    if dir.join(fengqiao_store::DB_FILE).exists() {
        match Store::open(dir) {
            Ok(mut store) if store.office_id() == org => {
                let cursor = store.sync_setting(keys::CURSOR).map_err(blocking_err)?.and_then(|c| c.parse().ok()).unwrap_or(0);
                store.without_pulled_history();
                return Ok((store, cursor));
            }
            Ok(_) => eprintln!("fengqiao-county: 统计副本{}属于另一个司法所，重新建立", dir.display()),
            Err(e) => eprintln!("fengqiao-county: 统计副本{}无法打开（{e}），重新建立", dir.display()),
        }
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let mut store = Store::init_for_enrollment(dir, fengqiao_model::new_id(), org, fengqiao_store::system_clock()).map_err(blocking_err)?;
    store.without_pulled_history();
    Ok((store, 0))
}

fn blocking_err(e: fengqiao_store::StoreError) -> CountyError {
    CountyError::Corrupt(format!("司法所数据无法统计：{e}"))
}

/// How many offices are worked on at once: one per core (at most 8).
fn width() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8)
}

/// The office's date today (UTC+8).
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

impl Dashboard {
    /// A dashboard whose mirrors live in a temporary directory, removed when it is dropped.
    pub fn new(store: Arc<dyn CountyStore>) -> Result<Dashboard> {
        let temp = tempfile::Builder::new().prefix("fengqiao-county-dashboard-").tempdir()?;
        Ok(Dashboard {
            store,
            secure_cookies: false,
            sign_in_limits: Default::default(),
            dir: temp.path().to_path_buf(),
            _temp: Some(temp),
            mirrors: Mutex::new(HashMap::new()),
        })
    }

    /// A dashboard whose mirrors are kept in `dir` between runs: after a restart each office's
    /// mirror takes only what arrived since (building 200 offices' mirrors from nothing took
    /// the better part of an hour at 10,000 cases each).
    pub fn kept_in(store: Arc<dyn CountyStore>, dir: &Path) -> Result<Dashboard> {
        std::fs::create_dir_all(dir).map_err(|e| CountyError::DataDir { path: dir.to_path_buf(), reason: e.to_string() })?;
        Ok(Dashboard {
            store,
            secure_cookies: false,
            sign_in_limits: Default::default(),
            dir: dir.to_path_buf(),
            _temp: None,
            mirrors: Mutex::new(HashMap::new()),
        })
    }

    pub async fn settings(&self) -> Result<CountySettings> {
        match self.store.setting(SETTINGS_KEY).await? {
            Some(v) => Ok(serde_json::from_value(v)?),
            None => Ok(CountySettings::default()),
        }
    }

    /// What the offices receive through sync: the settings an administrator saved, none
    /// before any were saved (the offices keep their own until then).
    pub async fn policy(&self) -> Result<Option<CountyPolicy>> {
        match self.store.setting(SETTINGS_KEY).await? {
            Some(v) => Ok(Some(serde_json::from_value::<CountySettings>(v)?.policy())),
            None => Ok(None),
        }
    }

    pub async fn set_settings(&self, s: &CountySettings) -> Result<()> {
        s.check()?;
        self.store.set_setting(SETTINGS_KEY, &serde_json::to_value(s)?, Utc::now()).await
    }

    /// The office's mirror, brought up to date with what the county holds: pulled only when
    /// the office's latest change (`office.head`, read for every office in one query by
    /// [`Dashboard::scope`]) is past the mirror's cursor, so a query with nothing new makes no
    /// round trip per office.
    async fn mirror(&self, office: &OfficeHead) -> Result<(Arc<Mirror>, i64)> {
        let cell = self.mirrors.lock().unwrap_or_else(|p| p.into_inner()).entry(office.id).or_default().clone();
        let m = cell
            .get_or_try_init(|| async {
                let dir = self.dir.join(office.id.to_string());
                let org = office.org_id.unwrap_or(office.id);
                let (store, cursor) = tokio::task::spawn_blocking(move || open_mirror(&dir, org)).await??;
                Ok::<_, CountyError>(Arc::new(Mirror {
                    cursor: tokio::sync::Mutex::new(cursor),
                    store: Arc::new(Mutex::new(store)),
                    results: Mutex::new(HashMap::new()),
                }))
            })
            .await?
            .clone();
        let mut cursor = m.cursor.lock().await;
        // A pull ends at the office's latest change (its `next_cursor`), so a cursor at or past
        // the head has nothing to pull. Changes committed after the head was read are taken
        // by the next query.
        while office.head > *cursor {
            let page = self.store.pull(office.id, Uuid::nil(), *cursor, MAX_BATCH, Utc::now()).await?;
            if !page.changes.is_empty() {
                let entries: Vec<_> = page.changes.into_iter().map(fengqiao_sync::agent::from_wire).collect();
                let (st, next) = (m.store.clone(), page.next_cursor);
                tokio::task::spawn_blocking(move || {
                    // The changes and the cursor past them in one transaction, written without
                    // waiting for the disk: the county holds every change, so a power cut that
                    // loses the last pages loses their cursor too, and they are pulled again.
                    let mut st = st.lock().unwrap_or_else(|p| p.into_inner());
                    st.apply_pulled(&entries, Some(next)).map(|_| ()).map_err(blocking_err)
                })
                .await??;
            }
            *cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        let at = *cursor;
        drop(cursor);
        Ok((m, at))
    }

    /// Runs `f` on the office's up-to-date mirror — or answers what it gave for the same
    /// `key` (the query and everything it depends on) when no change has arrived since.
    async fn with<T: Clone + Send + Sync + 'static>(
        &self,
        office: &OfficeHead,
        key: String,
        f: impl FnOnce(&Store) -> fengqiao_store::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (m, at) = self.mirror(office).await?;
        {
            let results = m.results.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((c, v)) = results.get(&key) {
                if let (true, Some(t)) = (*c == at, v.downcast_ref::<T>()) {
                    return Ok(t.clone());
                }
            }
        }
        let st = m.store.clone();
        let t = tokio::task::spawn_blocking(move || f(&st.lock().unwrap_or_else(|p| p.into_inner())).map_err(blocking_err)).await??;
        let mut results = m.results.lock().unwrap_or_else(|p| p.into_inner());
        results.retain(|_, (c, _)| *c == at);
        if results.len() >= RESULTS_KEPT {
            // Many periods asked: drop their answers, not the digest, rounds and late work.
            results.retain(|k, _| standing(k));
            if results.len() >= RESULTS_KEPT {
                results.clear();
            }
        }
        results.insert(key, (at, Arc::new(t.clone())));
        Ok(t)
    }

    /// The offices a query covers, one (by id) or all, each with its latest change: one
    /// query, whatever the number of offices.
    async fn scope(&self, office: Option<Uuid>) -> Result<Vec<OfficeHead>> {
        let all = self.store.office_heads().await?;
        let list = match office {
            None => all,
            Some(id) => {
                let o = all.into_iter().find(|o| o.id == id).ok_or_else(|| CountyError::NotFound(format!("没有编号为{id}的司法所")))?;
                vec![o]
            }
        };
        self.catch_up(&list).await?;
        Ok(list)
    }

    /// Brings the offices' mirrors up to date several at a time (one per core): each merges
    /// into its own file, so after a start, or after many offices synced, the merging runs
    /// side by side rather than office after office. Mirrors already up to date cost a lock
    /// and a comparison.
    async fn catch_up(&self, offices: &[OfficeHead]) -> Result<()> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        // The futures made first: a closure inside the stream trips the compiler's check that
        // the handlers' futures are `Send`.
        let each: Vec<_> = offices.iter().map(|o| self.mirror(o)).collect();
        stream::iter(each).buffer_unordered(width()).try_for_each(|_| std::future::ready(Ok(()))).await
    }

    /// `with` on every office, one office per core, the answers in the offices' order: a first
    /// answer (a new period, a figure's first drill) is each office's own computation, and they
    /// are independent.
    async fn each<T, F>(&self, offices: &[OfficeHead], key: &str, f: F) -> Result<Vec<T>>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce(&Store) -> fengqiao_store::Result<T> + Clone + Send + 'static,
    {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let each: Vec<_> = offices.iter().map(|o| self.with(o, key.to_string(), f.clone())).collect();
        stream::iter(each).buffered(width()).try_collect().await
    }

    /// Computes ahead what is costly to compute when asked: every office's mirror brought up
    /// to date, its statistics by day ([`StatDigest`]), what its 零报告 matrix reads and today's
    /// late work. Nothing is recomputed for an office with no new change (same day, same
    /// settings), so a round with nothing new costs one query for the offices' heads. The
    /// server runs it in the background; any period's figures, roll-up and drill-down counts
    /// then come from memory.
    pub async fn warm(&self) -> Result<()> {
        let offices = self.scope(None).await?;
        self.over_digests(&offices, |_| Ok(())).await?;
        self.each(&offices, SCREENING_KEY, screening_facts).await?;
        self.office_lates(&offices).await?;
        Ok(())
    }

    /// `f` on each office's statistics by day ([`StatDigest`], of everything the office holds),
    /// the answers in the offices' order. A digest is read from the mirror once after each
    /// change and kept; any period's figures are then sums in memory — no office store is
    /// queried again, whatever the period.
    async fn over_digests<T, F>(&self, offices: &[OfficeHead], f: F) -> Result<Vec<T>>
    where
        T: Send + 'static,
        F: Fn(&StatDigest) -> fengqiao_store::Result<T> + Send + 'static,
    {
        let digests = self.each(offices, DIGEST_KEY, |s| Ok(Arc::new(s.stat_digest_all()?))).await?;
        tokio::task::spawn_blocking(move || digests.iter().map(|d| f(d)).collect::<fengqiao_store::Result<Vec<T>>>().map_err(blocking_err)).await?
    }

    // -----------------------------------------------------------------------------------------
    // 司法所

    pub async fn offices(&self) -> Result<OfficesView> {
        let settings = self.settings().await?;
        let backlogs: HashMap<Uuid, _> = self.store.backlogs().await?.into_iter().collect();
        let now = Utc::now();
        let limit = now - Duration::days(settings.offline_days);
        let offices = self
            .store
            .offices()
            .await?
            .into_iter()
            .map(|s| {
                let b = backlogs.get(&s.office.id).copied().unwrap_or_default();
                let silent = s.last_sync_at.is_none_or(|t| t < limit);
                let days = s.last_sync_at.map(|t| (now - t).num_days());
                OfficeRow { summary: s, undelivered: b.undelivered, rejected: b.rejected, silent, days_since_sync: days }
            })
            .collect();
        Ok(OfficesView { offline_days: settings.offline_days, offices })
    }

    // -----------------------------------------------------------------------------------------
    // 统计

    /// Figures of the county (or one office) for a period: sums of each office's 统计表 row
    /// and of the numerators and denominators of its §3.4 rates.
    pub async fn figures(&self, from: NaiveDate, to: NaiveDate, office: Option<Uuid>) -> Result<Figures> {
        check_period(from, to)?;
        let offices = self.scope(office).await?;
        let targets = self.settings().await?.targets;
        let months = months(from, to);
        let mut total = StatRow::empty(RowKind::OwnTotal, None, "合计");
        let mut per_office = Vec::new();
        let mut all_rates: Vec<Vec<Rate>> = Vec::new();
        let mut by_month: Vec<MonthCount> = months.iter().map(|(m, _, _)| MonthCount { month: m.clone(), cases: 0, success: 0 }).collect();
        let (t, ms) = (targets.clone(), months.clone());
        let answers = self
            .over_digests(&offices, move |d| {
                let table = d.case_statistics(from, to)?;
                let metrics = d.metrics(from, to, &t)?;
                let month_rows = ms.iter().map(|(_, a, b)| d.cases_and_success(*a, *b)).collect::<Vec<_>>();
                Ok((table, metrics, month_rows))
            })
            .await?;
        for (o, (table, metrics, month_rows)) in offices.iter().zip(answers) {
            total.add(&table.own_total);
            for (m, (c, s)) in by_month.iter_mut().zip(month_rows) {
                m.cases += c;
                m.success += s;
            }
            let rates: Vec<Rate> = metrics.rates().into_iter().cloned().collect();
            per_office.push(OfficeFigures {
                office_id: o.id,
                name: o.name.clone(),
                cases: table.own_total.total,
                success: table.own_total.success,
                difficult: table.own_total.difficult,
                amount_wan: table.own_total.amount_wan.clone(),
                rates: rates.clone(),
            });
            all_rates.push(rates);
        }
        let rates = match all_rates.first() {
            None => Vec::new(),
            Some(first) => (0..first.len()).map(|i| sum_rates(all_rates.iter().map(|r| &r[i]))).collect(),
        };
        let rates =
            rates.into_iter().map(|rate| FigureRate { figure: RateCode::of_label(rate.label).map(|c| format!("rate:{}", c.code())), rate }).collect();
        let by_source = vec![
            SourceCount { code: CaseSource::Proactive.code(), label: CaseSource::Proactive.label(), count: total.sources.proactive },
            SourceCount {
                code: CaseSource::PartyApplication.code(),
                label: CaseSource::PartyApplication.label(),
                count: total.sources.party_application,
            },
            SourceCount { code: CaseSource::Referral.code(), label: CaseSource::Referral.label(), count: total.sources.referral },
        ];
        Ok(Figures {
            from,
            to,
            office: office.and_then(|_| offices.first().map(|o| o.name.clone())),
            cases: total.total,
            party_count: total.party_count,
            success: total.success,
            difficult: total.difficult,
            amount_cents: total.amount_cents,
            amount_wan: total.amount_wan.clone(),
            screening_rounds: total.prevention.screening_rounds,
            by_type: total.by_dispute_type.clone(),
            by_source,
            by_month,
            rates,
            per_office,
        })
    }

    /// The records behind a figure (read-only), as many as it counts. `figure` is one of:
    ///
    /// - cases counted in the period (the 统计表's rule), narrowed: `cases`, `success`,
    ///   `difficult`, `amount` (successful cases with an amount: their amounts sum to 协议涉及金额),
    ///   `parties` (cases with parties, each with its number: they sum to 涉及当事人),
    ///   `type:CODE`, `source:CODE`, `month:YYYY-MM`;
    /// - `rounds`: the 排查 rounds held in the period (排查纠纷, 次);
    /// - `rate:CODE` for each §3.4 rate ([`RateCode`]): the records of its denominator, each
    ///   marked `in_numerator`; `rate:CODE:numerator` only those of its numerator. Cases for
    ///   调解成功率, agreements in force for 协议履行率, 排查 items for 排查调处率 and 排查成功率,
    ///   released persons for the others — each by the conditions of the office's own
    ///   `Store::metrics`, so the counts are the figure's.
    ///
    /// Rows come office after office (in the 司法所 list's order), each office's by date.
    pub async fn drill(&self, from: NaiveDate, to: NaiveDate, office: Option<Uuid>, figure: &str) -> Result<Drill> {
        let (test, from, to) = Figure::narrowed(figure, from, to)?;
        let offices = self.scope(office).await?;
        self.drill_in(&offices, test, from, to).await
    }

    /// One page of [`Dashboard::drill`], with the counts of all pages. How many rows each office
    /// has is read from its [`StatDigest`]; only the offices the page shows list their records,
    /// so a page of a county-wide figure costs one or two offices, not every office.
    pub async fn drill_page(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        office: Option<Uuid>,
        figure: &str,
        page: usize,
        page_size: usize,
    ) -> Result<DrillPage> {
        check_page(page, page_size)?;
        let (test, from, to) = Figure::narrowed(figure, from, to)?;
        let offices = self.scope(office).await?;
        let targets = self.settings().await?.targets;
        let t = test.clone();
        let counts = self.over_digests(&offices, move |d| t.count(d, from, to, &targets)).await?;
        let mut total = FigureCount::default();
        let (start, end) = ((page - 1).saturating_mul(page_size), page.saturating_mul(page_size));
        let (mut shown, mut skip, mut at) = (Vec::new(), 0, 0);
        for (o, c) in offices.iter().zip(&counts) {
            total.rows += c.rows;
            total.numerator += c.numerator;
            total.parties += c.parties;
            total.amount_cents += c.amount_cents;
            if at + c.rows > start && at < end {
                if shown.is_empty() {
                    skip = start - at;
                }
                shown.push(o.clone());
            }
            at += c.rows;
        }
        let rows = self.drill_in(&shown, test, from, to).await?.slice(skip, page_size);
        Ok(DrillPage {
            total: total.rows,
            in_numerator: total.numerator,
            party_count: total.parties,
            amount_cents: total.amount_cents,
            page,
            page_size,
            rows,
        })
    }

    /// The drill-down of `test` over `offices`, office after office.
    async fn drill_in(&self, offices: &[OfficeHead], test: Figure, from: NaiveDate, to: NaiveDate) -> Result<Drill> {
        let offices = offices.to_vec();
        fn only<T>(rows: &mut Vec<T>, numerator: bool, flag: impl Fn(&T) -> Option<bool>) {
            if numerator {
                rows.retain(|r| flag(r) == Some(true));
            }
        }
        Ok(match test {
            Figure::Rate(code, numerator) if code.records() == RateRecords::Agreements => {
                let mut out = self.drill_agreements(&offices, from, to).await?;
                only(&mut out, numerator, |r: &AgreementDrillRow| r.in_numerator);
                Drill::Agreements(out)
            }
            Figure::Rate(code, numerator) if code.records() == RateRecords::Items => {
                let base = self.settings().await?.targets.screening_success_base;
                let mut out = self.drill_items(&offices, code, base, from, to).await?;
                only(&mut out, numerator, |r: &ItemDrillRow| r.in_numerator);
                Drill::Items(out)
            }
            Figure::Rate(code, numerator) if code.records() == RateRecords::Persons => {
                let mut out = self.drill_persons(&offices, code, from, to).await?;
                only(&mut out, numerator, |r: &ReleasedDrillRow| r.in_numerator);
                Drill::Persons(out)
            }
            Figure::Rounds => Drill::Rounds(self.drill_rounds(&offices, from, to).await?),
            test => {
                let mut out = self.drill_cases(&offices, &test, from, to).await?;
                if let Figure::Rate(_, numerator) = test {
                    only(&mut out, numerator, |r: &DrillRow| r.in_numerator);
                }
                Drill::Cases(out)
            }
        })
    }

    /// The cases counted in the period that `test` counts (调解成功率: all of them, marked).
    async fn drill_cases(&self, offices: &[OfficeHead], test: &Figure, from: NaiveDate, to: NaiveDate) -> Result<Vec<DrillRow>> {
        let mut out = Vec::new();
        let answers = self
            .each(offices, &format!("drill:{from}:{to}"), move |s| {
                let mut rows = Vec::new();
                let mut page = 1;
                loop {
                    let p = s.list_disputes(&DisputeFilter {
                        accepted_from: Some(from),
                        accepted_to: Some(to),
                        page,
                        page_size: MAX_PAGE_SIZE,
                        ..Default::default()
                    })?;
                    let n = p.rows.len();
                    rows.extend(p.rows.into_iter().map(|r| (r.case, r.party_names)));
                    if n == 0 || (page as i64) * (MAX_PAGE_SIZE as i64) >= p.total {
                        break;
                    }
                    page += 1;
                }
                Ok(rows)
            })
            .await?;
        // 涉及当事人 counts the live party rows of each case (as the 统计表 does).
        let party_counts = match test {
            Figure::Parties => {
                self.each(offices, "party_counts", |s| {
                    let mut n: HashMap<Uuid, i64> = HashMap::new();
                    for p in s.all::<CaseParty>()? {
                        if let Some(c) = p.case_id {
                            *n.entry(c).or_default() += 1;
                        }
                    }
                    Ok(n)
                })
                .await?
            }
            _ => Vec::new(),
        };
        for (i, (o, rows)) in offices.iter().zip(answers).enumerate() {
            let parties = party_counts.get(i);
            for (c, names) in rows {
                if !counted(&c) || !test.matches(&c) {
                    continue;
                }
                let mut row = DrillRow::new(o.id, &o.name, &c, names);
                if let Some(parties) = parties {
                    let n = parties.get(&c.meta.id).copied().unwrap_or(0);
                    if n == 0 {
                        continue;
                    }
                    row.party_count = Some(n);
                }
                if let Figure::Rate(RateCode::MediationSuccess, _) = test {
                    row.in_numerator = Some(c.result == Some(MediationResult::Success));
                }
                out.push(row);
            }
        }
        sort_within_offices(&mut out, |r| r.office_id, |a, b| (a.accepted_on, &a.case_no).cmp(&(b.accepted_on, &b.case_no)));
        Ok(out)
    }

    /// 协议履行率's records: the agreement in force of each case counted in the period (final,
    /// not superseded by a live agreement), marked when performed (immediately or in full).
    async fn drill_agreements(&self, offices: &[OfficeHead], from: NaiveDate, to: NaiveDate) -> Result<Vec<AgreementDrillRow>> {
        let mut out = Vec::new();
        let answers = self
            .each(offices, &format!("agreements:{from}:{to}"), move |s| {
                let mut rows = Vec::new();
                for (case, agreements) in s.cases_with_agreements(from, to)? {
                    if !counted(&case) {
                        continue;
                    }
                    // A live agreement (draft or not) naming another of its case supersedes it.
                    let superseded: std::collections::HashSet<Uuid> = agreements.iter().filter_map(|b| b.supersedes_agreement_id).collect();
                    for a in agreements {
                        if a.meta.draft || superseded.contains(&a.meta.id) {
                            continue;
                        }
                        let performed = matches!(a.performance_status, Some(PerformanceStatus::Immediate | PerformanceStatus::Fulfilled));
                        rows.push(AgreementDrillRow {
                            office_id: Uuid::nil(),
                            office_name: String::new(),
                            id: a.meta.id,
                            case_id: case.meta.id,
                            case_no: case.case_no.clone(),
                            title: case.title.clone(),
                            accepted_on: case.accepted_on,
                            agreement_no: a.agreement_no.clone(),
                            form: a.form.map(|f| f.label()),
                            effective_on: a.effective_on(),
                            performance_status: a.performance_status.map(|p| p.label()),
                            in_numerator: Some(performed),
                        });
                    }
                }
                Ok(rows)
            })
            .await?;
        for (o, rows) in offices.iter().zip(answers) {
            out.extend(rows.into_iter().map(|mut r| {
                r.office_id = o.id;
                r.office_name = o.name.clone();
                r
            }));
        }
        sort_within_offices(&mut out, |r| r.office_id, |a, b| (a.accepted_on, &a.case_no, a.id).cmp(&(b.accepted_on, &b.case_no, b.id)));
        Ok(out)
    }

    /// 排查调处率's and 排查成功率's records: the items found in the period in live rounds (or,
    /// for 排查成功率 divided by items handled, those handled), marked as the numerator counts.
    async fn drill_items(
        &self,
        offices: &[OfficeHead],
        code: RateCode,
        base: ScreeningSuccessBase,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ItemDrillRow>> {
        let mut out = Vec::new();
        let answers = self
            .each(&offices, &format!("items:{from}:{to}"), move |s| {
                let rounds: HashMap<Uuid, ScreeningRound> = s.all::<ScreeningRound>()?.into_iter().map(|r| (r.meta.id, r)).collect();
                let mut rows = Vec::new();
                for i in s.all::<ScreeningItem>()? {
                    let Some(round) = i.round_id.and_then(|id| rounds.get(&id)) else { continue };
                    if i.found_on.is_some_and(|d| d >= from && d <= to) {
                        rows.push((i, round.unit_name.clone()));
                    }
                }
                Ok(rows)
            })
            .await?;
        for (o, items) in offices.iter().zip(answers) {
            for (i, unit) in items {
                let Some(in_numerator) = item_in(code, base, &i) else { continue };
                out.push(ItemDrillRow {
                    office_id: o.id,
                    office_name: o.name.clone(),
                    id: i.meta.id,
                    round_id: i.round_id,
                    unit,
                    found_on: i.found_on,
                    place: i.place.clone(),
                    party_summary: i.party_summary.clone(),
                    summary: i.summary.clone(),
                    dispute_type: i.dispute_type.map(|t| t.label()),
                    risk_level: i.risk_level.map(|r| r.label()),
                    status: i.status.map(|s| s.label()),
                    resolved_on: i.resolved_on,
                    in_numerator: Some(in_numerator),
                });
            }
        }
        sort_within_offices(&mut out, |r| r.office_id, |a, b| (a.found_on, a.id).cmp(&(b.found_on, b.id)));
        Ok(out)
    }

    /// 排查纠纷 (次): the rounds held (screened) in the period, with the items each found.
    async fn drill_rounds(&self, offices: &[OfficeHead], from: NaiveDate, to: NaiveDate) -> Result<Vec<RoundDrillRow>> {
        let mut out = Vec::new();
        let answers = self
            .each(&offices, &format!("rounds:{from}:{to}"), move |s| {
                let mut items: HashMap<Uuid, i64> = HashMap::new();
                for i in s.all::<ScreeningItem>()? {
                    if let Some(r) = i.round_id {
                        *items.entry(r).or_default() += 1;
                    }
                }
                let mut rows = Vec::new();
                for r in s.all::<ScreeningRound>()? {
                    if !r.screened_on.is_some_and(|d| d >= from && d <= to) {
                        continue;
                    }
                    let unit = match (&r.unit_name, r.unit_org_id) {
                        (Some(n), _) => Some(n.clone()),
                        (None, Some(id)) => s.get::<Organization>(id)?.and_then(|o| o.name),
                        (None, None) => None,
                    };
                    rows.push(RoundDrillRow {
                        office_id: Uuid::nil(),
                        office_name: String::new(),
                        id: r.meta.id,
                        unit,
                        period_type: r.period_type.map(|p| p.label()),
                        period_start: r.period_start,
                        period_end: r.period_end,
                        screened_on: r.screened_on,
                        items: items.get(&r.meta.id).copied().unwrap_or(0),
                        zero_report: r.zero_report,
                    });
                }
                Ok(rows)
            })
            .await?;
        for (o, rows) in offices.iter().zip(answers) {
            out.extend(rows.into_iter().map(|mut r| {
                r.office_id = o.id;
                r.office_name = o.name.clone();
                r
            }));
        }
        sort_within_offices(&mut out, |r| r.office_id, |a, b| (a.screened_on, a.id).cmp(&(b.screened_on, b.id)));
        Ok(out)
    }

    /// The released persons of a rate of persons (衔接率 … 重新犯罪率): its denominator, each
    /// marked whether its numerator counts them.
    async fn drill_persons(&self, offices: &[OfficeHead], code: RateCode, from: NaiveDate, to: NaiveDate) -> Result<Vec<ReleasedDrillRow>> {
        let mut out = Vec::new();
        let answers = self
            .each(&offices, &format!("persons:{}:{from}:{to}", code.code()), move |s| {
                let groups: std::collections::HashSet<Uuid> = s.all::<HelpGroup>()?.into_iter().filter_map(|g| g.released_person_id).collect();
                let mut rows = Vec::new();
                for r in s.all::<ReleasedPerson>()? {
                    let has_group = groups.contains(&r.meta.id);
                    let Some(in_numerator) = person_in(code, &r, has_group, from, to) else { continue };
                    let person = match r.person_id {
                        Some(p) => s.get::<Person>(p)?.and_then(|p| p.name),
                        None => None,
                    };
                    rows.push((r, person, has_group, in_numerator));
                }
                Ok(rows)
            })
            .await?;
        for (o, rows) in offices.iter().zip(answers) {
            for (r, person, has_group, in_numerator) in rows {
                let mut row = ReleasedDrillRow::new(o.id, &o.name, &r, person);
                row.help_group = Some(has_group);
                row.in_numerator = Some(in_numerator);
                out.push(row);
            }
        }
        sort_within_offices(&mut out, |r| r.office_id, |a, b| (a.released_on, a.id).cmp(&(b.released_on, b.id)));
        Ok(out)
    }

    /// The persons behind 衔接率 and 必接必送率 (read-only): released in the period, with how
    /// they were handed over — the denominator is all of them, the numerator those 已衔接.
    pub async fn drill_released(&self, from: NaiveDate, to: NaiveDate, office: Option<Uuid>) -> Result<Vec<ReleasedDrillRow>> {
        check_period(from, to)?;
        let mut out = Vec::new();
        let offices = self.scope(office).await?;
        let answers = self
            .each(&offices, &format!("released:{from}:{to}"), move |s| {
                let mut rows = Vec::new();
                for r in s.all::<ReleasedPerson>()? {
                    if r.meta.deleted || !r.released_on.is_some_and(|d| d >= from && d <= to) {
                        continue;
                    }
                    let person = match r.person_id {
                        Some(p) => s.get::<Person>(p)?.and_then(|p| p.name),
                        None => None,
                    };
                    rows.push((r, person));
                }
                Ok(rows)
            })
            .await?;
        for (o, rows) in offices.iter().zip(answers) {
            for (r, person) in rows {
                out.push(ReleasedDrillRow::new(o.id, &o.name, &r, person));
            }
        }
        out.sort_by(|a, b| (a.released_on, &a.office_name).cmp(&(b.released_on, &b.office_name)));
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------
    // 零报告

    /// The unit × period matrix of 排查 from `from` to `to`: for each 村(居) and 乡镇(街道)
    /// 调委会 of each office, each period of its level's frequency: items found, zero report,
    /// a round that reported neither, or missing.
    pub async fn compliance(&self, from: NaiveDate, to: NaiveDate, office: Option<Uuid>) -> Result<Compliance> {
        check_period(from, to)?;
        let settings = self.settings().await?.reminders;
        let today = today();
        let mut rows = Vec::new();
        let offices = self.scope(office).await?;
        let facts = self.each(&offices, SCREENING_KEY, screening_facts).await?;
        let s2 = settings.clone();
        let answers = tokio::task::spawn_blocking(move || facts.iter().map(|f| compliance_rows(f, &s2, from, to, today)).collect::<Vec<_>>()).await?;
        for (o, units) in offices.iter().zip(answers) {
            rows.extend(units.into_iter().map(|mut u| {
                u.office_id = o.id;
                u.office_name = o.name.clone();
                u
            }));
        }
        let mut totals = BTreeMap::new();
        for r in &rows {
            for c in &r.cells {
                *totals.entry(c.status.code()).or_insert(0) += 1;
            }
        }
        Ok(Compliance {
            from,
            to,
            village_period: settings.screening_village_period,
            township_period: settings.screening_township_period,
            rows,
            totals,
        })
    }

    // -----------------------------------------------------------------------------------------
    // 逾期事项

    /// Each office's late work of today, by group, each group most overdue first: computed once
    /// a day per office (and again after it changes, or when the settings do), ahead by the
    /// warm-up, and shared, not copied, by every page asked of it.
    async fn office_lates(&self, offices: &[OfficeHead]) -> Result<Vec<Arc<OfficeLate>>> {
        let settings = self.settings().await?.reminders;
        let today = today();
        let key = format!("{LATE_KEY_PREFIX}{today}:{}", serde_json::to_string(&settings)?);
        self.each(offices, &key, move |s| {
            let mut groups: OfficeLate = Default::default();
            for r in s.compute_reminders(&settings, today)? {
                if r.severity != Severity::Overdue {
                    continue;
                }
                let Some(g) = LATE_GROUPS.iter().position(|(_, _, rules)| rules.contains(&r.rule)) else { continue };
                let risk = match (r.rule, r.record_id) {
                    (Rule::HelpVisit, Some(id)) => s.get::<ReleasedPerson>(id)?.and_then(|p| p.assessment_type).map(|a| a.label().to_string()),
                    _ => None,
                };
                groups[g].push(LateItem {
                    office_id: Uuid::nil(),
                    office_name: String::new(),
                    rule: r.rule.label(),
                    record_kind: r.record_kind.map(|k| k.code()),
                    record_id: r.record_id,
                    title: r.title,
                    due_on: r.due_on,
                    days_overdue: r.days_overdue,
                    risk,
                });
            }
            for g in &mut groups {
                g.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.title.cmp(&b.title)));
            }
            Ok(Arc::new(groups))
        })
        .await
    }

    /// 逾期事项 of today: how many of each group ([`LATE_GROUPS`]: cases past one month
    /// without an extension, 回访 overdue, 帮教 visits overdue by risk class, release notices
    /// not handled, 帮教期 ended without 解除), and one page of `group`, most overdue first
    /// across the offices (ties office by office, in the 司法所 list's order). A county of
    /// 200 large offices has hundreds of thousands of such items; a page merges the offices'
    /// sorted lists and takes only its own rows.
    pub async fn late_page(&self, office: Option<Uuid>, group: &str, page: usize, page_size: usize) -> Result<LatePage> {
        check_page(page, page_size)?;
        let g =
            LATE_GROUPS.iter().position(|(code, _, _)| *code == group).ok_or_else(|| CountyError::Invalid(format!("没有“{group}”这一类逾期事项")))?;
        let offices = self.scope(office).await?;
        let lates = self.office_lates(&offices).await?;
        let groups = LATE_GROUPS
            .iter()
            .enumerate()
            .map(|(i, (code, label, _))| LateCount { code, label, count: lates.iter().map(|l| l[i].len()).sum() })
            .collect::<Vec<_>>();
        // Merge the offices' lists, most overdue first, up to the end of the page.
        use std::cmp::Reverse;
        let list = |k: usize| &lates[k][g];
        let mut next: std::collections::BinaryHeap<(i64, Reverse<usize>, Reverse<usize>)> =
            (0..lates.len()).filter_map(|k| list(k).first().map(|it| (it.days_overdue, Reverse(k), Reverse(0)))).collect();
        let (start, end) = ((page - 1).saturating_mul(page_size), page.saturating_mul(page_size));
        let mut items = Vec::new();
        let mut at = 0;
        while let Some((_, Reverse(k), Reverse(i))) = next.pop() {
            if at >= end {
                break;
            }
            if at >= start {
                items.push(LateItem { office_id: offices[k].id, office_name: offices[k].name.clone(), ..list(k)[i].clone() });
            }
            at += 1;
            if let Some(it) = list(k).get(i + 1) {
                next.push((it.days_overdue, Reverse(k), Reverse(i + 1)));
            }
        }
        Ok(LatePage { total: groups[g].count, groups, group: LATE_GROUPS[g].0, page, page_size, items })
    }

    // -----------------------------------------------------------------------------------------
    // 统计表汇总

    /// The 人民调解案件情况统计表 rolled up: one row per office (its 本级上报总计), then
    /// 下级上报总计 (their sum) and 本级上报总计 (the county mediates no case of its own
    /// here, so the same sum), with the table's consistency checks over every row and each
    /// office's own checks.
    pub async fn rollup(&self, from: NaiveDate, to: NaiveDate) -> Result<CaseStatistics> {
        check_period(from, to)?;
        let settings = self.settings().await?;
        let mut rows = Vec::new();
        let mut office_failures = Vec::new();
        let offices = self.scope(None).await?;
        let tables = self.over_digests(&offices, move |d| d.case_statistics(from, to)).await?;
        for (o, table) in offices.iter().zip(tables) {
            let mut row = table.own_total.clone();
            row.kind = RowKind::Unit;
            row.org_id = o.org_id;
            row.label = o.name.clone();
            for c in table.checks.iter().filter(|c| !c.ok) {
                office_failures.push(format!("{}：{}{}", o.name, c.name, c.detail));
            }
            rows.push(row);
        }
        let mut subordinate_total = StatRow::empty(RowKind::SubordinateTotal, None, "下级上报总计");
        for r in &rows {
            subordinate_total.add(r);
        }
        let mut own_total = StatRow::empty(RowKind::OwnTotal, None, "本级上报总计");
        own_total.add(&subordinate_total);
        let mut all: Vec<&StatRow> = rows.iter().collect();
        all.push(&subordinate_total);
        all.push(&own_total);
        let mut checks = consistency_checks(&all);
        checks.push(ConsistencyCheck {
            code: "offices",
            name: "各司法所本所报表校验",
            ok: office_failures.is_empty(),
            detail: if office_failures.is_empty() { "一致".into() } else { format!("不一致：{}", office_failures.join("；")) },
        });
        Ok(CaseStatistics {
            title: "人民调解案件情况统计表",
            office_name: settings.county_name,
            from,
            to,
            rows,
            subordinate_total,
            own_total,
            checks,
        })
    }

    /// The roll-up as PDF, laid out by the documents crate as an office's own table.
    pub async fn rollup_pdf(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<u8>> {
        let table = self.rollup(from, to).await?;
        tokio::task::spawn_blocking(move || {
            let fonts = fengqiao_documents::FontSet::shared_default();
            let paged = fengqiao_render::statistics_pages(&table, fonts).map_err(|e| CountyError::Invalid(format!("无法生成PDF：{e}")))?;
            paged.pdf(fonts).map_err(|e| CountyError::Invalid(format!("无法生成PDF：{e}")))
        })
        .await?
    }

    // -----------------------------------------------------------------------------------------
    // 报表日历

    /// The report calendar's deadlines from last year to next year, nearest first.
    pub async fn calendar(&self) -> Result<Vec<Deadline>> {
        let settings = self.settings().await?.reminders;
        let today = today();
        let mut out = Vec::new();
        for rep in &settings.reports {
            for year in [today.year() - 1, today.year(), today.year() + 1] {
                let Some(due) = NaiveDate::from_ymd_opt(year, rep.month, rep.day) else { continue };
                let covers = match rep.covers {
                    fengqiao_store::reminders::ReportCovers::FirstHalf => format!("{year}年上半年"),
                    fengqiao_store::reminders::ReportCovers::PreviousYear => format!("{}年度", year - 1),
                };
                out.push(Deadline { code: rep.code.clone(), name: rep.name.clone(), covers, due_on: due, days_left: (due - today).num_days() });
            }
        }
        out.retain(|d| d.days_left >= -settings.report_overdue_days);
        out.sort_by_key(|d| d.due_on);
        Ok(out)
    }
}

/// A page (from 1) of at most [`MAX_DRILL_PAGE`] rows.
fn check_page(page: usize, page_size: usize) -> Result<()> {
    if page == 0 || !(1..=MAX_DRILL_PAGE).contains(&page_size) {
        return Err(CountyError::Invalid(format!("页码应从1开始，每页条数应在1至{MAX_DRILL_PAGE}之间")));
    }
    Ok(())
}

fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(CountyError::Invalid(format!("统计期间的开始日期（{from}）晚于结束日期（{to}）")));
    }
    if (to - from).num_days() > 366 * 10 {
        return Err(CountyError::Invalid("统计期间不能超过十年".into()));
    }
    Ok(())
}

fn month_bounds(y: i32, m: u32) -> (NaiveDate, NaiveDate) {
    let a = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN);
    let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    (a, next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX))
}

/// The months a period touches: ("2026-03", first day, last day), clipped to the period.
fn months(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    loop {
        let (a, b) = month_bounds(y, m);
        if a > to {
            break;
        }
        out.push((format!("{y}-{m:02}"), a.max(from), b.min(to)));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// One county rate from the offices' rates: their numerators and denominators summed.
fn sum_rates<'a>(mut rates: impl Iterator<Item = &'a Rate>) -> Rate {
    let first = rates.next().expect("at least one office");
    let (mut n, mut d) = (first.numerator, first.denominator);
    for r in rates {
        n += r.numerator;
        d += r.denominator;
    }
    Rate::new(first.label, first.formula, n, d, first.target, first.better)
}

/// Whether the 统计表 counts a case (`CASES_IN_PERIOD` of the store, beyond the date): really
/// accepted, not a draft, 不予受理 or a 撤回 before acceptance.
fn counted(c: &DisputeCase) -> bool {
    !c.meta.deleted
        && !matches!(c.status, CaseStatus::Draft | CaseStatus::Rejected)
        && (c.status != CaseStatus::Withdrawn || c.case_no.as_deref().is_some_and(|n| !n.is_empty()))
}

/// The §3.4 rates, as a drill-down names them (`rate:CODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateCode {
    MediationSuccess,
    Performance,
    ScreeningHandled,
    ScreeningSuccess,
    Handover,
    MustEscort,
    Resettlement,
    Help,
    Reoffense,
}

/// What a rate counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RateRecords {
    Cases,
    Agreements,
    Items,
    Persons,
}

impl RateCode {
    pub const ALL: [RateCode; 9] = [
        RateCode::MediationSuccess,
        RateCode::Performance,
        RateCode::ScreeningHandled,
        RateCode::ScreeningSuccess,
        RateCode::Handover,
        RateCode::MustEscort,
        RateCode::Resettlement,
        RateCode::Help,
        RateCode::Reoffense,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RateCode::MediationSuccess => "mediation_success",
            RateCode::Performance => "performance",
            RateCode::ScreeningHandled => "screening_handled",
            RateCode::ScreeningSuccess => "screening_success",
            RateCode::Handover => "handover",
            RateCode::MustEscort => "must_escort",
            RateCode::Resettlement => "resettlement",
            RateCode::Help => "help",
            RateCode::Reoffense => "reoffense",
        }
    }

    /// The label the office's metrics give the rate (`Rate::label`).
    pub fn label(self) -> &'static str {
        match self {
            RateCode::MediationSuccess => "调解成功率",
            RateCode::Performance => "协议履行率",
            RateCode::ScreeningHandled => "排查调处率",
            RateCode::ScreeningSuccess => "排查成功率",
            RateCode::Handover => "衔接率",
            RateCode::MustEscort => "必接必送率",
            RateCode::Resettlement => "安置率",
            RateCode::Help => "帮教率",
            RateCode::Reoffense => "重新犯罪率",
        }
    }

    pub fn from_code(s: &str) -> Option<RateCode> {
        RateCode::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn of_label(label: &str) -> Option<RateCode> {
        RateCode::ALL.into_iter().find(|r| r.label() == label)
    }

    fn records(self) -> RateRecords {
        match self {
            RateCode::MediationSuccess => RateRecords::Cases,
            RateCode::Performance => RateRecords::Agreements,
            RateCode::ScreeningHandled | RateCode::ScreeningSuccess => RateRecords::Items,
            _ => RateRecords::Persons,
        }
    }
}

/// Where a 排查 item (found in the period, in a live round) stands in 排查调处率 or 排查成功率:
/// None outside the denominator, else whether the numerator counts it (`Store::metrics`'s
/// conditions).
fn item_in(code: RateCode, base: ScreeningSuccessBase, i: &ScreeningItem) -> Option<bool> {
    let handled = matches!(i.status, Some(ItemStatus::InProgress | ItemStatus::Resolved | ItemStatus::Referred | ItemStatus::Unresolved));
    let resolved = i.status == Some(ItemStatus::Resolved);
    match (code, base) {
        (RateCode::ScreeningHandled, _) => Some(handled),
        (RateCode::ScreeningSuccess, ScreeningSuccessBase::Found) => Some(resolved),
        (RateCode::ScreeningSuccess, ScreeningSuccessBase::Handled) => handled.then_some(resolved),
        _ => None,
    }
}

/// Where a released person stands in a rate of persons for the period: None outside its
/// denominator, else whether its numerator counts them — record by record, the conditions
/// `Store::metrics` puts in SQL. 在册 = 在册帮教 with a 帮教期 overlapping the period.
fn person_in(code: RateCode, r: &ReleasedPerson, has_group: bool, from: NaiveDate, to: NaiveDate) -> Option<bool> {
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
    let released_in = within(r.released_on);
    let on_roll = r.help_status == Some(HelpStatus::Active)
        && r.help_period_start.or(r.released_on).is_some_and(|d| d <= to)
        && r.help_period_end.is_some_and(|d| d >= from);
    let reoffended_in = within(r.reoffense_on);
    let (base, numerator) = match code {
        RateCode::Handover => (released_in, r.handover_status == Some(HandoverStatus::Done)),
        RateCode::MustEscort => (released_in && r.assessment_type == Some(AssessmentType::Key), r.handover_method.is_some_and(|m| m.is_escort())),
        RateCode::Resettlement => (on_roll, r.resettled_on.is_some_and(|d| d <= to)),
        RateCode::Help => (on_roll, has_group),
        // The denominator: 在册, or 重新犯罪 in the period after leaving the roll; the numerator
        // of either, those who reoffended in the period.
        RateCode::Reoffense => (on_roll || (r.help_status == Some(HelpStatus::Reoffended) && reoffended_in), reoffended_in),
        _ => return None,
    };
    base.then_some(numerator)
}

#[derive(Debug, Clone)]
enum Figure {
    Cases,
    Success,
    Difficult,
    Amount,
    Parties,
    Type(DisputeType),
    Source(CaseSource),
    Month(i32, u32),
    Rounds,
    /// A rate's denominator (its numerator only when true).
    Rate(RateCode, bool),
}

/// How many rows an office's drill-down of a figure has, and what they sum to.
#[derive(Debug, Clone, Copy, Default)]
struct FigureCount {
    rows: usize,
    /// Of those, a rate's numerator's.
    numerator: usize,
    /// 涉及当事人 and 协议涉及金额 of the period (the sums the headings quote).
    parties: i64,
    amount_cents: i64,
}

/// Most rows a drill-down page holds.
pub const MAX_DRILL_PAGE: usize = 500;

/// Sorts each office's rows — contiguous, offices in the list's order — by `cmp`: a drill-down
/// goes office after office, so a page needs only the offices it shows.
fn sort_within_offices<T>(rows: &mut [T], office: impl Fn(&T) -> Uuid, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    for chunk in rows.chunk_by_mut(|a, b| office(a) == office(b)) {
        chunk.sort_by(&cmp);
    }
}

impl Figure {
    /// The figure named `s` and the period its records are looked for in: a month's own days,
    /// within the period, for `month:`.
    fn narrowed(s: &str, from: NaiveDate, to: NaiveDate) -> Result<(Figure, NaiveDate, NaiveDate)> {
        check_period(from, to)?;
        let test = Figure::parse(s)?;
        let (mut from, mut to) = (from, to);
        if let Figure::Month(y, m) = test {
            let (a, b) = month_bounds(y, m);
            from = from.max(a);
            to = to.min(b);
        }
        Ok((test, from, to))
    }

    /// The rows of the figure's drill-down for one office, from its digest: the figure's own
    /// count (each kind of record the way `Store::metrics` and the 统计表 count it), which the
    /// drill-down lists one by one.
    fn count(&self, d: &StatDigest, from: NaiveDate, to: NaiveDate, targets: &Targets) -> fengqiao_store::Result<FigureCount> {
        // A month outside the period (from after to) has no rows.
        if from > to {
            return Ok(FigureCount::default());
        }
        let table = d.case_statistics(from, to)?;
        let t = &table.own_total;
        let rows = match self {
            Figure::Cases | Figure::Month(..) => t.total,
            Figure::Success => t.success,
            Figure::Difficult => t.difficult,
            Figure::Amount => d.cases_with(from, to).amount,
            Figure::Parties => d.cases_with(from, to).parties,
            Figure::Type(ty) => t.by_dispute_type.iter().find(|c| c.code == ty.code()).map_or(0, |c| c.count),
            Figure::Source(CaseSource::Proactive) => t.sources.proactive,
            Figure::Source(CaseSource::PartyApplication) => t.sources.party_application,
            Figure::Source(CaseSource::Referral) => t.sources.referral,
            Figure::Rounds => t.prevention.screening_rounds,
            Figure::Rate(code, numerator_only) => {
                let metrics = d.metrics(from, to, targets)?;
                let rate = metrics.rates().into_iter().find(|r| RateCode::of_label(r.label) == Some(*code)).expect("every rate has a code");
                let n = rate.numerator as usize;
                let rows = if *numerator_only { rate.numerator } else { rate.denominator };
                return Ok(FigureCount { rows: rows as usize, numerator: n, parties: t.party_count, amount_cents: t.amount_cents });
            }
        };
        Ok(FigureCount { rows: rows as usize, numerator: 0, parties: t.party_count, amount_cents: t.amount_cents })
    }

    fn parse(s: &str) -> Result<Figure> {
        let bad = || {
            CountyError::Invalid(format!(
                "不认识的统计项“{s}”（应为 cases、success、difficult、amount、parties、rounds、type:代码、source:代码、month:年-月 或 rate:指标代码[:numerator]）"
            ))
        };
        Ok(match s.split_once(':') {
            None if s == "cases" => Figure::Cases,
            None if s == "success" => Figure::Success,
            None if s == "difficult" => Figure::Difficult,
            None if s == "amount" => Figure::Amount,
            None if s == "parties" => Figure::Parties,
            None if s == "rounds" => Figure::Rounds,
            Some(("type", c)) => Figure::Type(DisputeType::from_code(c).ok_or_else(bad)?),
            Some(("source", c)) => Figure::Source(CaseSource::from_code(c).ok_or_else(bad)?),
            Some(("month", ym)) => {
                let (y, m) = ym.split_once('-').ok_or_else(bad)?;
                let (y, m) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
                if !(1..=12).contains(&m) {
                    return Err(bad());
                }
                Figure::Month(y, m)
            }
            Some(("rate", rest)) => {
                let (code, numerator) = match rest.split_once(':') {
                    None => (rest, false),
                    Some((code, "numerator")) => (code, true),
                    Some(_) => return Err(bad()),
                };
                Figure::Rate(RateCode::from_code(code).ok_or_else(bad)?, numerator)
            }
            _ => return Err(bad()),
        })
    }

    /// Whether a counted case is one of the figure's (every case for the figures of other
    /// records, which never ask).
    fn matches(&self, c: &DisputeCase) -> bool {
        let success = c.result == Some(MediationResult::Success);
        match self {
            Figure::Cases | Figure::Month(..) | Figure::Parties | Figure::Rate(..) | Figure::Rounds => true,
            Figure::Success => success,
            // 协议涉及金额 sums the amounts of successful cases.
            Figure::Amount => success && c.amount_cents.is_some_and(|a| a != 0),
            Figure::Difficult => c.is_difficult,
            Figure::Type(t) => c.dispute_type == Some(*t),
            Figure::Source(s) => c.source == Some(*s),
        }
    }
}

/// The records behind a figure: an array of one kind of row, by the figure asked for.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Drill {
    Cases(Vec<DrillRow>),
    Agreements(Vec<AgreementDrillRow>),
    Items(Vec<ItemDrillRow>),
    Rounds(Vec<RoundDrillRow>),
    Persons(Vec<ReleasedDrillRow>),
}

/// One page of a drill-down: its rows, and the counts of every page.
#[derive(Debug, Clone, Serialize)]
pub struct DrillPage {
    /// Rows on every page.
    pub total: usize,
    /// Of those, a rate's numerator's (0 for other figures).
    pub in_numerator: usize,
    /// 涉及当事人 and 协议涉及金额 of the cases counted in the period.
    pub party_count: i64,
    pub amount_cents: i64,
    pub page: usize,
    pub page_size: usize,
    pub rows: Drill,
}

impl Drill {
    /// At most `n` rows after the first `skip`.
    fn slice(self, skip: usize, n: usize) -> Drill {
        fn cut<T>(v: Vec<T>, skip: usize, n: usize) -> Vec<T> {
            v.into_iter().skip(skip).take(n).collect()
        }
        match self {
            Drill::Cases(v) => Drill::Cases(cut(v, skip, n)),
            Drill::Agreements(v) => Drill::Agreements(cut(v, skip, n)),
            Drill::Items(v) => Drill::Items(cut(v, skip, n)),
            Drill::Rounds(v) => Drill::Rounds(cut(v, skip, n)),
            Drill::Persons(v) => Drill::Persons(cut(v, skip, n)),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Drill::Cases(v) => v.len(),
            Drill::Agreements(v) => v.len(),
            Drill::Items(v) => v.len(),
            Drill::Rounds(v) => v.len(),
            Drill::Persons(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows a rate's numerator counts (0 for other figures).
    pub fn in_numerator(&self) -> usize {
        fn n<T>(v: &[T], f: impl Fn(&T) -> Option<bool>) -> usize {
            v.iter().filter(|r| f(r) == Some(true)).count()
        }
        match self {
            Drill::Cases(v) => n(v, |r| r.in_numerator),
            Drill::Agreements(v) => n(v, |r| r.in_numerator),
            Drill::Items(v) => n(v, |r| r.in_numerator),
            Drill::Rounds(_) => 0,
            Drill::Persons(v) => n(v, |r| r.in_numerator),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementDrillRow {
    pub office_id: Uuid,
    pub office_name: String,
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_no: Option<String>,
    pub title: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub agreement_no: Option<String>,
    pub form: Option<&'static str>,
    pub effective_on: Option<NaiveDate>,
    pub performance_status: Option<&'static str>,
    /// Counted in 协议履行率's numerator (履行完毕, 即时履行 included).
    pub in_numerator: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemDrillRow {
    pub office_id: Uuid,
    pub office_name: String,
    pub id: Uuid,
    pub round_id: Option<Uuid>,
    /// The round's unit.
    pub unit: Option<String>,
    pub found_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub party_summary: Option<String>,
    pub summary: Option<String>,
    pub dispute_type: Option<&'static str>,
    pub risk_level: Option<&'static str>,
    pub status: Option<&'static str>,
    pub resolved_on: Option<NaiveDate>,
    /// Counted in the rate's numerator (调处: 调处中, 已化解, 已移交, 未化解; 成功: 已化解).
    pub in_numerator: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundDrillRow {
    pub office_id: Uuid,
    pub office_name: String,
    pub id: Uuid,
    pub unit: Option<String>,
    pub period_type: Option<&'static str>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub screened_on: Option<NaiveDate>,
    /// Items the round found (live).
    pub items: i64,
    pub zero_report: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficeRow {
    #[serde(flatten)]
    pub summary: OfficeSummary,
    /// Changes the office's devices have still to pull (the most of any device).
    pub undelivered: i64,
    /// Changes the county refused, which the office keeps set aside.
    pub rejected: i64,
    /// Not heard from for more than `offline_days` (or never).
    pub silent: bool,
    pub days_since_sync: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficesView {
    pub offline_days: i64,
    pub offices: Vec<OfficeRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceCount {
    pub code: &'static str,
    pub label: &'static str,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthCount {
    pub month: String,
    pub cases: i64,
    pub success: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficeFigures {
    pub office_id: Uuid,
    pub name: String,
    pub cases: i64,
    pub success: i64,
    pub difficult: i64,
    pub amount_wan: String,
    pub rates: Vec<Rate>,
}

/// A rate of the county's figures and the `figure` of its drill-down (`rate:CODE`).
#[derive(Debug, Clone, Serialize)]
pub struct FigureRate {
    #[serde(flatten)]
    pub rate: Rate,
    pub figure: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The office, when the figures are one office's.
    pub office: Option<String>,
    pub cases: i64,
    pub party_count: i64,
    pub success: i64,
    pub difficult: i64,
    pub amount_cents: i64,
    pub amount_wan: String,
    pub screening_rounds: i64,
    pub by_type: Vec<Count>,
    pub by_source: Vec<SourceCount>,
    pub by_month: Vec<MonthCount>,
    /// The §3.4 rates in display order (调解成功率 … 重新犯罪率), each with its drill-down.
    pub rates: Vec<FigureRate>,
    pub per_office: Vec<OfficeFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillRow {
    pub office_id: Uuid,
    pub office_name: String,
    pub id: Uuid,
    pub case_no: Option<String>,
    pub title: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub dispute_type: Option<&'static str>,
    pub source: Option<&'static str>,
    pub status: &'static str,
    pub result: Option<&'static str>,
    pub difficult: bool,
    pub amount_cents: Option<i64>,
    pub parties: String,
    /// Its parties (live party rows), in the drill-down of 涉及当事人.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_count: Option<i64>,
    /// Counted in 调解成功率's numerator, in that rate's drill-down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_numerator: Option<bool>,
}

impl DrillRow {
    fn new(office_id: Uuid, office_name: &str, c: &DisputeCase, parties: String) -> DrillRow {
        DrillRow {
            office_id,
            office_name: office_name.to_string(),
            id: c.meta.id,
            case_no: c.case_no.clone(),
            title: c.title.clone(),
            accepted_on: c.accepted_on,
            dispute_type: c.dispute_type.map(|t| t.label()),
            source: c.source.map(|s| s.label()),
            status: c.status.label(),
            result: c.result.map(|r| r.label()),
            difficult: c.is_difficult,
            amount_cents: c.amount_cents,
            parties,
            party_count: None,
            in_numerator: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleasedDrillRow {
    pub office_id: Uuid,
    pub office_name: String,
    pub id: Uuid,
    pub name: Option<String>,
    pub released_on: Option<NaiveDate>,
    pub assessment: Option<&'static str>,
    pub handover_status: Option<&'static str>,
    /// Counted in 衔接率's numerator.
    pub handed_over: bool,
    pub handover_method: Option<&'static str>,
    pub help_status: Option<&'static str>,
    pub help_period_start: Option<NaiveDate>,
    pub help_period_end: Option<NaiveDate>,
    pub resettled_on: Option<NaiveDate>,
    pub reoffense_on: Option<NaiveDate>,
    /// Whether a 帮教小组 was formed for them, in the drill-down of a rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_group: Option<bool>,
    /// Counted in the rate's numerator, in the drill-down of a rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_numerator: Option<bool>,
}

impl ReleasedDrillRow {
    fn new(office_id: Uuid, office_name: &str, r: &ReleasedPerson, name: Option<String>) -> ReleasedDrillRow {
        ReleasedDrillRow {
            office_id,
            office_name: office_name.to_string(),
            id: r.meta.id,
            name,
            released_on: r.released_on,
            assessment: r.assessment_type.map(|a| a.label()),
            handover_status: r.handover_status.map(|h| h.label()),
            handed_over: r.handover_status == Some(HandoverStatus::Done),
            handover_method: r.handover_method.map(|m| m.label()),
            help_status: r.help_status.map(|h| h.label()),
            help_period_start: r.help_period_start,
            help_period_end: r.help_period_end,
            resettled_on: r.resettled_on,
            reoffense_on: r.reoffense_on,
            help_group: None,
            in_numerator: None,
        }
    }
}

/// One cell of the 零报告 matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// A round that found disputes.
    Found,
    /// A zero report.
    Zero,
    /// A round that found nothing and was not filed as a zero report.
    NoZeroReport,
    /// No round, and the period's deadline has passed.
    Missing,
    /// No round yet, the deadline not passed.
    Pending,
}

impl CellStatus {
    pub fn code(self) -> &'static str {
        match self {
            CellStatus::Found => "found",
            CellStatus::Zero => "zero",
            CellStatus::NoZeroReport => "no_zero_report",
            CellStatus::Missing => "missing",
            CellStatus::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
    pub status: CellStatus,
    /// Items found in the period's rounds.
    pub items: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub office_id: Uuid,
    pub office_name: String,
    pub unit_id: Uuid,
    pub unit: String,
    /// 村(居) level (else 乡镇(街道)).
    pub village_level: bool,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub village_period: PeriodType,
    pub township_period: PeriodType,
    pub rows: Vec<UnitRow>,
    /// Cells by status code.
    pub totals: BTreeMap<&'static str, i64>,
}

/// The matrix rows of one office: its 村(居) and 乡镇(街道) committees (the units the
/// office's reminders expect rounds from), periods by the level's frequency.
/// What the 零报告 matrix reads of an office, read once after each change: its 村(居) and
/// 乡镇(街道) committees, in the matrix's order, and its live rounds with the items each found.
#[derive(Debug)]
struct ScreeningFacts {
    committees: Vec<Organization>,
    rounds: Vec<RoundFacts>,
}

#[derive(Debug)]
struct RoundFacts {
    unit_org_id: Option<Uuid>,
    unit_division_code: Option<String>,
    period_start: Option<NaiveDate>,
    screened_on: Option<NaiveDate>,
    zero_report: bool,
    items: i64,
}

fn screening_facts(s: &Store) -> fengqiao_store::Result<Arc<ScreeningFacts>> {
    let mut items: HashMap<Uuid, i64> = HashMap::new();
    for i in s.all::<ScreeningItem>()? {
        if let (false, Some(p)) = (i.meta.deleted, i.parent_id()) {
            *items.entry(p).or_default() += 1;
        }
    }
    let rounds = s
        .all::<ScreeningRound>()?
        .into_iter()
        .filter(|r| !r.meta.deleted && !r.meta.draft)
        .map(|r| RoundFacts {
            items: items.get(&r.meta.id).copied().unwrap_or(0),
            unit_org_id: r.unit_org_id,
            unit_division_code: r.unit_division_code,
            period_start: r.period_start,
            screened_on: r.screened_on,
            zero_report: r.zero_report,
        })
        .collect();
    let mut committees: Vec<Organization> = s
        .all::<Organization>()?
        .into_iter()
        .filter(|o| !o.meta.deleted && !o.meta.draft && o.org_type == Some(OrgType::MediationCommittee))
        .filter(|o| {
            matches!(
                o.committee_type,
                Some(CommitteeType::Village | CommitteeType::Residential | CommitteeType::Township | CommitteeType::Subdistrict)
            )
        })
        .collect();
    committees.sort_by(|a, b| (a.committee_type.map(|t| t as usize), &a.name).cmp(&(b.committee_type.map(|t| t as usize), &b.name)));
    Ok(Arc::new(ScreeningFacts { committees, rounds }))
}

fn compliance_rows(f: &ScreeningFacts, settings: &ReminderSettings, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Vec<UnitRow> {
    let mut out = Vec::new();
    for o in &f.committees {
        let village = matches!(o.committee_type, Some(CommitteeType::Village | CommitteeType::Residential));
        let freq = if village { settings.screening_village_period } else { settings.screening_township_period };
        let mine: Vec<&RoundFacts> = f
            .rounds
            .iter()
            .filter(|r| {
                r.unit_org_id == Some(o.meta.id)
                    || (r.unit_org_id.is_none() && r.unit_division_code.is_some() && r.unit_division_code == o.division_code)
            })
            .collect();
        // From when the unit is known: the committee's creation or its first round (as the
        // office's reminders count), not before.
        let created = (o.meta.created_at + Duration::hours(8)).date_naive();
        let first_seen = mine.iter().filter_map(|r| r.period_start.or(r.screened_on)).min().map_or(created, |d| d.min(created));
        let mut cells = Vec::new();
        let mut day = from.max(first_seen);
        loop {
            let (start, end, label) = period_containing(freq, day);
            // Periods not begun yet are not asked for.
            if start > to || start > today {
                break;
            }
            let in_period: Vec<&&RoundFacts> = mine
                .iter()
                .filter(|r| {
                    r.period_start.is_some_and(|d| d >= start && d <= end)
                        || (r.period_start.is_none() && r.screened_on.is_some_and(|d| d >= start && d <= end))
                })
                .collect();
            let found: i64 = in_period.iter().map(|r| r.items).sum();
            let deadline = end + Duration::days(settings.screening_deadline_days);
            let status = if found > 0 {
                CellStatus::Found
            } else if in_period.iter().any(|r| r.zero_report) {
                CellStatus::Zero
            } else if !in_period.is_empty() {
                CellStatus::NoZeroReport
            } else if deadline < today {
                CellStatus::Missing
            } else {
                CellStatus::Pending
            };
            cells.push(Cell { start, end, label, status, items: found });
            day = end + Duration::days(1);
        }
        let unit = o.name.clone().unwrap_or_default().trim_end_matches("人民调解委员会").to_string();
        out.push(UnitRow { office_id: Uuid::nil(), office_name: String::new(), unit_id: o.meta.id, unit, village_level: village, cells });
    }
    out
}

/// The late-work groups and the reminder rules behind each.
const LATE_GROUPS: [(&str, &str, &[Rule]); 5] = [
    ("mediation", "超过一个月未调结（未延期）", &[Rule::MediationOverdue]),
    ("return_visit", "回访逾期", &[Rule::ReturnVisit]),
    ("help_visit", "帮教走访逾期", &[Rule::HelpVisit]),
    (
        "notice",
        "释放通知未处理（衔接逾期）",
        &[Rule::HandoverNotify, Rule::HandoverCollect, Rule::HandoverFirstVisit, Rule::HandoverFile, Rule::HandoverHukou],
    ),
    ("help_period", "帮教期满未解除", &[Rule::HelpPeriodEnded]),
];

#[derive(Debug, Clone, Serialize)]
pub struct LateItem {
    pub office_id: Uuid,
    pub office_name: String,
    pub rule: &'static str,
    pub record_kind: Option<&'static str>,
    pub record_id: Option<Uuid>,
    pub title: String,
    pub due_on: NaiveDate,
    pub days_overdue: i64,
    /// 重点帮教人员 / 一般帮教人员, for 帮教 visits.
    pub risk: Option<String>,
}

/// One office's late work, by group of [`LATE_GROUPS`], each most overdue first (its items'
/// office fields are filled in when a page shows them).
type OfficeLate = [Vec<LateItem>; LATE_GROUPS.len()];

/// How many items a group of late work holds.
#[derive(Debug, Clone, Serialize)]
pub struct LateCount {
    pub code: &'static str,
    pub label: &'static str,
    pub count: usize,
}

/// A page of one group of late work ([`Dashboard::late_page`]), with every group's count.
#[derive(Debug, Clone, Serialize)]
pub struct LatePage {
    pub groups: Vec<LateCount>,
    /// The group the page is of, and how many items it holds.
    pub group: &'static str,
    pub total: usize,
    pub page: usize,
    pub page_size: usize,
    pub items: Vec<LateItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    pub code: String,
    pub name: String,
    pub covers: String,
    pub due_on: NaiveDate,
    /// Negative once past.
    pub days_left: i64,
}

/// Notes the changes of a push the county refused (the office sets them aside), for the
/// dashboard's office list.
pub async fn note_rejections(
    store: &dyn CountyStore,
    device: crate::store::AuthDevice,
    sent: &HashMap<Uuid, (String, Uuid)>,
    results: &[fengqiao_sync::protocol::PushResult],
    now: DateTime<Utc>,
) -> Result<()> {
    let rejected: Vec<crate::store::dashboard::Rejection> = results
        .iter()
        .filter(|r| r.status == fengqiao_sync::protocol::PushStatus::Rejected)
        .map(|r| {
            let (kind, record_id) = sent.get(&r.change_id).cloned().unwrap_or_default();
            crate::store::dashboard::Rejection {
                change_id: r.change_id,
                device_id: device.id,
                kind,
                record_id,
                reason: r.reason.clone().unwrap_or_default(),
                at: now,
            }
        })
        .collect();
    if rejected.is_empty() {
        return Ok(());
    }
    store.record_rejections(device.office_id, &rejected).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_clipped_to_the_period() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let m = months(d(2025, 11, 15), d(2026, 2, 3));
        assert_eq!(m.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!((m[0].1, m[3].2), (d(2025, 11, 15), d(2026, 2, 3)));
        assert_eq!(m[1].2, d(2025, 12, 31));
    }

    #[test]
    fn figures_parse_and_refuse_in_chinese() {
        let t = DisputeType::ALL[0];
        assert!(matches!(Figure::parse(&format!("type:{}", t.code())).unwrap(), Figure::Type(x) if x == t));
        assert!(Figure::parse("type:nonsense").is_err());
        assert!(matches!(Figure::parse("month:2026-03").unwrap(), Figure::Month(2026, 3)));
        assert!(Figure::parse("month:2026-13").unwrap_err().to_string().contains("不认识的统计项"));
        assert!(Figure::parse("xyz").is_err());
        assert!(matches!(Figure::parse("rate:handover").unwrap(), Figure::Rate(RateCode::Handover, false)));
        assert!(matches!(Figure::parse("rate:reoffense:numerator").unwrap(), Figure::Rate(RateCode::Reoffense, true)));
        assert!(Figure::parse("rate:handover:denominator").is_err());
        assert!(Figure::parse("rate:nonsense").is_err());
        assert!(matches!(Figure::parse("amount").unwrap(), Figure::Amount));
        assert!(matches!(Figure::parse("rounds").unwrap(), Figure::Rounds));
    }

    #[test]
    fn every_rate_code_names_one_rate() {
        for r in RateCode::ALL {
            assert_eq!(RateCode::from_code(r.code()), Some(r));
            assert_eq!(RateCode::of_label(r.label()), Some(r));
        }
    }
}
