//! Several documents bound into one PDF (a 卷宗), with the page on which each part starts,
//! so a table of contents (卷内目录) can carry real page numbers.
//!
//! Two passes: lay out every other part, then build the contents from the page counts; if
//! the contents itself needs a different number of pages than assumed, build it again.

use crate::error::Result;
use crate::fonts::FontSet;
use crate::layout::{layout, number_pages, Layout};
use crate::model::{Document, PageNumbers};
use crate::pdf;

pub struct Part {
    pub name: String,
    pub document: Document,
    /// Numbered parts carry continuous page numbers ("— n —"); covers and the contents do not.
    pub numbered: bool,
}

impl Part {
    pub fn numbered(name: impl Into<String>, document: Document) -> Self {
        Part {
            name: name.into(),
            document,
            numbered: true,
        }
    }

    pub fn unnumbered(name: impl Into<String>, document: Document) -> Self {
        Part {
            name: name.into(),
            document,
            numbered: false,
        }
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

/// The table of contents: where it goes among the parts and how to build it from the
/// parts' page numbers (which include its own entry).
pub struct Contents<'a> {
    pub position: usize,
    pub name: String,
    pub numbered: bool,
    pub build: &'a dyn Fn(&[PartPages]) -> Document,
}

pub struct Bound {
    pub pdf: Vec<u8>,
    pub parts: Vec<PartPages>,
    pub sheets: usize,
}

/// Lays out and binds `parts` (and the contents, if any) into one PDF.
pub fn bind(
    title: &str,
    parts: &[Part],
    contents: Option<&Contents>,
    fonts: &FontSet,
) -> Result<Bound> {
    let mut layouts: Vec<Layout> = parts
        .iter()
        .map(|p| layout(&p.document, fonts))
        .collect::<Result<_>>()?;
    let mut names: Vec<(String, bool)> =
        parts.iter().map(|p| (p.name.clone(), p.numbered)).collect();

    let mut placed;
    if let Some(c) = contents {
        let at = c.position.min(parts.len());
        names.insert(at, (c.name.clone(), c.numbered));
        let mut guess = 1;
        let mut toc;
        let mut tries = 0;
        loop {
            let mut counts: Vec<usize> = layouts.iter().map(|l| l.pages.len()).collect();
            counts.insert(at, guess);
            placed = place(&names, &counts);
            toc = layout(&(c.build)(&placed), fonts)?;
            tries += 1;
            if toc.pages.len() == guess || tries == 4 {
                break;
            }
            guess = toc.pages.len();
        }
        let mut counts: Vec<usize> = layouts.iter().map(|l| l.pages.len()).collect();
        counts.insert(at, toc.pages.len());
        placed = place(&names, &counts);
        layouts.insert(at, toc);
    } else {
        placed = place(
            &names,
            &layouts.iter().map(|l| l.pages.len()).collect::<Vec<_>>(),
        );
    }

    let total = placed
        .iter()
        .filter(|p| p.first_number.is_some())
        .map(|p| p.pages as u32)
        .sum();
    let mut pages = Vec::new();
    for (l, p) in layouts.iter_mut().zip(&placed) {
        if let Some(first) = p.first_number {
            number_pages(fonts, &mut l.pages, PageNumbers::Dash, first, total);
        }
        pages.append(&mut l.pages);
    }
    let sheets = pages.len();
    Ok(Bound {
        pdf: pdf::write(title, &pages, fonts)?,
        parts: placed,
        sheets,
    })
}

fn place(names: &[(String, bool)], counts: &[usize]) -> Vec<PartPages> {
    let mut sheet = 1;
    let mut number = 1u32;
    names
        .iter()
        .zip(counts)
        .map(|((name, numbered), &pages)| {
            let (first_number, last_number) = if *numbered && pages > 0 {
                (Some(number), Some(number + pages as u32 - 1))
            } else {
                (None, None)
            };
            let p = PartPages {
                name: name.clone(),
                first_sheet: sheet,
                pages,
                first_number,
                last_number,
            };
            sheet += pages;
            if *numbered {
                number += pages as u32;
            }
            p
        })
        .collect()
}
