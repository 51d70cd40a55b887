//! 公民身份号码 as the clerk types it: valid or why not, and the gender and birth date it gives.

use chrono::NaiveDate;
use fengqiao_model::{id_number, Gender};
use serde::Serialize;

use crate::AppState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdCheck {
    pub valid: bool,
    /// The canonical 18-character number (a 15-digit one converted).
    pub number: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    /// Age today.
    pub age: Option<u32>,
    pub converted_from_15: bool,
    /// Why the number is refused.
    pub error: Option<String>,
    /// What does not refuse it (an unknown area code).
    pub warnings: Vec<String>,
}

pub fn check_id_number(state: &AppState, input: String) -> IdCheck {
    let today = state.ctx().today;
    match id_number::parse(&input, today) {
        Ok(id) => IdCheck {
            valid: true,
            age: Some(id_number::age_on(id.birth_date, today)),
            number: Some(id.number),
            gender: Some(id.gender),
            birth_date: Some(id.birth_date),
            converted_from_15: id.converted_from_15,
            error: None,
            warnings: id.warnings,
        },
        Err(e) => IdCheck {
            valid: false,
            number: None,
            gender: None,
            birth_date: None,
            age: None,
            converted_from_15: false,
            error: Some(e.to_string()),
            warnings: Vec::new(),
        },
    }
}
