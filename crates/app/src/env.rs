//! Where the data lives and what time it is, as the desktop and `fengqiao-cli` both decide
//! it, so the two open the same store: `--data-dir DIR`, else `FENGQIAO_DATA_DIR`, else the
//! platform's data directory + `fengqiao`; the clock is the system's unless `FENGQIAO_NOW`
//! fixes it (tests, screenshots, reproducible demos).

use std::path::PathBuf;
use std::sync::Arc;

use fengqiao_store::Clock;

/// `FENGQIAO_DATA_DIR`, else the platform's data directory + `fengqiao` (the CLI's rule).
pub fn default_data_dir() -> Option<PathBuf> {
    use std::env::var_os;
    if let Some(d) = var_os("FENGQIAO_DATA_DIR").filter(|v| !v.is_empty()) {
        return Some(d.into());
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
    base.map(|b| b.join("fengqiao"))
}

/// The system clock, or the instant of `FENGQIAO_NOW` (RFC 3339).
pub fn clock_from_env() -> Result<Clock, String> {
    match std::env::var("FENGQIAO_NOW") {
        Ok(s) if !s.trim().is_empty() => {
            let t = chrono::DateTime::parse_from_rfc3339(s.trim())
                .map_err(|_| format!("环境变量 FENGQIAO_NOW 的值“{s}”不是RFC 3339时间，如2026-11-21T09:00:00+08:00"))?
                .with_timezone(&chrono::Utc);
            Ok(Arc::new(move || t))
        }
        _ => Ok(fengqiao_store::system_clock()),
    }
}

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    Run { data_dir: PathBuf },
    Version,
    Help,
}

pub const USAGE: &str = "用法：fengqiao [--data-dir 目录]\n\n\
  --data-dir 目录  数据目录（也可用环境变量 FENGQIAO_DATA_DIR 指定；默认为本机用户数据目录下的 fengqiao）\n\
  --version        显示版本\n\
  --help           显示本说明\n";

/// Reads `--data-dir DIR` (or `--data-dir=DIR`), `--version` and `--help`; arguments the
/// webview runtime adds are left alone.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Launch, String> {
    let mut data_dir = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--version" | "-V" => return Ok(Launch::Version),
            "--help" | "-h" => return Ok(Launch::Help),
            "--data-dir" => data_dir = Some(it.next().filter(|d| !d.is_empty()).ok_or("--data-dir 后面应写数据目录")?),
            _ => {
                if let Some(d) = a.strip_prefix("--data-dir=") {
                    data_dir = Some(d.to_string());
                }
            }
        }
    }
    let data_dir = match data_dir {
        Some(d) => PathBuf::from(d),
        None => default_data_dir().ok_or("无法确定数据目录，请用 --data-dir 指定，或设置环境变量 FENGQIAO_DATA_DIR")?,
    };
    Ok(Launch::Run { data_dir })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn data_dir_from_the_command_line() {
        assert_eq!(parse_args(args(&["--data-dir", "/tmp/x"])), Ok(Launch::Run { data_dir: "/tmp/x".into() }));
        assert_eq!(parse_args(args(&["--data-dir=/tmp/y"])), Ok(Launch::Run { data_dir: "/tmp/y".into() }));
        assert_eq!(parse_args(args(&["--version"])), Ok(Launch::Version));
        assert!(parse_args(args(&["--data-dir"])).is_err());
    }
}
