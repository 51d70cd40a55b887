//! The file's own sheets: 卷宗封面, 卷内目录, 卷宗情况说明, 封底 (卷内备考表).

use fengqiao_model::{AgreementForm, CaseFile, JcStatus, MediationResult};

use super::*;
use crate::binder::PartPages;
use crate::model::size;

/// 卷宗封面 (§1.2): committee, 调解卷宗, then 卷名, 卷号, 人民调解员, 调解日期, 立卷人, 立卷日期,
/// 保管期限, 备注.
pub fn cover(file: &CaseFile, refs: &Refs) -> Document {
    let case = &file.case;
    let mut doc = Document::portrait("");
    doc.page_numbers = PageNumbers::None;
    doc.push(Block::Space(12.0));
    doc.push(Paragraph::runs(committee_inline(refs)).no_indent().align(Align::Center).size(size::ER_HAO).bold());
    doc.push(Block::Space(10.0));
    doc.push(Paragraph::new("调　解　卷　宗").no_indent().align(Align::Center).size(36.0).bold());
    doc.push(Block::Space(22.0));
    let mediators = {
        let mut ids: Vec<_> = case.lead_mediator_id.into_iter().collect();
        ids.extend(case.mediator_ids.iter().filter(|id| Some(**id) != case.lead_mediator_id));
        refs.mediators(&ids)
    };
    let span = match (case.accepted_on, case.closed_on) {
        (None, None) => "　　年　月　日　至　　年　月　日".to_string(),
        (a, b) => format!("{}　至　{}", date(a), date(b)),
    };
    let volume = case.volume_name.clone().or(case.title.clone());
    let number = case.case_no.clone().unwrap_or_else(|| "（　　）人调字第　　号".into());
    let row = |l: &str, v: String| row2(l, v).min_height(15.0);
    doc.push(
        Grid::new(&[36.0, 120.0])
            .size(size::SAN_HAO)
            .row(row("卷　　名", opt(&volume)))
            .row(row("卷　　号", number))
            .row(row("人民调解员", mediators))
            .row(row("调解日期", span))
            .row(row("立 卷 人", opt(&case.archived_by)))
            .row(row("立卷日期", date(case.archived_on)))
            .row(row("保管期限", case.retention.map(|r| r.label()).unwrap_or_default().to_string()))
            .row(row("备　　注", String::new()).min_height(24.0)),
    );
    doc
}

/// A paper attachment listed in the contents without a page number (身份证明 copies),
/// placed after the part named `after`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub after: String,
    pub name: String,
    pub note: String,
}

/// 卷内目录: 序号, 文书名称, 页号, 备注 for every numbered part, plus paper attachments.
pub fn contents(parts: &[PartPages], attachments: &[Attachment]) -> Document {
    let mut doc = Document::portrait("卷内目录");
    doc.page_numbers = PageNumbers::None;
    let mut g = Grid::new(&[16.0, 84.0, 24.0, 32.0]).size(size::SI_HAO).header_rows(1);
    g = g.row(Row::new(["序号", "文书名称", "页号", "备注"].map(Cell::label).to_vec()).min_height(12.0));
    let mut lines = Vec::new();
    for p in parts {
        if p.first_number.is_some() {
            lines.push((p.name.clone(), p.page_range(), String::new()));
        }
        for a in attachments.iter().filter(|a| a.after == p.name) {
            lines.push((a.name.clone(), String::new(), a.note.clone()));
        }
    }
    let mut n = 0;
    for (name, pages, note) in lines {
        n += 1;
        g = g.row(
            Row::new(vec![
                Cell::value(n.to_string()).align(Align::Center),
                Cell::value(name),
                Cell::value(pages).align(Align::Center),
                Cell::value(note),
            ])
            .min_height(11.0),
        );
    }
    // Ruled blank lines to the foot of the page, for material added by hand.
    while n < 16 {
        n += 1;
        g = g.row(Row::blank(4, 11.0));
    }
    doc.push(g);
    doc
}

/// 卷宗情况说明: what the file holds and lacks, written from the records.
pub fn case_notes(file: &CaseFile, refs: &Refs, parts: &[PartPages]) -> Document {
    let case = &file.case;
    let mut doc = Document::portrait("卷宗情况说明");
    let pages: usize = parts.iter().filter(|p| p.first_number.is_some()).map(|p| p.pages).sum();
    let title = opt(&case.title);
    let mut first = format!("本卷为{}", if title.is_empty() { "民间纠纷".into() } else { title });
    if let Some(no) = case.case_no.as_deref() {
        first.push_str(&format!("调解卷宗，卷号{no}"));
    } else {
        first.push_str("调解卷宗");
    }
    first.push_str(&format!("，由{}", committee_text(refs)));
    if case.accepted_on.is_some() {
        first.push_str(&format!("于{}受理", date(case.accepted_on)));
    }
    if case.closed_on.is_some() {
        first.push_str(&format!("，{}结案", date(case.closed_on)));
    }
    if let Some(r) = case.result {
        first.push_str(&format!("，调解结果为{}", r.label()));
    }
    first.push_str(&format!("。卷内文书材料共{pages}页（不含封面、卷内目录和封底）。"));
    doc.push(Paragraph::new(first));

    let mut notes = Vec::new();
    if file.investigations.is_empty() {
        notes.push("本案未单独进行调查，卷内无调查记录。".to_string());
    } else {
        notes.push(format!("卷内有调查记录{}份。", file.investigations.len()));
    }
    notes.push(format!("卷内有调解记录{}份。", file.sessions.len()));
    match file.agreement.as_ref().and_then(|a| a.form) {
        Some(AgreementForm::Oral) => notes.push("当事人达成口头协议，由人民调解员填写口头协议登记表附卷。".into()),
        Some(AgreementForm::Written) => notes.push("当事人达成书面调解协议，协议书附卷。".into()),
        None => {}
    }
    if case.result == Some(MediationResult::Failed) {
        let routes = join(case.alternatives_told.iter().map(|a| a.label().to_string()));
        notes.push(format!(
            "调解未达成协议，原因：{}。已告知当事人可以依法通过{}等途径维护自己的权利。",
            opt(&case.failure_reason).trim_end_matches('。'),
            if routes.is_empty() { "仲裁、行政、司法".into() } else { routes }
        ));
    }
    if let Some(a) = &file.agreement {
        match a.jc_status {
            Some(JcStatus::Applied | JcStatus::Decided) => notes.push(format!(
                "当事人已于{}向{}申请司法确认{}。",
                date(a.jc_applied_on),
                opt(&a.jc_court),
                a.jc_result.map(|r| format!("，结果为{}", r.label())).unwrap_or_default()
            )),
            _ if a.form.is_some() => notes.push("当事人未申请司法确认。".into()),
            _ => {}
        }
    }
    if !file.return_visits.is_empty() {
        notes.push(format!("调解后回访{}次，回访记录附卷。", file.return_visits.len()));
    }
    if file.parties.iter().any(|p| p.party.id_copy_attached) {
        notes.push("当事人身份证明为纸质复印件，附于卷内。".into());
    }
    for (i, n) in notes.iter().enumerate() {
        doc.push(Paragraph::new(format!("{}．{n}", i + 1)));
    }
    doc.push(
        Signatures::new(&[])
            .entry("立卷人（签名）", case.archived_by.clone())
            .date(case.archived_on.map_or(DateLine::Blank, |d| DateLine::Printed(date(Some(d))))),
    );
    doc
}

/// 封底, carrying the 卷内备考表.
pub fn back_cover(file: &CaseFile, parts: &[PartPages]) -> Document {
    let case = &file.case;
    let mut doc = Document::portrait("卷内备考表");
    doc.page_numbers = PageNumbers::None;
    let numbered: Vec<_> = parts.iter().filter(|p| p.first_number.is_some()).collect();
    let pages: usize = numbered.iter().map(|p| p.pages).sum();
    let summary = format!("本卷共有文件材料{}件，共{}页。", numbered.len(), pages);
    doc.push(
        Grid::new(&[36.0, 120.0])
            .size(size::SI_HAO)
            .row(Row::new(vec![Cell::label("本卷情况说明"), Cell::value(summary).top()]).min_height(120.0))
            .row(row2("立 卷 人", opt(&case.archived_by)).min_height(15.0))
            .row(row2("检 查 人", "").min_height(15.0))
            .row(row2("立卷时间", date(case.archived_on)).min_height(15.0)),
    );
    doc
}
