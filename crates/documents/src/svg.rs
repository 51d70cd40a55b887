//! SVG backend: a laid-out page drawn as the PDF backend draws it — the same rules, and every
//! glyph as its outline from the same font file, at the same place — for a preview inside the
//! app (a webview cannot be relied on to show a PDF, and office PCs have no `pdftoppm`).
//!
//! Each glyph used on the page is defined once (`<path id>` in font units) and placed with a
//! `<use>` scaled to its size, so a page of 600 characters stays a few hundred KB.

use std::collections::BTreeMap;
use std::fmt::Write;

use allsorts::binary::read::ReadScope;
use allsorts::cff::outline::CFFOutlines;
use allsorts::cff::CFF;
use allsorts::font_data::FontData;
use allsorts::outline::{OutlineBuilder, OutlineSink};
use allsorts::pathfinder_geometry::line_segment::LineSegment2F;
use allsorts::pathfinder_geometry::vector::Vector2F;
use allsorts::tables::glyf::{GlyfVisitorContext, LocaGlyf};
use allsorts::tables::loca::{owned, LocaTable};
use allsorts::tables::{FontTableProvider, HeadTable, MaxpTable};
use allsorts::tag;

use crate::error::{DocError, Result};
use crate::fonts::{Face, FontSet};
use crate::layout::{Item, Page};

/// The page as a standalone SVG document, 1 user unit = 1 pt, white paper, black ink.
pub fn page_svg(page: &Page, fonts: &FontSet) -> Result<String> {
    // Which glyphs of which faces the page uses.
    let mut wanted: BTreeMap<usize, Vec<u16>> = BTreeMap::new();
    for run in page.runs() {
        for g in run.glyphs.iter().filter(|g| !g.ch.is_whitespace()) {
            let gids = wanted.entry(g.glyph.face).or_default();
            if !gids.contains(&g.glyph.gid) {
                gids.push(g.glyph.gid);
            }
        }
    }

    let (w, h) = (page.width, page.height);
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {w:.2} {h:.2}" width="{w:.2}pt" height="{h:.2}pt"><rect width="100%" height="100%" fill="white"/><defs>"#
    );
    let mut upem: BTreeMap<usize, f32> = BTreeMap::new();
    for (&face_no, gids) in &wanted {
        let face = fonts.face(face_no).ok_or_else(|| DocError::Layout("预览".into(), format!("字体 {face_no} 未能加载")))?;
        upem.insert(face_no, face.upem);
        for (gid, d) in outlines(face, gids)? {
            let _ = write!(out, r#"<path id="g{face_no}-{gid}" d="{d}"/>"#);
        }
    }
    out.push_str("</defs>");

    // Rules.
    out.push_str(r#"<g stroke="black" stroke-linecap="square" fill="none">"#);
    for item in &page.items {
        if let Item::Rule(r) = item {
            let _ = write!(out, r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke-width="{}"/>"#, r.x1, r.y1, r.x2, r.y2, r.width);
        }
    }
    out.push_str("</g>");

    // Text: each glyph scaled from font units (y up) to its size at its place (y down).
    out.push_str(r#"<g fill="black">"#);
    for run in page.runs() {
        let stroke = if run.bold {
            // The PDF's simulated bold: fill and stroke with a line of 3% of the size.
            format!(r#" stroke="black" stroke-width="{:.1}""#, 0.03 * upem.values().next().copied().unwrap_or(1000.0))
        } else {
            String::new()
        };
        for g in run.glyphs.iter().filter(|g| !g.ch.is_whitespace()) {
            let s = run.size / upem.get(&g.glyph.face).copied().unwrap_or(1000.0);
            let _ = write!(
                out,
                r##"<use xlink:href="#g{}-{}" transform="matrix({s:.5} 0 0 {:.5} {:.2} {:.2})"{stroke}/>"##,
                g.glyph.face, g.glyph.gid, -s, g.x, run.baseline
            );
        }
    }
    out.push_str("</g></svg>");
    Ok(out)
}

/// SVG path data of each glyph, in font units, read from the face's own file (CFF or glyf).
fn outlines(face: &Face, gids: &[u16]) -> Result<Vec<(u16, String)>> {
    let fail = |what: String| DocError::Layout("预览".into(), what);
    let bytes = face.font.source_bytes().ok_or_else(|| fail("字体文件的数据不可用".into()))?;
    let scope = ReadScope::new(bytes.as_slice());
    let data = scope.read::<FontData<'_>>().map_err(|e| fail(format!("字体无法读取：{e}")))?;
    let provider = data.table_provider(face.index).map_err(|e| fail(format!("字体无法读取：{e}")))?;
    let mut found = Vec::with_capacity(gids.len());
    let mut each = |builder: &mut dyn FnMut(u16, &mut PathSink) -> bool| {
        for &gid in gids {
            let mut sink = PathSink::default();
            if builder(gid, &mut sink) {
                found.push((gid, sink.d));
            }
        }
    };
    if let Some(cff_data) = provider.table_data(tag::CFF).map_err(|e| fail(format!("字体无法读取：{e}")))? {
        let cff = ReadScope::new(&cff_data).read::<CFF<'_>>().map_err(|e| fail(format!("字体的CFF表无法读取：{e}")))?;
        let mut outlines = CFFOutlines { table: &cff };
        each(&mut |gid, sink| outlines.visit(gid, None, sink).is_ok());
    } else {
        let read = |t| provider.read_table_data(t).map_err(|e| fail(format!("字体无法读取：{e}")));
        let head = read(tag::HEAD)?;
        let head = ReadScope::new(&head).read::<HeadTable>().map_err(|e| fail(format!("字体无法读取：{e}")))?;
        let maxp = read(tag::MAXP)?;
        let maxp = ReadScope::new(&maxp).read::<MaxpTable>().map_err(|e| fail(format!("字体无法读取：{e}")))?;
        let loca = read(tag::LOCA)?;
        let loca = ReadScope::new(&loca)
            .read_dep::<LocaTable<'_>>((maxp.num_glyphs, head.index_to_loc_format))
            .map_err(|e| fail(format!("字体无法读取：{e}")))?;
        let glyf = read(tag::GLYF)?;
        let mut loca_glyf = LocaGlyf::loaded(owned::LocaTable::from(&loca), Box::from(&*glyf));
        let mut ctx = GlyfVisitorContext::new(&mut loca_glyf, None);
        each(&mut |gid, sink| ctx.visit(gid, None, sink).is_ok());
    }
    Ok(found)
}

#[derive(Default)]
struct PathSink {
    d: String,
}

impl OutlineSink for PathSink {
    fn move_to(&mut self, to: Vector2F) {
        let _ = write!(self.d, "M{} {}", to.x(), to.y());
    }

    fn line_to(&mut self, to: Vector2F) {
        let _ = write!(self.d, "L{} {}", to.x(), to.y());
    }

    fn quadratic_curve_to(&mut self, c: Vector2F, to: Vector2F) {
        let _ = write!(self.d, "Q{} {} {} {}", c.x(), c.y(), to.x(), to.y());
    }

    fn cubic_curve_to(&mut self, c: LineSegment2F, to: Vector2F) {
        let _ = write!(self.d, "C{} {} {} {} {} {}", c.from_x(), c.from_y(), c.to_x(), c.to_y(), to.x(), to.y());
    }

    fn close(&mut self) {
        self.d.push('Z');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn a_page_becomes_svg_with_every_glyph_outlined() {
        let fonts = FontSet::shared_default();
        let mut doc = Document::portrait("人民调解协议书");
        doc.push(Paragraph::new("甲方张三与乙方李四因相邻关系纠纷达成协议。"));
        let pages = crate::paginate(&doc, fonts).unwrap();
        let svg = page_svg(&pages[0], fonts).unwrap();
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        // A4 in pt.
        assert!(svg.contains(r#"viewBox="0 0 595.28 841.89""#), "{}", &svg[..200]);
        // Every distinct glyph defined once with a real outline, used as often as it is drawn.
        let zhang = fonts.glyph('张').unwrap();
        let def = format!(r#"<path id="g{}-{}" d="M"#, zhang.face, zhang.gid);
        assert_eq!(svg.matches(&def).count(), 1, "张 has an outline");
        let drawn: usize = pages[0].runs().map(|r| r.glyphs.iter().filter(|g| !g.ch.is_whitespace()).count()).sum();
        assert_eq!(svg.matches("<use ").count(), drawn);
        assert!(svg.contains("<path id=") && !svg.contains(r#"d="""#), "no empty outline");
    }
}
