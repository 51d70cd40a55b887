//! The command line, in Chinese: clap's headings, placeholders and messages are replaced so a
//! clerk never reads English (clap's own error texts are translated in [`clap_error_cn`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{ArgAction, Parser, Subcommand, ValueEnum};

const HELP_TEMPLATE: &str = "{about}\n\n用法：{usage}\n\n{all-args}{after-help}";

#[derive(Debug, Parser)]
#[command(
    name = "fengqiao-cli",
    version,
    about = "枫桥司法所工作台命令行工具：初始化、导入导出、台账查询、统计、文书打印、备份恢复、演示数据",
    help_template = HELP_TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    next_help_heading = "选项",
    after_help = "\n数据目录：--data-dir，否则取环境变量 FENGQIAO_DATA_DIR，否则为系统数据目录下的 fengqiao。\n数据已加密时需要登录：登录名用 --user 或环境变量 FENGQIAO_USER，密码取环境变量 FENGQIAO_PASSWORD，否则在终端中输入。"
)]
pub struct Cli {
    /// 数据目录（存放本所数据库）
    #[arg(long, global = true, value_name = "目录")]
    pub data_dir: Option<PathBuf>,
    /// 以JSON格式输出结果（供脚本使用）
    #[arg(long, global = true)]
    pub json: bool,
    /// 登录名（数据已加密时用；也可设置环境变量 FENGQIAO_USER）
    #[arg(long, global = true, value_name = "登录名")]
    pub user: Option<String>,
    /// 显示帮助
    #[arg(short = 'h', long, global = true, action = ArgAction::Help)]
    help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 初始化本所数据库
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Init {
        /// 司法所名称，如“城东镇司法所”
        #[arg(long, value_name = "名称")]
        office: String,
        /// 行政区划代码（6位、9位或12位数字）
        #[arg(long, value_name = "代码")]
        division_code: String,
        /// 同时建立所长账号并加密数据：所长的登录名（密码取环境变量 FENGQIAO_PASSWORD，否则在终端中输入两次）
        #[arg(long, value_name = "登录名", requires = "display_name")]
        account: Option<String>,
        /// 所长的姓名（与 --account 同用）
        #[arg(long, value_name = "姓名", requires = "account")]
        display_name: Option<String>,
    },
    /// 加密本所已有的数据并建立所长账号（密码取环境变量 FENGQIAO_PASSWORD，否则在终端中输入两次）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Secure {
        /// 所长的登录名
        #[arg(long, value_name = "登录名")]
        account: String,
        /// 所长的姓名
        #[arg(long, value_name = "姓名")]
        display_name: String,
    },
    /// 账号：列出（list）、新建（add）、停用（disable）、启用（enable）、重设密码（set-password）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", subcommand_help_heading = "命令", subcommand_value_name = "命令")]
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// 忘记密码：凭恢复密钥重设 --user 指定账号的密码（恢复密钥取环境变量 FENGQIAO_RECOVERY_KEY，新密码取 FENGQIAO_NEW_PASSWORD，否则在终端中输入）
    #[command(name = "reset-password", help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    ResetPassword,
    /// 导出全部记录（JSON Lines，每行一个案卷）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Export {
        /// 写入的文件（不指定则输出到标准输出）。已加密的司法所：文件用口令加密（口令取自环境变量 FENGQIAO_EXPORT_PASSPHRASE，否则在终端输入两次）
        #[arg(long, value_name = "文件")]
        out: Option<PathBuf>,
        /// 已加密的司法所也导出明文（含姓名、身份证号，记入审计日志）：只在确需交给其他系统时使用，用后删除
        #[arg(long)]
        plain: bool,
    },
    /// 导入JSON Lines文件（全部成功或全部不导入），或Excel台账（.xlsx/.xls：纠纷、排查、安置帮教）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Import {
        /// 要导入的文件
        #[arg(value_name = "文件", help_heading = "参数")]
        file: PathBuf,
        /// Excel台账的列映射文件（JSON），纠正自动识别的表头，如 {"columns": {"纠纷性质": "dispute_type"}}
        #[arg(long, value_name = "文件")]
        mapping: Option<PathBuf>,
        /// 只预览Excel台账每一行的导入结果和问题，不写入
        #[arg(long)]
        preview: bool,
    },
    /// 查询台账：纠纷案件、排查、安置帮教
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    List {
        /// 台账：disputes（纠纷）、screenings（排查）、released（安置帮教）
        #[arg(value_enum, value_name = "台账", help_heading = "参数", hide_possible_values = true)]
        what: ListKind,
        /// 查询词（姓名、编号、地点等；多个词以空格分隔，须同时匹配）
        #[arg(long, short = 'q', value_name = "查询词")]
        query: Option<String>,
        /// 第几页（从1开始）
        #[arg(long, value_name = "页码", default_value_t = 1, hide_default_value = true)]
        page: u32,
        /// 每页条数（默认20，最多500）
        #[arg(long, value_name = "条数", default_value_t = 20, hide_default_value = true)]
        page_size: u32,
    },
    /// 人民调解案件统计与工作指标
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Stats {
        /// 统计起始日期（YYYY-MM-DD，含当日）
        #[arg(long, value_name = "日期", value_parser = parse_date)]
        from: NaiveDate,
        /// 统计截止日期（YYYY-MM-DD，含当日）
        #[arg(long, value_name = "日期", value_parser = parse_date)]
        to: NaiveDate,
    },
    /// 备份数据库到文件
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Backup {
        /// 备份文件（不能已存在）
        #[arg(long, value_name = "文件")]
        out: PathBuf,
        /// 用备份口令加密（口令取自环境变量 FENGQIAO_BACKUP_PASSPHRASE，否则在终端输入两次）：只凭口令即可在另一台电脑上恢复
        #[arg(long)]
        passphrase: bool,
    },
    /// 从备份文件恢复（替换当前数据）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Restore {
        /// 备份文件
        #[arg(value_name = "文件", help_heading = "参数")]
        file: PathBuf,
        /// 备份用口令加密（口令取自环境变量 FENGQIAO_BACKUP_PASSPHRASE，否则在终端输入）
        #[arg(long)]
        passphrase: bool,
    },
    /// 用县司法局给的一次性注册码登记本机，记住县级服务器地址（新电脑可在空数据目录中登记）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Enroll {
        /// 县级服务器地址，如 https://sfj.example.gov.cn:8443
        #[arg(long, value_name = "地址")]
        server: String,
        /// 县司法局给的注册码
        #[arg(long, value_name = "注册码")]
        code: String,
        /// 本机名称（县司法局的设备列表中显示；默认为计算机名）
        #[arg(long, value_name = "名称")]
        name: Option<String>,
    },
    /// 与县司法局同步：上传本所的修改，下载其他电脑和县司法局的修改（sync status 查看状态）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", subcommand_help_heading = "命令", subcommand_value_name = "命令")]
    Sync {
        #[command(subcommand)]
        action: Option<SyncAction>,
        /// 同步一轮后退出（未能完成时返回非零退出码）；不加则持续同步，直到按Ctrl+C
        #[arg(long)]
        once: bool,
        /// 改用这个县级服务器地址并保存（县司法局更换服务器地址后使用）
        #[arg(long, value_name = "地址")]
        server: Option<String>,
        /// 与 --once 同用：连接失败时最多尝试几次（默认3）
        #[arg(long, value_name = "次数", default_value_t = 3, hide_default_value = true)]
        attempts: u32,
    },
    /// 生成演示数据（按种子可重复）
    #[command(name = "demo-data", help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    DemoData {
        /// 纠纷案件数
        #[arg(long, value_name = "数量", default_value_t = 0, hide_default_value = true)]
        disputes: usize,
        /// 安置帮教对象数
        #[arg(long, value_name = "数量", default_value_t = 0, hide_default_value = true)]
        released: usize,
        /// 排查次数（含零报告）
        #[arg(long, value_name = "数量", default_value_t = 0, hide_default_value = true)]
        screenings: usize,
        /// 随机种子（默认1；同一种子在同样的数据库上生成同样的数据）
        #[arg(long, value_name = "种子", default_value_t = 1, hide_default_value = true)]
        seed: u64,
    },
    /// 到期提醒：调解期限、司法确认、履行与回访、帮教走访、衔接、排查、报表报送
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", subcommand_help_heading = "命令", subcommand_value_name = "命令")]
    Reminders {
        #[command(subcommand)]
        action: Option<ReminderAction>,
        /// 同时列出已确认或暂缓的提醒
        #[arg(long)]
        all: bool,
    },
    /// 审计日志：核对是否被改动（verify），查看最近的记录（list）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", subcommand_help_heading = "命令", subcommand_value_name = "命令")]
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// 导出台账为Excel（.xlsx，中文表头、日期单元格）
    #[command(name = "export-xlsx", help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    ExportXlsx {
        /// 台账：disputes（纠纷）、screenings（排查）、released（安置帮教）
        #[arg(value_enum, value_name = "台账", help_heading = "参数", hide_possible_values = true)]
        what: ListKind,
        /// 写入的文件（.xlsx）
        #[arg(long, value_name = "文件")]
        out: PathBuf,
        /// 公民身份号码只显示前6位和后4位
        #[arg(long)]
        mask_ids: bool,
    },
    /// 生成标准文书（PDF）：卷宗及各类文书、台账、统计表、零报告、安置帮教表格
    #[command(
        help_template = HELP_TEMPLATE,
        next_help_heading = "选项",
        after_help = "\n运行 fengqiao-cli render --list 查看全部文书、代码及所需的记录编号。"
    )]
    Render {
        /// 列出全部文书
        #[arg(long)]
        list: bool,
        /// 文书代码或名称，如 agreement 或 人民调解协议书
        #[arg(value_name = "文书", help_heading = "参数", required_unless_present = "list")]
        document: Option<String>,
        /// 记录编号：纠纷案件、排查或安置帮教对象的编号（按期间的文书不需要）
        #[arg(value_name = "记录编号", help_heading = "参数")]
        record: Option<String>,
        /// 期间起始日期（YYYY-MM-DD，含当日；台账、统计表用）
        #[arg(long, value_name = "日期", value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// 期间截止日期（YYYY-MM-DD，含当日）
        #[arg(long, value_name = "日期", value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// 写入的PDF文件
        #[arg(long, value_name = "文件")]
        out: Option<PathBuf>,
    },
}

/// What to do with one reminder.
#[derive(Debug, Subcommand)]
pub enum ReminderAction {
    /// 确认提醒（到期日变化前不再显示）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Ack {
        /// 提醒编号（列表最后一列）
        #[arg(value_name = "编号", help_heading = "参数")]
        id: String,
        /// 原因（记入审计日志）
        #[arg(long, value_name = "原因")]
        reason: String,
    },
    /// 暂缓提醒到某日（当日起重新显示）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Snooze {
        /// 提醒编号（列表最后一列）
        #[arg(value_name = "编号", help_heading = "参数")]
        id: String,
        /// 暂缓到的日期（YYYY-MM-DD）
        #[arg(long, value_name = "日期", value_parser = parse_date)]
        until: NaiveDate,
        /// 原因（记入审计日志）
        #[arg(long, value_name = "原因")]
        reason: String,
    },
}

/// What `account` does (所长 only, except listing and changing one's own password).
#[derive(Debug, Subcommand)]
pub enum AccountAction {
    /// 列出本所的账号
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    List,
    /// 新建账号（密码取环境变量 FENGQIAO_NEW_PASSWORD，否则在终端中输入两次）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Add {
        /// 登录名
        #[arg(long, value_name = "登录名")]
        name: String,
        /// 姓名
        #[arg(long, value_name = "姓名")]
        display_name: String,
        /// 角色：director（所长）、staff（工作人员）、readonly（只读）
        #[arg(long, value_enum, value_name = "角色", hide_possible_values = true)]
        role: RoleArg,
    },
    /// 停用账号（停用后不能登录，记录和审计日志保留）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Disable {
        /// 登录名
        #[arg(value_name = "登录名", help_heading = "参数")]
        name: String,
    },
    /// 启用已停用的账号
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Enable {
        /// 登录名
        #[arg(value_name = "登录名", help_heading = "参数")]
        name: String,
    },
    /// 重设账号的密码（新密码取环境变量 FENGQIAO_NEW_PASSWORD，否则在终端中输入两次）；改自己的密码时不需要所长权限
    #[command(name = "set-password", help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    SetPassword {
        /// 登录名
        #[arg(value_name = "登录名", help_heading = "参数")]
        name: String,
    },
}

/// An account's role on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    #[value(alias = "所长")]
    Director,
    #[value(alias = "工作人员")]
    Staff,
    #[value(alias = "只读")]
    Readonly,
}

/// What `audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// 逐条核对审计日志的校验链：完整时退出码为0；发现记录被修改、删除或插入时指出第几条，退出码为3
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Verify,
    /// 列出最近的审计记录（最新的在前）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    List {
        /// 列出几条（默认50）
        #[arg(long, value_name = "条数", default_value_t = 50, hide_default_value = true)]
        limit: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListKind {
    #[value(alias = "纠纷")]
    Disputes,
    #[value(alias = "排查")]
    Screenings,
    #[value(alias = "帮教")]
    Released,
}

/// What `sync` does besides syncing.
#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// 查看同步状态：待上传、被拒收的修改及原因、最近同步时间和错误
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Status,
}

/// `YYYY-MM-DD`, with a Chinese message that names the problem.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return Err("日期格式应为YYYY-MM-DD，如2024-05-06".into());
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| format!("日期{t}不存在"))
}

/// clap's error, in Chinese, with the usage line.
pub fn clap_error_cn(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| -> String {
        match e.get(k) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.join("、"),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    };
    let valid = {
        let v = ctx(ContextKind::ValidValue);
        if v.is_empty() {
            String::new()
        } else {
            format!("（可用：{v}）")
        }
    };
    let arg = ctx(ContextKind::InvalidArg);
    let message = match e.kind() {
        ErrorKind::InvalidValue => {
            let value = ctx(ContextKind::InvalidValue);
            if value.is_empty() {
                format!("参数 {arg} 需要一个值{valid}")
            } else {
                format!("参数 {arg} 的值“{value}”无效{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(e).map(|s| s.to_string()).unwrap_or_default();
            format!("参数 {arg} 的值“{}”不正确：{reason}", ctx(ContextKind::InvalidValue))
        }
        ErrorKind::UnknownArgument => {
            let tip = ctx(ContextKind::SuggestedArg);
            let tip = if tip.is_empty() { String::new() } else { format!("，您是否想用 {tip}") };
            format!("不认识的参数 {arg}{tip}")
        }
        ErrorKind::InvalidSubcommand => {
            let tip = ctx(ContextKind::SuggestedSubcommand);
            let tip = if tip.is_empty() { String::new() } else { format!("，您是否想用 {tip}") };
            format!("不认识的命令 {}{tip}", ctx(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "请指定要执行的命令（init、export、import、list、stats、render、backup、restore、demo-data、account、secure、reset-password）".into()
        }
        ErrorKind::ArgumentConflict => format!("参数 {arg} 不能与 {} 同时使用", ctx(ContextKind::PriorArg)),
        ErrorKind::NoEquals => format!("参数 {arg} 须用“=”连接其值"),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值的个数不对")
        }
        ErrorKind::InvalidUtf8 => "命令行参数不是有效的UTF-8文本".into(),
        _ => format!("命令行参数有误：{}", e.to_string().trim()),
    };
    let usage = localize_usage(&ctx(ContextKind::Usage));
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    if usage.is_empty() {
        format!("{message}\n运行 fengqiao-cli --help 查看帮助")
    } else {
        format!("{message}\n用法：{usage}\n运行 fengqiao-cli --help 查看帮助")
    }
}

/// clap's placeholders in usage lines, in Chinese.
pub fn localize_usage(text: &str) -> String {
    text.replace("[OPTIONS]", "[选项]")
}
