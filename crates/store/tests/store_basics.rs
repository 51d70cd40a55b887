mod common;

use common::*;
use fengqiao_model::*;
use fengqiao_store::*;

#[test]
fn save_writes_record_change_and_audit_together() {
    let mut f = fixture();
    let (changes0, audits0) = f.store.log_counts().unwrap();
    let saved = f.store.save(person("张伟", None)).unwrap().record;
    assert_eq!(saved.meta.version, 1);
    assert_eq!(saved.meta.created_by, "测试员");
    assert_eq!(f.store.log_counts().unwrap(), (changes0 + 1, audits0 + 1));
    let mut edited = saved.clone();
    edited.phone = Some("13800000000".into());
    let edited = f.store.save(edited).unwrap().record;
    assert_eq!(edited.meta.version, 2);
    let history = f.store.history(Kind::Person, saved.meta.id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].changed_fields, vec!["phone".to_string()]);
    // A stale version is refused and changes nothing.
    let err = f.store.save(saved).unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(f.store.log_counts().unwrap(), (changes0 + 2, audits0 + 2));
}

#[test]
fn search_finds_two_character_names_ids_and_words() {
    let mut f = fixture();
    let case = f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    f.case_with_parties("赵强与钱芳宅基地纠纷", "赵强", "钱芳");
    let find = |store: &Store, q: &str| store.list_disputes(&DisputeFilter { query: Some(q.into()), ..Default::default() }).unwrap().rows;
    assert_eq!(find(&f.store, "张伟").len(), 1);
    assert_eq!(find(&f.store, "张伟")[0].case.meta.id, case);
    assert_eq!(find(&f.store, "伟").len(), 1);
    assert_eq!(find(&f.store, "相邻通行纠纷").len(), 1);
    assert_eq!(find(&f.store, "宅基地").len(), 1);
    assert_eq!(find(&f.store, "纠纷").len(), 0, "two-character words outside names are not indexed");
    let id = id_number("350502", "19800101", "011");
    assert_eq!(find(&f.store, &id).len(), 2);
    assert_eq!(find(&f.store, "张伟 李娜").len(), 1);
    assert_eq!(find(&f.store, "王五").len(), 0);
}

#[test]
fn workflow_allocates_numbers_and_refuses_illegal_steps() {
    let mut f = fixture();
    let case = f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    let err = f.store.transition_case(case, CaseStatus::Closed).unwrap_err();
    assert!(err.to_string().contains("当前只能变为"), "{err}");
    let accepted = f.store.transition_case(case, CaseStatus::Accepted).unwrap();
    assert_eq!(accepted.case_no.as_deref(), Some("（2026）东山调字第1号"));
    let second = f.case_with_parties("赵强与钱芳宅基地纠纷", "赵强", "钱芳");
    f.store.void_case_number("（2026）东山调字第1号", "登记错误").unwrap();
    let accepted2 = f.store.transition_case(second, CaseStatus::Accepted).unwrap();
    assert_eq!(accepted2.case_no.as_deref(), Some("（2026）东山调字第2号"), "voided numbers are not reused");
    // Direct status edits are refused.
    let mut c = f.store.require::<DisputeCase>(case).unwrap();
    c.status = CaseStatus::Archived;
    assert_eq!(f.store.save(c).unwrap_err().code(), "rule");
}

#[test]
fn parties_are_listed_jia_before_yi() {
    let mut f = fixture();
    // 乙 (U+4E59) sorts before 甲 (U+7532) by code point; the ledger must not.
    let case = f.case_with_parties("张伟与李娜相邻通行纠纷", "张伟", "李娜");
    let rows = f.store.list_disputes(&DisputeFilter::default()).unwrap().rows;
    assert_eq!(rows[0].party_names, "张伟、李娜");
    let file = f.store.case_file(case).unwrap();
    assert_eq!(file.parties[0].party.side.as_deref(), Some("甲"));
}
