//! Limits on sign-in attempts: after [`MAX_NAME_FAILURES`] failed sign-ins for one account name
//! within [`WINDOW`], that name is refused for [`LOCKOUT`] (even with the right password); after
//! [`MAX_ADDR_FAILURES`] failures from one client address within the window, that address is
//! refused likewise, so that trying many names from one place is stopped too. A successful
//! sign-in clears its name's count (not its address's: one good account must not buy an
//! address more guesses at others).
//!
//! The counters live in this process's memory. That is enough for the county server: one
//! process serves the dashboard of one county (the store may be shared, the web front is not
//! replicated), argon2 already makes each guess cost tens of milliseconds, and a restart —
//! which clears the counters — takes an operator. Were several processes run behind one
//! address, each would count on its own and the limits would multiply by their number.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// Failed sign-ins of one account name that lock it.
pub const MAX_NAME_FAILURES: usize = 5;
/// Failed sign-ins from one client address that lock it.
pub const MAX_ADDR_FAILURES: usize = 20;
/// Failures older than this are forgotten.
pub const WINDOW: Duration = Duration::minutes(15);
/// How long a lock lasts.
pub const LOCKOUT: Duration = Duration::minutes(15);

/// The message of a locked-out attempt.
pub const LOCKED_MESSAGE: &str = "登录失败次数过多，请15分钟后再试";

/// Where the limiter reads the time (tests move it forward instead of waiting 15 minutes).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Default)]
struct Tally {
    /// Failures within the window, oldest first.
    failures: Vec<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

impl Tally {
    fn locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }
    fn forget_old(&mut self, now: DateTime<Utc>) {
        if self.locked_until.is_some_and(|t| now >= t) {
            self.locked_until = None;
            self.failures.clear();
        }
        self.failures.retain(|t| now - *t < WINDOW);
    }
    /// Counts a failure; true when it starts a lock.
    fn fail(&mut self, now: DateTime<Utc>, max: usize) -> bool {
        self.forget_old(now);
        if self.locked(now) {
            return false;
        }
        self.failures.push(now);
        if self.failures.len() >= max {
            self.locked_until = Some(now + LOCKOUT);
            return true;
        }
        false
    }
    fn idle(&self, now: DateTime<Utc>) -> bool {
        !self.locked(now) && self.failures.last().is_none_or(|t| now - *t >= WINDOW)
    }
}

struct Tallies<K> {
    map: HashMap<K, Tally>,
    /// The size at which idle entries are pruned next (grows with the map, so pruning stays
    /// amortized O(1) per failure).
    prune_at: usize,
}

impl<K: std::hash::Hash + Eq> Tallies<K> {
    fn new() -> Self {
        Tallies { map: HashMap::new(), prune_at: 1024 }
    }
    fn prune(&mut self, now: DateTime<Utc>) {
        if self.map.len() >= self.prune_at {
            self.map.retain(|_, t| !t.idle(now));
            self.prune_at = (self.map.len() * 2).max(1024);
        }
    }
}

struct State {
    names: Tallies<String>,
    addrs: Tallies<IpAddr>,
}

/// Why an attempt is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    Name,
    Address,
}

/// What a failure did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failure {
    /// This failure locked the account name.
    pub locked_name: bool,
    /// This failure locked the client address.
    pub locked_address: bool,
}

/// The sign-in limits of one county server process.
pub struct SignInLimiter {
    clock: Clock,
    state: Mutex<State>,
}

impl Default for SignInLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl SignInLimiter {
    pub fn new() -> SignInLimiter {
        Self::with_clock(Arc::new(Utc::now))
    }

    pub fn with_clock(clock: Clock) -> SignInLimiter {
        SignInLimiter { clock, state: Mutex::new(State { names: Tallies::new(), addrs: Tallies::new() }) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether an attempt for `name` from `addr` is refused now.
    pub fn check(&self, name: &str, addr: Option<IpAddr>) -> Result<(), Locked> {
        let now = (self.clock)();
        let s = self.state();
        if s.names.map.get(name).is_some_and(|t| t.locked(now)) {
            return Err(Locked::Name);
        }
        if addr.and_then(|a| s.addrs.map.get(&a)).is_some_and(|t| t.locked(now)) {
            return Err(Locked::Address);
        }
        Ok(())
    }

    /// Counts a failed attempt (a wrong password or an unknown name).
    pub fn failed(&self, name: &str, addr: Option<IpAddr>) -> Failure {
        let now = (self.clock)();
        let mut s = self.state();
        let mut out = Failure::default();
        s.names.prune(now);
        out.locked_name = s.names.map.entry(name.to_string()).or_default().fail(now, MAX_NAME_FAILURES);
        if let Some(a) = addr {
            s.addrs.prune(now);
            out.locked_address = s.addrs.map.entry(a).or_default().fail(now, MAX_ADDR_FAILURES);
        }
        out
    }

    /// A successful sign-in: the name's count starts again.
    pub fn succeeded(&self, name: &str) {
        self.state().names.map.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    fn clock() -> (Arc<AtomicI64>, SignInLimiter) {
        let offset = Arc::new(AtomicI64::new(0));
        let start = Utc::now();
        let o = offset.clone();
        (offset, SignInLimiter::with_clock(Arc::new(move || start + Duration::seconds(o.load(Ordering::SeqCst)))))
    }

    #[test]
    fn five_failures_lock_a_name_for_fifteen_minutes() {
        let (t, l) = clock();
        for _ in 0..4 {
            assert_eq!(l.failed("张科长", None), Failure::default());
        }
        assert!(l.check("张科长", None).is_ok());
        assert!(l.failed("张科长", None).locked_name);
        assert_eq!(l.check("张科长", None), Err(Locked::Name));
        assert!(l.check("李干事", None).is_ok(), "other names are not locked");
        t.store(15 * 60 - 1, Ordering::SeqCst);
        assert_eq!(l.check("张科长", None), Err(Locked::Name));
        t.store(15 * 60, Ordering::SeqCst);
        assert!(l.check("张科长", None).is_ok());
        // The count started again after the lock.
        assert!(!l.failed("张科长", None).locked_name);
    }

    #[test]
    fn failures_outside_the_window_and_before_a_success_do_not_count() {
        let (t, l) = clock();
        for _ in 0..4 {
            l.failed("a", None);
        }
        t.store(15 * 60, Ordering::SeqCst);
        assert!(!l.failed("a", None).locked_name, "the first four are forgotten");
        for _ in 0..3 {
            l.failed("a", None);
        }
        l.succeeded("a");
        for _ in 0..4 {
            assert!(!l.failed("a", None).locked_name);
        }
    }

    #[test]
    fn twenty_failures_from_one_address_lock_it_whatever_the_names() {
        let (_, l) = clock();
        let addr: IpAddr = "192.0.2.7".parse().unwrap();
        for i in 0..19 {
            assert!(!l.failed(&format!("name{i}"), Some(addr)).locked_address);
        }
        assert!(l.failed("name19", Some(addr)).locked_address);
        assert_eq!(l.check("someone", Some(addr)), Err(Locked::Address));
        assert!(l.check("someone", Some("192.0.2.8".parse().unwrap())).is_ok());
        l.succeeded("someone");
        assert_eq!(l.check("someone", Some(addr)), Err(Locked::Address), "a success elsewhere does not unlock the address");
    }

    #[test]
    fn idle_entries_are_pruned() {
        let (t, l) = clock();
        for i in 0..1000 {
            l.failed(&format!("n{i}"), None);
        }
        t.store(16 * 60, Ordering::SeqCst);
        for i in 0..30 {
            l.failed(&format!("m{i}"), None);
        }
        assert!(l.state().names.map.len() <= 30, "{}", l.state().names.map.len());
    }
}
