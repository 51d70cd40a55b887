//! A store's statistics by day ([`StatDigest`]): what the 统计表 sums and what the §3.4 rates
//! count, read from the store in one pass per table, from which the table and the rates of any
//! period within it are added up without the store.
//!
//! The store's own [`Store::case_statistics`] and [`Store::metrics`] are computed this way, so
//! a digest kept elsewhere (the county's, one per office) answers exactly what the office's
//! own 统计 page answers, for every period, from memory.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use fengqiao_model::*;
use rusqlite::params;
use uuid::Uuid;

use super::*;

/// Cases accepted on one day by one unit: their non-zero sums are `start..end` of the
/// digest's [`Sums`].
#[derive(Debug, Clone)]
struct CaseDay {
    day: NaiveDate,
    unit: Option<Uuid>,
    start: u32,
    end: u32,
}

/// The non-zero sums of every [`CaseDay`], one after another: a column of `case_aggregates`
/// (or `extra_columns`) and its value. Kept as two arrays, not as pairs, which padding made 16
/// bytes an entry, against 10: the county holds one digest per office, most of it these.
#[derive(Debug, Clone, Default)]
struct Sums {
    cols: Vec<u16>,
    vals: Vec<i64>,
}

impl Sums {
    fn push(&mut self, col: usize, v: i64) {
        self.cols.push(col as u16);
        self.vals.push(v);
    }
    fn len(&self) -> u32 {
        self.cols.len() as u32
    }
    /// The sums of one day and unit.
    fn of(&self, d: &CaseDay) -> impl Iterator<Item = (u16, i64)> + '_ {
        let r = d.start as usize..d.end as usize;
        self.cols[r.clone()].iter().copied().zip(self.vals[r].iter().copied())
    }
    fn bytes(&self) -> usize {
        self.cols.capacity() * std::mem::size_of::<u16>() + self.vals.capacity() * std::mem::size_of::<i64>()
    }
}

/// 排查 rounds held on one day by one unit.
#[derive(Debug, Clone)]
struct RoundDay {
    day: NaiveDate,
    unit: Option<Uuid>,
    rounds: i64,
}

/// 排查 items found on one day by one unit's rounds.
#[derive(Debug, Clone)]
struct ItemDay {
    day: NaiveDate,
    unit: Option<Uuid>,
    found: i64,
    /// 调处: in progress, resolved, referred or unresolved.
    handled: i64,
    resolved: i64,
}

/// The agreements in force of the cases accepted on one day.
#[derive(Debug, Clone)]
struct AgreementDay {
    day: NaiveDate,
    agreements: i64,
    performed: i64,
}

/// What the rates of §3.4 read of one released person.
#[derive(Debug, Clone)]
struct PersonFacts {
    released_on: Option<NaiveDate>,
    handed_over: bool,
    key: bool,
    escorted: bool,
    active: bool,
    reoffended_status: bool,
    /// 帮教期: its start (the release when none is set) and end.
    help_start: Option<NaiveDate>,
    help_end: Option<NaiveDate>,
    resettled_on: Option<NaiveDate>,
    reoffense_on: Option<NaiveDate>,
    has_group: bool,
}

/// The statistics of a store by day, for the period it was read over.
#[derive(Debug, Clone)]
pub struct StatDigest {
    office_name: String,
    office_id: Uuid,
    /// Every organization, deleted ones too (to name old references).
    orgs: HashMap<Uuid, Organization>,
    /// In day order, as are `rounds`, `items` and `agreements`.
    case_days: Vec<CaseDay>,
    sums: Sums,
    /// The columns of `case_aggregates`, then those of `extra_columns`.
    width: usize,
    /// The columns of `case_aggregates` alone.
    table_width: usize,
    rounds: Vec<RoundDay>,
    items: Vec<ItemDay>,
    agreements: Vec<AgreementDay>,
    /// Every live released person: who is 在册 depends on the period, not on one date.
    persons: Vec<PersonFacts>,
}

/// Two counts a drill-down needs that the 统计表 does not hold, summed after
/// `case_aggregates`: successful cases with an amount (协议涉及金额 lists them) and cases
/// with a live party (涉及当事人 lists them).
fn extra_columns() -> [String; 2] {
    [
        format!("sum(c.result = '{}' AND coalesce({}, 0) <> 0)", MediationResult::Success.code(), field("amount_cents")),
        "sum(EXISTS (SELECT 1 FROM case_party p INDEXED BY case_party_live WHERE p.parent_id = c.id AND p.deleted = 0))".to_string(),
    ]
}

/// Cases of a period that the 统计表's sums do not count one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CasesWith {
    /// Successful cases with an amount.
    pub amount: i64,
    /// Cases with at least one live party.
    pub parties: i64,
}

/// The rows of `rows` (in day order) dated from `from` to `to`.
fn within<T>(rows: &[T], day: impl Fn(&T) -> NaiveDate, from: NaiveDate, to: NaiveDate) -> &[T] {
    let a = rows.partition_point(|r| day(r) < from);
    let b = rows.partition_point(|r| day(r) <= to);
    &rows[a..b.max(a)]
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.parse().ok())
}

/// The earliest and latest dates the store's text dates can hold: a digest of everything.
fn all_time() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(1, 1, 1).expect("a date"), NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date"))
}

impl Store {
    /// The statistics of the period `from`–`to` by day (see [`StatDigest`]).
    pub fn stat_digest(&self, from: NaiveDate, to: NaiveDate) -> Result<StatDigest> {
        check_period(from, to)?;
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let p = params![from_s, to_s];

        let mut orgs: HashMap<Uuid, Organization> = HashMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT data FROM organization")?;
            for data in stmt.query_map([], |r| r.get::<_, String>(0))? {
                let org: Organization = serde_json::from_str(&data?)?;
                orgs.insert(org.meta.id, org);
            }
        }
        let office_name = orgs.get(&self.office_id).and_then(|o| o.name.clone()).unwrap_or_default();

        // Cases: the statistics index is in (accepted_on, committee_id) order, so this groups
        // without sorting.
        let mut aggregates = case_aggregates();
        let table_width = aggregates.len();
        aggregates.extend(extra_columns());
        let width = aggregates.len();
        let (mut case_days, mut sums) = (Vec::new(), Sums::default());
        {
            let sql = format!(
                "SELECT c.accepted_on, c.committee_id, {} FROM {CASES} WHERE {CASES_IN_PERIOD} \
                 GROUP BY c.accepted_on, c.committee_id ORDER BY c.accepted_on",
                aggregates.join(", ")
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(p)?;
            while let Some(r) = rows.next()? {
                let Some(day) = date(r.get(0)?) else { continue };
                let start = sums.len();
                for i in 0..width {
                    let v = r.get::<_, Option<i64>>(i + 2)?.unwrap_or(0);
                    if v != 0 {
                        sums.push(i, v);
                    }
                }
                case_days.push(CaseDay { day, unit: parse_id(r.get(1)?), start, end: sums.len() });
            }
        }

        let mut rounds = Vec::new();
        {
            let mut stmt = self.conn.prepare(
                "SELECT screened_on, json_extract(data, '$.unit_org_id'), count(*) FROM screening_round INDEXED BY screening_round_screened \
                 WHERE deleted = 0 AND screened_on BETWEEN ?1 AND ?2 GROUP BY 1, 2 ORDER BY 1",
            )?;
            let mut rows = stmt.query(p)?;
            while let Some(r) = rows.next()? {
                if let Some(day) = date(r.get(0)?) {
                    rounds.push(RoundDay { day, unit: parse_id(r.get(1)?), rounds: r.get(2)? });
                }
            }
        }

        let mut items = Vec::new();
        {
            let sql = format!(
                "SELECT i.found_on, json_extract(r.data, '$.unit_org_id'), count(*), sum(i.status IN ({})), sum(i.status = '{}') \
                 {ITEMS_FOUND} GROUP BY 1, 2 ORDER BY 1",
                sql_codes([ItemStatus::InProgress, ItemStatus::Resolved, ItemStatus::Referred, ItemStatus::Unresolved], ItemStatus::code),
                ItemStatus::Resolved.code()
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(p)?;
            while let Some(r) = rows.next()? {
                if let Some(day) = date(r.get(0)?) {
                    let n = |i| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0));
                    items.push(ItemDay { day, unit: parse_id(r.get(1)?), found: n(2)?, handled: n(3)?, resolved: n(4)? });
                }
            }
        }

        // The agreement in force of each case (no live agreement supersedes it), final ones only.
        let mut agreements = Vec::new();
        {
            let sql = format!(
                "SELECT c.accepted_on, count(*), sum(a.performance_status IN ({})) \
                 FROM {CASES} JOIN agreement a INDEXED BY agreement_stats ON a.parent_id = c.id \
                 WHERE a.deleted = 0 AND coalesce(json_extract(a.data, '$.draft'), 0) = 0 AND {CASES_IN_PERIOD} \
                 AND NOT EXISTS (SELECT 1 FROM agreement b INDEXED BY agreement_stats WHERE b.parent_id = a.parent_id AND b.deleted = 0 \
                                 AND json_extract(b.data, '$.supersedes_agreement_id') = a.id) \
                 GROUP BY 1 ORDER BY 1",
                sql_codes([PerformanceStatus::Immediate, PerformanceStatus::Fulfilled], PerformanceStatus::code)
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut rows = stmt.query(p)?;
            while let Some(r) = rows.next()? {
                if let Some(day) = date(r.get(0)?) {
                    agreements.push(AgreementDay { day, agreements: r.get(1)?, performed: r.get::<_, Option<i64>>(2)?.unwrap_or(0) });
                }
            }
        }

        let mut persons = Vec::new();
        {
            let escort: Vec<&str> = HandoverMethod::ALL.iter().copied().filter(|m| m.is_escort()).map(HandoverMethod::code).collect();
            let mut stmt = self.conn.prepare(
                "SELECT released_on, assessment_type, handover_status, help_status, json_extract(data, '$.handover_method'), \
                   coalesce(json_extract(data, '$.help_period_start'), released_on), help_period_end, \
                   json_extract(data, '$.resettled_on'), json_extract(data, '$.reoffense_on'), \
                   EXISTS (SELECT 1 FROM help_group g WHERE g.parent_id = p.id AND g.deleted = 0) \
                 FROM released_person p WHERE deleted = 0",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let text = |i| r.get::<_, Option<String>>(i);
                let is = |i, code: &str| text(i).map(|v| v.as_deref() == Some(code));
                persons.push(PersonFacts {
                    released_on: date(text(0)?),
                    key: is(1, AssessmentType::Key.code())?,
                    handed_over: is(2, HandoverStatus::Done.code())?,
                    active: is(3, HelpStatus::Active.code())?,
                    reoffended_status: is(3, HelpStatus::Reoffended.code())?,
                    escorted: text(4)?.is_some_and(|m| escort.contains(&m.as_str())),
                    help_start: date(text(5)?),
                    help_end: date(text(6)?),
                    resettled_on: date(text(7)?),
                    reoffense_on: date(text(8)?),
                    has_group: r.get(9)?,
                });
            }
        }

        // Kept for as long as the office does not change: no room left over from the reading.
        case_days.shrink_to_fit();
        sums.cols.shrink_to_fit();
        sums.vals.shrink_to_fit();
        rounds.shrink_to_fit();
        items.shrink_to_fit();
        agreements.shrink_to_fit();
        persons.shrink_to_fit();
        Ok(StatDigest { office_name, office_id: self.office_id, orgs, case_days, sums, width, table_width, rounds, items, agreements, persons })
    }

    /// The digest of everything the store holds: any period's figures, from memory.
    pub fn stat_digest_all(&self) -> Result<StatDigest> {
        let (from, to) = all_time();
        self.stat_digest(from, to)
    }

    /// 人民调解案件情况统计表 (§3.3) of the cases accepted from `from` to `to` inclusive.
    pub fn case_statistics(&self, from: NaiveDate, to: NaiveDate) -> Result<CaseStatistics> {
        self.stat_digest(from, to)?.case_statistics(from, to)
    }

    /// The §3.4 metrics for the period `from`–`to` inclusive.
    pub fn metrics(&self, from: NaiveDate, to: NaiveDate, targets: &Targets) -> Result<Metrics> {
        self.stat_digest(from, to)?.metrics(from, to, targets)
    }
}

impl StatDigest {
    pub fn office_id(&self) -> Uuid {
        self.office_id
    }

    /// About how much memory the digest holds (the organizations' text not counted: there are
    /// a few dozen). The county keeps one per office, so this times the offices is what its
    /// figures cost in memory.
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        size_of::<Self>()
            + self.office_name.capacity()
            + self.orgs.capacity() * (size_of::<Uuid>() + size_of::<Organization>())
            + self.case_days.capacity() * size_of::<CaseDay>()
            + self.sums.bytes()
            + self.rounds.capacity() * size_of::<RoundDay>()
            + self.items.capacity() * size_of::<ItemDay>()
            + self.agreements.capacity() * size_of::<AgreementDay>()
            + self.persons.capacity() * size_of::<PersonFacts>()
    }

    /// 调解案件总数 and 调解成功 of the period: the two sums the month chart needs.
    pub fn cases_and_success(&self, from: NaiveDate, to: NaiveDate) -> (i64, i64) {
        let (mut cases, mut success) = (0, 0);
        for d in within(&self.case_days, |d| d.day, from, to) {
            for (col, v) in self.sums.of(d) {
                match col {
                    0 => cases += v,
                    2 => success += v,
                    _ => {}
                }
            }
        }
        (cases, success)
    }

    /// The cases of the period with an amount, and with parties.
    pub fn cases_with(&self, from: NaiveDate, to: NaiveDate) -> CasesWith {
        let (amount_col, parties_col) = (self.table_width as u16, self.table_width as u16 + 1);
        let mut out = CasesWith::default();
        for d in within(&self.case_days, |d| d.day, from, to) {
            for (col, v) in self.sums.of(d) {
                if col == amount_col {
                    out.amount += v;
                } else if col == parties_col {
                    out.parties += v;
                }
            }
        }
        out
    }

    /// 人民调解案件情况统计表 (§3.3) of the cases accepted from `from` to `to` inclusive.
    pub fn case_statistics(&self, from: NaiveDate, to: NaiveDate) -> Result<CaseStatistics> {
        check_period(from, to)?;
        // Sums by unit, in unit order (as SQL's GROUP BY gave them).
        let mut case_sums: BTreeMap<Option<Uuid>, Vec<i64>> = BTreeMap::new();
        for d in within(&self.case_days, |d| d.day, from, to) {
            let unit = case_sums.entry(d.unit).or_insert_with(|| vec![0; self.width]);
            for (col, v) in self.sums.of(d) {
                unit[col as usize] += v;
            }
        }
        let mut rounds: BTreeMap<Option<Uuid>, i64> = BTreeMap::new();
        for d in within(&self.rounds, |d| d.day, from, to) {
            *rounds.entry(d.unit).or_default() += d.rounds;
        }
        let mut resolved: BTreeMap<Option<Uuid>, i64> = BTreeMap::new();
        for d in within(&self.items, |d| d.day, from, to).iter().filter(|d| d.resolved > 0) {
            *resolved.entry(d.unit).or_default() += d.resolved;
        }

        let orgs = &self.orgs;
        // Every live committee has a row, zero or not; other units only when they hold data
        // (a row is made only for a key some query returned).
        let mut committees: Vec<&Organization> =
            orgs.values().filter(|o| !o.meta.deleted && o.org_type == Some(OrgType::MediationCommittee)).collect();
        committees.sort_by_key(|o| (o.committee_type.map_or(usize::MAX, |t| t as usize), o.name.clone(), o.meta.id));
        let mut rows: Vec<StatRow> = Vec::new();
        let mut index: HashMap<Option<Uuid>, usize> = HashMap::new();
        let mut row_for = |rows: &mut Vec<StatRow>, id: Option<Uuid>| -> usize {
            *index.entry(id).or_insert_with(|| {
                let org = id.and_then(|id| orgs.get(&id));
                let label = match (id, org.and_then(|o| o.name.clone())) {
                    (_, Some(name)) => name,
                    (None, None) => "未指定单位".to_string(),
                    (Some(id), None) => format!("未知单位（{}）", &id.to_string()[..8]),
                };
                let mut row = StatRow::empty(RowKind::Unit, id, label);
                row.committee_type = org.filter(|o| o.org_type == Some(OrgType::MediationCommittee)).and_then(|o| o.committee_type);
                rows.push(row);
                rows.len() - 1
            })
        };
        for c in &committees {
            row_for(&mut rows, Some(c.meta.id));
        }
        let first_other = rows.len();
        for (id, sums) in &case_sums {
            let i = row_for(&mut rows, *id);
            fill_case_columns(&mut rows[i], sums);
        }
        for (id, n) in rounds {
            let i = row_for(&mut rows, id);
            rows[i].prevention.screening_rounds = n;
        }
        for (id, n) in resolved {
            let i = row_for(&mut rows, id);
            rows[i].prevention.prevented_disputes = n;
        }
        rows[first_other..].sort_by(|a, b| a.label.cmp(&b.label));

        let subordinate_total = StatRow::empty(RowKind::SubordinateTotal, None, "下级上报总计");
        let mut own_total = StatRow::empty(RowKind::OwnTotal, None, "本级上报总计");
        for r in &rows {
            own_total.add(r);
        }
        let mut all: Vec<&StatRow> = rows.iter().collect();
        all.push(&own_total);
        let checks = consistency_checks(&all);
        Ok(CaseStatistics {
            title: "人民调解案件情况统计表",
            office_name: self.office_name.clone(),
            from,
            to,
            rows,
            subordinate_total,
            own_total,
            checks,
        })
    }

    /// The §3.4 metrics for the period `from`–`to` inclusive.
    pub fn metrics(&self, from: NaiveDate, to: NaiveDate, targets: &Targets) -> Result<Metrics> {
        check_period(from, to)?;
        let (cases, success) = self.cases_and_success(from, to);
        let (mut agreements, mut performed) = (0, 0);
        for d in within(&self.agreements, |d| d.day, from, to) {
            agreements += d.agreements;
            performed += d.performed;
        }
        let (mut found, mut handled, mut resolved) = (0, 0, 0);
        for d in within(&self.items, |d| d.day, from, to) {
            found += d.found;
            handled += d.handled;
            resolved += d.resolved;
        }

        // Released persons. 在册 = 在册帮教 with a 帮教期 overlapping the period; a date not
        // set compares as false, as SQL's NULL did.
        let within_period = |d: Option<NaiveDate>| d.is_some_and(|d| d >= from && d <= to);
        let (mut released_in, mut handed_over, mut key_in, mut key_escorted) = (0, 0, 0, 0);
        let (mut on_roll, mut resettled, mut helped, mut reoffense_base, mut reoffended) = (0, 0, 0, 0, 0);
        for p in &self.persons {
            let roll = p.active && p.help_start.is_some_and(|d| d <= to) && p.help_end.is_some_and(|d| d >= from);
            let reoffended_in = within_period(p.reoffense_on);
            if within_period(p.released_on) {
                released_in += 1;
                handed_over += i64::from(p.handed_over);
                key_in += i64::from(p.key);
                key_escorted += i64::from(p.key && p.escorted);
            }
            if roll {
                on_roll += 1;
                resettled += i64::from(p.resettled_on.is_some_and(|d| d <= to));
                helped += i64::from(p.has_group);
            }
            reoffense_base += i64::from(roll || (p.reoffended_status && reoffended_in));
            reoffended += i64::from((roll || p.reoffended_status) && reoffended_in);
        }

        let t = targets;
        let screening_base = match t.screening_success_base {
            ScreeningSuccessBase::Found => (found, "已化解数 ÷ 排查发现数"),
            ScreeningSuccessBase::Handled => (handled, "已化解数 ÷ 调处数"),
        };
        use Better::*;
        Ok(Metrics {
            from,
            to,
            mediation_success: Rate::new("调解成功率", "调解成功件数 ÷ 调解案件总数", success, cases, t.mediation_success, Higher),
            performance: Rate::new("协议履行率", "已履行完毕（含即时履行）协议数 ÷ 达成协议件数", performed, agreements, t.performance, Higher),
            screening_handled: Rate::new("排查调处率", "调处数 ÷ 排查发现数", handled, found, t.screening_handled, Higher),
            screening_success: Rate::new("排查成功率", screening_base.1, resolved, screening_base.0, t.screening_success, Higher),
            handover: Rate::new("衔接率", "已衔接人数 ÷ 本期释放人数", handed_over, released_in, t.handover, Higher),
            must_escort: Rate::new("必接必送率", "接回或送回的重点帮教对象 ÷ 本期释放的重点帮教对象", key_escorted, key_in, t.must_escort, Higher),
            resettlement: Rate::new("安置率", "已安置人数 ÷ 在册帮教对象", resettled, on_roll, t.resettlement, Higher),
            help: Rate::new("帮教率", "已成立帮教小组人数 ÷ 在册帮教对象", helped, on_roll, t.help, Higher),
            reoffense: Rate::new(
                "重新犯罪率",
                "本期重新犯罪人数 ÷（在册帮教对象 + 本期重新犯罪的其他对象）",
                reoffended,
                reoffense_base,
                t.reoffense_below,
                Lower,
            ),
        })
    }
}
