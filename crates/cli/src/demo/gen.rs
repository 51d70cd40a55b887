//! Seeded randomness and the small helpers every generator uses: picks, dates, times in
//! China, UUIDv7 ids made from the record's own time (so a seed gives the same ids).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use fengqiao_model::Meta;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

pub struct Gen {
    rng: StdRng,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

impl Gen {
    pub fn new(seed: u64, now: DateTime<Utc>, today: NaiveDate) -> Self {
        Gen { rng: StdRng::seed_from_u64(seed), now, today }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// An integer in `lo..=hi` (`lo` when the range is empty).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    pub fn index(&mut self, len: usize) -> usize {
        self.rng.random_range(0..len.max(1))
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// One of several texts.
    pub fn text(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.index(xs.len())]
    }

    /// A value picked by weight.
    pub fn weighted<T: Copy>(&mut self, xs: &[(T, u32)]) -> T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut r = self.rng.random_range(0..total.max(1));
        for (v, w) in xs {
            if r < *w {
                return *v;
            }
            r -= w;
        }
        xs[xs.len() - 1].0
    }

    /// A date in `from..=to` (`from` when the range is empty).
    pub fn date(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days();
        from + Duration::days(self.int(0, span))
    }

    /// A moment on `day` between `from_hour` and `to_hour` China time, never after now.
    pub fn at(&mut self, day: NaiveDate, from_hour: u32, to_hour: u32) -> DateTime<Utc> {
        let minute = self.int(from_hour as i64 * 60, to_hour as i64 * 60 - 1).max(0) as u32;
        let second = self.int(0, 59) as u32;
        let local = day.and_time(NaiveTime::from_hms_opt(minute / 60, minute % 60, second).expect("valid time"));
        let t = local.and_utc() - Duration::hours(8);
        if t > self.now {
            self.now - Duration::minutes(self.int(20, 240))
        } else {
            t
        }
    }

    /// A UUIDv7 with the millisecond of `t` and seeded random bits.
    pub fn id(&mut self, t: DateTime<Utc>) -> Uuid {
        let ms = t.timestamp_millis().max(0) as u128 & ((1 << 48) - 1);
        let rand_a: u128 = self.rng.random::<u16>() as u128 & 0x0FFF;
        let rand_b: u128 = self.rng.random::<u64>() as u128 & ((1 << 62) - 1);
        Uuid::from_u128((ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b)
    }

    /// Bookkeeping of a record made at `created` and last changed at `updated`.
    pub fn meta(&mut self, org: Uuid, by: &str, created: DateTime<Utc>, updated: DateTime<Utc>, version: i64) -> Meta {
        Meta {
            id: self.id(created),
            org_id: org,
            created_at: created,
            updated_at: updated.max(created),
            created_by: by.to_string(),
            version,
            deleted: false,
            draft: false,
        }
    }
}

/// "2024年5月6日".
pub fn cn_date(d: NaiveDate) -> String {
    fengqiao_model::validate::cn_date(d)
}

/// "2024年5月".
pub fn cn_month(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月", d.year(), d.month())
}

/// A sum of money as written in a summary: "8600元", "12.5万元".
pub fn yuan(y: i64) -> String {
    if y >= 100_000 && y % 1_000 == 0 {
        let wan = y as f64 / 10_000.0;
        let s = format!("{wan:.1}");
        format!("{}万元", s.trim_end_matches(".0"))
    } else {
        format!("{y}元")
    }
}
