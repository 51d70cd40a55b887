//! The county's settings in the desktop app, arriving through the agent the app runs from the
//! real county server: before, 设置 → 提醒设置 is the office's own and saves; after, it shows
//! the county's with the line saying who set them and when, a local save is refused in the
//! command, and the 统计报表 and 工作台 rates are measured against the county's targets.

mod common;
#[path = "common/county.rs"]
mod county;

use common::*;
use county::*;
use fengqiao_app::dashboard;
use fengqiao_app::reminders::{reminder_settings, save_reminder_settings};
use fengqiao_app::statistics::{statistics, PeriodInput};
use fengqiao_app::sync::{self, EnrollInput};
use fengqiao_county::dashboard::{CountySettings, Dashboard};
use fengqiao_model::PeriodType;
use fengqiao_store::reminders::ReminderSettings;
use fengqiao_store::stats::Targets;

#[test]
fn the_countys_settings_are_read_only_in_the_app_and_its_targets_measure_the_rates() {
    let county = County::start();
    let (_office, code) = county.add_office();
    let app = ready();
    let state = &app.state;
    sync::set_config(state, quick());
    sync::start(state);
    sync::enroll(state, EnrollInput { server: county.url(), code }).unwrap();
    wait_until("the first sync", || synced(state));

    // Nothing from the county yet: the office's own settings, editable; default targets.
    let page = reminder_settings(state).unwrap();
    assert_eq!(page.county, None);
    let mut own = page.settings.clone();
    own.help_visit_general_months = 2;
    assert_eq!(save_reminder_settings(state, own.clone()).unwrap().settings, own);
    let period = PeriodInput { from: date(2026, 1, 1), to: date(2026, 11, 20) };
    let stats = statistics(state, period.clone()).unwrap();
    assert_eq!(stats.metrics.handover.target, Some(0.90));
    assert_eq!(stats.targets_note, "目标为默认值（县司法局尚未统一下发）");

    // The county saves its settings; 立即同步 brings them.
    let settings = CountySettings {
        county_name: "东山县司法局".into(),
        reminders: ReminderSettings { help_visit_key_months: 2, screening_village_period: PeriodType::Monthly, ..Default::default() },
        targets: Targets { handover: Some(0.95), mediation_success: Some(0.98), ..Default::default() },
        ..Default::default()
    };
    let store = county.store();
    county.block_on(async { Dashboard::new(store).unwrap().set_settings(&settings).await }).unwrap();
    sync::sync_now(state).unwrap();
    wait_until("the county's settings in force", || reminder_settings(state).unwrap().county.is_some());

    let page = reminder_settings(state).unwrap();
    let held = page.county.clone().unwrap();
    assert_eq!(held.note, "提醒周期由东山县司法局统一设置（2026年11月20日下发）");
    assert_eq!((held.county_name.as_str(), held.received_on), ("东山县司法局", date(2026, 11, 20)));
    assert_eq!(held.version, settings.policy().version);
    assert_eq!((page.settings.help_visit_key_months, page.settings.help_visit_general_months), (2, 3), "the county's, not the office's own");
    assert_eq!(page.settings.screening_village_period, PeriodType::Monthly);

    // A local save is refused by the command itself, whatever the page shows.
    let mut edited = page.settings.clone();
    edited.help_visit_key_months = 1;
    let refused = save_reminder_settings(state, edited).unwrap_err();
    assert_eq!(refused.code, "county_settings");
    assert_eq!(refused.message, "提醒周期由东山县司法局统一设置（2026年11月20日下发），本所不能修改；如需调整请联系县司法局");
    assert_eq!(reminder_settings(state).unwrap().settings, page.settings, "nothing saved");

    // The rates are measured against the county's targets.
    let stats = statistics(state, period).unwrap();
    assert_eq!((stats.metrics.handover.target, stats.metrics.mediation_success.target), (Some(0.95), Some(0.98)));
    assert_eq!(stats.targets_note, "目标由东山县司法局统一设置（2026年11月20日下发）");
    let figures = dashboard::dashboard(state).unwrap();
    assert_eq!((figures.month.handover.target, figures.month.mediation_success.target), (Some(0.95), Some(0.98)));
}
