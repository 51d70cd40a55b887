//! The whole case file as one PDF, in 卷宗 order (domain.md §1.2).

use fengqiao_model::{AgreementForm, CaseFile, CaseSource, JcStatus};

use super::*;
use crate::binder::{bind, bind_pages, Bound, BoundPages, Part, Source};
use crate::error::Result;
use crate::fonts::FontSet;

const RIGHTS_NOTICE: &str = "人民调解当事人权利义务告知书";

/// The parts of a case file in binding order: 封面, 卷内目录, 申请书 (or 受理登记表), 告知书,
/// 调查记录, 调解记录, 协议书 (or 口头协议登记表), 回访记录, 司法确认申请书, 卷宗情况说明, 封底.
/// Paper attachments (身份证明) are listed in the contents without page numbers.
pub fn case_file_parts<'a>(file: &'a CaseFile, refs: &'a Refs<'a>) -> Vec<Part<'a>> {
    let mut parts = vec![Part::unnumbered("卷宗封面", cover(file, refs))];
    let mut attachments = Vec::new();
    if file.parties.iter().any(|p| p.party.id_copy_attached) {
        attachments.push(Attachment { after: RIGHTS_NOTICE.into(), name: "当事人身份证明".into(), note: "纸质材料".into() });
    }
    parts.push(Part::generated("卷内目录", false, move |placed| contents(placed, &attachments)));
    if file.case.source == Some(CaseSource::PartyApplication) || file.case.applied_on.is_some() {
        parts.push(Part::numbered("人民调解申请书", application(file, refs)));
    } else {
        parts.push(Part::numbered("人民调解受理登记表", intake_register(file, refs)));
    }
    parts.push(Part::numbered(RIGHTS_NOTICE, rights_notice(file, refs)));
    for rec in &file.investigations {
        let who = refs.person(file, rec.interviewee_person_id).and_then(|p| p.name.clone());
        let name = match who {
            Some(w) => format!("人民调解调查记录（{w}）"),
            None => "人民调解调查记录".into(),
        };
        parts.push(Part::numbered(name, investigation(file, rec, refs)));
    }
    let many = file.sessions.len() > 1;
    for (i, s) in file.sessions.iter().enumerate() {
        let name = if many {
            format!("人民调解记录（第{}次）", crate::layout::chinese_number(s.seq.unwrap_or(i as i64 + 1) as u32))
        } else {
            "人民调解记录".into()
        };
        parts.push(Part::numbered(name, session(file, s, refs)));
    }
    if let Some(a) = &file.agreement {
        match a.form {
            Some(AgreementForm::Oral) => parts.push(Part::numbered("人民调解口头协议登记表", oral_agreement(file, a, refs))),
            _ => parts.push(Part::numbered("人民调解协议书", agreement(file, a, refs))),
        }
    }
    for v in &file.return_visits {
        parts.push(Part::numbered("人民调解回访记录", return_visit(file, v, refs)));
    }
    if let Some(a) = file.agreement.as_ref().filter(|a| matches!(a.jc_status, Some(JcStatus::Applied | JcStatus::Decided))) {
        parts.push(Part::numbered("司法确认申请书", judicial_confirmation_application(file, a, refs)));
    }
    parts.push(Part::generated("卷宗情况说明", true, move |placed| case_notes(file, refs, placed)));
    parts.push(Part::generated("封底", false, move |placed| back_cover(file, placed)));
    parts
}

/// Renders the whole case file as one PDF; `Bound::parts` says where each document starts.
pub fn case_file(file: &CaseFile, refs: &Refs, fonts: &FontSet) -> Result<Bound> {
    bind(&case_file_title(file), &case_file_parts(file, refs), fonts)
}

/// The whole case file's pages, numbered, before they are written (see [`case_file`]).
pub fn case_file_pages(file: &CaseFile, refs: &Refs, fonts: &FontSet) -> Result<BoundPages> {
    bind_pages(&case_file_title(file), &case_file_parts(file, refs), fonts)
}

/// "人民调解卷宗 （2026）东山调字第3号", the bound file's title.
pub fn case_file_title(file: &CaseFile) -> String {
    match file.case.case_no.as_deref() {
        Some(no) => format!("人民调解卷宗 {no}"),
        None => "人民调解卷宗".to_string(),
    }
}

/// One part of the case file as it is in the bound file: the 卷内目录, 卷宗情况说明 and 封底 are
/// built from where the other parts land, so the whole file is laid out first. `None` when
/// the file has no part of that name.
pub fn case_file_part(file: &CaseFile, refs: &Refs, name: &str, fonts: &FontSet) -> Result<Option<Document>> {
    let parts = case_file_parts(file, refs);
    let Some(part) = parts.iter().find(|p| p.name == name) else {
        return Ok(None);
    };
    Ok(Some(match &part.source {
        Source::Fixed(d) => d.clone(),
        Source::Generated(build) => build(&bind("", &parts, fonts)?.parts),
    }))
}
