//! fengqiao-cli: the office store, headless — for IT staff, scripts and tests.
//!
//! `main.rs` only calls [`main_entry`]; every command is a function here so tests and
//! benches can drive them without a process.

pub mod args;
mod commands;
pub mod demo;
pub mod error;
mod table;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use fengqiao_store::Clock;

pub use args::{Cli, Command, ListKind};
pub use error::CliError;

/// Parses the arguments, runs the command, prints what failed; returns the exit code.
pub fn main_entry<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let text = args::localize_usage(&e.render().to_string());
                    out(&format!("{}\n", text.trim_end()));
                    0
                }
                _ => {
                    eprintln!("错误：{}", args::clap_error_cn(&e));
                    2
                }
            };
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            report_error(&e, json);
            e.exit_code()
        }
    }
}

/// Prints a failure: the Chinese message and its code on stderr, and with `--json` the same
/// as `{"ok":false,"error":{code,message,problems?}}` on stdout.
pub fn report_error(e: &CliError, json: bool) {
    eprintln!("错误：{e}\n（错误代码：{}）", e.code());
    if json {
        out(&format!("{}\n", e.to_json()));
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error of the command.
pub fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let env = Env {
        data_dir: match cli.data_dir {
            Some(d) => d,
            None => default_data_dir()?,
        },
        json: cli.json,
        clock: clock_from_env()?,
        user: cli.user.filter(|u| !u.trim().is_empty()).or_else(|| std::env::var("FENGQIAO_USER").ok().filter(|u| !u.trim().is_empty())),
    };
    commands::run(&env, cli.command)
}

/// What every command needs: where the store is, how to print, the clock, and who signs in
/// to an encrypted store (`--user`, else `FENGQIAO_USER`).
pub struct Env {
    pub data_dir: PathBuf,
    pub json: bool,
    pub clock: Clock,
    pub user: Option<String>,
}

/// `FENGQIAO_DATA_DIR`, else the platform's data directory + `fengqiao`.
pub fn default_data_dir() -> Result<PathBuf, CliError> {
    use std::env::var_os;
    if let Some(d) = var_os("FENGQIAO_DATA_DIR").filter(|v| !v.is_empty()) {
        return Ok(d.into());
    }
    let base: Option<PathBuf> = if cfg!(windows) {
        var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
    };
    base.map(|b| b.join("fengqiao")).ok_or_else(|| CliError::Usage("无法确定数据目录，请用 --data-dir 指定，或设置环境变量 FENGQIAO_DATA_DIR".into()))
}

/// The system clock, or a fixed instant from `FENGQIAO_NOW` (RFC 3339) for tests and
/// reproducible demo data.
pub fn clock_from_env() -> Result<Clock, CliError> {
    match std::env::var("FENGQIAO_NOW") {
        Ok(s) if !s.trim().is_empty() => {
            let t = chrono::DateTime::parse_from_rfc3339(s.trim())
                .map_err(|_| CliError::Usage(format!("环境变量 FENGQIAO_NOW 的值“{s}”不是RFC 3339时间，如2026-11-21T09:00:00+08:00")))?
                .with_timezone(&chrono::Utc);
            Ok(Arc::new(move || t))
        }
        _ => Ok(fengqiao_store::system_clock()),
    }
}
