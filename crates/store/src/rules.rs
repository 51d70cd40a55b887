//! Rules that need more than the record itself: the parent exists, an archived file is not
//! changed, a zero report has no items, one agreement per case, statuses change only through
//! the workflow.

use std::any::Any;

use fengqiao_model::*;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::records::{Mode, Writer};
use crate::{Result, StoreError};

fn live(w: &Writer, kind: Kind, id: Uuid) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {} WHERE id = ?1 AND deleted = 0", kind.code());
    Ok(w.tx.prepare_cached(&sql)?.query_row([id.to_string()], |_| Ok(())).optional()?.is_some())
}

fn case_status(w: &Writer, case_id: Uuid) -> Result<Option<CaseStatus>> {
    let status: Option<String> =
        w.tx.prepare_cached("SELECT status FROM dispute_case WHERE id = ?1 AND deleted = 0")?
            .query_row([case_id.to_string()], |r| r.get(0))
            .optional()?;
    Ok(status.and_then(|s| CaseStatus::from_code(&s)))
}

fn count_children(w: &Writer, kind: Kind, parent: Uuid) -> Result<i64> {
    let sql = format!("SELECT count(*) FROM {} WHERE parent_id = ?1 AND deleted = 0", kind.code());
    Ok(w.tx.prepare_cached(&sql)?.query_row([parent.to_string()], |r| r.get(0))?)
}

/// A reference that must point at a live record; reported on the field.
fn reference(w: &Writer, i: &mut Issues, field: &str, label: &str, kind: Kind, id: Option<Uuid>) -> Result<()> {
    if let Some(id) = id {
        if !live(w, kind, id)? {
            i.error(field, label, format!("引用的{}不存在或已删除", kind.label()));
        }
    }
    Ok(())
}

/// A case's child may be changed only while the file is open.
fn case_child(w: &Writer, i: &mut Issues, case_id: Option<Uuid>) -> Result<Option<CaseStatus>> {
    let Some(case_id) = case_id else { return Ok(None) };
    match case_status(w, case_id)? {
        None => {
            i.error("case_id", "案件", "所属案件不存在或已删除");
            Ok(None)
        }
        Some(CaseStatus::Archived) if w.mode != Mode::Import => Err(StoreError::Rule("该案件已归档，卷宗内容不能再修改".into())),
        Some(s) => Ok(Some(s)),
    }
}

pub(crate) fn check<R: Record>(w: &Writer, rec: &R, old: Option<&R>, i: &mut Issues) -> Result<()> {
    let any = rec as &dyn Any;
    let old_any = old.map(|o| o as &dyn Any);
    if let Some(c) = any.downcast_ref::<DisputeCase>() {
        let old = old_any.and_then(|o| o.downcast_ref::<DisputeCase>());
        if w.mode == Mode::Edit {
            let before = old.map(|o| o.status).unwrap_or(CaseStatus::Draft);
            if c.status != before {
                return Err(StoreError::Rule(format!("案件状态不能直接改为“{}”，请使用受理、调解、结案、归档等操作", c.status.label())));
            }
            if before == CaseStatus::Archived {
                return Err(StoreError::Rule("该案件已归档，卷宗内容不能再修改".into()));
            }
            if old.is_some_and(|o| o.case_no.is_some() && o.case_no != c.case_no) {
                i.error("case_no", "编号", "已分配的编号不能修改；如需更正请作废后重新取号");
            }
        }
        reference(w, i, "committee_id", "调委会", Kind::Organization, c.committee_id)?;
        reference(w, i, "lead_mediator_id", "主调解员", Kind::Mediator, c.lead_mediator_id)?;
        for (n, m) in c.mediator_ids.iter().enumerate() {
            reference(w, i, &format!("mediator_ids[{n}]"), "参与调解员", Kind::Mediator, Some(*m))?;
        }
        if let Some(no) = &c.case_no {
            let other: Option<String> = w
                .tx
                .query_row("SELECT id FROM dispute_case WHERE case_no = ?1 AND id <> ?2 AND deleted = 0 LIMIT 1", [no, &c.meta.id.to_string()], |r| {
                    r.get(0)
                })
                .optional()?;
            if other.is_some() {
                i.error("case_no", "编号", format!("编号{no}已被其他案件使用"));
            }
        }
    } else if let Some(p) = any.downcast_ref::<CaseParty>() {
        case_child(w, i, p.case_id)?;
        reference(w, i, "person_id", "当事人", Kind::Person, p.person_id)?;
        reference(w, i, "entity_id", "当事单位", Kind::LegalEntity, p.entity_id)?;
        reference(w, i, "agent_person_id", "委托代理人", Kind::Person, p.agent_person_id)?;
    } else if let Some(r) = any.downcast_ref::<InvestigationRecord>() {
        case_child(w, i, r.case_id)?;
        reference(w, i, "interviewee_person_id", "被调查人", Kind::Person, r.interviewee_person_id)?;
    } else if let Some(s) = any.downcast_ref::<MediationSession>() {
        let status = case_child(w, i, s.case_id)?;
        // 第十七条: no mediation once a party has clearly refused (the case is 不予受理).
        if w.mode == Mode::Edit && old.is_none() {
            if let Some(st) = status {
                if !matches!(st, CaseStatus::Accepted | CaseStatus::Investigating | CaseStatus::Mediating) {
                    i.error("case_id", "案件", format!("案件状态为“{}”，不能登记调解记录（须先受理）", st.label()));
                }
            }
        }
    } else if let Some(a) = any.downcast_ref::<Agreement>() {
        case_child(w, i, a.case_id)?;
        if let Some(case_id) = a.case_id {
            let other: Option<String> =
                w.tx.query_row(
                    "SELECT id FROM agreement WHERE parent_id = ?1 AND id <> ?2 AND deleted = 0 LIMIT 1",
                    [case_id.to_string(), a.meta.id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if other.is_some() && a.supersedes_agreement_id.is_none() {
                i.error("case_id", "案件", "该案件已有调解协议；重新调解的协议须注明所替代的协议");
            }
        }
    } else if let Some(v) = any.downcast_ref::<ReturnVisit>() {
        case_child(w, i, v.case_id)?;
        reference(w, i, "visited_person_id", "回访对象", Kind::Person, v.visited_person_id)?;
    } else if let Some(m) = any.downcast_ref::<Mediator>() {
        reference(w, i, "committee_id", "所属调委会", Kind::Organization, m.committee_id)?;
    } else if let Some(o) = any.downcast_ref::<Organization>() {
        reference(w, i, "parent_id", "上级机构", Kind::Organization, o.parent_id)?;
    } else if let Some(r) = any.downcast_ref::<ScreeningRound>() {
        if r.zero_report && !r.meta.id.is_nil() {
            r.check_items(count_children(w, Kind::ScreeningItem, r.meta.id)?, i);
        }
    } else if let Some(item) = any.downcast_ref::<ScreeningItem>() {
        if let Some(round_id) = item.round_id {
            let round: Option<ScreeningRound> = crate::records::get_with(w.tx, round_id)?.filter(|r: &ScreeningRound| !r.meta.deleted);
            match round {
                None => i.error("round_id", "所属排查", "所属排查不存在或已删除"),
                Some(r) if r.zero_report && !item.meta.deleted => {
                    return Err(StoreError::Rule("该次排查已报零报告，不能再登记矛盾纠纷；如确有发现，请先取消零报告".into()))
                }
                Some(_) => {}
            }
        }
        reference(w, i, "case_id", "关联案件", Kind::DisputeCase, item.case_id)?;
    } else if let Some(r) = any.downcast_ref::<ReleasedPerson>() {
        if let Some(pid) = r.person_id {
            match crate::records::get_with::<Person>(w.tx, pid)?.filter(|p| !p.meta.deleted) {
                None => i.error("person_id", "人员", "人员不存在或已删除"),
                Some(p) if !r.meta.draft && p.id_number.is_none() => i.error("person_id", "公民身份号码", "安置帮教对象必须登记公民身份号码"),
                Some(_) => {}
            }
        }
    } else if let Some(g) = any.downcast_ref::<HelpGroup>() {
        reference(w, i, "released_person_id", "帮教对象", Kind::ReleasedPerson, g.released_person_id)?;
    } else if let Some(v) = any.downcast_ref::<HelpVisit>() {
        reference(w, i, "released_person_id", "帮教对象", Kind::ReleasedPerson, v.released_person_id)?;
    } else if let Some(c) = any.downcast_ref::<AssessmentChange>() {
        reference(w, i, "released_person_id", "帮教对象", Kind::ReleasedPerson, c.released_person_id)?;
    } else if let Some(e) = any.downcast_ref::<HandoverEvent>() {
        reference(w, i, "released_person_id", "帮教对象", Kind::ReleasedPerson, e.released_person_id)?;
    }
    Ok(())
}

pub(crate) fn check_delete<R: Record>(w: &Writer, rec: &R) -> Result<()> {
    let any = rec as &dyn Any;
    if let Some(c) = any.downcast_ref::<DisputeCase>() {
        if c.status != CaseStatus::Draft {
            return Err(StoreError::Rule(format!("案件已{}，不能删除；可办理撤回或不予受理", c.status.label())));
        }
    }
    let case_id = (any.downcast_ref::<CaseParty>().and_then(|p| p.case_id))
        .or_else(|| any.downcast_ref::<InvestigationRecord>().and_then(|r| r.case_id))
        .or_else(|| any.downcast_ref::<MediationSession>().and_then(|r| r.case_id))
        .or_else(|| any.downcast_ref::<Agreement>().and_then(|r| r.case_id))
        .or_else(|| any.downcast_ref::<ReturnVisit>().and_then(|r| r.case_id));
    if let Some(id) = case_id {
        if case_status(w, id)? == Some(CaseStatus::Archived) {
            return Err(StoreError::Rule("该案件已归档，卷宗内容不能删除".into()));
        }
    }
    Ok(())
}
