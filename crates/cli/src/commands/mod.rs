//! The commands. Human messages go to stdout (results) and stderr (progress, notes);
//! with `--json` stdout carries one JSON document.

mod accounts;
mod audit;
mod exchange;
mod list;
mod reminders;
mod render;
mod sheets;
mod stats;
mod sync;

use std::io::IsTerminal;
use std::path::Path;

use fengqiao_store::Store;
use serde_json::json;

use crate::args::Command;
use crate::demo::{self, DemoOptions, Progress};
use crate::{CliError, Env};

pub fn run(env: &Env, command: Command) -> Result<(), CliError> {
    match command {
        Command::Init { office, division_code, account: Some(account), display_name } => {
            accounts::init_secured(env, &office, &division_code, &account, display_name.as_deref().unwrap_or_default())
        }
        Command::Init { office, division_code, .. } => init(env, &office, &division_code),
        Command::Secure { account, display_name } => accounts::secure(env, &account, &display_name),
        Command::Account { action } => accounts::account(env, action),
        Command::ResetPassword => accounts::reset_password(env),
        Command::Export { out, plain } => exchange::export(env, out.as_deref(), plain),
        Command::Import { file, mapping, preview } if fengqiao_sheets::is_workbook(&file) => sheets::import(env, &file, mapping.as_deref(), preview),
        Command::Import { file, mapping, preview } => {
            if mapping.is_some() || preview {
                return Err(CliError::Usage("--mapping 和 --preview 只用于Excel台账（.xlsx/.xls）".into()));
            }
            exchange::import(env, &file)
        }
        Command::List { what, query, page, page_size } => list::list(env, what, query, page, page_size),
        Command::Stats { from, to } => stats::stats(env, from, to),
        Command::Enroll { server, code, name } => sync::enroll(env, &server, &code, name.as_deref()),
        Command::Sync { action, once, server, attempts } => sync::sync(env, action, once, server.as_deref(), attempts),
        Command::Backup { out, passphrase } => backup(env, &out, passphrase),
        Command::Restore { file, passphrase } => restore(env, &file, passphrase),
        Command::DemoData { disputes, released, screenings, seed } => demo_data(env, DemoOptions { disputes, released, screenings, seed }),
        Command::Reminders { action, all } => reminders::reminders(env, action, all),
        Command::Audit { action } => audit::audit(env, action),
        Command::ExportXlsx { what, out, mask_ids } => sheets::export(env, what, &out, mask_ids),
        Command::Render { list, document, record, from, to, out } => render::render(env, render::Request { list, document, record, from, to, out }),
    }
}

/// Opens the store the command works on; an encrypted one signed in (see `accounts`).
pub(crate) fn open(env: &Env) -> Result<Store, CliError> {
    accounts::open(env)
}

/// Prints a JSON document on stdout (with `--json`) or the human text.
pub(crate) fn say(env: &Env, value: serde_json::Value, human: impl FnOnce() -> String) {
    if env.json {
        crate::out(&format!("{value}\n"));
    } else {
        crate::out(&format!("{}\n", human()));
    }
}

fn init(env: &Env, office: &str, division_code: &str) -> Result<(), CliError> {
    let store = Store::init_with_clock(&env.data_dir, office, division_code, env.clock.clone())?;
    let o = store.office()?;
    let name = o.name.unwrap_or_default();
    let code = o.division_code.unwrap_or_default();
    say(env, json!({ "ok": true, "data_dir": env.data_dir, "office_id": store.office_id(), "office": name, "division_code": code }), || {
        format!("已初始化“{name}”（行政区划代码{code}），数据目录：{}", env.data_dir.display())
    });
    Ok(())
}

fn backup(env: &Env, out: &Path, with_passphrase: bool) -> Result<(), CliError> {
    let mut store = open(env)?;
    if with_passphrase {
        let passphrase = accounts::backup_passphrase(true)?;
        store.backup_with_passphrase(out, &passphrase)?;
    } else {
        // Encrypted with the office's own key when the office is encrypted.
        store.backup(out)?;
    }
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    say(env, json!({ "ok": true, "backup": out, "bytes": size }), || format!("已备份到 {}（{}）", out.display(), human_bytes(size)));
    Ok(())
}

fn restore(env: &Env, file: &Path, with_passphrase: bool) -> Result<(), CliError> {
    if !file.is_file() {
        return Err(CliError::file("打开备份文件", file, std::io::ErrorKind::NotFound.into()));
    }
    let mut store = open(env)?;
    if with_passphrase {
        let passphrase = accounts::backup_passphrase(false)?;
        store.restore_with_passphrase(file, &passphrase)?;
    } else {
        store.restore(file)?;
    }
    say(env, json!({ "ok": true, "restored_from": file }), || format!("已从 {} 恢复，备份之后的修改已被替换", file.display()));
    Ok(())
}

fn demo_data(env: &Env, opts: DemoOptions) -> Result<(), CliError> {
    let mut store = open(env)?;
    let tty = std::io::stderr().is_terminal();
    let mut last_len: usize = 0;
    let report = demo::generate(&mut store, &opts, |p: &Progress| {
        let line = p.line();
        if tty {
            let pad = last_len.saturating_sub(crate::table::width(&line));
            eprint!("\r{line}{}", " ".repeat(pad));
            last_len = crate::table::width(&line);
        } else {
            eprintln!("{line}");
        }
    })?;
    if tty {
        eprintln!();
    }
    say(env, serde_json::to_value(&report).unwrap_or_default(), || report.summary());
    Ok(())
}

pub(crate) fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} 字节"),
    }
}
