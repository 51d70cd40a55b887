//! Staff accounts, their roles, signing in, and the encrypted store they open.
//!
//! An office set up with accounts (`Store::init_secured`) is encrypted: opening it needs a
//! login name and password (`Store::open_secured`), which unseal the data key from the key
//! ring (see `keyring`). The accounts themselves — display name, role, whether disabled — live
//! in the encrypted database, so a role cannot be changed by editing a file beside it.
//!
//! Roles: 所长 administers the accounts and the office's settings and reads the audit log;
//! 工作人员 enters and edits records; 只读 reads. The checks are here, in the store, so every
//! command of the app and the CLI goes through them. A store without accounts (one made
//! before accounts existed, or by tests and tools) has no signed-in account and allows all;
//! the app asks such an office to create its 所长 account, which encrypts it.

use std::path::Path;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keyring::{DataKey, KeyRing, RecoveryKey};
use crate::records::{ts, Mode};
use crate::{Clock, Result, Store, StoreError};

/// Schema step: the accounts of the office's staff on this PC.
pub const SCHEMA: &str = concat!(
    "CREATE TABLE account (id TEXT PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE, display_name TEXT NOT NULL, ",
    "role TEXT NOT NULL CHECK (role IN ('director', 'staff', 'readonly')), disabled INTEGER NOT NULL DEFAULT 0, ",
    "created_at TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;\n",
);

/// Settings key: minutes without input after which the window locks.
const IDLE_LOCK_KEY: &str = "security_idle_lock_minutes";
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 10;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 所长
    Director,
    /// 工作人员
    Staff,
    /// 只读
    Readonly,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Director => "director",
            Role::Staff => "staff",
            Role::Readonly => "readonly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Director => "所长",
            Role::Staff => "工作人员",
            Role::Readonly => "只读",
        }
    }

    fn from_code(code: &str) -> Result<Role> {
        match code {
            "director" => Ok(Role::Director),
            "staff" => Ok(Role::Staff),
            "readonly" => Ok(Role::Readonly),
            other => Err(StoreError::Corrupt(format!("未知的账号角色{other}"))),
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        match self {
            Role::Director => true,
            Role::Staff => matches!(p, Permission::EditRecords | Permission::SeePersonal | Permission::Export),
            Role::Readonly => false,
        }
    }
}

/// What a command needs the signed-in account to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create, change, delete records and their workflow steps.
    EditRecords,
    /// Accounts, the office's settings, backup and restore.
    Administer,
    /// Read the audit log.
    ViewAudit,
    /// See ID and phone numbers unmasked.
    SeePersonal,
    /// Export records to files.
    Export,
}

impl Permission {
    /// The refusal, in Chinese, naming what the role may not do.
    fn refusal(self, role: Role) -> String {
        let what = match self {
            Permission::EditRecords => "新建、修改或删除记录",
            Permission::Administer => "管理账号和本所设置",
            Permission::ViewAudit => "查看审计日志",
            Permission::SeePersonal => "查看完整的身份证号和电话号码",
            Permission::Export => "导出记录",
        };
        format!("当前账号（{}）没有权限{what}", role.label())
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    /// The login name.
    pub name: String,
    /// 姓名, as the records and the audit log show who acted.
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
}

/// A new account (or the office's first, its 所长).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewAccount {
    pub name: String,
    pub display_name: String,
    pub role: Option<Role>,
    pub password: String,
}

/// What may change on an account.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Checks a password against the rule, with the refusal in Chinese.
pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::SignIn(format!("密码至少{MIN_PASSWORD_CHARS}位")));
    }
    if password.trim() != password {
        return Err(StoreError::SignIn("密码的开头和结尾不能是空格".into()));
    }
    Ok(())
}

fn check_new(a: &NewAccount) -> Result<(String, String)> {
    let name = a.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 32 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::Rule("登录名不能为空、不能含空格，最长32个字符".into()));
    }
    let display = a.display_name.trim().to_string();
    if display.is_empty() || display.chars().count() > 32 {
        return Err(StoreError::Rule("请填写姓名（最长32个字符）".into()));
    }
    check_password(&a.password)?;
    Ok((name, display))
}

fn account_from_row(r: &rusqlite::Row) -> rusqlite::Result<(Uuid, String, String, String, bool, String)> {
    Ok((r.get::<_, String>(0)?.parse().unwrap_or_default(), r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

const ACCOUNT_COLUMNS: &str = "id, name, display_name, role, disabled, created_at";

fn read_account(conn: &rusqlite::Connection, id: Uuid) -> Result<Option<Account>> {
    let row = conn.query_row(&format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE id = ?1"), [id.to_string()], account_from_row).optional()?;
    row.map(|(id, name, display_name, role, disabled, created_at)| {
        Ok(Account { id, name, display_name, role: Role::from_code(&role)?, disabled, created_at })
    })
    .transpose()
}

/// The session of a secured store: who signed in, and the key to seal new passwords with.
pub(crate) struct Session {
    pub account: Account,
    pub key: DataKey,
}

impl Store {
    /// Whether the store in `data_dir` is encrypted (opened with `open_secured`).
    pub fn is_secured(data_dir: &Path) -> bool {
        KeyRing::exists(data_dir) && data_dir.join(crate::DB_FILE).exists()
    }

    /// Creates an encrypted store for a new office with its first account, the 所长. Returns
    /// the store, signed in as that account, and the recovery key to show once.
    pub fn init_secured(
        data_dir: &Path,
        office_name: &str,
        division_code: &str,
        director: &NewAccount,
        clock: Clock,
    ) -> Result<(Store, RecoveryKey)> {
        let (name, display) = check_new(director)?;
        std::fs::create_dir_all(data_dir)?;
        if data_dir.join(crate::DB_FILE).exists() {
            return Err(StoreError::AlreadyInitialized(data_dir.join(crate::DB_FILE)));
        }
        let key = DataKey::random();
        let (mut ring, recovery) = KeyRing::new(&key)?;
        let account_id = fengqiao_model::new_id();
        ring.set_password(account_id, &name, &director.password, &key)?;
        // The ring first: a crash after it leaves a ring without a database, which the next
        // setup replaces; the other order could leave a database nobody can open.
        ring.save(data_dir)?;
        let mut store = Store::init_inner(data_dir, office_name, division_code, clock, Some(&key))?;
        let made = store.insert_account(account_id, &name, &display, Role::Director);
        if let Err(e) = made {
            drop(store);
            crate::remove_database_files(data_dir);
            let _ = std::fs::remove_file(KeyRing::path(data_dir));
            return Err(e);
        }
        store.begin_session(account_id, key)?;
        Ok((store, recovery))
    }

    /// Opens an encrypted store as the account `name`, migrating it forward if needed. A wrong
    /// name or password is refused with one message for both, and kept for the audit log.
    pub fn open_secured(data_dir: &Path, name: &str, password: &str, clock: Clock) -> Result<Store> {
        if !data_dir.join(crate::DB_FILE).exists() {
            return Err(StoreError::NotInitialized(data_dir.join(crate::DB_FILE)));
        }
        let mut ring = KeyRing::load(data_dir)?;
        let Some((account_id, key)) = ring.unlock(name, password)? else {
            ring.note_failure(name, ts(clock()));
            ring.save(data_dir)?;
            return Err(StoreError::SignIn("登录名或密码不正确".into()));
        };
        let mut store = Store::open_keyed(data_dir, clock, &key)?;
        store.begin_session(account_id, key)?;
        Ok(store)
    }

    /// Resets the password of `name` with the recovery key, and opens the store signed in as
    /// that account. The old password no longer opens anything.
    pub fn reset_with_recovery(data_dir: &Path, recovery: &str, name: &str, new_password: &str, clock: Clock) -> Result<Store> {
        let recovery = RecoveryKey::parse(recovery)?;
        check_password(new_password)?;
        let mut ring = KeyRing::load(data_dir)?;
        let Some(key) = ring.unlock_with_recovery(&recovery)? else {
            ring.note_failure(&format!("恢复密钥（{}）", name.trim()), ts(clock()));
            ring.save(data_dir)?;
            return Err(StoreError::SignIn("恢复密钥不正确".into()));
        };
        let mut store = Store::open_keyed(data_dir, clock, &key)?;
        let id: Option<String> = store.conn.query_row("SELECT id FROM account WHERE name = ?1", [name.trim()], |r| r.get(0)).optional()?;
        let Some(account_id) = id.and_then(|i| i.parse::<Uuid>().ok()) else {
            return Err(StoreError::SignIn(format!("没有登录名为“{}”的账号", name.trim())));
        };
        let account = read_account(&store.conn, account_id)?.ok_or(StoreError::SignIn("账号不存在".into()))?;
        ring.set_password(account_id, &account.name, new_password, &key)?;
        ring.save(data_dir)?;
        store.begin_session(account_id, key)?;
        store.audit_security("password_reset_recovery", &format!("用恢复密钥重置了{}（{}）的密码", account.display_name, account.name))?;
        Ok(store)
    }

    /// Encrypts a store made before accounts existed and creates its 所长 account; the store
    /// stays open, signed in as it. Returns the recovery key to show once.
    pub fn secure_existing(&mut self, director: &NewAccount) -> Result<RecoveryKey> {
        if self.session.is_some() {
            return Err(StoreError::Rule("本所的数据已经加密，已有账号".into()));
        }
        let (name, display) = check_new(director)?;
        let data_dir = self.data_dir();
        let key = DataKey::random();
        let (mut ring, recovery) = KeyRing::new(&key)?;
        let account_id = fengqiao_model::new_id();
        ring.set_password(account_id, &name, &director.password, &key)?;
        // The account goes in before the copy is made, so the encrypted copy holds it: a crash
        // after the key ring is written is finished at the next sign-in with that account. An
        // earlier attempt cut short before its key ring leaves accounts nobody can open: gone.
        self.conn.execute("DELETE FROM account", [])?;
        self.insert_account(account_id, &name, &display, Role::Director)?;
        crate::encrypt::encrypt_in_place(self, &data_dir, &key, || ring.save(&data_dir))?;
        self.begin_session(account_id, key)?;
        self.audit_security("secure_store", "数据已加密，建立了所长账号")?;
        Ok(recovery)
    }

    fn insert_account(&mut self, id: Uuid, name: &str, display: &str, role: Role) -> Result<()> {
        let now = ts(self.now());
        let taken: bool = self.conn.query_row("SELECT EXISTS(SELECT 1 FROM account WHERE name = ?1)", [name], |r| r.get(0))?;
        if taken {
            return Err(StoreError::Rule(format!("登录名“{name}”已被使用")));
        }
        let summary = format!("新建账号{display}（{name}，{}）", role.label());
        self.write_unchecked(Mode::Edit, |w| {
            w.tx.execute(
                "INSERT INTO account (id, name, display_name, role, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                params![id.to_string(), name, display, role.code(), now],
            )?;
            w.audit_plain("account_add", None, None, &summary, None)
        })
    }

    /// Signs `account_id` in: checks it is enabled, makes it the actor, and moves failed
    /// sign-ins waiting in the key ring into the audit log.
    fn begin_session(&mut self, account_id: Uuid, key: DataKey) -> Result<()> {
        let account = read_account(&self.conn, account_id)?.ok_or_else(|| StoreError::SignIn("账号已被删除".into()))?;
        if account.disabled {
            self.session = None;
            return Err(StoreError::SignIn(format!("账号“{}”已停用，请找所长启用", account.name)));
        }
        self.actor = account.display_name.clone();
        let summary = format!("{}（{}，{}）登录", account.display_name, account.name, account.role.label());
        self.session = Some(Session { account, key });
        let data_dir = self.data_dir();
        let mut ring = KeyRing::load(&data_dir)?;
        let failed = ring.take_failures();
        for f in &failed {
            // When it happened, in office time (the entry itself is written now).
            let at = chrono::DateTime::parse_from_rfc3339(&f.at)
                .map(|t| (t.naive_utc() + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_else(|_| f.at.clone());
            let text = format!("登录失败：登录名“{}”，{at}", f.name);
            self.audit_security("sign_in_failed", &text)?;
        }
        if !failed.is_empty() {
            ring.save(&data_dir)?;
        }
        self.audit_security("sign_in", &summary)
    }

    /// An audit entry about accounts and signing in (it concerns no record).
    fn audit_security(&mut self, action: &str, summary: &str) -> Result<()> {
        self.write_unchecked(Mode::Edit, |w| w.audit_plain(action, None, None, summary, None))
    }

    /// A second connection to the same store, signed in as the same account (for work in the
    /// background, e.g. a batch of prints, while this one serves the window).
    pub fn open_another(&self) -> Result<Store> {
        let data_dir = self.data_dir();
        let mut other = match &self.session {
            Some(s) => Store::open_keyed(&data_dir, self.clock.clone(), &s.key)?,
            None => Store::open_with_clock(&data_dir, self.clock.clone())?,
        };
        other.actor = self.actor.clone();
        other.session = self.session.as_ref().map(|s| Session { account: s.account.clone(), key: s.key.clone() });
        Ok(other)
    }

    /// The signed-in account; None for a store without accounts.
    pub fn account(&self) -> Option<&Account> {
        self.session.as_ref().map(|s| &s.account)
    }

    /// Refuses unless the signed-in account may do `p`. A store without accounts allows all.
    pub fn require_permission(&self, p: Permission) -> Result<()> {
        match &self.session {
            Some(s) if !s.account.role.allows(p) => Err(StoreError::Forbidden(p.refusal(s.account.role))),
            _ => Ok(()),
        }
    }

    /// Checks the signed-in account's password again (the lock screen).
    pub fn verify_password(&mut self, password: &str) -> Result<()> {
        let Some(session) = &self.session else { return Ok(()) };
        let ring = KeyRing::load(&self.data_dir())?;
        match ring.unlock(&session.account.name, password)? {
            Some((id, key)) if id == session.account.id && key == session.key => Ok(()),
            _ => {
                let text = format!("解锁失败：{}（{}）密码不正确", session.account.display_name, session.account.name);
                self.audit_security("unlock_failed", &text)?;
                Err(StoreError::SignIn("密码不正确".into()))
            }
        }
    }

    /// Signs another account in on the open store (切换账号 on the lock screen).
    pub fn switch_account(&mut self, name: &str, password: &str) -> Result<Account> {
        let data_dir = self.data_dir();
        let mut ring = KeyRing::load(&data_dir)?;
        let unlocked = ring.unlock(name, password)?;
        let Some((id, key)) = unlocked.filter(|(_, k)| self.session.as_ref().is_some_and(|s| &s.key == k)) else {
            ring.note_failure(name, ts(self.now()));
            ring.save(&data_dir)?;
            return Err(StoreError::SignIn("登录名或密码不正确".into()));
        };
        self.begin_session(id, key)?;
        Ok(self.account().cloned().expect("signed in"))
    }

    /// Every account, by login name.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY name"))?;
        let rows = stmt.query_map([], account_from_row)?;
        rows.map(|r| {
            let (id, name, display_name, role, disabled, created_at) = r?;
            Ok(Account { id, name, display_name, role: Role::from_code(&role)?, disabled, created_at })
        })
        .collect()
    }

    fn session_key(&self) -> Result<DataKey> {
        self.session.as_ref().map(|s| s.key.clone()).ok_or_else(|| StoreError::Rule("本所数据还没有加密，请先建立所长账号".into()))
    }

    /// Adds an account (所长 only).
    pub fn add_account(&mut self, new: &NewAccount) -> Result<Account> {
        self.require_permission(Permission::Administer)?;
        let key = self.session_key()?;
        let (name, display) = check_new(new)?;
        let role = new.role.ok_or_else(|| StoreError::Rule("请选择角色".into()))?;
        let id = fengqiao_model::new_id();
        self.insert_account(id, &name, &display, role)?;
        let data_dir = self.data_dir();
        let mut ring = KeyRing::load(&data_dir)?;
        ring.set_password(id, &name, &new.password, &key)?;
        ring.save(&data_dir)?;
        read_account(&self.conn, id)?.ok_or_else(|| StoreError::Corrupt("新账号没有保存".into()))
    }

    /// Changes an account's name, role or whether it is disabled (所长 only). The office keeps
    /// at least one enabled 所长, so nobody can lock the office out of its own settings.
    pub fn change_account(&mut self, id: Uuid, change: &AccountChange) -> Result<Account> {
        self.require_permission(Permission::Administer)?;
        let before = read_account(&self.conn, id)?.ok_or_else(|| StoreError::Rule("账号不存在".into()))?;
        let mut after = before.clone();
        if let Some(d) = &change.display_name {
            let d = d.trim();
            if d.is_empty() || d.chars().count() > 32 {
                return Err(StoreError::Rule("请填写姓名（最长32个字符）".into()));
            }
            after.display_name = d.to_string();
        }
        after.role = change.role.unwrap_or(before.role);
        after.disabled = change.disabled.unwrap_or(before.disabled);
        if before.role == Role::Director && !before.disabled && (after.role != Role::Director || after.disabled) {
            let directors: i64 = self.conn.query_row("SELECT count(*) FROM account WHERE role = 'director' AND disabled = 0", [], |r| r.get(0))?;
            if directors <= 1 {
                return Err(StoreError::Rule("本所至少要有一个启用的所长账号".into()));
            }
        }
        let summary = format!(
            "修改账号{}（{}）：{}",
            after.display_name,
            after.name,
            [
                (before.display_name != after.display_name).then(|| format!("姓名{}→{}", before.display_name, after.display_name)),
                (before.role != after.role).then(|| format!("角色{}→{}", before.role.label(), after.role.label())),
                (before.disabled != after.disabled).then(|| if after.disabled { "停用".to_string() } else { "启用".to_string() }),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("，")
        );
        let now = ts(self.now());
        self.write_unchecked(Mode::Edit, |w| {
            w.tx.execute(
                "UPDATE account SET display_name = ?2, role = ?3, disabled = ?4, updated_at = ?5 WHERE id = ?1",
                params![id.to_string(), after.display_name, after.role.code(), after.disabled, now],
            )?;
            w.audit_plain("account_change", None, None, &summary, None)
        })?;
        if let Some(s) = self.session.as_mut().filter(|s| s.account.id == id) {
            s.account = after.clone();
            self.actor = after.display_name.clone();
        }
        Ok(after)
    }

    /// Sets another account's password (所长 only: a colleague forgot theirs).
    pub fn set_account_password(&mut self, id: Uuid, new_password: &str) -> Result<()> {
        self.require_permission(Permission::Administer)?;
        check_password(new_password)?;
        let key = self.session_key()?;
        let account = read_account(&self.conn, id)?.ok_or_else(|| StoreError::Rule("账号不存在".into()))?;
        let data_dir = self.data_dir();
        let mut ring = KeyRing::load(&data_dir)?;
        ring.set_password(id, &account.name, new_password, &key)?;
        ring.save(&data_dir)?;
        self.audit_security("password_set", &format!("所长重设了{}（{}）的密码", account.display_name, account.name))
    }

    /// Changes the signed-in account's own password; the old one must be right.
    pub fn change_own_password(&mut self, old: &str, new_password: &str) -> Result<()> {
        check_password(new_password)?;
        self.verify_password(old).map_err(|_| StoreError::SignIn("原密码不正确".into()))?;
        let session = self.session.as_ref().ok_or_else(|| StoreError::Rule("本所数据还没有加密，请先建立所长账号".into()))?;
        let (id, name, key) = (session.account.id, session.account.name.clone(), session.key.clone());
        let data_dir = self.data_dir();
        let mut ring = KeyRing::load(&data_dir)?;
        ring.set_password(id, &name, new_password, &key)?;
        ring.save(&data_dir)?;
        self.audit_security("password_change", "修改了自己的密码")
    }

    /// Minutes without input before the window locks.
    pub fn idle_lock_minutes(&self) -> Result<u32> {
        let v: Option<String> = self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [IDLE_LOCK_KEY], |r| r.get(0)).optional()?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_IDLE_LOCK_MINUTES))
    }

    /// Sets the idle time before the window locks (所长 only), 1 to 240 minutes.
    pub fn set_idle_lock_minutes(&mut self, minutes: u32) -> Result<()> {
        self.require_permission(Permission::Administer)?;
        if !(1..=240).contains(&minutes) {
            return Err(StoreError::Rule("自动锁定时间应在1到240分钟之间".into()));
        }
        let summary = format!("自动锁定时间设为{minutes}分钟");
        self.write_unchecked(Mode::Edit, |w| {
            w.tx.execute(
                "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![IDLE_LOCK_KEY, minutes.to_string()],
            )?;
            w.audit_plain("settings", None, None, &summary, None)
        })
    }
}
