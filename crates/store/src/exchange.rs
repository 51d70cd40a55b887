//! The interchange format: JSON Lines, one aggregate per line (see `fengqiao_model::ExportLine`).
//! Export writes every live record; import is all-or-nothing and reports every bad line.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Write};
use std::path::Path;

use fengqiao_model::*;
use serde::Serialize;
use uuid::Uuid;

use crate::records::{Mode, Writer};
use crate::{files, Clock, Result, Store, StoreError};

/// One bad line of an import: where, which field, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "第{}行：{}", self.line, self.message)
        } else {
            write!(f, "第{}行 {}：{}", self.line, self.field, self.message)
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Lines read, by kind.
    pub lines: BTreeMap<String, usize>,
    /// Records written (new or changed).
    pub written: usize,
    /// Records already present with identical content.
    pub unchanged: usize,
}

impl Store {
    /// Writes every live record as JSON Lines, in a stable order: organizations, mediators,
    /// persons and units not filed under a case or a released person, cases, screening
    /// rounds, field visits, released persons.
    pub fn export(&self, out: &mut dyn Write) -> Result<usize> {
        self.require_permission(crate::Permission::Export)?;
        let mut n = 0;
        let mut line = |l: ExportLine, out: &mut dyn Write| -> Result<()> {
            serde_json::to_writer(&mut *out, &l)?;
            out.write_all(b"\n")?;
            n += 1;
            Ok(())
        };
        let mut orgs = self.all::<Organization>()?;
        // The office first: an import into an empty directory creates the store from it.
        orgs.sort_by_key(|o| (o.meta.id != self.office_id, o.meta.id));
        for o in orgs {
            line(ExportLine::Organization(o), out)?;
        }
        for m in self.all::<Mediator>()? {
            line(ExportLine::Mediator(m), out)?;
        }
        let filed_persons: HashSet<String> = self.ids_of(
            "SELECT person_id FROM case_party WHERE deleted = 0 AND person_id IS NOT NULL \
             UNION SELECT person_id FROM released_person WHERE deleted = 0 AND person_id IS NOT NULL",
        )?;
        let filed_entities = self.ids_of("SELECT entity_id FROM case_party WHERE deleted = 0 AND entity_id IS NOT NULL")?;
        for p in self.all::<Person>()? {
            if !filed_persons.contains(&p.meta.id.to_string()) {
                line(ExportLine::Person(p), out)?;
            }
        }
        for e in self.all::<LegalEntity>()? {
            if !filed_entities.contains(&e.meta.id.to_string()) {
                line(ExportLine::LegalEntity(e), out)?;
            }
        }
        for id in self.live_ids("dispute_case")? {
            line(ExportLine::DisputeCase(self.case_file(id)?), out)?;
        }
        for id in self.live_ids("screening_round")? {
            line(ExportLine::ScreeningRound(self.round_file(id)?), out)?;
        }
        for v in self.all::<FieldVisit>()? {
            line(ExportLine::FieldVisit(v), out)?;
        }
        for id in self.live_ids("released_person")? {
            line(ExportLine::ReleasedPerson(self.released_file(id)?), out)?;
        }
        out.flush()?;
        Ok(n)
    }

    fn ids_of(&self, sql: &str) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn live_ids(&self, table: &str) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare(&format!("SELECT id FROM {table} WHERE deleted = 0 ORDER BY id"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| Uuid::parse_str(&r?).map_err(|_| StoreError::Corrupt("编号无效".into()))).collect()
    }

    /// Reads JSON Lines. All or nothing: if any line is invalid nothing is written and every
    /// problem is returned (line, field, reason). Records already present unchanged are no-ops,
    /// so importing the same file twice creates nothing twice.
    pub fn import(&mut self, input: &mut dyn BufRead) -> Result<ImportReport> {
        let (lines, mut problems) = parse_lines(input)?;
        let mut report = ImportReport::default();
        for (_, l) in &lines {
            *report.lines.entry(l.kind_code().to_string()).or_default() += 1;
        }
        // Lines that parsed are validated even when others did not, so one try reports every
        // problem; any problem rolls the whole transaction back.
        let result = self.write(Mode::Import, |w| {
            for (n, line) in &lines {
                let mut sink = LineSink { w, line: *n, problems: &mut problems, written: 0, unchanged: 0 };
                sink.line(line.clone())?;
                report.written += sink.written;
                report.unchanged += sink.unchanged;
            }
            if problems.is_empty() {
                w.audit("import", Kind::Organization, w.office, &format!("导入{}行，写入{}条记录", lines.len(), report.written), None)?;
                Ok(())
            } else {
                let mut all = std::mem::take(&mut problems);
                all.sort_by_key(|p| p.line);
                Err(StoreError::Import(all))
            }
        });
        result.map(|_| report)
    }

    /// Creates a store in an empty `data_dir` for the office named by the file's first line
    /// (an `organization` of type 司法所), so that export → import → export is identical.
    pub fn init_for_import(data_dir: &Path, first_line: &str, clock: Clock) -> Result<Store> {
        let office = match parse_line(first_line) {
            Ok(ExportLine::Organization(o)) if o.org_type == Some(OrgType::JudicialOffice) && !o.meta.id.is_nil() => o,
            _ => {
                return Err(StoreError::Import(vec![ImportProblem {
                    line: 1,
                    field: String::new(),
                    message: "数据目录中还没有数据库，导入文件的第一行须是本司法所（organization，org_type为judicial_office）".into(),
                }]))
            }
        };
        let mut store =
            Store::init_with_clock(data_dir, office.name.as_deref().unwrap_or("司法所"), office.division_code.as_deref().unwrap_or("000000"), clock)?;
        // Adopt the file's office: its id, and its record exactly as exported.
        let placeholder = store.office_id;
        store.write(Mode::Import, |w| {
            w.tx.execute("UPDATE settings SET value = ?1 WHERE key = 'office_id'", [office.meta.id.to_string()])?;
            for table in ["organization", "change_log"] {
                w.tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
            crate::audit::restart_new_store(w.tx)?;
            let _ = placeholder;
            Ok(())
        })?;
        store.office_id = office.meta.id;
        store.write(Mode::Import, |w| w.save(office).map(|_| ()))?;
        Ok(store)
    }
}

fn parse_lines(input: &mut dyn BufRead) -> Result<(Vec<(usize, ExportLine)>, Vec<ImportProblem>)> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        // Lines longer than this are refused without being held in memory whole.
        const MAX_LINE: u64 = 32 * 1024 * 1024;
        let read = std::io::Read::take(&mut *input, MAX_LINE).read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        n += 1;
        if read as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            problems.push(ImportProblem { line: n, field: String::new(), message: "该行超过32 MB，不能导入".into() });
            break;
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            problems.push(ImportProblem { line: n, field: String::new(), message: "不是UTF-8编码的文本".into() });
            continue;
        };
        let text = text.trim_start_matches('\u{FEFF}').trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(text) {
            Ok(l) => lines.push((n, l)),
            Err(issue) => problems.push(ImportProblem { line: n, field: issue.field, message: issue.message }),
        }
    }
    Ok((lines, problems))
}

/// Writes one line's records, collecting problems with their field paths.
struct LineSink<'w, 'a> {
    w: &'w Writer<'a>,
    line: usize,
    problems: &'w mut Vec<ImportProblem>,
    written: usize,
    unchanged: usize,
}

impl LineSink<'_, '_> {
    fn save<R: Record>(&mut self, path: &str, rec: R) -> Result<Option<R>> {
        let before: Option<R> = crate::records::get_with(self.w.tx, rec.meta().id)?;
        match self.w.save(rec) {
            Ok(saved) => {
                let same = before.is_some_and(|b| serde_json::to_value(&b).ok() == serde_json::to_value(&saved.record).ok());
                if same {
                    self.unchanged += 1
                } else {
                    self.written += 1
                }
                Ok(Some(saved.record))
            }
            Err(StoreError::Invalid(inv)) => {
                for e in inv.errors {
                    let field = if path.is_empty() { e.field } else { format!("{path}.{}", e.field) };
                    self.problems.push(ImportProblem { line: self.line, field, message: format!("{}：{}", e.label, e.message) });
                }
                Ok(None)
            }
            Err(e @ (StoreError::Rule(_) | StoreError::Refused(_) | StoreError::Conflict { .. } | StoreError::NotFound { .. })) => {
                self.problems.push(ImportProblem { line: self.line, field: path.to_string(), message: e.to_string() });
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// A child must belong to its enclosing record; an empty parent id is filled in.
    fn parent(&mut self, path: &str, field: &str, slot: &mut Option<Uuid>, parent: Uuid) -> bool {
        match slot {
            None => {
                *slot = Some(parent);
                true
            }
            Some(p) if *p == parent => true,
            Some(_) => {
                self.problems
                    .push(ImportProblem { line: self.line, field: format!("{path}.{field}"), message: "与所在记录的编号不一致".into() });
                false
            }
        }
    }

    fn line(&mut self, line: ExportLine) -> Result<()> {
        match line {
            ExportLine::Organization(o) => drop(self.save("", o)?),
            ExportLine::Mediator(m) => drop(self.save("", m)?),
            ExportLine::Person(p) => drop(self.save("", p)?),
            ExportLine::LegalEntity(e) => drop(self.save("", e)?),
            ExportLine::FieldVisit(v) => drop(self.save("", v)?),
            ExportLine::DisputeCase(file) => self.case(file)?,
            ExportLine::ScreeningRound(file) => {
                let RoundFile { mut round, items } = file;
                round.found_count = 0;
                let Some(round) = self.save("", round)? else { return Ok(()) };
                for (n, mut item) in items.into_iter().enumerate() {
                    let path = format!("items[{n}]");
                    if self.parent(&path, "round_id", &mut item.round_id, round.meta.id) {
                        self.save(&path, item)?;
                    }
                }
            }
            ExportLine::ReleasedPerson(file) => {
                let ReleasedFile { mut released, person, help_group, help_visits, assessment_changes, handover_events } = file;
                if let Some(p) = person {
                    if released.person_id.is_none() {
                        released.person_id = Some(p.meta.id);
                    }
                    self.save("person", p)?;
                }
                let Some(r) = self.save("", released)? else { return Ok(()) };
                let id = r.meta.id;
                if let Some(mut g) = help_group {
                    if self.parent("help_group", "released_person_id", &mut g.released_person_id, id) {
                        self.save("help_group", g)?;
                    }
                }
                for (n, mut v) in help_visits.into_iter().enumerate() {
                    let path = format!("help_visits[{n}]");
                    if self.parent(&path, "released_person_id", &mut v.released_person_id, id) {
                        self.save(&path, v)?;
                    }
                }
                for (n, mut c) in assessment_changes.into_iter().enumerate() {
                    let path = format!("assessment_changes[{n}]");
                    if self.parent(&path, "released_person_id", &mut c.released_person_id, id) {
                        self.save(&path, c)?;
                    }
                }
                for (n, mut e) in handover_events.into_iter().enumerate() {
                    let path = format!("handover_events[{n}]");
                    if self.parent(&path, "released_person_id", &mut e.released_person_id, id) {
                        self.save(&path, e)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn case(&mut self, file: CaseFile) -> Result<()> {
        let CaseFile { mut case, parties, investigations, sessions, agreement, return_visits } = file;
        case.party_count = 0;
        // The persons and units first: the parties refer to them.
        let mut party_records = Vec::new();
        for (n, entry) in parties.into_iter().enumerate() {
            let PartyEntry { mut party, person, entity } = entry;
            let path = format!("parties[{n}]");
            if let Some(p) = person {
                party.person_id.get_or_insert(p.meta.id);
                self.save(&format!("{path}.person"), p)?;
            }
            if let Some(e) = entity {
                party.entity_id.get_or_insert(e.meta.id);
                self.save(&format!("{path}.entity"), e)?;
            }
            party_records.push((path, party));
        }
        let Some(case) = self.save("", case)? else { return Ok(()) };
        files::register_number(self.w, &case)?;
        let id = case.meta.id;
        for (path, mut party) in party_records {
            if self.parent(&path, "case_id", &mut party.case_id, id) {
                self.save(&path, party)?;
            }
        }
        for (n, mut r) in investigations.into_iter().enumerate() {
            let path = format!("investigations[{n}]");
            if self.parent(&path, "case_id", &mut r.case_id, id) {
                self.save(&path, r)?;
            }
        }
        for (n, mut s) in sessions.into_iter().enumerate() {
            let path = format!("sessions[{n}]");
            if self.parent(&path, "case_id", &mut s.case_id, id) {
                self.save(&path, s)?;
            }
        }
        if let Some(mut a) = agreement {
            if self.parent("agreement", "case_id", &mut a.case_id, id) {
                self.save("agreement", a)?;
            }
        }
        for (n, mut v) in return_visits.into_iter().enumerate() {
            let path = format!("return_visits[{n}]");
            if self.parent(&path, "case_id", &mut v.case_id, id) {
                self.save(&path, v)?;
            }
        }
        Ok(())
    }
}
