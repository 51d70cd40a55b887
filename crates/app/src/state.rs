//! The app's state: the data directory and the opened store behind a mutex, so commands can
//! run on any thread (the shell runs them off the UI thread).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use fengqiao_model::Ctx;
use fengqiao_store::{Clock, Store, StoreError};

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
    store: Mutex<Option<Store>>,
    /// Why the store could not be opened (a newer schema, a damaged file); None when it was
    /// opened or is simply not made yet (first run).
    open_error: Option<AppError>,
}

impl AppState {
    /// Opens the store in `data_dir` if there is one; without one the app starts in first run.
    pub fn open(data_dir: impl Into<PathBuf>, clock: Clock) -> AppState {
        let data_dir = data_dir.into();
        let (store, open_error) = match Store::open_with_clock(&data_dir, clock.clone()) {
            Ok(mut store) => {
                if let Ok(Some(actor)) = store.sync_setting(keys::CURRENT_STAFF) {
                    store.set_actor(&actor);
                }
                (Some(store), None)
            }
            Err(StoreError::NotInitialized(_)) => (None, None),
            Err(e) => (None, Some(AppError::from(e))),
        };
        AppState { data_dir, clock, store: Mutex::new(store), open_error }
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

    pub(crate) fn open_error(&self) -> Option<&AppError> {
        self.open_error.as_ref()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Option<Store>> {
        // A command that panicked leaves the store as SQLite left it (its transaction rolled
        // back), so the lock stays usable.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the opened store; before first run, says so.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut guard = self.lock();
        match guard.as_mut() {
            Some(store) => f(store),
            None => Err(self.open_error.clone().unwrap_or_else(AppError::not_initialized)),
        }
    }
}
