//! 公民身份号码 (GB 11643-1999), domain.md §3.7.

use chrono::{Datelike, NaiveDate};

use crate::codes::Gender;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level codes of GB/T 2260 (digits 1–2). An unknown one only warns: abolished
/// county codes stay valid in old numbers, but a wrong province is almost always a typo.
const PROVINCE_CODES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
    "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// A valid ID number with what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    /// The canonical 18-character form (upper-case X).
    pub number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    /// Set when the number was given in the legacy 15-digit form and converted.
    pub converted_from_15: bool,
    /// Warnings that do not reject the number (unknown area code).
    pub warnings: Vec<String>,
}

/// Why an ID number was refused; the Display text is what the clerk reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("公民身份号码应为18位（或旧式15位），现为{0}位")]
    Length(usize),
    #[error("公民身份号码只能由数字组成，最后一位可以是X，发现了“{0}”")]
    BadCharacter(char),
    #[error("公民身份号码中的出生日期{0}不存在")]
    NoSuchDate(String),
    #[error("公民身份号码中的出生日期{0}晚于今天")]
    FutureBirth(NaiveDate),
    #[error("公民身份号码中的出生日期{0}早于1900年，请核对")]
    TooOld(NaiveDate),
    #[error("公民身份号码校验码错误：最后一位应为{expected}，输入的是{given}，请核对号码是否抄错")]
    CheckCharacter { expected: char, given: char },
}

/// Puts what people type into the canonical form: trims, drops inner spaces, turns full-width
/// digits and `x`/`ｘ`/`Ｘ` into ASCII upper case.
pub fn normalize_input(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'x' | 'ｘ' | 'Ｘ' => 'X',
            other => other,
        })
        .collect()
}

/// The check character for the first 17 digits.
pub fn check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// Parses and validates an ID number as entered. `today` bounds the birth date.
pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
    let s = normalize_input(input);
    let n = s.chars().count();
    if n != 18 && n != 15 {
        return Err(IdNumberError::Length(n));
    }
    for (i, c) in s.chars().enumerate() {
        let last18 = n == 18 && i == 17;
        if !(c.is_ascii_digit() || (last18 && c == 'X')) {
            return Err(IdNumberError::BadCharacter(c));
        }
    }
    let (first17, converted) = if n == 15 {
        // GB 11643-1989: 6 area + YYMMDD + 3 sequence; all such holders were born in 19xx.
        (format!("{}19{}", &s[..6], &s[6..15]), true)
    } else {
        (s[..17].to_string(), false)
    };
    let date_text = &first17[6..14];
    let birth_date = NaiveDate::parse_from_str(date_text, "%Y%m%d")
        .map_err(|_| IdNumberError::NoSuchDate(format!("{}年{}月{}日", &date_text[..4], &date_text[4..6], &date_text[6..8])))?;
    if birth_date > today {
        return Err(IdNumberError::FutureBirth(birth_date));
    }
    if birth_date.year() < 1900 {
        return Err(IdNumberError::TooOld(birth_date));
    }
    let expected = check_character(&first17).expect("17 digits checked above");
    if !converted {
        let given = s.chars().nth(17).expect("length checked");
        if given != expected {
            return Err(IdNumberError::CheckCharacter { expected, given });
        }
    }
    let seq_digit = first17.as_bytes()[16] - b'0';
    let gender = if seq_digit % 2 == 1 { Gender::Male } else { Gender::Female };
    let mut warnings = Vec::new();
    if !PROVINCE_CODES.contains(&&first17[..2]) {
        warnings.push(format!("公民身份号码的地址码{}不是已知的省级区划代码，请核对", &first17[..6]));
    }
    Ok(IdNumber { number: format!("{first17}{expected}"), birth_date, gender, converted_from_15: converted, warnings })
}

/// Age in whole years on `on`, as forms print it.
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> u32 {
    let mut age = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn domain_example_is_valid() {
        let id = parse("34052419800101001X", today()).unwrap();
        assert_eq!(id.birth_date, NaiveDate::from_ymd_opt(1980, 1, 1).unwrap());
        assert_eq!(id.gender, Gender::Male);
        assert!(id.warnings.is_empty());
    }

    #[test]
    fn lower_case_and_full_width_are_normalised() {
        assert_eq!(parse("34052419800101001x", today()).unwrap().number, "34052419800101001X");
        assert_eq!(parse(" ３４０５２４ 19800101001Ｘ", today()).unwrap().number, "34052419800101001X");
    }

    #[test]
    fn wrong_check_character_names_the_right_one() {
        let err = parse("340524198001010011", today()).unwrap_err();
        assert_eq!(err, IdNumberError::CheckCharacter { expected: 'X', given: '1' });
        assert!(err.to_string().contains("最后一位应为X"));
    }

    #[test]
    fn legacy_15_digits_are_converted() {
        let id = parse("340524800101001", today()).unwrap();
        assert_eq!(id.number, "34052419800101001X");
        assert!(id.converted_from_15);
    }

    #[test]
    fn impossible_and_future_dates_are_refused() {
        let n = |d: &str| {
            let first = format!("110101{d}123");
            format!("{first}{}", check_character(&first).unwrap())
        };
        assert!(matches!(parse(&n("20240230"), today()), Err(IdNumberError::NoSuchDate(_))));
        assert!(matches!(parse(&n("20300101"), today()), Err(IdNumberError::FutureBirth(_))));
        assert!(parse(&n("20240229"), today()).is_ok());
    }

    #[test]
    fn female_from_even_sequence_and_unknown_area_warns() {
        let first = "99010119900315002";
        let id = parse(&format!("{first}{}", check_character(first).unwrap()), today()).unwrap();
        assert_eq!(id.gender, Gender::Female);
        assert_eq!(id.warnings.len(), 1);
    }

    #[test]
    fn bad_length_and_characters() {
        assert_eq!(parse("1234", today()), Err(IdNumberError::Length(4)));
        assert_eq!(parse("34052419800101001Y", today()), Err(IdNumberError::BadCharacter('Y')));
        assert_eq!(parse("3405241980X101001X", today()), Err(IdNumberError::BadCharacter('X')));
    }

    #[test]
    fn age_counts_birthdays() {
        let b = NaiveDate::from_ymd_opt(1980, 6, 1).unwrap();
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 5, 31).unwrap()), 45);
        assert_eq!(age_on(b, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()), 46);
    }
}
