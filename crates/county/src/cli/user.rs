//! `user add|list`: county accounts for the dashboard.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::Utc;
use clap::Subcommand;

use super::{out, StoreArgs};
use crate::accounts;
use crate::error::{CountyError, Result};
use crate::store::{Role, User};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// 添加县司法局账号（管理员可管理司法所、通知书和设置；查看账号只能查看）
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// 账号名
        #[arg(long)]
        name: String,
        /// 角色：admin（管理员）或 viewer（查看）
        #[arg(long, value_enum)]
        role: Role,
        /// 从文件读取密码（第一行）；不给时在终端输入
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// 列出账号
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        json: bool,
    },
}

fn read_password(file: Option<PathBuf>) -> Result<String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path).map_err(|e| CountyError::Invalid(format!("无法读取密码文件{}：{e}", path.display())))?;
        return Ok(text.lines().next().unwrap_or("").to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CountyError::Invalid("请在终端运行以输入密码，或用 --password-file 从文件读取".into()));
    }
    let first = rpassword::prompt_password("密码：")?;
    let again = rpassword::prompt_password("再输入一次：")?;
    if first != again {
        return Err(CountyError::Invalid("两次输入的密码不一致".into()));
    }
    Ok(first)
}

pub async fn run(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { store, name, role, password_file } => {
            let name = name.trim().to_string();
            let password = read_password(password_file)?;
            accounts::check_new_account(&name, &password)?;
            let hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password)).await??;
            let s = store.open().await?;
            let user = User { id: fengqiao_model::new_id(), name: name.clone(), role, created_at: Utc::now() };
            if !s.create_user(&user, &hash).await? {
                return Err(CountyError::Invalid(format!("账号“{name}”已存在")));
            }
            let audit = crate::audit::cli_actor();
            crate::audit::record(&*s, &audit, crate::audit::USER_ADD, Some(name.clone()), Some(role.label().into()), None).await;
            out(&format!("已添加账号：{name}（{}）\n", role.label()))
        }
        UserCommand::List { store, json } => {
            let s = store.open().await?;
            let users = s.users().await?;
            if json {
                return out(&format!("{}\n", serde_json::to_string_pretty(&users)?));
            }
            let mut text = String::from("账号\t角色\t添加时间（北京时间）\n");
            for u in &users {
                text.push_str(&format!("{}\t{}\t{}\n", u.name, u.role.label(), super::fmt_time(Some(u.created_at))));
            }
            out(&text)
        }
    }
}
