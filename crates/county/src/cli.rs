//! The command line: `serve`, `office add|code|list|devices|revoke`, `export`, `notice add`,
//! `user add|list`, `audit list`. Administrative subcommands and exports are written to the
//! county's audit log, with the operating-system account as the actor.
//! Every subcommand takes `--data DIR` (embedded SQLite) or `--database postgres://…`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use fengqiao_model::{AssessmentType, Issues};
use uuid::Uuid;

use crate::error::{CountyError, Result};
use crate::store::{self, CountyStore, Office};
use crate::{audit, auth, export, http, notice};

mod user;

#[derive(Debug, Parser)]
#[command(name = "fengqiao-county", version, about = "枫桥县级服务器（县司法局）：司法所同步接口、设备注册、通知书下发、数据导出")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the county's data lives.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// 嵌入式数据库（SQLite）所在目录，不存在时创建
    #[arg(long, value_name = "DIR", required_unless_present = "database")]
    pub data: Option<PathBuf>,
    /// PostgreSQL连接地址，如 postgres://用户:密码@127.0.0.1/fengqiao
    #[arg(long, value_name = "URL", conflicts_with = "data")]
    pub database: Option<String>,
}

impl StoreArgs {
    pub async fn open(&self) -> Result<Arc<dyn CountyStore>> {
        store::open(self.data.as_deref(), self.database.as_deref()).await
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 启动同步服务（HTTP，给出证书和私钥时为HTTPS）
    Serve {
        /// 监听地址，如 0.0.0.0:8443 或 127.0.0.1:0（任选空闲端口）
        #[arg(long, value_name = "ADDR")]
        listen: String,
        #[command(flatten)]
        store: StoreArgs,
        /// TLS证书（PEM，可含证书链）
        #[arg(long, value_name = "PATH", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS私钥（PEM）
        #[arg(long, value_name = "PATH", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// 统计看板为各司法所保存数据副本的目录，重启后只需补取新变更（默认：--data 目录下的
        /// mirrors；使用 PostgreSQL 且未指定时放在临时目录，每次启动重新建立）
        #[arg(long, value_name = "DIR")]
        mirrors: Option<PathBuf>,
    },
    /// 司法所与设备管理
    Office {
        #[command(subcommand)]
        command: OfficeCommand,
    },
    /// 以 fengqiao-cli export 的格式（JSON Lines）导出一个司法所的全部记录
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// 司法所编号、区划代码或名称
        #[arg(long, value_name = "OFFICE")]
        office: String,
        /// 输出文件（默认输出到标准输出）
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// 刑满释放人员通知书
    Notice {
        #[command(subcommand)]
        command: NoticeCommand,
    },
    /// 县司法局账号（管理界面登录用）
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// 县局审计日志（登录、导出、管理操作）
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 列出最近的审计日志（最新在前）；加 --office 列出该司法所各台电脑同步上来的审计日志
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// 司法所（编号、名称或行政区划代码）：列出其审计日志，而不是县局自己的
        #[arg(long)]
        office: Option<String>,
        /// 最多列出的条数
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OfficeCommand {
    /// 登记司法所，给出一次性注册码
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// 司法所名称，如 城关镇司法所
        #[arg(long)]
        name: String,
        /// 行政区划代码
        #[arg(long, value_name = "CODE")]
        division_code: String,
        /// 注册码有效天数
        #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=365))]
        valid_days: u32,
        /// 以JSON输出 {"office_id":…,"enrollment_code":…}
        #[arg(long)]
        json: bool,
    },
    /// 为已登记的司法所另发一个一次性注册码（新设备、重装后重新注册）
    Code {
        #[command(flatten)]
        store: StoreArgs,
        /// 司法所编号、区划代码或名称
        #[arg(long, value_name = "OFFICE")]
        office: String,
        #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=365))]
        valid_days: u32,
        #[arg(long)]
        json: bool,
    },
    /// 列出全部司法所及其最近同步时间
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        json: bool,
    },
    /// 列出设备
    Devices {
        #[command(flatten)]
        store: StoreArgs,
        /// 只列这个司法所的设备
        #[arg(long, value_name = "OFFICE")]
        office: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 停用设备（立即生效：其下一次请求即被拒绝）
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        /// 停用这台设备
        #[arg(long, value_name = "ID", required_unless_present = "office")]
        device: Option<Uuid>,
        /// 停用这个司法所的全部设备
        #[arg(long, value_name = "OFFICE")]
        office: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// 下发刑满释放人员通知书：在该所建立人员和待衔接的安置帮教档案（草稿），该所下次同步时收到
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// 户籍地（双列管时为居住地）司法所：编号、区划代码或名称
        #[arg(long, value_name = "OFFICE")]
        office: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 公民身份号码
        #[arg(long)]
        id_number: String,
        /// 释放日期 YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        released_on: NaiveDate,
        /// 服刑场所（通知书来源）
        #[arg(long)]
        prison: String,
        /// 原罪名
        #[arg(long)]
        crime: String,
        /// 危险性评估：01 重点帮教人员，02 一般帮教人员
        #[arg(long, value_name = "01|02")]
        assessment: Option<String>,
        /// 原判刑期，如 三年六个月
        #[arg(long)]
        sentence_term: Option<String>,
        /// 户籍地址
        #[arg(long)]
        hukou_address: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

fn fmt_time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| (t + Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "从未".into())
}

async fn office_by_key(store: &dyn CountyStore, key: &str) -> Result<Office> {
    let offices: Vec<Office> = store.offices().await?.into_iter().map(|s| s.office).collect();
    notice::find_office(&offices, key).cloned()
}

async fn issue_code(store: &dyn CountyStore, office: &Office, valid_days: u32, as_json: bool, created: bool) -> Result<()> {
    let now = Utc::now();
    let code = auth::new_enrollment_code();
    let expires_at = now + Duration::days(valid_days as i64);
    store.add_enrollment_code(office.id, &auth::hash_code(&code), expires_at, now).await?;
    let (action, target) = (if created { audit::OFFICE_ADD } else { audit::OFFICE_CODE }, format!("{}（{}）", office.name, office.division_code));
    let detail = format!("司法所编号{}，注册码有效{valid_days}天", office.id);
    audit::record(store, &audit::cli_actor(), action, Some(target), Some(detail), None).await;
    if as_json {
        #[derive(serde::Serialize)]
        struct Issued<'a> {
            office_id: Uuid,
            enrollment_code: &'a str,
            expires_at: DateTime<Utc>,
        }
        out(&format!("{}\n", serde_json::to_string(&Issued { office_id: office.id, enrollment_code: &code, expires_at })?))
    } else {
        let head = if created { "已登记司法所" } else { "司法所" };
        out(&format!(
            "{head}：{}（区划代码{}）\n司法所编号：{}\n一次性注册码：{code}\n有效期至：{}（北京时间）。注册码只显示这一次，用过即失效。\n",
            office.name,
            office.division_code,
            office.id,
            fmt_time(Some(expires_at))
        ))
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { listen, store, tls_cert, tls_key, mirrors } => {
            let mirrors = mirrors.or_else(|| store.data.as_ref().map(|d| d.join("mirrors")));
            let s = store.open().await?;
            let tls = tls_cert.zip(tls_key).map(|(cert, key)| http::Tls { cert, key });
            http::serve(s, &listen, tls, mirrors.as_deref(), |addr, tls| {
                let scheme = if tls { "https" } else { "http" };
                let _ = out(&format!("fengqiao-county listening on {scheme}://{addr}\n"));
            })
            .await
        }
        Command::Office { command } => office(command).await,
        Command::User { command } => user::run(command).await,
        Command::Audit { command: AuditCommand::List { store, office: Some(office), limit, json: as_json } } => {
            let s = store.open().await?;
            let o = office_by_key(&*s, &office).await?;
            let lines = s.office_audit(o.id, limit as usize).await?;
            if as_json {
                return out(&format!("{}\n", serde_json::to_string_pretty(&lines)?));
            }
            if lines.is_empty() {
                return out(&format!("{}还没有同步上来的审计日志\n", o.name));
            }
            let mut text = String::from("时间（北京时间）\t设备\t序号\t操作人\t操作\t摘要\n");
            for l in &lines {
                let at =
                    DateTime::parse_from_rfc3339(&l.at).map(|t| (t.with_timezone(&Utc) + Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string());
                let device: String = l.device_id.chars().take(8).collect();
                text.push_str(&format!("{}\t{device}\t{}\t{}\t{}\t{}\n", at.unwrap_or_else(|_| l.at.clone()), l.seq, l.actor, l.action, l.summary));
            }
            out(&text)
        }
        Command::Audit { command: AuditCommand::List { store, office: None, limit, json: as_json } } => {
            let s = store.open().await?;
            let lines = s.audit_log(limit as usize).await?;
            if as_json {
                return out(&format!("{}\n", serde_json::to_string_pretty(&lines)?));
            }
            if lines.is_empty() {
                return out("审计日志为空\n");
            }
            let mut text = String::from("时间（北京时间）\t操作人\t操作\t对象\t详情\t客户端地址\n");
            for l in &lines {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    (l.at + Duration::hours(8)).format("%Y-%m-%d %H:%M:%S"),
                    l.actor,
                    audit::label(&l.action),
                    l.target.as_deref().unwrap_or(""),
                    l.detail.as_deref().unwrap_or(""),
                    l.client.as_deref().unwrap_or("")
                ));
            }
            out(&text)
        }
        Command::Export { store, office, out: path } => {
            let s = store.open().await?;
            let o = office_by_key(&*s, &office).await?;
            let lines = export::export_lines(o.org_id.unwrap_or(o.id), s.records(o.id).await?)?;
            let detail = format!("{}行，输出到{}", lines.len(), path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "标准输出".into()));
            audit::record(&*s, &audit::cli_actor(), audit::EXPORT_OFFICE, Some(o.name.clone()), Some(detail), None).await;
            match path {
                None => {
                    let mut buf = Vec::new();
                    export::write_lines(&lines, &mut buf)?;
                    out(std::str::from_utf8(&buf).unwrap_or_default())
                }
                Some(path) => {
                    // Written beside the target and renamed: a reader never sees half a file.
                    let tmp = path.with_extension("jsonl.part");
                    {
                        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
                        export::write_lines(&lines, &mut f)?;
                        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                    }
                    std::fs::rename(&tmp, &path)?;
                    eprintln!("已导出{}的{}行到{}", o.name, lines.len(), path.display());
                    Ok(())
                }
            }
        }
        Command::Notice {
            command:
                NoticeCommand::Add { store, office, name, id_number, released_on, prison, crime, assessment, sentence_term, hukou_address, json: as_json },
        } => {
            let assessment = assessment
                .map(|a| {
                    AssessmentType::from_code(a.trim())
                        .or_else(|| AssessmentType::from_label(a.trim()))
                        .ok_or_else(|| CountyError::Invalid(format!("危险性评估“{a}”不对，应为01（重点帮教人员）或02（一般帮教人员）")))
                })
                .transpose()?;
            for (label, v) in [("姓名", &name), ("服刑场所", &prison), ("原罪名", &crime)] {
                if v.trim().is_empty() {
                    return Err(CountyError::Invalid(format!("{label}不能为空")));
                }
            }
            let s = store.open().await?;
            let o = office_by_key(&*s, &office).await?;
            let input = notice::NoticeInput { name, id_number, released_on, prison, crime, assessment, sentence_term, hukou_address };
            let done = notice::issue(&*s, &o, input, Utc::now()).await?;
            let detail = format!("安置帮教档案{}", done.released_person_id);
            audit::record(&*s, &audit::cli_actor(), audit::NOTICE_ADD, Some(o.name.clone()), Some(detail), None).await;
            if as_json {
                out(&format!("{}\n", serde_json::to_string(&done)?))
            } else {
                out(&format!(
                    "已向{}下发通知书：安置帮教档案{}（待衔接），人员{}{}。该所下次同步时收到。\n",
                    o.name,
                    done.released_person_id,
                    done.person_id,
                    if done.new_person { "（新建）" } else { "（该所已有此人）" }
                ))
            }
        }
    }
}

async fn office(command: OfficeCommand) -> Result<()> {
    match command {
        OfficeCommand::Add { store, name, division_code, valid_days, json: as_json } => {
            let (name, division_code) = (name.trim().to_string(), division_code.trim().to_string());
            let mut issues = Issues::new();
            issues.name("name", "司法所名称", &Some(name.clone()), true);
            issues.required_text("name", "司法所名称", &Some(name.clone()));
            issues.division_code("division_code", "行政区划代码", &Some(division_code.clone()));
            issues.required_text("division_code", "行政区划代码", &Some(division_code.clone()));
            issues.into_result().map_err(|e| CountyError::Invalid(e.to_string()))?;
            let s = store.open().await?;
            if s.offices().await?.iter().any(|o| o.office.division_code == division_code && o.office.name == name) {
                return Err(CountyError::Invalid(format!("{name}（{division_code}）已登记；另发注册码请用 office code")));
            }
            let office = Office {
                id: fengqiao_model::new_id(),
                org_id: None,
                name,
                division_code,
                county_device_id: fengqiao_model::new_id(),
                created_at: Utc::now(),
            };
            s.create_office(&office).await?;
            issue_code(&*s, &office, valid_days, as_json, true).await
        }
        OfficeCommand::Code { store, office, valid_days, json: as_json } => {
            let s = store.open().await?;
            let o = office_by_key(&*s, &office).await?;
            issue_code(&*s, &o, valid_days, as_json, false).await
        }
        OfficeCommand::List { store, json: as_json } => {
            let s = store.open().await?;
            let offices = s.offices().await?;
            if as_json {
                return out(&format!("{}\n", serde_json::to_string_pretty(&offices)?));
            }
            if offices.is_empty() {
                return out("还没有登记司法所（office add 登记）\n");
            }
            let mut text = String::from("司法所编号\t名称\t区划代码\t设备\t已停用\t变更数\t最近同步（北京时间）\n");
            for o in &offices {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    o.office.id,
                    o.office.name,
                    o.office.division_code,
                    o.devices,
                    o.revoked_devices,
                    o.changes,
                    fmt_time(o.last_sync_at)
                ));
            }
            out(&text)
        }
        OfficeCommand::Devices { store, office, json: as_json } => {
            let s = store.open().await?;
            let office_id = match office {
                Some(key) => Some(office_by_key(&*s, &key).await?.id),
                None => None,
            };
            let devices = s.devices(office_id).await?;
            if as_json {
                return out(&format!("{}\n", serde_json::to_string_pretty(&devices)?));
            }
            let mut text = String::from("设备编号\t司法所编号\t名称\t状态\t最近推送\t最近拉取\t已推送变更\n");
            for d in &devices {
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    d.id,
                    d.office_id,
                    d.name,
                    if d.revoked_at.is_some() { "已停用" } else { "正常" },
                    fmt_time(d.last_push_at),
                    fmt_time(d.last_pull_at),
                    d.changes_pushed
                ));
            }
            out(&text)
        }
        OfficeCommand::Revoke { store, device, office } => {
            let s = store.open().await?;
            let now = Utc::now();
            if let Some(d) = device {
                if !s.revoke_device(d, now).await? {
                    return Err(CountyError::NotFound(format!("没有编号为{d}的设备（office devices 可查看）")));
                }
                audit::record(&*s, &audit::cli_actor(), audit::DEVICE_REVOKE, Some(d.to_string()), None, None).await;
                out(&format!("已停用设备{d}，其下一次请求即被拒绝\n"))?;
            }
            if let Some(key) = office {
                let o = office_by_key(&*s, &key).await?;
                let n = s.revoke_office(o.id, now).await?;
                let target = format!("{}（{}）", o.name, o.division_code);
                audit::record(&*s, &audit::cli_actor(), audit::OFFICE_REVOKE, Some(target), Some(format!("停用{n}台设备")), None).await;
                out(&format!("已停用{}的{}台设备\n", o.name, n))?;
            }
            Ok(())
        }
    }
}
