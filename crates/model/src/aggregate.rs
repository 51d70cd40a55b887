//! Aggregates: a record with everything filed under it. These are the lines of
//! `fengqiao-cli export` (JSON Lines, one aggregate per line) and what forms are printed from.

use serde::{Deserialize, Serialize};

use crate::mediation::*;
use crate::released::*;
use crate::screening::*;

/// A party with the person or unit it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
        self.person
            .as_ref()
            .and_then(|p| p.name.as_deref())
            .or_else(|| self.entity.as_ref().and_then(|e| e.name.as_deref()))
            .unwrap_or("")
    }
}

/// A dispute case with its whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
#[serde(default)]
pub struct RoundFile {
    #[serde(flatten)]
    pub round: ScreeningRound,
    pub items: Vec<ScreeningItem>,
}

/// A released person's file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| FieldIssue {
        field: String::new(),
        label: "整行".into(),
        message: format!("不是有效的JSON（第{}列附近）：{}", e.column(), json_error_cn(&e)),
    })?;
    let parsed: ExportLine = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        FieldIssue { field: if path == "." { String::new() } else { path }, label: "字段".into(), message: type_error_cn(&inner) }
    })?;
    let back = serde_json::to_value(&parsed).expect("records always serialize");
    if let Some(path) = unknown_key(&value, &back, String::new()) {
        return Err(FieldIssue { field: path, label: "字段".into(), message: "不是本格式的字段名，请检查拼写".into() });
    }
    Ok(parsed)
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
        (Value::Array(a), Value::Array(b)) => {
            a.iter().zip(b).enumerate().find_map(|(i, (x, y))| unknown_key(x, y, format!("{path}[{i}]")))
        }
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
    if msg.contains("input contains invalid characters") || msg.contains("premature end of input") || msg.contains("input is out of range") || msg.contains("trailing input") {
        return "日期或时间格式不对（日期应为YYYY-MM-DD，时间应为RFC 3339）".into();
    }
    format!("值不正确：{msg}")
}
