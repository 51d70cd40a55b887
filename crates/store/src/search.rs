//! Search across the three families. Each case, screening round and released person is one
//! document: its text (title, summary, names, ID numbers, places …) goes into an FTS5 trigram
//! index for terms of 3+ characters; its names go into a 1–2-character gram index, because
//! Chinese names are two or three characters and trigrams cannot find "张伟".

use std::any::Any;
use std::collections::BTreeSet;

use fengqiao_model::*;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::records::{children_with, get_with, Writer};
use crate::{Result, StoreError};

/// Records the search roots a saved record belongs to, re-indexed at commit.
pub(crate) fn mark_dirty<R: Record>(w: &Writer, kind: Kind, rec: &R) -> Result<()> {
    let id = rec.meta().id;
    let any = rec as &dyn Any;
    match kind {
        Kind::DisputeCase | Kind::ScreeningRound | Kind::ReleasedPerson => w.mark(kind, id),
        Kind::CaseParty => {
            if let Some(p) = any.downcast_ref::<CaseParty>().and_then(|p| p.case_id) {
                w.mark(Kind::DisputeCase, p);
            }
        }
        Kind::ScreeningItem => {
            if let Some(r) = any.downcast_ref::<ScreeningItem>().and_then(|i| i.round_id) {
                w.mark(Kind::ScreeningRound, r);
            }
        }
        Kind::Person | Kind::LegalEntity => {
            let column = if kind == Kind::Person { "person_id" } else { "entity_id" };
            for case in ids(w.tx, &format!("SELECT DISTINCT parent_id FROM case_party WHERE {column} = ?1 AND deleted = 0"), id)? {
                w.mark(Kind::DisputeCase, case);
            }
            if kind == Kind::Person {
                for r in ids(w.tx, "SELECT id FROM released_person WHERE person_id = ?1", id)? {
                    w.mark(Kind::ReleasedPerson, r);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn ids(conn: &Connection, sql: &str, id: Uuid) -> Result<Vec<Uuid>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id.to_string()], |r| r.get::<_, Option<String>>(0))?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(s) = r? {
            out.push(Uuid::parse_str(&s).map_err(|_| StoreError::Corrupt("编号无效".into()))?);
        }
    }
    Ok(out)
}

/// What one document contributes: its text and its names.
#[derive(Default)]
struct Doc {
    text: Vec<String>,
    names: Vec<String>,
}

impl Doc {
    fn add(&mut self, v: &Option<String>) {
        if let Some(s) = v {
            self.text.push(s.clone());
        }
    }
    fn add_name(&mut self, v: &Option<String>) {
        if let Some(s) = v {
            self.text.push(s.clone());
            self.names.push(s.clone());
        }
    }
    fn add_person(&mut self, p: &Person) {
        self.add_name(&p.name);
        self.add_name(&p.alias);
        self.add(&p.id_number);
        self.add(&p.phone);
        self.add(&p.residence_address);
    }
}

fn build(conn: &Connection, kind: Kind, id: Uuid) -> Result<Option<Doc>> {
    let mut doc = Doc::default();
    match kind {
        Kind::DisputeCase => {
            let Some(c) = get_with::<DisputeCase>(conn, id)?.filter(|c| !c.meta.deleted) else { return Ok(None) };
            doc.add(&c.case_no);
            doc.add(&c.title);
            doc.add(&c.summary);
            doc.add(&c.occurred_place);
            doc.add(&c.referral_org);
            doc.text.extend(c.requests.iter().cloned());
            for party in children_with::<CaseParty>(conn, id)? {
                if let Some(p) = party.person_id.and_then(|p| get_with::<Person>(conn, p).transpose()) {
                    doc.add_person(&p?);
                }
                if let Some(e) = party.entity_id.and_then(|e| get_with::<LegalEntity>(conn, e).transpose()) {
                    let e = e?;
                    doc.add_name(&e.name);
                    doc.add(&e.uscc);
                    doc.add_name(&e.legal_rep);
                }
            }
        }
        Kind::ScreeningRound => {
            let Some(r) = get_with::<ScreeningRound>(conn, id)?.filter(|r| !r.meta.deleted) else { return Ok(None) };
            doc.add_name(&r.unit_name);
            doc.add(&r.statement);
            for item in children_with::<ScreeningItem>(conn, id)? {
                doc.add(&item.place);
                doc.add(&item.summary);
                doc.add_name(&item.responsible_person);
                if let Some(parties) = &item.party_summary {
                    doc.text.push(parties.clone());
                    doc.names.extend(parties.split(|c: char| !c.is_alphabetic() && c != '·').filter(|s| !s.is_empty()).map(String::from));
                }
            }
        }
        Kind::ReleasedPerson => {
            let Some(r) = get_with::<ReleasedPerson>(conn, id)?.filter(|r| !r.meta.deleted) else { return Ok(None) };
            if let Some(p) = r.person_id.and_then(|p| get_with::<Person>(conn, p).transpose()) {
                let p = p?;
                doc.add_person(&p);
                doc.add(&p.hukou_address);
            }
            doc.add(&r.crime_name);
            doc.add(&r.prison_name);
            doc.add(&r.notice_from);
        }
        _ => return Ok(None),
    }
    Ok(Some(doc))
}

/// The 1- and 2-character grams of the names.
fn grams(names: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for name in names {
        let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
        for (i, c) in chars.iter().enumerate() {
            out.insert(c.to_string());
            if let Some(next) = chars.get(i + 1) {
                out.insert(format!("{c}{next}"));
            }
        }
    }
    out
}

/// Rebuilds one document of the index (or drops it when the record is gone). Runs for every
/// case a save or a sync batch touched: its statements are prepared once per connection.
pub fn reindex(tx: &Transaction, kind: Kind, id: Uuid) -> Result<()> {
    let run = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<usize> { Ok(tx.prepare_cached(sql)?.execute(params)?) };
    let key = id.to_string();
    let rowid: Option<i64> = tx.prepare_cached("SELECT rowid FROM search_doc WHERE root_id = ?1")?.query_row([&key], |r| r.get(0)).optional()?;
    if let Some(rowid) = rowid {
        run("DELETE FROM search_fts WHERE rowid = ?1", &[&rowid])?;
        run("DELETE FROM search_gram WHERE doc = ?1", &[&rowid])?;
    }
    let Some(doc) = build(tx, kind, id)? else {
        run("DELETE FROM search_doc WHERE root_id = ?1", &[&key])?;
        return Ok(());
    };
    let rowid = match rowid {
        Some(r) => r,
        None => {
            run("INSERT INTO search_doc (root_kind, root_id) VALUES (?1, ?2)", &[&kind.code(), &key])?;
            tx.last_insert_rowid()
        }
    };
    run("INSERT INTO search_fts (rowid, body) VALUES (?1, ?2)", &[&rowid, &doc.text.join("\n")])?;
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO search_gram (gram, doc) VALUES (?1, ?2)")?;
    for g in grams(&doc.names) {
        stmt.execute(params![g, rowid])?;
    }
    Ok(())
}

/// Backfills the index for every record (migration to schema 3, and repair).
pub fn rebuild_all(tx: &Transaction) -> Result<()> {
    tx.execute_batch("DELETE FROM search_fts; DELETE FROM search_gram; DELETE FROM search_doc;")?;
    for kind in [Kind::DisputeCase, Kind::ScreeningRound, Kind::ReleasedPerson] {
        let all: Vec<String> = {
            let mut stmt = tx.prepare(&format!("SELECT id FROM {} WHERE deleted = 0", kind.code()))?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for id in all {
            let id = Uuid::parse_str(&id).map_err(|_| StoreError::Corrupt("编号无效".into()))?;
            reindex(tx, kind, id)?;
        }
    }
    Ok(())
}

/// An SQL condition (on the root table's `id`) matching every term of `query`, with its
/// parameters. Terms are separated by spaces; all must match.
pub(crate) fn condition(kind: Kind, query: &str) -> Option<(String, Vec<String>)> {
    let terms: Vec<&str> = query.split_whitespace().filter(|t| !t.is_empty()).take(8).collect();
    if terms.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut args = Vec::new();
    for term in terms {
        let term = crate::lists::normalize_query_term(term);
        if term.chars().count() >= 3 {
            parts.push("d.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)".to_string());
            args.push(format!("\"{}\"", term.replace('"', "\"\"")));
        } else {
            parts.push("d.rowid IN (SELECT doc FROM search_gram WHERE gram = ?)".to_string());
            args.push(term);
        }
    }
    let sql = format!("id IN (SELECT d.root_id FROM search_doc d WHERE d.root_kind = '{}' AND {})", kind.code(), parts.join(" AND "));
    Some((sql, args))
}
