//! Makes a county data directory (embedded SQLite) of an earlier schema version with an
//! office, two enrolled devices and a record pushed by one, for the package test's upgrade of
//! the county service (scripts/package-test.sh).
//!
//!     cargo run -p fengqiao-county --example old-county -- DIR VERSION

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::ExitCode;

use fengqiao_county::store::{CountyStore, SCHEMA_VERSION};
use fengqiao_county::SqliteStore;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, version] = args.as_slice() else {
        eprintln!("用法：old-county DIR VERSION");
        return ExitCode::from(2);
    };
    let dir = std::path::Path::new(dir);
    let version: i64 = match version.parse() {
        Ok(v) if (1..SCHEMA_VERSION).contains(&v) => v,
        _ => {
            eprintln!("错误：结构版本应在1至{}之间", SCHEMA_VERSION - 1);
            return ExitCode::from(2);
        }
    };
    if dir.join("county.db").exists() {
        eprintln!("错误：{}中已有数据库", dir.display());
        return ExitCode::from(1);
    }
    let store = match SqliteStore::open_at_schema(dir, version).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(1);
        }
    };
    let s: &dyn CountyStore = &store;
    let office = common::office(s, "西岭镇司法所").await;
    let (a, _) = common::device(s, &office).await;
    let _ = common::device(s, &office).await;
    let person = uuid::Uuid::now_v7();
    s.push(office.id, a.id, vec![common::person_created(office.id, a.id, person, 1_000)], chrono::Utc::now()).await.expect("push");
    println!("{{\"office_id\":\"{}\",\"record\":\"{person}\",\"schema\":{version}}}", office.id);
    ExitCode::SUCCESS
}
