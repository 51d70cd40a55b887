//! First run: either a new office — its 调委会 and 调解员, the first staff account and the
//! county server address (optional: the app works offline without one) — or a PC joining an
//! office already registered with the county (a second PC, a reinstalled one), with the county's
//! address and a one-time enrollment code: its records then come from the county — or, when the
//! county holds none (the office's very first PC chose to join), are filled in here as a new
//! office's would be.

use chrono::NaiveDate;
use fengqiao_model::*;
use fengqiao_store::{Store, DB_FILE};
use serde::{Deserialize, Serialize};

use crate::settings::{self, StaffMember};
use crate::state::keys;
use crate::{AppError, AppState};

/// What the window needs at start: first run or not, and who is working.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppStatus {
    pub initialized: bool,
    pub data_dir: String,
    pub version: String,
    /// Today at the office (UTC+8).
    pub today: NaiveDate,
    pub office: Option<Organization>,
    pub current_staff: Option<String>,
    /// This computer's name, the default name of this PC in the county's device list.
    pub device_name: String,
    /// Why the data could not be opened (e.g. made by a newer version).
    pub open_error: Option<AppError>,
    /// The office's data is encrypted and has accounts: the window signs in at start.
    pub secured: bool,
    /// Who signed in (None before sign-in, or for an office without accounts).
    pub account: Option<crate::accounts::AccountView>,
    /// What the signed-in account may do.
    pub can: crate::accounts::Abilities,
    /// The window is locked until the password is given again.
    pub locked: bool,
    /// Minutes without input before the window locks.
    pub idle_lock_minutes: u32,
    /// The recovery key of an office just secured, shown once until the clerk confirms.
    pub recovery_key: Option<String>,
}

pub fn status(state: &AppState) -> Result<AppStatus, AppError> {
    let shared = state.shared_store();
    let (office, current_staff, account, can, idle_lock_minutes) = match shared {
        Some(shared) => {
            let store = AppState::lock_store(shared);
            let account = store.account().map(crate::accounts::AccountView::from);
            let staff = match &account {
                Some(a) => Some(a.display_name.clone()),
                None => store.sync_setting(keys::CURRENT_STAFF)?,
            };
            (store.office().ok(), staff, account, crate::accounts::Abilities::of(&store), store.idle_lock_minutes()?)
        }
        None => (None, None, None, Default::default(), fengqiao_store::accounts::DEFAULT_IDLE_LOCK_MINUTES),
    };
    Ok(AppStatus {
        // An encrypted office is set up even before its store is opened by a sign-in.
        initialized: shared.is_some() || state.secured(),
        data_dir: state.data_dir().display().to_string(),
        version: crate::VERSION.to_string(),
        today: state.ctx().today,
        office,
        current_staff,
        device_name: fengqiao_sync::agent::device_name(),
        open_error: state.open_error().cloned(),
        secured: state.secured(),
        account,
        can,
        locked: state.is_locked(),
        idle_lock_minutes,
        recovery_key: state.pending_recovery_key(),
    })
}

/// The first-run wizard's answers.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct FirstRunInput {
    /// 司法所名称, e.g. 东山镇司法所.
    pub office_name: String,
    /// 行政区划代码 of the township (6, 9 or 12 digits).
    pub division_code: String,
    /// The office's 调委会 (its type, name and 编号代字); its 区划 defaults to the office's.
    pub committee: Organization,
    /// Its 调解员 (at least one: every case needs a 主调解员).
    pub mediators: Vec<Mediator>,
    /// The first staff account's 姓名: who is working at this PC, the office's 所长 account.
    pub staff_name: String,
    /// Its 登录名 and password: the office's data is encrypted, and the password opens it.
    pub login_name: String,
    pub password: String,
    /// 县司法局 server address; empty = work offline.
    pub county_server: Option<String>,
}

/// A new office's own answers — 司法所名称 and 行政区划代码, its 调委会 and 调解员 — checked
/// against the model's rules into `issues`, each problem on its field (`office.name`,
/// `committee.number_prefix`, `mediators[0].gender` …): first run's, and a joined office's
/// when the county held nothing for it ([`complete_joined_office`]).
fn check_office(
    office_name: &str,
    division_code: &str,
    committee: &Organization,
    mediators: &[Mediator],
    ctx: &Ctx,
    issues: &mut Issues,
) -> (Organization, Organization, Vec<Mediator>) {
    let mut office = Organization {
        name: Some(office_name.trim().to_string()),
        org_type: Some(OrgType::JudicialOffice),
        division_code: Some(division_code.trim().to_string()),
        ..Default::default()
    };
    office.normalize(ctx);
    issues.nested("office", |i| office.validate(ctx, i));
    let mut committee = committee.clone();
    committee.org_type = Some(OrgType::MediationCommittee);
    committee.meta.draft = false;
    let inherited = committee.division_code.as_deref().is_none_or(|c| c.trim().is_empty());
    if inherited {
        committee.division_code = office.division_code.clone();
    }
    committee.normalize(ctx);
    let mut own = Issues::new();
    own.nested("committee", |i| committee.validate(ctx, i));
    // A code taken from the office is wrong only once, on the office's field.
    own.errors.retain(|e| !(inherited && e.field == "committee.division_code"));
    issues.errors.extend(own.errors);
    issues.warnings.extend(own.warnings);
    if mediators.is_empty() {
        issues.error("mediators", "调解员", "至少登记一名调解员");
    }
    let placeholder = new_id();
    let mut checked = Vec::new();
    for (n, m) in mediators.iter().enumerate() {
        let mut m = m.clone();
        m.committee_id = Some(placeholder);
        m.meta.draft = false;
        m.normalize(ctx);
        issues.nested(&format!("mediators[{n}]"), |i| m.validate(ctx, i));
        checked.push(m);
    }
    (office, committee, checked)
}

/// Checks the wizard's answers against the model's rules, each problem on its field.
fn check(input: &FirstRunInput, ctx: &Ctx) -> Result<(Organization, Organization, Vec<Mediator>), AppError> {
    let mut issues = Issues::new();
    let answers = check_office(&input.office_name, &input.division_code, &input.committee, &input.mediators, ctx, &mut issues);
    let staff = Some(input.staff_name.trim().to_string());
    issues.required_text("staff_name", "工作人员姓名", &staff);
    issues.name("staff_name", "工作人员姓名", &staff, false);
    if let Some(server) = input.county_server.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if let Err(message) = settings::check_server(server) {
            issues.error("county_server", "县级服务器地址", message);
        }
    }
    AppError::check(issues)?;
    Ok(answers)
}

/// Writes a new office's 调委会 (under the store's office) and its 调解员 (under the 调委会) in one
/// transaction — after the office's own record when `office` is given (a joined office's: the
/// store has none yet, and it takes the store's office id, the county's). Every record is new:
/// whatever bookkeeping the window sent is dropped. A refusal is on the field of the record
/// refused (`committee.name`, `mediators[1].gender`).
fn save_office(store: &mut Store, office: Option<Organization>, committee: Organization, mediators: Vec<Mediator>) -> Result<(), AppError> {
    let office_id = store.office_id();
    let at = std::cell::RefCell::new(String::new());
    store
        .batch(|b| {
            if let Some(mut office) = office {
                *at.borrow_mut() = "office".into();
                office.meta = Meta { id: office_id, ..Default::default() };
                b.save(office)?;
            }
            *at.borrow_mut() = "committee".into();
            let mut committee = committee;
            committee.meta = Meta::default();
            committee.parent_id = Some(office_id);
            let committee_id = b.save(committee)?.record.meta.id;
            for (n, mut m) in mediators.into_iter().enumerate() {
                *at.borrow_mut() = format!("mediators[{n}]");
                m.meta = Meta::default();
                m.committee_id = Some(committee_id);
                b.save(m)?;
            }
            Ok(())
        })
        .map_err(|e| AppError::from(e).under(&at.borrow()))
}

/// Creates the store with everything the wizard asked for, or nothing: a problem in any
/// answer is refused before the data directory is touched.
pub fn first_run(state: &AppState, input: FirstRunInput) -> Result<AppStatus, AppError> {
    state.make_store(|| {
        let ctx = state.ctx();
        let staff = input.staff_name.trim().to_string();
        let (answers, director) = (check(&input, &ctx), check_first_account(&staff, &input.login_name, &input.password));
        let ((office, committee, mediators), director) = both(answers, director)?;
        let made = (|| -> Result<Store, AppError> {
            let (store, recovery) = Store::init_secured(
                state.data_dir(),
                office.name.as_deref().unwrap_or(""),
                office.division_code.as_deref().unwrap_or(""),
                &director,
                state.clock(),
            )?;
            state.set_pending_recovery_key(Some(recovery.as_str().to_string()));
            let mut store = store;
            save_office(&mut store, None, committee.clone(), mediators.clone())?;
            let members = vec![StaffMember { name: staff.clone(), title: None }];
            store.set_sync_setting(keys::STAFF, Some(&serde_json::to_string(&members)?))?;
            store.set_sync_setting(keys::CURRENT_STAFF, Some(&staff))?;
            if let Some(server) = input.county_server.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                store.set_sync_setting(fengqiao_store::sync::keys::SERVER, Some(server))?;
            }
            Ok(store)
        })();
        if made.is_err() {
            // Leave no half-made store behind: the wizard can simply be run again.
            remove_store(state);
        }
        made
    })?;
    crate::sync::start(state);
    status(state)
}

/// Removes the store's files (made by a first run that then failed), its key ring with them.
fn remove_store(state: &AppState) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", state.data_dir().join(DB_FILE).display()));
    }
    let _ = std::fs::remove_file(state.data_dir().join(fengqiao_store::keyring::KEYRING_FILE));
    state.set_pending_recovery_key(None);
}

/// The first account's answers (its 姓名 is checked with the wizard's other answers).
fn check_first_account(staff: &str, login_name: &str, password: &str) -> Result<fengqiao_store::NewAccount, AppError> {
    let input =
        crate::accounts::NewAccountInput { name: login_name.into(), display_name: staff.into(), role: String::new(), password: password.into() };
    crate::accounts::check_new_account(&input, "").map_err(|e| {
        let mut e = rename_fields(e, &[("name", "login_name"), ("display_name", "staff_name")]);
        e.issues.retain(|i| i.field != "staff_name");
        e
    })
}

/// Both answers, or every problem of both at once (so the clerk sees them all together).
fn both<A, B>(a: Result<A, AppError>, b: Result<B, AppError>) -> Result<(A, B), AppError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(e), Err(more)) if !e.issues.is_empty() && !more.issues.is_empty() => {
            Err(AppError::invalid(e.issues.into_iter().chain(more.issues).collect()))
        }
        (Err(e), Err(_)) => Err(e),
    }
}

/// Moves field problems to the names the wizard's form uses.
fn rename_fields(mut e: AppError, renames: &[(&str, &str)]) -> AppError {
    for issue in &mut e.issues {
        if let Some((_, to)) = renames.iter().find(|(from, _)| issue.field == *from) {
            issue.field = to.to_string();
        }
    }
    e
}

/// First run's other way: 加入已登记的司法所.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct JoinInput {
    /// The county server's address, e.g. https://sfj.example.gov.cn.
    pub server: String,
    /// The one-time code the county issued for this office (`fengqiao-county office code`).
    pub code: String,
    /// This PC's name in the county's device list; empty = the computer's name.
    pub device_name: String,
    /// Who is working at this PC (the first staff account, as in a new office's first run):
    /// 姓名, 登录名 and password, which encrypts this PC's copy of the office's data.
    pub staff_name: String,
    pub login_name: String,
    pub password: String,
}

/// The longest device name the county takes.
const MAX_DEVICE_NAME: usize = 100;

/// Joins an office already registered with the county: enrolls this PC with the one-time code,
/// which makes the office's store in the empty data directory, keeps it as a completed first
/// run does (this PC's staff account), and starts the sync agent, whose first pull brings the
/// office's records — its own record among them: until it is here `status` has no `office`
/// (the window waits for it). A refusal — a problem in an answer, a wrong address, a county
/// that cannot be reached, a wrong or used code — is beside its field, and leaves nothing
/// behind, so the clerk can try again. When the county holds nothing for the office (no PC of it
/// ever set it up), [`complete_joined_office`] fills the office in on this PC.
pub fn join_office(state: &AppState, input: JoinInput) -> Result<AppStatus, AppError> {
    let (server, code, staff) = (input.server.trim(), input.code.trim(), input.staff_name.trim().to_string());
    let device_name = match input.device_name.trim() {
        "" => fengqiao_sync::agent::device_name(),
        name => name.to_string(),
    };
    let mut issues = Issues::new();
    issues.errors.extend(crate::sync::enroll_issues(server, code));
    let staff_value = Some(staff.clone());
    issues.required_text("staff_name", "工作人员姓名", &staff_value);
    issues.name("staff_name", "工作人员姓名", &staff_value, false);
    let n = device_name.chars().count();
    if n > MAX_DEVICE_NAME {
        issues.error("device_name", "本机名称", format!("内容过长（{n}字），最多{MAX_DEVICE_NAME}字"));
    } else {
        issues.line("device_name", "本机名称", &Some(device_name.clone()));
    }
    let ((), account) = both(AppError::check(issues).map(|_| ()), check_first_account(&staff, &input.login_name, &input.password))?;
    state.make_store(|| {
        let made = (|| -> Result<Store, AppError> {
            let enrolled = crate::sync::enroll_new_store(state, server, code, &device_name)?;
            let mut store = Store::open_with_clock(state.data_dir(), state.clock())?;
            let recovery = store.secure_existing(&account)?;
            state.set_pending_recovery_key(Some(recovery.as_str().to_string()));
            let members = vec![StaffMember { name: staff.clone(), title: None }];
            store.set_sync_setting(keys::STAFF, Some(&serde_json::to_string(&members)?))?;
            store.set_sync_setting(keys::CURRENT_STAFF, Some(&staff))?;
            let said = CountySaid { office_name: enrolled.office_name, division_code: enrolled.division_code };
            store.set_sync_setting(COUNTY_SAID, Some(&serde_json::to_string(&said)?))?;
            Ok(store)
        })();
        if made.is_err() {
            remove_store(state);
        }
        made
    })?;
    crate::sync::start(state);
    status(state)
}

/// Settings key: the office's name and 区划 as the county registered them, kept at joining to
/// start the form of [`complete_joined_office`] with.
const COUNTY_SAID: &str = "app_joined_office";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct CountySaid {
    office_name: String,
    division_code: String,
}

/// A joined office's first run, as far as it went: whether the office's own record is here,
/// and whether a sync round has finished since this PC joined — when one has and the record is
/// still not here, the county holds nothing for the office (it was registered at the county,
/// but no PC of it ever set it up), and the window offers to fill the office in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinedOffice {
    /// The office's id: the county's, and this store's.
    pub office_id: uuid::Uuid,
    /// 司法所名称 and 行政区划代码 as the county registered the office (empty when not known:
    /// a PC joined by an earlier version), to start the form with.
    pub office_name: String,
    pub division_code: String,
    /// The office's own record is here (it came from the county, or was filled in).
    pub has_office: bool,
    /// A sync round finished since this PC joined: what the county holds for the office is here.
    pub pulled: bool,
}

/// Where a joined office's first run is (see [`JoinedOffice`]).
pub fn joined_office(state: &AppState) -> Result<JoinedOffice, AppError> {
    state.with(|store| {
        let said: CountySaid = store.sync_setting(COUNTY_SAID)?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
        Ok(JoinedOffice {
            office_id: store.office_id(),
            office_name: said.office_name,
            division_code: said.division_code,
            has_office: store.get::<Organization>(store.office_id())?.is_some(),
            pulled: store.sync_status()?.last_sync_at.is_some(),
        })
    })
}

/// The office's own answers, when a joined office's county held nothing for it: as a new
/// office's first run asks them (this PC's account and the county's address it has already).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CompleteOfficeInput {
    /// 司法所名称, e.g. 东山镇司法所.
    pub office_name: String,
    /// 行政区划代码 of the township (6, 9 or 12 digits).
    pub division_code: String,
    /// The office's 调委会; its 区划 defaults to the office's.
    pub committee: Organization,
    /// Its 调解员 (at least one).
    pub mediators: Vec<Mediator>,
}

/// The way out for a PC that joined an office the county registered but holds no records for
/// (the office's very first PC chose 加入 instead of 新建): once a sync round has finished and
/// the office's record is still not here, the office, its 调委会 and 调解员 are filled in as a
/// new office's first run would — checked alike, each problem on the same field — into the
/// store this PC already has (enrolled, encrypted, signed in), the office record taking the
/// store's office id, the county's. The agent then sends them to the county like any change.
/// Refused when the office's record is here already, before the first round has finished
/// (what the county holds is not known yet), and without an open store or the 所长's rights.
pub fn complete_joined_office(state: &AppState, input: CompleteOfficeInput) -> Result<AppStatus, AppError> {
    state.with(|store| {
        store.require_permission(fengqiao_store::Permission::Administer)?;
        if store.get::<Organization>(store.office_id())?.is_some() {
            return Err(AppError::new("office_present", "本所的记录已从县司法局取回，不需要再填写"));
        }
        if store.sync_status()?.last_sync_at.is_none() {
            return Err(AppError::new("not_pulled", "尚未与县司法局同步完毕，还不知道县司法局是否已有本所的记录：请等同步完成后再填写"));
        }
        let mut issues = Issues::new();
        let (office, committee, mediators) =
            check_office(&input.office_name, &input.division_code, &input.committee, &input.mediators, &store.ctx(), &mut issues);
        AppError::check(issues)?;
        save_office(store, Some(office), committee, mediators)
    })?;
    status(state)
}
