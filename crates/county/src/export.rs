//! `export --office`: an office's records as the county holds them, in the interchange format
//! of `fengqiao-cli export` (JSON Lines of `fengqiao_model::ExportLine`), built by the same
//! rules as the office store's export (crates/store/src/exchange.rs and files.rs), so that the
//! county's export of a synced office is byte for byte the office's own.
//!
//! The rules, as the store applies them: deleted records are left out; every list is ordered
//! by record id; organizations put the office first; persons and units filed under a live
//! party or released file travel inside it (a party's or a file's person is looked up even
//! when deleted); a case carries its live parties in 甲乙丙… order, its sessions by (seq, id),
//! its agreement in force (the first by id that no other live agreement supersedes) and the
//! derived `party_count`; a round carries its items and `found_count`; a released file its
//! person, its last help group by id, visits, assessment changes and handover events.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use fengqiao_model::*;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{CountyError, Result};
use crate::store::StoredRecord;

/// 甲, 乙, 丙 … in the agreement's order (their code points are not: 乙 < 甲); other labels
/// last. The office store's rule (`fengqiao_store::side_rank`), kept identical.
pub fn side_rank(side: Option<&str>) -> usize {
    const SIDES: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];
    side.and_then(|s| SIDES.iter().position(|x| *x == s.trim())).unwrap_or(SIDES.len())
}

/// An office's records by kind, typed, each list ordered by id.
struct Records {
    by_kind: BTreeMap<String, Vec<(Uuid, serde_json::Value)>>,
}

impl Records {
    fn new(records: Vec<StoredRecord>) -> Records {
        let mut by_kind: BTreeMap<String, Vec<(Uuid, serde_json::Value)>> = BTreeMap::new();
        for r in records {
            by_kind.entry(r.kind).or_default().push((r.record_id, r.data));
        }
        for list in by_kind.values_mut() {
            list.sort_by_key(|(id, _)| *id);
        }
        Records { by_kind }
    }

    /// Every record of a kind, deleted ones included, by id.
    fn every<R: Record>(&self) -> Result<Vec<R>> {
        let Some(list) = self.by_kind.get(R::KIND.code()) else { return Ok(Vec::new()) };
        list.iter().map(|(id, data)| typed::<R>(*id, data)).collect()
    }

    /// Live records of a kind, by id.
    fn live<R: Record>(&self) -> Result<Vec<R>> {
        Ok(self.every::<R>()?.into_iter().filter(|r| !r.meta().deleted).collect())
    }
}

fn typed<R: Record + DeserializeOwned>(id: Uuid, data: &serde_json::Value) -> Result<R> {
    R::deserialize(data).map_err(|e| CountyError::Corrupt(format!("{}记录{id}无法读取：{e}", R::KIND.label())))
}

/// Live children of `parent` among `all` (which is ordered by id).
fn children<R: Record>(all: &[R], parent: Uuid) -> Vec<R> {
    all.iter().filter(|r| r.parent_id() == Some(parent)).cloned().collect()
}

fn find<R: Record>(all: &[R], id: Option<Uuid>) -> Option<R> {
    let id = id?;
    all.iter().find(|r| r.meta().id == id).cloned()
}

/// The lines of an office's export, in the store's order. `office_id` is the office's own
/// record id (its bound `org_id`), which goes first among the organizations.
pub fn export_lines(office_id: Uuid, records: Vec<StoredRecord>) -> Result<Vec<ExportLine>> {
    let recs = Records::new(records);
    let mut out = Vec::new();

    let mut orgs = recs.live::<Organization>()?;
    orgs.sort_by_key(|o| (o.meta.id != office_id, o.meta.id));
    out.extend(orgs.into_iter().map(ExportLine::Organization));
    out.extend(recs.live::<Mediator>()?.into_iter().map(ExportLine::Mediator));

    let parties = recs.live::<CaseParty>()?;
    let released = recs.live::<ReleasedPerson>()?;
    let filed_persons: HashSet<Uuid> = parties.iter().filter_map(|p| p.person_id).chain(released.iter().filter_map(|r| r.person_id)).collect();
    let filed_entities: HashSet<Uuid> = parties.iter().filter_map(|p| p.entity_id).collect();
    let persons = recs.every::<Person>()?;
    let entities = recs.every::<LegalEntity>()?;
    for p in persons.iter().filter(|p| !p.meta.deleted && !filed_persons.contains(&p.meta.id)) {
        out.push(ExportLine::Person(p.clone()));
    }
    for e in entities.iter().filter(|e| !e.meta.deleted && !filed_entities.contains(&e.meta.id)) {
        out.push(ExportLine::LegalEntity(e.clone()));
    }

    let investigations = recs.live::<InvestigationRecord>()?;
    let sessions = recs.live::<MediationSession>()?;
    let agreements = recs.live::<Agreement>()?;
    let visits = recs.live::<ReturnVisit>()?;
    for mut case in recs.live::<DisputeCase>()? {
        let id = case.meta.id;
        let mut case_parties: Vec<PartyEntry> = children(&parties, id)
            .into_iter()
            .map(|party| PartyEntry { person: find(&persons, party.person_id), entity: find(&entities, party.entity_id), party })
            .collect();
        case_parties.sort_by_key(|p| (side_rank(p.party.side.as_deref()), p.party.meta.id));
        case.party_count = case_parties.len() as i64;
        let mut case_sessions = children(&sessions, id);
        case_sessions.sort_by_key(|s| (s.seq, s.meta.id));
        let case_agreements = children(&agreements, id);
        let agreement = case_agreements.iter().find(|a| !case_agreements.iter().any(|b| b.supersedes_agreement_id == Some(a.meta.id))).cloned();
        out.push(ExportLine::DisputeCase(CaseFile {
            case,
            parties: case_parties,
            investigations: children(&investigations, id),
            sessions: case_sessions,
            agreement,
            return_visits: children(&visits, id),
        }));
    }

    let items = recs.live::<ScreeningItem>()?;
    for mut round in recs.live::<ScreeningRound>()? {
        let round_items = children(&items, round.meta.id);
        round.found_count = round_items.len() as i64;
        out.push(ExportLine::ScreeningRound(RoundFile { round, items: round_items }));
    }

    out.extend(recs.live::<FieldVisit>()?.into_iter().map(ExportLine::FieldVisit));

    let groups = recs.live::<HelpGroup>()?;
    let help_visits = recs.live::<HelpVisit>()?;
    let assessments = recs.live::<AssessmentChange>()?;
    let handovers = recs.live::<HandoverEvent>()?;
    for r in released {
        let id = r.meta.id;
        out.push(ExportLine::ReleasedPerson(ReleasedFile {
            person: find(&persons, r.person_id),
            help_group: children(&groups, id).into_iter().last(),
            help_visits: children(&help_visits, id),
            assessment_changes: children(&assessments, id),
            handover_events: children(&handovers, id),
            released: r,
        }));
    }
    Ok(out)
}

/// Writes the lines as JSON Lines; returns how many.
pub fn write_lines(lines: &[ExportLine], out: &mut dyn Write) -> Result<usize> {
    for l in lines {
        serde_json::to_writer(&mut *out, l)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(lines.len())
}

#[cfg(test)]
mod tests {
    use super::side_rank;

    #[test]
    fn sides_in_agreement_order() {
        let mut s = [Some("乙"), None, Some("丙"), Some("甲"), Some("其他")];
        s.sort_by_key(|x| side_rank(*x));
        assert_eq!(s[..3], [Some("甲"), Some("乙"), Some("丙")]);
    }
}
