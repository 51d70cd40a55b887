//! The program's log, DATA/logs/fengqiao.log: what a county IT person needs to see what went
//! wrong on an office PC — starts, versions, upgrades, failed commands by their code, crashes
//! by their place in the code. Never a name, an ID number or anything of a record: error
//! messages name fields and values, so only their codes are written. Rotated at 1 MiB, five
//! files kept (fengqiao.log, fengqiao.1.log … fengqiao.4.log). A log that cannot be written
//! never stops the clerk's work.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{FixedOffset, Utc};

/// The log folder inside the data directory.
pub const LOG_DIR: &str = "logs";
const FILE: &str = "fengqiao.log";
const MAX_BYTES: u64 = 1 << 20;
const KEEP: usize = 5;

pub struct Log {
    dir: PathBuf,
    /// One writer at a time, so lines and rotations do not interleave.
    lock: Mutex<()>,
}

impl Log {
    pub fn new(data_dir: &Path) -> Log {
        Log { dir: data_dir.join(LOG_DIR), lock: Mutex::new(()) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The first line of a start: the versions.
    pub fn started(&self) {
        self.info(&format!(
            "启动 枫桥 {}（数据结构版本 {}，同步协议版本 {}）",
            crate::VERSION,
            fengqiao_store::schema::current_version(),
            fengqiao_sync::protocol::PROTOCOL_VERSION
        ));
    }

    pub fn info(&self, event: &str) {
        self.write("INFO", event);
    }

    pub fn warn(&self, event: &str) {
        self.write("WARN", event);
    }

    pub fn error(&self, event: &str) {
        self.write("ERROR", event);
    }

    /// A failed command: its name and the error's code, not its message.
    pub fn command_failed(&self, command: &str, error: &crate::AppError) {
        self.warn(&format!("命令 {command} 未完成：{}", error.code));
    }

    fn write(&self, level: &str, event: &str) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let office = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
        let line = format!("{} {level} {event}\n", Utc::now().with_timezone(&office).format("%Y-%m-%d %H:%M:%S%:z"));
        let _ = self.append(&line);
    }

    fn append(&self, line: &str) -> std::io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(FILE);
        let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > 0 && size + line.len() as u64 > MAX_BYTES {
            self.rotate()?;
        }
        OpenOptions::new().create(true).append(true).open(&path)?.write_all(line.as_bytes())
    }

    fn rotate(&self) -> std::io::Result<()> {
        let numbered = |n: usize| self.dir.join(format!("fengqiao.{n}.log"));
        let _ = fs::remove_file(numbered(KEEP - 1));
        for n in (1..KEEP - 1).rev() {
            if numbered(n).exists() {
                fs::rename(numbered(n), numbered(n + 1))?;
            }
        }
        fs::rename(self.dir.join(FILE), numbered(1))
    }

    /// The log files, newest first, with their sizes.
    pub fn files(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name.starts_with("fengqiao") && name.ends_with(".log")).then(|| (name, e.metadata().map(|m| m.len()).unwrap_or(0)))
            })
            .collect();
        let rank = |n: &str| {
            n.trim_start_matches("fengqiao").trim_start_matches('.').trim_end_matches("log").trim_end_matches('.').parse::<usize>().unwrap_or(0)
        };
        out.sort_by_key(|(n, _)| rank(n));
        out
    }
}
