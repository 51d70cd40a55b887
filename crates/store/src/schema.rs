//! The schema, as forward-only migrations. `PRAGMA user_version` is the number of migrations
//! applied; a database newer than this code is refused rather than opened.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Transaction;

use crate::StoreError;

pub enum Step {
    Sql(&'static str),
    /// Data migrations that need Rust (backfills).
    Code(fn(&Transaction) -> Result<(), StoreError>),
}

/// Columns every record table has; `data` is the record as JSON (domain.md field names).
const RECORD_COLUMNS: &str = "id TEXT PRIMARY KEY, org_id TEXT NOT NULL, parent_id TEXT, data TEXT NOT NULL, \
    version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, \
    updated_at TEXT NOT NULL, created_by TEXT NOT NULL";

/// Version 1: the record tables, the change log, the audit log, case numbers, settings.
pub const V1: &str = concat!(
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;\n",
    "CREATE TABLE change_log (\n",
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n",
    "  change_id TEXT NOT NULL UNIQUE,\n",
    "  kind TEXT NOT NULL, record_id TEXT NOT NULL, op TEXT NOT NULL CHECK (op IN ('upsert','delete')),\n",
    "  version INTEGER NOT NULL, data TEXT NOT NULL, changed_fields TEXT NOT NULL,\n",
    "  hlc TEXT NOT NULL, device_id TEXT NOT NULL, created_at TEXT NOT NULL,\n",
    "  acked_at TEXT, set_aside_reason TEXT) STRICT;\n",
    "CREATE INDEX change_log_pending ON change_log(seq) WHERE acked_at IS NULL;\n",
    "CREATE INDEX change_log_record ON change_log(kind, record_id);\n",
    "CREATE TABLE audit_log (\n",
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, device_id TEXT NOT NULL,\n",
    "  action TEXT NOT NULL, kind TEXT, record_id TEXT, summary TEXT NOT NULL, detail TEXT) STRICT;\n",
    "CREATE INDEX audit_log_record ON audit_log(kind, record_id);\n",
    "CREATE TABLE case_number (\n",
    "  committee_id TEXT NOT NULL, year INTEGER NOT NULL, seq INTEGER NOT NULL, case_no TEXT NOT NULL UNIQUE,\n",
    "  case_id TEXT, voided INTEGER NOT NULL DEFAULT 0, void_reason TEXT, allocated_at TEXT NOT NULL,\n",
    "  PRIMARY KEY (committee_id, year, seq)) STRICT;\n",
);

/// The record tables with their generated columns for filters and sorting.
pub fn v1_record_tables() -> String {
    let mut sql = String::new();
    let tables: &[(&str, &[(&str, &str)])] = &[
        ("organization", &[("org_type", "$.org_type"), ("division_code", "$.division_code")]),
        ("mediator", &[("committee_id", "$.committee_id"), ("name", "$.name")]),
        ("person", &[("name", "$.name"), ("id_number", "$.id_number")]),
        ("legal_entity", &[("name", "$.name")]),
        (
            "dispute_case",
            &[
                ("status", "$.status"),
                ("dispute_type", "$.dispute_type"),
                ("source", "$.source"),
                ("committee_id", "$.committee_id"),
                ("accepted_on", "$.accepted_on"),
                ("closed_on", "$.closed_on"),
                ("result", "$.result"),
                ("case_no", "$.case_no"),
                ("lead_mediator_id", "$.lead_mediator_id"),
            ],
        ),
        ("case_party", &[("person_id", "$.person_id"), ("entity_id", "$.entity_id")]),
        ("investigation_record", &[]),
        ("mediation_session", &[]),
        ("agreement", &[("performance_status", "$.performance_status")]),
        ("return_visit", &[]),
        (
            "screening_round",
            &[
                ("unit_division_code", "$.unit_division_code"),
                ("period_type", "$.period_type"),
                ("period_start", "$.period_start"),
                ("period_end", "$.period_end"),
                ("screened_on", "$.screened_on"),
                ("zero_report", "$.zero_report"),
            ],
        ),
        ("screening_item", &[("found_on", "$.found_on"), ("status", "$.status"), ("dispute_type", "$.dispute_type")]),
        ("field_visit", &[("subject_id", "$.subject_id"), ("visited_at", "$.visited_at")]),
        (
            "released_person",
            &[
                ("person_id", "$.person_id"),
                ("assessment_type", "$.assessment_type"),
                ("handover_status", "$.handover_status"),
                ("help_status", "$.help_status"),
                ("released_on", "$.released_on"),
                ("help_period_end", "$.help_period_end"),
            ],
        ),
        ("help_group", &[]),
        ("help_visit", &[("visited_at", "$.visited_at")]),
        ("assessment_change", &[]),
        ("handover_event", &[]),
    ];
    for (table, generated) in tables {
        sql.push_str(&format!("CREATE TABLE {table} ({RECORD_COLUMNS}"));
        for (col, path) in *generated {
            sql.push_str(&format!(", {col} GENERATED ALWAYS AS (json_extract(data, '{path}')) VIRTUAL"));
        }
        sql.push_str(");\n");
        sql.push_str(&format!("CREATE INDEX {table}_parent ON {table}(parent_id) WHERE parent_id IS NOT NULL;\n"));
    }
    sql.push_str(concat!(
        "CREATE INDEX dispute_case_accepted ON dispute_case(accepted_on, deleted);\n",
        "CREATE INDEX dispute_case_status ON dispute_case(status, accepted_on);\n",
        "CREATE INDEX dispute_case_type ON dispute_case(dispute_type, accepted_on);\n",
        "CREATE INDEX dispute_case_committee ON dispute_case(committee_id, accepted_on);\n",
        "CREATE INDEX dispute_case_no ON dispute_case(case_no);\n",
        "CREATE INDEX case_party_person ON case_party(person_id);\n",
        "CREATE INDEX person_id_number ON person(id_number);\n",
        "CREATE INDEX released_person_person ON released_person(person_id);\n",
        "CREATE INDEX released_person_released ON released_person(released_on);\n",
        "CREATE INDEX released_person_status ON released_person(help_status, released_on);\n",
        "CREATE INDEX released_person_assessment ON released_person(assessment_type, released_on);\n",
        "CREATE INDEX released_person_period_end ON released_person(help_period_end);\n",
        "CREATE INDEX screening_round_period ON screening_round(period_start, unit_division_code);\n",
        "CREATE INDEX screening_item_found ON screening_item(found_on);\n",
    ));
    sql
}

/// Version 2: the search index. Chinese names are two or three characters and FTS5's trigram
/// tokenizer matches only 3+, so short terms go through an index of the names' 1- and
/// 2-character grams (DESIGN.md).
pub const V2: &str = concat!(
    "CREATE TABLE search_doc (rowid INTEGER PRIMARY KEY, root_kind TEXT NOT NULL, root_id TEXT NOT NULL UNIQUE) STRICT;\n",
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize = 'trigram', content = '', contentless_delete = 1);\n",
    "CREATE TABLE search_gram (gram TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (gram, doc)) STRICT, WITHOUT ROWID;\n",
    "CREATE INDEX search_gram_doc ON search_gram(doc);\n",
);

/// Version 3: statistics (stats.rs). The 统计表 and the metrics sum a year of cases and
/// agreements from these indexes alone, without parsing each record's JSON; stats.rs must
/// spell these expressions verbatim and names the indexes in its queries.
pub const V3: &str = concat!(
    "CREATE INDEX dispute_case_stats ON dispute_case(accepted_on, committee_id, status, case_no, result, source, dispute_type, ",
    "json_extract(data, '$.referral_type'), json_extract(data, '$.agreement_form'), json_extract(data, '$.is_difficult'), ",
    "json_extract(data, '$.amount_cents'), ",
    "json_extract(data, '$.prevented.suicide.cases'), json_extract(data, '$.prevented.suicide.persons'), ",
    "json_extract(data, '$.prevented.criminal.cases'), json_extract(data, '$.prevented.criminal.persons'), ",
    "json_extract(data, '$.prevented.group_petition.cases'), json_extract(data, '$.prevented.group_petition.persons'), ",
    "json_extract(data, '$.prevented.group_fight.cases'), json_extract(data, '$.prevented.group_fight.persons'), ",
    "id) WHERE deleted = 0;\n",
    "CREATE INDEX case_party_live ON case_party(parent_id) WHERE deleted = 0;\n",
    "CREATE INDEX agreement_stats ON agreement(parent_id, performance_status, json_extract(data, '$.draft'), ",
    "json_extract(data, '$.supersedes_agreement_id'), id) WHERE deleted = 0;\n",
    "CREATE INDEX screening_round_screened ON screening_round(screened_on, json_extract(data, '$.unit_org_id')) WHERE deleted = 0;\n",
);

/// Version 5: partial indexes for the lists. The pager counts every match; with `deleted = 0`
/// outside the index SQLite read each candidate row (94 ms for a filtered page of 100,000
/// cases); a partial index answers the count alone (1 ms).
pub const V5: &str = concat!(
    "CREATE INDEX IF NOT EXISTS dispute_case_list_type ON dispute_case(dispute_type, status, accepted_on) WHERE deleted = 0;\n",
    "CREATE INDEX IF NOT EXISTS dispute_case_list_status ON dispute_case(status, accepted_on) WHERE deleted = 0;\n",
    "CREATE INDEX IF NOT EXISTS dispute_case_list_source ON dispute_case(source, status, accepted_on) WHERE deleted = 0;\n",
    "CREATE INDEX IF NOT EXISTS released_person_list_assessment ON released_person(assessment_type, help_status, released_on) WHERE deleted = 0;\n",
    "CREATE INDEX IF NOT EXISTS released_person_list_status ON released_person(help_status, handover_status, released_on) WHERE deleted = 0;\n",
    "CREATE INDEX IF NOT EXISTS released_person_list_handover ON released_person(handover_status, released_on) WHERE deleted = 0;\n",
    "CREATE INDEX IF NOT EXISTS screening_round_list ON screening_round(period_start, period_type) WHERE deleted = 0;\n",
    // Saving a unit re-indexes the cases it is a party of.
    "CREATE INDEX IF NOT EXISTS case_party_entity ON case_party(entity_id) WHERE entity_id IS NOT NULL;\n",
);

pub fn migrations() -> Vec<Step> {
    vec![
        Step::Code(|tx| {
            tx.execute_batch(V1)?;
            tx.execute_batch(&v1_record_tables())?;
            Ok(())
        }),
        Step::Sql(V2),
        Step::Code(crate::search::rebuild_all),
        Step::Sql(V3),
        Step::Sql(V5),
        // Reminders: acknowledgements and snoozes (reminders.rs).
        Step::Sql(crate::reminders::SCHEMA),
        // Sync: per-field clocks, where each change came from (sync.rs).
        Step::Sql(crate::sync::SCHEMA),
        Step::Code(crate::sync::backfill_clocks),
        // The audit log hash-chained and append-only (audit.rs).
        Step::Code(crate::audit::add_chain),
        // Staff accounts and their roles (accounts.rs).
        Step::Sql(crate::accounts::SCHEMA),
        // The field clocks stored once per stamp (sync.rs).
        Step::Code(crate::sync::compact_clocks),
        // Covering indexes for the reminders' reads (reminders.rs).
        Step::Sql(crate::reminders::INDEXES),
    ]
}

/// The schema version this code writes.
pub fn current_version() -> i64 {
    migrations().len() as i64
}

/// Applies the migrations not yet applied, all in one transaction.
pub fn migrate(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    migrate_to(conn, current_version())
}

/// Applies migrations up to `target` (tests build databases of earlier versions with it).
pub fn migrate_to(conn: &mut rusqlite::Connection, target: i64) -> Result<(), StoreError> {
    let mut steps = migrations();
    let known = steps.len() as i64;
    let have = version_of(conn)?;
    if have > known {
        return Err(StoreError::NewerSchema { found: have, supported: known });
    }
    steps.truncate(target.clamp(0, known) as usize);
    apply(conn, &steps)
}

/// `PRAGMA user_version`: the number of migrations applied.
pub fn version_of(conn: &rusqlite::Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies the steps not yet applied in ONE transaction: a step that fails rolls back every
/// step of this run, so the database stays at the version it had (and an older program that
/// wrote it can still open it); the next run starts again from there.
fn apply(conn: &mut rusqlite::Connection, steps: &[Step]) -> Result<(), StoreError> {
    if version_of(conn)? >= steps.len() as i64 {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process (the CLI beside the app) may have
    // migrated the file meanwhile.
    let have = version_of(&tx)?;
    if have >= steps.len() as i64 {
        return Ok(());
    }
    for step in &steps[have as usize..] {
        match step {
            Step::Sql(sql) => tx.execute_batch(sql)?,
            Step::Code(f) => f(&tx)?,
        }
    }
    tx.pragma_update(None, "user_version", steps.len() as i64)?;
    tx.commit()?;
    Ok(())
}

/// The folder inside the data directory where the automatic backups before an upgrade go.
pub const BACKUP_DIR: &str = "backups";

/// Brings an existing store up to `steps` when it is opened: a newer database is refused
/// untouched; an older one is first copied to `DATA/backups/fengqiao-schema{OLD}-{time}.db`
/// (nothing is changed if that copy fails), then migrated in one transaction. Returns the
/// backup written, if any.
pub(crate) fn upgrade(conn: &mut rusqlite::Connection, data_dir: &Path, steps: &[Step], now: DateTime<Utc>) -> Result<Option<PathBuf>, StoreError> {
    let known = steps.len() as i64;
    let have = version_of(conn)?;
    if have > known {
        return Err(StoreError::NewerSchema { found: have, supported: known });
    }
    if have == known {
        return Ok(None);
    }
    let backup = if have > 0 {
        Some(backup_before_upgrade(conn, data_dir, have, now).map_err(|reason| StoreError::UpgradeBackupFailed { from: have, reason })?)
    } else {
        None
    };
    apply(conn, steps).map_err(|e| StoreError::UpgradeFailed {
        from: have,
        to: known,
        backup: backup.clone().unwrap_or_default(),
        reason: e.to_string().chars().take(200).collect(),
    })?;
    Ok(backup)
}

fn backup_before_upgrade(conn: &rusqlite::Connection, data_dir: &Path, version: i64, now: DateTime<Utc>) -> Result<PathBuf, String> {
    let dir = data_dir.join(BACKUP_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("无法创建备份目录{}：{e}", dir.display()))?;
    let stem = format!("fengqiao-schema{version}-{}", now.format("%Y%m%d-%H%M%S"));
    let mut out = dir.join(format!("{stem}.db"));
    for n in 2.. {
        if !out.exists() {
            break;
        }
        out = dir.join(format!("{stem}-{n}.db"));
    }
    conn.execute("VACUUM INTO ?1", [out.to_string_lossy()]).map_err(|e| {
        let _ = std::fs::remove_file(&out);
        format!("无法写入备份文件{}：{e}", out.display())
    })?;
    Ok(out)
}
