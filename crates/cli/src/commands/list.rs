//! `list`: the three ledgers as tables (or JSON pages).

use chrono::NaiveDate;
use fengqiao_store::{DisputeFilter, Page, ReleasedFilter, ScreeningFilter};
use serde::Serialize;

use super::open;
use crate::args::ListKind;
use crate::table::Table;
use crate::{CliError, Env};

pub fn list(env: &Env, what: ListKind, query: Option<String>, page: u32, page_size: u32) -> Result<(), CliError> {
    if page == 0 {
        return Err(CliError::Usage("页码从1开始".into()));
    }
    if !(1..=fengqiao_store::MAX_PAGE_SIZE).contains(&page_size) {
        return Err(CliError::Usage(format!("每页条数应在1到{}之间", fengqiao_store::MAX_PAGE_SIZE)));
    }
    let store = open(env)?;
    let query = query.filter(|q| !q.trim().is_empty());
    match what {
        ListKind::Disputes => {
            let p = store.list_disputes(&DisputeFilter { query, page, page_size, ..Default::default() })?;
            print(
                env,
                &p,
                "件纠纷案件",
                |t| {
                    for r in &p.rows {
                        let c = &r.case;
                        t.row(vec![
                            c.case_no.clone().unwrap_or_else(|| "（未编号）".into()),
                            c.title.clone().unwrap_or_default(),
                            r.party_names.clone(),
                            c.dispute_type.map(|d| d.label().to_string()).unwrap_or_else(dash),
                            c.status.label().to_string(),
                            date(c.accepted_on),
                        ]);
                    }
                },
                &[("编号", 0), ("案由/纠纷名称", 40), ("当事人", 24), ("纠纷类型", 0), ("状态", 0), ("受理日期", 0)],
            )
        }
        ListKind::Screenings => {
            let p = store.list_screenings(&ScreeningFilter { query, page, page_size, ..Default::default() })?;
            print(
                env,
                &p,
                "次排查",
                |t| {
                    for r in &p.rows {
                        let s = &r.round;
                        let period = format!("{} {}至{}", s.period_type.map(|p| p.label()).unwrap_or("—"), date(s.period_start), date(s.period_end));
                        let found = if s.found_count > 0 {
                            format!("{}条", s.found_count)
                        } else if s.zero_report {
                            "零报告".into()
                        } else {
                            "0条".into()
                        };
                        t.row(vec![s.unit_name.clone().unwrap_or_default(), period, date(s.screened_on), found]);
                    }
                },
                &[("排查单位", 24), ("周期", 0), ("排查日期", 0), ("发现纠纷", 0)],
            )
        }
        ListKind::Released => {
            let p = store.list_released(&ReleasedFilter { query, page, page_size, ..Default::default() })?;
            print(
                env,
                &p,
                "名安置帮教对象",
                |t| {
                    for r in &p.rows {
                        let x = &r.released;
                        t.row(vec![
                            r.name.clone().unwrap_or_default(),
                            r.id_number.clone().unwrap_or_default(),
                            x.assessment_type.map(|a| a.label().to_string()).unwrap_or_else(dash),
                            date(x.released_on),
                            x.help_status.map(|h| h.label().to_string()).unwrap_or_else(dash),
                        ]);
                    }
                },
                &[("姓名", 0), ("公民身份号码", 0), ("危险性评估", 0), ("释放日期", 0), ("帮教状态", 0)],
            )
        }
    }
}

fn dash() -> String {
    "—".into()
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(dash)
}

fn print<T: Serialize>(
    env: &Env,
    page: &Page<T>,
    noun: &str,
    fill: impl FnOnce(&mut Table),
    columns: &[(&'static str, usize)],
) -> Result<(), CliError> {
    if env.json {
        crate::out(&format!("{}\n", serde_json::to_string(page).map_err(|e| CliError::Usage(e.to_string()))?));
        return Ok(());
    }
    if page.total == 0 {
        crate::out(&format!("没有找到符合条件的记录（共0{noun}）\n"));
        return Ok(());
    }
    let mut t = Table::new(columns);
    fill(&mut t);
    let pages = (page.total as u64).div_ceil(page.page_size as u64).max(1);
    let footer = if page.rows.is_empty() {
        format!("第{}页没有记录（共{}{noun}，{pages}页）", page.page, page.total)
    } else {
        format!("共{}{noun}，第{}/{pages}页，每页{}条", page.total, page.page, page.page_size)
    };
    crate::out(&format!("{}{footer}\n", t.render()));
    Ok(())
}
