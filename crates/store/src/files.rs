//! Aggregates (a case with its whole file, a round with its items, a released person's file),
//! the case workflow, and case numbers.

use chrono::Datelike;
use fengqiao_model::workflow::{self, ChecklistItem};
use fengqiao_model::*;
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use crate::records::{children_with, get_with, ts, Mode};
use crate::{Result, Store, StoreError};

impl Store {
    /// A case with its parties (and their persons/units), records, agreement and visits.
    pub fn case_file(&self, case_id: Uuid) -> Result<CaseFile> {
        let mut case = self.require::<DisputeCase>(case_id)?;
        let mut parties = Vec::new();
        for party in children_with::<CaseParty>(&self.conn, case_id)? {
            let person = party.person_id.map(|id| get_with::<Person>(&self.conn, id)).transpose()?.flatten();
            let entity = party.entity_id.map(|id| get_with::<LegalEntity>(&self.conn, id)).transpose()?.flatten();
            parties.push(PartyEntry { party, person, entity });
        }
        parties.sort_by_key(|p| (side_rank(p.party.side.as_deref()), p.party.meta.id));
        case.party_count = parties.len() as i64;
        let mut sessions: Vec<MediationSession> = children_with(&self.conn, case_id)?;
        sessions.sort_by_key(|s| (s.seq, s.meta.id));
        let agreements: Vec<Agreement> = children_with(&self.conn, case_id)?;
        // The agreement in force: the one no other supersedes.
        let agreement = agreements.iter().find(|a| !agreements.iter().any(|b| b.supersedes_agreement_id == Some(a.meta.id))).cloned();
        Ok(CaseFile {
            case,
            parties,
            investigations: children_with(&self.conn, case_id)?,
            sessions,
            agreement,
            return_visits: children_with(&self.conn, case_id)?,
        })
    }

    /// A screening round with its items.
    pub fn round_file(&self, round_id: Uuid) -> Result<RoundFile> {
        let mut round = self.require::<ScreeningRound>(round_id)?;
        let items: Vec<ScreeningItem> = children_with(&self.conn, round_id)?;
        round.found_count = items.len() as i64;
        Ok(RoundFile { round, items })
    }

    /// A released person's file.
    pub fn released_file(&self, id: Uuid) -> Result<ReleasedFile> {
        let released = self.require::<ReleasedPerson>(id)?;
        let person = released.person_id.map(|p| get_with::<Person>(&self.conn, p)).transpose()?.flatten();
        let help_group = children_with::<HelpGroup>(&self.conn, id)?.into_iter().last();
        Ok(ReleasedFile {
            released,
            person,
            help_group,
            help_visits: children_with(&self.conn, id)?,
            assessment_changes: children_with(&self.conn, id)?,
            handover_events: children_with(&self.conn, id)?,
        })
    }

    /// Moves a case through the status machine (受理, 调解, 达成协议, 终止, 结案, 归档 …);
    /// refuses with every reason the rules give. Accepting a case allocates its number.
    pub fn transition_case(&mut self, case_id: Uuid, to: CaseStatus) -> Result<DisputeCase> {
        let file = self.case_file(case_id)?;
        let ctx = self.ctx();
        let mut file_for_check = file.clone();
        if to == CaseStatus::Accepted && file.case.case_no.is_none() {
            // A placeholder so the check passes; the real number is allocated in the write.
            file_for_check.case.case_no = Some("待分配".into());
        }
        let mut case = workflow::transition(&file_for_check, to, &ctx)?;
        let from = file.case.status;
        let assign_number = to == CaseStatus::Accepted && file.case.case_no.is_none();
        let saved = self.write(Mode::Workflow, |w| {
            if assign_number {
                let committee = case.committee_id.ok_or_else(|| StoreError::Rule("请先选择调委会".into()))?;
                let year = case.accepted_on.unwrap_or(ctx.today).year();
                case.case_no = Some(allocate_number(w, committee, year, case_id)?);
            }
            let saved = w.save(case)?.record;
            w.audit(
                "transition",
                Kind::DisputeCase,
                case_id,
                &format!("案件“{}”由“{}”变为“{}”", saved.title.as_deref().unwrap_or(""), from.label(), to.label()),
                None,
            )?;
            Ok(saved)
        })?;
        Ok(saved)
    }

    /// The 卷宗 checklist of a case (§1.2).
    pub fn archive_checklist(&self, case_id: Uuid) -> Result<Vec<ChecklistItem>> {
        Ok(workflow::archive_checklist(&self.case_file(case_id)?))
    }

    /// Voids a case number: it stays in the register marked 作废 and is never issued again.
    pub fn void_case_number(&mut self, case_no: &str, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(StoreError::Rule("作废编号须说明原因".into()));
        }
        self.write(Mode::Edit, |w| {
            let n =
                w.tx.execute("UPDATE case_number SET voided = 1, void_reason = ?2 WHERE case_no = ?1 AND voided = 0", params![case_no, reason])?;
            if n == 0 {
                return Err(StoreError::Rule(format!("编号{case_no}不存在或已作废")));
            }
            let case_id: Option<String> = w.tx.query_row("SELECT case_id FROM case_number WHERE case_no = ?1", [case_no], |r| r.get(0))?;
            let id = case_id.and_then(|c| Uuid::parse_str(&c).ok()).unwrap_or_default();
            w.audit("void_number", Kind::DisputeCase, id, &format!("作废编号{case_no}：{reason}"), None)
        })
    }

    /// The number register of a committee for a year: (seq, number, voided, reason).
    pub fn case_numbers(&self, committee_id: Uuid, year: i32) -> Result<Vec<(i64, String, bool, Option<String>)>> {
        let mut stmt =
            self.conn.prepare("SELECT seq, case_no, voided, void_reason FROM case_number WHERE committee_id = ?1 AND year = ?2 ORDER BY seq")?;
        let rows = stmt.query_map(params![committee_id.to_string(), year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Issues the next number of a committee's year. Voided numbers keep their place, so a
/// number is never issued twice.
pub(crate) fn allocate_number(w: &crate::records::Writer, committee_id: Uuid, year: i32, case_id: Uuid) -> Result<String> {
    let committee: Organization = get_with(w.tx, committee_id)?
        .filter(|o: &Organization| !o.meta.deleted)
        .ok_or(StoreError::NotFound { kind: "调委会", id: committee_id })?;
    let prefix = committee
        .number_prefix
        .clone()
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| StoreError::Rule(format!("调委会“{}”尚未设置编号代字，请在设置中填写", committee.name.as_deref().unwrap_or(""))))?;
    let last: Option<i64> = w
        .tx
        .query_row("SELECT max(seq) FROM case_number WHERE committee_id = ?1 AND year = ?2", params![committee_id.to_string(), year], |r| r.get(0))
        .optional()?
        .flatten();
    let seq = last.unwrap_or(0) + 1;
    let number = case_no::format(year, &prefix, seq);
    w.tx.execute(
        "INSERT INTO case_number (committee_id, year, seq, case_no, case_id, allocated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![committee_id.to_string(), year, seq, number, case_id.to_string(), ts(w.ctx.now)],
    )?;
    Ok(number)
}

/// Records a number that arrived with an imported case, so it is never issued again.
pub(crate) fn register_number(w: &crate::records::Writer, case: &DisputeCase) -> Result<()> {
    let (Some(no), Some(committee)) = (&case.case_no, case.committee_id) else { return Ok(()) };
    let Some((year, _, seq)) = case_no::parse(no) else { return Ok(()) };
    w.tx.execute(
        "INSERT OR IGNORE INTO case_number (committee_id, year, seq, case_no, case_id, allocated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![committee.to_string(), year, seq, no, case.meta.id.to_string(), ts(w.ctx.now)],
    )?;
    Ok(())
}

/// 甲, 乙, 丙 … in the agreement's order (their code points are not: 乙 < 甲); other labels last.
pub fn side_rank(side: Option<&str>) -> usize {
    const SIDES: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];
    side.and_then(|s| SIDES.iter().position(|x| *x == s.trim())).unwrap_or(SIDES.len())
}
