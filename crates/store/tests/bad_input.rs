//! Bad input is refused with a clear Chinese message naming the field, and writes nothing:
//! no record, no change-log entry, no audit entry.

mod common;

use common::*;
use fengqiao_model::*;
use fengqiao_store::*;
use uuid::Uuid;

/// Everything the store holds, as counts: every record table, the change log, the audit log.
fn footprint(store: &Store) -> Vec<i64> {
    let mut counts: Vec<i64> =
        Kind::ALL.iter().map(|k| store.connection().query_row(&format!("SELECT count(*) FROM {}", k.code()), [], |r| r.get(0)).unwrap()).collect();
    let (c, a) = store.log_counts().unwrap();
    counts.extend([c, a]);
    counts
}

/// Runs `attempt`, which must fail with a message containing every `expect` fragment, and
/// checks that the store is unchanged.
fn refused<T: std::fmt::Debug>(f: &mut Fixture, attempt: impl FnOnce(&mut Store) -> Result<T>, expect: &[&str]) -> StoreError {
    let before = footprint(&f.store);
    let err = attempt(&mut f.store).expect_err("bad input must be refused");
    let msg = err.to_string();
    for e in expect {
        assert!(msg.contains(e), "message «{msg}» should contain «{e}»");
    }
    assert_eq!(footprint(&f.store), before, "nothing may be written when «{msg}»");
    err
}

fn valid_id() -> String {
    id_number("350502", "19800101", "011")
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", fengqiao_model::id_number::check_character(first17).unwrap())
}

#[test]
fn id_numbers() {
    let mut f = fixture();
    let mut wrong_check = valid_id();
    wrong_check.pop();
    wrong_check.push(if valid_id().ends_with('1') { '2' } else { '1' });
    refused(&mut f, |s| s.save(person("张三", Some(wrong_check))), &["公民身份号码", "校验码错误"]);
    refused(&mut f, |s| s.save(person("张三", Some(with_check("35050220240230001")))), &["公民身份号码", "2024年02月30日不存在"]);
    refused(&mut f, |s| s.save(person("张三", Some(with_check("35050220300101001")))), &["晚于今天"]);
    refused(&mut f, |s| s.save(person("张三", Some("35050219800101001".into()))), &["18位", "17位"]);
    refused(&mut f, |s| s.save(person("张三", Some("35050219800101A01X".into()))), &["只能由数字组成", "A"]);
    let mut p = person("张三", Some(valid_id()));
    p.gender = Some(Gender::Female);
    refused(&mut f, |s| s.save(p), &["性别", "与公民身份号码不符"]);
    let mut p = person("张三", Some(valid_id()));
    p.birth_date = Some(date(1980, 1, 2));
    refused(&mut f, |s| s.save(p), &["出生日期", "1980年1月1日"]);
    refused(&mut f, |s| s.save(person("张三", Some("350502198001010011' OR '1'='1".into()))), &["公民身份号码"]);
}

#[test]
fn text_fields() {
    let mut f = fixture();
    let case = |title: &str, summary: String| DisputeCase { title: Some(title.into()), summary: Some(summary), ..Default::default() };
    refused(&mut f, |s| s.save(case("纠纷", "字".repeat(10 * 1024 * 1024))), &["纠纷简要情况", "内容过长"]);
    refused(&mut f, |s| s.save(case("张三\u{7}纠纷", "情况".into())), &["案由", "控制字符", "U+0007"]);
    refused(&mut f, |s| s.save(case("第一行\n第二行", "情况".into())), &["案由", "换行"]);
    refused(&mut f, |s| s.save(person("张\u{200B}三", None)), &["姓名"]);
    refused(&mut f, |s| s.save(person("Robert'); DROP TABLE person;--", None)), &["姓名", "不能用于名称的字符"]);
    refused(&mut f, |s| s.save(person("张三😀", None)), &["姓名", "😀"]);
    let mut p = person("张三", None);
    p.phone = Some("138abc".into());
    refused(&mut f, |s| s.save(p), &["联系方式", "电话号码格式不正确"]);
    let mut p = person("张三", None);
    p.residence_division_code = Some("3505".into());
    refused(&mut f, |s| s.save(p), &["行政区划代码应为6位、9位或12位数字"]);
}

#[test]
fn sql_looking_text_is_stored_verbatim_and_harmless() {
    let mut f = fixture();
    let nasty = "'; DROP TABLE dispute_case; -- \" OR 1=1; SELECT * FROM person";
    let saved = f.store.save(DisputeCase { title: Some("测试纠纷".into()), summary: Some(nasty.into()), ..Default::default() }).unwrap().record;
    assert_eq!(f.store.require::<DisputeCase>(saved.meta.id).unwrap().summary.as_deref(), Some(nasty));
    let found = f.store.list_disputes(&DisputeFilter { query: Some("DROP TABLE".into()), ..Default::default() }).unwrap();
    assert_eq!(found.total, 1);
    let q = f.store.list_disputes(&DisputeFilter { query: Some("\" OR 1=1 --".into()), ..Default::default() });
    assert!(q.is_ok(), "a query with quotes is a search term, not SQL: {q:?}");
    f.store.integrity_check().unwrap();
}

#[test]
fn dates_and_amounts() {
    let mut f = fixture();
    let case_id = f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    let base = f.store.require::<DisputeCase>(case_id).unwrap();
    let mut c = base.clone();
    c.accepted_on = Some(date(2026, 12, 1));
    refused(&mut f, |s| s.save(c), &["受理日期", "晚于今天"]);
    let mut c = base.clone();
    c.closed_on = Some(date(2026, 11, 1));
    refused(&mut f, |s| s.save(c), &["结案日期", "早于受理日期"]);
    let mut c = base.clone();
    c.amount_cents = Some(-100);
    refused(&mut f, |s| s.save(c), &["涉及金额", "不能为负数"]);
    let round = ScreeningRound {
        unit_name: Some("东山村".into()),
        unit_division_code: Some("350502101201".into()),
        period_type: Some(PeriodType::Monthly),
        period_start: Some(date(2026, 10, 31)),
        period_end: Some(date(2026, 10, 1)),
        screened_on: Some(date(2026, 10, 31)),
        screener_names: vec!["李网格".into()],
        ..Default::default()
    };
    refused(&mut f, |s| s.save(round), &["周期结束", "早于周期开始"]);
    let p = f.store.save(person("周某", Some(valid_id()))).unwrap().record;
    let released = ReleasedPerson {
        person_id: Some(p.meta.id),
        released_on: Some(date(2025, 3, 1)),
        help_period_start: Some(date(2025, 3, 1)),
        help_period_end: Some(date(2024, 3, 1)),
        ..Default::default()
    };
    refused(&mut f, |s| s.save(released), &["帮教期结束", "早于帮教期开始"]);
}

#[test]
fn enumerations_and_malformed_import_lines() {
    let mut f = fixture();
    let import = |s: &mut Store, text: &str| s.import(&mut text.as_bytes());
    let err = refused(&mut f, |s| import(s, r#"{"kind":"person","name":"张三","gender":"7"}"#), &["第1行", "gender", "不是有效的性别代码"]);
    assert_eq!(err.code(), "import");
    refused(&mut f, |s| import(s, r#"{"kind":"dispute_case","dispute_type":"quarrel"}"#), &["dispute_type", "“quarrel”不是有效的纠纷类型代码"]);
    refused(&mut f, |s| import(s, r#"{"kind":"spaceship"}"#), &["第1行", "kind", "“spaceship”不存在"]);
    refused(&mut f, |s| import(s, r#"{"kind":"person","name":"张三""#), &["第1行", "不是有效的JSON"]);
    refused(&mut f, |s| import(s, r#"{"kind":"dispute_case","amount_cents":"一百元"}"#), &["amount_cents", "类型不对"]);
    refused(&mut f, |s| import(s, r#"{"kind":"person","name":"张三","nmae":"李四"}"#), &["nmae", "不是本格式的字段名"]);
    refused(&mut f, |s| import(s, r#"{"kind":"person","id":"not-a-uuid","name":"张三"}"#), &["id"]);
    refused(&mut f, |s| import(s, r#"{"kind":"person","birth_date":"2024-02-30","name":"张三","gender":"1"}"#), &["birth_date", "日期"]);
    // One bad line among good ones: nothing is imported, and every bad line is reported.
    let good = r#"{"kind":"person","name":"王五","gender":"1"}"#;
    // Lines that do not parse and lines that fail validation are reported in one go.
    let bad_id = format!(r#"{{"kind":"person","name":"赵六","id_number":"{}"}}"#, &valid_id()[..17].to_string().add_char('0'));
    let text = format!("{good}\n{}\n{good}\n{}\n{bad_id}\n", r#"{"kind":"person","gender":"x"}"#, "garbage");
    let err = refused(&mut f, |s| import(s, &text), &["第2行", "第4行", "第5行 id_number", "校验码错误"]);
    assert!(!err.to_string().contains("第1行"));
}

#[test]
fn workflow_and_cross_record_rules() {
    let mut f = fixture();
    let case_id = f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    refused(&mut f, |s| s.transition_case(case_id, CaseStatus::Closed), &["不能从“登记中”变为“已结案”", "受理"]);
    let mut c = f.store.require::<DisputeCase>(case_id).unwrap();
    c.status = CaseStatus::Mediating;
    refused(&mut f, |s| s.save(c), &["案件状态不能直接改为“调解中”"]);
    // A session on a case that was never accepted (第十七条).
    let session = MediationSession { case_id: Some(case_id), seq: Some(1), ..Default::default() };
    refused(&mut f, |s| s.save(session), &["不能登记调解记录"]);
    // A party pointing at nobody.
    let party = CaseParty { case_id: Some(case_id), person_id: Some(Uuid::now_v7()), role: Some(PartyRole::ThirdParty), ..Default::default() };
    refused(&mut f, |s| s.save(party), &["当事人", "不存在"]);
    // 第二十五条: a high escalation risk must be reported.
    let mut c = f.store.require::<DisputeCase>(case_id).unwrap();
    c.escalation_risk = Some(EscalationRisk::High);
    let c2 = c.clone();
    f.store.save(c).expect("a draft may be incomplete");
    let accepted = refused(&mut f, |s| s.transition_case(case_id, CaseStatus::Accepted), &["已报告公安/有关部门"]);
    assert_eq!(accepted.code(), "refused");
    let _ = c2;
    let mut c = f.store.require::<DisputeCase>(case_id).unwrap();
    c.escalation_risk = Some(EscalationRisk::Low);
    f.store.save(c).unwrap();
    f.store.transition_case(case_id, CaseStatus::Accepted).unwrap();
    f.store.transition_case(case_id, CaseStatus::Mediating).unwrap();
    // 第二十六条: terminating needs the reason and the other routes told.
    refused(&mut f, |s| s.transition_case(case_id, CaseStatus::Terminated), &["终止/不成功原因", "告知的其他途径"]);
    // An agreement without signatures cannot be final; then a second agreement is refused.
    let agreement = Agreement {
        case_id: Some(case_id),
        form: Some(AgreementForm::Written),
        agreement_no: Some("（2026）东山调字第1号".into()),
        facts: Some("双方因通行发生争执。".into()),
        terms: vec!["甲方拆除围墙。".into()],
        performance_method: Some("一次性履行".into()),
        copies: Some(3),
        signed_on: Some(date(2026, 11, 10)),
        performance_status: Some(PerformanceStatus::InProgress),
        ..Default::default()
    };
    refused(&mut f, |s| s.save(agreement.clone()), &["签署清单", "加盖调委会印章"]);
    let mut zero = agreement.clone();
    zero.copies = Some(0);
    refused(&mut f, |s| s.save(zero), &["份数"]);
    refused(&mut f, |s| s.transition_case(case_id, CaseStatus::AgreementReached), &["尚无定稿的调解记录", "尚未登记调解协议"]);
    let mut draft = agreement.clone();
    draft.meta.draft = true;
    f.store.save(draft).unwrap();
    refused(&mut f, |s| s.save(agreement), &["已有调解协议"]);
    // An accepted case cannot be deleted.
    refused(&mut f, |s| s.delete::<DisputeCase>(case_id), &["不能删除"]);
}

#[test]
fn zero_reports_and_released_persons() {
    let mut f = fixture();
    let round = f
        .store
        .save(ScreeningRound {
            unit_name: Some("东山村".into()),
            unit_division_code: Some("350502101201".into()),
            period_type: Some(PeriodType::Monthly),
            period_start: Some(date(2026, 10, 1)),
            period_end: Some(date(2026, 10, 31)),
            screened_on: Some(date(2026, 10, 30)),
            screener_names: vec!["李网格".into()],
            ..Default::default()
        })
        .unwrap()
        .record;
    let item = ScreeningItem {
        round_id: Some(round.meta.id),
        found_on: Some(date(2026, 10, 30)),
        party_summary: Some("张三、李四".into()),
        dispute_type: Some(DisputeType::Neighborhood),
        people_involved: Some(2),
        summary: Some("排水沟堵塞引发争执".into()),
        risk_level: Some(RiskLevel::General),
        disposition: Some(Disposition::MediateOnSpot),
        status: Some(ItemStatus::Open),
        ..Default::default()
    };
    f.store.save(item.clone()).unwrap();
    let mut zero = f.store.require::<ScreeningRound>(round.meta.id).unwrap();
    zero.zero_report = true;
    refused(&mut f, |s| s.save(zero), &["零报告", "已登记1条矛盾纠纷"]);
    let empty = f
        .store
        .save(ScreeningRound {
            zero_report: true,
            period_start: Some(date(2026, 9, 1)),
            period_end: Some(date(2026, 9, 30)),
            screened_on: Some(date(2026, 9, 30)),
            ..round.clone().without_id()
        })
        .unwrap()
        .record;
    assert_eq!(empty.statement.as_deref(), Some(ZERO_REPORT_STATEMENT));
    refused(&mut f, |s| s.save(ScreeningItem { round_id: Some(empty.meta.id), ..item }), &["已报零报告"]);
    let nobody = f.store.save(person("无证人", None)).unwrap().record;
    let released = ReleasedPerson {
        person_id: Some(nobody.meta.id),
        is_recidivist: Some(false),
        crime_name: Some("盗窃罪".into()),
        sentence_term: Some("有期徒刑2年".into()),
        prison_name: Some("某某监狱".into()),
        released_on: Some(date(2026, 5, 1)),
        release_type: Some(ReleaseType::SentenceServed),
        assessment_type: Some(AssessmentType::General),
        ..Default::default()
    };
    refused(&mut f, |s| s.save(released), &["安置帮教对象必须登记公民身份号码"]);
    let group = HelpGroup {
        released_person_id: Some(Uuid::now_v7()),
        formed_on: Some(date(2026, 5, 3)),
        members: vec![HelpGroupMember { name: Some("刘干部".into()), role: Some(HelpGroupRole::VillageCadre), ..Default::default() }],
        ..Default::default()
    };
    refused(&mut f, |s| s.save(group), &["须指定一名组长", "帮教对象"]);
}

trait WithoutId {
    fn without_id(self) -> Self;
}
impl WithoutId for ScreeningRound {
    fn without_id(mut self) -> Self {
        self.meta = Meta::default();
        self
    }
}

#[test]
fn rare_characters_round_trip_exactly() {
    let mut f = fixture();
    let names = ["𠮷野", "王䶮", "李堃", "阿依古丽·买买提"];
    let mut ids = Vec::new();
    for n in names {
        let mut p = person(n, None);
        p.note = Some(format!("{n}说：好的👍，谢谢🙏"));
        ids.push(f.store.save(p).unwrap().record.meta.id);
    }
    let mut out = Vec::new();
    f.store.export(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for (n, id) in names.iter().zip(&ids) {
        let p = f.store.require::<Person>(*id).unwrap();
        assert_eq!(p.name.as_deref(), Some(*n));
        assert_eq!(p.note.as_deref(), Some(format!("{n}说：好的👍，谢谢🙏").as_str()));
        assert!(text.contains(n));
    }
    let found = f.store.list_disputes(&DisputeFilter::default()).unwrap();
    assert_eq!(found.total, 0);
}

trait AddChar {
    fn add_char(self, c: char) -> String;
}
impl AddChar for String {
    fn add_char(mut self, c: char) -> String {
        if self.len() == 17 && valid_id().ends_with(c) {
            self.push('9');
        } else {
            self.push(c);
        }
        self
    }
}
