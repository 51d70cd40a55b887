//! Records and agreements: 调查记录 (§1.6), 调解记录 (§1.7), 协议书 (§1.8), 口头协议登记表
//! (§1.9), 回访记录 (§1.10), 司法确认申请书 (§1.11).

use fengqiao_model::{Agreement, CaseFile, InvestigationRecord, MediationSession, ReturnVisit};

use super::*;
use crate::model::size;

const FOUR: [f32; 4] = [30.0, 48.0, 30.0, 48.0];

/// 人民调解调查记录: one interviewee, one sitting.
pub fn investigation(file: &CaseFile, rec: &InvestigationRecord, refs: &Refs) -> Document {
    let mut doc = Document::portrait("人民调解调查记录");
    doc.body_size = size::SI_HAO;
    doc.number = file.case.case_no.clone();
    let who = refs.person(file, rec.interviewee_person_id);
    let name = who.and_then(|p| p.name.clone()).unwrap_or_default();
    let g = Grid::new(&FOUR)
        .row(Row::new(vec![Cell::label("时间"), Cell::value(time_span(rec.started_at, rec.ended_at)).span(3)]))
        .row(Row::new(vec![Cell::label("地点"), Cell::value(opt(&rec.place)).span(3)]))
        .row(Row::new(vec![
            Cell::label("被调查人"),
            Cell::value(name),
            Cell::label("与本案关系"),
            Cell::value(rec.interviewee_relation.map(|r| r.label()).unwrap_or_default()),
        ]))
        .row(Row::new(vec![
            Cell::label("调查人"),
            Cell::value(refs.mediators(&rec.investigator_ids)),
            Cell::label("记录人"),
            Cell::value(refs.mediator(rec.recorder_id)),
        ]))
        .row(Row::new(vec![Cell::label("参加人"), Cell::value(opt(&rec.attendees)).span(3)]));
    doc.push(g);
    doc.push(Paragraph::new("记录：").no_indent().bold());
    doc.blocks.extend(paragraphs(&opt(&rec.content), false));
    if rec.read_back {
        doc.push(Paragraph::new("（以上记录已向被调查人宣读或交其阅看。）").no_indent());
    }
    let day = rec.started_at.map(|t| time(Some(t)).split('日').next().unwrap_or_default().to_string() + "日");
    doc.push(
        Signatures::new(&["调查人（签名）", "被调查人（签名盖章或按指印）", "记录人（签名）"]).date(day.map_or(DateLine::Blank, DateLine::Printed)),
    );
    doc
}

/// 人民调解记录: one mediation session.
pub fn session(file: &CaseFile, s: &MediationSession, refs: &Refs) -> Document {
    let title = match s.seq {
        Some(n) if n > 1 => format!("人民调解记录（第{}次）", crate::layout::chinese_number(n as u32)),
        _ => "人民调解记录".to_string(),
    };
    let mut doc = Document::portrait(title);
    doc.body_size = size::SI_HAO;
    doc.number = file.case.case_no.clone();
    let present: Vec<&PartyEntry> = file.parties.iter().filter(|p| s.present_party_ids.contains(&p.party.meta.id)).collect();
    let invitees = join(s.invitees.iter().map(|i| {
        let extra = join([opt(&i.unit), opt(&i.relation)]);
        let name = opt(&i.name);
        if extra.is_empty() {
            name
        } else {
            format!("{name}（{extra}）")
        }
    }));
    let g = Grid::new(&FOUR)
        .row(Row::new(vec![Cell::label("时间"), Cell::value(time(s.held_at)).span(3)]))
        .row(Row::new(vec![Cell::label("地点"), Cell::value(opt(&s.place)).span(3)]))
        .row(Row::new(vec![Cell::label("事由"), Cell::value(opt(&s.subject)).span(3)]))
        .row(Row::new(vec![Cell::label("当事人"), Cell::value(join(present.iter().map(|p| format!("{}（{}）", p.name(), side_label(p))))).span(3)]))
        .row(Row::new(vec![Cell::label("参加人"), Cell::value(invitees).span(3)]))
        .row(Row::new(vec![
            Cell::label("人民调解员"),
            Cell::value(refs.mediators(&s.mediator_ids)),
            Cell::label("记录人"),
            Cell::value(refs.mediator(s.recorder_id)),
        ]))
        .row(Row::new(vec![
            Cell::label("权利义务告知"),
            Cell::value(if s.rights_notice_given { "已告知" } else { "" }),
            Cell::label("调解方式"),
            Cell::value(if s.public { "公开调解" } else { "不公开调解" }),
        ]));
    doc.push(g);
    doc.push(Paragraph::new("记录：").no_indent().bold());
    doc.blocks.extend(paragraphs(&opt(&s.content), false));
    doc.push(Paragraph::runs(vec![text("调解结果："), field(s.session_outcome.map(|o| o.label()).unwrap_or_default(), 8)]).no_indent());
    let mut sig = Signatures::new(&[]);
    for p in present.iter().copied().chain(file.parties.iter().take(if present.is_empty() { 2 } else { 0 })) {
        sig = sig.entry(format!("{}（签名盖章或按指印）", side_label(p)), None);
    }
    doc.push(sig.entry("人民调解员（签名）", None).entry("记录人（签名）", None).date(DateLine::None));
    doc
}

fn performance(a: &Agreement) -> String {
    let mut s = opt(&a.performance_method);
    if let Some(d) = a.performance_due_on {
        if !s.is_empty() && !s.ends_with(['。', '；', '，']) {
            s.push('，');
        }
        s.push_str(&format!("于{}前履行完毕。", date(Some(d))));
    }
    s
}

/// 人民调解协议书 (第二十九条): parties, facts, clauses, performance, copies, signatures and seal.
pub fn agreement(file: &CaseFile, a: &Agreement, refs: &Refs) -> Document {
    let mut doc = Document::portrait("人民调解协议书");
    doc.number = Some(a.agreement_no.clone().unwrap_or_default());
    let on = a.signed_on.or(reference_date(file));
    doc.push(party_grid(file.parties.iter().map(|p| (p, side_label(p))), on));
    doc.push(FillLine::new("纠纷主要事实、争议事项", opt(&a.facts), 4));
    doc.push(Paragraph::new("经调解，自愿达成如下协议：").no_indent());
    doc.blocks.extend(numbered(&a.terms));
    doc.push(FillLine::new("履行方式、时限", performance(a), 2));
    let copies = a.copies.unwrap_or(file.parties.len() as i64 + 1);
    doc.push(Paragraph::runs(vec![
        text("本协议一式"),
        field(if copies > 0 { crate::layout::chinese_number(copies as u32) } else { String::new() }, 2),
        text("份，当事人、人民调解委员会各持一份。"),
    ]));
    doc.push(party_signatures(file, "（签名盖章或按指印）").entry("人民调解员（签名）", None).entry("记录人（签名）", None).date(DateLine::None));
    doc.push(seal(refs, a.signed_on));
    doc
}

/// One signature line per party ("甲方（签名盖章或按指印）"); a unit signs by its representative.
fn party_signatures(file: &CaseFile, how: &str) -> Signatures {
    let mut sig = Signatures::new(&[]);
    for p in &file.parties {
        if p.entity.is_some() {
            sig = sig.entry(format!("{}（盖章）", side_label(p)), None).entry("法定代表人（签名）", None);
        } else {
            sig = sig.entry(format!("{}{how}", side_label(p)), None);
        }
    }
    if file.parties.is_empty() {
        sig = sig.entry(format!("当事人{how}"), None);
    }
    sig
}

/// 人民调解口头协议登记表 (第二十八条), set out like the 协议书.
pub fn oral_agreement(file: &CaseFile, a: &Agreement, refs: &Refs) -> Document {
    let mut doc = Document::portrait("人民调解口头协议登记表");
    doc.number = Some(a.agreement_no.clone().unwrap_or_default());
    doc.push(party_grid(file.parties.iter().map(|p| (p, side_label(p))), a.oral_registered_on.or(reference_date(file))));
    let terms =
        a.terms.iter().filter(|t| !t.trim().is_empty()).enumerate().map(|(i, t)| format!("{}．{}", i + 1, t.trim())).collect::<Vec<_>>().join("\n");
    let facts = a.facts.clone().or(file.case.summary.clone());
    doc.push(
        Grid::new(&[34.0, 122.0])
            .row(Row::new(vec![Cell::label("纠纷简要情况"), Cell::value(opt(&facts)).top()]).min_height(40.0))
            .row(Row::new(vec![Cell::label("协议内容"), Cell::value(terms).top()]).min_height(40.0))
            .row(row2("履行方式、时限", performance(a)).min_height(16.0)),
    );
    let registrar = Some(refs.mediator(a.registrar_id)).filter(|n| !n.is_empty());
    doc.push(
        party_signatures(file, "（签名盖章或按指印）").entry("人民调解员（签名）", None).entry("登记人（签名）", registrar).date(DateLine::None),
    );
    doc.push(seal(refs, a.oral_registered_on));
    doc
}

/// 人民调解回访记录.
pub fn return_visit(file: &CaseFile, v: &ReturnVisit, refs: &Refs) -> Document {
    let mut doc = Document::portrait("人民调解回访记录");
    let visited = refs.person(file, v.visited_person_id).and_then(|p| p.name.clone()).unwrap_or_default();
    let agreement_no = v.agreement_no.clone().or(file.agreement.as_ref().and_then(|a| a.agreement_no.clone()));
    let mut situation = opt(&v.content);
    let mut facts = Vec::new();
    if let Some(p) = v.performance_status_observed {
        facts.push(format!("协议履行情况：{}", p.label()));
    }
    if let Some(s) = v.satisfaction {
        facts.push(format!("当事人满意度：{}", s.label()));
    }
    if v.risk_found {
        facts.push("发现纠纷反复或激化风险".to_string());
    }
    if let Some(m) = v.measures.as_deref().filter(|m| !m.trim().is_empty()) {
        facts.push(format!("采取的措施：{}", m.trim()));
    }
    if !facts.is_empty() {
        situation = format!("{situation}\n{}。", facts.join("；"));
    }
    let reason = v.reason.clone().or(file.case.title.clone());
    let g = Grid::new(&[33.0, 39.0, 30.0, 54.0])
        .size(size::XIAO_SI)
        .row(
            Row::new(vec![Cell::label("当事人"), Cell::value(visited), Cell::label("调解协议编号"), Cell::value(agreement_no.unwrap_or_default())])
                .min_height(12.0),
        )
        .row(Row::new(vec![Cell::label("回访事由"), Cell::value(opt(&reason)).span(3)]).min_height(12.0))
        .row(
            Row::new(vec![
                Cell::label("回访方式"),
                Cell::value(v.method.map(|m| m.label()).unwrap_or_default()),
                Cell::label("回访人"),
                Cell::value(refs.mediators(&v.visitor_ids)),
            ])
            .min_height(12.0),
        )
        .row(Row::new(vec![Cell::label("回访情况"), Cell::value(situation.trim()).top().span(3)]).min_height(110.0))
        .row(
            Row::new(vec![Cell::label("回访人（签名）"), Cell::value(""), Cell::label("回访时间"), Cell::value(time(v.visited_at))]).min_height(16.0),
        );
    doc.push(g);
    doc
}

const GUARANTEE: &str = "申请人保证：出于解决纠纷的目的自愿达成协议，没有恶意串通、规避法律的行为；如果因为该协议内容而给他人造成损害的，愿意承担相应的民事责任和其他法律责任。";

/// 司法确认申请书 (第三十三条, 法释〔2011〕5号): the parties apply jointly. Parties that are units
/// get the unit's block, so the one function gives both variants (个人与个人 / 个人与单位).
pub fn judicial_confirmation_application(file: &CaseFile, a: &Agreement, refs: &Refs) -> Document {
    let mut doc = Document::portrait("司法确认申请书");
    doc.push(party_grid(file.parties.iter().map(|p| (p, "申请人".to_string())), a.signed_on));
    let court = a.jc_court.clone().filter(|c| !c.trim().is_empty()).or(refs.court.map(str::to_string));
    let court_inline = || match &court {
        Some(c) => vec![text(c.clone())],
        None => vec![field("", 6), text("人民法院")],
    };
    let committee = committee_text(refs);
    let signed = date(a.effective_on());
    let no = a.agreement_no.clone().map(|n| format!("（编号：{n}）")).unwrap_or_default();
    doc.push(Paragraph::new("请求事项：").no_indent().bold());
    let mut req = vec![text("请求")];
    req.extend(court_inline());
    req.push(text(format!("依法确认申请人于{signed}经{committee}主持调解达成的人民调解协议{no}有效。")));
    doc.push(Paragraph::runs(req));
    doc.push(Paragraph::new("事实与理由：").no_indent().bold());
    let title = file.case.title.clone().unwrap_or_else(|| "民间".into());
    let title = title.trim_end_matches("纠纷");
    doc.push(Paragraph::new(format!("申请人之间因{title}纠纷，经{committee}主持调解，于{signed}自愿达成如下调解协议：")));
    doc.blocks.extend(numbered(&a.terms));
    doc.push(Paragraph::new("上述协议是申请人的真实意思表示，不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益。为此，申请人共同向人民法院申请司法确认。"));
    doc.push(Paragraph::new(GUARANTEE));
    doc.push(Paragraph::new("此致"));
    doc.push(Paragraph::runs(court_inline()).no_indent());
    doc.push(Paragraph::new("附：1．人民调解协议书一份；2．申请人身份证明或资格证明材料；3．与调解协议相关的财产权利证明等证明材料；4．送达地址、联系方式确认书；5．授权委托书（委托他人代为申请时）。").no_indent());
    doc.push(party_signatures(file, "（签名盖章或按指印）").date(a.jc_applied_on.map_or(DateLine::Blank, |d| DateLine::Printed(date(Some(d))))));
    doc
}
