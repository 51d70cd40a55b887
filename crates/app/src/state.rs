//! The app's state: the data directory and the opened store behind a mutex, so commands can
//! run on any thread (the shell runs them off the UI thread). The sync agent shares the same
//! store and the same lock; a command that wrote to the store wakes it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use fengqiao_model::Ctx;
use fengqiao_store::{Clock, Store, StoreError};
use fengqiao_sync::SharedStore;

use crate::AppError;

/// Settings keys the app keeps in the store's settings table.
pub(crate) mod keys {
    /// JSON list of [`crate::settings::StaffMember`].
    pub const STAFF: &str = "app_staff";
    /// The name of the staff member working at this PC.
    pub const CURRENT_STAFF: &str = "app_current_staff";
}

pub struct AppState {
    data_dir: PathBuf,
    clock: Clock,
    /// The opened store, shared with the sync agent: one connection behind one lock. Set once,
    /// when the app opens an existing store or first run makes it.
    store: OnceLock<SharedStore>,
    /// Held by first run while it makes the store, so that two cannot.
    making: Mutex<()>,
    /// Why the store could not be opened (a newer schema, a damaged file); None when it was
    /// opened or is simply not made yet (first run).
    open_error: Option<AppError>,
    /// The sync agent and what it last reported.
    pub(crate) sync: crate::sync::SyncHub,
    /// The window is locked (idle, or 锁定 pressed): commands are refused until the password
    /// is given again. The store stays open, so sync goes on.
    locked: AtomicBool,
    /// The recovery key of an office just set up, until the clerk confirms it is kept safe.
    pending_recovery_key: Mutex<Option<String>>,
}

impl AppState {
    /// Opens the store in `data_dir` if there is one; without one the app starts in first run.
    pub fn open(data_dir: impl Into<PathBuf>, clock: Clock) -> AppState {
        let data_dir = data_dir.into();
        // PDFs a crash left behind (they hold records in clear).
        crate::print::clear_prints(&data_dir);
        // An encrypted store waits for a sign-in (`accounts::sign_in`).
        let opening = if Store::is_secured(&data_dir) { Err(StoreError::Locked) } else { Store::open_with_clock(&data_dir, clock.clone()) };
        let (opened, open_error) = match opening {
            Ok(mut store) => {
                if let Ok(Some(actor)) = store.sync_setting(keys::CURRENT_STAFF) {
                    store.set_actor(&actor);
                }
                (Some(store), None)
            }
            Err(StoreError::NotInitialized(_) | StoreError::Locked) => (None, None),
            Err(e) => (None, Some(AppError::from(e))),
        };
        let store = OnceLock::new();
        if let Some(s) = opened {
            let _ = store.set(Arc::new(Mutex::new(s)));
        }
        let sync = crate::sync::SyncHub::new(clock.clone(), &data_dir);
        AppState {
            data_dir,
            store,
            making: Mutex::new(()),
            sync,
            clock,
            open_error,
            locked: AtomicBool::new(false),
            pending_recovery_key: Mutex::new(None),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub(crate) fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// The validation context now.
    pub fn ctx(&self) -> Ctx {
        Ctx::at((self.clock)())
    }

    /// Why the store could not be opened, by its code (for the log).
    pub fn open_error_code(&self) -> Option<&str> {
        self.open_error.as_ref().map(|e| e.code.as_str())
    }

    pub(crate) fn open_error(&self) -> Option<&AppError> {
        self.open_error.as_ref()
    }

    /// The opened store (None before first run), to share with the sync agent.
    pub(crate) fn shared_store(&self) -> Option<&SharedStore> {
        self.store.get()
    }

    /// Locks the opened store. A command that panicked leaves the store as SQLite left it (its
    /// transaction rolled back), so the lock stays usable.
    pub(crate) fn lock_store(store: &SharedStore) -> MutexGuard<'_, Store> {
        store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// First run: makes the store with `make` unless there is one, and keeps it.
    pub(crate) fn make_store(&self, make: impl FnOnce() -> Result<Store, AppError>) -> Result<(), AppError> {
        let _making = self.making.lock().unwrap_or_else(|e| e.into_inner());
        if self.store.get().is_some() || self.data_dir.join(fengqiao_store::DB_FILE).exists() {
            return Err(AppError::new("already_initialized", "本机已完成首次设置，不能重复设置"));
        }
        let _ = self.store.set(Arc::new(Mutex::new(make()?)));
        Ok(())
    }

    /// Whether the data directory holds an encrypted store (one with accounts).
    pub fn secured(&self) -> bool {
        Store::is_secured(&self.data_dir)
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    pub(crate) fn set_locked(&self, locked: bool) {
        self.locked.store(locked, Ordering::SeqCst);
    }

    /// Keeps (or, with None, forgets) the recovery key to show once.
    pub(crate) fn set_pending_recovery_key(&self, key: Option<String>) {
        *self.pending_recovery_key.lock().unwrap_or_else(|e| e.into_inner()) = key;
    }

    pub(crate) fn pending_recovery_key(&self) -> Option<String> {
        self.pending_recovery_key.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Keeps the store a sign-in opened (the first sign-in after start).
    pub(crate) fn keep_signed_in_store(&self, store: Store) {
        let _ = self.store.set(Arc::new(Mutex::new(store)));
    }

    /// Runs `f` on the opened store, unlocked; for the lock screen and sign-in themselves.
    pub(crate) fn with_even_locked<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, AppError>) -> Result<T, AppError> {
        let Some(shared) = self.store.get() else {
            return Err(self.open_error.clone().unwrap_or_else(|| self.not_open_error()));
        };
        f(&mut Self::lock_store(shared))
    }

    fn not_open_error(&self) -> AppError {
        if self.secured() {
            AppError::new("signed_out", "请先登录")
        } else {
            AppError::not_initialized()
        }
    }

    /// Refuses unless the signed-in account may do `p` — the first line of every command that
    /// changes something, so a 只读 account is refused before its input is even checked.
    pub(crate) fn require(&self, p: fengqiao_store::Permission) -> Result<(), AppError> {
        self.with(|s| Ok(s.require_permission(p)?))
    }

    /// Runs `f` on the opened store; before first run, says so. When `f` wrote to the store,
    /// the sync agent is woken (and the indicator counts the change) after the lock is let go.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, AppError>) -> Result<T, AppError> {
        let Some(shared) = self.store.get() else {
            return Err(self.open_error.clone().unwrap_or_else(|| self.not_open_error()));
        };
        if self.is_locked() {
            return Err(AppError::new("locked", "窗口已锁定，请输入密码解锁"));
        }
        let mut store = Self::lock_store(shared);
        let before = store.connection().total_changes();
        let out = f(&mut store);
        let wrote = store.connection().total_changes() != before;
        drop(store);
        if wrote {
            self.sync.local_change(shared);
        }
        out
    }
}
