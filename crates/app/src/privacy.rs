//! 个人信息保护: ID and phone numbers are shown masked (`350502********123X`, `138****5678`)
//! in every list, for everyone, and in the detail views of an account that may not see them
//! whole (只读). Where the full numbers of a released person are shown, printed or exported,
//! the audit log records it: opening the file (once per person per account per hour, so the
//! screen re-rendering does not flood the log), a number shown on demand
//! ([`reveal_personal`]), every print of a 安置帮教 form, every export of the 安置帮教 ledger.
//!
//! A masked value must never be saved back over the real one: the saves refuse an ID or phone
//! number containing `*` on its field ([`MaskedCheck`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use chrono::{DateTime, Duration, Utc};
use fengqiao_model::*;
use fengqiao_store::{Permission, Store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AppError, AppState};

/// What stands for a hidden character.
pub const MASK: char = '*';

// ---------------------------------------------------------------------------------------------
// Masking

/// An ID number with its middle hidden: the first 6 (the area) and the last 4 kept, every
/// character between masked — `350502********123X` for 18 characters, `350502*****1234` for
/// an old 15-digit number. A shorter number of another ID type (a passport) keeps its first
/// character and its last 2; one under 6 characters is hidden whole. Empty stays empty.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        11.. => (6, 4),
        6..=10 => (1, 2),
        _ => (0, 0),
    };
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= n - tail { *c } else { MASK }).collect()
}

/// A phone number with its middle hidden: a mobile keeps its first 3 and last 4 digits
/// (`138****5678`, a `+86` kept); a landline keeps its area code and its last 4 digits
/// (`0591-****4321`), or the last 2 of a short one; an extension (`转123`) is kept. The
/// separators stay where they were; several numbers in one field are each masked. Empty stays
/// empty.
pub fn mask_phone(phone: &str) -> String {
    let phone = phone.trim();
    let mut out = String::new();
    let mut piece = String::new();
    for c in phone.chars() {
        if matches!(c, '/' | '、' | ',' | '，' | ';' | '；' | '|') {
            out.push_str(&mask_one_phone(&piece));
            out.push(c);
            piece.clear();
        } else {
            piece.push(c);
        }
    }
    out.push_str(&mask_one_phone(&piece));
    out
}

fn mask_one_phone(p: &str) -> String {
    // The extension is not masked (it says nothing of the person).
    let cut = p.find(['转', 'x', 'X', '#']).or_else(|| p.find("ext")).unwrap_or(p.len());
    let (main, ext) = p.split_at(cut);
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    let (head, tail) = phone_keep(main, &digits);
    let mut k = 0;
    let masked: String = main
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            let keep = k < head || k + tail >= n;
            k += 1;
            if keep {
                c
            } else {
                MASK
            }
        })
        .collect();
    format!("{masked}{ext}")
}

/// How many digits a phone number keeps at its start and at its end.
fn phone_keep(main: &str, digits: &str) -> (usize, usize) {
    let n = digits.len();
    // A mobile, with or without the country code (+86, 0086).
    let cc = match n {
        13 if digits.starts_with("86") => 2,
        15 if digits.starts_with("0086") => 4,
        _ => 0,
    };
    if n - cc == 11 && digits[cc..].starts_with('1') {
        return (cc + 3, 4);
    }
    let keep_local = |local: usize| match local {
        7.. => 4,
        4..=6 => 2,
        _ => 0,
    };
    if digits.starts_with('0') && n >= 8 {
        // The area code as written (`0591-`, `(0591)`), else as the numbering plan has it:
        // 3 digits for 010 and 02x, 4 for the rest.
        let groups: Vec<&str> = main.split(|c: char| !c.is_ascii_digit()).filter(|g| !g.is_empty()).collect();
        let area = match groups.as_slice() {
            [first, _, ..] if first.starts_with('0') && (3..=4).contains(&first.len()) => first.len(),
            _ if matches!(digits.as_bytes()[1], b'1' | b'2') => 3,
            _ => 4,
        };
        return (area, keep_local(n - area));
    }
    (0, keep_local(n))
}

/// Whether a value is a masked one (as shown, not as stored).
pub fn is_masked(value: &str) -> bool {
    value.contains([MASK, '＊'])
}

fn mask_opt(v: &mut Option<String>, f: fn(&str) -> String) {
    if let Some(s) = v.as_mut() {
        *s = f(s);
    }
}

pub(crate) fn mask_person(p: &mut Person) {
    mask_opt(&mut p.id_number, mask_id_number);
    mask_opt(&mut p.phone, mask_phone);
}

pub(crate) fn mask_entity(e: &mut LegalEntity) {
    mask_opt(&mut e.phone, mask_phone);
}

/// Every party's ID and phone numbers.
pub(crate) fn mask_case_file(f: &mut CaseFile) {
    for p in &mut f.parties {
        if let Some(person) = p.person.as_mut() {
            mask_person(person);
        }
        if let Some(entity) = p.entity.as_mut() {
            mask_entity(entity);
        }
    }
}

/// The person's ID and phone numbers and the 帮教小组's phones.
pub(crate) fn mask_released_file(f: &mut ReleasedFile) {
    if let Some(person) = f.person.as_mut() {
        mask_person(person);
    }
    if let Some(g) = f.help_group.as_mut() {
        for m in &mut g.members {
            mask_opt(&mut m.phone, mask_phone);
        }
    }
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Whether the file holds any number that masking hides.
fn has_personal_numbers(f: &ReleasedFile) -> bool {
    f.person.as_ref().is_some_and(|p| filled(&p.id_number) || filled(&p.phone))
        || f.help_group.as_ref().is_some_and(|g| g.members.iter().any(|m| filled(&m.phone)))
}

/// Whether the signed-in account may see numbers whole (a store without accounts allows all).
pub(crate) fn may_see_personal(store: &Store) -> bool {
    store.require_permission(Permission::SeePersonal).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Recording

/// How long an opened file's full numbers go unrecorded again for the same account.
const UNMASK_QUIET_HOURS: i64 = 1;

/// When each account last had each released person's file recorded as opened whole, per data
/// directory (in memory: a restart records the next opening again).
type Seen = HashMap<(PathBuf, String, Uuid), DateTime<Utc>>;

fn seen() -> MutexGuard<'static, Seen> {
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// Who is looking: the signed-in account, or the actor of a store without accounts.
fn viewer(store: &Store) -> String {
    store.account().map(|a| a.id.to_string()).unwrap_or_else(|| format!("actor:{}", store.actor()))
}

pub(crate) fn person_name(f: &ReleasedFile) -> &str {
    f.person.as_ref().and_then(|p| p.name.as_deref()).filter(|n| !n.trim().is_empty()).unwrap_or("未填姓名")
}

/// Records that `file` is shown with its full numbers, unless this account's opening of it
/// was recorded within the hour (or there is nothing to hide).
pub(crate) fn note_released_unmasked(store: &mut Store, file: &ReleasedFile) -> Result<(), AppError> {
    if !has_personal_numbers(file) {
        return Ok(());
    }
    let now = store.now();
    let quiet = Duration::hours(UNMASK_QUIET_HOURS);
    let key = (store.data_dir(), viewer(store), file.released.meta.id);
    if seen().get(&key).is_some_and(|&at| at <= now && now - at < quiet) {
        return Ok(());
    }
    let summary = format!("查看安置帮教档案（含完整身份证号、电话）：{}", person_name(file));
    store.record_access("unmask", Kind::ReleasedPerson, file.released.meta.id, &summary)?;
    let mut seen = seen();
    seen.retain(|_, at| *at <= now && now - *at < quiet);
    seen.insert(key, now);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Saving: a masked value is never written back

/// Collects the fields of a save that hold a masked value (as a masked view shows it), to
/// refuse the save on those fields before anything is written.
#[derive(Default)]
pub(crate) struct MaskedCheck {
    issues: Vec<FieldIssue>,
}

impl MaskedCheck {
    pub fn new() -> MaskedCheck {
        MaskedCheck::default()
    }

    fn value(&mut self, path: String, label: &str, value: &Option<String>, what: &str) {
        if value.as_deref().is_some_and(is_masked) {
            self.issues.push(FieldIssue {
                field: path,
                label: label.into(),
                message: format!("显示的是隐去中间位的号码（含“*”），不能保存；请填写完整的{what}"),
            });
        }
    }

    fn at(prefix: &str, field: &str) -> String {
        if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        }
    }

    pub fn person(&mut self, prefix: &str, p: &Person) -> &mut Self {
        self.value(Self::at(prefix, "id_number"), "公民身份号码", &p.id_number, "证件号码");
        self.value(Self::at(prefix, "phone"), "联系方式", &p.phone, "电话号码");
        self
    }

    pub fn entity(&mut self, prefix: &str, e: &LegalEntity) -> &mut Self {
        self.value(Self::at(prefix, "phone"), "联系电话", &e.phone, "电话号码");
        self
    }

    pub fn help_group(&mut self, g: &HelpGroup) -> &mut Self {
        for (n, m) in g.members.iter().enumerate() {
            self.value(format!("members[{n}].phone"), "联系电话", &m.phone, "电话号码");
        }
        self
    }

    /// Refuses with every masked field, or lets the save go on.
    pub fn finish(&mut self) -> Result<(), AppError> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(std::mem::take(&mut self.issues)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 显示: one record's full numbers on demand

/// The record whose numbers to show: a released person (`released_person`), a person
/// (`person`) or a party of a case (`case_party`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RevealInput {
    pub kind: Kind,
    pub id: Uuid,
}

/// The full numbers of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonalNumbers {
    pub kind: Kind,
    pub id: Uuid,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// Shows one record's full ID and phone numbers (the 显示 button of a list), for an account
/// that may see them; recorded in the audit log every time.
pub fn reveal_personal(state: &AppState, input: RevealInput) -> Result<PersonalNumbers, AppError> {
    state.require(Permission::SeePersonal)?;
    state.with(|s| {
        let person_of = |s: &Store, id: Option<Uuid>| -> Result<Option<Person>, AppError> {
            Ok(match id {
                Some(id) => s.get::<Person>(id)?,
                None => None,
            })
        };
        let (what, name, id_number, phone) = match input.kind {
            Kind::ReleasedPerson => {
                let r = s.require::<ReleasedPerson>(input.id)?;
                let p = person_of(s, r.person_id)?.unwrap_or_default();
                ("安置帮教对象", p.name, p.id_number, p.phone)
            }
            Kind::Person => {
                let p = s.require::<Person>(input.id)?;
                ("人员", p.name, p.id_number, p.phone)
            }
            Kind::CaseParty => {
                let party = s.require::<CaseParty>(input.id)?;
                match (person_of(s, party.person_id)?, party.entity_id) {
                    (Some(p), _) => ("当事人", p.name, p.id_number, p.phone),
                    (None, Some(e)) => {
                        let e = s.require::<LegalEntity>(e)?;
                        ("当事人", e.name, None, e.phone)
                    }
                    (None, None) => ("当事人", None, None, None),
                }
            }
            other => return Err(AppError::bad_input(format!("{}没有可显示的身份证号或电话", other.label()))),
        };
        let shown = name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or("未填姓名");
        let summary = format!("显示{what}完整身份证号、电话：{shown}");
        s.record_access("unmask", input.kind, input.id, &summary)?;
        Ok(PersonalNumbers { kind: input.kind, id: input.id, name, id_number, phone })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_keep_the_area_and_the_last_four() {
        assert_eq!(mask_id_number("35050219900315123X"), "350502********123X");
        assert_eq!(mask_id_number("350502900315123"), "350502*****5123");
        assert_eq!(mask_id_number(" 35050219900315123X "), "350502********123X");
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_id_number("E12345678"), "E******78");
        assert_eq!(mask_id_number("1234"), "****");
        // Masking a masked number changes nothing.
        assert_eq!(mask_id_number("350502********123X"), "350502********123X");
    }

    #[test]
    fn mobiles_keep_three_and_four() {
        assert_eq!(mask_phone("13805912345"), "138****2345");
        assert_eq!(mask_phone("138-0591-2345"), "138-****-2345");
        assert_eq!(mask_phone("+86 13805912345"), "+86 138****2345");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn landlines_keep_the_area_code_and_the_end() {
        assert_eq!(mask_phone("0591-87654321"), "0591-****4321");
        assert_eq!(mask_phone("(0591)87654321"), "(0591)****4321");
        assert_eq!(mask_phone("010-12345678"), "010-****5678");
        assert_eq!(mask_phone("059187654321"), "0591****4321");
        assert_eq!(mask_phone("02012345678"), "020****5678");
        assert_eq!(mask_phone("0591-7654321"), "0591-***4321");
        assert_eq!(mask_phone("87654321"), "****4321");
        assert_eq!(mask_phone("654321"), "****21");
        assert_eq!(mask_phone("0591-87654321转123"), "0591-****4321转123");
        assert_eq!(mask_phone("13805912345/0591-87654321"), "138****2345/0591-****4321");
    }

    #[test]
    fn masked_values_are_recognised() {
        assert!(is_masked("350502********123X"));
        assert!(is_masked("138＊＊＊＊2345"));
        assert!(!is_masked("35050219900315123X"));
    }
}
