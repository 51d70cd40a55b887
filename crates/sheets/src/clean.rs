//! Values as people type them in Excel ledgers, cleaned into the model's values: dates in
//! every local spelling and as Excel serial numbers, ID numbers with full-width digits and
//! spaces, 纠纷类型 and other code lists written as free text.

use chrono::NaiveDate;
use fengqiao_model::*;

use crate::grid::Cell;

/// Full-width digits, letters and punctuation to ASCII; the ideographic space to a space.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// Text of a cell, trimmed; numbers without a trailing ".0".
pub fn text(cell: &Cell) -> Option<String> {
    let s = match cell {
        Cell::Empty => return None,
        Cell::Text(s) => s.trim().to_string(),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Cell::Number(n) => n.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// A person's name: whitespace inside is padding ("张　伟" is 张伟), except between Latin
/// letters (foreign names).
pub fn name(s: &str) -> String {
    let s = half_width(s);
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let prev_latin = out.chars().last().is_some_and(|p| p.is_ascii_alphabetic());
            let next_latin = chars[i..].iter().find(|n| !n.is_whitespace()).is_some_and(|n| n.is_ascii_alphabetic());
            if prev_latin && next_latin && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(*c);
        }
    }
    out
}

/// Splits "张伟、李娜", "张伟与李娜", "张伟,李娜", "张伟 李娜" into names.
pub fn names(s: &str) -> Vec<String> {
    let s = half_width(s);
    let mut parts = vec![s];
    for sep in ["、", ",", "，", ";", "；", "/", "\n", "与", "和", "及", "诉", "vs", "VS", "　"] {
        parts = parts.iter().flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    // Spaces separate names only when each side is a plausible Chinese name.
    let mut out = Vec::new();
    for p in parts {
        let words: Vec<&str> = p.split_whitespace().collect();
        if words.len() > 1 && words.iter().all(|w| (2..=4).contains(&w.chars().count()) && !w.is_ascii()) {
            out.extend(words.iter().map(|w| w.to_string()));
        } else {
            let n = name(&p);
            if !n.is_empty() {
                out.push(n);
            }
        }
    }
    out
}

/// The date of an Excel serial number (1900 date system, with its phantom 1900-02-29).
pub fn excel_serial(n: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    let days = n.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 60 { days + 1 } else { days };
    base.checked_add_signed(chrono::Duration::days(days))
}

fn cn_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九".chars().position(|d| d == c).map(|p| p as u32).or(if c == '零' || c == 'O' || c == 'o' { Some(0) } else { None })
}

/// "二〇二四" → 2024; "十二" → 12; "二十一" → 21.
fn cn_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    if s.contains('十') {
        let (tens, ones) = s.split_once('十')?;
        let t = if tens.is_empty() { 1 } else { cn_digit(tens.chars().next()?)? };
        let o = if ones.is_empty() { 0 } else { cn_digit(ones.chars().next()?)? };
        return Some(t * 10 + o);
    }
    s.chars().try_fold(0u32, |acc, c| Some(acc * 10 + cn_digit(c)?))
}

/// A date as written: `2024-05-06`, `2024/5/6`, `2024.5.6`, `2024年5月6日`, `20240506`,
/// `二〇二四年五月六日`, with or without a time after it; or an Excel serial number.
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Bool(_) => Err("不是日期".into()),
        Cell::Number(n) => {
            let n = *n;
            if n.fract() == 0.0 && (19_000_101.0..=29_991_231.0).contains(&n) {
                return date_text(&format!("{}", n as i64)).map(Some);
            }
            excel_serial(n).map(Some).ok_or_else(|| format!("“{n}”不是日期"))
        }
        Cell::Text(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            date_text(t).map(Some)
        }
    }
}

fn date_text(raw: &str) -> Result<NaiveDate, String> {
    let bad = || format!("“{raw}”不是可识别的日期（可写作2024-05-06、2024.5.6、2024年5月6日、20240506）");
    let s = half_width(raw.trim());
    // Drop a time after the date ("2024-05-06 00:00:00", "2024年5月6日上午").
    let s = s.split([' ', 'T']).next().unwrap_or("").to_string();
    let s = s.trim_end_matches(['日', '号']).to_string();
    let digits_only = s.chars().all(|c| c.is_ascii_digit());
    let (y, m, d) = if digits_only && s.len() == 8 {
        (s[..4].parse().ok(), s[4..6].parse().ok(), s[6..].parse().ok())
    } else if digits_only && !s.is_empty() && s.len() <= 7 {
        // A serial number typed as text.
        return s.parse::<f64>().ok().and_then(excel_serial).ok_or_else(bad);
    } else {
        let unified: String = s.chars().map(|c| if matches!(c, '年' | '月' | '.' | '/' | '-' | '．' | '、') { '-' } else { c }).collect();
        let parts: Vec<&str> = unified.split('-').filter(|p| !p.is_empty()).collect();
        if parts.len() != 3 {
            return Err(bad());
        }
        (cn_number(parts[0]), cn_number(parts[1]), cn_number(parts[2]))
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else { return Err(bad()) };
    if !(1900..=2999).contains(&y) {
        return Err(format!("“{raw}”的年份{y}不对（须写四位年份）"));
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| format!("“{raw}”这一天不存在"))
}

/// An ID number as typed: full-width digits, spaces, a lower-case x. An 18-digit number that
/// Excel stored as a number has lost its last digits, which is said.
pub fn id_number(cell: &Cell) -> Result<Option<String>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if *n >= 1e16 => {
            Err(format!("身份证号被Excel存成了数字（{}），末几位已丢失；请把该列设为文本格式后重新填写", text(cell).unwrap_or_default()))
        }
        other => Ok(text(other).map(|s| id_number::normalize_input(&half_width(&s))).filter(|s| !s.is_empty())),
    }
}

/// 纠纷类型 as people write it, onto the statistics codes. Longer, more specific words first.
const DISPUTE_SYNONYMS: &[(&str, DisputeType)] = &[
    ("拖欠农民工工资", DisputeType::LaborWageArrears),
    ("农民工工资", DisputeType::LaborWageArrears),
    ("欠薪", DisputeType::LaborWageArrears),
    ("拖欠工资", DisputeType::LaborWageArrears),
    ("讨薪", DisputeType::LaborWageArrears),
    ("征地拆迁", DisputeType::LandExpropriation),
    ("征地", DisputeType::LandExpropriation),
    ("拆迁", DisputeType::LandExpropriation),
    ("道路交通", DisputeType::TrafficAccident),
    ("交通事故", DisputeType::TrafficAccident),
    ("交通", DisputeType::TrafficAccident),
    ("车祸", DisputeType::TrafficAccident),
    ("电子商务", DisputeType::ConsumerEcommerce),
    ("电商", DisputeType::ConsumerEcommerce),
    ("网购", DisputeType::ConsumerEcommerce),
    ("旅游", DisputeType::ConsumerTourism),
    ("消费", DisputeType::ConsumerOther),
    ("医疗", DisputeType::Medical),
    ("医患", DisputeType::Medical),
    ("物业", DisputeType::PropertyManagement),
    ("环境", DisputeType::Environment),
    ("污染", DisputeType::Environment),
    ("噪音", DisputeType::Environment),
    ("宅基地", DisputeType::HousingHomestead),
    ("房屋", DisputeType::HousingHomestead),
    ("建房", DisputeType::HousingHomestead),
    ("山林", DisputeType::ForestLand),
    ("林地", DisputeType::ForestLand),
    ("林木", DisputeType::ForestLand),
    ("土地", DisputeType::ForestLand),
    ("承包地", DisputeType::ForestLand),
    ("田地", DisputeType::ForestLand),
    ("地界", DisputeType::ForestLand),
    ("婚姻", DisputeType::MarriageFamily),
    ("家庭", DisputeType::MarriageFamily),
    ("离婚", DisputeType::MarriageFamily),
    ("赡养", DisputeType::MarriageFamily),
    ("抚养", DisputeType::MarriageFamily),
    ("继承", DisputeType::MarriageFamily),
    ("婆媳", DisputeType::MarriageFamily),
    ("邻里", DisputeType::Neighborhood),
    ("相邻", DisputeType::Neighborhood),
    ("邻居", DisputeType::Neighborhood),
    ("合同", DisputeType::Contract),
    ("借贷", DisputeType::Contract),
    ("借款", DisputeType::Contract),
    ("债务", DisputeType::Contract),
    ("买卖", DisputeType::Contract),
    ("租赁", DisputeType::Contract),
    ("生产经营", DisputeType::ProductionBusiness),
    ("经营", DisputeType::ProductionBusiness),
    ("损害赔偿", DisputeType::Damages),
    ("人身损害", DisputeType::Damages),
    ("赔偿", DisputeType::Damages),
    ("伤害", DisputeType::Damages),
    ("工伤", DisputeType::LaborOther),
    ("劳动", DisputeType::LaborOther),
    ("劳务", DisputeType::LaborOther),
    ("其他", DisputeType::Other),
    ("其它", DisputeType::Other),
];

pub fn dispute_type(s: &str) -> Result<DisputeType, String> {
    let t = half_width(s).split_whitespace().collect::<String>();
    if let Some(d) = DisputeType::from_code(&t).or_else(|| DisputeType::from_label(&t)) {
        return Ok(d);
    }
    DISPUTE_SYNONYMS.iter().find(|(k, _)| t.contains(k)).map(|(_, d)| *d).ok_or_else(|| {
        format!(
            "纠纷类型“{s}”无法识别（可写：{}）",
            DisputeType::ALL.iter().map(|d| d.label().trim_end_matches("纠纷")).collect::<Vec<_>>().join("、")
        )
    })
}

/// 调解结果: 成功 / 不成功 / 撤回; 达成协议 counts as success.
pub fn result(s: &str) -> Result<MediationResult, String> {
    let t = half_width(s).split_whitespace().collect::<String>();
    if let Some(r) = MediationResult::from_code(&t) {
        return Ok(r);
    }
    if t.contains("撤") {
        Ok(MediationResult::Withdrawn)
    } else if ["不成功", "未成功", "失败", "未达成", "终止", "未调成", "调解不成"].iter().any(|k| t.contains(k)) {
        Ok(MediationResult::Failed)
    } else if ["成功", "达成", "调结", "调成", "已调处", "化解"].iter().any(|k| t.contains(k)) {
        Ok(MediationResult::Success)
    } else {
        Err(format!("调解结果“{s}”无法识别（可写：调解成功、调解不成功、撤回）"))
    }
}

pub fn agreement_form(s: &str) -> Result<AgreementForm, String> {
    let t = half_width(s);
    if t.contains("口头") {
        Ok(AgreementForm::Oral)
    } else if t.contains("书面") || t.contains("协议书") {
        Ok(AgreementForm::Written)
    } else {
        AgreementForm::from_code(t.trim()).ok_or_else(|| format!("协议形式“{s}”无法识别（可写：书面、口头）"))
    }
}

pub fn source(s: &str) -> Result<(CaseSource, Option<ReferralType>), String> {
    let t = half_width(s);
    let referral = |r| Ok((CaseSource::Referral, Some(r)));
    if t.contains("法院") {
        referral(ReferralType::Court)
    } else if t.contains("检察") {
        referral(ReferralType::Procuratorate)
    } else if t.contains("公安") || t.contains("派出所") {
        referral(ReferralType::Police)
    } else if t.contains("信访") {
        referral(ReferralType::PetitionOffice)
    } else if t.contains("委托") || t.contains("移送") || t.contains("移交") || t.contains("指定") {
        referral(ReferralType::OtherDept)
    } else if t.contains("主动") || t.contains("排查") {
        Ok((CaseSource::Proactive, None))
    } else if t.contains("申请") || t.contains("当事人") {
        Ok((CaseSource::PartyApplication, None))
    } else {
        Err(format!("案件来源“{s}”无法识别（可写：当事人申请、主动调解、法院委托、公安移送 等）"))
    }
}

pub fn yes_no(s: &str) -> Result<bool, String> {
    match half_width(s).trim() {
        "是" | "有" | "Y" | "y" | "yes" | "1" | "√" | "累犯" | "true" => Ok(true),
        "否" | "无" | "不是" | "N" | "n" | "no" | "0" | "×" | "" | "false" => Ok(false),
        other => Err(format!("“{other}”应填“是”或“否”")),
    }
}

pub fn gender(s: &str) -> Result<Gender, String> {
    match half_width(s).trim() {
        "男" | "男性" | "1" | "M" => Ok(Gender::Male),
        "女" | "女性" | "2" | "F" => Ok(Gender::Female),
        other => Err(format!("性别“{other}”应填“男”或“女”")),
    }
}

pub fn ethnicity(s: &str) -> Result<Ethnicity, String> {
    let t = half_width(s).trim().to_string();
    Ethnicity::from_label(&t)
        .or_else(|| Ethnicity::from_label(&format!("{t}族")))
        .or_else(|| Ethnicity::from_code(&t))
        .ok_or_else(|| format!("民族“{s}”无法识别"))
}

pub fn assessment(s: &str) -> Result<AssessmentType, String> {
    let t = half_width(s);
    if t.contains("重点") || t.trim() == "01" || t.contains("严管") || t.contains("高危") {
        Ok(AssessmentType::Key)
    } else if t.contains("一般") || t.trim() == "02" || t.contains("普管") || t.contains("低危") {
        Ok(AssessmentType::General)
    } else {
        Err(format!("危险性评估“{s}”无法识别（可写：重点、一般）"))
    }
}

pub fn handover_method(s: &str) -> Result<HandoverMethod, String> {
    let t = half_width(s).trim().to_string();
    if let Some(m) = HandoverMethod::from_code(&t).or_else(|| HandoverMethod::from_label(&t)) {
        return Ok(m);
    }
    let found = [
        ("基层政府", HandoverMethod::GovernmentCollected),
        ("政府", HandoverMethod::GovernmentCollected),
        ("监所", HandoverMethod::PrisonEscorted),
        ("监狱", HandoverMethod::PrisonEscorted),
        ("送回", HandoverMethod::PrisonEscorted),
        ("司法所", HandoverMethod::JudicialOfficeCollected),
        ("公安", HandoverMethod::PoliceControl),
        ("基层组织", HandoverMethod::GrassrootsCollected),
        ("村", HandoverMethod::GrassrootsCollected),
        ("家属", HandoverMethod::Other),
        ("自返", HandoverMethod::SelfReturned),
        ("自行", HandoverMethod::SelfReturned),
    ];
    found.iter().find(|(k, _)| t.contains(k)).map(|(_, m)| *m).ok_or_else(|| format!("衔接情况“{s}”无法识别"))
}

pub fn resettlement_method(s: &str) -> Result<ResettlementMethod, String> {
    let t = half_width(s).trim().to_string();
    if let Some(m) = ResettlementMethod::from_code(&t).or_else(|| ResettlementMethod::from_label(&t)) {
        return Ok(m);
    }
    let found = [
        ("责任田", ResettlementMethod::ResponsibilityLand),
        ("务农", ResettlementMethod::ResponsibilityLand),
        ("公益", ResettlementMethod::PublicWelfareJob),
        ("基地", ResettlementMethod::GovernmentBase),
        ("个体", ResettlementMethod::SelfEmployed),
        ("务工", ResettlementMethod::EnterpriseEmployment),
        ("企业", ResettlementMethod::EnterpriseEmployment),
        ("就业", ResettlementMethod::EnterpriseEmployment),
        ("创业", ResettlementMethod::Entrepreneurship),
    ];
    Ok(found.iter().find(|(k, _)| t.contains(k)).map(|(_, m)| *m).unwrap_or(ResettlementMethod::Other))
}

pub fn help_status(s: &str) -> Result<HelpStatus, String> {
    let t = half_width(s).trim().to_string();
    if let Some(h) = HelpStatus::from_code(&t).or_else(|| HelpStatus::from_label(&t)) {
        return Ok(h);
    }
    let found = [
        ("解除", HelpStatus::Expired),
        ("期满", HelpStatus::Expired),
        ("重新犯罪", HelpStatus::Reoffended),
        ("死亡", HelpStatus::Deceased),
        ("迁出", HelpStatus::MovedOut),
        ("转出", HelpStatus::MovedOut),
        ("失联", HelpStatus::LostContact),
        ("脱管", HelpStatus::LostContact),
        ("在册", HelpStatus::Active),
        ("在帮", HelpStatus::Active),
        ("帮教中", HelpStatus::Active),
    ];
    found.iter().find(|(k, _)| t.contains(k)).map(|(_, h)| *h).ok_or_else(|| format!("帮教状态“{s}”无法识别"))
}

pub fn risk_level(s: &str) -> Result<RiskLevel, String> {
    let t = half_width(s);
    if t.contains("重大") || t.contains("高") || t.contains("群体") {
        Ok(RiskLevel::Major)
    } else if t.contains("疑难") || t.contains("复杂") || t.contains("较大") || t.contains("中") {
        Ok(RiskLevel::Difficult)
    } else if t.contains("一般") || t.contains("低") || t.contains("较小") {
        Ok(RiskLevel::General)
    } else {
        RiskLevel::from_code(t.trim()).ok_or_else(|| format!("风险等级“{s}”无法识别（可写：一般、疑难复杂、重大）"))
    }
}

pub fn disposition(s: &str) -> Result<Disposition, String> {
    let t = half_width(s);
    if let Some(d) = Disposition::from_code(t.trim()).or_else(|| Disposition::from_label(t.trim())) {
        return Ok(d);
    }
    if t.contains("调委会") || t.contains("移交") {
        Ok(Disposition::ReferCommittee)
    } else if t.contains("上报") {
        Ok(Disposition::ReportUp)
    } else if t.contains("分流") || t.contains("职能部门") || t.contains("转交") {
        Ok(Disposition::DivertDepartment)
    } else if t.contains("稳控") || t.contains("跟踪") || t.contains("监控") {
        Ok(Disposition::Monitor)
    } else if t.contains("调解") || t.contains("化解") || t.contains("就地") {
        Ok(Disposition::MediateOnSpot)
    } else {
        Err(format!("处置措施“{s}”无法识别（可写：就地调解、移交调委会、上报、分流职能部门、稳控跟踪）"))
    }
}

pub fn item_status(s: &str) -> Result<ItemStatus, String> {
    let t = half_width(s);
    if let Some(x) = ItemStatus::from_code(t.trim()).or_else(|| ItemStatus::from_label(t.trim())) {
        return Ok(x);
    }
    if t.contains("不成功") || t.contains("未成功") || t.contains("失败") {
        Ok(ItemStatus::Unresolved)
    } else if t.contains("未化解") || t.contains("未处理") || t.contains("待") {
        Ok(ItemStatus::Open)
    } else if t.contains("中") || t.contains("正在") {
        Ok(ItemStatus::InProgress)
    } else if t.contains("移交") || t.contains("移送") {
        Ok(ItemStatus::Referred)
    } else if t.contains("已化解") || t.contains("化解") || t.contains("成功") || t.contains("调结") || t.contains("办结") || t == "是" {
        Ok(ItemStatus::Resolved)
    } else {
        Err(format!("化解结果“{s}”无法识别（可写：已化解、化解中、未化解、已移交、化解不成功）"))
    }
}

/// A count ("3", "3人", "三人").
pub fn count(cell: &Cell) -> Result<Option<i64>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 => Ok(Some(*n as i64)),
        other => {
            let t = text(other).unwrap_or_default();
            let digits: String = half_width(&t).trim_end_matches(['人', '名', '户', '个']).trim().to_string();
            digits.parse::<i64>().ok().or_else(|| cn_number(&digits).map(i64::from)).map(Some).ok_or_else(|| format!("“{t}”不是人数"))
        }
    }
}

/// Money in 分 from a cell in 元 (or 万元 when the header says so).
pub fn amount_cents(cell: &Cell, wan: bool) -> Result<Option<i64>, String> {
    let n = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) => *n,
        other => {
            let t = text(other).unwrap_or_default();
            let s: String = half_width(&t).chars().filter(|c| !matches!(c, ',' | '¥' | '￥' | ' ')).collect();
            let (s, wan_here) = match s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
                Some(x) => (x.to_string(), true),
                None => (s.trim_end_matches('元').to_string(), false),
            };
            let v: f64 = s.parse().map_err(|_| format!("金额“{t}”不是数字"))?;
            return amount_cents(&Cell::Number(v), wan || wan_here);
        }
    };
    if n < 0.0 {
        return Err("金额不能为负数".into());
    }
    Ok(Some((n * if wan { 1_000_000.0 } else { 100.0 }).round() as i64))
}

/// "有期徒刑3年6个月" → 42 months, when it can be read.
pub fn sentence_months(s: &str) -> Option<i64> {
    let t = half_width(s);
    let num_before = |unit: &str| -> Option<i64> {
        let idx = t.find(unit)?;
        let head = &t[..idx];
        let digits: String = head
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || cn_digit(*c).is_some() || *c == '十')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        digits.parse::<i64>().ok().or_else(|| cn_number(&digits).map(i64::from))
    };
    let years = num_before("年");
    let months = num_before("个月").or_else(|| num_before("月"));
    (years.is_some() || months.is_some()).then(|| years.unwrap_or(0) * 12 + months.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn dates_as_people_write_them() {
        for s in [
            "2024.5.6",
            "2024年5月6日",
            "20240506",
            "2024/5/6",
            "2024-05-06",
            "２０２４年５月６日",
            "2024.05.06 00:00:00",
            "二〇二四年五月六日",
            "2024年5月6号",
        ] {
            assert_eq!(date(&Cell::Text(s.into())).unwrap(), Some(d(2024, 5, 6)), "{s}");
        }
        assert_eq!(date(&Cell::Number(45418.0)).unwrap(), Some(d(2024, 5, 6)));
        assert_eq!(date(&Cell::Number(20240506.0)).unwrap(), Some(d(2024, 5, 6)));
        assert_eq!(date(&Cell::Text("45418".into())).unwrap(), Some(d(2024, 5, 6)));
        assert_eq!(date(&Cell::Text("二〇二三年十二月二十一日".into())).unwrap(), Some(d(2023, 12, 21)));
        assert!(date(&Cell::Text("2024.2.30".into())).unwrap_err().contains("不存在"));
        assert!(date(&Cell::Text("24.5.6".into())).unwrap_err().contains("四位年份"));
        assert!(date(&Cell::Text("五月初".into())).is_err());
        assert_eq!(date(&Cell::Text("  ".into())).unwrap(), None);
    }

    #[test]
    fn id_numbers_and_names() {
        assert_eq!(id_number(&Cell::Text(" ３４０５２４ 19800101001ｘ".into())).unwrap().as_deref(), Some("34052419800101001X"));
        assert!(id_number(&Cell::Number(340524198001010016.0)).unwrap_err().contains("存成了数字"));
        assert_eq!(id_number(&Cell::Number(340524800101001.0)).unwrap().as_deref(), Some("340524800101001"));
        assert_eq!(name("张　伟"), "张伟");
        assert_eq!(name(" John  Smith "), "John Smith");
        assert_eq!(names("张伟、李娜"), vec!["张伟", "李娜"]);
        assert_eq!(names("张伟与李娜"), vec!["张伟", "李娜"]);
        assert_eq!(names("张伟 李娜，王五"), vec!["张伟", "李娜", "王五"]);
    }

    #[test]
    fn dispute_types_from_free_text() {
        assert_eq!(dispute_type("邻里").unwrap(), DisputeType::Neighborhood);
        assert_eq!(dispute_type("婚姻家庭").unwrap(), DisputeType::MarriageFamily);
        assert_eq!(dispute_type("土地").unwrap(), DisputeType::ForestLand);
        assert_eq!(dispute_type("山林土地纠纷").unwrap(), DisputeType::ForestLand);
        assert_eq!(dispute_type("征地拆迁纠纷").unwrap(), DisputeType::LandExpropriation);
        assert_eq!(dispute_type("拖欠农民工工资").unwrap(), DisputeType::LaborWageArrears);
        assert_eq!(dispute_type("劳动争议").unwrap(), DisputeType::LaborOther);
        assert_eq!(dispute_type("交通事故").unwrap(), DisputeType::TrafficAccident);
        assert_eq!(dispute_type("neighborhood").unwrap(), DisputeType::Neighborhood);
        assert!(dispute_type("吵架").unwrap_err().contains("无法识别"));
    }

    #[test]
    fn other_lists() {
        assert_eq!(result("达成协议").unwrap(), MediationResult::Success);
        assert_eq!(result("调解不成功").unwrap(), MediationResult::Failed);
        assert_eq!(result("撤回申请").unwrap(), MediationResult::Withdrawn);
        assert_eq!(assessment("重点帮教对象").unwrap(), AssessmentType::Key);
        assert_eq!(source("公安机关移送").unwrap(), (CaseSource::Referral, Some(ReferralType::Police)));
        assert_eq!(amount_cents(&Cell::Text("1,200元".into()), false).unwrap(), Some(120_000));
        assert_eq!(amount_cents(&Cell::Number(1.5), true).unwrap(), Some(1_500_000));
        assert_eq!(sentence_months("有期徒刑3年6个月"), Some(42));
        assert_eq!(sentence_months("有期徒刑八个月"), Some(8));
        assert_eq!(count(&Cell::Text("3人".into())).unwrap(), Some(3));
    }
}
