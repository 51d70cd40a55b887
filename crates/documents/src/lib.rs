//! Standardized 司法所 documents: a small document model, its layout engine
//! (Chinese line breaking with 避头尾, pagination that keeps signatures with what they sign,
//! ruled grids with repeated header rows) and a PDF backend on printpdf.
//!
//! ```no_run
//! use fengqiao_documents::{model::*, render, FontSet};
//! let mut doc = Document::portrait("人民调解申请书");
//! doc.push(Paragraph::new("申请人因邻里纠纷申请调解。"));
//! doc.push(Signatures::new(&["申请人（签名盖章或按指印）"]));
//! let pdf: Vec<u8> = render(&doc, FontSet::shared_default()).unwrap();
//! ```

pub mod binder;
pub mod catalogue;
pub mod error;
pub mod fonts;
pub mod layout;
pub mod linebreak;
pub mod model;
pub mod pdf;
pub mod svg;

pub use binder::{bind, bind_pages, Bound, BoundPages, Part, PartPages, Source};
pub use error::{DocError, Result};
pub use fonts::{FontConfig, FontFile, FontSet, Glyph};
pub use layout::{layout, Layout, Page};
pub use model::Document;
pub use svg::page_svg;

/// Lays out one document, numbers its pages in its own style, and writes the PDF.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>> {
    render_counted(doc, fonts).map(|(pdf, _)| pdf)
}

/// [`render`], also saying how many pages the PDF has.
pub fn render_counted(doc: &Document, fonts: &FontSet) -> Result<(Vec<u8>, usize)> {
    let pages = paginate(doc, fonts)?;
    Ok((pdf::write(&doc.title, &pages, fonts)?, pages.len()))
}

/// Lays out one document and numbers its pages: what [`render`] writes, for the other
/// backends ([`page_svg`]) and for several documents written as one PDF ([`pdf::write`]).
pub fn paginate(doc: &Document, fonts: &FontSet) -> Result<Vec<Page>> {
    let mut l = layout(doc, fonts)?;
    let total = l.pages.len() as u32;
    layout::number_pages(fonts, &mut l.pages, l.page_numbers, 1, total);
    Ok(l.pages)
}

/// [`render`] into a file.
pub fn render_to_file(doc: &Document, fonts: &FontSet, path: &std::path::Path) -> Result<()> {
    let bytes = render(doc, fonts)?;
    std::fs::write(path, bytes).map_err(|source| DocError::Write { path: path.to_path_buf(), source })
}
