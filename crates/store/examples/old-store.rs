//! Makes an office's data directory of an earlier schema version, with records, for the package
//! test's upgrade (scripts/package-test.sh), and reads a store's schema version back.
//!
//!     cargo run -p fengqiao-store --example old-store -- make DIR VERSION
//!     cargo run -p fengqiao-store --example old-store -- version DIR
//!     cargo run -p fengqiao-store --example old-store -- current    (the version this build writes)

#[path = "../tests/common/old_schema.rs"]
mod old_schema;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["make", dir, version] => make(Path::new(dir), version),
        ["version", dir] => version(Path::new(dir)),
        ["current"] => {
            println!("{}", fengqiao_store::schema::current_version());
            Ok(())
        }
        _ => Err("用法：old-store make DIR VERSION | old-store version DIR | old-store current".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(1)
        }
    }
}

fn make(dir: &Path, version: &str) -> Result<(), String> {
    let version: i64 = version.parse().map_err(|_| format!("结构版本“{version}”不是数字"))?;
    if !(1..fengqiao_store::schema::current_version()).contains(&version) {
        return Err(format!("结构版本应在1至{}之间", fengqiao_store::schema::current_version() - 1));
    }
    if dir.join(fengqiao_store::DB_FILE).exists() {
        return Err(format!("{}中已有数据库", dir.display()));
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let (office, first, second) = old_schema::make_at(dir, version);
    println!("{{\"office_id\":\"{office}\",\"cases\":[\"{first}\",\"{second}\"],\"schema\":{version}}}");
    Ok(())
}

fn version(dir: &Path) -> Result<(), String> {
    let conn = rusqlite::Connection::open_with_flags(dir.join(fengqiao_store::DB_FILE), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| e.to_string())?;
    println!("{}", fengqiao_store::schema::version_of(&conn).map_err(|e| e.to_string())?);
    Ok(())
}
