//! Finding the header of a ledger (below any title rows, over one or two rows with merged
//! cells) and mapping its columns onto fields by their Chinese names and synonyms; the clerk's
//! [`Mapping`] corrects what was guessed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clean::half_width;
use crate::grid::{column_index, column_letter, Grid};
use crate::SheetError;

/// Which ledger a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// 矛盾纠纷调解台账: one dispute case per row.
    Disputes,
    /// 矛盾纠纷排查登记台账: one screening item per row.
    Screenings,
    /// 刑满释放人员（安置帮教）台账: one released person per row.
    Released,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 3] = [LedgerKind::Disputes, LedgerKind::Screenings, LedgerKind::Released];
    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::Disputes => "纠纷调解台账",
            LedgerKind::Screenings => "矛盾纠纷排查台账",
            LedgerKind::Released => "安置帮教台账",
        }
    }
    pub fn fields(self) -> &'static [Field] {
        match self {
            LedgerKind::Disputes => DISPUTE_FIELDS,
            LedgerKind::Screenings => SCREENING_FIELDS,
            LedgerKind::Released => RELEASED_FIELDS,
        }
    }
}

/// A field a column can hold.
#[derive(Debug)]
pub struct Field {
    pub code: &'static str,
    pub label: &'static str,
    /// Header texts that mean this field (compared without spaces and punctuation).
    pub synonyms: &'static [&'static str],
    /// Without this column no row can be imported.
    pub required: bool,
}

macro_rules! f {
    ($code:literal, $label:literal, [$($s:literal),*]) => { Field { code: $code, label: $label, synonyms: &[$($s),*], required: false } };
    ($code:literal, $label:literal, [$($s:literal),*], required) => { Field { code: $code, label: $label, synonyms: &[$($s),*], required: true } };
}

/// Columns that are known but carry nothing to import (they help find the header row).
const IGNORED: &[&str] = &["序号", "编码", "备注", "附件", "页数", "页码", "操作"];

pub const DISPUTE_FIELDS: &[Field] = &[
    f!("case_no", "编号", ["编号", "案号", "卷号", "案件编号", "卷宗号", "协议编号", "调解编号", "档案号"], required),
    f!("accepted_on", "受理日期", ["受理日期", "受理时间", "受理", "登记日期", "登记时间", "收案日期", "立案日期"], required),
    f!("applied_on", "申请日期", ["申请日期", "申请时间"]),
    f!("parties", "当事人", ["当事人", "当事人姓名", "双方当事人", "纠纷当事人", "当事人名称"]),
    f!("applicant", "申请人", ["申请人", "申请人姓名", "甲方"]),
    f!("respondent", "被申请人", ["被申请人", "被申请人姓名", "乙方", "对方当事人"]),
    f!("dispute_type", "纠纷类型", ["纠纷类型", "纠纷类别", "纠纷种类", "案件类型", "类型", "类别", "案件类别"], required),
    f!("title", "案由/纠纷名称", ["案由", "纠纷名称", "纠纷事由", "事由", "案件名称"]),
    f!("summary", "纠纷简要情况", ["纠纷简要情况", "简要情况", "简要案情", "基本情况", "纠纷情况", "主要事实", "纠纷内容", "案情简介", "纠纷概况"]),
    f!("result", "调解结果", ["调解结果", "处理结果", "结果", "调处结果", "调解情况", "是否调解成功"]),
    f!("agreement_form", "协议形式", ["协议形式", "协议类型", "书面口头"]),
    f!("closed_on", "结案日期", ["结案日期", "结案时间", "调结日期", "办结日期", "结案", "调结时间"]),
    f!("source", "案件来源", ["案件来源", "来源", "纠纷来源"]),
    f!("amount", "涉及金额", ["涉及金额", "协议金额", "金额", "标的额", "协议涉及金额"]),
    f!("mediator", "调解员", ["调解员", "主调解员", "承办人", "调解人", "经办人", "承办调解员"]),
    f!("committee", "调委会", ["调委会", "调解委员会", "人民调解委员会", "调解组织", "承办单位"]),
    f!("occurred_place", "发生地点", ["发生地点", "纠纷地点", "地点"]),
];

pub const SCREENING_FIELDS: &[Field] = &[
    f!("found_on", "排查日期", ["排查日期", "排查时间", "发现日期", "发现时间"], required),
    f!("unit", "排查单位", ["排查单位", "所属村居", "村居", "村（居）", "村(居)", "所属村", "村社区", "单位", "所在村居", "网格"], required),
    f!("screener", "排查人", ["排查人", "排查人员", "信息员"]),
    f!("place", "发现地点", ["发现地点", "地点", "发生地点"]),
    f!("parties", "当事人", ["当事人", "当事人姓名", "涉及当事人", "双方当事人"], required),
    f!("dispute_type", "纠纷类型", ["纠纷类型", "纠纷类别", "矛盾类型", "类型", "类别"], required),
    f!("people_involved", "涉及人数", ["涉及人数", "人数", "涉及人员数"]),
    f!("summary", "纠纷简要情况", ["纠纷简要情况", "简要情况", "基本情况", "主要内容", "矛盾纠纷情况", "纠纷情况", "主要问题"], required),
    f!("risk_level", "风险等级", ["风险等级", "规模", "等级", "风险", "纠纷等级"]),
    f!("disposition", "处置措施", ["处置措施", "处置方式", "化解措施", "化解方式", "处置情况", "处理措施"]),
    f!("responsible", "责任人", ["责任人", "化解责任人", "包案领导", "包案责任人"]),
    f!("deadline", "化解时限", ["化解时限", "时限", "办结时限"]),
    f!("status", "化解结果", ["化解结果", "化解情况", "化解状态", "办理结果", "是否化解", "处理结果"]),
    f!("resolved_on", "化解日期", ["化解日期", "化解时间", "办结日期"]),
];

pub const RELEASED_FIELDS: &[Field] = &[
    f!("name", "姓名", ["姓名", "帮教对象", "帮教对象姓名", "人员姓名"], required),
    f!("id_number", "公民身份号码", ["公民身份号码", "身份证号", "身份证号码", "身份证", "证件号码", "身份号码"], required),
    f!("gender", "性别", ["性别"]),
    f!("ethnicity", "民族", ["民族"]),
    f!("phone", "联系电话", ["联系电话", "电话", "联系方式", "手机号码"]),
    f!("hukou_address", "户籍地", ["户籍地", "户籍地址", "户籍所在地", "户口所在地"]),
    f!("residence_address", "现住址", ["现住址", "居住地", "现居住地", "家庭住址", "住址", "现居住地址"]),
    f!("crime_name", "原罪名", ["原罪名", "罪名", "所犯罪名", "犯罪类型"], required),
    f!("sentence_term", "原判刑期", ["原判刑期", "刑期", "判处刑期", "判决刑期"], required),
    f!("prison_name", "服刑场所", ["服刑场所", "原服刑场所", "服刑单位", "监狱", "服刑监所", "释放单位"], required),
    f!("released_on", "释放日期", ["释放日期", "刑满释放日期", "释放时间", "出狱日期", "刑满日期", "刑满时间"], required),
    f!("assessment_type", "危险性评估", ["危险性评估类型", "危险性评估", "帮教类别", "帮教类型", "管理类别", "帮教等级", "人员类别", "重点一般"]),
    f!("is_recidivist", "是否累犯", ["是否累犯", "累犯"]),
    f!("notice_received_on", "收到通知书日期", ["收到通知书日期", "通知书收到日期", "收到通知日期", "通知书日期"]),
    f!("handover_on", "衔接日期", ["衔接日期", "衔接时间", "接回日期"]),
    f!("handover_method", "衔接情况", ["衔接情况", "衔接方式"]),
    f!("police_registration_on", "户籍登记日期", ["户籍登记日期", "落户日期", "户籍报到日期", "户口登记日期"]),
    f!("resettled_on", "安置日期", ["安置日期", "安置时间"]),
    f!("resettlement_method", "安置情况", ["安置情况", "安置方式"]),
    f!("help_period_end", "帮教期满日期", ["帮教期满日期", "帮教期止", "帮教期限至", "帮教结束日期", "帮教期满"]),
    f!("help_status", "帮教状态", ["帮教状态", "在册状态"]),
];

/// What the clerk says about a sheet, to correct the guess. Every part is optional.
///
/// ```json
/// {"kind": "disputes", "sheet": "2024年台账", "header_row": 3,
///  "columns": {"当事人（甲方）": "applicant", "F": "accepted_on", "备注": null}}
/// ```
/// `columns` keys are header texts or column letters; a `null` value ignores the column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mapping {
    pub kind: Option<LedgerKind>,
    pub sheet: Option<String>,
    /// The (last) header row, counted from 1 as Excel shows it.
    pub header_row: Option<usize>,
    pub columns: BTreeMap<String, Option<String>>,
}

/// One column of the sheet and what it was mapped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub index: usize,
    /// Excel's letter, e.g. "C".
    pub letter: String,
    /// The header as read (parent and child joined for two-row headers).
    pub header: String,
    /// The field code, or none when the column is not imported.
    pub field: Option<&'static str>,
    pub field_label: Option<&'static str>,
    /// Set by the clerk's mapping rather than guessed.
    pub from_mapping: bool,
}

/// The header of a sheet: where it is and what each column holds.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub kind: LedgerKind,
    pub sheet: String,
    /// 0-based rows of the header (one or two).
    pub first_row: usize,
    pub last_row: usize,
    pub columns: Vec<Column>,
    /// Required fields no column holds.
    pub missing: Vec<&'static str>,
    /// Notes for the clerk (a field held by two columns …).
    pub notes: Vec<String>,
}

impl Header {
    pub fn column_of(&self, field: &str) -> Option<usize> {
        self.columns.iter().find(|c| c.field == Some(field)).map(|c| c.index)
    }
    pub fn header_of(&self, field: &str) -> Option<&str> {
        self.columns.iter().find(|c| c.field == Some(field)).map(|c| c.header.as_str())
    }
}

/// Header text compared without spaces, line breaks, asterisks and the unit in brackets.
pub fn normalize_header(s: &str) -> String {
    let s = half_width(s);
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '*' | ':' | '：' | '、' | '/' | '.' | '·') => {}
            c => out.push(c),
        }
    }
    if out.is_empty() {
        s.split_whitespace().collect()
    } else {
        out
    }
}

/// The field a header names exactly (its code, or one of its synonyms).
fn exact_field(kind: LedgerKind, header: &str) -> Option<&'static Field> {
    let h = normalize_header(header);
    if h.is_empty() {
        return None;
    }
    kind.fields().iter().find(|f| f.code == h || f.synonyms.iter().any(|s| normalize_header(s) == h))
}

/// The field whose longest synonym the header contains.
fn contained_field(kind: LedgerKind, header: &str) -> Option<&'static Field> {
    let h = normalize_header(header);
    // A long text (a title, a note) is not a header.
    if h.chars().count() > 12 {
        return None;
    }
    let mut best: Option<(&Field, usize)> = None;
    for f in kind.fields() {
        for s in f.synonyms {
            let s = normalize_header(s);
            if s.chars().count() >= 2 && h.contains(&s) && best.is_none_or(|(_, n)| s.len() > n) {
                best = Some((f, s.len()));
            }
        }
    }
    best.map(|(f, _)| f)
}

/// The field a header names, for a kind: an exact synonym first, then the longest synonym
/// the header contains.
pub fn match_field(kind: LedgerKind, header: &str) -> Option<&'static Field> {
    exact_field(kind, header).or_else(|| contained_field(kind, header))
}

fn is_ignored(header: &str) -> bool {
    let h = normalize_header(header);
    IGNORED.iter().any(|i| h == *i)
}

fn header_texts(g: &Grid, row: usize) -> Vec<String> {
    (0..g.width()).map(|c| crate::clean::text(g.cell(row, c)).unwrap_or_default()).collect()
}

/// How many different cells of a row name a field of `kind` (or a known column to ignore);
/// a title merged across the sheet counts once.
fn score(g: &Grid, row: usize, kind: LedgerKind) -> usize {
    let mut texts = header_texts(g, row);
    texts.sort();
    texts.dedup();
    texts.iter().filter(|t| !t.is_empty() && (match_field(kind, t).is_some() || is_ignored(t))).count()
}

/// Finds the header in the first rows of a sheet (or at the row the mapping names) and maps
/// its columns.
pub fn detect(g: &Grid, kind: Option<LedgerKind>, mapping: &Mapping) -> Result<Header, SheetError> {
    const SCAN_ROWS: usize = 30;
    let kinds: Vec<LedgerKind> = kind.map(|k| vec![k]).unwrap_or_else(|| LedgerKind::ALL.to_vec());
    let rows: Vec<usize> = match mapping.header_row {
        Some(r) if r >= 1 => vec![r - 1],
        Some(_) => return Err(SheetError::Mapping("header_row 从1开始计数".into())),
        None => (0..g.rows.len().min(SCAN_ROWS)).collect(),
    };
    // The best (row, kind) by score; the first on ties.
    let mut best: Option<(usize, LedgerKind, usize)> = None;
    for &r in &rows {
        for &k in &kinds {
            let s = score(g, r, k);
            if s > 0 && best.is_none_or(|(_, _, b)| s > b) {
                best = Some((r, k, s));
            }
        }
    }
    // A header row the clerk named is taken even if nothing on it looks like a header.
    if best.is_none() && mapping.header_row.is_some() {
        if let Some(k) = kind {
            best = Some((rows[0], k, 0));
        }
    }
    let Some((mut row, kind, _)) = best else {
        return Err(SheetError::NoHeader(g.name.clone()));
    };
    // A two-row header: the upper row has cells merged across some columns (or down both
    // rows), and the lower row names what is under them.
    let width = g.width();
    let two_rows = |upper: usize| {
        g.merges.iter().any(|m| {
            (m.first_row == upper && m.last_row == upper && m.last_col > m.first_col && m.last_col - m.first_col + 1 < width)
                || (m.first_row == upper && m.last_row == upper + 1)
        })
    };
    let mut first = row;
    if row > 0 && two_rows(row - 1) && score(g, row - 1, kind) >= 2 {
        first = row - 1;
    } else if mapping.header_row.is_none() && row + 1 < g.rows.len() && two_rows(row) && score(g, row + 1, kind) > 0 {
        row += 1;
    }
    let parents = header_texts(g, first);
    let children = header_texts(g, row);
    let mut columns = Vec::new();
    let mut taken: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut notes = Vec::new();
    for c in 0..g.width() {
        let parent = if first < row { parents[c].clone() } else { String::new() };
        let child = children[c].clone();
        let header = match (parent.is_empty() || parent == child, child.is_empty()) {
            (true, _) => child.clone(),
            (false, true) => parent.clone(),
            (false, false) => format!("{parent}/{child}"),
        };
        if header.is_empty() {
            continue;
        }
        // Exact names first — the joined text ("日期"+"受理" also read as 受理日期), the
        // child, the parent — then names contained in the child, the joined text, the parent.
        let mut texts = vec![format!("{parent}{child}")];
        if parent.is_empty() || parent == child || child.is_empty() {
            texts = vec![header.clone()];
        }
        if !parent.is_empty() && !child.is_empty() && parent != child {
            texts.extend([format!("{child}{parent}"), child.clone(), parent.clone()]);
        }
        let field = texts.iter().find_map(|t| exact_field(kind, t)).or_else(|| {
            let order = if texts.len() > 1 { vec![&texts[2], &texts[0], &texts[3]] } else { vec![&texts[0]] };
            order.into_iter().find_map(|t| contained_field(kind, t))
        });
        let mut column = Column {
            index: c,
            letter: column_letter(c),
            header,
            field: field.map(|f| f.code),
            field_label: field.map(|f| f.label),
            from_mapping: false,
        };
        if let Some(code) = column.field {
            if let Some(prev) = taken.get(code) {
                notes.push(format!(
                    "第{}列“{}”与第{}列都像是“{}”，只取第{}列；如不对请在映射中指定",
                    column.letter,
                    column.header,
                    column_letter(*prev),
                    field.map(|f| f.label).unwrap_or(code),
                    column_letter(*prev)
                ));
                column.field = None;
                column.field_label = None;
            } else {
                taken.insert(code, c);
            }
        }
        columns.push(column);
    }
    // The clerk's corrections.
    for (key, target) in &mapping.columns {
        let idx = column_index(key)
            .filter(|_| !columns.iter().any(|c| normalize_header(&c.header) == normalize_header(key)))
            .or_else(|| columns.iter().find(|c| c.header == *key || normalize_header(&c.header) == normalize_header(key)).map(|c| c.index))
            .ok_or_else(|| SheetError::Mapping(format!("映射中的列“{key}”在表头中找不到（可写表头文字或列字母，如C）")))?;
        let field = match target {
            None => None,
            Some(code) => Some(kind.fields().iter().find(|f| f.code == code || f.label == code).ok_or_else(|| {
                SheetError::Mapping(format!(
                    "映射中的字段“{code}”不是{}的字段（可用：{}）",
                    kind.label(),
                    kind.fields().iter().map(|f| format!("{} {}", f.code, f.label)).collect::<Vec<_>>().join("、")
                ))
            })?),
        };
        // A field given to this column is taken from any other.
        if let Some(f) = field {
            for c in columns.iter_mut().filter(|c| c.field == Some(f.code)) {
                c.field = None;
                c.field_label = None;
            }
        }
        let col = match columns.iter_mut().find(|c| c.index == idx) {
            Some(c) => c,
            None => {
                columns.push(Column {
                    index: idx,
                    letter: column_letter(idx),
                    header: String::new(),
                    field: None,
                    field_label: None,
                    from_mapping: true,
                });
                columns.sort_by_key(|c| c.index);
                columns.iter_mut().find(|c| c.index == idx).expect("just pushed")
            }
        };
        col.field = field.map(|f| f.code);
        col.field_label = field.map(|f| f.label);
        col.from_mapping = true;
    }
    let mapped: Vec<&str> = columns.iter().filter_map(|c| c.field).collect();
    let mut missing: Vec<&'static str> = kind.fields().iter().filter(|f| f.required && !mapped.contains(&f.code)).map(|f| f.label).collect();
    // Disputes name their parties in one column or two.
    if kind == LedgerKind::Disputes && !mapped.iter().any(|m| matches!(*m, "parties" | "applicant" | "respondent")) {
        missing.push("当事人");
    }
    Ok(Header { kind, sheet: g.name.clone(), first_row: first, last_row: row, columns, missing, notes })
}

/// Picks the sheet: the one the mapping names, else the one whose header scores best.
pub fn choose<'g>(grids: &'g [Grid], mapping: &Mapping) -> Result<(&'g Grid, Header), SheetError> {
    if let Some(name) = &mapping.sheet {
        let g = grids.iter().find(|g| &g.name == name).ok_or_else(|| {
            SheetError::Mapping(format!(
                "工作簿中没有名为“{name}”的工作表（有：{}）",
                grids.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join("、")
            ))
        })?;
        return Ok((g, detect(g, mapping.kind, mapping)?));
    }
    let mut best: Option<(&Grid, Header, usize)> = None;
    for g in grids {
        match detect(g, mapping.kind, mapping) {
            Ok(h) => {
                let n = h.columns.iter().filter(|c| c.field.is_some()).count();
                if best.as_ref().is_none_or(|(_, _, b)| n > *b) {
                    best = Some((g, h, n));
                }
            }
            Err(e @ SheetError::Mapping(_)) => return Err(e),
            Err(_) => {}
        }
    }
    best.map(|(g, h, _)| (g, h)).ok_or_else(|| SheetError::NoHeader(grids.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join("、")))
}
