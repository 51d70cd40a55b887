//! Renders a demo form with every block kind into the given folder and prints timings:
//! `cargo run --release -p fengqiao-documents --example engine_demo -- /tmp/out`
use std::time::Instant;

use fengqiao_documents::model::*;
use fengqiao_documents::{render, FontSet};

fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp".into()));
    let t = Instant::now();
    let fonts = FontSet::shared_default();
    println!("字体解析 {:.1} ms", t.elapsed().as_secs_f64() * 1e3);

    let mut doc = Document::portrait("人民调解协议书").with_number("（2024）城调字第12号");
    let mut g = Grid::new(&[22.0, 30.0, 14.0, 20.0, 14.0, 20.0, 14.0, 22.0]);
    for (side, name) in [("甲方", "张𠮷祥"), ("乙方", "李秀英")] {
        g = g
            .row(Row::new(vec![
                Cell::label(side).rows(3),
                Cell::label("姓名"),
                Cell::value(name),
                Cell::label("性别"),
                Cell::value("男"),
                Cell::label("民族"),
                Cell::value("汉族"),
                Cell::value("52岁"),
            ]))
            .row(Row::new(vec![
                Cell::label("职业或职务"),
                Cell::value("农民").span(2),
                Cell::label("联系方式").span(2),
                Cell::value("13800001234").span(2),
            ]))
            .row(Row::new(vec![Cell::label("单位或住址"), Cell::value("某某县城关镇东街村三组45号").span(6)]));
    }
    doc.push(g);
    doc.push(FillLine::new("纠纷主要事实、争议事项", "2024年3月，甲方在自家宅基地上建房时，将排水沟改向乙方承包地，致使乙方约0.3亩小麦受淹减产。乙方要求甲方恢复排水沟原状并赔偿损失，甲方认为排水沟系村集体修建，不同意赔偿，双方因此发生争执。", 4));
    doc.push(Paragraph::new("经调解，自愿达成如下协议：").no_indent());
    for (i, c) in [
        "甲方于2024年5月20日前将排水沟恢复原状，费用由甲方承担；",
        "甲方一次性补偿乙方小麦减产损失人民币800元（大写：捌佰元整），于本协议签订之日当场付清；",
        "双方今后应互谅互让，不得再因此事发生争执。",
    ]
    .iter()
    .enumerate()
    {
        doc.push(Paragraph::new(format!("{}．{c}", i + 1)));
    }
    doc.push(Paragraph::runs(vec![text("履行方式、时限："), field("当场履行及2024年5月20日前履行", 10)]));
    doc.push(Paragraph::runs(vec![text("本协议一式"), field("三", 2), text("份，当事人、人民调解委员会各持一份。")]));
    doc.push(
        Signatures::new(&["当事人（签名盖章或按指印）", "当事人（签名盖章或按指印）", "人民调解员（签名）", "记录人（签名）"])
            .columns(2)
            .date(DateLine::None),
    );
    doc.push(Seal { committee: Some("城关镇东街村人民调解委员会".into()), date: DateLine::Printed("2024年5月6日".into()) });

    let t = Instant::now();
    let bytes = render(&doc, fonts).unwrap();
    println!("协议书 {} 字节，{:.1} ms", bytes.len(), t.elapsed().as_secs_f64() * 1e3);
    std::fs::write(out.join("demo_agreement.pdf"), &bytes).unwrap();

    // A landscape ledger over several pages with a repeated header row.
    let mut ledger = Document::landscape("矛盾纠纷排查登记台账");
    let mut g = Grid::new(&[12.0, 24.0, 26.0, 26.0, 30.0, 24.0, 14.0, 60.0, 24.0, 17.0]).header_rows(1);
    g = g.row(Row::new(
        ["序号", "排查日期", "排查单位", "当事人", "纠纷类型", "处置措施", "人数", "纠纷简要情况", "化解结果", "备注"]
            .iter()
            .map(|s| Cell::label(*s))
            .collect(),
    ));
    for i in 1..=60 {
        g = g.row(Row::new(vec![
            Cell::value(i.to_string()).align(Align::Center),
            Cell::value("2024-05-06"),
            Cell::value("东街村"),
            Cell::value("张三、李四"),
            Cell::value("邻里纠纷"),
            Cell::value("就地调解"),
            Cell::value("2").align(Align::Center),
            Cell::value(if i % 7 == 0 {
                "因宅基地排水沟改向引发争执，双方多次口角，经村调委会两次调解未果，已移交镇调委会。"
            } else {
                "排水沟改向致农田受淹"
            }),
            Cell::value("调解成功"),
            Cell::value(""),
        ]));
    }
    ledger.push(g);
    let t = Instant::now();
    let bytes = render(&ledger, fonts).unwrap();
    let pages = fengqiao_documents::layout(&ledger, fonts).unwrap().pages.len();
    println!("台账 {pages} 页 {} 字节，{:.1} ms", bytes.len(), t.elapsed().as_secs_f64() * 1e3);
    std::fs::write(out.join("demo_ledger.pdf"), &bytes).unwrap();
}
