//! The catalogue: each form from model values, and the bound case file with real page numbers.

mod common;

use common::{fixture, *};
use fengqiao_documents::catalogue::*;
use fengqiao_documents::{layout, render, Document, FontSet};
use fengqiao_model::{AgreementForm, LegalEntity, PartyEntry};

fn text_of(doc: &Document) -> String {
    let l = layout(doc, FontSet::shared_default()).unwrap();
    l.pages
        .iter()
        .flat_map(|p| p.lines())
        .collect::<Vec<_>>()
        .join("\n")
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
            "人民调解申请书", "姓名", "张𠮷祥", "性别", "男", "民族", "汉族", "年龄", "52岁",
            "职业或职务", "农民", "联系方式", "13800001234", "单位或住址", "城关镇东街村三组45号",
            "李秀英", "被申请人", "纠纷简要情况陈述", "当事人申请事项", "1．请求调解李秀英恢复排水沟原状",
            "2．请求调解李秀英赔偿",
            "城关镇东街村人民调解委员会已将申请人民调解的相关规定告知我，现自愿申请人民调解委员会进行调解。",
            "申请人（签名盖章或按指印）", "2024年5月6日",
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
        &[
            "名称",
            "某某建筑有限公司",
            "法定代表人",
            "刘强",
            "住所地",
            "乙方（盖章）",
            "法定代表人（签名）",
        ],
    );
}

#[test]
fn forms_without_data_print_blanks_not_errors() {
    let file = fengqiao_model::CaseFile::default();
    let refs = Refs::default();
    let a = fengqiao_model::Agreement {
        form: Some(AgreementForm::Written),
        ..Default::default()
    };
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
    assert_in_order(
        &cover(&file, &refs),
        &[
            "人民调解委员会",
            "调　解　卷　宗",
            "卷　　号",
            "（　　）人调字第　　号",
        ],
    );
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
    assert_eq!(
        bound.parts[2].first_number,
        Some(1),
        "numbering starts after the contents"
    );
    assert_eq!(
        bound.sheets,
        bound.parts.iter().map(|p| p.pages).sum::<usize>()
    );

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
        assert!(
            first.starts_with(title),
            "sheet {} should start {title}: {first}",
            p.first_sheet
        );
        assert!(
            first.ends_with(&format!("—{}—", p.first_number.unwrap())),
            "{first}"
        );
    }
    assert!(
        toc.contains("当事人身份证明纸质材料"),
        "paper attachment listed: {toc}"
    );
    assert!(!sheet(1).contains('—'), "the cover has no page number");
    let notes = sheet(bound.parts[9].first_sheet);
    let total: usize = bound
        .parts
        .iter()
        .filter(|p| p.first_number.is_some())
        .map(|p| p.pages)
        .sum();
    assert!(notes.contains(&format!("共{total}页")), "{notes}");
}
