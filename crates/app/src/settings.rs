//! 设置: the office, its 调委会 and 调解员, the staff who work at this PC, the county server.

use fengqiao_model::*;
use fengqiao_store::Store;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::state::keys;
use crate::{AppError, AppState};

/// A staff account (工作人员): who is working, for the records and the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct StaffMember {
    pub name: String,
    /// 职务, e.g. 所长, 专职人民调解员.
    pub title: Option<String>,
}

/// A 调委会 with its members and the composition warnings of 人民调解法 第八条.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CommitteeView {
    pub committee: Organization,
    pub mediators: Vec<Mediator>,
    /// 3–9 members and at least one woman (a setup warning, never a refusal).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsView {
    pub office: Organization,
    pub committees: Vec<CommitteeView>,
    pub staff: Vec<StaffMember>,
    pub current_staff: Option<String>,
    /// 县司法局 server; None = offline.
    pub county_server: Option<String>,
    /// This PC holds a device credential of the county (enrolled with a one-time code).
    pub enrolled: bool,
    /// Local changes waiting for the county.
    pub pending_changes: i64,
    pub last_sync_at: Option<String>,
    pub last_sync_error: Option<String>,
    /// Warnings of the last save (e.g. an unknown area code in an ID number).
    pub warnings: Vec<FieldIssue>,
}

pub(crate) fn staff_of(store: &Store) -> Result<Vec<StaffMember>, AppError> {
    Ok(match store.sync_setting(keys::STAFF)? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => Vec::new(),
    })
}

fn composition_warnings(members: &[Mediator]) -> Vec<String> {
    let mut w = Vec::new();
    let n = members.len();
    if !(3..=9).contains(&n) {
        w.push(format!("人民调解委员会由委员三至九人组成（人民调解法第八条），现有{n}人"));
    }
    if !members.iter().any(|m| m.gender == Some(Gender::Female)) {
        w.push("人民调解委员会应当有妇女成员（人民调解法第八条）".into());
    }
    if !members.iter().any(|m| m.role == Some(MediatorRole::Director)) {
        w.push("尚未设主任".into());
    }
    w
}

pub(crate) fn view(store: &Store, warnings: Vec<FieldIssue>) -> Result<SettingsView, AppError> {
    let orgs: Vec<Organization> = store.all()?;
    let mediators: Vec<Mediator> = store.all()?;
    let committees = orgs
        .into_iter()
        .filter(|o| o.org_type == Some(OrgType::MediationCommittee))
        .map(|c| {
            let members: Vec<Mediator> = mediators.iter().filter(|m| m.committee_id == Some(c.meta.id)).cloned().collect();
            CommitteeView { warnings: composition_warnings(&members), committee: c, mediators: members }
        })
        .collect();
    let sync = store.sync_status()?;
    Ok(SettingsView {
        office: store.office()?,
        committees,
        staff: staff_of(store)?,
        current_staff: store.sync_setting(keys::CURRENT_STAFF)?,
        county_server: sync.server,
        enrolled: sync.enrolled,
        pending_changes: sync.pending,
        last_sync_at: sync.last_sync_at,
        last_sync_error: sync.last_error,
        warnings,
    })
}

pub fn settings(state: &AppState) -> Result<SettingsView, AppError> {
    state.with(|s| view(s, Vec::new()))
}

/// Saves the office or a 调委会 (new when its id is nil).
pub fn save_organization(state: &AppState, org: Organization) -> Result<SettingsView, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    state.with(|s| {
        s.require_permission(fengqiao_store::Permission::Administer)?;
        let mut org = org;
        if org.meta.id == s.office_id() {
            org.org_type = Some(OrgType::JudicialOffice);
        } else {
            if org.org_type != Some(OrgType::MediationCommittee) && org.org_type.is_some() {
                return Err(AppError::bad_input("这里只能保存司法所或人民调解委员会"));
            }
            org.org_type = Some(OrgType::MediationCommittee);
            org.parent_id.get_or_insert(s.office_id());
            if org.division_code.is_none() {
                org.division_code = s.office()?.division_code;
            }
        }
        let saved = s.save(org)?;
        view(s, saved.warnings)
    })
}

pub fn save_mediator(state: &AppState, mediator: Mediator) -> Result<SettingsView, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    state.with(|s| {
        s.require_permission(fengqiao_store::Permission::Administer)?;
        let saved = s.save(mediator)?;
        view(s, saved.warnings)
    })
}

pub fn delete_mediator(state: &AppState, id: Uuid) -> Result<SettingsView, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    state.with(|s| {
        s.require_permission(fengqiao_store::Permission::Administer)?;
        s.delete::<Mediator>(id)?;
        view(s, Vec::new())
    })
}

/// Replaces the staff list and says who is working at this PC now.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct StaffInput {
    pub staff: Vec<StaffMember>,
    pub current_staff: String,
}

pub fn save_staff(state: &AppState, input: StaffInput) -> Result<SettingsView, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    let mut issues = Issues::new();
    let mut staff = Vec::new();
    for (n, m) in input.staff.iter().enumerate() {
        let name = Some(m.name.trim().to_string());
        issues.nested(&format!("staff[{n}]"), |i| {
            i.required_text("name", "姓名", &name);
            i.name("name", "姓名", &name, false);
            i.line("title", "职务", &m.title);
        });
        staff.push(StaffMember { name: m.name.trim().to_string(), title: m.title.clone().filter(|t| !t.trim().is_empty()) });
    }
    if staff.is_empty() {
        issues.error("staff", "工作人员", "至少保留一名工作人员");
    }
    let current = input.current_staff.trim().to_string();
    if !staff.iter().any(|m| m.name == current) {
        issues.error("current_staff", "当前工作人员", "请从工作人员名单中选择");
    }
    AppError::check(issues)?;
    state.with(|s| {
        s.require_permission(fengqiao_store::Permission::Administer)?;
        s.set_sync_setting(keys::STAFF, Some(&serde_json::to_string(&staff)?))?;
        s.set_sync_setting(keys::CURRENT_STAFF, Some(&current))?;
        s.set_actor(&current);
        view(s, Vec::new())
    })
}

/// An `http://` or `https://` address with a host.
pub(crate) fn check_server(server: &str) -> Result<(), String> {
    let rest = server.strip_prefix("https://").or_else(|| server.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !host.contains(char::is_whitespace) => Ok(()),
        _ => Err("应为以 http:// 或 https:// 开头的地址，如 https://sfj.example.gov.cn".into()),
    }
}

/// Sets the county server address (e.g. after the county moved its server); empty = work
/// offline.
pub fn set_county_server(state: &AppState, server: Option<String>) -> Result<SettingsView, AppError> {
    state.require(fengqiao_store::Permission::Administer)?;
    let server = server.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(s) = &server {
        check_server(s)
            .map_err(|m| AppError::invalid(vec![FieldIssue { field: "county_server".into(), label: "县级服务器地址".into(), message: m }]))?;
    }
    // Stored as the agent reads it (no trailing slash).
    let server = server.map(|s| fengqiao_sync::client::normalize_server(&s).unwrap_or(s));
    let saved = state.with(|s| {
        s.require_permission(fengqiao_store::Permission::Administer)?;
        s.set_sync_setting(fengqiao_store::sync::keys::SERVER, server.as_deref())?;
        view(s, Vec::new())
    })?;
    // An enrolled PC syncs with the new address at once; without one it stops.
    crate::sync::start(state);
    Ok(saved)
}
