//! The document model: what a form says, not where it lands on paper.
//! Sizes are in pt for type and mm for paper, as a clerk's template states them.

/// Chinese type sizes (字号) in pt.
pub mod size {
    pub const ER_HAO: f32 = 22.0; // 二号: titles
    pub const SAN_HAO: f32 = 16.0; // 三号: body text
    pub const XIAO_SAN: f32 = 15.0;
    pub const SI_HAO: f32 = 14.0; // 四号
    pub const XIAO_SI: f32 = 12.0; // 小四: tables
    pub const WU_HAO: f32 = 10.5; // 五号: ledgers
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Orientation {
    /// A4 portrait with GB/T 9704 margins (top 37 mm, left 28 mm, text block 156 × 225 mm).
    #[default]
    Portrait,
    /// A4 landscape for ledgers and wide tables.
    Landscape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PageNumbers {
    None,
    /// "— 1 —" (GB/T 9704).
    #[default]
    Dash,
    /// "第 1 页 共 N 页".
    OfTotal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    /// Both edges flush; the last line of a paragraph stays left.
    Justify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VAlign {
    Top,
    #[default]
    Middle,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub title: String,
    /// Printed as "编号：…" at the right under the title.
    pub number: Option<String>,
    pub orientation: Orientation,
    /// Body type size in pt: 三号 (16) portrait, 小四 (12) landscape by default.
    pub body_size: f32,
    pub page_numbers: PageNumbers,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn portrait(title: impl Into<String>) -> Self {
        Document {
            title: title.into(),
            number: None,
            orientation: Orientation::Portrait,
            body_size: size::SAN_HAO,
            page_numbers: PageNumbers::Dash,
            blocks: Vec::new(),
        }
    }

    pub fn landscape(title: impl Into<String>) -> Self {
        Document { orientation: Orientation::Landscape, body_size: size::XIAO_SI, page_numbers: PageNumbers::OfTotal, ..Document::portrait(title) }
    }

    pub fn with_number(mut self, number: impl Into<String>) -> Self {
        self.number = Some(number.into());
        self
    }

    pub fn push(&mut self, block: impl Into<Block>) -> &mut Self {
        self.blocks.push(block.into());
        self
    }

    /// Every piece of text the document prints (for the character check).
    pub fn texts(&self) -> Vec<&str> {
        let mut out = vec![self.title.as_str()];
        out.extend(self.number.as_deref());
        for b in &self.blocks {
            b.collect_texts(&mut out);
        }
        out
    }
}

/// A run of paragraph text: plain, or a fill-in field printed underlined
/// (blank fields leave `min_chars` of underline for handwriting).
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    Text(String),
    Field { value: String, min_chars: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    pub content: Vec<Inline>,
    /// First-line indent of two characters (首行缩进两字).
    pub indent: bool,
    pub align: Align,
    /// Type size in pt; `None` = the document's body size.
    pub size: Option<f32>,
    pub bold: bool,
}

impl Paragraph {
    /// A body paragraph: justified, first line indented two characters.
    pub fn new(text: impl Into<String>) -> Self {
        Paragraph::runs(vec![Inline::Text(text.into())])
    }

    /// Built from runs; an empty field is a blank to fill by hand.
    pub fn runs(content: Vec<Inline>) -> Self {
        Paragraph { content, indent: true, align: Align::Justify, size: None, bold: false }
    }

    pub fn no_indent(mut self) -> Self {
        self.indent = false;
        self
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    pub fn size(mut self, pt: f32) -> Self {
        self.size = Some(pt);
        self
    }

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
}

pub fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// A fill-in field: the value underlined, padded with blank underline to `min_chars`.
pub fn field(value: impl Into<String>, min_chars: usize) -> Inline {
    Inline::Field { value: value.into(), min_chars }
}

/// A ruled grid (登记表). Column widths are in mm and are scaled to the text block width.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Grid {
    pub columns: Vec<f32>,
    pub rows: Vec<Row>,
    /// Leading rows repeated at the top of each page the grid continues on.
    pub header_rows: usize,
    /// Type size in pt; `None` = 小四 portrait, the body size landscape.
    pub size: Option<f32>,
}

impl Grid {
    pub fn new(columns: &[f32]) -> Self {
        Grid { columns: columns.to_vec(), ..Grid::default() }
    }

    pub fn row(mut self, row: Row) -> Self {
        self.rows.push(row);
        self
    }

    pub fn header_rows(mut self, n: usize) -> Self {
        self.header_rows = n;
        self
    }

    pub fn size(mut self, pt: f32) -> Self {
        self.size = Some(pt);
        self
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// Minimum height in mm (room for handwriting).
    pub min_height: f32,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Self {
        Row { cells, min_height: 0.0 }
    }

    /// An empty row for handwriting: `columns` value cells, `height_mm` tall.
    pub fn blank(columns: usize, height_mm: f32) -> Self {
        Row { cells: (0..columns).map(|_| Cell::value("")).collect(), min_height: height_mm }
    }

    pub fn min_height(mut self, mm: f32) -> Self {
        self.min_height = mm;
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    /// Label cells are centred; value cells start at the left.
    pub label: bool,
    pub colspan: usize,
    pub rowspan: usize,
    pub align: Option<Align>,
    pub valign: VAlign,
}

impl Cell {
    pub fn label(text: impl Into<String>) -> Self {
        Cell { text: text.into(), label: true, colspan: 1, rowspan: 1, align: None, valign: VAlign::Middle }
    }

    pub fn value(text: impl Into<String>) -> Self {
        Cell { label: false, ..Cell::label(text) }
    }

    pub fn span(mut self, columns: usize) -> Self {
        self.colspan = columns.max(1);
        self
    }

    pub fn rows(mut self, rows: usize) -> Self {
        self.rowspan = rows.max(1);
        self
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = Some(align);
        self
    }

    pub fn top(mut self) -> Self {
        self.valign = VAlign::Top;
        self
    }

    pub(crate) fn effective_align(&self) -> Align {
        self.align.unwrap_or(if self.label { Align::Center } else { Align::Left })
    }
}

/// "label：value" written over ruled lines, with at least `lines` lines (blank ones for
/// handwriting), e.g. "纠纷主要事实、争议事项：".
#[derive(Clone, Debug, PartialEq)]
pub struct FillLine {
    pub label: String,
    pub value: String,
    pub lines: usize,
}

impl FillLine {
    pub fn new(label: impl Into<String>, value: impl Into<String>, lines: usize) -> Self {
        FillLine { label: label.into(), value: value.into(), lines: lines.max(1) }
    }
}

/// The date under a signature or seal.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum DateLine {
    None,
    /// "年　月　日", filled by hand.
    #[default]
    Blank,
    /// A printed date, e.g. "2024年5月6日".
    Printed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SignEntry {
    /// e.g. "当事人（签名盖章或按指印）".
    pub label: String,
    /// A name printed beside the line (the signature itself is by hand).
    pub name: Option<String>,
}

/// Signature lines; kept on one page with the last lines of the text they sign.
#[derive(Clone, Debug, PartialEq)]
pub struct Signatures {
    pub entries: Vec<SignEntry>,
    /// 1 = entries in the right part of the page; 2 = two columns.
    pub columns: usize,
    pub date: DateLine,
}

impl Signatures {
    pub fn new(labels: &[&str]) -> Self {
        Signatures { entries: labels.iter().map(|l| SignEntry { label: (*l).into(), name: None }).collect(), columns: 1, date: DateLine::Blank }
    }

    pub fn entry(mut self, label: impl Into<String>, name: Option<String>) -> Self {
        self.entries.push(SignEntry { label: label.into(), name });
        self
    }

    pub fn columns(mut self, n: usize) -> Self {
        self.columns = n.clamp(1, 2);
        self
    }

    pub fn date(mut self, date: DateLine) -> Self {
        self.date = date;
        self
    }
}

/// "＿＿人民调解委员会（印章）" and the date; the seal itself is applied by hand.
#[derive(Clone, Debug, PartialEq)]
pub struct Seal {
    /// Full name, e.g. "城关镇人民调解委员会"; `None` prints a blank before "人民调解委员会".
    pub committee: Option<String>,
    pub date: DateLine,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Auto-numbered heading: level 1 "一、", level 2 "（一）", level 3 "1．".
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Paragraph),
    Grid(Grid),
    FillLine(FillLine),
    Signatures(Signatures),
    Seal(Seal),
    /// Vertical space in mm (dropped at the top of a page).
    Space(f32),
    PageBreak,
    /// Blocks that go on one page together (unless they are longer than a page).
    KeepTogether(Vec<Block>),
}

impl Block {
    pub fn heading(level: u8, text: impl Into<String>) -> Self {
        Block::Heading { level: level.clamp(1, 3), text: text.into() }
    }

    fn collect_texts<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Block::Heading { text, .. } => out.push(text),
            Block::Paragraph(p) => out.extend(p.content.iter().map(|i| match i {
                Inline::Text(s) => s.as_str(),
                Inline::Field { value, .. } => value.as_str(),
            })),
            Block::Grid(g) => out.extend(g.rows.iter().flat_map(|r| r.cells.iter().map(|c| c.text.as_str()))),
            Block::FillLine(f) => out.extend([f.label.as_str(), f.value.as_str()]),
            Block::Signatures(s) => {
                for e in &s.entries {
                    out.push(&e.label);
                    out.extend(e.name.as_deref());
                }
                if let DateLine::Printed(d) = &s.date {
                    out.push(d);
                }
            }
            Block::Seal(s) => {
                out.extend(s.committee.as_deref());
                if let DateLine::Printed(d) = &s.date {
                    out.push(d);
                }
            }
            Block::KeepTogether(blocks) => blocks.iter().for_each(|b| b.collect_texts(out)),
            Block::Space(_) | Block::PageBreak => {}
        }
    }
}

impl From<Paragraph> for Block {
    fn from(p: Paragraph) -> Self {
        Block::Paragraph(p)
    }
}

impl From<Grid> for Block {
    fn from(g: Grid) -> Self {
        Block::Grid(g)
    }
}

impl From<FillLine> for Block {
    fn from(f: FillLine) -> Self {
        Block::FillLine(f)
    }
}

impl From<Signatures> for Block {
    fn from(s: Signatures) -> Self {
        Block::Signatures(s)
    }
}

impl From<Seal> for Block {
    fn from(s: Seal) -> Self {
        Block::Seal(s)
    }
}
