//! `stats`: the 人民调解案件情况统计表 and the metrics of domain.md §3.3–3.4.

use chrono::NaiveDate;

use crate::{CliError, Env};

pub fn stats(env: &Env, from: NaiveDate, to: NaiveDate) -> Result<(), CliError> {
    if from > to {
        return Err(CliError::Usage(format!("起始日期{from}晚于截止日期{to}")));
    }
    let _store = super::open(env)?;
    Err(CliError::Usage("统计功能尚未完成".into()))
}
