//! Staff accounts in the window: signing in at start, the lock after idle time, the recovery
//! key, and the 所长's account management. The rules (roles, passwords, who may do what) are the
//! store's; this layer puts each refusal beside its field and keeps the window's lock.

use fengqiao_model::FieldIssue;
use fengqiao_store::{Account, AccountChange, NewAccount, Permission, Role, Store, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::setup::{status, AppStatus};
use crate::state::keys;
use crate::{AppError, AppState};

/// An account as the window shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountView {
    pub id: Uuid,
    pub name: String,
    pub display_name: String,
    /// "director" | "staff" | "readonly"
    pub role: String,
    /// 所长 / 工作人员 / 只读
    pub role_label: String,
    pub disabled: bool,
    pub created_at: String,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> AccountView {
        AccountView {
            id: a.id,
            name: a.name.clone(),
            display_name: a.display_name.clone(),
            role: a.role.code().into(),
            role_label: a.role.label().into(),
            disabled: a.disabled,
            created_at: a.created_at.clone(),
        }
    }
}

/// What the signed-in account may do, for the window to offer only that (the store refuses
/// the rest anyway).
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Abilities {
    pub edit: bool,
    pub administer: bool,
    pub view_audit: bool,
    pub see_personal: bool,
    pub export: bool,
}

impl Abilities {
    pub(crate) fn of(store: &Store) -> Abilities {
        let can = |p| store.require_permission(p).is_ok();
        Abilities {
            edit: can(Permission::EditRecords),
            administer: can(Permission::Administer),
            view_audit: can(Permission::ViewAudit),
            see_personal: can(Permission::SeePersonal),
            export: can(Permission::Export),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct SignInInput {
    pub name: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RecoveryResetInput {
    pub recovery_key: String,
    pub name: String,
    pub new_password: String,
}

/// A new account, or the office's first (its 所长) when the office is secured.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct NewAccountInput {
    /// 登录名
    pub name: String,
    /// 姓名
    pub display_name: String,
    /// "director" | "staff" | "readonly"; ignored for the office's first account.
    pub role: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AccountChangeInput {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct SetPasswordInput {
    pub id: Uuid,
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ChangePasswordInput {
    pub old_password: String,
    pub new_password: String,
}

fn role_of(code: &str) -> Result<Role, AppError> {
    match code {
        "director" => Ok(Role::Director),
        "staff" => Ok(Role::Staff),
        "readonly" => Ok(Role::Readonly),
        _ => Err(field("role", "角色", "请选择角色")),
    }
}

fn field(path: &str, label: &str, message: impl Into<String>) -> AppError {
    AppError::invalid(vec![FieldIssue { field: path.into(), label: label.into(), message: message.into() }])
}

/// The store's refusals about names and passwords, put beside the field they concern.
fn beside_fields(e: StoreError, password_field: &str) -> AppError {
    let text = e.to_string();
    match &e {
        StoreError::SignIn(m) if m.starts_with("密码") || m.contains("原密码") => field(password_field, "密码", text),
        StoreError::SignIn(m) if m.starts_with("恢复密钥") => field("recovery_key", "恢复密钥", text),
        StoreError::SignIn(m) if m.starts_with("登录名或密码") => field("password", "密码", text),
        StoreError::Rule(m) if m.starts_with("登录名") => field("name", "登录名", text),
        StoreError::Rule(m) if m.starts_with("请填写姓名") => field("display_name", "姓名", text),
        StoreError::Rule(m) if m.starts_with("请选择角色") => field("role", "角色", text),
        _ => AppError::from(e),
    }
}

/// Checks a new account's answers before anything is written, each problem on its field.
pub(crate) fn check_new_account(input: &NewAccountInput, prefix: &str) -> Result<NewAccount, AppError> {
    let mut issues = vec![];
    let mut add =
        |path: &str, label: &str, message: String| issues.push(FieldIssue { field: format!("{prefix}{path}"), label: label.into(), message });
    let name = input.name.trim();
    if name.is_empty() {
        add("name", "登录名", "请填写登录名".into());
    } else if name.chars().count() > 32 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        add("name", "登录名", "登录名不能含空格，最长32个字符".into());
    }
    if input.display_name.trim().is_empty() {
        add("display_name", "姓名", "请填写姓名".into());
    }
    if let Err(e) = fengqiao_store::accounts::check_password(&input.password) {
        add("password", "密码", e.to_string());
    }
    if !issues.is_empty() {
        return Err(AppError::invalid(issues));
    }
    Ok(NewAccount { name: name.into(), display_name: input.display_name.trim().into(), role: None, password: input.password.clone() })
}

/// Signs in at start (an encrypted office): opens the store as this account and starts sync.
pub fn sign_in(state: &AppState, input: SignInInput) -> Result<AppStatus, AppError> {
    if input.name.trim().is_empty() {
        return Err(field("name", "登录名", "请填写登录名"));
    }
    if state.shared_store().is_some() {
        // Already open (a second window, a double click): this is switching accounts.
        return unlock(state, input);
    }
    let store = Store::open_secured(state.data_dir(), &input.name, &input.password, state.clock()).map_err(|e| beside_fields(e, "password"))?;
    state.keep_signed_in_store(store);
    state.set_locked(false);
    crate::sync::start(state);
    status(state)
}

/// Locks the window (idle time passed, or the clerk pressed 锁定).
pub fn lock(state: &AppState) -> Result<AppStatus, AppError> {
    if state.shared_store().is_some() && state.secured() {
        state.set_locked(true);
    }
    status(state)
}

/// Unlocks with the signed-in account's password, or signs another account in (切换账号).
pub fn unlock(state: &AppState, input: SignInInput) -> Result<AppStatus, AppError> {
    state.with_even_locked(|store| {
        let same = store.account().is_some_and(|a| a.name.eq_ignore_ascii_case(input.name.trim()));
        if same || input.name.trim().is_empty() {
            store.verify_password(&input.password).map_err(|e| beside_fields(e, "password"))?;
        } else {
            store.switch_account(&input.name, &input.password).map_err(|e| beside_fields(e, "password"))?;
        }
        Ok(())
    })?;
    state.set_locked(false);
    status(state)
}

/// 忘记密码: the recovery key sets a new password and signs the account in.
pub fn reset_with_recovery(state: &AppState, input: RecoveryResetInput) -> Result<AppStatus, AppError> {
    if input.name.trim().is_empty() {
        return Err(field("name", "登录名", "请填写登录名"));
    }
    if state.shared_store().is_some() {
        return Err(AppError::new("signed_in", "已有账号登录，请先在锁定界面退出后再用恢复密钥重置"));
    }
    let store = Store::reset_with_recovery(state.data_dir(), &input.recovery_key, &input.name, &input.new_password, state.clock())
        .map_err(|e| beside_fields(e, "new_password"))?;
    state.keep_signed_in_store(store);
    state.set_locked(false);
    crate::sync::start(state);
    status(state)
}

/// An office made before accounts existed: creates its 所长 account and encrypts its data.
/// The recovery key is then shown once (`AppStatus.recovery_key`).
pub fn secure_office(state: &AppState, input: NewAccountInput) -> Result<AppStatus, AppError> {
    let director = check_new_account(&input, "")?;
    let recovery = state.with(|store| store.secure_existing(&director).map_err(|e| beside_fields(e, "password")))?;
    state.set_pending_recovery_key(Some(recovery.as_str().to_string()));
    state.with(|store| store.set_sync_setting(keys::CURRENT_STAFF, Some(&director.display_name)).map_err(AppError::from))?;
    status(state)
}

/// The clerk confirmed the recovery key is printed or written down: it is not shown again.
pub fn acknowledge_recovery_key(state: &AppState) -> Result<AppStatus, AppError> {
    state.set_pending_recovery_key(None);
    status(state)
}

pub fn list_accounts(state: &AppState) -> Result<Vec<AccountView>, AppError> {
    state.with(|store| {
        store.require_permission(Permission::Administer)?;
        Ok(store.accounts()?.iter().map(AccountView::from).collect())
    })
}

pub fn add_account(state: &AppState, input: NewAccountInput) -> Result<AccountView, AppError> {
    state.require(Permission::Administer)?;
    let mut new = check_new_account(&input, "")?;
    new.role = Some(role_of(&input.role)?);
    state.with(|store| Ok(AccountView::from(&store.add_account(&new).map_err(|e| beside_fields(e, "password"))?)))
}

pub fn change_account(state: &AppState, input: AccountChangeInput) -> Result<AccountView, AppError> {
    state.require(Permission::Administer)?;
    let role = input.role.as_deref().map(role_of).transpose()?;
    let change = AccountChange { display_name: input.display_name, role, disabled: input.disabled };
    state.with(|store| Ok(AccountView::from(&store.change_account(input.id, &change).map_err(|e| beside_fields(e, "password"))?)))
}

pub fn set_account_password(state: &AppState, input: SetPasswordInput) -> Result<(), AppError> {
    state.require(Permission::Administer)?;
    state.with(|store| store.set_account_password(input.id, &input.password).map_err(|e| beside_fields(e, "password")))
}

pub fn change_own_password(state: &AppState, input: ChangePasswordInput) -> Result<(), AppError> {
    state.with(|store| {
        store.change_own_password(&input.old_password, &input.new_password).map_err(|e| match e {
            StoreError::SignIn(m) if m.contains("原密码") => field("old_password", "原密码", m),
            other => beside_fields(other, "new_password"),
        })
    })
}

pub fn set_idle_lock_minutes(state: &AppState, minutes: u32) -> Result<AppStatus, AppError> {
    state.require(Permission::Administer)?;
    state.with(|store| {
        store.set_idle_lock_minutes(minutes).map_err(|e| match e {
            StoreError::Rule(m) => field("minutes", "自动锁定时间", m),
            other => AppError::from(other),
        })
    })?;
    status(state)
}
