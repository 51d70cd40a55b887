//! The one write path: validate, check the rules across records, write the row, its
//! change-log entry and its audit entry, and refresh the search index — in one transaction.

use std::cell::RefCell;
use std::collections::BTreeSet;

use chrono::{DateTime, SecondsFormat, Utc};
use fengqiao_model::{Ctx, FieldIssue, Issues, Kind, Record};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{hlc, rules, search, Result, Store, StoreError};

/// A saved record as stored (ids, version and derived values filled), with the warnings that
/// did not stop the save (e.g. an unknown area code in an ID number).
#[derive(Debug, Clone, Serialize)]
pub struct Saved<R> {
    pub record: R,
    pub warnings: Vec<FieldIssue>,
}

/// One entry of the change log: what sync pushes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEntry {
    pub seq: i64,
    pub change_id: Uuid,
    pub kind: String,
    pub record_id: Uuid,
    pub op: String,
    pub version: i64,
    pub data: Value,
    pub changed_fields: Vec<String>,
    pub hlc: String,
    pub device_id: Uuid,
    pub created_at: String,
    pub acked_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A clerk's edit: the store assigns ids, versions and times; workflow rules apply.
    Edit,
    /// A workflow step (受理, 结案 …) that may change a case's status.
    Workflow,
    /// Records arriving whole (import): their ids, times and versions are kept.
    Import,
}

/// Writes within one transaction on behalf of one actor.
pub(crate) struct Writer<'a> {
    pub tx: &'a Transaction<'a>,
    pub ctx: Ctx,
    pub actor: &'a str,
    pub device: Uuid,
    pub office: Uuid,
    pub mode: Mode,
    /// Search roots to re-index before commit.
    dirty: RefCell<BTreeSet<(Kind, Uuid)>>,
    /// The audit chain's end for this transaction; its head is written by `finish`.
    audit_tail: RefCell<crate::audit::Tail>,
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// What a stored row holds besides the record.
struct Existing {
    data: Value,
    version: i64,
}

impl<'a> Writer<'a> {
    fn existing(&self, kind: Kind, id: Uuid) -> Result<Option<Existing>> {
        let sql = format!("SELECT data, version FROM {} WHERE id = ?1", kind.code());
        let row = self.tx.prepare_cached(&sql)?.query_row([id.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).optional()?;
        row.map(|(data, version)| Ok(Existing { data: serde_json::from_str(&data)?, version })).transpose()
    }

    pub fn save<R: Record>(&self, mut rec: R) -> Result<Saved<R>> {
        let now = self.ctx.now;
        rec.normalize(&self.ctx);
        let existing = match rec.meta().id.is_nil() {
            true => None,
            false => self.existing(R::KIND, rec.meta().id)?,
        };
        let old: Option<R> = existing.as_ref().map(|e| serde_json::from_value(e.data.clone())).transpose()?;
        {
            let m = rec.meta_mut();
            match (self.mode, &existing) {
                (Mode::Import, _) => {
                    if m.id.is_nil() {
                        m.id = fengqiao_model::new_id();
                    }
                    if m.org_id.is_nil() {
                        m.org_id = self.office;
                    }
                    if m.created_by.is_empty() {
                        m.created_by = self.actor.to_string();
                    }
                    if m.version < 1 {
                        m.version = 1;
                    }
                    if m.created_at == DateTime::<Utc>::default() {
                        m.created_at = now;
                        m.updated_at = now;
                    }
                }
                (_, None) => {
                    if m.id.is_nil() {
                        m.id = fengqiao_model::new_id();
                    }
                    m.org_id = self.office;
                    m.created_at = now;
                    m.updated_at = now;
                    m.created_by = self.actor.to_string();
                    m.version = 1;
                }
                (_, Some(e)) => {
                    if m.version != e.version {
                        return Err(StoreError::Conflict { kind: R::KIND.label(), current: e.version, yours: m.version });
                    }
                    let prev = old.as_ref().expect("existing row parsed").meta();
                    m.org_id = prev.org_id;
                    m.created_at = prev.created_at;
                    m.created_by = prev.created_by.clone();
                    m.updated_at = now;
                    m.version = e.version + 1;
                }
            }
        }
        let mut issues = Issues::new();
        rec.validate(&self.ctx, &mut issues);
        rules::check(self, &rec, old.as_ref(), &mut issues)?;
        let warnings = issues.into_result()?;
        let data = serde_json::to_value(&rec)?;
        if let (Mode::Import, Some(e)) = (self.mode, &existing) {
            if e.data == data {
                return Ok(Saved { record: rec, warnings }); // the same record again: no effect
            }
        }
        self.write_row(R::KIND, &rec, &data)?;
        let changed = changed_fields(existing.as_ref().map(|e| &e.data), &data);
        let stamp = self.log_change(R::KIND, rec.meta().id, "upsert", rec.meta().version, &data, &changed)?;
        crate::sync::touch(self.tx, R::KIND, rec.meta().id, &changed, &stamp)?;
        let verb = if existing.is_none() { "新建" } else { "修改" };
        let detail = (!changed.is_empty() && existing.is_some()).then(|| Value::from(changed.clone()));
        self.audit(
            if existing.is_none() { "create" } else { "update" },
            R::KIND,
            rec.meta().id,
            &format!("{verb}{}“{}”", R::KIND.label(), display_name(&data)),
            detail,
        )?;
        search::mark_dirty(self, R::KIND, &rec)?;
        Ok(Saved { record: rec, warnings })
    }

    pub(crate) fn write_row<R: Record>(&self, kind: Kind, rec: &R, data: &Value) -> Result<()> {
        let m = rec.meta();
        let sql = format!(
            "INSERT INTO {} (id, org_id, parent_id, data, version, deleted, created_at, updated_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT(id) DO UPDATE SET org_id = excluded.org_id, parent_id = excluded.parent_id, data = excluded.data, \
             version = excluded.version, deleted = excluded.deleted, updated_at = excluded.updated_at",
            kind.code()
        );
        self.tx.prepare_cached(&sql)?.execute(params![
            m.id.to_string(),
            m.org_id.to_string(),
            rec.parent_id().map(|p| p.to_string()),
            data.to_string(),
            m.version,
            m.deleted,
            ts(m.created_at),
            ts(m.updated_at),
            m.created_by
        ])?;
        Ok(())
    }

    /// Soft-deletes a record: it stays as a tombstone (sync needs it), hidden from lists.
    pub fn delete<R: Record>(&self, id: Uuid) -> Result<R> {
        let existing = self.existing(R::KIND, id)?.ok_or(StoreError::NotFound { kind: R::KIND.label(), id })?;
        let mut rec: R = serde_json::from_value(existing.data)?;
        if rec.meta().deleted {
            return Ok(rec);
        }
        rules::check_delete(self, &rec)?;
        let m = rec.meta_mut();
        m.deleted = true;
        m.version += 1;
        m.updated_at = self.ctx.now;
        let data = serde_json::to_value(&rec)?;
        self.write_row(R::KIND, &rec, &data)?;
        let stamp = self.log_change(R::KIND, id, "delete", rec.meta().version, &data, &["deleted".to_string()])?;
        crate::sync::touch(self.tx, R::KIND, id, &["deleted".to_string()], &stamp)?;
        self.audit("delete", R::KIND, id, &format!("删除{}“{}”", R::KIND.label(), display_name(&data)), None)?;
        search::mark_dirty(self, R::KIND, &rec)?;
        Ok(rec)
    }

    /// Appends to the change log; returns the change's HLC stamp.
    pub fn log_change(&self, kind: Kind, id: Uuid, op: &str, version: i64, data: &Value, changed: &[String]) -> Result<String> {
        let stamp = hlc::next(self.tx, self.ctx.now.timestamp_millis(), self.device)?;
        self.tx
            .prepare_cached(
                "INSERT INTO change_log (change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                fengqiao_model::new_id().to_string(),
                kind.code(),
                id.to_string(),
                op,
                version,
                data.to_string(),
                serde_json::to_string(changed)?,
                stamp,
                self.device.to_string(),
                ts(self.ctx.now)
            ])?;
        Ok(stamp)
    }

    pub fn audit(&self, action: &str, kind: Kind, id: Uuid, summary: &str, detail: Option<Value>) -> Result<()> {
        self.audit_plain(action, Some(kind), Some(id), summary, detail.map(|d| d.to_string()).as_deref())
    }

    /// An audit entry that may concern no record. Goes through the transaction's
    /// `audit::Tail`, the one way entries are written (chained to the one before; the head in
    /// `settings` is written once, by `finish`).
    pub fn audit_plain(&self, action: &str, kind: Option<Kind>, id: Option<Uuid>, summary: &str, detail: Option<&str>) -> Result<()> {
        let (at, device, record) = (ts(self.ctx.now), self.device.to_string(), id.map(|i| i.to_string()));
        self.audit_tail.borrow_mut().append(
            self.tx,
            &crate::audit::NewEntry {
                at: &at,
                actor: self.actor,
                device_id: &device,
                action,
                kind: kind.map(|k| k.code()),
                record_id: record.as_deref(),
                summary,
                detail,
            },
        )
    }

    pub fn mark(&self, kind: Kind, id: Uuid) {
        self.dirty.borrow_mut().insert((kind, id));
    }

    /// Re-indexes what this transaction touched and writes the audit chain's head; call
    /// before commit (`Store::write` does: the only place a writer's transaction commits).
    pub fn finish(self) -> Result<()> {
        for (kind, id) in self.dirty.borrow().iter() {
            search::reindex(self.tx, *kind, *id)?;
        }
        self.audit_tail.into_inner().flush(self.tx)
    }
}

/// Top-level keys whose values differ (bookkeeping keys excluded).
fn changed_fields(old: Option<&Value>, new: &Value) -> Vec<String> {
    const BOOKKEEPING: [&str; 3] = ["updated_at", "version", "created_at"];
    let (Some(Value::Object(old)), Value::Object(new)) = (old, new) else {
        return new.as_object().map(|o| o.keys().filter(|k| !BOOKKEEPING.contains(&k.as_str())).cloned().collect()).unwrap_or_default();
    };
    new.iter().filter(|(k, v)| !BOOKKEEPING.contains(&k.as_str()) && old.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

/// A short name for messages and the audit log.
pub(crate) fn display_name(data: &Value) -> String {
    for key in ["title", "name", "case_no", "unit_name", "agreement_no", "crime_name", "subject", "place"] {
        if let Some(s) = data.get(key).and_then(Value::as_str) {
            if !s.is_empty() {
                return s.chars().take(40).collect();
            }
        }
    }
    data.get("id").and_then(Value::as_str).unwrap_or("").to_string()
}

impl Store {
    /// Creates or updates a record (a new record has a nil id). Returns it as stored.
    pub fn save<R: Record>(&mut self, rec: R) -> Result<Saved<R>> {
        self.write(Mode::Edit, |w| w.save(rec))
    }

    /// Soft-deletes a record.
    pub fn delete<R: Record>(&mut self, id: Uuid) -> Result<R> {
        self.write(Mode::Edit, |w| w.delete::<R>(id))
    }

    /// Runs `f` in one IMMEDIATE transaction with a writer; commits only if it succeeds.
    /// Every edit of the office's records comes through here, so this is where a signed-in
    /// account without the right to edit (只读) is refused.
    pub(crate) fn write<T>(&mut self, mode: Mode, f: impl FnOnce(&Writer) -> Result<T>) -> Result<T> {
        self.require_permission(crate::accounts::Permission::EditRecords)?;
        self.write_unchecked(mode, f)
    }

    /// `write` without the role check: for what arrives by sync (other PCs' changes, the
    /// county's settings) and the store's own bookkeeping (sign-ins, accounts), which the
    /// signed-in account's role does not govern.
    pub(crate) fn write_unchecked<T>(&mut self, mode: Mode, f: impl FnOnce(&Writer) -> Result<T>) -> Result<T> {
        // The writer borrows the store's fields other than the connection.
        let store_view = StoreView { ctx: self.ctx(), actor: self.actor.clone(), device: self.device_id, office: self.office_id };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let writer = store_view.writer(&tx, mode);
        let out = f(&writer)?;
        writer.finish()?;
        tx.commit()?;
        Ok(out)
    }

    /// Reads one record by id (deleted ones included: check `meta.deleted`).
    pub fn get<R: Record>(&self, id: Uuid) -> Result<Option<R>> {
        get_with(&self.conn, id)
    }

    /// Reads one record or says it is missing.
    pub fn require<R: Record>(&self, id: Uuid) -> Result<R> {
        self.get::<R>(id)?.filter(|r| !r.meta().deleted).ok_or(StoreError::NotFound { kind: R::KIND.label(), id })
    }

    /// Live records of a kind whose parent is `parent_id`, oldest first.
    pub fn children<R: Record>(&self, parent_id: Uuid) -> Result<Vec<R>> {
        children_with(&self.conn, parent_id)
    }

    /// Every live record of a kind, oldest first.
    pub fn all<R: Record>(&self) -> Result<Vec<R>> {
        let sql = format!("SELECT data FROM {} WHERE deleted = 0 ORDER BY id", R::KIND.code());
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }

    /// Change-log entries not yet acknowledged by the county, oldest first.
    pub fn pending_changes(&self, limit: usize) -> Result<Vec<ChangeEntry>> {
        self.pending_changes_after(0, limit)
    }

    /// The first `limit` pending changes after change-log position `after_seq` (the sync agent
    /// reads the next batch while the one before is still travelling).
    pub fn pending_changes_after(&self, after_seq: i64, limit: usize) -> Result<Vec<ChangeEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at, acked_at \
             FROM change_log WHERE acked_at IS NULL AND set_aside_reason IS NULL AND seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map([after_seq, limit as i64], change_from_row)?;
        rows.map(|r| Ok(r??)).collect()
    }

    /// The whole change log of one record, oldest first (its history).
    pub fn history(&self, kind: Kind, id: Uuid) -> Result<Vec<ChangeEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at, acked_at \
             FROM change_log WHERE kind = ?1 AND record_id = ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map([kind.code(), &id.to_string()], change_from_row)?;
        rows.map(|r| Ok(r??)).collect()
    }

    /// Number of change-log entries and of audit entries (for tests and the status line).
    pub fn log_counts(&self) -> Result<(i64, i64)> {
        let c = self.conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?;
        let a = self.conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        Ok((c, a))
    }
}

pub(crate) fn change_from_row(r: &rusqlite::Row) -> rusqlite::Result<Result<ChangeEntry>> {
    let parse_id = |s: String| Uuid::parse_str(&s).map_err(|_| StoreError::Corrupt("变更日志中的编号无效".into()));
    let change_id: String = r.get(1)?;
    let record_id: String = r.get(3)?;
    let data: String = r.get(6)?;
    let changed: String = r.get(7)?;
    let device: String = r.get(9)?;
    let (seq, kind, op, version, hlc, created_at, acked_at) = (r.get(0)?, r.get(2)?, r.get(4)?, r.get(5)?, r.get(8)?, r.get(10)?, r.get(11)?);
    Ok((|| {
        Ok(ChangeEntry {
            seq,
            change_id: parse_id(change_id)?,
            kind,
            record_id: parse_id(record_id)?,
            op,
            version,
            data: serde_json::from_str(&data)?,
            changed_fields: serde_json::from_str(&changed)?,
            hlc,
            device_id: parse_id(device)?,
            created_at,
            acked_at,
        })
    })())
}

/// The parts of a store a writer needs, so the connection can be borrowed mutably meanwhile.
struct StoreView {
    ctx: Ctx,
    actor: String,
    device: Uuid,
    office: Uuid,
}

impl StoreView {
    fn writer<'a>(&'a self, tx: &'a Transaction<'a>, mode: Mode) -> Writer<'a> {
        Writer {
            tx,
            ctx: self.ctx.clone(),
            actor: &self.actor,
            device: self.device,
            office: self.office,
            mode,
            dirty: RefCell::new(BTreeSet::new()),
            audit_tail: RefCell::default(),
        }
    }
}

pub(crate) fn get_with<R: Record>(conn: &rusqlite::Connection, id: Uuid) -> Result<Option<R>> {
    let sql = format!("SELECT data FROM {} WHERE id = ?1", R::KIND.code());
    let data: Option<String> = conn.query_row(&sql, [id.to_string()], |r| r.get(0)).optional()?;
    data.map(|d| Ok(serde_json::from_str(&d)?)).transpose()
}

pub(crate) fn children_with<R: Record>(conn: &rusqlite::Connection, parent_id: Uuid) -> Result<Vec<R>> {
    let sql = format!("SELECT data FROM {} WHERE parent_id = ?1 AND deleted = 0 ORDER BY id", R::KIND.code());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([parent_id.to_string()], |r| r.get::<_, String>(0))?;
    rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
}

/// Many records written in one transaction, arriving whole (ids, times, versions and statuses
/// kept): demo data, migrations from other systems, tests. Still validated, still logged.
pub struct Batch<'w, 'a> {
    writer: &'w Writer<'a>,
}

impl Batch<'_, '_> {
    pub fn save<R: Record>(&self, rec: R) -> Result<Saved<R>> {
        self.writer.save(rec)
    }
    /// Enters a case's number in the register so it is never issued again.
    pub fn register_case_number(&self, case: &fengqiao_model::DisputeCase) -> Result<()> {
        crate::files::register_number(self.writer, case)
    }
}

impl Store {
    /// Runs `f` with a [`Batch`]; commits everything or nothing.
    pub fn batch<T>(&mut self, f: impl FnOnce(&Batch) -> Result<T>) -> Result<T> {
        self.write(Mode::Import, |w| f(&Batch { writer: w }))
    }
}
