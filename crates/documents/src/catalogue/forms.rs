//! Intake: 人民调解申请书 (§1.3), 人民调解受理登记表 (§1.4), 当事人权利义务告知书 (§1.5).

use chrono::Datelike;
use fengqiao_model::{CaseFile, CaseSource, PartyRole};

use super::*;
use crate::model::size;

/// 人民调解申请书: applicants, respondents, the dispute, the requests, the fixed declaration,
/// and the applicants' signatures.
pub fn application(file: &CaseFile, refs: &Refs) -> Document {
    let case = &file.case;
    let on = reference_date(file);
    let mut doc = Document::portrait("人民调解申请书");
    let applicants = file.parties.iter().filter(|p| p.party.role != Some(PartyRole::Respondent));
    let respondents = file.parties.iter().filter(|p| p.party.role == Some(PartyRole::Respondent));
    let label = |p: &PartyEntry| p.party.role.map_or("申请人", |r| r.label()).to_string();
    doc.push(party_grid(applicants.chain(respondents).map(|p| (p, label(p))), on));
    doc.push(FillLine::new("纠纷简要情况陈述", opt(&case.summary), 5));
    doc.push(Paragraph::new("当事人申请事项：").no_indent());
    if case.requests.is_empty() {
        doc.push(FillLine::new("", "", 2));
    }
    doc.blocks.extend(numbered(&case.requests));
    let mut declaration = committee_inline(refs);
    declaration.push(text("已将申请人民调解的相关规定告知我，现自愿申请人民调解委员会进行调解。"));
    doc.push(Paragraph::runs(declaration));
    let n = file.parties.iter().filter(|p| p.party.role != Some(PartyRole::Respondent)).count().max(1);
    let mut sig = Signatures::new(&[]);
    for _ in 0..n {
        sig = sig.entry("申请人（签名盖章或按指印）", None);
    }
    doc.push(sig.date(case.applied_on.map_or(DateLine::Blank, |d| DateLine::Printed(date(Some(d))))));
    doc
}

/// 人民调解受理登记表, filled by the committee.
pub fn intake_register(file: &CaseFile, refs: &Refs) -> Document {
    let case = &file.case;
    let mut doc = Document::portrait("人民调解受理登记表");
    doc.number = case.case_no.clone();
    doc.push(Paragraph::new("（此表由人民调解委员会填写）").no_indent().align(Align::Center).size(size::XIAO_SI));
    let (y, m, d) = case
        .accepted_on
        .map_or((String::new(), String::new(), String::new()), |d| (d.year().to_string(), d.month().to_string(), d.day().to_string()));
    doc.push(Paragraph::runs(vec![
        field(y, 3),
        text("年"),
        field(m, 2),
        text("月"),
        field(d, 2),
        text("日，本人民调解委员会经当事人同意，调解"),
        field(parties_with(file, PartyRole::Applicant), 4),
        text("、"),
        field(parties_with(file, PartyRole::Respondent), 4),
        text("之间的纠纷。"),
    ]));
    let mark = |on: bool| if on { "■" } else { "□" };
    let mut source = format!(
        "{}当事人申请　{}人民调解委员会主动调解",
        mark(case.source == Some(CaseSource::PartyApplication)),
        mark(case.source == Some(CaseSource::Proactive))
    );
    if case.source == Some(CaseSource::Referral) {
        let by = [case.referral_type.map(|r| r.label().to_string()), case.referral_org.clone()];
        source.push_str(&format!("　■接受委托移送（{}）", join(by.into_iter().flatten())));
    }
    let g = Grid::new(&[40.0, 116.0])
        .size(size::SI_HAO)
        .row(row2("纠纷类型", case.dispute_type.map(|t| t.label()).unwrap_or_default()).min_height(12.0))
        .row(row2("案件来源", source).min_height(12.0))
        .row(Row::new(vec![Cell::label("纠纷简要情况"), Cell::value(opt(&case.summary)).top()]).min_height(80.0))
        .row(row2("当事人（签名）", "").min_height(16.0))
        .row(row2("登记人（签名）", "").min_height(16.0));
    doc.push(g);
    doc.push(seal(refs, case.accepted_on));
    doc
}

const PRINCIPLES: &str = "人民调解委员会是依法设立的调解民间纠纷的群众性组织。人民调解委员会调解民间纠纷，应当遵循下列原则：（一）在当事人自愿、平等的基础上进行调解；（二）不违背法律、法规和国家政策；（三）尊重当事人的权利，不得因调解而阻止当事人依法通过仲裁、行政、司法等途径维护自己的权利。人民调解委员会调解民间纠纷，不收取任何费用。";

const RIGHTS: [&str; 5] = [
    "选择或者接受人民调解员；",
    "接受调解、拒绝调解或者要求终止调解；",
    "要求调解公开进行或者不公开进行；",
    "自主表达意愿、自愿达成调解协议；",
    "委托代理人参与调解。",
];

const DUTIES: [&str; 5] = [
    "如实陈述纠纷事实，提供真实的证明材料；",
    "遵守调解现场秩序，尊重人民调解员；",
    "尊重对方当事人行使权利；",
    "自觉履行达成的调解协议；",
    "不得因调解纠纷激化矛盾。",
];

const EFFECT: &str = "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。经人民调解委员会调解达成调解协议后，双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。";

/// 人民调解当事人权利义务告知书 (人民调解法 第三、四、二十三、二十四、三十一、三十三条), signed by
/// every party that it was given.
pub fn rights_notice(file: &CaseFile, refs: &Refs) -> Document {
    let mut doc = Document::portrait("人民调解当事人权利义务告知书");
    doc.body_size = size::SI_HAO;
    let mut to = vec![text("当事人：")];
    to.push(field(join(file.parties.iter().map(|p| p.name().to_string())), 8));
    doc.push(Paragraph::runs(to).no_indent());
    doc.push(Paragraph::new(PRINCIPLES));
    doc.push(Paragraph::new("根据《中华人民共和国人民调解法》的规定，当事人在人民调解活动中享有下列权利："));
    for (i, r) in RIGHTS.iter().enumerate() {
        doc.push(Paragraph::new(format!("（{}）{r}", crate::layout::chinese_number(i as u32 + 1))));
    }
    doc.push(Paragraph::new("当事人在人民调解活动中履行下列义务："));
    for (i, d) in DUTIES.iter().enumerate() {
        doc.push(Paragraph::new(format!("（{}）{d}", crate::layout::chinese_number(i as u32 + 1))));
    }
    doc.push(Paragraph::new(EFFECT));
    let given = file.parties.iter().filter_map(|p| p.party.rights_notice_given_on).max();
    doc.push(seal(refs, given));
    doc.push(Paragraph::new("以上内容已告知，本人已知悉。").no_indent());
    let mut sig = Signatures::new(&[]).columns(2);
    for p in &file.parties {
        sig = sig.entry(format!("{}（签名）", side_or_role(p)), None);
    }
    if file.parties.is_empty() {
        sig = sig.entry("当事人（签名）", None);
    }
    doc.push(sig.date(DateLine::Blank));
    doc
}

fn side_or_role(p: &PartyEntry) -> String {
    p.party.role.map_or("当事人", |r| r.label()).to_string()
}
