//! `demo-data`: realistic synthetic records for a township office — dispute cases with their
//! whole files, released-person files, and screening rounds — deterministic for a seed (on a
//! store in the same state, at the same date: set `FENGQIAO_NOW` to fix the date).
//!
//! A second thread makes the records while this one writes them through `Store::batch`,
//! [`CHUNK`] aggregates per transaction; every record passes the model's validation as a
//! final record (drafts only for cases in 登记中), since the store validates every save.

pub mod cases;
mod gen;
pub mod narrative;
pub mod people;
mod released;
mod screening;
pub mod words;
mod world;

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use fengqiao_model::*;
use fengqiao_store::{Batch, DisputeFilter, ReleasedFilter, ScreeningFilter, Store, StoreError};
use serde::Serialize;

use crate::CliError;
use cases::{CaseBundle, CaseGen};
use gen::Gen;
use released::ReleasedGen;
use screening::RoundGen;
use world::World;

/// Aggregates written per transaction.
pub const CHUNK: usize = 2_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub disputes: usize,
    pub released: usize,
    pub screenings: usize,
    pub seed: u64,
}

/// Where a run is, for the progress line.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub disputes: (usize, usize),
    pub released: (usize, usize),
    pub screenings: (usize, usize),
    /// Records written so far (every saved record: a party, a session … counts one).
    pub records: usize,
    pub elapsed: Duration,
}

impl Progress {
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(0.001);
        format!(
            "演示数据：纠纷案件 {}/{}，安置帮教 {}/{}，排查 {}/{}；已写入{}条记录，每秒{:.0}条",
            self.disputes.0,
            self.disputes.1,
            self.released.0,
            self.released.1,
            self.screenings.0,
            self.screenings.1,
            self.records,
            self.records as f64 / secs
        )
    }
}

/// What a run made.
#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub ok: bool,
    pub seed: u64,
    pub disputes: usize,
    pub released: usize,
    pub screenings: usize,
    pub zero_reports: usize,
    /// Committees and mediators created for the township (0 when a previous run made them).
    pub setup_records: usize,
    /// Every record written, setup included.
    pub records: usize,
    pub seconds: f64,
    pub records_per_second: f64,
    pub aggregates_per_second: f64,
}

impl DemoReport {
    pub fn summary(&self) -> String {
        format!(
            "已生成演示数据：纠纷案件{}件，安置帮教对象{}名，排查{}次（其中零报告{}次）；新建调委会和调解员{}条。\n共写入{}条记录，用时{:.1}秒，每秒{:.0}条记录（{:.0}个案卷）。随机种子：{}",
            self.disputes, self.released, self.screenings, self.zero_reports, self.setup_records, self.records,
            self.seconds, self.records_per_second, self.aggregates_per_second, self.seed
        )
    }
}

/// One aggregate ready to write.
enum Aggregate {
    Case(Box<CaseBundle>),
    Released(Box<ReleasedFile>),
    Round(Box<RoundFile>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Disputes,
    Released,
    Screenings,
}

struct Chunk {
    family: Family,
    items: Vec<Aggregate>,
}

/// Generates and writes the demo data; `progress` is called after every transaction.
pub fn generate(store: &mut Store, opts: &DemoOptions, mut progress: impl FnMut(&Progress)) -> Result<DemoReport, CliError> {
    let started = Instant::now();
    let ctx = store.ctx();
    let (now, today) = (ctx.now, ctx.today);
    let before = [
        store.list_disputes(&DisputeFilter { page_size: 1, ..Default::default() })?.total,
        store.list_released(&ReleasedFilter { page_size: 1, ..Default::default() })?.total,
        store.list_screenings(&ScreeningFilter { page_size: 1, ..Default::default() })?.total,
    ];
    // The same seed on a store in the same state gives the same data; a second run on a
    // store that already has demo data gives new records rather than the same ids again.
    let seed = before.iter().fold(mix(opts.seed), |h, n| mix(h ^ *n as u64));
    let (world, setup_records) = World::prepare(store, now, today)?;
    let mut last_seq: HashMap<(uuid::Uuid, i32), i64> = HashMap::new();
    if opts.disputes > 0 {
        for c in &world.committees {
            for year in today.year() - 7..=today.year() {
                if let Some(max) = store.case_numbers(c.id, year)?.iter().map(|n| n.0).max() {
                    last_seq.insert((c.id, year), max);
                }
            }
        }
    }
    let existing_rounds: HashSet<(String, NaiveDate)> = if opts.screenings > 0 {
        store.all::<ScreeningRound>()?.into_iter().filter_map(|r| Some((r.unit_division_code?, r.period_start?))).collect()
    } else {
        HashSet::new()
    };
    let slots = screening::plan(&world, today, opts.screenings, &existing_rounds);

    let mut p = Progress {
        disputes: (0, opts.disputes),
        released: (0, opts.released),
        screenings: (0, slots.len()),
        records: setup_records,
        elapsed: started.elapsed(),
    };
    let mut zero_reports = 0;
    // Units recur across cases: each is written once.
    let mut saved_entities = HashSet::new();
    std::thread::scope(|s| -> Result<(), CliError> {
        let (tx, rx) = mpsc::sync_channel::<Chunk>(2);
        let world = &world;
        let slots = &slots;
        s.spawn(move || produce(world, seed, now, today, opts, last_seq, slots, tx));
        for chunk in rx {
            let family = chunk.family;
            let n = chunk.items.len();
            zero_reports += chunk.items.iter().filter(|a| matches!(a, Aggregate::Round(r) if r.round.zero_report)).count();
            p.records += write_chunk(store, chunk.items, &mut saved_entities)?;
            match family {
                Family::Disputes => p.disputes.0 += n,
                Family::Released => p.released.0 += n,
                Family::Screenings => p.screenings.0 += n,
            }
            p.elapsed = started.elapsed();
            progress(&p);
        }
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    let aggregates = p.disputes.0 + p.released.0 + p.screenings.0;
    Ok(DemoReport {
        ok: true,
        seed: opts.seed,
        disputes: p.disputes.0,
        released: p.released.0,
        screenings: p.screenings.0,
        zero_reports,
        setup_records,
        records: p.records,
        seconds,
        records_per_second: p.records as f64 / seconds,
        aggregates_per_second: aggregates as f64 / seconds,
    })
}

/// splitmix64: spreads a seed over all bits.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generating thread: cases, then released persons, then rounds, in chunks.
#[allow(clippy::too_many_arguments)]
fn produce(
    world: &World,
    seed: u64,
    now: DateTime<Utc>,
    today: NaiveDate,
    opts: &DemoOptions,
    mut last_seq: HashMap<(uuid::Uuid, i32), i64>,
    slots: &[screening::Slot],
    tx: mpsc::SyncSender<Chunk>,
) {
    let mut g = Gen::new(seed, now, today);
    let heads = cases::plan(&mut g, world, opts.disputes, &mut last_seq);
    let mut cg = CaseGen::new(world);
    if !stream(&tx, Family::Disputes, heads.iter().map(|h| Aggregate::Case(Box::new(cg.build(&mut g, h))))) {
        return;
    }
    let mut rg = ReleasedGen::new(world);
    if !stream(&tx, Family::Released, (0..opts.released).map(|i| Aggregate::Released(Box::new(rg.build(&mut g, i))))) {
        return;
    }
    let mut sg = RoundGen::new(world);
    stream(&tx, Family::Screenings, slots.iter().map(|s| Aggregate::Round(Box::new(sg.build(&mut g, s)))));
}

/// Sends the aggregates in chunks of [`CHUNK`]; false when the writer has stopped.
fn stream(tx: &mpsc::SyncSender<Chunk>, family: Family, items: impl Iterator<Item = Aggregate>) -> bool {
    let mut buf = Vec::with_capacity(CHUNK);
    for a in items {
        buf.push(a);
        if buf.len() == CHUNK && tx.send(Chunk { family, items: std::mem::replace(&mut buf, Vec::with_capacity(CHUNK)) }).is_err() {
            return false;
        }
    }
    buf.is_empty() || tx.send(Chunk { family, items: buf }).is_ok()
}

/// Writes one chunk in one transaction; returns the number of records written.
fn write_chunk(store: &mut Store, items: Vec<Aggregate>, entities: &mut HashSet<uuid::Uuid>) -> Result<usize, CliError> {
    let mut failed = None;
    let result = store.batch(|b| {
        let mut n = 0;
        for a in items {
            let what = a.describe();
            match a.write(b, entities) {
                Ok(k) => n += k,
                Err(e) => {
                    failed = Some(what);
                    return Err(e);
                }
            }
        }
        Ok(n)
    });
    result.map_err(|e| match failed {
        Some(what) => CliError::Demo { what, source: e },
        None => e.into(),
    })
}

impl Aggregate {
    fn describe(&self) -> String {
        match self {
            Aggregate::Case(c) => format!(
                "纠纷案件“{}”{}",
                c.file.case.title.as_deref().unwrap_or(""),
                c.file.case.case_no.as_deref().map(|n| format!("（{n}）")).unwrap_or_default()
            ),
            Aggregate::Released(r) => format!("安置帮教对象“{}”", r.person.as_ref().and_then(|p| p.name.as_deref()).unwrap_or("")),
            Aggregate::Round(r) => {
                format!("排查“{}” {}", r.round.unit_name.as_deref().unwrap_or(""), r.round.period_start.map(|d| d.to_string()).unwrap_or_default())
            }
        }
    }

    /// Saves the aggregate, referenced records first; returns the number of records.
    fn write(self, b: &Batch, entities: &mut HashSet<uuid::Uuid>) -> Result<usize, StoreError> {
        let mut n = 0;
        let mut save = |ok: Result<(), StoreError>| -> Result<(), StoreError> {
            ok?;
            n += 1;
            Ok(())
        };
        match self {
            Aggregate::Case(bundle) => {
                let CaseBundle { file, extra_persons } = *bundle;
                let CaseFile { case, parties, investigations, sessions, agreement, return_visits } = file;
                let mut party_records = Vec::with_capacity(parties.len());
                for PartyEntry { party, person, entity } in parties {
                    if let Some(p) = person {
                        save(b.save(p).map(drop))?;
                    }
                    if let Some(e) = entity.filter(|e| entities.insert(e.meta.id)) {
                        save(b.save(e).map(drop))?;
                    }
                    party_records.push(party);
                }
                for p in extra_persons {
                    save(b.save(p).map(drop))?;
                }
                b.register_case_number(&case)?;
                save(b.save(case).map(drop))?;
                for p in party_records {
                    save(b.save(p).map(drop))?;
                }
                for r in investigations {
                    save(b.save(r).map(drop))?;
                }
                for s in sessions {
                    save(b.save(s).map(drop))?;
                }
                if let Some(a) = agreement {
                    save(b.save(a).map(drop))?;
                }
                for v in return_visits {
                    save(b.save(v).map(drop))?;
                }
            }
            Aggregate::Released(file) => {
                let ReleasedFile { released, person, help_group, help_visits, assessment_changes, handover_events } = *file;
                if let Some(p) = person {
                    save(b.save(p).map(drop))?;
                }
                save(b.save(released).map(drop))?;
                if let Some(g) = help_group {
                    save(b.save(g).map(drop))?;
                }
                for v in help_visits {
                    save(b.save(v).map(drop))?;
                }
                for c in assessment_changes {
                    save(b.save(c).map(drop))?;
                }
                for e in handover_events {
                    save(b.save(e).map(drop))?;
                }
            }
            Aggregate::Round(file) => {
                let RoundFile { round, items } = *file;
                save(b.save(round).map(drop))?;
                for i in items {
                    save(b.save(i).map(drop))?;
                }
            }
        }
        Ok(n)
    }
}
