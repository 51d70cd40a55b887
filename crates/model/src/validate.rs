//! Field-level validation that a clerk can act on: every issue names the field (its
//! snake_case key and its Chinese label) and says what to do, in Chinese.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Longest single-line value (names, places, numbers …).
pub const MAX_LINE_CHARS: usize = 200;
/// Longest free-text value (a record's content). A full mediation transcript is well below this.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The clock and settings validation runs against; tests pass a fixed one.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    /// Length of the 帮教期 in years (domain.md §3.6: 5 by default, configurable per county).
    pub help_period_years: u32,
}

impl Ctx {
    pub fn at(now: DateTime<Utc>) -> Self {
        // Offices are in China: "today" is the date in UTC+8, not in UTC.
        let today = (now + chrono::Duration::hours(8)).date_naive();
        Ctx { today, now, help_period_years: 5 }
    }
    pub fn system() -> Self {
        Ctx::at(Utc::now())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldIssue {
    /// Path of the field, e.g. `parties[1].person.id_number`.
    pub field: String,
    /// The field's Chinese label, e.g. 公民身份号码.
    pub label: String,
    pub message: String,
}

impl std::fmt::Display for FieldIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（{}）：{}", self.label, self.field, self.message)
    }
}

/// Collects errors (which refuse the save) and warnings (which do not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Issues {
    pub errors: Vec<FieldIssue>,
    pub warnings: Vec<FieldIssue>,
    #[serde(skip)]
    prefix: String,
}

impl Issues {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }
    pub fn error(&mut self, field: &str, label: &str, message: impl Into<String>) {
        let field = self.path(field);
        self.errors.push(FieldIssue { field, label: label.to_string(), message: message.into() });
    }
    pub fn warn(&mut self, field: &str, label: &str, message: impl Into<String>) {
        let field = self.path(field);
        self.warnings.push(FieldIssue { field, label: label.to_string(), message: message.into() });
    }
    /// Runs `f` with field paths prefixed, for nested records (`parties[0].person`).
    pub fn nested(&mut self, prefix: &str, f: impl FnOnce(&mut Issues)) {
        let saved = std::mem::replace(&mut self.prefix, String::new());
        self.prefix = if saved.is_empty() { prefix.to_string() } else { format!("{saved}.{prefix}") };
        f(self);
        self.prefix = saved;
    }
    pub fn into_result(self) -> Result<Vec<FieldIssue>, Invalid> {
        if self.errors.is_empty() {
            Ok(self.warnings)
        } else {
            Err(Invalid { errors: self.errors })
        }
    }

    // --- checks -------------------------------------------------------------------------

    pub fn required<T>(&mut self, field: &str, label: &str, value: &Option<T>) {
        if value.is_none() {
            self.error(field, label, "必须填写");
        }
    }
    pub fn required_text(&mut self, field: &str, label: &str, value: &Option<String>) {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            self.error(field, label, "必须填写");
        }
    }
    pub fn required_list<T>(&mut self, field: &str, label: &str, value: &[T]) {
        if value.is_empty() {
            self.error(field, label, "至少填写一项");
        }
    }

    /// A one-line value: no line breaks or control characters, at most [`MAX_LINE_CHARS`].
    pub fn line(&mut self, field: &str, label: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.text_limits(field, label, v, MAX_LINE_CHARS, false);
        }
    }
    /// Free text: line breaks and tabs allowed, at most [`MAX_TEXT_CHARS`].
    pub fn text(&mut self, field: &str, label: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.text_limits(field, label, v, MAX_TEXT_CHARS, true);
        }
    }
    pub fn lines(&mut self, field: &str, label: &str, values: &[String]) {
        for (i, v) in values.iter().enumerate() {
            self.text_limits(&format!("{field}[{i}]"), label, v, MAX_TEXT_CHARS, true);
        }
    }

    fn text_limits(&mut self, field: &str, label: &str, v: &str, max: usize, multiline: bool) {
        let n = v.chars().count();
        if n > max {
            self.error(field, label, format!("内容过长（{n}字），最多{max}字"));
            return;
        }
        if let Some(c) = v.chars().find(|&c| is_forbidden_control(c, multiline)) {
            let what = if multiline { "不可见的控制字符" } else { "换行或不可见的控制字符" };
            self.error(field, label, format!("含有{what}（U+{:04X}），请删除后重新输入", c as u32));
        }
    }

    /// A person's or unit's name: letters of any script (including rare CJK characters), the
    /// middle dot of minority and foreign names, spaces, brackets and digits for unit names.
    pub fn name(&mut self, field: &str, label: &str, value: &Option<String>, allow_unit_chars: bool) {
        let Some(v) = value else { return };
        let trimmed = v.trim();
        if trimmed.is_empty() {
            return;
        }
        self.text_limits(field, label, v, if allow_unit_chars { MAX_LINE_CHARS } else { 50 }, false);
        let bad = trimmed.chars().find(|&c| {
            let ok = c.is_alphabetic()
                || matches!(c, '·' | '•' | '・' | ' ' | '-' | '.')
                || (allow_unit_chars && (c.is_ascii_digit() || "（）()、“”\"&－—_".contains(c)));
            !ok
        });
        if let Some(c) = bad {
            self.error(field, label, format!("含有不能用于名称的字符“{c}”"));
        }
    }

    pub fn phone(&mut self, field: &str, label: &str, value: &Option<String>) {
        let Some(v) = value else { return };
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
        let ok = v.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')' | '转')) && (5..=20).contains(&digits);
        if !ok {
            self.error(field, label, "电话号码格式不正确（5–20位数字，可含“-”）");
        }
    }

    /// 行政区划代码: 6 (GB/T 2260), 9 (with township) or 12 (NBS) digits.
    pub fn division_code(&mut self, field: &str, label: &str, value: &Option<String>) {
        let Some(v) = value else { return };
        if !(matches!(v.len(), 6 | 9 | 12) && v.chars().all(|c| c.is_ascii_digit())) {
            self.error(field, label, "行政区划代码应为6位、9位或12位数字");
        }
    }

    pub fn not_future(&mut self, field: &str, label: &str, date: Option<NaiveDate>, ctx: &Ctx) {
        if let Some(d) = date {
            if d > ctx.today {
                self.error(field, label, format!("{}晚于今天（{}），请核对", cn_date(d), cn_date(ctx.today)));
            }
        }
    }
    pub fn not_future_time(&mut self, field: &str, label: &str, at: Option<DateTime<Utc>>, ctx: &Ctx) {
        // A few minutes of slack: office PC clocks drift.
        if let Some(t) = at {
            if t > ctx.now + chrono::Duration::minutes(10) {
                self.error(field, label, "时间晚于当前时间，请核对");
            }
        }
    }
    /// An end never before its start; the error is put on the end field.
    pub fn date_order(
        &mut self,
        (start_field, start_label, start): (&str, &str, Option<NaiveDate>),
        (end_field, end_label, end): (&str, &str, Option<NaiveDate>),
    ) {
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                self.error(end_field, end_label, format!("{}（{}）早于{}（{}）", end_label, cn_date(e), start_label, cn_date(s)));
                let _ = start_field;
            }
        }
    }
    pub fn time_order(
        &mut self,
        (start_label, start): (&str, Option<DateTime<Utc>>),
        (end_field, end_label, end): (&str, &str, Option<DateTime<Utc>>),
    ) {
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                self.error(end_field, end_label, format!("{end_label}早于{start_label}"));
            }
        }
    }
    pub fn non_negative(&mut self, field: &str, label: &str, value: Option<i64>) {
        if let Some(v) = value {
            if v < 0 {
                self.error(field, label, "不能为负数");
            }
        }
    }
}

fn is_forbidden_control(c: char, multiline: bool) -> bool {
    if multiline && matches!(c, '\n' | '\r' | '\t') {
        return false;
    }
    c.is_control() || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// "2024年5月6日", the date style of the forms (GB/T 9704: Arabic numerals).
pub fn cn_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A record that failed validation; Display lists every issue, one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{}", self.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct Invalid {
    pub errors: Vec<FieldIssue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_and_messages() {
        let mut issues = Issues::new();
        issues.nested("parties[0]", |i| i.nested("person", |i| i.required_text("name", "姓名", &None)));
        assert_eq!(issues.errors[0].field, "parties[0].person.name");
        assert_eq!(issues.errors[0].to_string(), "姓名（parties[0].person.name）：必须填写");
    }

    #[test]
    fn control_characters_and_length() {
        let mut i = Issues::new();
        i.line("title", "案由", &Some("张三\u{7}".into()));
        i.line("place", "地点", &Some("一行\n两行".into()));
        i.text("content", "记录", &Some("第一行\n第二行\t".into()));
        i.text("summary", "简要情况", &Some("字".repeat(MAX_TEXT_CHARS + 1)));
        assert_eq!(i.errors.len(), 3, "{:?}", i.errors);
        assert!(i.errors[2].message.contains("内容过长"));
    }

    #[test]
    fn names_accept_rare_characters_and_refuse_markup() {
        let mut i = Issues::new();
        for ok in ["𠮷野", "王䶮", "李堃", "阿依古丽·买买提", "John Smith"] {
            i.name("name", "姓名", &Some(ok.into()), false);
        }
        assert!(i.is_ok(), "{:?}", i.errors);
        i.name("name", "姓名", &Some("张三'); DROP TABLE person;--".into()), false);
        i.name("name", "姓名", &Some("张三😀".into()), false);
        assert_eq!(i.errors.len(), 2);
    }
}
