//! Layout: blocks become boxes (a text line, a grid row group, a signature row), boxes
//! become pages. Pagination keeps chained boxes together (headings with what follows,
//! a signature block with the last lines it signs, grid header rows with the first body row)
//! and repeats grid header rows at the top of each continued page. A grid row too tall to
//! move whole (a long 纠纷简要情况) is cut between its text lines where the page ends, with a
//! closing rule at the cut.
//!
//! Coordinates are in pt, x from the left edge, y from the top edge of the page.

use crate::error::{DocError, Result};
use crate::fonts::{is_ignorable, FontSet, Glyph};
use crate::linebreak::{break_lines, is_word};
use crate::model::*;

pub const PT_PER_MM: f32 = 72.0 / 25.4;

pub fn mm(v: f32) -> f32 {
    v * PT_PER_MM
}

/// Where an ideographic glyph's baseline sits below the top of its em box (Noto/Adobe CJK:
/// the em box runs from −0.12 em to 0.88 em).
const ASCENT: f32 = 0.88;
const THIN: f32 = 0.5;
const THICK: f32 = 1.0;

#[derive(Clone, Debug, PartialEq)]
pub struct PlacedGlyph {
    pub ch: char,
    pub glyph: Glyph,
    pub x: f32,
}

/// One line of text at one size.
#[derive(Clone, Debug, PartialEq)]
pub struct TextRun {
    pub baseline: f32,
    pub size: f32,
    /// Simulated bold (fill + stroke): one font file serves titles and body.
    pub bold: bool,
    pub glyphs: Vec<PlacedGlyph>,
}

impl TextRun {
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }

    pub fn left(&self) -> f32 {
        self.glyphs.first().map_or(0.0, |g| g.x)
    }

    pub fn right(&self) -> f32 {
        self.glyphs.last().map_or(0.0, |g| g.x + g.glyph.advance * self.size)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
    pub width: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Text(TextRun),
    Rule(Rule),
}

impl Item {
    fn shifted(&self, dy: f32) -> Item {
        match self {
            Item::Text(t) => Item::Text(TextRun { baseline: t.baseline + dy, ..t.clone() }),
            Item::Rule(r) => Item::Rule(Rule { y1: r.y1 + dy, y2: r.y2 + dy, ..r.clone() }),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
}

impl Page {
    /// The page's lines of text, top to bottom (for tests and previews).
    pub fn lines(&self) -> Vec<String> {
        let mut runs: Vec<&TextRun> = self.items.iter().filter_map(|i| if let Item::Text(t) = i { Some(t) } else { None }).collect();
        runs.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(a.left().total_cmp(&b.left())));
        runs.iter().map(|r| r.text()).collect()
    }

    pub fn runs(&self) -> impl Iterator<Item = &TextRun> {
        self.items.iter().filter_map(|i| if let Item::Text(t) = i { Some(t) } else { None })
    }
}

/// A laid-out document: its pages, before page numbers are added.
#[derive(Clone, Debug)]
pub struct Layout {
    pub title: String,
    pub orientation: Orientation,
    pub page_numbers: PageNumbers,
    pub pages: Vec<Page>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub width: f32,
    pub height: f32,
    pub left: f32,
    pub top: f32,
    pub text_w: f32,
    pub text_h: f32,
}

impl Geometry {
    pub fn of(o: Orientation) -> Geometry {
        match o {
            // GB/T 9704-2012 §5.2: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm.
            Orientation::Portrait => {
                Geometry { width: mm(210.0), height: mm(297.0), left: mm(28.0), top: mm(37.0), text_w: mm(156.0), text_h: mm(225.0) }
            }
            Orientation::Landscape => {
                Geometry { width: mm(297.0), height: mm(210.0), left: mm(20.0), top: mm(20.0), text_w: mm(257.0), text_h: mm(160.0) }
            }
        }
    }
}

/// A character ready for line breaking.
#[derive(Clone, Copy, Debug)]
struct Atom {
    ch: char,
    glyph: Option<Glyph>,
    w: f32,
    underline: bool,
}

#[derive(Clone, Debug, Default)]
struct LBox {
    height: f32,
    space_before: f32,
    keep_with_next: bool,
    page_break: bool,
    /// Vertical space only: dropped at the top of a page.
    spacer: bool,
    items: Vec<Item>,
    /// Lines of one paragraph share an id (a signature block pulls the last two along).
    para: Option<usize>,
    table: Option<usize>,
    is_header: bool,
    /// A tall grid row group cut between its text lines, to use in its place when it does
    /// not fit where it falls.
    slices: Option<Vec<LBox>>,
    /// A slice of a cut row: the table's left and right edges, and whether the row goes on
    /// above or below it (a page break there gets a closing rule).
    cut: Option<Cut>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Cut {
    x0: f32,
    x1: f32,
    above: bool,
    below: bool,
}

struct Builder<'a> {
    fonts: &'a FontSet,
    g: Geometry,
    portrait: bool,
    body: f32,
    pitch: f32,
    boxes: Vec<LBox>,
    headers: Vec<Vec<LBox>>,
    counters: [u32; 3],
    next_id: usize,
}

/// Lays out a document. Every character is checked against the fonts first; a character
/// no font has is an error naming it.
pub fn layout(doc: &Document, fonts: &FontSet) -> Result<Layout> {
    for t in doc.texts() {
        fonts.check(t)?;
    }
    let g = Geometry::of(doc.orientation);
    let portrait = doc.orientation == Orientation::Portrait;
    let body = if doc.body_size > 0.0 { doc.body_size } else { size::SAN_HAO };
    // Portrait 三号 on 28.9 pt gives GB/T 9704's 22 lines in the 225 mm text block.
    let pitch = if portrait { body * 1.81 } else { body * 1.6 };
    let mut b = Builder { fonts, g, portrait, body, pitch, boxes: Vec::new(), headers: Vec::new(), counters: [0; 3], next_id: 0 };
    b.title(&doc.title, doc.number.as_deref())?;
    for block in &doc.blocks {
        b.block(block, &doc.title)?;
    }
    let pages = paginate(std::mem::take(&mut b.boxes), &b.headers, &g);
    Ok(Layout { title: doc.title.clone(), orientation: doc.orientation, page_numbers: doc.page_numbers, pages })
}

impl Builder<'_> {
    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn atoms(&self, s: &str, size: f32, underline: bool, out: &mut Vec<Atom>) {
        for ch in s.chars() {
            let ch = if ch == '\t' { ' ' } else { ch };
            if ch == '\n' {
                out.push(Atom { ch, glyph: None, w: 0.0, underline: false });
                continue;
            }
            // `layout` checked every character, so a miss here is only an ignorable one.
            let glyph = if is_ignorable(ch) { None } else { self.fonts.glyph(ch) };
            let w = glyph.map_or(0.0, |g| g.advance * size);
            out.push(Atom { ch, glyph, w, underline });
        }
    }

    fn inline_atoms(&self, content: &[Inline], size: f32) -> Vec<Atom> {
        let mut atoms = Vec::new();
        for part in content {
            match part {
                Inline::Text(s) => self.atoms(s, size, false, &mut atoms),
                Inline::Field { value, min_chars } => {
                    let len = atoms.len();
                    self.atoms(value, size, true, &mut atoms);
                    let width: f32 = atoms[len..].iter().map(|a| a.w).sum();
                    // Pad a short value with blank underline, half before and half after.
                    let missing = ((*min_chars as f32 * size - width) / size).ceil().max(0.0) as usize;
                    let (before, after) = if width == 0.0 { (missing, 0) } else { (missing / 2, missing - missing / 2) };
                    let blank = |n: usize| "\u{3000}".repeat(n);
                    let mut pad = Vec::new();
                    self.atoms(&blank(before), size, true, &mut pad);
                    atoms.splice(len..len, pad);
                    self.atoms(&blank(after), size, true, &mut atoms);
                }
            }
        }
        atoms
    }

    /// Breaks atoms into lines (honouring hard breaks). `first_indent` applies to the
    /// first line of the whole text only.
    fn break_atoms(atoms: &[Atom], first_w: f32, w: f32) -> Vec<(Vec<Atom>, bool)> {
        let mut out = Vec::new();
        let mut first = true;
        for seg in atoms.split(|a| a.ch == '\n') {
            let chars: Vec<char> = seg.iter().map(|a| a.ch).collect();
            let widths: Vec<f32> = seg.iter().map(|a| a.w).collect();
            let ranges = break_lines(&chars, &widths, if first { first_w } else { w }, w);
            if ranges.is_empty() {
                out.push((Vec::new(), true));
            }
            let n = ranges.len();
            for (k, r) in ranges.into_iter().enumerate() {
                out.push((seg[r].to_vec(), k + 1 == n));
            }
            first = false;
        }
        out
    }

    /// Places one line in [x0, x0 + width]; returns the text run and its underlines.
    #[allow(clippy::too_many_arguments)]
    fn place(atoms: &[Atom], x0: f32, width: f32, align: Align, last: bool, size: f32, baseline: f32, bold: bool) -> Vec<Item> {
        let natural: f32 = atoms.iter().map(|a| a.w).sum();
        let mut x = match align {
            Align::Left | Align::Justify => x0,
            Align::Center => x0 + (width - natural) / 2.0,
            Align::Right => x0 + width - natural,
        };
        let mut extra = 0.0;
        if align == Align::Justify && !last && atoms.len() > 1 {
            let gaps = atoms.windows(2).filter(|p| stretchable(p[0].ch, p[1].ch)).count();
            let spare = width - natural;
            // A line pushed short by 避头尾 is spread evenly; a very loose line stays ragged.
            if gaps > 0 && spare > 0.0 && spare / (gaps as f32) < size * 0.5 {
                extra = spare / gaps as f32;
            }
        }
        let mut glyphs = Vec::with_capacity(atoms.len());
        let mut items = Vec::new();
        let mut ul_start: Option<f32> = None;
        for (k, a) in atoms.iter().enumerate() {
            if a.underline && ul_start.is_none() {
                ul_start = Some(x);
            }
            if let Some(g) = a.glyph {
                glyphs.push(PlacedGlyph { ch: a.ch, glyph: g, x });
            }
            x += a.w;
            if let Some(next) = atoms.get(k + 1) {
                if extra > 0.0 && stretchable(a.ch, next.ch) {
                    x += extra;
                }
            }
            let ul_ends = a.underline && atoms.get(k + 1).is_none_or(|n| !n.underline);
            if ul_ends {
                let y = baseline + size * 0.16;
                items.push(Item::Rule(Rule { x1: ul_start.take().unwrap(), y1: y, x2: x, y2: y, width: THIN }));
            }
        }
        items.insert(0, Item::Text(TextRun { baseline, size, bold, glyphs }));
        items
    }

    /// A paragraph-like run of lines, each its own box of height `pitch`.
    #[allow(clippy::too_many_arguments)]
    fn lines(&mut self, atoms: &[Atom], indent: f32, right_indent: f32, align: Align, size: f32, pitch: f32, bold: bool) -> Vec<LBox> {
        let x0 = self.g.left;
        let w = self.g.text_w - right_indent;
        let para = Some(self.id());
        let lines = Self::break_atoms(atoms, w - indent, w);
        let n = lines.len();
        let baseline = (pitch - size) / 2.0 + ASCENT * size;
        lines
            .into_iter()
            .enumerate()
            .map(|(k, (line, last))| {
                let ind = if k == 0 { indent } else { 0.0 };
                LBox {
                    height: pitch,
                    // Widow and orphan control: never one line of a paragraph alone.
                    keep_with_next: n > 1 && (k == 0 || k + 2 == n),
                    items: Self::place(&line, x0 + ind, w - ind, align, last, size, baseline, bold),
                    para,
                    ..LBox::default()
                }
            })
            .collect()
    }

    fn title(&mut self, title: &str, number: Option<&str>) -> Result<()> {
        if !title.is_empty() {
            let mut atoms = Vec::new();
            self.atoms(title, size::ER_HAO, false, &mut atoms);
            let mut lines = self.lines(&atoms, 0.0, 0.0, Align::Center, size::ER_HAO, size::ER_HAO * 1.5, true);
            lines.iter_mut().for_each(|l| l.keep_with_next = true);
            self.boxes.extend(lines);
        }
        if let Some(n) = number {
            let sz = if self.portrait { size::SI_HAO } else { self.body };
            let mut atoms = Vec::new();
            self.atoms(&format!("编号：{n}"), sz, false, &mut atoms);
            let mut lines = self.lines(&atoms, 0.0, 0.0, Align::Right, sz, sz * 1.6, false);
            lines.iter_mut().for_each(|l| l.keep_with_next = true);
            self.boxes.extend(lines);
        }
        self.space(self.pitch * 0.5);
        Ok(())
    }

    fn space(&mut self, h: f32) {
        self.boxes.push(LBox { height: h, spacer: true, ..LBox::default() });
    }

    fn block(&mut self, block: &Block, doc_title: &str) -> Result<()> {
        match block {
            Block::Heading { level, text } => {
                let l = (*level).clamp(1, 3) as usize - 1;
                self.counters[l] += 1;
                self.counters[l + 1..].iter_mut().for_each(|c| *c = 0);
                let n = self.counters[l];
                let label = match l {
                    0 => format!("{}、", chinese_number(n)),
                    1 => format!("（{}）", chinese_number(n)),
                    _ => format!("{n}．"),
                };
                let mut atoms = Vec::new();
                self.atoms(&label, self.body, false, &mut atoms);
                self.atoms(text, self.body, false, &mut atoms);
                let mut lines = self.lines(&atoms, 2.0 * self.body, 0.0, Align::Left, self.body, self.pitch, l == 0);
                lines.iter_mut().for_each(|b| b.keep_with_next = true);
                self.boxes.extend(lines);
            }
            Block::Paragraph(p) => {
                let size = p.size.unwrap_or(self.body);
                let pitch = self.pitch * size / self.body;
                let atoms = self.inline_atoms(&p.content, size);
                let indent = if p.indent { 2.0 * size } else { 0.0 };
                let lines = self.lines(&atoms, indent, 0.0, p.align, size, pitch, p.bold);
                self.boxes.extend(lines);
            }
            Block::Grid(g) => self.grid(g, doc_title)?,
            Block::FillLine(f) => self.fill_line(f),
            Block::Signatures(s) => self.signatures(s),
            Block::Seal(s) => self.seal(s),
            Block::Space(h) => self.space(mm(*h)),
            Block::PageBreak => self.boxes.push(LBox { page_break: true, ..LBox::default() }),
            Block::KeepTogether(blocks) => {
                let from = self.boxes.len();
                for b in blocks {
                    self.block(b, doc_title)?;
                }
                let to = self.boxes.len();
                if to > from {
                    self.boxes[from..to - 1].iter_mut().for_each(|b| b.keep_with_next = true);
                }
            }
        }
        Ok(())
    }

    /// Chains what comes next to the text before it: the last line, and the one before it
    /// when both belong to one paragraph, move to the next page together with it.
    fn keep_with_previous(&mut self) {
        let n = self.boxes.len();
        let Some(last) = self.boxes[..n].iter().rposition(|b| !b.spacer && !b.page_break) else {
            return;
        };
        if self.boxes[n - 1].page_break {
            return;
        }
        self.boxes[last..n].iter_mut().for_each(|b| b.keep_with_next = true);
        if last > 0 && self.boxes[last].para.is_some() && self.boxes[last - 1].para == self.boxes[last].para {
            self.boxes[last - 1].keep_with_next = true;
        }
    }

    fn fill_line(&mut self, f: &FillLine) {
        let size = self.body;
        let x0 = self.g.left;
        let right = x0 + self.g.text_w;
        let mut label_atoms = Vec::new();
        let label = if f.label.is_empty() || f.label.ends_with('：') { f.label.clone() } else { format!("{}：", f.label) };
        self.atoms(&label, size, false, &mut label_atoms);
        let label_w: f32 = label_atoms.iter().map(|a| a.w).sum();
        let mut value = Vec::new();
        self.atoms(&f.value, size, false, &mut value);
        let mut lines = Self::break_atoms(&value, self.g.text_w - label_w - size * 0.5, self.g.text_w);
        if lines.len() == 1 && lines[0].0.is_empty() {
            lines.clear();
        }
        let count = lines.len().max(f.lines);
        let baseline = (self.pitch - size) / 2.0 + ASCENT * size;
        let rule_y = baseline + size * 0.2;
        let para = Some(self.id());
        for k in 0..count {
            let mut items = Vec::new();
            let mut start = x0;
            if k == 0 && !label_atoms.is_empty() {
                items.extend(Self::place(&label_atoms, x0, label_w, Align::Left, true, size, baseline, false));
                start = x0 + label_w;
            }
            if let Some((line, last)) = lines.get(k) {
                let text_x = if k == 0 { start + size * 0.5 } else { start };
                items.extend(Self::place(line, text_x, right - text_x, Align::Justify, *last, size, baseline, false));
            }
            items.push(Item::Rule(Rule { x1: start, y1: rule_y, x2: right, y2: rule_y, width: THIN }));
            self.boxes.push(LBox { height: self.pitch, keep_with_next: k == 0 && count > 1, items, para, ..LBox::default() });
        }
    }

    fn text_width(&self, s: &str, size: f32) -> f32 {
        s.chars().filter_map(|c| self.fonts.glyph(c)).map(|g| g.advance * size).sum()
    }

    fn run(&self, s: &str, x: f32, size: f32, baseline: f32) -> Vec<Item> {
        let mut atoms = Vec::new();
        self.atoms(s, size, false, &mut atoms);
        Self::place(&atoms, x, f32::MAX, Align::Left, true, size, baseline, false)
    }

    fn date_box(&mut self, date: &DateLine) {
        let text = match date {
            DateLine::None => return,
            DateLine::Blank => "年　　月　　日".to_string(),
            DateLine::Printed(d) => d.clone(),
        };
        let mut atoms = Vec::new();
        self.atoms(&text, self.body, false, &mut atoms);
        self.right_lines(&atoms);
    }

    /// Body lines set flush right, two characters in from the edge (signature side).
    fn right_lines(&mut self, atoms: &[Atom]) {
        let size = self.body;
        let mut b = self.lines(atoms, 0.0, 2.0 * size, Align::Right, size, self.pitch, false);
        self.boxes.append(&mut b);
    }

    fn signatures(&mut self, s: &Signatures) {
        self.keep_with_previous();
        let size = self.body;
        let right = self.g.left + self.g.text_w;
        let labels: Vec<String> = s.entries.iter().map(|e| format!("{}：", e.label.trim_end_matches('：'))).collect();
        let widest = labels.iter().map(|l| self.text_width(l, size)).fold(0.0, f32::max);
        // Two columns only when each label still leaves room for about five characters.
        let cols = if s.columns >= 2 && widest + 6.0 * size <= self.g.text_w / 2.0 { 2 } else { 1 };
        let col_w = self.g.text_w / cols as f32;
        // One column: labels line up in the right part of the page with ~6 characters to sign.
        let x_single = (right - widest - 6.0 * size).clamp(self.g.left, self.g.left + self.g.text_w * 0.45);
        let row_h = self.pitch * 1.3;
        let baseline = row_h - self.pitch + (self.pitch - size) / 2.0 + ASCENT * size;
        let first = self.boxes.len();
        for chunk in s.entries.iter().zip(&labels).collect::<Vec<_>>().chunks(cols) {
            let mut items = Vec::new();
            for (c, (entry, label)) in chunk.iter().enumerate() {
                let x = if cols == 1 { x_single } else { self.g.left + c as f32 * col_w };
                let end = if cols == 1 { right } else { x + col_w - size };
                items.extend(self.run(label, x, size, baseline));
                let line_x = x + self.text_width(label, size);
                if let Some(name) = &entry.name {
                    items.extend(self.run(name, line_x + size * 0.5, size, baseline));
                }
                let y = baseline + size * 0.2;
                if end - line_x > size {
                    items.push(Item::Rule(Rule { x1: line_x, y1: y, x2: end, y2: y, width: THIN }));
                }
            }
            self.boxes.push(LBox { height: row_h, keep_with_next: true, items, ..LBox::default() });
        }
        self.date_box(&s.date);
        if let Some(b) = self.boxes.get_mut(first) {
            b.space_before = self.pitch * 0.3;
        }
        if let Some(b) = self.boxes.last_mut() {
            b.keep_with_next = false;
        }
    }

    fn seal(&mut self, s: &Seal) {
        self.keep_with_previous();
        let size = self.body;
        let content = match &s.committee {
            Some(c) => vec![Inline::Text(format!("{c}（印章）"))],
            None => vec![field("", 6), text("人民调解委员会（印章）")],
        };
        let atoms = self.inline_atoms(&content, size);
        let first = self.boxes.len();
        self.right_lines(&atoms);
        self.date_box(&s.date);
        // Room above the name for the seal, which is stamped over name and date.
        self.boxes[first].space_before = self.pitch;
        let n = self.boxes.len();
        self.boxes[first..n - 1].iter_mut().for_each(|b| b.keep_with_next = true);
        self.boxes[n - 1].keep_with_next = false;
    }

    fn grid(&mut self, grid: &Grid, doc_title: &str) -> Result<()> {
        let ncols = grid.columns.len();
        if ncols == 0 || grid.rows.is_empty() {
            return Ok(());
        }
        let size = grid.size.unwrap_or(if self.portrait { size::XIAO_SI } else { self.body });
        let cpitch = size * 1.45;
        let (padh, padv) = (mm(1.5), mm(1.2));
        let total: f32 = grid.columns.iter().map(|w| w.max(0.0)).sum();
        let scale = if total > 0.0 { self.g.text_w / total } else { 0.0 };
        let mut xs = vec![self.g.left];
        for w in &grid.columns {
            xs.push(xs.last().unwrap() + w.max(0.0) * scale);
        }

        // Place cells on the grid, honouring spans.
        struct Placed<'c> {
            cell: &'c Cell,
            row: usize,
            col: usize,
            lines: Vec<(Vec<Atom>, bool)>,
        }
        let nrows = grid.rows.len();
        let mut busy = vec![0usize; ncols]; // rows still covered by a rowspan from above
        let mut placed = Vec::new();
        for (r, row) in grid.rows.iter().enumerate() {
            let mut col = 0;
            let mut cells = row.cells.iter();
            loop {
                while col < ncols && busy[col] > 0 {
                    col += 1;
                }
                let Some(cell) = cells.next() else { break };
                let span = cell.colspan.max(1);
                if col + span > ncols || (col..col + span).any(|c| busy[c] > 0) {
                    return Err(shape_error(doc_title, r, grid, ncols));
                }
                let rows = cell.rowspan.clamp(1, nrows - r);
                let inner = xs[col + span] - xs[col] - 2.0 * padh;
                let mut atoms = Vec::new();
                self.atoms(&cell.text, size, false, &mut atoms);
                let lines = if cell.text.is_empty() { Vec::new() } else { Self::break_atoms(&atoms, inner, inner) };
                (col..col + span).for_each(|c| busy[c] = rows);
                placed.push(Placed { cell, row: r, col, lines });
                col += span;
            }
            if busy.contains(&0) {
                return Err(shape_error(doc_title, r, grid, ncols));
            }
            busy.iter_mut().for_each(|b| *b -= 1);
        }

        let need = |p: &Placed| p.lines.len().max(1) as f32 * cpitch + 2.0 * padv;
        let mut heights: Vec<f32> = grid.rows.iter().map(|r| mm(r.min_height).max(cpitch + 2.0 * padv)).collect();
        for p in placed.iter().filter(|p| p.cell.rowspan <= 1) {
            heights[p.row] = heights[p.row].max(need(p));
        }
        for p in placed.iter().filter(|p| p.cell.rowspan > 1) {
            let rows = p.row..(p.row + p.cell.rowspan).min(nrows);
            let have: f32 = heights[rows.clone()].iter().sum();
            if need(p) > have {
                heights[rows.end - 1] += need(p) - have;
            }
        }

        // Rows linked by a rowspan form one box.
        let mut groups = Vec::new();
        let mut start = 0;
        while start < nrows {
            let mut end = start + 1;
            let mut k = start;
            while k < end {
                for p in placed.iter().filter(|p| p.row == k) {
                    end = end.max(p.row + p.cell.rowspan.min(nrows - p.row));
                }
                k += 1;
            }
            groups.push(start..end);
            start = end;
        }

        let table = self.headers.len();
        self.headers.push(Vec::new());
        let right = xs[ncols];
        // The cells of one group of rows drawn from `y = 0`; `top` forces every cell to the
        // top (a row that is cut across pages). Returns the items and the text lines' bands.
        let draw = |rows: &std::ops::Range<usize>, top: bool| -> (Vec<Item>, Vec<(f32, f32)>, f32) {
            let top_of = |r: usize| heights[rows.start..r].iter().sum::<f32>();
            let height = top_of(rows.end);
            let mut items = Vec::new();
            let mut bands = Vec::new();
            for p in placed.iter().filter(|p| rows.contains(&p.row)) {
                let y0 = top_of(p.row);
                let y1 = top_of((p.row + p.cell.rowspan).min(rows.end));
                let (x0, x1) = (xs[p.col], xs[p.col + p.cell.colspan.max(1)]);
                let top_w = if p.row == 0 { THICK } else { THIN };
                let left_w = if p.col == 0 { THICK } else { THIN };
                items.push(Item::Rule(Rule { x1: x0, y1: y0, x2: x1, y2: y0, width: top_w }));
                items.push(Item::Rule(Rule { x1: x0, y1: y0, x2: x0, y2: y1, width: left_w }));
                let text_h = p.lines.len() as f32 * cpitch;
                let mut y = match (top, p.cell.valign) {
                    (true, _) | (_, VAlign::Top) => y0 + padv,
                    (false, VAlign::Middle) => y0 + (y1 - y0 - text_h) / 2.0,
                };
                for (line, last) in &p.lines {
                    let baseline = y + (cpitch - size) / 2.0 + ASCENT * size;
                    let align = p.cell.effective_align();
                    items.extend(Self::place(line, x0 + padh, x1 - x0 - 2.0 * padh, align, *last, size, baseline, false));
                    bands.push((y, y + cpitch));
                    y += cpitch;
                }
            }
            let bottom_w = if rows.end == nrows { THICK } else { THIN };
            items.push(Item::Rule(Rule { x1: right, y1: 0.0, x2: right, y2: height, width: THICK }));
            items.push(Item::Rule(Rule { x1: xs[0], y1: height, x2: right, y2: height, width: bottom_w }));
            (items, bands, height)
        };
        for rows in &groups {
            let (items, _, height) = draw(rows, false);
            let is_header = rows.end <= grid.header_rows;
            // A tall group may be cut between text lines where it falls at a page's foot
            // (a long 纠纷简要情况 in one cell); pagination decides, see `paginate`.
            let slices = if !is_header && height > self.g.text_h / 3.0 {
                let (items, bands, height) = draw(rows, true);
                let row_tops = (rows.start + 1..rows.end).map(|r| heights[rows.start..r].iter().sum::<f32>());
                let slices = slice_group(&items, &bands, row_tops, height, xs[0], right, table);
                (slices.len() > 1).then_some(slices)
            } else {
                None
            };
            let b = LBox { height, keep_with_next: is_header, items, table: Some(table), is_header, slices, ..LBox::default() };
            if is_header {
                self.headers[table].push(b.clone());
            }
            self.boxes.push(b);
        }
        // Breathing room between a grid and the text under it.
        self.space(self.pitch * 0.25);
        Ok(())
    }
}

/// Justification spreads every gap except those inside a Latin word or number.
fn stretchable(a: char, b: char) -> bool {
    !(is_word(a) && is_word(b))
}

fn shape_error(doc_title: &str, row: usize, grid: &Grid, want: usize) -> DocError {
    let got = grid.rows[row].cells.iter().map(|c| c.colspan.max(1)).sum();
    DocError::GridShape { table: doc_title.to_string(), row: row + 1, got, want }
}

/// 1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (headings rarely pass 99).
pub fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n % 10) as usize] }),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }),
        _ => n.to_string(),
    }
}

/// Cuts a drawn group of grid rows (y from 0 to `height`) into slices at the foot of each
/// text line and at row boundaries, never through a line. Text goes with the slice its
/// baseline is in, horizontal rules with the slice they top (the bottom rule with the last),
/// vertical rules are clipped to each slice.
fn slice_group(items: &[Item], bands: &[(f32, f32)], row_tops: impl Iterator<Item = f32>, height: f32, x0: f32, x1: f32, table: usize) -> Vec<LBox> {
    const EPS: f32 = 0.01;
    let mut cuts: Vec<f32> = bands
        .iter()
        .map(|b| b.1)
        .chain(row_tops)
        .filter(|&c| c > EPS && c < height - EPS)
        .filter(|&c| !bands.iter().any(|b| b.0 + EPS < c && c < b.1 - EPS))
        .collect();
    cuts.sort_by(f32::total_cmp);
    cuts.dedup_by(|a, b| (*a - *b).abs() < EPS);
    let mut edges = vec![0.0];
    edges.extend(cuts);
    edges.push(height);
    let n = edges.len() - 1;
    let mut slices: Vec<LBox> = (0..n)
        .map(|k| LBox {
            height: edges[k + 1] - edges[k],
            // No single line of the row alone at a page's foot or head.
            keep_with_next: n > 2 && (k == 0 || k + 2 == n),
            table: Some(table),
            cut: Some(Cut { x0, x1, above: k > 0, below: k + 1 < n }),
            ..LBox::default()
        })
        .collect();
    let slice_of = |y: f32| edges[1..n].iter().position(|&e| y < e - EPS).unwrap_or(n - 1);
    for item in items {
        match item {
            Item::Text(t) => {
                let k = slice_of(t.baseline);
                slices[k].items.push(item.shifted(-edges[k]));
            }
            Item::Rule(r) if (r.y1 - r.y2).abs() < EPS => {
                let k = slice_of(r.y1);
                slices[k].items.push(item.shifted(-edges[k]));
            }
            Item::Rule(r) => {
                let (top, bottom) = (r.y1.min(r.y2), r.y1.max(r.y2));
                for k in 0..n {
                    let (a, b) = (top.max(edges[k]), bottom.min(edges[k + 1]));
                    if b - a > EPS {
                        slices[k].items.push(Item::Rule(Rule { y1: a - edges[k], y2: b - edges[k], ..r.clone() }));
                    }
                }
            }
        }
    }
    slices
}

/// One finished page: the repeated header rows of the table it continues, then its boxes,
/// closing a row cut at the page's head or foot with a rule.
fn flush(
    boxes: &[LBox],
    headers: &[Vec<LBox>],
    g: &Geometry,
    cur: &mut Vec<(usize, f32)>,
    header: &mut Option<(usize, f32)>,
    y: &mut f32,
    pages: &mut Vec<Page>,
) {
    let mut items = Vec::new();
    let mut hy = 0.0;
    if let Some((t, _)) = header.take() {
        for h in &headers[t] {
            items.extend(h.items.iter().map(|it| it.shifted(g.top + hy)));
            hy += h.height;
        }
    }
    let rule = |c: &Cut, y: f32| Item::Rule(Rule { x1: c.x0, y1: y, x2: c.x1, y2: y, width: THIN });
    if let Some(&(k, at)) = cur.first() {
        if let Some(c) = boxes[k].cut.filter(|c| c.above) {
            items.push(rule(&c, g.top + at));
        }
    }
    if let Some(&(k, at)) = cur.last() {
        if let Some(c) = boxes[k].cut.filter(|c| c.below) {
            items.push(rule(&c, g.top + at + boxes[k].height));
        }
    }
    for (k, at) in cur.drain(..) {
        items.extend(boxes[k].items.iter().map(|it| it.shifted(g.top + at)));
    }
    pages.push(Page { width: g.width, height: g.height, items });
    *y = 0.0;
}

fn paginate(mut boxes: Vec<LBox>, headers: &[Vec<LBox>], g: &Geometry) -> Vec<Page> {
    let cap = g.text_h + 0.5;
    let mut pages = Vec::new();
    let mut cur: Vec<(usize, f32)> = Vec::new();
    let mut header: Option<(usize, f32)> = None;
    let mut y = 0.0;
    let mut first = 0;
    let mut i = 0;
    while i < boxes.len() {
        if boxes[i].page_break {
            if !cur.is_empty() {
                flush(&boxes, headers, g, &mut cur, &mut header, &mut y, &mut pages);
            }
            i += 1;
            continue;
        }
        if cur.is_empty() {
            if boxes[i].spacer {
                i += 1;
                continue;
            }
            first = i;
            let b = &boxes[i];
            if let (Some(t), false) = (b.table, b.is_header) {
                let h: f32 = headers[t].iter().map(|h| h.height).sum();
                let smallest = b.slices.as_ref().map_or(b.height, |s| s[0].height);
                if h > 0.0 && h + smallest <= cap {
                    header = Some((t, h));
                    y = h;
                }
            }
        }
        let b = &boxes[i];
        let before = if cur.is_empty() { 0.0 } else { b.space_before };
        if y + before + b.height <= cap {
            cur.push((i, y + before));
            y += before + b.height;
            i += 1;
            continue;
        }
        // A tall row that does not fit is cut where the page ends when it could never fit
        // a page, or when at least two of its lines fit here.
        if let Some(slices) = &b.slices {
            let head: f32 = b.table.map_or(0.0, |t| headers[t].iter().map(|h| h.height).sum());
            let fresh = cap - head;
            let room = cap - y - before;
            if b.height > fresh || room >= slices[0].height + slices[1].height {
                let slices = boxes[i].slices.take().unwrap_or_default();
                let space = boxes[i].space_before;
                boxes.splice(i..=i, slices);
                boxes[i].space_before = space;
                continue;
            }
        }
        if cur.is_empty() {
            cur.push((i, y));
            y += b.height;
            i += 1;
            continue;
        }
        // Does not fit: move the chain of kept-together boxes ending here along with it,
        // unless the chain fills the page from its top.
        let mut k = i;
        while k > first && boxes[k - 1].keep_with_next {
            k -= 1;
        }
        if k > first {
            cur.truncate(k - first);
            i = k;
        }
        flush(&boxes, headers, g, &mut cur, &mut header, &mut y, &mut pages);
    }
    if !cur.is_empty() || pages.is_empty() {
        flush(&boxes, headers, g, &mut cur, &mut header, &mut y, &mut pages);
    }
    pages
}

/// Adds page numbers: page `k` of `pages` gets number `first + k` of `total`.
pub fn number_pages(fonts: &FontSet, pages: &mut [Page], style: PageNumbers, first: u32, total: u32) {
    for (k, page) in pages.iter_mut().enumerate() {
        let n = first + k as u32;
        let text = match style {
            PageNumbers::None => return,
            PageNumbers::Dash => format!("— {n} —"),
            PageNumbers::OfTotal => format!("第 {n} 页  共 {total} 页"),
        };
        let portrait = page.height > page.width;
        let g = Geometry::of(if portrait { Orientation::Portrait } else { Orientation::Landscape });
        let size = if portrait { size::SI_HAO } else { size::WU_HAO };
        // GB/T 9704: the page number sits 7 mm below the text block.
        let baseline = g.top + g.text_h + mm(7.0) + ASCENT * size;
        let mut atoms = Vec::new();
        for ch in text.chars() {
            if let Some(glyph) = fonts.glyph(ch) {
                atoms.push(Atom { ch, glyph: Some(glyph), w: glyph.advance * size, underline: false });
            }
        }
        let items = Builder::place(&atoms, g.left, g.text_w, Align::Center, true, size, baseline, false);
        page.items.extend(items);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
    }
}
