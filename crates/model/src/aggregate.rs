//! Aggregates: a record with everything filed under it. These are the lines of
//! `fengqiao-cli export` (JSON Lines, one aggregate per line) and what forms are printed from.

use serde::{Deserialize, Serialize};

use crate::mediation::*;
use crate::released::*;
use crate::screening::*;

/// A party with the person or unit it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct PartyEntry {
    #[serde(flatten)]
    pub party: CaseParty,
    pub person: Option<Person>,
    pub entity: Option<LegalEntity>,
}

impl PartyEntry {
    /// The name to print: the person's or the unit's.
    pub fn name(&self) -> &str {
        self.person.as_ref().and_then(|p| p.name.as_deref()).or_else(|| self.entity.as_ref().and_then(|e| e.name.as_deref())).unwrap_or("")
    }
}

/// A dispute case with its whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CaseFile {
    #[serde(flatten)]
    pub case: DisputeCase,
    pub parties: Vec<PartyEntry>,
    pub investigations: Vec<InvestigationRecord>,
    pub sessions: Vec<MediationSession>,
    pub agreement: Option<Agreement>,
    pub return_visits: Vec<ReturnVisit>,
}

/// A screening round with its items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RoundFile {
    #[serde(flatten)]
    pub round: ScreeningRound,
    pub items: Vec<ScreeningItem>,
}

/// A released person's file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ReleasedFile {
    #[serde(flatten)]
    pub released: ReleasedPerson,
    pub person: Option<Person>,
    pub help_group: Option<HelpGroup>,
    pub help_visits: Vec<HelpVisit>,
    pub assessment_changes: Vec<AssessmentChange>,
    pub handover_events: Vec<HandoverEvent>,
}

/// One line of the interchange format. Persons and units referenced by no party or released
/// file (a witness, a visited household) travel as lines of their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum ExportLine {
    Organization(Organization),
    Mediator(Mediator),
    Person(Person),
    LegalEntity(LegalEntity),
    DisputeCase(CaseFile),
    ScreeningRound(RoundFile),
    FieldVisit(FieldVisit),
    ReleasedPerson(ReleasedFile),
}

impl ExportLine {
    pub fn kind_code(&self) -> &'static str {
        match self {
            ExportLine::Organization(_) => "organization",
            ExportLine::Mediator(_) => "mediator",
            ExportLine::Person(_) => "person",
            ExportLine::LegalEntity(_) => "legal_entity",
            ExportLine::DisputeCase(_) => "dispute_case",
            ExportLine::ScreeningRound(_) => "screening_round",
            ExportLine::FieldVisit(_) => "field_visit",
            ExportLine::ReleasedPerson(_) => "released_person",
        }
    }
}

/// Parses one line of the interchange format. The error names the field path and says what
/// is wrong in Chinese; keys the format does not know are refused rather than dropped, so a
/// misspelt column never loses data silently.
pub fn parse_line(line: &str) -> Result<ExportLine, crate::validate::FieldIssue> {
    use crate::validate::FieldIssue;
    let issue = |field: String, message: String| FieldIssue { field, label: "字段".into(), message };
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| FieldIssue {
        field: String::new(),
        label: "整行".into(),
        message: format!("不是有效的JSON（第{}列附近）：{}", e.column(), json_error_cn(&e)),
    })?;
    let kind = match value.get("kind") {
        Some(serde_json::Value::String(k)) => k.clone(),
        Some(_) => return Err(issue("kind".into(), "记录类别（kind）应为文字".into())),
        None if value.is_object() => return Err(issue("kind".into(), "缺少记录类别（kind）".into())),
        None => return Err(issue(String::new(), "每行应是一个JSON对象".into())),
    };
    let parsed = match kind.as_str() {
        "organization" => parse_as(&value).map(ExportLine::Organization),
        "mediator" => parse_as(&value).map(ExportLine::Mediator),
        "person" => parse_as(&value).map(ExportLine::Person),
        "legal_entity" => parse_as(&value).map(ExportLine::LegalEntity),
        "dispute_case" => parse_as(&value).map(ExportLine::DisputeCase),
        "screening_round" => parse_as(&value).map(ExportLine::ScreeningRound),
        "field_visit" => parse_as(&value).map(ExportLine::FieldVisit),
        "released_person" => parse_as(&value).map(ExportLine::ReleasedPerson),
        other => {
            return Err(issue(
                "kind".into(),
                format!(
                    "记录类别“{}”不存在（可用：organization、mediator、person、legal_entity、dispute_case、screening_round、field_visit、released_person）",
                    other.chars().take(40).collect::<String>()
                ),
            ))
        }
    }
    .map_err(|(field, message)| issue(field, message))?;
    let back = serde_json::to_value(&parsed).expect("records always serialize");
    if let Some(path) = unknown_key(&value, &back, String::new()) {
        return Err(issue(path, "不是本格式的字段名，请检查拼写".into()));
    }
    Ok(parsed)
}

/// Deserializes `value` as `T`; on failure finds the innermost field that fails.
fn parse_as<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, (String, String)> {
    serde_json::from_value::<T>(value.clone()).map_err(|e| {
        let mut path = Vec::new();
        locate::<T>(&mut path, value).unwrap_or_else(|| (String::new(), type_error_cn(&e.to_string())))
    })
}

enum Seg {
    Key(String),
    Index(usize),
}

/// Rebuilds the minimal JSON around `leaf` at `path` (arrays hold just that element).
fn wrap(path: &[Seg], leaf: serde_json::Value) -> serde_json::Value {
    path.iter().rev().fold(leaf, |inner, seg| match seg {
        Seg::Key(k) => serde_json::json!({ k.as_str(): inner }),
        Seg::Index(_) => serde_json::Value::Array(vec![inner]),
    })
}

fn path_text(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if s.is_empty() => s.push_str(k),
            Seg::Key(k) => s.push_str(&format!(".{k}")),
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Probes each child alone (every record field has a default), descending into the one that
/// fails. Internally tagged and flattened records lose serde's own paths; this does not.
fn locate<T: serde::de::DeserializeOwned>(path: &mut Vec<Seg>, v: &serde_json::Value) -> Option<(String, String)> {
    use serde_json::Value;
    let children: Vec<(Seg, &Value)> = match v {
        Value::Object(m) => m.iter().filter(|(k, _)| !(path.is_empty() && *k == "kind")).map(|(k, c)| (Seg::Key(k.clone()), c)).collect(),
        Value::Array(a) => a.iter().enumerate().map(|(i, c)| (Seg::Index(i), c)).collect(),
        _ => return None,
    };
    for (seg, child) in children {
        path.push(seg);
        if let Err(e) = serde_json::from_value::<T>(wrap(path, child.clone())) {
            return Some(locate::<T>(path, child).unwrap_or_else(|| (path_text(path), type_error_cn(&e.to_string()))));
        }
        path.pop();
    }
    None
}

/// The first key present in `input` but absent from the re-serialized `known`.
fn unknown_key(input: &serde_json::Value, known: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match (input, known) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| {
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            match b.get(k) {
                None => Some(p),
                Some(bv) => unknown_key(v, bv, p),
            }
        }),
        (Value::Array(a), Value::Array(b)) => a.iter().zip(b).enumerate().find_map(|(i, (x, y))| unknown_key(x, y, format!("{path}[{i}]"))),
        _ => None,
    }
}

fn json_error_cn(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "内容不完整".into(),
        Category::Syntax => "语法错误".into(),
        _ => e.to_string(),
    }
}

/// Turns serde's English type errors into Chinese; our own code errors are Chinese already.
fn type_error_cn(msg: &str) -> String {
    if msg.contains('“') {
        return msg.split(" at line").next().unwrap_or(msg).to_string();
    }
    if msg.starts_with("unknown variant") {
        return format!("记录类别不存在：{msg}");
    }
    if msg.starts_with("missing field `kind`") {
        return "缺少记录类别（kind）".into();
    }
    if msg.starts_with("invalid type") {
        let found = msg.split(", expected").next().unwrap_or(msg).trim_start_matches("invalid type: ");
        return format!("值的类型不对（{found}）");
    }
    if msg.contains("UUID") || msg.contains("uuid") {
        return "不是有效的记录编号（UUID）".into();
    }
    if msg.contains("input contains invalid characters")
        || msg.contains("premature end of input")
        || msg.contains("input is out of range")
        || msg.contains("trailing input")
    {
        return "日期或时间格式不对（日期应为YYYY-MM-DD，时间应为RFC 3339）".into();
    }
    format!("值不正确：{msg}")
}
