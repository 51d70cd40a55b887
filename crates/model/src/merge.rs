//! Field-level last-writer-wins merge by hybrid logical clock, shared by the office store and
//! the county server so that both compute the same record from the same set of changes,
//! whatever order they arrive in.
//!
//! A change carries the record's full data after it was made, the fields it changed and its
//! HLC stamp. Each stored record keeps a clock per field (the stamp of the change that last
//! set it). A field takes a change's value only when the change's stamp is greater; stamps
//! are unique (they end with the device id), so ties cannot happen. `version` is the greatest
//! version seen and `updated_at` comes from the latest change, so every copy ends identical.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Keys set once by the record's first change and never merged.
const IDENTITY: [&str; 4] = ["id", "org_id", "created_at", "created_by"];
/// The clock key that holds the greatest stamp applied to the record.
const LAST: &str = "_last";

/// Per-field clocks of one record: field → the stamp of the change that last set it.
///
/// Stored grouped by stamp (`{"STAMP": ["field", …]}`): most fields of a record were set by
/// the same few changes, and a stamp is ~70 characters, so writing it once per field made the
/// clocks the largest table of an office store (1.6 KB per record). Both layouts are read —
/// stores and county databases written before hold `{"field": "STAMP"}` — and a value's type
/// tells them apart (a list of fields, or one stamp).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldClocks(pub BTreeMap<String, String>);

impl Serialize for FieldClocks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut by_stamp: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (field, stamp) in &self.0 {
            by_stamp.entry(stamp).or_default().push(field);
        }
        by_stamp.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FieldClocks {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// A value of the stored map: the fields of a stamp, or (the older layout) a field's stamp.
        enum Entry {
            Fields(Vec<String>),
            Stamp(String),
        }
        impl<'de> Deserialize<'de> for Entry {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct EntryVisitor;
                impl<'de> serde::de::Visitor<'de> for EntryVisitor {
                    type Value = Entry;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a list of field names or a clock stamp")
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Entry, E> {
                        Ok(Entry::Stamp(v.to_string()))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Entry, E> {
                        Ok(Entry::Stamp(v))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
                        let mut fields = Vec::with_capacity(seq.size_hint().unwrap_or(8));
                        while let Some(f) = seq.next_element::<String>()? {
                            fields.push(f);
                        }
                        Ok(Entry::Fields(fields))
                    }
                }
                deserializer.deserialize_any(EntryVisitor)
            }
        }
        struct ClocksVisitor;
        impl<'de> serde::de::Visitor<'de> for ClocksVisitor {
            type Value = FieldClocks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a record's field clocks")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FieldClocks, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    match map.next_value::<Entry>()? {
                        Entry::Stamp(stamp) => {
                            out.insert(key, stamp);
                        }
                        Entry::Fields(fields) => {
                            for f in fields {
                                out.insert(f, key.clone());
                            }
                        }
                    }
                }
                Ok(FieldClocks(out))
            }
        }
        deserializer.deserialize_map(ClocksVisitor)
    }
}

impl FieldClocks {
    pub fn last(&self) -> Option<&str> {
        self.0.get(LAST).map(String::as_str)
    }
    /// Records that a local change set `fields` at `stamp`.
    pub fn touch(&mut self, fields: &[String], stamp: &str) {
        for f in fields {
            self.0.insert(f.clone(), stamp.to_string());
        }
        self.0.insert(LAST.to_string(), stamp.to_string());
    }
}

/// What the merge needs of a change.
#[derive(Debug, Clone, Copy)]
pub struct ChangeView<'a> {
    /// `upsert` or `delete`.
    pub op: &'a str,
    pub data: &'a Value,
    pub changed_fields: &'a [String],
    pub hlc: &'a str,
}

/// Applies one change to a record (`current`, or nothing yet) and its clocks.
pub fn merge(current: Option<&Value>, clocks: &mut FieldClocks, change: ChangeView) -> Value {
    let empty = Map::new();
    let incoming = change.data.as_object().unwrap_or(&empty);
    let mut out = current.and_then(Value::as_object).cloned().unwrap_or_default();
    // Keys never seen (the first change of a record, or a change that arrived before it) come
    // with the lowest clock, so any real change to them wins.
    for (k, v) in incoming {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    let delete = ["deleted".to_string()];
    let fields: &[String] = if change.op == "delete" { &delete } else { change.changed_fields };
    for f in fields {
        if IDENTITY.contains(&f.as_str()) || f == "version" || f == "updated_at" {
            continue;
        }
        if clocks.0.get(f).is_none_or(|c| c.as_str() < change.hlc) {
            out.insert(f.clone(), incoming.get(f).cloned().unwrap_or(Value::Null));
            clocks.0.insert(f.clone(), change.hlc.to_string());
        }
    }
    let version = |v: Option<&Value>| v.and_then(Value::as_i64).unwrap_or(0);
    let merged_version = version(out.get("version")).max(version(incoming.get("version")));
    out.insert("version".into(), Value::from(merged_version));
    if clocks.last().is_none_or(|l| l < change.hlc) {
        if let Some(u) = incoming.get("updated_at") {
            out.insert("updated_at".into(), u.clone());
        }
        clocks.0.insert(LAST.into(), change.hlc.to_string());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change<'a>(data: &'a Value, fields: &'a [String], hlc: &'a str) -> ChangeView<'a> {
        ChangeView { op: "upsert", data, changed_fields: fields, hlc }
    }

    #[test]
    fn any_order_gives_the_same_record() {
        let create = json!({"id":"r","org_id":"o","created_at":"t0","created_by":"a","version":1,"updated_at":"t0","deleted":false,"phone":"1","place":"甲村"});
        let all: Vec<String> = ["deleted", "phone", "place"].iter().map(|s| s.to_string()).collect();
        let a = json!({"id":"r","org_id":"o","created_at":"t0","created_by":"a","version":2,"updated_at":"t1","deleted":false,"phone":"2","place":"甲村"});
        let b = json!({"id":"r","org_id":"o","created_at":"t0","created_by":"a","version":2,"updated_at":"t2","deleted":false,"phone":"1","place":"乙村"});
        let phone = vec!["phone".to_string()];
        let place = vec!["place".to_string()];
        let changes = [change(&create, &all, "001-A"), change(&a, &phone, "002-A"), change(&b, &place, "003-B")];
        let orders = [[0, 1, 2], [0, 2, 1], [2, 1, 0], [1, 0, 2]];
        let mut results = Vec::new();
        for order in orders {
            let mut clocks = FieldClocks::default();
            let mut rec: Option<Value> = None;
            for i in order {
                rec = Some(merge(rec.as_ref(), &mut clocks, changes[i]));
            }
            results.push(rec.unwrap());
        }
        assert!(results.windows(2).all(|w| w[0] == w[1]), "{results:#?}");
        assert_eq!(results[0]["phone"], "2");
        assert_eq!(results[0]["place"], "乙村");
        assert_eq!(results[0]["version"], 2);
        assert_eq!(results[0]["updated_at"], "t2");
    }

    #[test]
    fn a_newer_stamp_wins_a_field_and_an_older_one_does_not() {
        let v1 = json!({"id":"r","version":2,"phone":"new"});
        let v0 = json!({"id":"r","version":2,"phone":"old"});
        let f = vec!["phone".to_string()];
        let mut clocks = FieldClocks::default();
        let r = merge(None, &mut clocks, change(&v1, &f, "009-A"));
        let r = merge(Some(&r), &mut clocks, change(&v0, &f, "005-B"));
        assert_eq!(r["phone"], "new");
    }

    #[test]
    fn clocks_are_stored_once_per_stamp_and_the_older_layout_still_reads() {
        let mut c = FieldClocks::default();
        c.touch(&["name".to_string(), "phone".to_string()], "S1");
        c.touch(&["phone".to_string()], "S2");
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"S1":["name"],"S2":["_last","phone"]}"#);
        assert_eq!(serde_json::from_str::<FieldClocks>(&text).unwrap(), c);
        let older = r#"{"_last":"S2","name":"S1","phone":"S2"}"#;
        assert_eq!(serde_json::from_str::<FieldClocks>(older).unwrap(), c);
        // Read from a parsed value too (PostgreSQL hands back JSONB text, tests build values).
        let v: Value = serde_json::from_str(older).unwrap();
        assert_eq!(serde_json::from_value::<FieldClocks>(v).unwrap(), c);
        assert!(serde_json::from_str::<FieldClocks>(r#"{"S1":3}"#).is_err());
        assert_eq!(serde_json::from_str::<FieldClocks>("{}").unwrap(), FieldClocks::default());
    }

    #[test]
    fn a_delete_is_a_tombstone_field() {
        let live = json!({"id":"r","version":1,"deleted":false,"name":"张三"});
        let dead = json!({"id":"r","version":2,"deleted":true,"name":"张三"});
        let mut clocks = FieldClocks::default();
        let r = merge(None, &mut clocks, change(&live, &["deleted".into(), "name".into()], "001-A"));
        let r = merge(Some(&r), &mut clocks, ChangeView { op: "delete", data: &dead, changed_fields: &[], hlc: "002-A" });
        assert_eq!(r["deleted"], true);
    }
}
