//! The first connections of a process, opened by several threads at once (as the test
//! harness, the desktop app's sync thread and the county server's workers do), all get
//! SQLCipher's `sqlcipher_export`. SQLite reports itself started before SQLCipher has
//! registered that function, and a connection opened in that moment used to lack it: a
//! backup made on it failed with "no such function: sqlcipher_export", in about one fresh
//! process in twenty. Only a fresh process can show it, so the test runs itself again as
//! many child processes.

use std::process::Command;
use std::sync::{Arc, Barrier};

use fengqiao_store::Store;

const CHILD: &str = "FENGQIAO_FIRST_CONNECTIONS_CHILD";
const PROCESSES: usize = 40;

/// In a child: eight threads open new stores at the same moment, then back up and restore.
fn open_stores_at_once() {
    const THREADS: usize = 8;
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let dir = tempfile::tempdir().unwrap();
                barrier.wait();
                let mut store = Store::init(dir.path(), "东山镇司法所", "350502101").unwrap();
                let out = dir.path().join(format!("备份{i}.db"));
                store.backup(&out).map_err(|e| format!("thread {i}: {e}"))?;
                store.restore(&out).map_err(|e| format!("thread {i}: {e}"))
            })
        })
        .collect();
    let failures: Vec<String> = workers.into_iter().filter_map(|w| w.join().unwrap().err()).collect();
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn stores_opened_at_once_by_many_threads_of_a_fresh_process_can_all_make_backups() {
    if std::env::var_os(CHILD).is_some() {
        return open_stores_at_once();
    }
    let me = std::env::current_exe().unwrap();
    let run = || {
        Command::new(&me)
            .args(["--exact", "stores_opened_at_once_by_many_threads_of_a_fresh_process_can_all_make_backups", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap()
    };
    // Two at a time, one per core of the CI machine.
    let mut failed = Vec::new();
    for _ in 0..PROCESSES / 2 {
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(run);
            let b = s.spawn(run);
            (a.join().unwrap(), b.join().unwrap())
        });
        for out in [a, b] {
            if !out.status.success() {
                failed.push(String::from_utf8_lossy(&out.stdout).into_owned());
            }
        }
    }
    assert!(failed.is_empty(), "{} of {PROCESSES} processes failed; the first said:\n{}", failed.len(), failed[0]);
}
