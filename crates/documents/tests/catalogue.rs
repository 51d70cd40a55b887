//! The catalogue: each form from model values, and the bound case file with real page numbers.

mod common;

use common::{fixture, *};
use fengqiao_documents::catalogue::*;
use fengqiao_documents::{layout, render, Document, FontSet};
use fengqiao_model::{AgreementForm, LegalEntity, PartyEntry};

fn text_of(doc: &Document) -> String {
    let l = layout(doc, FontSet::shared_default()).unwrap();
    l.pages.iter().flat_map(|p| p.lines()).collect::<Vec<_>>().join("\n")
}

/// `needles` appear in this order in the document's text.
fn assert_in_order(doc: &Document, needles: &[&str]) {
    let t = squash(&text_of(doc));
    let mut at = 0;
    for n in needles {
        let n = squash(n);
        match t[at..].find(&n) {
            Some(i) => at += i + n.len(),
            None => panic!("“{n}” missing or out of order in 《{}》:\n{t}", doc.title),
        }
    }
}

#[test]
fn application_fields_in_order() {
    let fx = fixture::fixture();
    let doc = application(&fx.file, &fx.refs());
    assert_in_order(
        &doc,
        &[
            // Side labels span three rows and sit mid-block, so they are not in this sequence.
            "人民调解申请书",
            "姓名",
            "张𠮷祥",
            "性别",
            "男",
            "民族",
            "汉族",
            "年龄",
            "52岁",
            "职业或职务",
            "农民",
            "联系方式",
            "13800001234",
            "单位或住址",
            "城关镇东街村三组45号",
            "李秀英",
            "被申请人",
            "纠纷简要情况陈述",
            "当事人申请事项",
            "1．请求调解李秀英恢复排水沟原状",
            "2．请求调解李秀英赔偿",
            "城关镇东街村人民调解委员会已将申请人民调解的相关规定告知我，现自愿申请人民调解委员会进行调解。",
            "申请人（签名盖章或按指印）",
            "2024年5月6日",
        ],
    );
}

#[test]
fn intake_register_fields_in_order() {
    let fx = fixture::fixture();
    let doc = intake_register(&fx.file, &fx.refs());
    assert_in_order(
        &doc,
        &[
            "人民调解受理登记表",
            "此表由人民调解委员会填写",
            "2024年5月6日，本人民调解委员会经当事人同意，调解张𠮷祥、李秀英之间的纠纷。",
            "纠纷类型",
            "邻里纠纷",
            "案件来源",
            "■当事人申请",
            "□人民调解委员会主动调解",
            "纠纷简要情况",
            "当事人（签名）",
            "登记人（签名）",
            "城关镇东街村人民调解委员会（印章）",
            "2024年5月6日",
        ],
    );
}

#[test]
fn rights_notice_lists_rights_duties_and_signatures() {
    let fx = fixture::fixture();
    let doc = rights_notice(&fx.file, &fx.refs());
    assert_in_order(
        &doc,
        &[
            "人民调解当事人权利义务告知书",
            "当事人：张𠮷祥、李秀英",
            "不收取任何费用",
            "享有下列权利",
            "选择或者接受人民调解员",
            "接受调解、拒绝调解或者要求终止调解",
            "要求调解公开进行或者不公开进行",
            "自主表达意愿、自愿达成调解协议",
            "履行下列义务",
            "如实陈述纠纷事实",
            "遵守调解现场秩序，尊重人民调解员",
            "尊重对方当事人行使权利",
            "具有法律约束力",
            "以上内容已告知，本人已知悉。",
            "申请人（签名）",
            "被申请人（签名）",
        ],
    );
}

#[test]
fn investigation_and_session_records() {
    let fx = fixture::fixture();
    let (f, refs) = (&fx.file, fx.refs());
    assert_in_order(
        &investigation(f, &f.investigations[0], &refs),
        &[
            "人民调解调查记录",
            "时间",
            "2024年5月7日9时00分至10时30分",
            "地点",
            "被调查人",
            "周德福",
            "与本案关系",
            "知情人",
            "调查人",
            "王建国、赵秀兰",
            "记录人",
            "陈明",
            "参加人",
            "记录：",
            "问：这条排水沟是谁修的？",
            "调查人（签名）",
            "被调查人（签名盖章或按指印）",
            "记录人（签名）",
            "2024年5月7日",
        ],
    );
    assert_in_order(
        &session(f, &f.sessions[0], &refs),
        &[
            "人民调解记录",
            "时间",
            "2024年5月10日14时30分",
            "地点",
            "事由",
            "排水沟改向致农田受淹",
            "当事人",
            "张𠮷祥（甲方）、李秀英（乙方）",
            "参加人",
            "周德福（东街村三组、村民小组长）",
            "人民调解员",
            "记录人",
            "权利义务告知",
            "已告知",
            "记录：",
            "调解结果：达成协议",
            "甲方（签名盖章或按指印）",
            "乙方（签名盖章或按指印）",
            "人民调解员（签名）",
            "记录人（签名）",
        ],
    );
}

#[test]
fn agreement_layout_follows_article_29() {
    let fx = fixture::fixture();
    let (f, refs) = (&fx.file, fx.refs());
    let a = f.agreement.as_ref().unwrap();
    let doc = agreement(f, a, &refs);
    assert_in_order(
        &doc,
        &[
            "人民调解协议书",
            "编号：（2024）城东调字第12号",
            "张𠮷祥",
            "甲方",
            "李秀英",
            "乙方",
            "纠纷主要事实、争议事项",
            "应承担主要责任",
            "经调解，自愿达成如下协议：",
            "1．乙方于2024年5月20日前",
            "2．乙方一次性补偿",
            "3．双方今后",
            "履行方式、时限",
            "于2024年5月20日前履行完毕",
            "本协议一式三份，当事人、人民调解委员会各持一份。",
            "甲方（签名盖章或按指印）",
            "乙方（签名盖章或按指印）",
            "人民调解员（签名）",
            "记录人（签名）",
            "城关镇东街村人民调解委员会（印章）",
            "2024年5月10日",
        ],
    );
    // The signatures and the seal share a page with the end of the text they sign.
    let l = layout(&doc, FontSet::shared_default()).unwrap();
    let last = l.pages.last().unwrap().lines();
    assert!(!last[0].contains("签名"), "{last:?}");
    assert!(last.iter().any(|t| t.contains("（印章）")));

    let oral = oral_agreement(f, a, &refs);
    assert_in_order(
        &oral,
        &[
            "人民调解口头协议登记表",
            "编号：",
            "甲方",
            "乙方",
            "纠纷简要情况",
            "1．乙方",
            "协议内容",
            "3．双方",
            "甲方（签名盖章或按指印）",
            "人民调解员（签名）",
            "登记人（签名）",
            "人民调解委员会（印章）",
        ],
    );
}

#[test]
fn return_visit_and_judicial_confirmation() {
    let fx = fixture::fixture();
    let (f, refs) = (&fx.file, fx.refs());
    assert_in_order(
        &return_visit(f, &f.return_visits[0], &refs),
        &[
            "人民调解回访记录",
            "当事人",
            "张𠮷祥",
            "调解协议编号",
            "（2024）城东调字第12号",
            "回访事由",
            "张𠮷祥与李秀英排水沟纠纷",
            "协议履行情况：已履行完毕",
            "回访情况",
            "回访人（签名）",
            "回访时间",
            "2024年6月18日10时00分",
        ],
    );
    let a = f.agreement.as_ref().unwrap();
    assert_in_order(
        &judicial_confirmation_application(f, a, &refs),
        &[
            "司法确认申请书",
            "张𠮷祥",
            "申请人",
            "李秀英",
            "申请人",
            "请求事项",
            "请求某某县人民法院依法确认",
            "事实与理由",
            "1．乙方于",
            "申请人保证",
            "此致",
            "某某县人民法院",
            "附：",
            "甲方（签名盖章或按指印）",
            "2024年5月15日",
        ],
    );
    // The unit variant: a party that is a unit gets 名称/法定代表人/住所地 and signs by seal.
    let mut file = f.clone();
    file.parties[1] = PartyEntry {
        party: file.parties[1].party.clone(),
        person: None,
        entity: Some(LegalEntity {
            name: Some("某某建筑有限公司".into()),
            legal_rep: Some("刘强".into()),
            address: Some("某某县工业园区8号".into()),
            ..LegalEntity::default()
        }),
    };
    assert_in_order(
        &judicial_confirmation_application(&file, a, &refs),
        &["名称", "某某建筑有限公司", "法定代表人", "刘强", "住所地", "乙方（盖章）", "法定代表人（签名）"],
    );
}

#[test]
fn forms_without_data_print_blanks_not_errors() {
    let file = fengqiao_model::CaseFile::default();
    let refs = Refs::default();
    let a = fengqiao_model::Agreement { form: Some(AgreementForm::Written), ..Default::default() };
    for doc in [
        cover(&file, &refs),
        application(&file, &refs),
        intake_register(&file, &refs),
        rights_notice(&file, &refs),
        agreement(&file, &a, &refs),
        oral_agreement(&file, &a, &refs),
        judicial_confirmation_application(&file, &a, &refs),
    ] {
        render(&doc, FontSet::shared_default()).unwrap_or_else(|e| panic!("{}: {e}", doc.title));
    }
    assert_in_order(&cover(&file, &refs), &["人民调解委员会", "调　解　卷　宗", "卷　　号", "（　　）人调字第　　号"]);
}

#[test]
fn case_file_contents_carry_real_page_numbers() {
    let fx = fixture::fixture();
    let bound = case_file(&fx.file, &fx.refs(), FontSet::shared_default()).unwrap();
    let names: Vec<&str> = bound.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "卷宗封面",
            "卷内目录",
            "人民调解申请书",
            "人民调解当事人权利义务告知书",
            "人民调解调查记录（周德福）",
            "人民调解记录",
            "人民调解协议书",
            "人民调解回访记录",
            "司法确认申请书",
            "卷宗情况说明",
            "封底",
        ]
    );
    assert_eq!(bound.parts[2].first_number, Some(1), "numbering starts after the contents");
    assert_eq!(bound.sheets, bound.parts.iter().map(|p| p.pages).sum::<usize>());

    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "case.pdf", &bound.pdf);
    assert_eq!(page_count(&path), bound.sheets);
    let sheet = |n: usize| {
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", "-f", &n.to_string(), "-l", &n.to_string()])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        squash(&String::from_utf8(out.stdout).unwrap())
    };
    let toc = sheet(bound.parts[1].first_sheet);
    assert!(toc.starts_with("卷内目录序号文书名称页号备注"), "{toc}");
    for p in bound.parts.iter().filter(|p| p.first_number.is_some()) {
        // The contents line: 序号, name, page range …
        let line = format!("{}{}", p.name, p.page_range());
        assert!(toc.contains(&line), "contents lacks {line}: {toc}");
        // … and that page really starts the document and carries that number.
        let first = sheet(p.first_sheet);
        let title = p.name.split('（').next().unwrap();
        assert!(first.starts_with(title), "sheet {} should start {title}: {first}", p.first_sheet);
        assert!(first.ends_with(&format!("—{}—", p.first_number.unwrap())), "{first}");
    }
    assert!(toc.contains("当事人身份证明纸质材料"), "paper attachment listed: {toc}");
    assert!(!sheet(1).contains('—'), "the cover has no page number");
    let notes = sheet(bound.parts[9].first_sheet);
    let total: usize = bound.parts.iter().filter(|p| p.first_number.is_some()).map(|p| p.pages).sum();
    assert!(notes.contains(&format!("共{total}页")), "{notes}");
}

/// `needles` appear in this order in what the document says (cell by cell, before layout:
/// a table's wrapped cells interleave on the page).
fn assert_texts_in_order(doc: &Document, needles: &[&str]) {
    let t = squash(&doc.texts().concat());
    let mut at = 0;
    for n in needles {
        let n = squash(n);
        match t[at..].find(&n) {
            Some(i) => at += i + n.len(),
            None => panic!("“{n}” missing or out of order in 《{}》:\n{}", doc.title, &t[at..]),
        }
    }
}

fn period_2024() -> Period {
    Period { from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), to: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap() }
}

#[test]
fn dispute_ledger_one_row_per_case() {
    let fx = fixture::fixture();
    let office = fixture::office();
    let refs = Refs { office: Some(&office), organizations: std::slice::from_ref(&fx.committee), ..fx.refs() };
    let doc = dispute_ledger(std::slice::from_ref(&fx.file), period_2024(), &refs);
    assert_eq!(doc.orientation, fengqiao_documents::model::Orientation::Landscape);
    assert_texts_in_order(
        &doc,
        &[
            "人民调解纠纷台账",
            "填报单位",
            "城关镇司法所",
            "受理期间：2024年1月1日至2024年12月31日",
            "序号",
            "编号",
            "受理日期",
            "当事人",
            "纠纷类型",
            "案件来源",
            "纠纷简要情况",
            "调委会",
            "调解员",
            "调解结果",
            "协议金额（元）",
            "结案日期",
            "履行情况",
            "（2024）城东调字第12号",
            "2024.5.6",
            "张𠮷祥、李秀英",
            "邻里纠纷",
            "依申请调解",
            "2024年3月，李秀英在自家宅基地上建房时",
            "东街村",
            "王建国、赵秀兰",
            "调解成功（书面协议）",
            "2024.6.20",
            "已履行完毕",
            "本期受理纠纷1件，已结1件，其中调解成功1件（调解成功率100.0%）",
            "填表人（签名）",
            "负责人（签名）",
        ],
    );
    let empty = dispute_ledger(&[], period_2024(), &refs);
    assert_texts_in_order(&empty, &["序号", "本期未受理纠纷案件", "本期受理纠纷0件"]);
}

#[test]
fn screening_ledger_and_zero_report() {
    let office = fixture::office();
    let refs = Refs { office: Some(&office), ..Refs::default() };
    let rounds = fixture::rounds();
    let doc = screening_ledger(&rounds, period_2024(), &refs);
    assert_texts_in_order(
        &doc,
        &[
            "矛盾纠纷排查登记台账",
            "城关镇司法所",
            "序号",
            "排查日期",
            "排查单位",
            "排查人",
            "发现地点",
            "当事人",
            "纠纷类型",
            "涉及人数",
            "纠纷简要情况",
            "风险等级",
            "处置措施",
            "责任人",
            "化解时限",
            "化解结果",
            "备注",
            "1",
            "2024.10.13",
            "城关镇",
            "肖琴丹",
            "城关镇石鼓村",
            "王娜芳、曾坤宗",
            "房屋宅基地纠纷",
            "2",
            "王娜芳与曾坤宗系石鼓村村民",
            "一般",
            "就地调解",
            "杨德",
            "2024.11.2",
            "已化解",
            "2024.10.17",
            "2024.10.30",
            "黄鹏、钟欣丽",
            "山林土地纠纷",
            "化解中",
            "本期共排查2次，其中零报告1次；登记矛盾纠纷2件，涉及4人，其中化解中1件、已化解1件。",
        ],
    );
    let zero = zero_report(&rounds[1], &refs);
    assert_texts_in_order(
        &zero,
        &[
            "矛盾纠纷排查零报告",
            "报告单位",
            "田中央村",
            "排查周期",
            "每半月",
            "排查期间",
            "2024年10月16日至2024年10月31日",
            "排查日期",
            "2024年10月31日",
            "排查方式",
            "入户走访、网格巡查",
            "排查人",
            "郑文华、陈丽",
            "排查情况",
            "本期未发现矛盾纠纷。特此报告。",
            "主要负责人",
            "郑文华",
            "负责人签字",
            "签字日期",
            "报送日期",
            "2024年11月1日",
            "报送单位",
            "城关镇司法所",
            "田中央村",
        ],
    );
    let l = layout(&zero, FontSet::shared_default()).unwrap();
    assert_eq!(l.pages.len(), 1, "a zero report is one page");
}

#[test]
fn statistics_table_has_every_column_and_row() {
    use fengqiao_model::{CommitteeType, DisputeType, ReferralType};
    let t = fixture::statistics();
    let doc = statistics_table(&t);
    let text = squash(&doc.texts().concat());
    for label in DisputeType::ALL.iter().map(|d| d.label()).chain([
        "劳动争议纠纷",
        "消费纠纷",
        "调解案件总数",
        "涉及当事人数",
        "调解成功",
        "疑难复杂案件",
        "协议涉及金额",
        "万元",
        "主动调解",
        "依申请调解",
        "接受委托移送调解",
        "小计",
        "口头协议",
        "书面协议",
        "排查纠纷（次）",
        "预防纠纷（件）",
        "防止民间纠纷引起自杀",
        "防止民间纠纷转化为刑事案件",
        "防止群体性上访",
        "防止群体性械斗",
        "下级上报总计",
        "本级上报总计",
        "城关镇东街村人民调解委员会",
        "填报单位（盖章）：城关镇司法所",
        "统计期间：2024年1月1日至2024年12月31日",
        "单位负责人",
        "数据核对：案件来源合计等于调解案件总数，均一致。",
    ]) {
        assert!(text.contains(label), "{label} missing");
    }
    for c in CommitteeType::ALL {
        assert!(text.contains(c.label().trim_end_matches("调委会")), "{c:?}");
    }
    for r in ReferralType::ALL {
        assert!(text.contains(r.label()), "{r:?}");
    }
    let l = layout(&doc, FontSet::shared_default()).unwrap();
    assert_eq!(l.pages.len(), 3, "three parts, one page each");
    // Every part lists every unit and both totals, each once.
    for page in &l.pages {
        let p = squash(&page.lines().join(""));
        assert_eq!(p.matches("本级上报总计").count(), 1);
        assert_eq!(p.matches("城关镇人民调解委员会").count(), 1);
    }
    // Row 本级上报总计 of part one: 21 cases, 44 parties, 19 successes, 2 difficult, 21.00.
    let first = squash(&l.pages[0].lines().join("|"));
    assert!(first.contains("本级上报总计|21|44|19|2|21.00|12|0|9"), "{first}");
    let mut failing = t.clone();
    failing.checks[0].ok = false;
    failing.checks[0].detail = "案件来源合计20，调解案件总数21".into();
    assert_texts_in_order(&statistics_table(&failing), &["数据核对未通过", "案件来源合计20，调解案件总数21"]);
}

#[test]
fn released_person_forms() {
    let office = fixture::office();
    let refs = Refs { office: Some(&office), ..Refs::default() };
    let r = fixture::released();
    let reg = released_register(&r, &refs);
    assert_texts_in_order(
        &reg,
        &[
            "刑满释放人员基本情况登记表",
            "姓名",
            "黄少祥",
            "性别",
            "男",
            "民族",
            "汉族",
            "照片",
            "出生日期",
            "1992年7月24日",
            "公民身份号码",
            "350503199207242136",
            "文化程度",
            "普通高中",
            "婚姻状况",
            "已婚",
            "联系方式",
            "15023343105",
            "户籍地",
            "城关镇岭兜村9组9号",
            "原罪名",
            "危险驾驶罪",
            "罪名类别",
            "危害公共安全罪",
            "原判刑期",
            "拘役5个月",
            "是否累犯",
            "否",
            "服刑场所",
            "某某市看守所",
            "释放类型",
            "刑满释放",
            "释放日期",
            "2024年4月11日",
            "帮教类别",
            "一般帮教人员",
            "必接必送",
            "否",
            "收到通知书",
            "2024年3月12日",
            "衔接情况",
            "司法所接回",
            "户籍报到",
            "2024年4月14日",
            "安置情况",
            "公益性岗位安置",
            "救助帮扶",
            "技能培训",
            "帮教期",
            "2024年4月11日至2029年4月10日",
            "在册帮教",
            "帮教小组",
            "李永建（组长，岭兜村委会",
            "填表人",
            "填表日期",
            "2024年4月13日",
            "城关镇司法所（印章）",
        ],
    );
    let fonts = FontSet::shared_default();
    assert_eq!(layout(&reg, fonts).unwrap().pages.len(), 1, "登记表 is one sheet");

    let agreement = help_agreement(&r, &refs);
    assert_texts_in_order(
        &agreement,
        &[
            "刑满释放人员帮教协议书",
            "甲方：城关镇司法所",
            "乙方：李永建、林福旺",
            "丙方：黄建",
            "丁方：黄少祥",
            "350503199207242136",
            "四方协商一致",
            "甲方职责",
            "每季度至少对丁方走访",
            "乙方职责",
            "丙方职责",
            "丁方义务",
            "帮教期限",
            "2024年4月11日至2029年4月10日",
            "其他",
            "本协议一式四份",
            "甲方（盖章）",
            "乙方（签名）",
            "丙方（签名）",
            "丁方（签名）",
            "2024年4月13日",
        ],
    );

    let record = help_record(&r, r.help_visits.first(), &refs);
    assert_texts_in_order(
        &record,
        &[
            "刑满释放人员帮教记录",
            "帮教对象",
            "黄少祥",
            "帮教时间",
            "2024年4月18日9时30分",
            "帮教方式",
            "走访",
            "帮教地点",
            "本人家中",
            "帮教人",
            "洪建宗、李永建",
            "帮教内容",
            "思想、就业",
            "帮教情况",
            "认罪悔罪",
            "存在问题",
            "暂无稳定工作",
            "帮扶措施",
            "公益性岗位",
            "异常情况",
            "无",
            "下次帮教",
            "2024年10月15日",
            "帮教人（签名）",
            "帮教对象（签名）",
        ],
    );
    assert_eq!(layout(&record, fonts).unwrap().pages.len(), 1);

    let sheet = handover_sheet(&r, &refs);
    assert_texts_in_order(
        &sheet,
        &[
            "刑满释放人员衔接工作交接单",
            "某某市看守所：",
            "黄少祥",
            "2024年4月11日",
            "黄建",
            "请予办理交接手续",
            "姓名",
            "公民身份号码",
            "350503199207242136",
            "原罪名",
            "危险驾驶罪",
            "服刑场所",
            "释放日期",
            "衔接方式",
            "司法所接回",
            "接回人",
            "黄建",
            "联系电话",
            "17087695977",
            "司法所经办人",
            "洪建宗",
            "13296637308",
            "监所经办人（签名）",
            "接回人（签名）",
            "监所（盖章）",
            "城关镇司法所",
            "2024年4月11日",
        ],
    );
    assert_eq!(layout(&sheet, fonts).unwrap().pages.len(), 1);

    // A file with nothing filled in prints blanks, not an error.
    let empty = fengqiao_model::ReleasedFile::default();
    for doc in [
        released_register(&empty, &Refs::default()),
        help_agreement(&empty, &Refs::default()),
        help_record(&empty, None, &Refs::default()),
        handover_sheet(&empty, &Refs::default()),
        zero_report(&Default::default(), &Refs::default()),
        screening_ledger(&[], period_2024(), &Refs::default()),
    ] {
        render(&doc, fonts).unwrap_or_else(|e| panic!("{}: {e}", doc.title));
    }
}
