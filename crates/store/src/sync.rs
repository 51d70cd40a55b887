//! The office side of sync: per-field clocks kept with every local change, remote changes
//! merged field by field (`fengqiao_model::merge`, the same rule the county uses), the
//! change log acknowledged only after the county's reply, changes the county refuses set
//! aside with the reason, and the agent's settings. No network here.

use chrono::Utc;
use fengqiao_model::merge::{merge, ChangeView, FieldClocks};
use fengqiao_model::*;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::records::{ts, Mode, Writer};
use crate::{hlc, search, ChangeEntry, Result, Store, StoreError};

/// Schema step: the clocks, where a change came from, and a quick look-up of set-aside ones.
pub const SCHEMA: &str = concat!(
    "CREATE TABLE field_clock (kind TEXT NOT NULL, record_id TEXT NOT NULL, clocks TEXT NOT NULL, ",
    "PRIMARY KEY (kind, record_id)) STRICT, WITHOUT ROWID;\n",
    "ALTER TABLE change_log ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';\n",
    "CREATE INDEX change_log_set_aside ON change_log(seq) WHERE set_aside_reason IS NOT NULL;\n",
);

/// Backfills the clocks of records written before clocks existed, from their change log.
pub fn backfill_clocks(tx: &Transaction) -> Result<()> {
    let mut stmt = tx.prepare("SELECT kind, record_id, op, changed_fields, hlc FROM change_log ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
    })?;
    let mut all: std::collections::BTreeMap<(String, String), FieldClocks> = Default::default();
    for row in rows {
        let (kind, id, op, fields, stamp) = row?;
        let fields: Vec<String> = if op == "delete" { vec!["deleted".into()] } else { serde_json::from_str(&fields)? };
        all.entry((kind, id)).or_default().touch(&fields, &stamp);
    }
    for ((kind, id), clocks) in all {
        tx.execute(
            "INSERT OR REPLACE INTO field_clock (kind, record_id, clocks) VALUES (?1, ?2, ?3)",
            params![kind, id, serde_json::to_string(&clocks)?],
        )?;
    }
    Ok(())
}

/// Schema step: the clocks rewritten in the layout grouped by stamp (`FieldClocks`' own), which
/// is about a fifth of the size. Both layouts read, so the step only saves space; it also
/// makes a program from before refuse the store as newer rather than fail on the clocks.
pub fn compact_clocks(tx: &Transaction) -> Result<()> {
    let rows: Vec<(String, String, String)> = {
        let mut stmt = tx.prepare("SELECT kind, record_id, clocks FROM field_clock")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut update = tx.prepare("UPDATE field_clock SET clocks = ?3 WHERE kind = ?1 AND record_id = ?2")?;
    for (kind, id, text) in rows {
        let clocks: FieldClocks = serde_json::from_str(&text)?;
        update.execute(params![kind, id, serde_json::to_string(&clocks)?])?;
    }
    Ok(())
}

fn load_clocks(tx: &Transaction, kind: &str, id: &str) -> Result<FieldClocks> {
    let text: Option<String> =
        tx.prepare_cached("SELECT clocks FROM field_clock WHERE kind = ?1 AND record_id = ?2")?.query_row([kind, id], |r| r.get(0)).optional()?;
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?.unwrap_or_default())
}

fn save_clocks(tx: &Transaction, kind: &str, id: &str, clocks: &FieldClocks) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO field_clock (kind, record_id, clocks) VALUES (?1, ?2, ?3)")?.execute(params![
        kind,
        id,
        serde_json::to_string(clocks)?
    ])?;
    Ok(())
}

/// Called for every local change: the changed fields now carry this change's stamp.
pub(crate) fn touch(tx: &Transaction, kind: Kind, id: Uuid, fields: &[String], stamp: &str) -> Result<()> {
    let (kind, id) = (kind.code(), id.to_string());
    let mut clocks = load_clocks(tx, kind, &id)?;
    clocks.touch(fields, stamp);
    save_clocks(tx, kind, &id, &clocks)
}

/// What applying a batch of remote changes did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub applied: usize,
    /// Already applied before (same change id): no effect.
    pub duplicates: usize,
    /// Changes that could not be applied, with the reason (kept out of the store).
    pub refused: Vec<(Uuid, String)>,
}

/// What the sync indicator shows.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub enrolled: bool,
    /// Local changes not yet acknowledged by the county.
    pub pending: i64,
    /// Changes the county refused for good, waiting for the clerk.
    pub set_aside: i64,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    pub cursor: i64,
}

/// Settings keys the agent keeps in the store.
pub mod keys {
    pub const SERVER: &str = "sync_server";
    pub const TOKEN: &str = "sync_device_token";
    pub const CURSOR: &str = "sync_cursor";
    pub const LAST_SYNC_AT: &str = "sync_last_at";
    pub const LAST_ERROR: &str = "sync_last_error";
}

impl Store {
    /// Creates the store of a PC joining an office already enrolled with the county (a new PC,
    /// or one reinstalled), in an empty `data_dir`: its device id is the one the county
    /// enrolled, its office id the county's. The office record is not made here — the
    /// office's own record arrives with the first pull, so nothing local can outrank it and
    /// nothing is pushed back; until then `office()` says it is missing.
    pub fn init_for_enrollment(data_dir: &std::path::Path, device_id: Uuid, office_id: Uuid, clock: crate::Clock) -> Result<Store> {
        let mut store = Store::init_with_clock(data_dir, "司法所", "000000", clock)?;
        let done = (|| -> Result<()> {
            let tx = store.conn.transaction()?;
            tx.execute("UPDATE settings SET value = ?1 WHERE key = 'device_id'", [device_id.to_string()])?;
            tx.execute("UPDATE settings SET value = ?1 WHERE key = 'office_id'", [office_id.to_string()])?;
            for sql in
                ["DELETE FROM organization", "DELETE FROM change_log", "DELETE FROM field_clock", "DELETE FROM settings WHERE key = 'hlc_last'"]
            {
                tx.execute(sql, [])?;
            }
            crate::audit::restart_new_store(&tx)?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = done {
            drop(store);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", data_dir.join(crate::DB_FILE).display()));
            }
            return Err(e);
        }
        store.device_id = device_id;
        store.office_id = office_id;
        Ok(store)
    }

    /// Merges changes pulled from the county (other PCs of the office, county notices) in one
    /// transaction. Idempotent: a change already here has no effect. The merged record is the
    /// same whatever order changes arrive in; what lost stays in the change log (history).
    pub fn apply_remote(&mut self, changes: &[ChangeEntry]) -> Result<ApplyReport> {
        self.apply_pulled(changes, None)
    }

    /// `apply_remote`, and the pull's cursor moved past them in the same transaction, so the
    /// two cannot part.
    ///
    /// Written without waiting for the disk (`synchronous=NORMAL`): what a pull brings is held
    /// by the county, so a power cut that loses the last pages loses their cursor with them,
    /// and they are pulled again. The WAL keeps the file whole either way, and the next local
    /// save (`FULL`) makes everything before it durable too.
    pub fn apply_pulled(&mut self, changes: &[ChangeEntry], cursor: Option<i64>) -> Result<ApplyReport> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let applied = self.apply_in_transaction(changes, cursor);
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        applied
    }

    /// Makes this store a read-only copy that merges what it pulls without keeping the pulled
    /// changes in its change log: the county's statistics mirrors, for which that log was a
    /// third of the file and most of the merge's writes. The records merge exactly as before —
    /// a change pulled twice merges twice, which its clocks make a no-op — but the copy has no
    /// history of pulled changes, and `ApplyReport::duplicates` stays 0.
    pub fn without_pulled_history(&mut self) {
        self.keep_pulled = false;
    }

    fn apply_in_transaction(&mut self, changes: &[ChangeEntry], cursor: Option<i64>) -> Result<ApplyReport> {
        let mut report = ApplyReport::default();
        let keep = self.keep_pulled;
        self.write_unchecked(Mode::Import, |w| {
            // The newest remote stamp is remembered once for the batch (local changes made
            // after it sort after it), not once a change.
            let mut newest: Option<&str> = None;
            let mut applied: Vec<&ChangeEntry> = Vec::new();
            for c in changes {
                if keep {
                    let seen: Option<i64> =
                        w.tx.prepare_cached("SELECT seq FROM change_log WHERE change_id = ?1")?
                            .query_row([c.change_id.to_string()], |r| r.get(0))
                            .optional()?;
                    if seen.is_some() {
                        report.duplicates += 1;
                        continue;
                    }
                }
                match apply_one(w, c, keep) {
                    Ok(()) => {
                        report.applied += 1;
                        applied.push(c);
                        if newest.is_none_or(|n| hlc::parse(&c.hlc) > hlc::parse(n)) {
                            newest = Some(&c.hlc);
                        }
                    }
                    Err(StoreError::Rule(reason)) => report.refused.push((c.change_id, reason)),
                    Err(e) => return Err(e),
                }
            }
            if let Some(stamp) = newest {
                hlc::observe(w.tx, stamp)?;
            }
            // A copy without pulled history is nobody's working store: nothing to audit.
            if keep && !applied.is_empty() {
                audit_batch(w, &applied)?;
            }
            if let Some(cursor) = cursor {
                w.tx.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    params![keys::CURSOR, cursor.to_string()],
                )?;
            }
            Ok(())
        })?;
        Ok(report)
    }

    /// Marks local changes as received by the county.
    pub fn acknowledge(&mut self, change_ids: &[Uuid]) -> Result<usize> {
        let now = ts(self.now());
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached("UPDATE change_log SET acked_at = ?2 WHERE change_id = ?1 AND acked_at IS NULL")?;
            for id in change_ids {
                n += stmt.execute(params![id.to_string(), now])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Sets a change the county refused for good aside with its reason: it no longer blocks
    /// the others and is shown to the clerk.
    pub fn set_aside(&mut self, change_id: Uuid, reason: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE change_log SET set_aside_reason = ?2 WHERE change_id = ?1",
            params![change_id.to_string(), if reason.is_empty() { "县级服务器拒收" } else { reason }],
        )?;
        Ok(())
    }

    /// Changes set aside, with their reasons, oldest first.
    pub fn set_aside_changes(&self) -> Result<Vec<(ChangeEntry, String)>> {
        let mut stmt = self.conn.prepare("SELECT change_id, set_aside_reason FROM change_log WHERE set_aside_reason IS NOT NULL ORDER BY seq")?;
        let rows: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (id, reason) in rows {
            let id = Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt("变更编号无效".into()))?;
            if let Some(entry) = self.change(id)? {
                out.push((entry, reason));
            }
        }
        Ok(out)
    }

    /// One change-log entry by its id.
    pub fn change(&self, change_id: Uuid) -> Result<Option<ChangeEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at, acked_at \
             FROM change_log WHERE change_id = ?1",
        )?;
        let mut rows = stmt.query_map([change_id.to_string()], crate::records::change_from_row)?;
        rows.next().transpose()?.transpose()
    }

    pub fn sync_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_sync_setting(&mut self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => self
                .conn
                .execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, v])?,
            None => self.conn.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// Records the end of a sync round: its time and error (none when it finished).
    pub fn record_sync_result(&mut self, error: Option<&str>) -> Result<()> {
        if error.is_none() {
            let now = ts(self.now());
            self.set_sync_setting(keys::LAST_SYNC_AT, Some(&now))?;
        }
        self.set_sync_setting(keys::LAST_ERROR, error)
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(SyncStatus {
            server: self.sync_setting(keys::SERVER)?,
            enrolled: self.sync_setting(keys::TOKEN)?.is_some(),
            // Unacknowledged minus set-aside: each count reads only its partial index, where
            // the one query with both conditions read every pending row of the table (a
            // never-synced office with 100,000 cases: 1.2 s at every start instead of 0.08 s).
            pending: count("SELECT count(*) FROM change_log WHERE acked_at IS NULL")?
                - count("SELECT count(*) FROM change_log WHERE set_aside_reason IS NOT NULL AND acked_at IS NULL")?,
            set_aside: count("SELECT count(*) FROM change_log WHERE set_aside_reason IS NOT NULL")?,
            last_sync_at: self.sync_setting(keys::LAST_SYNC_AT)?,
            last_error: self.sync_setting(keys::LAST_ERROR)?,
            cursor: self.sync_setting(keys::CURSOR)?.and_then(|c| c.parse().ok()).unwrap_or(0),
        })
    }
}

/// Merges one pulled change into its record and clocks, and (`keep`) writes it to the change log.
fn apply_one(w: &Writer, c: &ChangeEntry, keep: bool) -> Result<()> {
    let kind = Kind::from_code(&c.kind).ok_or_else(|| StoreError::Rule(format!("未知的记录类别“{}”", c.kind)))?;
    if !matches!(c.op.as_str(), "upsert" | "delete") {
        return Err(StoreError::Rule(format!("未知的变更类型“{}”", c.op)));
    }
    let id = c.record_id.to_string();
    let current: Option<Value> =
        w.tx.prepare_cached(&format!("SELECT data FROM {} WHERE id = ?1", kind.code()))?
            .query_row([&id], |r| r.get::<_, String>(0))
            .optional()?
            .map(|d| serde_json::from_str(&d))
            .transpose()?;
    let mut clocks = load_clocks(w.tx, kind.code(), &id)?;
    let view = ChangeView { op: &c.op, data: &c.data, changed_fields: &c.changed_fields, hlc: &c.hlc };
    let merged = merge(current.as_ref(), &mut clocks, view);
    write_typed(w, kind, &merged)?;
    save_clocks(w.tx, kind.code(), &id, &clocks)?;
    if !keep {
        return Ok(());
    }
    w.tx.prepare_cached(
        "INSERT INTO change_log (change_id, kind, record_id, op, version, data, changed_fields, hlc, device_id, created_at, acked_at, origin) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'remote')",
    )?
    .execute(params![
        c.change_id.to_string(),
        kind.code(),
        id,
        c.op,
        c.version,
        c.data.to_string(),
        serde_json::to_string(&c.changed_fields)?,
        c.hlc,
        c.device_id.to_string(),
        c.created_at,
        ts(Utc::now())
    ])?;
    Ok(())
}

/// The one audit entry of a pulled batch: how many changes of which kinds, from which PCs, and
/// every record they touched. One entry a batch rather than one a change: the changes are in
/// the change log, and each was audited where it was made (and that log is at the county).
fn audit_batch(w: &Writer, applied: &[&ChangeEntry]) -> Result<()> {
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut devices: std::collections::BTreeSet<String> = Default::default();
    for c in applied {
        *kinds.entry(c.kind.as_str()).or_default() += 1;
        devices.insert(c.device_id.to_string().chars().take(8).collect());
    }
    let by_kind: Vec<String> = kinds.iter().map(|(k, n)| format!("{}{n}条", Kind::from_code(k).map(|k| k.label()).unwrap_or(k))).collect();
    let summary =
        format!("同步收到{}条修改（{}；来自设备{}）", applied.len(), by_kind.join("、"), devices.into_iter().collect::<Vec<_>>().join("、"));
    let records: Vec<String> = applied.iter().map(|c| format!("{}:{}", c.kind, c.record_id)).collect();
    w.audit_plain("sync_apply", None, None, &summary, Some(&serde_json::to_string(&records)?))
}

/// Stores a merged record under its own type (so parent ids and the search index follow).
fn write_typed(w: &Writer, kind: Kind, merged: &Value) -> Result<()> {
    fn go<R: Record>(w: &Writer, kind: Kind, merged: &Value) -> Result<()> {
        let rec: R = serde_json::from_value(merged.clone()).map_err(|e| StoreError::Rule(format!("{}的内容无法识别：{e}", kind.label())))?;
        w.write_row(kind, &rec, merged)?;
        search::mark_dirty(w, kind, &rec)
    }
    match kind {
        Kind::Organization => go::<Organization>(w, kind, merged),
        Kind::Mediator => go::<Mediator>(w, kind, merged),
        Kind::Person => go::<Person>(w, kind, merged),
        Kind::LegalEntity => go::<LegalEntity>(w, kind, merged),
        Kind::DisputeCase => go::<DisputeCase>(w, kind, merged),
        Kind::CaseParty => go::<CaseParty>(w, kind, merged),
        Kind::InvestigationRecord => go::<InvestigationRecord>(w, kind, merged),
        Kind::MediationSession => go::<MediationSession>(w, kind, merged),
        Kind::Agreement => go::<Agreement>(w, kind, merged),
        Kind::ReturnVisit => go::<ReturnVisit>(w, kind, merged),
        Kind::ScreeningRound => go::<ScreeningRound>(w, kind, merged),
        Kind::ScreeningItem => go::<ScreeningItem>(w, kind, merged),
        Kind::FieldVisit => go::<FieldVisit>(w, kind, merged),
        Kind::ReleasedPerson => go::<ReleasedPerson>(w, kind, merged),
        Kind::HelpGroup => go::<HelpGroup>(w, kind, merged),
        Kind::HelpVisit => go::<HelpVisit>(w, kind, merged),
        Kind::AssessmentChange => go::<AssessmentChange>(w, kind, merged),
        Kind::HandoverEvent => go::<HandoverEvent>(w, kind, merged),
    }
}
