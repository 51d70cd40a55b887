//! The engine end to end: documents rendered to PDF and read back with poppler-utils.

mod common;

use std::path::Path;

use common::*;
use fengqiao_documents::linebreak::{no_line_end, no_line_start};
use fengqiao_documents::model::*;
use fengqiao_documents::{layout, render, FontConfig, FontFile, FontSet};

const HANA_A: &str = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf";
const HANA_B: &str = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf";

fn have_hanazono() -> bool {
    let ok = Path::new(HANA_A).exists() && Path::new(HANA_B).exists();
    if !ok {
        eprintln!("跳过：未安装 fonts-hanazono（{HANA_B}）");
    }
    ok
}

/// A one-page intake form of the usual density (~600 characters).
fn one_page_form() -> Document {
    let mut doc = Document::portrait("人民调解受理登记表").with_number("（2024）城调字第7号");
    doc.push(Paragraph::runs(vec![
        field("2024", 3),
        text("年"),
        field("5", 2),
        text("月"),
        field("6", 2),
        text("日，本人民调解委员会经当事人同意，调解"),
        field("张三", 4),
        text("、"),
        field("李四", 4),
        text("之间的纠纷。"),
    ]));
    doc.push(
        Grid::new(&[30.0, 126.0])
            .row(Row::new(vec![Cell::label("纠纷类型"), Cell::value("邻里纠纷")]))
            .row(Row::new(vec![Cell::label("案件来源"), Cell::value("①当事人申请　②人民调解委员会主动调解")]))
            .row(Row::new(vec![Cell::label("纠纷简要情况"), Cell::value("2024年3月，张三在自家宅基地上建房时，将排水沟改向李四承包地，致使李四约0.3亩小麦受淹减产。李四要求张三恢复排水沟原状并赔偿损失，张三认为排水沟系村集体修建，不同意赔偿。双方多次发生口角，村民小组长调处未果，遂于5月6日共同到本委员会申请调解。本委员会当即受理，指派调解员王五、赵六负责，并于当日告知双方当事人在人民调解活动中享有的权利和承担的义务。").top()]).min_height(60.0)),
    );
    doc.push(Signatures::new(&["当事人（签名）", "登记人（签名）"]).date(DateLine::None));
    doc.push(Seal { committee: Some("城关镇东街村人民调解委员会".into()), date: DateLine::Blank });
    doc
}

#[test]
fn one_page_form_text_fonts_and_size() {
    if !have("pdftotext") || !have("pdffonts") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bytes = render(&one_page_form(), FontSet::shared_default()).unwrap();
    let path = write_temp(&dir, "form.pdf", &bytes);
    assert_eq!(page_count(&path), 1);
    assert!(bytes.len() < 80 * 1024, "one-page form is {} bytes", bytes.len());

    let text = squash(&pdftotext(&path));
    for needle in [
        "人民调解受理登记表",
        "编号：（2024）城调字第7号",
        "2024年5月6日，本人民调解委员会经当事人同意，调解张三、李四之间的纠纷。",
        "纠纷简要情况",
        "当事人（签名）：",
        "城关镇东街村人民调解委员会（印章）",
        "年月日",
        "—1—",
    ] {
        assert!(text.contains(needle), "missing {needle} in {text}");
    }

    let fonts = pdffonts(&path);
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    let (name, emb, sub, uni) = &fonts[0];
    assert!(name.contains("NotoSerifCJKsc"), "{name}");
    assert!(*emb && *sub && *uni, "embedded, subset, ToUnicode: {fonts:?}");
}

#[test]
fn rare_characters_print_through_the_fallback_font() {
    if !have("pdftotext") || !have("pdffonts") || !have_hanazono() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut doc = Document::portrait("当事人姓名");
    doc.push(Paragraph::new("申请人：张𠮷祥，被申请人：李𪚥、王𬌗。"));
    let bytes = render(&doc, FontSet::shared_default()).unwrap();
    let path = write_temp(&dir, "rare.pdf", &bytes);
    let text = squash(&pdftotext(&path));
    assert!(text.contains("申请人：张𠮷祥，被申请人：李𪚥、王𬌗。"), "{text}");
    let fonts = pdffonts(&path);
    assert!(fonts.iter().any(|f| f.0.contains("HanaMin")), "fallback face used: {fonts:?}");
    assert!(fonts.iter().all(|f| f.1 && f.2), "all embedded and subset: {fonts:?}");

    // An office's own main font (HanaMinA here) lacking a character: 𠀁 (U+20001) then
    // comes from the fallback.
    let set = FontSet::load(&FontConfig { main: Some(FontFile { path: HANA_A.into(), index: 0 }), fallbacks: vec![HANA_B.into()] }).unwrap();
    assert_eq!(set.glyph('张').unwrap().face, 0);
    assert_eq!(set.glyph('\u{20001}').unwrap().face, 1);
    let mut doc = Document::portrait("姓名");
    doc.push(Paragraph::new("张𠀁祥、张𠮷祥"));
    let path = write_temp(&dir, "office-font.pdf", &render(&doc, &set).unwrap());
    assert!(squash(&pdftotext(&path)).contains("张𠀁祥、张𠮷祥"));
    assert_eq!(pdffonts(&path).len(), 2);
}

#[test]
fn a_character_no_font_has_is_refused_by_name() {
    let set = FontSet::load(&FontConfig { main: None, fallbacks: vec!["/nonexistent/font.ttf".into()] }).unwrap();
    let mut doc = Document::portrait("人民调解申请书");
    doc.push(Paragraph::new("被申请人：李\u{2A6A5}"));
    let err = render(&doc, &set).unwrap_err();
    assert!(err.to_string().starts_with("字符“\u{2A6A5}”(U+2A6A5)在所有字体中都不存在，无法打印"), "{err}");
    // Private-use characters are in no font either, in a grid cell as anywhere.
    let mut doc = Document::portrait("表");
    doc.push(Grid::new(&[1.0]).row(Row::new(vec![Cell::value("\u{E000}")])));
    let err = render(&doc, FontSet::shared_default()).unwrap_err();
    assert!(err.to_string().contains("(U+E000)"), "{err}");
}

#[test]
fn a_bad_office_font_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let junk = write_temp(&dir, "仿宋.ttf", b"not a font");
    let err = FontSet::load(&FontConfig { main: Some(FontFile { path: junk, index: 0 }), fallbacks: vec![] }).err().unwrap();
    assert!(err.to_string().contains("无法解析"), "{err}");
    let err = FontSet::load(&FontConfig { main: Some(FontFile { path: "/nope/simfang.ttf".into(), index: 0 }), fallbacks: vec![] }).err().unwrap();
    assert!(err.to_string().starts_with("无法读取字体文件“/nope/simfang.ttf”"), "{err}");
}

const PUNCTUATED: &str = "经调解，双方自愿达成如下协议：（一）甲方于2024年5月20日前一次性支付乙方医疗费、误工费、交通费等共计人民币8000元（大写：捌仟元整）；（二）乙方收到款项后，不再就此事向甲方主张任何权利！“本协议”一式三份……双方各执一份——调委会存档一份。《中华人民共和国人民调解法》第三十三条规定：经人民调解委员会调解达成调解协议后，双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。";

#[test]
fn kinsoku_rules_hold_in_layout_and_in_the_pdf() {
    let fonts = FontSet::shared_default();
    let mut doc = Document::portrait("避头尾");
    // Shift the text one character at a time so punctuation meets every line edge.
    for k in 0..28 {
        doc.push(Paragraph::new(format!("{}{}", "字".repeat(k), PUNCTUATED)));
    }
    let l = layout(&doc, fonts).unwrap();
    let mut lines = 0;
    for page in &l.pages {
        for line in page.lines() {
            let (first, last) = (line.chars().next().unwrap(), line.chars().last().unwrap());
            assert!(!no_line_start(first), "line starts with {first}: {line}");
            assert!(!no_line_end(last), "line ends with {last}: {line}");
            assert!(!line.contains("20\n24"));
            lines += 1;
        }
    }
    assert!(lines > 200);

    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "kinsoku.pdf", &render(&doc, fonts).unwrap());
    for line in pdftotext(&path).lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (first, last) = (line.chars().next().unwrap(), line.chars().last().unwrap());
        assert!(!no_line_start(first), "pdf line starts with {first}: {line}");
        assert!(!no_line_end(last), "pdf line ends with {last}: {line}");
    }
}

#[test]
fn numbers_are_not_split_across_lines() {
    let fonts = FontSet::shared_default();
    let mut doc = Document::portrait("数字");
    for k in 0..28 {
        doc.push(Paragraph::new(format!("{}金额人民币1234567元，电话13800001234，身份证号34052419800101001X。", "字".repeat(k))));
    }
    let l = layout(&doc, fonts).unwrap();
    let all: Vec<String> = l.pages.iter().flat_map(|p| p.lines()).collect();
    for line in &all {
        for word in ["1234567", "13800001234", "34052419800101001X"] {
            for cut in 1..word.len() {
                assert!(!line.ends_with(&word[..cut]) || line.ends_with(word), "{word} split: {line}");
            }
        }
    }
}

/// Paragraph filler of `n` full lines (28 characters each on portrait 三号).
fn filler(n: usize) -> Paragraph {
    Paragraph::new("本段文字用于把签名栏推到页面的不同位置检验分页效果。".repeat(n * 28 / 26 + 1).chars().take(n * 27).collect::<String>())
}

#[test]
fn a_signature_block_is_never_orphaned() {
    let fonts = FontSet::shared_default();
    for n in 1..30 {
        let mut doc = Document::portrait("人民调解申请书");
        doc.push(filler(n));
        doc.push(Paragraph::new("人民调解委员会已将申请人民调解的相关规定告知我，现自愿申请人民调解委员会进行调解。"));
        doc.push(Signatures::new(&["申请人（签名盖章或按指印）"]));
        let l = layout(&doc, fonts).unwrap();
        let page = l.pages.iter().find(|p| p.lines().iter().any(|t| t.starts_with("申请人（签名"))).unwrap();
        let lines = page.lines();
        let sig = lines.iter().position(|t| t.starts_with("申请人（签名")).unwrap();
        assert!(sig > 0, "n={n}: signature at the top of a page: {lines:?}");
        assert!(lines[sig - 1].ends_with("进行调解。"), "n={n}: signature not under the text it signs: {lines:?}");
        assert_eq!(lines[sig + 1], "年　　月　　日", "n={n}: date with the signature");
        // The signed paragraph moved with at least two of its lines.
        assert!(lines[sig - 2].contains("申请人民调解的相关规定"), "n={n}: {lines:?}");
    }
}

#[test]
fn a_seal_stays_with_the_signatures() {
    let fonts = FontSet::shared_default();
    for n in 10..24 {
        let mut doc = Document::portrait("人民调解协议书");
        doc.push(filler(n));
        doc.push(Signatures::new(&["当事人（签名盖章或按指印）", "人民调解员（签名）"]).date(DateLine::None));
        doc.push(Seal { committee: None, date: DateLine::Blank });
        let l = layout(&doc, fonts).unwrap();
        let page = l.pages.last().unwrap().lines();
        assert!(page.iter().any(|t| t.contains("人民调解员（签名）")), "n={n}: {page:?}");
        assert!(page.iter().any(|t| t.contains("人民调解委员会（印章）")), "n={n}: {page:?}");
        assert!(!page[0].starts_with("当事人"), "n={n}: text moved along: {page:?}");
    }
}

#[test]
fn grid_header_rows_repeat_on_every_page() {
    let fonts = FontSet::shared_default();
    let mut doc = Document::landscape("矛盾纠纷排查登记台账");
    let mut g = Grid::new(&[15.0, 30.0, 40.0, 120.0, 52.0]).header_rows(1);
    g = g.row(Row::new(["序号", "排查日期", "当事人", "纠纷简要情况", "化解结果"].iter().map(|s| Cell::label(*s)).collect()));
    for i in 1..=80 {
        g = g.row(Row::new(vec![
            Cell::value(i.to_string()),
            Cell::value("2024-05-06"),
            Cell::value("张三、李四"),
            Cell::value("排水沟改向致农田受淹"),
            Cell::value("调解成功"),
        ]));
    }
    doc.push(g);
    let l = layout(&doc, fonts).unwrap();
    assert!(l.pages.len() >= 3);
    let mut seen = Vec::new();
    for page in &l.pages {
        let lines = page.lines();
        let header = lines.iter().position(|t| t == "序号").expect("header on every page");
        assert!(header <= 1, "header at the top: {lines:?}");
        seen.extend(lines.iter().filter_map(|t| t.parse::<u32>().ok()));
    }
    assert_eq!(seen, (1..=80).collect::<Vec<_>>(), "every row once, in order");

    if !have("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "ledger.pdf", &fengqiao_documents::render(&doc, fonts).unwrap());
    let text = pdftotext(&path);
    let pages = page_count(&path);
    assert_eq!(text.matches("纠纷简要情况").count(), pages);
    assert!(squash(&text).contains(&format!("第1页共{pages}页")));
}

/// Every text run and rule of every page lies inside the text block (page numbers aside).
fn assert_inside_text_block(l: &fengqiao_documents::Layout, top: f32, bottom: f32) {
    use fengqiao_documents::layout::Item;
    for (n, page) in l.pages.iter().enumerate() {
        for item in &page.items {
            let (a, b) = match item {
                Item::Text(t) => (t.baseline - t.size, t.baseline),
                Item::Rule(r) => (r.y1.min(r.y2), r.y1.max(r.y2)),
            };
            assert!(a >= top - 1.0 && b <= bottom + 1.0, "page {} has an item at {a}..{b}, outside {top}..{bottom}: {item:?}", n + 1);
        }
    }
}

#[test]
fn a_grid_row_taller_than_a_page_is_cut_between_lines() {
    use fengqiao_documents::layout::mm;
    let fonts = FontSet::shared_default();
    let mut doc = Document::landscape("纠纷台账");
    let long: String = (1..=160).map(|i| format!("第{i}句：双方对宅基地界址认识不一，多次发生口角。")).collect();
    let mut g = Grid::new(&[15.0, 40.0, 150.0, 52.0]).header_rows(1);
    g = g.row(Row::new(["序号", "当事人", "纠纷简要情况", "化解结果"].iter().map(|s| Cell::label(*s)).collect()));
    g = g.row(Row::new(vec![Cell::value("1"), Cell::value("张三、李四"), Cell::value("相邻通行纠纷"), Cell::value("调解成功")]));
    g = g.row(Row::new(vec![Cell::value("2"), Cell::value("王五、赵六"), Cell::value(long.clone()), Cell::value("化解中")]));
    g = g.row(Row::new(vec![Cell::value("3"), Cell::value("钱七、孙八"), Cell::value("排水沟纠纷"), Cell::value("已化解")]));
    doc.push(g);
    let l = layout(&doc, fonts).unwrap();
    assert!(l.pages.len() >= 3, "{} pages", l.pages.len());
    assert_inside_text_block(&l, mm(20.0), mm(20.0 + 160.0));
    let mut sentences = Vec::new();
    for page in &l.pages {
        let lines = page.lines();
        let header = lines.iter().position(|t| t == "序号");
        assert!(header.is_some_and(|h| h <= 1), "header at the top of every page: {lines:?}");
        sentences.push(lines.join(""));
    }
    let all = sentences.join("");
    // Every sentence once, in order, and the rows around it in place.
    let mut at = 0;
    for i in 1..=160 {
        let s = format!("第{i}句：");
        let found = all[at..].find(&s).unwrap_or_else(|| panic!("{s} missing or out of order"));
        at += found + s.len();
    }
    assert_eq!(all.matches("第1句：").count(), 1);
    assert!(all.find("张三、李四").unwrap() < all.find("第1句").unwrap());
    assert!(all.find("钱七、孙八").unwrap() > all.find("第160句").unwrap());
    // The first page is filled down to its foot, not left half empty.
    let last_baseline = l.pages[0].runs().map(|r| r.baseline).fold(0.0, f32::max);
    assert!(last_baseline > mm(20.0 + 160.0) - mm(12.0), "first page ends at {last_baseline}");
}

#[test]
fn a_tall_row_at_a_page_foot_is_cut_and_a_short_one_moves_whole() {
    use fengqiao_documents::layout::mm;
    let fonts = FontSet::shared_default();
    let mut doc = Document::portrait("人民调解受理登记表");
    doc.push(filler(15));
    let long: String = (1..=30).map(|i| format!("第{i}句：双方对宅基地界址认识不一。")).collect();
    doc.push(
        Grid::new(&[40.0, 116.0])
            .row(Row::new(vec![Cell::label("纠纷简要情况"), Cell::value(long)]))
            .row(Row::new(vec![Cell::label("短行"), Cell::value("一行字")])),
    );
    let l = layout(&doc, fonts).unwrap();
    assert_inside_text_block(&l, mm(37.0), mm(37.0 + 225.0));
    let p1 = l.pages[0].lines().join("");
    let p2 = l.pages[1].lines().join("");
    assert!(p1.contains("纠纷简要情况") && p1.contains("第1句"), "the row starts on page 1: {p1}");
    assert!(p2.contains("第30句"), "and ends on page 2: {p2}");
    assert!(p2.contains("短行一行字"), "{p2}");
}

#[test]
fn explicit_page_breaks_and_keep_together() {
    let fonts = FontSet::shared_default();
    let mut doc = Document::portrait("分页");
    doc.push(Paragraph::new("第一页"));
    doc.push(Block::PageBreak);
    doc.push(Paragraph::new("第二页"));
    doc.push(filler(17));
    doc.push(Block::KeepTogether(vec![Block::heading(1, "协议内容"), Paragraph::new("甲".repeat(27 * 3)).into()]));
    let l = layout(&doc, fonts).unwrap();
    assert_eq!(l.pages[0].lines().last().unwrap(), "第一页");
    assert_eq!(l.pages[1].lines()[0], "第二页");
    let last = l.pages.last().unwrap().lines();
    assert_eq!(last[0], "一、协议内容", "{last:?}");
}

#[test]
fn grid_shape_errors_name_the_row() {
    let mut doc = Document::portrait("受理登记表");
    doc.push(Grid::new(&[30.0, 30.0, 30.0]).row(Row::new(vec![Cell::label("a"), Cell::value("b").span(3)])));
    let err = render(&doc, FontSet::shared_default()).unwrap_err();
    assert_eq!(err.to_string(), "表格“受理登记表”第 1 行的列数不对：单元格共占 4 列，表格有 3 列");
}
