//! 排查 rounds: every village and community each half month, the township each month, newest
//! periods first; most are zero reports, the others carry the items found (never both).

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use fengqiao_model::*;

use super::gen::Gen;
use super::narrative::{fill, SPECS};
use super::people;
use super::world::{Role, World};

/// One round to make: a unit (a village index, or the township) and its period.
pub struct Slot {
    pub village: Option<usize>,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The `n` most recent periods that have ended, skipping rounds already in the store
/// (`existing`: unit code and period start).
pub fn plan(w: &World, today: NaiveDate, n: usize, existing: &HashSet<(String, NaiveDate)>) -> Vec<Slot> {
    let mut out = Vec::with_capacity(n);
    let (mut start, mut end) = half_month_before(today);
    let mut guard = 0;
    while out.len() < n && guard < 24 * 50 {
        guard += 1;
        for v in 0..w.villages.len() {
            if out.len() < n && !existing.contains(&(w.villages[v].code.clone(), start)) {
                out.push(Slot { village: Some(v), start, end });
            }
        }
        // The township reports monthly: when the month's second half is done.
        if start.day() == 16 {
            let month_start = start.with_day(1).expect("day 1");
            if out.len() < n && !existing.contains(&(w.township_code.clone(), month_start)) {
                out.push(Slot { village: None, start: month_start, end });
            }
        }
        (start, end) = half_month_before(start);
    }
    out
}

/// The last half-month period (1st–15th or 16th–month end) ending before `day`.
fn half_month_before(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).expect("day 1");
    if day.day() > 15 {
        (first, first + Duration::days(14))
    } else {
        let prev_end = first - Duration::days(1);
        (prev_end.with_day(16).expect("day 16"), prev_end)
    }
}

pub struct RoundGen<'w> {
    w: &'w World,
    rounds: usize,
    items: usize,
}

impl<'w> RoundGen<'w> {
    pub fn new(w: &'w World) -> Self {
        RoundGen { w, rounds: 0, items: 0 }
    }

    pub fn build(&mut self, g: &mut Gen, slot: &Slot) -> RoundFile {
        let w = self.w;
        let today = g.today;
        self.rounds += 1;
        let clerk = w.clerk(g).to_string();
        let (name, code, head, gridder, period_type) = match slot.village {
            Some(v) => {
                let vi = &w.villages[v];
                (vi.name.clone(), vi.code.clone(), vi.head.clone(), vi.gridder.clone(), PeriodType::HalfMonth)
            }
            None => (w.town.clone(), w.township_code.clone(), w.staff[0].clone(), w.staff[1].clone(), PeriodType::Monthly),
        };
        let screened = (slot.end - Duration::days(g.int(0, 2))).max(slot.start).min(today);
        let approved = (screened + Duration::days(g.int(0, 2))).min(today);
        let submitted = (approved + Duration::days(g.int(0, 3))).min(today);
        let zero_share = if slot.village.is_some() { 0.75 } else { 0.55 };
        let zero = match self.rounds {
            1 => true,
            2 => false,
            _ => g.chance(zero_share),
        };
        let committee = slot.village.and_then(|v| w.committee_for(Role::Village(v))).or_else(|| w.committee_for(Role::Township));
        let mediator = committee.and_then(|c| w.committees[c].mediators.first().cloned());
        let created = g.at(screened, 9, 17);
        let updated = g.at(submitted, 9, 17);
        let meta = g.meta(w.office_id, &clerk, created, updated, 2);
        let round_id = meta.id;
        let n_items = if zero { 0 } else { g.int(1, if slot.village.is_some() { 3 } else { 4 }) as usize };
        let items: Vec<ScreeningItem> = (0..n_items).map(|_| self.item(g, slot, round_id, screened, &head)).collect();
        let mut method =
            vec![*g.pick(&[ScreeningMethod::HouseholdVisit, ScreeningMethod::GridPatrol, ScreeningMethod::Informant, ScreeningMethod::Centralized])];
        if self.rounds == 3 {
            method.push(ScreeningMethod::Special);
        } else if g.chance(0.3) {
            let m = *g.pick(&[ScreeningMethod::HouseholdVisit, ScreeningMethod::GridPatrol, ScreeningMethod::Informant]);
            if !method.contains(&m) {
                method.push(m);
            }
        }
        let round = ScreeningRound {
            meta,
            // The unit screened through its 调委会, which the statistics count it under.
            unit_org_id: committee.map(|c| w.committees[c].id),
            unit_division_code: Some(code),
            unit_name: Some(name),
            period_type: Some(period_type),
            period_start: Some(slot.start),
            period_end: Some(slot.end),
            screened_on: Some(screened),
            screener_ids: mediator.iter().filter(|_| g.chance(0.5)).map(|m| m.0).collect(),
            screener_names: vec![gridder],
            method,
            found_count: items.len() as i64,
            zero_report: zero,
            statement: Some(if zero {
                g.pick(&[ZERO_REPORT_STATEMENT, "经入户走访和网格巡查，本期辖区内未发现矛盾纠纷", "本期未发现矛盾纠纷及不稳定因素"]).to_string()
            } else {
                format!("本期排查发现矛盾纠纷{n_items}起，均已登记并落实处置措施")
            }),
            approved_by: Some(head),
            approved_on: Some(approved),
            submitted_to: Some(if slot.village.is_some() { format!("{}司法所", w.town) } else { format!("{}司法局", w.county_full()) }),
            submitted_on: Some(submitted),
        };
        RoundFile { round, items }
    }

    fn item(&mut self, g: &mut Gen, slot: &Slot, round_id: uuid::Uuid, screened: NaiveDate, head: &str) -> ScreeningItem {
        let w = self.w;
        let today = g.today;
        let n = self.items;
        self.items += 1;
        let village = slot.village.unwrap_or_else(|| g.index(w.villages.len()));
        let found = g.date(slot.start, screened);
        let type_weights: Vec<(DisputeType, u32)> = SPECS.iter().map(|s| (s.t, s.weight)).collect();
        let dtype = g.weighted(&type_weights);
        let spec = super::narrative::spec(dtype);
        let sc = g.pick(spec.scenarios);
        let a = people::any_name(g, 0.55, None);
        let b = people::any_name(g, 0.55, None);
        let vname = w.villages[village].name.clone();
        let town = w.town.clone();
        let vars = |k: &str| -> Option<String> {
            Some(match k {
                "A" => a.clone(),
                "B" => b.clone(),
                "V" => vname.clone(),
                "RES" => if w.villages[village].community { "居民" } else { "村民" }.to_string(),
                "T" => town.clone(),
                "CITY" => w.city.clone(),
                "X" => "某".to_string(),
                "M" => super::gen::cn_month(found),
                "Y" | "N" => "3".to_string(),
                "ROAD" => "村道".to_string(),
                "AMT" => "数千元".to_string(),
                "PAY" | "HALF" => "部分款项".to_string(),
                "DUE" => "近期".to_string(),
                _ => return None,
            })
        };
        let summary = format!("{}{}", fill(g.text(sc.background), &vars), fill(g.text(sc.cause), &vars));
        let old = (today - found).num_days() > 60;
        let status = match n {
            0..=4 => ItemStatus::ALL[n],
            _ if old => g.weighted(&[
                (ItemStatus::Resolved, 75),
                (ItemStatus::Referred, 12),
                (ItemStatus::Unresolved, 5),
                (ItemStatus::InProgress, 5),
                (ItemStatus::Open, 3),
            ]),
            _ => g.weighted(&[(ItemStatus::Open, 25), (ItemStatus::InProgress, 35), (ItemStatus::Resolved, 30), (ItemStatus::Referred, 10)]),
        };
        let disposition = match (n, status) {
            (0..=4, _) => Disposition::ALL[n],
            (_, ItemStatus::Referred) => *g.pick(&[Disposition::ReferCommittee, Disposition::DivertDepartment, Disposition::ReportUp]),
            _ => g.weighted(&[
                (Disposition::MediateOnSpot, 55),
                (Disposition::ReferCommittee, 20),
                (Disposition::Monitor, 12),
                (Disposition::DivertDepartment, 8),
                (Disposition::ReportUp, 5),
            ]),
        };
        let deadline = found + Duration::days(g.int(7, 30));
        let resolved_on = (status == ItemStatus::Resolved).then(|| (found + Duration::days(g.int(1, 30))).min(today));
        let t = g.at(found, 9, 17);
        let clerk = w.clerk(g).to_string();
        ScreeningItem {
            meta: g.meta(w.office_id, &clerk, t, t, 1),
            round_id: Some(round_id),
            found_on: Some(found),
            place: Some(format!("{}{}", w.town, vname)),
            party_summary: Some(format!("{a}、{b}")),
            party_person_ids: vec![],
            dispute_type: Some(dtype),
            people_involved: Some(if g.chance(0.85) { g.int(2, 4) } else { g.int(5, 12) }),
            summary: Some(summary),
            risk_level: Some(match n {
                0..=2 => RiskLevel::ALL[n],
                _ => g.weighted(&[(RiskLevel::General, 80), (RiskLevel::Difficult, 15), (RiskLevel::Major, 5)]),
            }),
            disposition: Some(disposition),
            responsible_person: Some(head.to_string()),
            deadline: Some(deadline),
            status: Some(status),
            resolved_on,
            case_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_months_step_back_without_gaps() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(half_month_before(d(2026, 11, 21)), (d(2026, 11, 1), d(2026, 11, 15)));
        assert_eq!(half_month_before(d(2026, 11, 1)), (d(2026, 10, 16), d(2026, 10, 31)));
        assert_eq!(half_month_before(d(2026, 10, 16)), (d(2026, 10, 1), d(2026, 10, 15)));
        assert_eq!(half_month_before(d(2026, 3, 10)), (d(2026, 2, 16), d(2026, 2, 28)));
    }
}
