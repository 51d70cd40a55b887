//! Several documents bound into one PDF (a 卷宗), with the page on which each part starts,
//! so a table of contents (卷内目录) can carry real page numbers.
//!
//! Parts built from the page numbers (the contents, a back cover that counts pages) are laid
//! out after the others with a guessed length of one page; if one comes out longer, every
//! generated part is built again with the new numbers, until the lengths agree.

use crate::error::{DocError, Result};
use crate::fonts::FontSet;
use crate::layout::{layout, number_pages, Layout, Page};
use crate::model::{Document, PageNumbers};
use crate::pdf;

type Build<'a> = Box<dyn Fn(&[PartPages]) -> Document + 'a>;

pub enum Source<'a> {
    Fixed(Document),
    /// Built from where every part landed (its own entry included).
    Generated(Build<'a>),
}

pub struct Part<'a> {
    pub name: String,
    /// Numbered parts carry continuous page numbers ("— n —"); covers and the contents do not.
    pub numbered: bool,
    pub source: Source<'a>,
}

impl<'a> Part<'a> {
    pub fn numbered(name: impl Into<String>, document: Document) -> Self {
        Part { name: name.into(), numbered: true, source: Source::Fixed(document) }
    }

    pub fn unnumbered(name: impl Into<String>, document: Document) -> Self {
        Part { name: name.into(), numbered: false, source: Source::Fixed(document) }
    }

    pub fn generated(name: impl Into<String>, numbered: bool, build: impl Fn(&[PartPages]) -> Document + 'a) -> Self {
        Part { name: name.into(), numbered, source: Source::Generated(Box::new(build)) }
    }
}

/// Where a part landed in the bound file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartPages {
    pub name: String,
    /// 1-based position of its first sheet in the PDF.
    pub first_sheet: usize,
    pub pages: usize,
    /// Printed page numbers of its first and last page (`None` when unnumbered).
    pub first_number: Option<u32>,
    pub last_number: Option<u32>,
}

impl PartPages {
    /// "3" or "3-5" for a contents line; empty when unnumbered.
    pub fn page_range(&self) -> String {
        match (self.first_number, self.last_number) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => String::new(),
        }
    }
}

pub struct Bound {
    pub pdf: Vec<u8>,
    pub parts: Vec<PartPages>,
    pub sheets: usize,
}

/// Lays out and binds the parts into one PDF.
pub fn bind(title: &str, parts: &[Part], fonts: &FontSet) -> Result<Bound> {
    let BoundPages { pages, parts } = bind_pages(title, parts, fonts)?;
    Ok(Bound { pdf: pdf::write(title, &pages, fonts)?, parts, sheets: pages.len() })
}

/// The bound file's pages, numbered, before they are written.
pub struct BoundPages {
    pub pages: Vec<Page>,
    pub parts: Vec<PartPages>,
}

/// [`bind`] without writing the PDF: the pages, for other backends or a larger file.
pub fn bind_pages(title: &str, parts: &[Part], fonts: &FontSet) -> Result<BoundPages> {
    let mut layouts: Vec<Option<Layout>> = parts
        .iter()
        .map(|p| match &p.source {
            Source::Fixed(d) => layout(d, fonts).map(Some),
            Source::Generated(_) => Ok(None),
        })
        .collect::<Result<_>>()?;
    let mut counts: Vec<usize> = layouts.iter().map(|l| l.as_ref().map_or(1, |l| l.pages.len())).collect();
    let mut placed = place(parts, &counts);
    for round in 0.. {
        let mut changed = false;
        for (k, part) in parts.iter().enumerate() {
            if let Source::Generated(build) = &part.source {
                let l = layout(&build(&placed), fonts)?;
                changed |= l.pages.len() != counts[k];
                counts[k] = l.pages.len();
                layouts[k] = Some(l);
            }
        }
        placed = place(parts, &counts);
        if !changed {
            break;
        }
        if round == 5 {
            return Err(DocError::Layout(title.into(), "目录页数无法确定".into()));
        }
    }

    let total = placed.iter().filter(|p| p.first_number.is_some()).map(|p| p.pages as u32).sum();
    let mut pages = Vec::new();
    for (l, p) in layouts.into_iter().zip(&placed) {
        let mut l = l.expect("every part laid out");
        if let Some(first) = p.first_number {
            number_pages(fonts, &mut l.pages, PageNumbers::Dash, first, total);
        }
        pages.append(&mut l.pages);
    }
    Ok(BoundPages { pages, parts: placed })
}

fn place(parts: &[Part], counts: &[usize]) -> Vec<PartPages> {
    let mut sheet = 1;
    let mut number = 1u32;
    parts
        .iter()
        .zip(counts)
        .map(|(part, &pages)| {
            let numbered = part.numbered && pages > 0;
            let (first_number, last_number) = if numbered { (Some(number), Some(number + pages as u32 - 1)) } else { (None, None) };
            let p = PartPages { name: part.name.clone(), first_sheet: sheet, pages, first_number, last_number };
            sheet += pages;
            if numbered {
                number += pages as u32;
            }
            p
        })
        .collect()
}
