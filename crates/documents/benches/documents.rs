//! Milliseconds and bytes per document for the whole catalogue and the bound 卷宗, and — in
//! the same run — LibreOffice converting an equivalent .fodt of the 人民调解协议书 to PDF,
//! which is what offices do today.
//!
//! `cargo bench -p fengqiao-documents --bench documents` (release build). LibreOffice
//! (Debian package `libreoffice-writer`) is optional: without it that row says so.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fengqiao_documents::catalogue::*;
use fengqiao_documents::{render_counted, Document, FontConfig, FontSet};

#[path = "../tests/common/fixture.rs"]
#[allow(dead_code)]
mod fixture;

const RUNS: usize = 30;
const LO_RUNS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Renders `runs` times after one warm-up; the median time, the pages and the bytes.
fn time(runs: usize, mut f: impl FnMut() -> (usize, usize)) -> (Duration, usize, usize) {
    let (pages, bytes) = f();
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    (median(times), pages, bytes)
}

fn main() {
    // Font parsing happens once per process; measured on its own.
    let t = Instant::now();
    let _own = FontSet::load(&FontConfig::default()).expect("default fonts");
    let font_ms = ms(t.elapsed());
    let fonts = FontSet::shared_default();

    let fx = fixture::fixture();
    let office = fixture::office();
    let refs = Refs { office: Some(&office), organizations: std::slice::from_ref(&fx.committee), ..fx.refs() };
    let f = &fx.file;
    let a = f.agreement.as_ref().unwrap();
    let released = fixture::released();
    let rounds = fixture::rounds();
    let stats = fixture::statistics();
    let period = Period { from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), to: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap() };
    // Forty cases for the ledger: one page of a landscape table is not the interesting case.
    let ledger_cases: Vec<_> = (0..40).map(|_| f.clone()).collect();
    let docs: Vec<(&str, Document)> = vec![
        ("卷宗封面", cover(f, &refs)),
        ("人民调解申请书", application(f, &refs)),
        ("人民调解受理登记表", intake_register(f, &refs)),
        ("当事人权利义务告知书", rights_notice(f, &refs)),
        ("人民调解调查记录", investigation(f, &f.investigations[0], &refs)),
        ("人民调解记录", session(f, &f.sessions[0], &refs)),
        ("人民调解协议书", agreement(f, a, &refs)),
        ("人民调解口头协议登记表", oral_agreement(f, a, &refs)),
        ("人民调解回访记录", return_visit(f, &f.return_visits[0], &refs)),
        ("司法确认申请书", judicial_confirmation_application(f, a, &refs)),
        ("人民调解纠纷台账（40件）", dispute_ledger(&ledger_cases, period, &refs)),
        ("人民调解案件情况统计表", statistics_table(&stats)),
        ("矛盾纠纷排查登记台账", screening_ledger(&rounds, period, &refs)),
        ("矛盾纠纷排查零报告", zero_report(&rounds[1], &refs)),
        ("刑满释放人员基本情况登记表", released_register(&released, &refs)),
        ("刑满释放人员帮教协议书", help_agreement(&released, &refs)),
        ("刑满释放人员帮教记录", help_record(&released, released.help_visits.first(), &refs)),
        ("刑满释放人员衔接工作交接单", handover_sheet(&released, &refs)),
    ];

    println!("## fengqiao-documents（release，{RUNS} 次取中位数；字体解析一次 {font_ms:.1} ms，不计入下表）\n");
    println!("| 文书 | 页数 | 中位数 ms | ms/页 | 字节 | KB/页 |");
    println!("|---|---|---|---|---|---|");
    let mut agreement_ms = 0.0;
    let mut agreement_bytes = 0;
    for (name, doc) in &docs {
        let (d, pages, bytes) = time(RUNS, || {
            let (pdf, pages) = render_counted(doc, fonts).unwrap();
            (pages, pdf.len())
        });
        if *name == "人民调解协议书" {
            agreement_ms = ms(d);
            agreement_bytes = bytes;
        }
        println!("| {name} | {pages} | {:.2} | {:.2} | {bytes} | {:.1} |", ms(d), ms(d) / pages as f64, bytes as f64 / 1024.0 / pages as f64);
    }
    let (d, sheets, bytes) = time(RUNS / 2, || {
        let b = case_file(f, &refs, fonts).unwrap();
        (b.sheets, b.pdf.len())
    });
    println!(
        "| **卷宗（全卷，封面至封底）** | {sheets} | {:.2} | {:.2} | {bytes} | {:.1} |",
        ms(d),
        ms(d) / sheets as f64,
        bytes as f64 / 1024.0 / sheets as f64
    );

    println!("\n## LibreOffice（同一次运行，等价 .fodt 转 PDF，{LO_RUNS} 次取中位数）\n");
    match libreoffice(a, f) {
        Err(note) => println!("{note}"),
        Ok((d, bytes, version)) => {
            println!("| 方式 | 中位数 ms | 字节 |");
            println!("|---|---|---|");
            println!("| {version} `--headless --convert-to pdf` | {:.0} | {bytes} |", ms(d));
            println!("| fengqiao-documents | {agreement_ms:.2} | {agreement_bytes} |");
            println!(
                "\n人民调解协议书：fengqiao-documents 比 LibreOffice 快 {:.0} 倍（目标 ≥ 50 倍）；文件大小 {:.0} KB 对 {:.0} KB。",
                ms(d) / agreement_ms,
                agreement_bytes as f64 / 1024.0,
                bytes as f64 / 1024.0
            );
        }
    }
}

fn find_libreoffice() -> Option<&'static str> {
    ["libreoffice", "soffice"].into_iter().find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Converts the agreement as a flat ODT, one cold `--headless` process per conversion as an
/// office runs it; a private profile made by one untimed run first.
fn libreoffice(a: &fengqiao_model::Agreement, f: &fengqiao_model::CaseFile) -> Result<(Duration, usize, String), String> {
    let Some(bin) = find_libreoffice() else {
        return Err("跳过：未安装 LibreOffice（Debian 软件包 libreoffice-writer），没有对比数据。".into());
    };
    let version = Command::new(bin)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "LibreOffice".into());
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let src = dir.path().join("agreement.fodt");
    std::fs::write(&src, fodt(a, f)).map_err(|e| e.to_string())?;
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let convert = |out: &Path| -> Result<Duration, String> {
        let t = Instant::now();
        let o = Command::new(bin)
            .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
            .arg(out)
            .arg(&src)
            .output()
            .map_err(|e| e.to_string())?;
        let d = t.elapsed();
        if !o.status.success() || !out.join("agreement.pdf").exists() {
            return Err(format!("LibreOffice 转换失败：{}", String::from_utf8_lossy(&o.stderr)));
        }
        Ok(d)
    };
    convert(&dir.path().join("warm"))?;
    let mut times = Vec::new();
    for k in 0..LO_RUNS {
        times.push(convert(&dir.path().join(format!("run{k}")))?);
    }
    let bytes = std::fs::metadata(dir.path().join("run0/agreement.pdf")).map(|m| m.len() as usize).unwrap_or(0);
    Ok((median(times), bytes, version))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The 人民调解协议书 as a flat ODT: the same title, number, party table, facts, clauses,
/// performance, copies, signature lines and seal, in Noto Serif CJK SC on A4 with the same
/// margins — what a clerk's Writer template holds.
fn fodt(a: &fengqiao_model::Agreement, f: &fengqiao_model::CaseFile) -> String {
    let p = |style: &str, text: &str| format!("<text:p text:style-name=\"{style}\">{}</text:p>", esc(text));
    let cell = |text: &str| format!("<table:table-cell office:value-type=\"string\">{}</table:table-cell>", p("Cell", text));
    let mut body = String::new();
    body.push_str(&p("Title", "人民调解协议书"));
    body.push_str(&p("Right", &format!("编号：{}", a.agreement_no.clone().unwrap_or_default())));
    body.push_str("<table:table table:name=\"parties\"><table:table-column table:number-columns-repeated=\"8\"/>");
    for (party, side) in f.parties.iter().zip(["甲方", "乙方", "丙方"]) {
        let person = party.person.clone().unwrap_or_default();
        let row = [
            side.to_string(),
            "姓名".into(),
            person.name.clone().unwrap_or_default(),
            "性别".into(),
            person.gender.map(|g| g.label()).unwrap_or_default().into(),
            "民族".into(),
            person.ethnicity.map(|e| e.label()).unwrap_or_default().into(),
            "年龄".into(),
        ];
        body.push_str("<table:table-row>");
        row.iter().for_each(|c| body.push_str(&cell(c)));
        body.push_str("</table:table-row><table:table-row>");
        for c in ["职业或职务", &person.occupation.clone().unwrap_or_default(), "联系方式", &person.phone.clone().unwrap_or_default(), "", "", "", ""]
        {
            body.push_str(&cell(c));
        }
        body.push_str("</table:table-row><table:table-row>");
        for c in ["单位或住址", &person.residence_address.clone().unwrap_or_default(), "", "", "", "", "", ""] {
            body.push_str(&cell(c));
        }
        body.push_str("</table:table-row>");
    }
    body.push_str("</table:table>");
    body.push_str(&p("Body", &format!("纠纷主要事实、争议事项：{}", a.facts.clone().unwrap_or_default())));
    body.push_str(&p("Body", "经调解，自愿达成如下协议："));
    for (i, t) in a.terms.iter().enumerate() {
        body.push_str(&p("Body", &format!("{}．{t}", i + 1)));
    }
    body.push_str(&p("Body", &format!("履行方式、时限：{}", a.performance_method.clone().unwrap_or_default())));
    body.push_str(&p("Body", "本协议一式三份，当事人、人民调解委员会各持一份。"));
    for l in ["甲方（签名盖章或按指印）：", "乙方（签名盖章或按指印）：", "人民调解员（签名）：", "记录人（签名）："]
    {
        body.push_str(&p("Sign", l));
    }
    body.push_str(&p("Sign", "城关镇东街村人民调解委员会（印章）"));
    body.push_str(&p("Sign", "2024年5月10日"));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="Noto Serif CJK SC" svg:font-family="'Noto Serif CJK SC'" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:text-properties style:font-name="Noto Serif CJK SC" style:font-name-asian="Noto Serif CJK SC" fo:font-size="16pt" style:font-size-asian="16pt"/></style:default-style>
<style:style style:name="Title" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="22pt" style:font-size-asian="22pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>
<style:style style:name="Right" style:family="paragraph"><style:paragraph-properties fo:text-align="end"/><style:text-properties fo:font-size="14pt" style:font-size-asian="14pt"/></style:style>
<style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:text-align="justify" fo:text-indent="32pt" fo:line-height="28.9pt"/></style:style>
<style:style style:name="Cell" style:family="paragraph"><style:text-properties fo:font-size="12pt" style:font-size-asian="12pt"/></style:style>
<style:style style:name="Sign" style:family="paragraph"><style:paragraph-properties fo:margin-left="80mm" fo:line-height="36pt"/></style:style>
</office:styles>
<office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="37mm" fo:margin-bottom="35mm" fo:margin-left="28mm" fo:margin-right="26mm"/></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles>
<office:body><office:text>{body}</office:text></office:body>
</office:document>
"#
    )
}
