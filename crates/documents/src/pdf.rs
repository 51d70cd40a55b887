//! PDF backend on printpdf 0.12 (feature `text_layout`, so fonts are subset).
//! Text goes in as glyph ids from the font set's cache (`TextItem::GlyphIds`), each carrying
//! its character so the ToUnicode map lets readers copy and search the text.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, FontId, Line, LinePoint, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem, TextMatrix, TextRenderingMode,
};

use crate::error::{DocError, Result};
use crate::fonts::FontSet;
use crate::layout::{Item, Page, PT_PER_MM};

/// Writes laid-out pages (page numbers already added) as one PDF.
pub fn write(title: &str, pages: &[Page], fonts: &FontSet) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(title);
    doc.metadata.info.creator = "枫桥 Fengqiao".into();
    doc.metadata.info.producer = "fengqiao-documents".into();

    // Register only the faces the pages use.
    let mut font_ids: BTreeMap<usize, FontId> = BTreeMap::new();
    for page in pages {
        for run in page.runs() {
            for g in &run.glyphs {
                if let std::collections::btree_map::Entry::Vacant(e) = font_ids.entry(g.glyph.face) {
                    let face =
                        fonts.face(g.glyph.face).ok_or_else(|| DocError::Layout(title.to_string(), format!("字体 {} 未能加载", g.glyph.face)))?;
                    e.insert(doc.add_font(&face.font));
                }
            }
        }
    }

    let pdf_pages = pages.iter().map(|p| page_ops(p, &font_ids)).collect();
    let mut warnings = Vec::new();
    let opts = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    Ok(doc.with_pages(pdf_pages).save(&opts, &mut warnings))
}

fn page_ops(page: &Page, font_ids: &BTreeMap<usize, FontId>) -> PdfPage {
    let h = page.height;
    let mut ops = Vec::new();

    // Rules first, grouped by width so the stream sets each width once.
    let mut widths: Vec<f32> = Vec::new();
    for item in &page.items {
        if let Item::Rule(r) = item {
            if !widths.contains(&r.width) {
                widths.push(r.width);
            }
        }
    }
    for w in widths {
        ops.push(Op::SetOutlineThickness { pt: Pt(w) });
        for item in &page.items {
            if let Item::Rule(r) = item {
                if r.width == w {
                    let pt = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(h - y) }, bezier: false };
                    ops.push(Op::DrawLine { line: Line { points: vec![pt(r.x1, r.y1), pt(r.x2, r.y2)], is_closed: false } });
                }
            }
        }
    }

    ops.push(Op::StartTextSection);
    let mut font: Option<(usize, f32)> = None;
    let mut bold = false;
    for run in page.runs() {
        if run.bold != bold {
            bold = run.bold;
            if bold {
                ops.push(Op::SetOutlineThickness { pt: Pt(run.size * 0.03) });
            }
            let mode = if bold { TextRenderingMode::FillStroke } else { TextRenderingMode::Fill };
            ops.push(Op::SetTextRenderingMode { mode });
        }
        // Split the line into stretches of one face; blanks are skipped and their room
        // becomes kerning, so nothing is drawn for them.
        let glyphs: Vec<_> = run.glyphs.iter().filter(|g| !g.ch.is_whitespace()).collect();
        let mut k = 0;
        while k < glyphs.len() {
            let face = glyphs[k].glyph.face;
            let mut end = k + 1;
            while end < glyphs.len() && glyphs[end].glyph.face == face {
                end += 1;
            }
            if font != Some((face, run.size)) {
                font = Some((face, run.size));
                ops.push(Op::SetFont { font: PdfFontHandle::External(font_ids[&face].clone()), size: Pt(run.size) });
            }
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(glyphs[k].x), Pt(h - run.baseline)) });
            let items = (k..end)
                .map(|j| {
                    let g = glyphs[j];
                    // TJ offsets are thousandths of an em, positive to the left.
                    let offset = match glyphs.get(j + 1).filter(|_| j + 1 < end) {
                        Some(next) => -((next.x - (g.x + g.glyph.advance * run.size)) / run.size * 1000.0),
                        None => 0.0,
                    };
                    let offset = if offset.abs() < 0.05 { 0.0 } else { (offset * 10.0).round() / 10.0 };
                    Codepoint::with_cid(g.glyph.gid, offset, g.ch.to_string())
                })
                .collect();
            ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(items)] });
            k = end;
        }
    }
    ops.push(Op::EndTextSection);
    PdfPage::new(printpdf::Mm(page.width / PT_PER_MM), printpdf::Mm(page.height / PT_PER_MM), ops)
}
