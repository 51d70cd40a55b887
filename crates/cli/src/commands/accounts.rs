//! Encrypted stores on the command line: signing in (`--user`/`FENGQIAO_USER` and
//! `FENGQIAO_PASSWORD`, else asked on the terminal), `init --account`, `secure`, `account`
//! and `reset-password`.
//!
//! Passwords and the recovery key come from the environment for scripts, or are typed on the
//! terminal (passwords hidden). Without either the command stops and says which variables to
//! set; it never waits on a pipe. The store checks the passwords' rule and the roles.

use std::io::IsTerminal;

use fengqiao_store::accounts::check_password;
use fengqiao_store::{Account, AccountChange, NewAccount, Permission, RecoveryKey, Role, Store, StoreError, DB_FILE};
use serde_json::json;

use super::say;
use crate::args::{AccountAction, RoleArg};
use crate::table::Table;
use crate::{CliError, Env};

/// The password an account signs in with.
const PASSWORD_VAR: &str = "FENGQIAO_PASSWORD";
/// A password being set: a new account's, a reset one.
const NEW_PASSWORD_VAR: &str = "FENGQIAO_NEW_PASSWORD";
const RECOVERY_VAR: &str = "FENGQIAO_RECOVERY_KEY";

const NEED_SIGN_IN: &str = "本所数据已加密，需要登录：请用 --user 或环境变量 FENGQIAO_USER 指定登录名，用环境变量 FENGQIAO_PASSWORD 提供密码（或在终端中运行本命令，按提示输入）";

fn terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// An environment variable's value, if set and not empty.
fn from_env(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

fn input_failed(e: std::io::Error) -> CliError {
    CliError::Credentials(format!("无法读取终端输入：{e}"))
}

/// A line typed on the terminal (shown as typed), after a prompt on stderr.
fn ask_line(prompt: &str) -> Result<String, CliError> {
    use std::io::Write;
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(input_failed)?;
    Ok(line.trim().to_string())
}

fn ask_hidden(prompt: &str) -> Result<String, CliError> {
    rpassword::prompt_password(prompt).map_err(input_failed)
}

/// The login name and password to open an encrypted store with.
fn sign_in_credentials(env: &Env) -> Result<(String, String), CliError> {
    let name = match &env.user {
        Some(u) => u.trim().to_string(),
        None if terminal() => ask_line("登录名：")?,
        None => return Err(CliError::Credentials(NEED_SIGN_IN.into())),
    };
    if name.is_empty() {
        return Err(CliError::Credentials(NEED_SIGN_IN.into()));
    }
    let password = match from_env(PASSWORD_VAR) {
        Some(p) => p,
        None if terminal() => ask_hidden("密码：")?,
        None => return Err(CliError::Credentials(NEED_SIGN_IN.into())),
    };
    Ok((name, password))
}

/// A password being set, from `var` or typed twice on the terminal; `what` names it
/// (“所长账号“wangsz”的密码”).
fn new_password(var: &str, what: &str) -> Result<String, CliError> {
    if let Some(p) = from_env(var) {
        return Ok(p);
    }
    if !terminal() {
        return Err(CliError::Credentials(format!("请用环境变量 {var} 提供{what}，或在终端中运行本命令，按提示输入")));
    }
    let first = ask_hidden(&format!("设置{what}（至少{}位）：", fengqiao_store::accounts::MIN_PASSWORD_CHARS))?;
    check_password(&first)?;
    let again = ask_hidden("再输入一次：")?;
    if first != again {
        return Err(CliError::Usage("两次输入的密码不一致，密码没有设置".into()));
    }
    Ok(first)
}

/// The variable a backup's passphrase is read from.
const BACKUP_PASSPHRASE_VAR: &str = "FENGQIAO_BACKUP_PASSPHRASE";
/// The variable an encrypted export's passphrase is read from.
const EXPORT_PASSPHRASE_VAR: &str = "FENGQIAO_EXPORT_PASSPHRASE";

/// A backup's passphrase: from the environment, else typed (twice when `new`).
pub(crate) fn backup_passphrase(new: bool) -> Result<String, CliError> {
    passphrase(BACKUP_PASSPHRASE_VAR, "备份口令", new)
}

/// An encrypted export's passphrase, likewise.
pub(crate) fn export_passphrase(new: bool) -> Result<String, CliError> {
    passphrase(EXPORT_PASSPHRASE_VAR, "导出口令", new)
}

fn passphrase(var: &str, what: &str, new: bool) -> Result<String, CliError> {
    if new {
        return new_password(var, what);
    }
    match from_env(var) {
        Some(p) => Ok(p),
        None if terminal() => ask_hidden(&format!("{what}：")),
        None => Err(CliError::Credentials(format!("请用环境变量 {var} 提供{what}，或在终端中运行本命令，按提示输入"))),
    }
}

/// Opens an encrypted store signed in; returns the password too (to change one's own).
fn open_signed_in(env: &Env) -> Result<(Store, String), CliError> {
    let (name, password) = sign_in_credentials(env)?;
    let store = Store::open_secured(&env.data_dir, &name, &password, env.clock.clone())?;
    Ok((store, password))
}

/// Opens the store the command works on: signed in if it is encrypted.
pub(crate) fn open(env: &Env) -> Result<Store, CliError> {
    if Store::is_secured(&env.data_dir) {
        return open_signed_in(env).map(|(store, _)| store);
    }
    Ok(Store::open_with_clock(&env.data_dir, env.clock.clone())?)
}

/// The recovery key, said once, with what it is for.
fn recovery_text(key: &RecoveryKey, name: &str) -> String {
    format!(
        "恢复密钥（只显示这一次，请打印或抄写后锁好）：{}\n忘记密码时，凭恢复密钥重设密码：fengqiao-cli reset-password --user {name}\n恢复密钥不要和电脑放在一起；密码和恢复密钥都丢失时，本所数据将无法打开。",
        key.as_str()
    )
}

fn sign_in_hint() -> &'static str {
    "以后运行命令需要登录：登录名用 --user 或环境变量 FENGQIAO_USER，密码取环境变量 FENGQIAO_PASSWORD，否则在终端中输入。"
}

/// `init --account NAME --display-name 姓名`: a new office, encrypted, with its 所长.
pub fn init_secured(env: &Env, office: &str, division_code: &str, account: &str, display_name: &str) -> Result<(), CliError> {
    let db = env.data_dir.join(DB_FILE);
    if db.exists() {
        return Err(StoreError::AlreadyInitialized(db).into());
    }
    let password = new_password(PASSWORD_VAR, &format!("所长账号“{}”的密码", account.trim()))?;
    let director = NewAccount { name: account.into(), display_name: display_name.into(), role: None, password };
    let (store, recovery) = Store::init_secured(&env.data_dir, office, division_code, &director, env.clock.clone())?;
    let o = store.office()?;
    let name = o.name.unwrap_or_default();
    let code = o.division_code.unwrap_or_default();
    let me = store.account().cloned();
    let (login, display) = me.map(|a| (a.name, a.display_name)).unwrap_or_default();
    say(
        env,
        json!({
            "ok": true, "data_dir": env.data_dir, "office_id": store.office_id(), "office": name, "division_code": code,
            "secured": true, "account": login, "display_name": display, "recovery_key": recovery.as_str(),
        }),
        || {
            format!(
                "已初始化“{name}”（行政区划代码{code}），数据目录：{}\n数据已加密，所长账号：{display}（登录名{login}）\n\n{}\n\n{}",
                env.data_dir.display(),
                recovery_text(&recovery, &login),
                sign_in_hint()
            )
        },
    );
    Ok(())
}

/// `secure`: encrypts a store made without accounts and creates its 所长.
pub fn secure(env: &Env, account: &str, display_name: &str) -> Result<(), CliError> {
    if Store::is_secured(&env.data_dir) {
        return Err(CliError::Usage("本所数据已经加密，已有账号；新建账号用 fengqiao-cli account add".into()));
    }
    let mut store = Store::open_with_clock(&env.data_dir, env.clock.clone())?;
    let password = new_password(PASSWORD_VAR, &format!("所长账号“{}”的密码", account.trim()))?;
    let director = NewAccount { name: account.into(), display_name: display_name.into(), role: None, password };
    let recovery = store.secure_existing(&director)?;
    let (login, display) = store.account().map(|a| (a.name.clone(), a.display_name.clone())).unwrap_or_default();
    say(env, json!({ "ok": true, "secured": true, "account": login, "display_name": display, "recovery_key": recovery.as_str() }), || {
        format!("本所数据已加密，所长账号：{display}（登录名{login}）\n\n{}\n\n{}", recovery_text(&recovery, &login), sign_in_hint())
    });
    Ok(())
}

/// `reset-password --user NAME`: a forgotten password, reset with the recovery key.
pub fn reset_password(env: &Env) -> Result<(), CliError> {
    let db = env.data_dir.join(DB_FILE);
    if !db.exists() {
        return Err(StoreError::NotInitialized(db).into());
    }
    if !Store::is_secured(&env.data_dir) {
        return Err(CliError::Usage("本所数据没有加密，没有账号和恢复密钥，不需要重设密码".into()));
    }
    let need = "请用 --user 或环境变量 FENGQIAO_USER 指定要重设密码的登录名，用环境变量 FENGQIAO_RECOVERY_KEY 提供恢复密钥、FENGQIAO_NEW_PASSWORD 提供新密码（或在终端中运行本命令，按提示输入）";
    let name = match &env.user {
        Some(u) => u.trim().to_string(),
        None if terminal() => ask_line("要重设密码的登录名：")?,
        None => return Err(CliError::Credentials(need.into())),
    };
    if name.is_empty() {
        return Err(CliError::Credentials(need.into()));
    }
    let key = match from_env(RECOVERY_VAR) {
        Some(k) => k,
        None if terminal() => ask_line("恢复密钥（如 ABCD-EFGH-…）：")?,
        None => return Err(CliError::Credentials(need.into())),
    };
    // The key's form is checked before the new password is asked for.
    RecoveryKey::parse(&key)?;
    let password = new_password(NEW_PASSWORD_VAR, &format!("账号“{name}”的新密码"))?;
    let store = Store::reset_with_recovery(&env.data_dir, &key, &name, &password, env.clock.clone())?;
    let (login, display) = store.account().map(|a| (a.name.clone(), a.display_name.clone())).unwrap_or_default();
    say(env, json!({ "ok": true, "account": login, "display_name": display }), || {
        format!("已凭恢复密钥重设{display}（登录名{login}）的密码，旧密码不能再用。恢复密钥不变，请继续锁好。")
    });
    Ok(())
}

fn status_label(a: &Account) -> &'static str {
    if a.disabled {
        "已停用"
    } else {
        "启用"
    }
}

fn account_json(a: &Account) -> serde_json::Value {
    json!({ "id": a.id, "name": a.name, "display_name": a.display_name, "role": a.role.code(), "role_label": a.role.label(), "disabled": a.disabled, "created_at": a.created_at })
}

/// The account with login name `name` (not case-sensitive, as the store compares them).
fn find(store: &Store, name: &str) -> Result<Account, CliError> {
    let name = name.trim();
    store
        .accounts()?
        .into_iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| CliError::Usage(format!("没有登录名为“{name}”的账号；运行 fengqiao-cli account list 查看本所的账号")))
}

const NOT_SECURED: &str = "本所数据还没有加密，没有账号；先运行 fengqiao-cli secure --account 登录名 --display-name 姓名 建立所长账号";

/// `account list|add|disable|enable|set-password`.
pub fn account(env: &Env, action: AccountAction) -> Result<(), CliError> {
    let secured = Store::is_secured(&env.data_dir);
    if !secured {
        // A plain store: nothing to list, and nothing can be added before its 所长 exists.
        Store::open_with_clock(&env.data_dir, env.clock.clone())?;
        return match action {
            AccountAction::List => {
                say(env, json!({ "ok": true, "secured": false, "accounts": [] }), || NOT_SECURED.to_string());
                Ok(())
            }
            _ => Err(CliError::Usage(NOT_SECURED.into())),
        };
    }
    let (mut store, own_password) = open_signed_in(env)?;
    match action {
        AccountAction::List => {
            let accounts = store.accounts()?;
            let me = store.account().map(|a| a.id);
            if env.json {
                let list: Vec<_> = accounts.iter().map(account_json).collect();
                crate::out(&format!("{}\n", json!({ "ok": true, "secured": true, "accounts": list })));
                return Ok(());
            }
            let mut t = Table::new(&[("登录名", 0), ("姓名", 0), ("角色", 0), ("状态", 0)]);
            for a in &accounts {
                let status = if Some(a.id) == me { format!("{}（当前登录）", status_label(a)) } else { status_label(a).to_string() };
                t.row(vec![a.name.clone(), a.display_name.clone(), a.role.label().to_string(), status]);
            }
            crate::out(&format!("{}共{}个账号\n", t.render(), accounts.len()));
            Ok(())
        }
        AccountAction::Add { name, display_name, role } => {
            store.require_permission(Permission::Administer)?;
            let role = match role {
                RoleArg::Director => Role::Director,
                RoleArg::Staff => Role::Staff,
                RoleArg::Readonly => Role::Readonly,
            };
            let password = new_password(NEW_PASSWORD_VAR, &format!("新账号“{}”的密码", name.trim()))?;
            let a = store.add_account(&NewAccount { name, display_name, role: Some(role), password })?;
            say(env, json!({ "ok": true, "account": account_json(&a) }), || {
                format!("已新建账号：{}（登录名{}，{}）", a.display_name, a.name, a.role.label())
            });
            Ok(())
        }
        AccountAction::Disable { name } => set_disabled(env, &mut store, &name, true),
        AccountAction::Enable { name } => set_disabled(env, &mut store, &name, false),
        AccountAction::SetPassword { name } => {
            let target = find(&store, &name)?;
            let own = store.account().is_some_and(|me| me.id == target.id);
            if !own {
                store.require_permission(Permission::Administer)?;
            }
            let password = new_password(NEW_PASSWORD_VAR, &format!("账号“{}”的新密码", target.name))?;
            if own {
                store.change_own_password(&own_password, &password)?;
            } else {
                store.set_account_password(target.id, &password)?;
            }
            say(env, json!({ "ok": true, "account": account_json(&target) }), || {
                format!("已重设{}（登录名{}）的密码，旧密码不能再用", target.display_name, target.name)
            });
            Ok(())
        }
    }
}

fn set_disabled(env: &Env, store: &mut Store, name: &str, disabled: bool) -> Result<(), CliError> {
    store.require_permission(Permission::Administer)?;
    let target = find(store, name)?;
    let a = store.change_account(target.id, &AccountChange { disabled: Some(disabled), ..Default::default() })?;
    let what = if disabled { "已停用" } else { "已启用" };
    say(env, json!({ "ok": true, "account": account_json(&a) }), || {
        format!("{what}账号：{}（登录名{}，{}）", a.display_name, a.name, a.role.label())
    });
    Ok(())
}
