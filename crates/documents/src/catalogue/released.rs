//! 安置帮教 (domain.md §1.13, §2.8, §3.6): the 基本情况登记表 of the 一人一档, the four-party
//! 帮教协议书, the 帮教记录 of one visit, and the 衔接工作交接单 the family takes to the prison.

use fengqiao_model::{AssessmentType, HandoverStatus, HelpGroupMember, HelpGroupRole, HelpVisit, Person, ReleasedFile};

use super::*;
use crate::model::size;

fn person(file: &ReleasedFile) -> Person {
    file.person.clone().unwrap_or_default()
}

fn members(file: &ReleasedFile, role: HelpGroupRole) -> Vec<&HelpGroupMember> {
    file.help_group.iter().flat_map(|g| g.members.iter()).filter(|m| m.role == Some(role)).collect()
}

fn names(ms: &[&HelpGroupMember]) -> String {
    join(ms.iter().map(|m| opt(&m.name)))
}

fn office_or_blank(refs: &Refs) -> Vec<Inline> {
    match refs.office_name() {
        Some(n) => vec![text(n)],
        None => vec![field("", 6), text("司法所")],
    }
}

fn office_text(refs: &Refs) -> String {
    refs.office_name().map(str::to_string).unwrap_or_else(|| "＿＿＿＿司法所".into())
}

fn help_period(file: &ReleasedFile) -> String {
    let r = &file.released;
    match (r.help_period_start, r.help_period_end) {
        (None, None) => String::new(),
        (a, b) => format!("{}至{}", date(a), date(b)),
    }
}

/// "李永建（组长，岭兜村委会，村(居)委会干部，17057960431）".
fn member_line(m: &HelpGroupMember) -> String {
    let mut about = Vec::new();
    if m.is_leader {
        about.push("组长".to_string());
    }
    about.extend(m.org.clone().filter(|o| !o.trim().is_empty()));
    about.extend(m.role.map(|r| r.label().to_string()));
    about.extend(m.phone.clone().filter(|p| !p.trim().is_empty()));
    format!("{}（{}）", opt(&m.name), about.join("，"))
}

/// 刑满释放人员基本情况登记表: identity, the sentence, the release and handover, placement,
/// the 帮教期 and group; a photo box; filled by the 司法所 within days of the return.
pub fn released_register(file: &ReleasedFile, refs: &Refs) -> Document {
    let r = &file.released;
    let p = person(file);
    let mut doc = Document::portrait("刑满释放人员基本情况登记表");
    let l = Cell::label;
    let v = |s: String| Cell::value(s);
    let row = |cells: Vec<Cell>| Row::new(cells).min_height(8.0);
    let handover = match r.handover_status {
        Some(HandoverStatus::Done) => join([r.handover_method.map(|m| m.label().to_string()).unwrap_or_default()]),
        Some(HandoverStatus::Failed) => format!("未衔接：{}", opt(&r.handover_fail_reason)),
        Some(s) => s.label().to_string(),
        None => String::new(),
    };
    let resettlement = match (r.resettled_on, r.resettlement_method) {
        (Some(_), Some(m)) => m.label().to_string(),
        _ => match opt(&r.unresettled_reason) {
            reason if reason.is_empty() => String::new(),
            reason => format!("未安置：{reason}"),
        },
    };
    let dual = if r.dual_registration {
        let places = join(r.registered_division_codes.iter().cloned());
        if places.is_empty() {
            "是".to_string()
        } else {
            format!("是（列管地：{places}）")
        }
    } else {
        "否".to_string()
    };
    let mut special: Vec<String> = r.flags.iter().map(|f| f.label().to_string()).collect();
    if r.police_key_control {
        special.push("公安重点管控".into());
    }
    match r.reoffended {
        Some(true) => special.push(format!("重新犯罪（{}，{}）", opt(&r.reoffense_crime), date(r.reoffense_on))),
        Some(false) if special.is_empty() => special.push("无".into()),
        _ => {}
    }
    let group = file
        .help_group
        .as_ref()
        .map(|g| {
            let mut ms: Vec<&HelpGroupMember> = g.members.iter().collect();
            ms.sort_by_key(|m| !m.is_leader);
            ms.iter().map(|m| member_line(m)).collect::<Vec<_>>().join("\n")
        })
        .unwrap_or_default();
    let mut notes = opt(&r.help_summary);
    if let Some(d) = r.help_released_on {
        notes = join([notes, format!("{}解除帮教", date(Some(d)))]);
    }
    let label = |o: Option<&'static str>| v(o.unwrap_or_default().to_string());
    // 五号 in cells: the 一人一档 sheet holds the whole file on one page.
    let filled = file.help_group.as_ref().and_then(|g| g.formed_on).or(r.handover_on);
    let g = Grid::new(&[26.0, 30.0, 18.0, 26.0, 18.0, 16.0, 22.0])
        .size(size::WU_HAO)
        .row(row(vec![
            l("姓名"),
            v(opt(&p.name)),
            l("性别"),
            label(p.gender.map(|g| g.label())),
            l("民族"),
            label(p.ethnicity.map(|e| e.label())),
            l("照片").rows(4),
        ]))
        .row(row(vec![l("曾用名"), v(opt(&p.alias)), l("出生日期"), v(date(p.birth_date)).span(3)]))
        .row(row(vec![l("公民身份号码"), v(opt(&p.id_number)).span(3), l("文化程度"), label(p.education.map(|e| e.label()))]))
        .row(row(vec![l("婚姻状况"), label(p.marital_status.map(|m| m.label())), l("联系方式"), v(opt(&p.phone)).span(3)]))
        .row(row(vec![l("户籍地"), v(opt(&p.hukou_address)).span(6)]))
        .row(row(vec![l("现住址"), v(opt(&p.residence_address)).span(6)]))
        .row(row(vec![l("原罪名"), v(opt(&r.crime_name)), l("罪名类别"), label(r.crime_category.map(|c| c.label())).span(4)]))
        .row(row(vec![
            l("原判刑期"),
            v(opt(&r.sentence_term)),
            l("附加刑"),
            v(opt(&r.supplementary_penalty)),
            l("是否累犯"),
            v(yes_no(r.is_recidivist).into()).span(2),
        ]))
        .row(row(vec![l("服刑场所"), v(opt(&r.prison_name)).span(3), l("释放类型"), label(r.release_type.map(|t| t.label())).span(2)]))
        .row(row(vec![
            l("释放日期"),
            v(date(r.released_on)),
            l("帮教类别"),
            label(r.assessment_type.map(|a| a.label())),
            l("必接必送"),
            v(yes_no(r.must_escort).into()).span(2),
        ]))
        .row(row(vec![l("收到通知书"), v(date(r.notice_received_on)), l("发出机关"), v(opt(&r.notice_from)).span(4)]))
        .row(row(vec![l("衔接日期"), v(date(r.handover_on)), l("衔接情况"), v(handover), l("户籍报到"), v(date(r.police_registration_on)).span(2)]))
        .row(row(vec![l("安置日期"), v(date(r.resettled_on)), l("安置情况"), v(resettlement).span(4)]))
        .row(row(vec![l("双列管"), v(dual), l("救助帮扶"), v(join(r.assistance.iter().map(|a| a.label().to_string()))).span(4)]))
        .row(row(vec![l("帮教期"), v(help_period(file)).span(3), l("帮教状态"), label(r.help_status.map(|s| s.label())).span(2)]))
        .row(row(vec![l("特殊情况"), v(special.join("、")).span(6)]))
        .row(row(vec![l("帮教小组"), v(group).span(6).top()]).min_height(20.0))
        .row(row(vec![l("帮教情况"), v(notes).span(6).top()]).min_height(16.0))
        // Who filled it and the office's seal, inside the sheet so it stays one page.
        .row(
            row(vec![
                l("填表人"),
                v(String::new()),
                l("填表日期"),
                v(date(filled)),
                l("填表单位"),
                v(format!("{}（印章）", office_text(refs))).span(2),
            ])
            .min_height(16.0),
        );
    doc.push(g);
    doc
}

/// 刑满释放人员帮教协议书, four parties: 甲方 the 司法所, 乙方 the village's 帮教人员, 丙方 the
/// family, 丁方 the person; each party's duties, the 帮教期, and four signatures.
pub fn help_agreement(file: &ReleasedFile, refs: &Refs) -> Document {
    let r = &file.released;
    let p = person(file);
    let name = opt(&p.name);
    let mut doc = Document::portrait("刑满释放人员帮教协议书");
    doc.body_size = size::SI_HAO;
    let helpers: Vec<&HelpGroupMember> = file
        .help_group
        .iter()
        .flat_map(|g| g.members.iter())
        .filter(|m| !matches!(m.role, Some(HelpGroupRole::JudicialStaff | HelpGroupRole::Family)))
        .collect();
    let family = members(file, HelpGroupRole::Family);
    let party = |label: &str, value: Vec<Inline>, note: &str| {
        let mut c = vec![text(label)];
        c.extend(value);
        if !note.is_empty() {
            c.push(text(note));
        }
        Block::from(Paragraph::runs(c).no_indent())
    };
    doc.push(party("甲方：", office_or_blank(refs), ""));
    doc.push(party("乙方：", vec![field(names(&helpers), 8)], "（村(居)帮教人员）"));
    doc.push(party("丙方：", vec![field(names(&family), 6)], "（帮教对象亲属）"));
    let mut d = vec![field(&name, 4)];
    if let Some(id) = p.id_number.as_deref().filter(|s| !s.is_empty()) {
        d.push(text(format!("（公民身份号码：{id}）")));
    }
    doc.push(party("丁方：", d, ""));
    doc.push(Paragraph::new(format!(
        "为帮助刑满释放人员{name}顺利回归社会，预防和减少重新违法犯罪，根据刑满释放人员安置帮教工作的有关规定，经甲、乙、丙、丁四方协商一致，签订本协议。"
    )));
    let key = r.assessment_type == Some(AssessmentType::Key);
    let how_often = if key { "每月" } else { "每季度" };
    let duties: [(&str, Vec<String>); 4] = [
        (
            "甲方职责",
            vec![
                "建立帮教档案，组建帮教小组，组织、指导乙方和丙方开展帮教工作；".into(),
                format!("{how_often}至少对丁方走访或谈话一次，了解其思想、生活、就业等情况，并做好帮教记录；"),
                "协调有关部门帮助丁方解决就业、生活等方面的实际困难，对符合条件的协助落实救助和安置；".into(),
                "发现丁方有重新违法犯罪倾向的，及时采取措施并通报公安机关。".into(),
            ],
        ),
        (
            "乙方职责",
            vec![
                "经常与丁方谈心，掌握其思想动态和日常表现，每月至少联系一次；".into(),
                "发现丁方有异常情况或失联的，及时报告甲方；".into(),
                "协助丁方解决生活、就业中的困难，引导其参加村(居)公益活动。".into(),
            ],
        ),
        (
            "丙方职责",
            vec![
                "关心丁方生活，做好家庭帮教，营造和睦的家庭环境；".into(),
                "督促丁方遵纪守法，发现异常情况及时报告甲方或乙方；".into(),
                "丁方外出务工、变更住址或联系方式时，及时告知甲方。".into(),
            ],
        ),
        (
            "丁方义务",
            vec![
                "遵守国家法律法规，服从帮教，认真接受帮教小组的教育和帮助；".into(),
                "定期向帮教小组汇报思想、生活和工作情况；".into(),
                "外出务工、变更住址或联系方式的，事先告知甲方或乙方；".into(),
                "积极参加技能培训，自食其力，自觉维护家庭和睦和邻里团结。".into(),
            ],
        ),
    ];
    for (title, items) in duties {
        doc.push(Block::heading(1, title));
        for (i, t) in items.iter().enumerate() {
            doc.push(Paragraph::new(format!("{}．{t}", i + 1)));
        }
    }
    doc.push(Block::heading(1, "帮教期限"));
    let period = help_period(file);
    doc.push(Paragraph::new(if period.is_empty() {
        "自　　年　　月　　日起至　　年　　月　　日止。帮教期满，经评估后解除帮教。".to_string()
    } else {
        format!("{period}。帮教期满，经评估后解除帮教。")
    }));
    doc.push(Block::heading(1, "其他"));
    doc.push(Paragraph::new("本协议一式四份，甲、乙、丙、丁四方各执一份，自四方签字（盖章）之日起生效。"));
    let signed = file.help_group.as_ref().and_then(|g| g.agreement_signed_on);
    doc.push(
        Signatures::new(&["甲方（盖章）", "乙方（签名）", "丙方（签名）", "丁方（签名）"])
            .columns(2)
            .date(signed.map_or(DateLine::Blank, |d| DateLine::Printed(date(Some(d))))),
    );
    doc
}

/// 刑满释放人员帮教记录 of one visit (or a blank one, `None`).
pub fn help_record(file: &ReleasedFile, visit: Option<&HelpVisit>, refs: &Refs) -> Document {
    let r = &file.released;
    let p = person(file);
    let mut doc = Document::portrait("刑满释放人员帮教记录");
    let v = visit.cloned().unwrap_or_default();
    let visitors = join(v.visitor_ids.iter().map(|id| refs.mediator(Some(*id))).chain(v.visitor_names.iter().map(|n| n.trim().to_string())));
    let anomaly = if v.anomaly {
        join(["有".to_string(), opt(&v.anomaly_note)])
    } else if visit.is_some() {
        "无".into()
    } else {
        String::new()
    };
    let four = |a: &str, b: String, c: &str, d: String| row4(a, b, c, d).min_height(10.0);
    let wide = |a: &str, b: String, h: f32| Row::new(vec![Cell::label(a), Cell::value(b).span(3).top()]).min_height(h);
    let g = Grid::new(&[30.0, 48.0, 30.0, 48.0])
        .size(size::XIAO_SI)
        .row(four("帮教对象", opt(&p.name), "危险性评估", r.assessment_type.map(|a| a.label()).unwrap_or_default().into()))
        .row(four("公民身份号码", opt(&p.id_number), "帮教状态", r.help_status.map(|s| s.label()).unwrap_or_default().into()))
        .row(wide("帮教期", help_period(file), 10.0))
        .row(four("帮教时间", time(v.visited_at), "帮教方式", v.visit_type.map(|t| t.label()).unwrap_or_default().into()))
        .row(four("帮教地点", opt(&v.place), "帮教人", visitors))
        .row(wide("帮教内容", join(v.topics.iter().map(|t| t.label().to_string())), 10.0))
        .row(wide("帮教情况", opt(&v.content), 58.0))
        .row(wide("存在问题", opt(&v.problems), 18.0))
        .row(wide("帮扶措施", opt(&v.help_given), 18.0))
        .row(four("异常情况", anomaly, "下次帮教", date(v.next_plan_on)));
    doc.push(g);
    doc.push(Signatures::new(&["帮教人（签名）", "帮教对象（签名）"]).columns(2).date(DateLine::None));
    doc
}

/// 刑满释放人员衔接工作交接单: issued by the 司法所 to the family who collect the person at the
/// prison gate; the prison, the family and the office sign the handover.
pub fn handover_sheet(file: &ReleasedFile, refs: &Refs) -> Document {
    let r = &file.released;
    let p = person(file);
    let mut doc = Document::portrait("刑满释放人员衔接工作交接单");
    let family = members(file, HelpGroupRole::Family);
    let staff = members(file, HelpGroupRole::JudicialStaff);
    let first_phone = |ms: &[&HelpGroupMember]| ms.iter().find_map(|m| m.phone.clone().filter(|p| !p.trim().is_empty())).unwrap_or_default();
    let mut to = vec![field(opt(&r.prison_name), 10), text("：")];
    if r.prison_name.is_some() {
        to = vec![text(format!("{}：", opt(&r.prison_name)))];
    }
    doc.push(Paragraph::runs(to).no_indent().size(size::SI_HAO));
    let mut body = vec![text("你单位在押（服刑）人员")];
    body.push(field(opt(&p.name), 4));
    body.push(text("将于"));
    body.push(field(date(r.released_on), 8));
    body.push(text("刑满释放。经我所与其家属联系，现由"));
    body.push(field(names(&family), 4));
    body.push(text("前来接回，请予办理交接手续。"));
    doc.push(Paragraph::runs(body).size(size::SI_HAO));
    let six = [30.0, 30.0, 22.0, 18.0, 22.0, 34.0];
    let l = Cell::label;
    let v = |s: String| Cell::value(s);
    let row = |cells: Vec<Cell>| Row::new(cells).min_height(10.0);
    let g = Grid::new(&six)
        .size(size::XIAO_SI)
        .row(row(vec![
            l("姓名"),
            v(opt(&p.name)),
            l("性别"),
            v(p.gender.map(|g| g.label()).unwrap_or_default().into()),
            l("出生日期"),
            v(date(p.birth_date)),
        ]))
        .row(row(vec![l("公民身份号码"), v(opt(&p.id_number)).span(3), l("民族"), v(p.ethnicity.map(|e| e.label()).unwrap_or_default().into())]))
        .row(row(vec![l("户籍地"), v(opt(&p.hukou_address)).span(5)]))
        .row(row(vec![l("现住址"), v(opt(&p.residence_address)).span(5)]))
        .row(row(vec![l("原罪名"), v(opt(&r.crime_name)), l("原判刑期"), v(opt(&r.sentence_term)).span(3)]))
        .row(row(vec![l("服刑场所"), v(opt(&r.prison_name)).span(3), l("释放日期"), v(date(r.released_on))]))
        .row(row(vec![
            l("危险性评估"),
            v(r.assessment_type.map(|a| a.label()).unwrap_or_default().into()),
            l("必接必送"),
            v(yes_no(r.must_escort).into()),
            l("衔接方式"),
            v(r.handover_method.map(|m| m.label()).unwrap_or_default().into()),
        ]))
        .row(row(vec![
            l("接回人"),
            v(names(&family)),
            l("关系"),
            v(if family.is_empty() { String::new() } else { "亲属".into() }),
            l("联系电话"),
            v(first_phone(&family)),
        ]))
        .row(row(vec![l("司法所经办人"), v(names(&staff)), l("联系电话"), v(first_phone(&staff)).span(3)]))
        .row(row(vec![l("交接时间"), v(date(r.handover_on)).span(3), l("交接地点"), v(String::new())]))
        // The handover is signed and sealed on the sheet itself, by both sides.
        .row(
            row(vec![l("监所经办人（签名）"), v(String::new()), l("接回人（签名）"), v(String::new()), l("司法所经办人（签名）"), v(String::new())])
                .min_height(18.0),
        )
        .row(
            row(vec![
                l("监所（盖章）"),
                v(String::new()).span(2),
                l("司法所（印章）"),
                Cell::value(format!("{}\n\n{}", office_text(refs), date(r.handover_on))).span(2).align(Align::Center),
            ])
            .min_height(30.0),
        )
        .row(row(vec![l("备注"), v(String::new()).span(5)]).min_height(12.0));
    doc.push(g);
    doc
}
