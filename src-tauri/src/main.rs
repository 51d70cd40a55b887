//! 枫桥 desktop: the window and its commands. Each command is a one-line adapter into
//! `fengqiao-app`, run on the blocking pool so a long store call never freezes the window.

#![cfg_attr(all(not(debug_assertions), target_os = "windows"), windows_subsystem = "windows")]

use std::sync::Arc;

use fengqiao_app::env::{self, Launch};
use fengqiao_app::*;
use fengqiao_model::{
    Agreement, AssessmentChange, DisputeCase, HandoverEvent, HelpGroup, HelpVisit, Issues, MediationSession, Mediator, Organization, ReturnVisit,
    RoundFile, ScreeningItem, ScreeningRound,
};
use tauri::State;
use uuid::Uuid;

type St<'a> = State<'a, Arc<AppState>>;

/// The program's log (DATA/logs), opened before the window.
static LOG: std::sync::OnceLock<logs::Log> = std::sync::OnceLock::new();

/// Runs a command body off the UI thread; a failure is logged by its code.
async fn run<T: Send + 'static>(state: St<'_>, f: impl FnOnce(&AppState) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    run_named("", state, f).await
}

async fn run_named<T: Send + 'static>(
    name: &'static str,
    state: St<'_>,
    f: impl FnOnce(&AppState) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let state = state.inner().clone();
    let result = tauri::async_runtime::spawn_blocking(move || f(&state)).await.map_err(|e| AppError::new("internal", format!("内部错误：{e}")))?;
    if let (Err(e), Some(log)) = (&result, LOG.get()) {
        log.command_failed(name, e);
    }
    result
}

/// `name(arg: Type) -> Output = path::function;` becomes an async Tauri command calling it;
/// the leading `shell [..];` lists the few commands that need the window itself (defined below).
macro_rules! commands {
    (shell [$($shell:ident),* $(,)?]; $( $name:ident ( $($arg:ident : $ty:ty)? ) -> $out:ty = $body:path; )*) => {
        $(
            #[tauri::command]
            async fn $name(state: St<'_> $(, $arg: $ty)?) -> Result<$out, AppError> {
                run_named(stringify!($name), state, move |s| $body(s $(, $arg)?)).await
            }
        )*
        fn handlers() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name,)* $($shell),*]
        }
    };
}

fn id_check(s: &AppState, input: String) -> Result<idcheck::IdCheck, AppError> {
    Ok(idcheck::check_id_number(s, input))
}

/// Opens a PDF of the print folder in the system's viewer, where the clerk prints it. Opening
/// is the shell's concern (tauri-plugin-opener, called from Rust: the webview gets no opener
/// permission); which file may be opened is fengqiao-app's.
#[tauri::command]
async fn open_print(app: tauri::AppHandle, state: St<'_>, file_name: String) -> Result<(), AppError> {
    use tauri_plugin_opener::OpenerExt;
    let path = run(state, move |s| print::open_path(s, file_name)).await?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| AppError::new("open", format!("无法用本机的PDF阅读器打开“{}”：{e}", path.display())))
}

/// 关于: versions, the data and log folders.
#[tauri::command]
async fn about(state: St<'_>) -> Result<about::About, AppError> {
    let log = LOG.get().expect("the log is opened before the window");
    run(state, move |s| about::about(s, log)).await
}

/// Opens the log folder in the file manager, for sending the logs to the county's IT staff.
#[tauri::command]
fn open_logs(app: tauri::AppHandle) -> Result<(), AppError> {
    use tauri_plugin_opener::OpenerExt;
    let dir = LOG.get().expect("the log is opened before the window").dir();
    std::fs::create_dir_all(dir).map_err(|e| AppError::new("open", format!("无法建立日志文件夹“{}”：{e}", dir.display())))?;
    app.opener()
        .open_path(dir.to_string_lossy(), None::<&str>)
        .map_err(|e| AppError::new("open", format!("无法打开日志文件夹“{}”：{e}", dir.display())))
}

commands! {
    shell [app_ready, open_print, about, open_logs];
    app_status() -> setup::AppStatus = setup::status;
    first_run(input: setup::FirstRunInput) -> setup::AppStatus = setup::first_run;
    join_office(input: setup::JoinInput) -> setup::AppStatus = setup::join_office;
    joined_office() -> setup::JoinedOffice = setup::joined_office;
    complete_joined_office(input: setup::CompleteOfficeInput) -> setup::AppStatus = setup::complete_joined_office;
    sign_in(input: accounts::SignInInput) -> setup::AppStatus = accounts::sign_in;
    lock_window() -> setup::AppStatus = accounts::lock;
    unlock(input: accounts::SignInInput) -> setup::AppStatus = accounts::unlock;
    reset_with_recovery(input: accounts::RecoveryResetInput) -> setup::AppStatus = accounts::reset_with_recovery;
    secure_office(input: accounts::NewAccountInput) -> setup::AppStatus = accounts::secure_office;
    acknowledge_recovery_key() -> setup::AppStatus = accounts::acknowledge_recovery_key;
    list_accounts() -> Vec<accounts::AccountView> = accounts::list_accounts;
    add_account(input: accounts::NewAccountInput) -> accounts::AccountView = accounts::add_account;
    change_account(input: accounts::AccountChangeInput) -> accounts::AccountView = accounts::change_account;
    set_account_password(input: accounts::SetPasswordInput) -> () = accounts::set_account_password;
    change_own_password(input: accounts::ChangePasswordInput) -> () = accounts::change_own_password;
    set_idle_lock_minutes(minutes: u32) -> setup::AppStatus = accounts::set_idle_lock_minutes;
    audit_log(input: audit_log::AuditQuery) -> audit_log::AuditLogView = audit_log::audit_log;
    backup_office(input: backup::BackupInput) -> backup::BackupDone = backup::backup_office;
    backup_info(input: backup::BackupFileInput) -> backup::BackupSummary = backup::backup_info;
    restore_office(input: backup::BackupFileInput) -> backup::BackupSummary = backup::restore_office;
    dashboard() -> dashboard::Dashboard = dashboard::dashboard;
    dashboard_reminders() -> dashboard::DashboardReminders = dashboard::dashboard_reminders;
    list_cases(input: cases::LedgerQuery) -> cases::LedgerPage = cases::list_cases;
    get_case(id: Uuid) -> cases::CaseView = cases::get_case;
    create_case(input: cases::IntakeInput) -> cases::CaseUpdate = cases::create_case;
    save_case(input: DisputeCase) -> cases::CaseUpdate = cases::save_case;
    delete_case(id: Uuid) -> () = cases::delete_case;
    save_party(input: cases::PartyInput) -> cases::CaseUpdate = cases::save_party;
    save_investigation(input: cases::InvestigationInput) -> cases::CaseUpdate = cases::save_investigation;
    save_session(input: MediationSession) -> cases::CaseUpdate = cases::save_session;
    save_agreement(input: Agreement) -> cases::CaseUpdate = cases::save_agreement;
    save_return_visit(input: ReturnVisit) -> cases::CaseUpdate = cases::save_return_visit;
    delete_case_record(input: cases::CaseRecordRef) -> cases::CaseView = cases::delete_case_record;
    transition_case(input: cases::TransitionInput) -> cases::CaseView = cases::transition;
    list_rounds(input: screening::RoundQuery) -> screening::RoundPage = screening::list_rounds;
    get_round(id: Uuid) -> RoundFile = screening::get_round;
    save_round(input: ScreeningRound) -> screening::RoundUpdate = screening::save_round;
    save_item(input: ScreeningItem) -> screening::RoundUpdate = screening::save_item;
    delete_item(id: Uuid) -> RoundFile = screening::delete_item;
    zero_report(input: screening::ZeroReportInput) -> screening::RoundUpdate = screening::zero_report;
    open_case_from_item(input: screening::OpenCaseInput) -> cases::CaseView = screening::open_case_from_item;
    list_released(input: released::ReleasedQuery) -> released::ReleasedPage = released::list_released;
    get_released(id: Uuid) -> released::ReleasedView = released::get_released;
    save_released(input: released::ReleasedInput) -> released::ReleasedView = released::save_released;
    save_help_group(input: HelpGroup) -> released::ReleasedView = released::save_help_group;
    save_help_visit(input: HelpVisit) -> released::ReleasedView = released::save_help_visit;
    save_handover_event(input: HandoverEvent) -> released::ReleasedView = released::save_handover_event;
    save_assessment_change(input: AssessmentChange) -> released::ReleasedView = released::save_assessment_change;
    release_from_help(input: released::ReleaseFromHelpInput) -> released::ReleasedView = released::release_from_help;
    reveal_personal(input: privacy::RevealInput) -> privacy::PersonalNumbers = privacy::reveal_personal;
    statistics(input: statistics::PeriodInput) -> statistics::StatisticsView = statistics::statistics;
    print_documents() -> Vec<print::PrintableDocument> = print::documents;
    print(input: print::PrintInput) -> print::Printed = print::print;
    print_batch(input: print::BatchInput) -> print::BatchStatus = print::start_batch;
    print_batch_status(id: u64) -> print::BatchStatus = print::batch_status;
    print_batch_cancel(id: u64) -> print::BatchStatus = print::cancel_batch;
    settings() -> settings::SettingsView = settings::settings;
    save_organization(input: Organization) -> settings::SettingsView = settings::save_organization;
    save_mediator(input: Mediator) -> settings::SettingsView = settings::save_mediator;
    delete_mediator(id: Uuid) -> settings::SettingsView = settings::delete_mediator;
    save_staff(input: settings::StaffInput) -> settings::SettingsView = settings::save_staff;
    set_county_server(server: Option<String>) -> settings::SettingsView = settings::set_county_server;
    enroll(input: sync::EnrollInput) -> settings::SettingsView = sync::enroll;
    sync_status() -> sync::SyncIndicator = sync::sync_status;
    sync_overview() -> sync::SyncOverview = sync::sync_overview;
    sync_now() -> sync::SyncIndicator = sync::sync_now;
    check_id_number(input: String) -> idcheck::IdCheck = id_check;
    validate_record(input: validate::ValidateInput) -> Issues = validate::validate_record;
    list_reminders(input: reminders::ReminderQuery) -> reminders::ReminderPage = reminders::list_reminders;
    record_reminders(input: reminders::RecordRemindersInput) -> Vec<ReminderItem> = reminders::record_reminders;
    acknowledge_reminder(input: reminders::AcknowledgeInput) -> ReminderItem = reminders::acknowledge_reminder;
    snooze_reminder(input: reminders::SnoozeInput) -> ReminderItem = reminders::snooze_reminder;
    reminder_settings() -> reminders::ReminderSettingsPage = reminders::reminder_settings;
    save_reminder_settings(input: reminders::ReminderSettingsView) -> reminders::ReminderSettingsPage = reminders::save_reminder_settings;
    import_preview(input: excel::ImportInput) -> excel::ImportPreview = excel::import_preview;
    import_commit(token: u64) -> excel::ImportResult = excel::import_commit;
    import_cancel(token: u64) -> () = excel::import_cancel;
    export_xlsx(input: excel::ExportInput) -> excel::ExportResult = excel::export_xlsx;
}

/// The once-a-day notification: the decision is `reminders::daily_notification` (it remembers
/// the day in the store); this only shows it, at start and then every quarter of an hour.
fn notify_daily(app: tauri::AppHandle, state: Arc<AppState>) {
    use tauri_plugin_notification::NotificationExt;
    std::thread::spawn(move || loop {
        // The first check waits until the first screen is up: on a big office computing the
        // reminders takes seconds and holds the store.
        std::thread::sleep(std::time::Duration::from_secs(20));
        match reminders::daily_notification(&state) {
            Ok(Some(n)) => {
                if let Err(e) = app.notification().builder().title(&n.title).body(&n.body).show() {
                    eprintln!("提示：无法显示桌面通知：{e}");
                }
            }
            Ok(None) => {}
            // Before first run there is nothing to remind of; before sign-in and while the
            // window is locked, nothing is shown.
            Err(e) if matches!(e.code.as_str(), "not_initialized" | "signed_out" | "locked") => {}
            Err(e) => eprintln!("提示：检查到期提醒时出错：{e}"),
        }
        std::thread::sleep(std::time::Duration::from_secs(15 * 60 - 20));
    });
}

/// When the process started, for the cold-start figure.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The UI calls this once its first screen is interactive (data shown, input accepted).
/// With FENGQIAO_EXIT_WHEN_READY set it prints the time since launch and quits: the cold-start
/// benchmark (ui/e2e/bench.mjs) runs the real app this way.
#[tauri::command]
fn app_ready(app: tauri::AppHandle, screen: String) {
    if std::env::var_os("FENGQIAO_EXIT_WHEN_READY").is_some() {
        let ms = STARTED.get().map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
        println!("ready {screen} {ms:.1}");
        app.exit(0);
    }
}

fn main() {
    STARTED.get_or_init(std::time::Instant::now);
    let launch = env::parse_args(std::env::args().skip(1)).unwrap_or_else(|e| {
        eprintln!("错误：{e}\n\n{}", env::USAGE);
        std::process::exit(2)
    });
    let data_dir = match launch {
        Launch::Version => {
            println!("fengqiao {}", fengqiao_app::VERSION);
            return;
        }
        Launch::Help => {
            print!("{}", env::USAGE);
            return;
        }
        Launch::Run { data_dir } => data_dir,
    };
    let clock = env::clock_from_env().unwrap_or_else(|e| {
        eprintln!("错误：{e}");
        std::process::exit(2)
    });
    let log = LOG.get_or_init(|| logs::Log::new(&data_dir));
    log.started();
    // A crash is logged by its place in the code (its message may hold what the clerk typed).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let (Some(log), Some(at)) = (LOG.get(), info.location()) {
            log.error(&format!("程序异常：{}:{}", at.file(), at.line()));
        }
        default_hook(info);
    }));
    let print_data_dir = data_dir.clone();
    let state = Arc::new(AppState::open(data_dir, clock));
    if let Some(e) = state.open_error_code() {
        log.error(&format!("无法打开数据：{e}"));
    }
    // The sync agent, on the app's store, when this PC is enrolled with the county.
    sync::start(&state);
    let notifier = state.clone();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .setup(move |app| {
            notify_daily(app.handle().clone(), notifier);
            Ok(())
        })
        .invoke_handler(handlers())
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("错误：无法启动窗口：{e}");
            std::process::exit(1)
        })
        .run(move |_, event| {
            // The printed PDFs hold records in clear: gone when the window closes.
            if let tauri::RunEvent::Exit = event {
                print::clear_prints(&print_data_dir);
            }
        });
}
