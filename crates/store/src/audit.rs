//! The audit log: who did what to which record, when, from which device. Append-only and
//! hash-chained, so that changing or removing an entry is detected.
//!
//! Each entry carries `prev_hash` (the `hash` of the entry before it, or [`GENESIS`] for the
//! first) and `hash = SHA-256(prev_hash ‖ canonical(entry))`, both as lowercase hex, where
//! `canonical` is the JSON array `[seq, at, actor, device_id, action, kind, record_id, summary,
//! detail]` — unambiguous, so moving text from one field to another changes the hash.
//!
//! Three defences, each against a different hand:
//! - Triggers refuse `UPDATE` and `DELETE` on `audit_log`: the program itself and a casual edit
//!   with a SQLite tool cannot change history. They stop nobody who drops them first.
//! - The chain: whoever drops the triggers (or edits the file's bytes) and changes, removes or
//!   inserts an entry breaks a link, which [`Store::verify_audit`] finds and names.
//! - The chain alone cannot see the last entries cut off (what remains is a valid shorter
//!   chain). So the number of entries ever appended and the last hash are also kept in
//!   `settings` (`audit_count`, `audit_head`), written in the same transaction as the entries
//!   (once per transaction, by [`Tail::flush`]); a table shorter than the count, or ending in
//!   another hash, is reported.
//!
//! None of this stops someone who rewrites the whole chain and the two settings with this
//! algorithm (it has no secret): it makes tampering evident to casual and careless hands, and
//! a copy of the head kept elsewhere (a backup, the county) would be needed against a
//! determined one.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the triggers answer to an `UPDATE` or `DELETE` on the audit log.
pub const REFUSAL: &str = "审计日志只能追加，不能修改或删除";

const KEY_COUNT: &str = "audit_count";
const KEY_HEAD: &str = "audit_head";

/// The triggers that make the table append-only at the database level. They stop the program
/// and casual edits; the chain detects whoever drops them or edits the file.
const TRIGGERS: &str = concat!(
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END;\n",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改或删除'); END;\n",
);

/// One entry as it is written (its `seq` and hashes are assigned by [`append`]).
pub struct NewEntry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub device_id: &'a str,
    pub action: &'a str,
    pub kind: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub summary: &'a str,
    pub detail: Option<&'a str>,
}

/// One stored entry (also as it travels to the county, which keeps each device's chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub device_id: String,
    pub action: String,
    pub kind: Option<String>,
    pub record_id: Option<String>,
    pub summary: String,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// How the chain is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditBreak {
    /// The entry's content (or its stored hashes) is not what was written.
    Changed,
    /// One or more entries before this one (or at the end) are missing.
    Removed,
    /// The entry was not appended by the program (put in between, or after the last).
    Inserted,
}

/// The first place where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// The entry where the break is found (for entries cut off the end: the last one left, 0
    /// if none is left).
    pub seq: i64,
    pub kind: AuditBreak,
    /// In Chinese, for the clerk and the county's technician.
    pub message: String,
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// Entries read (up to and including the broken one).
    pub checked: i64,
    pub problem: Option<AuditProblem>,
}

impl AuditCheck {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

impl std::fmt::Display for AuditCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.problem {
            None => write!(f, "审计日志完整（共{}条）", self.checked),
            Some(p) => write!(f, "审计日志被改动：{}（已核对{}条）", p.message, self.checked),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// `SHA-256(prev_hash ‖ [seq, at, actor, device_id, action, kind, record_id, summary, detail])`.
pub fn entry_hash(prev_hash: &str, seq: i64, e: &NewEntry) -> String {
    let fields = serde_json::json!([seq, e.at, e.actor, e.device_id, e.action, e.kind, e.record_id, e.summary, e.detail]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(fields.to_string().as_bytes());
    hex(&h.finalize())
}

/// Appends one entry and moves the head kept in `settings`, inside the caller's transaction:
/// for a transaction that writes one entry (and for tests). The store's own writes go through
/// a [`Tail`], which writes the head once per transaction instead of once per entry.
pub fn append(tx: &Transaction, e: &NewEntry) -> Result<()> {
    let mut tail = Tail::default();
    tail.append(tx, e)?;
    tail.flush(tx)
}

/// The end of the chain as one transaction sees it: THE way every audit entry is written. The
/// last entry is read at the first append (one lookup by primary key) and then kept here; the
/// count and head in `settings` are written once, by [`Tail::flush`], not per entry (a pulled
/// batch of 500 changes wrote those two settings 500 times). The chain, the count and the head
/// after commit are the same as with a flush after every entry. Two writers cannot fork the
/// chain: every write transaction of the store is IMMEDIATE, so nobody appends in between.
///
/// `flush` must run before the commit, or the head is left behind and [`Store::verify_audit`]
/// reports the entries as put in: the writer's `finish` flushes, and `Store::write` — the only
/// place a writer's transaction commits — calls it (the unit tests below check that path).
/// Nothing else in the transaction may touch `audit_log` after the first append (today only
/// [`restart_new_store`] does, in transactions that append nothing before it).
#[derive(Default)]
pub(crate) struct Tail {
    /// `(seq, hash)` of the last entry, once read.
    last: Option<(i64, String)>,
    /// Entries appended in this transaction (the count in `settings` goes up by this).
    appended: i64,
}

impl Tail {
    pub(crate) fn append(&mut self, tx: &Transaction, e: &NewEntry) -> Result<()> {
        let (last_seq, prev) = match self.last.take() {
            Some(last) => last,
            None => tx
                .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .unwrap_or((0, GENESIS.to_string())),
        };
        let seq = last_seq + 1;
        let hash = entry_hash(&prev, seq, e);
        tx.prepare_cached(
            "INSERT INTO audit_log (seq, at, actor, device_id, action, kind, record_id, summary, detail, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![seq, e.at, e.actor, e.device_id, e.action, e.kind, e.record_id, e.summary, e.detail, prev, hash])?;
        self.last = Some((seq, hash));
        self.appended += 1;
        Ok(())
    }

    /// Writes the count and head for the entries appended; consumes the tail, so entries
    /// cannot be appended after it.
    pub(crate) fn flush(self, tx: &Transaction) -> Result<()> {
        let Some((_, head)) = self.last else { return Ok(()) };
        // The count goes up by the entries appended whatever the table holds, so a tail cut
        // off before this transaction stays visible after it (as it did when each append
        // added one: the same arithmetic, once).
        tx.prepare_cached(
            "INSERT INTO settings (key, value) VALUES (?1, ?4), (?2, ?3) \
             ON CONFLICT(key) DO UPDATE SET value = CASE key WHEN ?1 THEN CAST(CAST(value AS INTEGER) + ?4 AS TEXT) ELSE excluded.value END",
        )?
        .execute(params![KEY_COUNT, KEY_HEAD, head, self.appended.to_string()])?;
        Ok(())
    }
}

/// Schema step: the two hash columns, the chain computed over the entries already there (in
/// `seq` order), the head in `settings`, and the triggers.
pub fn add_chain(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';\n\
         ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';",
    )?;
    let rows = read_entries(tx, "ORDER BY seq")?;
    let mut prev = GENESIS.to_string();
    let mut update = tx.prepare("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE seq = ?1")?;
    for r in &rows {
        let hash = entry_hash(&prev, r.seq, &r.as_new());
        update.execute(params![r.seq, prev, hash])?;
        prev = hash;
    }
    drop(update);
    write_head(tx, rows.len() as i64, &prev)?;
    tx.execute_batch(TRIGGERS)?;
    Ok(())
}

fn write_head(conn: &Connection, count: i64, head: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2), (?3, ?4) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![KEY_COUNT, count.to_string(), KEY_HEAD, head],
    )?;
    Ok(())
}

/// Empties the audit log of a store made a moment ago in the same run (the placeholder office
/// of a PC joining an enrolled office, or of an import into an empty directory) and starts the
/// chain again from the genesis. The only place the program removes entries: it drops the
/// triggers for this one statement and puts them back, in the caller's transaction.
pub(crate) fn restart_new_store(tx: &Transaction) -> Result<()> {
    tx.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log;")?;
    tx.execute("DELETE FROM sqlite_sequence WHERE name = 'audit_log'", [])?;
    write_head(tx, 0, GENESIS)?;
    tx.execute_batch(TRIGGERS)?;
    Ok(())
}

impl AuditEntry {
    fn as_new(&self) -> NewEntry<'_> {
        NewEntry {
            at: &self.at,
            actor: &self.actor,
            device_id: &self.device_id,
            action: &self.action,
            kind: self.kind.as_deref(),
            record_id: self.record_id.as_deref(),
            summary: &self.summary,
            detail: self.detail.as_deref(),
        }
    }
}

/// The columns of an entry, in the order [`entry_from_row`] reads them.
const ENTRY_COLUMNS: &str = "seq, at, actor, device_id, action, kind, record_id, summary, detail, prev_hash, hash";

fn entry_from_row(r: &rusqlite::Row) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        device_id: r.get(3)?,
        action: r.get(4)?,
        kind: r.get(5)?,
        record_id: r.get(6)?,
        summary: r.get(7)?,
        detail: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

fn read_entries(conn: &Connection, tail: &str) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM audit_log {tail}"))?;
    let rows = stmt.query_map([], entry_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

impl AuditEntry {
    /// What `hash` must be, given the entry's content and `prev_hash`: how the county checks
    /// the entries it receives.
    pub fn computed_hash(&self) -> String {
        entry_hash(&self.prev_hash, self.seq, &self.as_new())
    }
}

/// Settings key: the last audit entry the county confirmed holding.
pub const SENT_TO_COUNTY_KEY: &str = "sync_audit_sent";

impl Store {
    /// Audit entries after `seq`, oldest first, at most `limit` (what sync sends the county).
    pub fn audit_entries_after(&self, seq: i64, limit: usize) -> Result<Vec<AuditEntry>> {
        read_entries(&self.conn, &format!("WHERE seq > {seq} ORDER BY seq LIMIT {}", limit.min(i64::MAX as usize)))
    }

    /// The `limit` entries before `seq`, newest first (a page of the 审计日志 screen).
    pub fn audit_entries_before(&self, seq: i64, limit: usize) -> Result<Vec<AuditEntry>> {
        read_entries(&self.conn, &format!("WHERE seq < {seq} ORDER BY seq DESC LIMIT {}", limit.min(i64::MAX as usize)))
    }

    /// The last `limit` audit entries, newest first.
    pub fn audit_entries(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        read_entries(&self.conn, &format!("ORDER BY seq DESC LIMIT {}", limit.min(i64::MAX as usize)))
    }

    /// Walks the audit log's chain from the first entry and reports the first break: an entry
    /// changed, entries removed (in the middle, or cut off the end — seen against the count and
    /// last hash kept in `settings`), or one put in. Reads in one read transaction, so a save
    /// meanwhile (the app beside the CLI) is not mistaken for a break.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        let tx = self.conn.unchecked_transaction()?;
        let check = verify(&tx)?;
        tx.finish()?;
        Ok(check)
    }
}

fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn verify(conn: &Connection) -> Result<AuditCheck> {
    let problem = |seq: i64, kind: AuditBreak, message: String| Some(AuditProblem { seq, kind, message });
    let mut stmt = conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query_map([], entry_from_row)?;
    let mut checked = 0i64;
    let mut prev_hash = GENESIS.to_string();
    let mut prev_seq = 0i64;
    let mut pending: Option<AuditEntry> = rows.next().transpose()?;
    while let Some(e) = pending.take() {
        checked += 1;
        let next = rows.next().transpose()?;
        if entry_hash(&e.prev_hash, e.seq, &e.as_new()) != e.hash {
            let message = format!("第{}条（{}，{}）的内容与写入时不同，已被修改", e.seq, e.at, e.actor);
            return Ok(AuditCheck { checked, problem: problem(e.seq, AuditBreak::Changed, message) });
        }
        if e.prev_hash != prev_hash {
            // The chain carries on after this entry as if it were not there: it was put in.
            let skipped = next.as_ref().is_some_and(|n| n.prev_hash == prev_hash);
            let (kind, message) = if skipped {
                (AuditBreak::Inserted, format!("第{}条（{}，{}）不是本程序写入的，是后来插入的", e.seq, e.at, e.actor))
            } else if e.seq > prev_seq + 1 {
                let gone = if e.seq == prev_seq + 2 { format!("第{}条", prev_seq + 1) } else { format!("第{}至{}条", prev_seq + 1, e.seq - 1) };
                (AuditBreak::Removed, format!("第{}条之前的记录缺失：{gone}已被删除", e.seq))
            } else if prev_seq == 0 {
                (AuditBreak::Removed, format!("第{}条之前的记录缺失，已被删除", e.seq))
            } else {
                (AuditBreak::Changed, format!("第{}条与上一条（第{prev_seq}条）衔接不上：上一条被修改后重算了校验值，或其间的记录被删除", e.seq))
            };
            return Ok(AuditCheck { checked, problem: problem(e.seq, kind, message) });
        }
        prev_hash = e.hash;
        prev_seq = e.seq;
        pending = next;
    }
    drop(rows);
    drop(stmt);
    // The tail: the chain cannot see entries cut off the end; the head in settings can.
    let count: Option<i64> =
        setting(conn, KEY_COUNT)?.map(|c| c.parse().map_err(|_| StoreError::Corrupt("审计日志的条数设置无效".into()))).transpose()?;
    let head = setting(conn, KEY_HEAD)?;
    let (Some(count), Some(head)) = (count, head) else {
        let message = "审计日志的末条记录信息（设置项audit_count、audit_head）缺失，无法确认末尾的记录没有被删除".to_string();
        return Ok(AuditCheck { checked, problem: problem(prev_seq, AuditBreak::Removed, message) });
    };
    if count > checked {
        let message = format!("有{}条记录已被删除（应有{count}条，现有{checked}条）：记录之间衔接完好，删除的是当时末尾的记录", count - checked);
        return Ok(AuditCheck { checked, problem: problem(prev_seq, AuditBreak::Removed, message) });
    }
    if count < checked || head != prev_hash {
        let message = if count < checked {
            format!("末尾多出{}条不是本程序写入的记录（应有{count}条，现有{checked}条）", checked - count)
        } else {
            format!("最后一条（第{prev_seq}条）与记录的末条校验值不符：末尾的记录被删除后又有记录插入")
        };
        let kind = if count < checked { AuditBreak::Inserted } else { AuditBreak::Removed };
        return Ok(AuditCheck { checked, problem: problem(prev_seq, kind, message) });
    }
    Ok(AuditCheck { checked, problem: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Mode;

    fn entry<'a>(summary: &'a str) -> NewEntry<'a> {
        NewEntry {
            at: "2026-11-20T02:00:00.000000Z",
            actor: "测试",
            device_id: "d",
            action: "create",
            kind: Some("person"),
            record_id: None,
            summary,
            detail: None,
        }
    }

    fn state(conn: &Connection) -> (Vec<AuditEntry>, Option<String>, Option<String>) {
        (read_entries(conn, "ORDER BY seq").unwrap(), setting(conn, KEY_COUNT).unwrap(), setting(conn, KEY_HEAD).unwrap())
    }

    /// One flush for many entries leaves on disk exactly what a flush after each entry left:
    /// the same rows and the same two settings — also when the count is ahead of the table (a
    /// tail cut off earlier stays visible) and when the settings are missing.
    #[test]
    fn one_flush_per_transaction_writes_what_one_per_entry_wrote() {
        for setup in ["", "UPDATE settings SET value = '9' WHERE key = 'audit_count'", "DELETE FROM settings WHERE key LIKE 'audit_%'"] {
            let summaries: Vec<String> = (0..5).map(|i| format!("第{i}条")).collect();
            let run = |batch: bool| {
                let mut conn = Connection::open_in_memory().unwrap();
                crate::schema::migrate(&mut conn).unwrap();
                conn.execute_batch(setup).unwrap();
                for round in 0..2 {
                    let tx = conn.transaction().unwrap();
                    let mut tail = Tail::default();
                    for s in &summaries {
                        let s = format!("{s}（第{round}批）");
                        if batch {
                            tail.append(&tx, &entry(&s)).unwrap();
                        } else {
                            append(&tx, &entry(&s)).unwrap();
                        }
                    }
                    tail.flush(&tx).unwrap();
                    tx.commit().unwrap();
                }
                let check = verify(&conn).unwrap();
                (state(&conn), check)
            };
            let (per_entry, batched) = (run(false), run(true));
            assert_eq!(per_entry, batched, "setup: {setup:?}");
            assert_eq!(batched.0 .0.len(), 10);
            if setup.is_empty() {
                assert!(batched.1.is_ok(), "{}", batched.1);
            }
        }
    }

    /// The store's writes (every audit entry of the program) flush the head before commit:
    /// several entries in one transaction verify, and a failed transaction leaves nothing.
    #[test]
    fn the_writer_flushes_the_head_before_commit() {
        let dir = tempfile::tempdir().unwrap();
        let clock: crate::Clock = std::sync::Arc::new(chrono::Utc::now);
        let mut store = Store::init_with_clock(dir.path(), "测试司法所", "350502", clock).unwrap();
        let before = store.verify_audit().unwrap().checked;
        store
            .write(Mode::Import, |w| {
                for i in 0..5 {
                    w.audit_plain("backup", None, None, &format!("第{i}条"), None)?;
                }
                Ok(())
            })
            .unwrap();
        let check = store.verify_audit().unwrap();
        assert!(check.is_ok(), "{check}");
        assert_eq!(check.checked, before + 5);
        let failed: Result<()> = store.write(Mode::Import, |w| {
            w.audit_plain("backup", None, None, "不会留下", None)?;
            Err(StoreError::Corrupt("中途失败".into()))
        });
        assert!(failed.is_err());
        let again = store.verify_audit().unwrap();
        assert!(again.is_ok(), "{again}");
        assert_eq!(again.checked, before + 5);
        assert_eq!(setting(&store.conn, KEY_COUNT).unwrap(), Some((before + 5).to_string()));
    }
}
