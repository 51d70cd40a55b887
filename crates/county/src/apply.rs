//! What a push does, apart from the database: the checks a change must pass, and the plan that
//! turns a batch into applied, duplicate and rejected changes with the merged records. Both
//! stores run this same code inside their one transaction per batch, so they cannot differ.

use std::collections::{HashMap, HashSet};

use fengqiao_model::merge::{merge, ChangeView, FieldClocks};
use fengqiao_model::*;
use fengqiao_sync::protocol::{Change, PushResult, PushStatus};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// A record's row as the county holds it: its merged data and its per-field clocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub data: Value,
    pub clocks: FieldClocks,
}

impl Current {
    pub fn deleted(&self) -> bool {
        self.data.get("deleted").and_then(Value::as_bool).unwrap_or(false)
    }
}

/// The key of a record in an office: its kind code and id.
pub type RecordKey = (String, Uuid);

/// Checks what can be checked of a change without the database; `Err` is the Chinese reason
/// the change is rejected for good.
pub fn check(change: &Change, org_id: Option<Uuid>) -> Result<Kind, String> {
    let kind = Kind::from_code(&change.kind).ok_or_else(|| {
        format!("未知的记录类别“{}”（可用：{}）", short(&change.kind), Kind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>().join("、"))
    })?;
    if !matches!(change.op.as_str(), "upsert" | "delete") {
        return Err(format!("未知的变更类型“{}”（应为upsert或delete）", short(&change.op)));
    }
    if change.change_id.is_nil() || change.record_id.is_nil() {
        return Err("变更编号（change_id）和记录编号（record_id）不能为空".into());
    }
    if !hlc_is_valid(&change.hlc) {
        return Err(format!("时间戳（hlc）“{}”格式不对，应为“毫秒-计数-设备编号”", short(&change.hlc)));
    }
    if chrono::DateTime::parse_from_rfc3339(&change.created_at).is_err() {
        return Err(format!("变更时间（created_at）“{}”不是RFC 3339格式", short(&change.created_at)));
    }
    if has_nul(&change.data) || change.changed_fields.iter().any(|f| f.contains('\0')) {
        return Err("内容含有空字符（\\u0000），不能保存".into());
    }
    let Some(obj) = change.data.as_object() else {
        return Err("记录内容（data）应为JSON对象".into());
    };
    let id = obj.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    if id != Some(change.record_id) {
        return Err("记录内容中的编号（data.id）与变更的记录编号（record_id）不一致".into());
    }
    let org = obj.get("org_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    if org.is_none() || org != org_id {
        return Err("不属于本所：记录的所属司法所（org_id）不是本设备注册的司法所".into());
    }
    if let Some(f) = change.changed_fields.iter().find(|f| !obj.contains_key(f.as_str())) {
        return Err(format!("变更字段“{}”不在记录内容中", short(f)));
    }
    parses_as(kind, &change.data).map_err(|e| format!("{}的内容不正确：{e}", kind.label()))?;
    Ok(kind)
}

/// Whether `data` deserializes as the record type of `kind`; the error names the field.
pub fn parses_as(kind: Kind, data: &Value) -> Result<(), String> {
    fn go<R: Record + DeserializeOwned>(data: &Value) -> Result<(), String> {
        if R::deserialize(data).is_ok() {
            return Ok(());
        }
        // Again, slower, for the path of the field that fails.
        serde_path_to_error::deserialize::<_, R>(data).map(|_| ()).map_err(|e| {
            let path = e.path().to_string();
            let msg = serde_message_cn(&e.into_inner().to_string());
            if path.is_empty() || path == "." {
                msg
            } else {
                format!("字段{path}：{msg}")
            }
        })
    }
    match kind {
        Kind::Organization => go::<Organization>(data),
        Kind::Mediator => go::<Mediator>(data),
        Kind::Person => go::<Person>(data),
        Kind::LegalEntity => go::<LegalEntity>(data),
        Kind::DisputeCase => go::<DisputeCase>(data),
        Kind::CaseParty => go::<CaseParty>(data),
        Kind::InvestigationRecord => go::<InvestigationRecord>(data),
        Kind::MediationSession => go::<MediationSession>(data),
        Kind::Agreement => go::<Agreement>(data),
        Kind::ReturnVisit => go::<ReturnVisit>(data),
        Kind::ScreeningRound => go::<ScreeningRound>(data),
        Kind::ScreeningItem => go::<ScreeningItem>(data),
        Kind::FieldVisit => go::<FieldVisit>(data),
        Kind::ReleasedPerson => go::<ReleasedPerson>(data),
        Kind::HelpGroup => go::<HelpGroup>(data),
        Kind::HelpVisit => go::<HelpVisit>(data),
        Kind::AssessmentChange => go::<AssessmentChange>(data),
        Kind::HandoverEvent => go::<HandoverEvent>(data),
    }
}

/// serde's English messages in Chinese; the model's own messages are Chinese already.
pub(crate) fn serde_message_cn(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if msg.contains('“') {
        return msg.to_string();
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        return format!("缺少字段{}", rest.trim_end_matches('`'));
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return format!("值的类型不对（收到{}，应为{}）", type_cn(found), type_cn(expected));
    }
    if msg.contains("UUID") || msg.contains("uuid") {
        return "不是有效的编号（UUID）".into();
    }
    if msg.contains("input contains invalid characters")
        || msg.contains("premature end of input")
        || msg.contains("input is out of range")
        || msg.contains("trailing input")
    {
        return "日期或时间格式不对（日期应为YYYY-MM-DD，时间应为RFC 3339）".into();
    }
    if msg.starts_with("invalid value") || msg.starts_with("invalid length") {
        return format!("值不正确（{msg}）");
    }
    format!("值不正确：{msg}")
}

/// serde's names of JSON types in Chinese.
fn type_cn(t: &str) -> String {
    let t = t.trim();
    let value = |prefix: &str| t.strip_prefix(prefix).map(|v| v.trim_matches(['`', '"']).to_string());
    if let Some(v) = value("integer ") {
        return format!("整数{v}");
    }
    if let Some(v) = value("floating point ") {
        return format!("小数{v}");
    }
    if let Some(v) = value("string ") {
        return format!("文字“{}”", v.chars().take(20).collect::<String>());
    }
    if let Some(v) = value("boolean ") {
        return format!("布尔值{v}");
    }
    match t {
        "null" | "unit value" => "空值null".into(),
        "map" => "对象".into(),
        "sequence" => "数组".into(),
        "a string" | "a borrowed string" | "a UUID string" => "文字".into(),
        "i64" | "i32" | "an integer" => "整数".into(),
        "u32" | "u64" | "usize" => "非负整数".into(),
        "a boolean" => "true或false".into(),
        "a sequence" => "数组".into(),
        _ if t.starts_with("struct ") || t == "a map" => "对象".into(),
        _ if t.contains("UUID") => "编号（UUID）".into(),
        _ => t.to_string(),
    }
}

/// `{ms:015}-{counter:06}-{device uuid}`.
pub fn hlc_is_valid(stamp: &str) -> bool {
    let mut parts = stamp.splitn(3, '-');
    let digits = |s: Option<&str>, min: usize| s.is_some_and(|s| s.len() >= min && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next(), 15) && digits(parts.next(), 6) && parts.next().is_some_and(|d| d.len() == 36 && Uuid::parse_str(d).is_ok())
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn short(s: &str) -> String {
    s.chars().filter(|c| *c != '\0').take(40).collect()
}

/// The records a batch needs from the store: those of its valid changes not seen before.
pub fn needed_keys(changes: &[Change], checks: &[Result<Kind, String>], known: &HashMap<Uuid, Known>) -> Vec<RecordKey> {
    let mut seen = HashSet::new();
    changes
        .iter()
        .zip(checks)
        .filter(|(c, k)| k.is_ok() && !known.contains_key(&c.change_id))
        .map(|(c, _)| (c.kind.clone(), c.record_id))
        .filter(|key| seen.insert(key.clone()))
        .collect()
}

/// What a batch does.
#[derive(Debug, Default)]
pub struct Plan {
    /// One per change, in the batch's order.
    pub results: Vec<PushResult>,
    /// Indexes of the changes to insert into the change log, in order.
    pub applied: Vec<usize>,
    /// The records those changes touched, merged.
    pub records: HashMap<RecordKey, Current>,
}

/// A change id the county already holds: whose it is, and whether the change sent again is
/// the same change (same record, operation, stamp and data) or another one under a reused id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub office: Uuid,
    pub same: bool,
}

impl Known {
    /// `stored` is what the county holds under the id: (kind, record_id, op, hlc, data).
    pub fn of(office: Uuid, sent: &Change, stored: (&str, Uuid, &str, &str, &Value)) -> Known {
        let (kind, record_id, op, hlc, data) = stored;
        Known { office, same: sent.kind == kind && sent.record_id == record_id && sent.op == op && sent.hlc == hlc && &sent.data == data }
    }
}

/// The reason a change is refused when its id was used before for different content: the
/// office's change log no longer says what it sent (a damaged or restored store, or a bug).
pub const REUSED_ID: &str = "变更编号（change_id）已收到过，但这次的内容不同：本机的修改记录可能已损坏或被恢复过，请联系县司法局信息技术人员";

/// Applies a batch in memory. `office_id` is the county's key of the office; `known` maps
/// change ids already held by the county to what [`Known`] says; `current` holds the stored
/// records of [`needed_keys`].
pub fn plan(
    office_id: Uuid,
    changes: &[Change],
    checks: &[Result<Kind, String>],
    known: &HashMap<Uuid, Known>,
    mut current: HashMap<RecordKey, Current>,
) -> Plan {
    let mut out = Plan::default();
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    for (i, (c, check)) in changes.iter().zip(checks).enumerate() {
        let result = |status, reason: Option<String>| PushResult { change_id: c.change_id, status, reason };
        if let Some(k) = known.get(&c.change_id) {
            out.results.push(if k.office != office_id {
                result(PushStatus::Rejected, Some("变更编号（change_id）已被其他司法所使用".into()))
            } else if k.same {
                result(PushStatus::Duplicate, None)
            } else {
                result(PushStatus::Rejected, Some(REUSED_ID.into()))
            });
            continue;
        }
        if let Some(&first) = seen.get(&c.change_id) {
            let f: &Change = &changes[first];
            let same = Known::of(office_id, c, (&f.kind, f.record_id, &f.op, &f.hlc, &f.data)).same;
            out.results.push(if same { result(PushStatus::Duplicate, None) } else { result(PushStatus::Rejected, Some(REUSED_ID.into())) });
            continue;
        }
        let kind = match check {
            Ok(kind) => *kind,
            Err(reason) => {
                out.results.push(result(PushStatus::Rejected, Some(reason.clone())));
                continue;
            }
        };
        let key = (c.kind.clone(), c.record_id);
        let before = out.records.get(&key).or_else(|| current.get(&key));
        let mut clocks = before.map(|b| b.clocks.clone()).unwrap_or_default();
        let view = ChangeView { op: &c.op, data: &c.data, changed_fields: &c.changed_fields, hlc: &c.hlc };
        let merged = merge(before.map(|b| &b.data), &mut clocks, view);
        // Each change is a valid record and the merge takes whole fields, so this holds; a
        // record the county could not read back is still refused rather than stored. (A new
        // record is the change's own data, checked already.)
        if before.is_some() {
            if let Err(e) = parses_as(kind, &merged) {
                out.results.push(result(PushStatus::Rejected, Some(format!("与已有记录合并后内容不正确：{e}"))));
                continue;
            }
        }
        current.remove(&key);
        out.records.insert(key, Current { data: merged, clocks });
        seen.insert(c.change_id, i);
        out.applied.push(i);
        out.results.push(result(PushStatus::Applied, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(office: Uuid, data: Value) -> Change {
        let record_id = data.get("id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()).unwrap_or_default();
        let _ = office;
        Change {
            change_id: Uuid::now_v7(),
            kind: "person".into(),
            record_id,
            op: "upsert".into(),
            version: 1,
            changed_fields: data.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default(),
            data,
            hlc: format!("{:015}-{:06}-{}", 1, 0, Uuid::nil()),
            device_id: Uuid::nil(),
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn checks_name_what_is_wrong() {
        let office = Uuid::now_v7();
        let id = Uuid::now_v7();
        let ok = change(office, json!({"id": id, "org_id": office, "name": "张三"}));
        assert_eq!(check(&ok, Some(office)), Ok(Kind::Person));
        let other = check(&ok, Some(Uuid::now_v7())).unwrap_err();
        assert!(other.contains("不属于本所"), "{other}");
        let bad_type = change(office, json!({"id": id, "org_id": office, "name": 5}));
        let e = check(&bad_type, Some(office)).unwrap_err();
        assert!(e.contains("name") && e.contains("类型不对"), "{e}");
        let bad_code = change(office, json!({"id": id, "org_id": office, "gender": "x"}));
        assert!(check(&bad_code, Some(office)).unwrap_err().contains("gender"));
        let mut kind = ok.clone();
        kind.kind = "nope".into();
        assert!(check(&kind, Some(office)).unwrap_err().contains("未知的记录类别"));
        let mut hlc = ok.clone();
        hlc.hlc = "999".into();
        assert!(check(&hlc, Some(office)).unwrap_err().contains("hlc"));
        let nul = change(office, json!({"id": id, "org_id": office, "name": "a\u{0}b"}));
        assert!(check(&nul, Some(office)).unwrap_err().contains("空字符"));
    }

    #[test]
    fn a_batch_applies_each_change_once() {
        let office = Uuid::now_v7();
        let id = Uuid::now_v7();
        let a = change(office, json!({"id": id, "org_id": office, "name": "张三"}));
        let changes = vec![a.clone(), a.clone()];
        let checks: Vec<_> = changes.iter().map(|c| check(c, Some(office))).collect();
        let p = plan(office, &changes, &checks, &HashMap::new(), HashMap::new());
        assert_eq!(p.applied, vec![0]);
        assert_eq!(p.results[1].status, PushStatus::Duplicate);
        let known = HashMap::from([(a.change_id, Known { office, same: true })]);
        let p = plan(office, &changes[..1], &checks[..1], &known, HashMap::new());
        assert!(p.applied.is_empty() && p.results[0].status == PushStatus::Duplicate);
        // The same id again with other content: refused, not taken for a duplicate.
        let known = HashMap::from([(a.change_id, Known { office, same: false })]);
        let p = plan(office, &changes[..1], &checks[..1], &known, HashMap::new());
        assert!(p.applied.is_empty() && p.results[0].status == PushStatus::Rejected);
        assert_eq!(p.results[0].reason.as_deref(), Some(REUSED_ID));
        let mut other = a.clone();
        other.data["name"] = json!("李四");
        let twice = vec![a.clone(), other];
        let checks: Vec<_> = twice.iter().map(|c| check(c, Some(office))).collect();
        let p = plan(office, &twice, &checks, &HashMap::new(), HashMap::new());
        assert_eq!(p.applied, vec![0]);
        assert_eq!((p.results[1].status, p.results[1].reason.as_deref()), (PushStatus::Rejected, Some(REUSED_ID)));
    }
}
