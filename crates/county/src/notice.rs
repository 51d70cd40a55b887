//! `notice add`: a 刑满释放人员通知书 that reached the county, forwarded to the office of the
//! person's 户籍地. The county writes a `person` (or reuses the office's person with the same
//! ID number) and a draft `released_person` as changes under the office's county device; the
//! office pulls them on its next sync and finds the file in its 安置帮教 inbox (a draft with
//! `notice_from`, handover pending).

use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_model::*;
use fengqiao_sync::protocol::{Change, PushStatus};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{CountyError, Result};
use crate::store::{ts, CountyStore, Office};

/// Who the county's records say created them.
pub const COUNTY_ACTOR: &str = "县司法局";

/// What the prison's notice says.
#[derive(Debug, Clone)]
pub struct NoticeInput {
    pub name: String,
    pub id_number: String,
    pub released_on: NaiveDate,
    pub prison: String,
    pub crime: String,
    pub assessment: Option<AssessmentType>,
    pub sentence_term: Option<String>,
    pub hukou_address: Option<String>,
}

/// What `notice add` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeOutcome {
    pub office_id: Uuid,
    pub person_id: Uuid,
    /// False when the office already had the person (same ID number) and it was reused.
    pub new_person: bool,
    pub released_person_id: Uuid,
}

fn meta(org_id: Uuid, now: DateTime<Utc>, draft: bool) -> Meta {
    Meta { id: new_id(), org_id, created_at: now, updated_at: now, created_by: COUNTY_ACTOR.into(), version: 1, deleted: false, draft }
}

fn invalid(what: &str, e: Invalid) -> CountyError {
    CountyError::Invalid(format!("{what}不正确：\n{e}"))
}

/// A change creating `rec`, stamped by the office's county device.
fn creation<R: Record>(rec: &R, office: &Office, stamp: String, now: DateTime<Utc>) -> Result<Change> {
    let data = serde_json::to_value(rec)?;
    // As the office store logs a new record: every key but the bookkeeping ones.
    let changed_fields = data
        .as_object()
        .map(|o| o.keys().filter(|k| !["updated_at", "version", "created_at"].contains(&k.as_str())).cloned().collect())
        .unwrap_or_default();
    Ok(Change {
        change_id: new_id(),
        kind: R::KIND.code().into(),
        record_id: rec.meta().id,
        op: "upsert".into(),
        version: rec.meta().version,
        data,
        changed_fields,
        hlc: stamp,
        device_id: office.county_device_id,
        created_at: ts(now),
    })
}

/// Builds, checks and writes the notice's records in one transaction.
pub async fn issue(store: &dyn CountyStore, office: &Office, input: NoticeInput, now: DateTime<Utc>) -> Result<NoticeOutcome> {
    let ctx = Ctx::at(now);
    // Checked with a placeholder org first, so that a wrong ID number is said before anything
    // about the office.
    let org_id = office.org_id.unwrap_or(office.id);
    let mut person = Person {
        meta: meta(org_id, now, false),
        name: Some(input.name.trim().to_string()),
        id_number: Some(input.id_number.trim().to_string()),
        hukou_address: input.hukou_address.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
        ..Default::default()
    };
    person.normalize(&ctx);
    let mut issues = Issues::new();
    person.validate(&ctx, &mut issues);
    issues.into_result().map_err(|e| invalid("人员信息", e))?;
    if office.org_id.is_none() {
        return Err(CountyError::Invalid(format!(
            "{}还没有设备注册，县司法局尚不知道该所记录的编号，通知书无法下发；请该所先用注册码注册后再下发",
            office.name
        )));
    }

    // The office may know the person already (an earlier release, a party to a dispute).
    let records = store.records(office.id).await?;
    let same_person = records.iter().filter(|r| r.kind == Kind::Person.code()).find_map(|r| {
        let p: Person = serde_json::from_value(r.data.clone()).ok()?;
        (!p.meta.deleted && p.id_number.is_some() && p.id_number == person.id_number).then_some(p)
    });
    let (person_id, new_person) = match &same_person {
        Some(p) => (p.meta.id, false),
        None => (person.meta.id, true),
    };
    let already = records.iter().filter(|r| r.kind == Kind::ReleasedPerson.code()).any(|r| {
        let Ok(rp) = serde_json::from_value::<ReleasedPerson>(r.data.clone()) else { return false };
        !rp.meta.deleted && rp.person_id == Some(person_id) && rp.released_on == Some(input.released_on)
    });
    if already {
        return Err(CountyError::Invalid(format!("{}已有{}释放的安置帮教档案，通知书不再重复下发", office.name, input.released_on)));
    }

    let mut released = ReleasedPerson {
        meta: meta(org_id, now, true),
        person_id: Some(person_id),
        crime_name: Some(input.crime.trim().to_string()),
        sentence_term: input.sentence_term.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        prison_name: Some(input.prison.trim().to_string()),
        released_on: Some(input.released_on),
        assessment_type: input.assessment,
        notice_received_on: Some(ctx.today),
        notice_from: Some(input.prison.trim().to_string()),
        handover_status: Some(HandoverStatus::Pending),
        ..Default::default()
    };
    released.normalize(&ctx);
    let mut issues = Issues::new();
    released.validate(&ctx, &mut issues);
    issues.into_result().map_err(|e| invalid("通知书内容", e))?;

    let ms = now.timestamp_millis();
    let stamp = |n: usize| format!("{ms:015}-{n:06}-{}", office.county_device_id);
    let mut changes = Vec::new();
    if new_person {
        changes.push(creation(&person, office, stamp(0), now)?);
    }
    changes.push(creation(&released, office, stamp(1), now)?);
    let results = store.push(office.id, office.county_device_id, changes, now).await?;
    if let Some(bad) = results.iter().find(|r| r.status != PushStatus::Applied) {
        return Err(CountyError::Invalid(format!("通知书未能写入：{}", bad.reason.as_deref().unwrap_or("重复的变更"))));
    }
    Ok(NoticeOutcome { office_id: office.id, person_id, new_person, released_person_id: released.meta.id })
}

/// An office by its county id, its bound org id, its division code or its name.
pub fn find_office<'a>(offices: &'a [Office], key: &str) -> Result<&'a Office> {
    let key = key.trim();
    if let Ok(id) = Uuid::parse_str(key) {
        return offices
            .iter()
            .find(|o| o.id == id)
            .or_else(|| offices.iter().find(|o| o.org_id == Some(id)))
            .ok_or_else(|| CountyError::NotFound(format!("没有编号为{id}的司法所")));
    }
    let matching: Vec<&Office> = offices.iter().filter(|o| o.division_code == key || o.name == key).collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(CountyError::NotFound(format!("没有编号、区划代码或名称为“{key}”的司法所（office list 可查看）"))),
        _ => Err(CountyError::Invalid(format!("“{key}”对应多个司法所，请改用司法所编号"))),
    }
}
