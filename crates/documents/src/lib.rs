//! Standardized 司法所 documents: a small document model, its layout engine
//! (Chinese line breaking, pagination, tables, signature blocks) and a PDF backend on printpdf.

pub mod error;
pub mod fonts;

pub use error::{DocError, Result};
pub use fonts::{FontConfig, FontFile, FontSet, Glyph};
