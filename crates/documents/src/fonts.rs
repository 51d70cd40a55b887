//! Fonts: the main face (embedded Noto Serif CJK SC, or an office's own file) plus fallback
//! faces for rare characters, found at run time from a configurable list of paths.
//!
//! Every character is resolved to (face, glyph id, advance) once and cached, so layout and
//! the PDF backend hand printpdf glyph ids instead of letting it map characters again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use printpdf::ParsedFont;
use serde::{Deserialize, Serialize};

use crate::error::{DocError, Result};

/// Noto Serif CJK SC Regular (face 2 of Debian's NotoSerifCJK-Regular.ttc), OFL 1.1.
/// Embedded so that printing never depends on an install path: see assets/fonts/README.md.
pub static NOTO_SERIF_CJK_SC: &[u8] = include_bytes!("../../../assets/fonts/NotoSerifCJKsc-Regular.otf");

/// Fallback faces tried in order when the main font lacks a character.
/// Missing files are skipped, so one list serves Debian and Windows machines.
pub const DEFAULT_FALLBACK_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "C:\\Windows\\Fonts\\simsunb.ttf",
    "C:\\Windows\\Fonts\\SimSun-ExtG.ttf",
];

/// A font file chosen by the office, e.g. a Windows 仿宋 `.ttf`; `index` picks a face in a `.ttc`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FontFile {
    pub path: PathBuf,
    #[serde(default)]
    pub index: usize,
}

/// Which fonts to print with. The default is the embedded Noto Serif CJK SC plus
/// [`DEFAULT_FALLBACK_PATHS`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FontConfig {
    /// `None`: the embedded Noto Serif CJK SC.
    #[serde(default)]
    pub main: Option<FontFile>,
    #[serde(default = "default_fallbacks")]
    pub fallbacks: Vec<PathBuf>,
}

fn default_fallbacks() -> Vec<PathBuf> {
    DEFAULT_FALLBACK_PATHS.iter().map(PathBuf::from).collect()
}

impl Default for FontConfig {
    fn default() -> Self {
        FontConfig { main: None, fallbacks: default_fallbacks() }
    }
}

/// One character resolved to a face of the set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Glyph {
    /// Index into the set's faces: 0 is the main font.
    pub face: usize,
    pub gid: u16,
    /// Advance width in em, rounded the way printpdf writes `/W` (whole thousandths),
    /// so positions computed here match what a viewer draws.
    pub advance: f32,
}

pub(crate) struct Face {
    pub(crate) font: ParsedFont,
    pub(crate) upem: f32,
    /// The face's index in its file (a `.ttc` holds several).
    pub(crate) index: usize,
}

impl Face {
    fn parse(bytes: &[u8], index: usize) -> Option<Face> {
        let font = ParsedFont::from_bytes(bytes, index, &mut Vec::new())?;
        let upem = font.pdf_font_metrics.units_per_em as f32;
        (upem > 0.0).then_some(Face { font, upem, index })
    }

    fn glyph(&self, ch: char) -> Option<(u16, f32)> {
        let gid = self.font.lookup_glyph_index(ch as u32).filter(|g| *g != 0)?;
        let advance = self.font.get_horizontal_advance(gid) as f32;
        Some((gid, (advance * 1000.0 / self.upem).trunc() / 1000.0))
    }
}

struct Slot {
    label: String,
    path: Option<PathBuf>,
    face: OnceLock<Option<Face>>,
}

/// Parsed fonts, shared by every render: parse once, reuse (parsing a CJK font costs
/// milliseconds; doing it per page would dominate).
pub struct FontSet {
    slots: Vec<Slot>,
    cache: Mutex<HashMap<char, Option<Glyph>>>,
}

impl FontSet {
    /// Loads the main font now (an error if it cannot be read); fallbacks load lazily, the
    /// first time a character is missing from the faces before them.
    pub fn load(config: &FontConfig) -> Result<FontSet> {
        let main = match &config.main {
            None => Slot {
                label: "Noto Serif CJK SC（内置）".into(),
                path: None,
                face: OnceLock::from(Some(Face::parse(NOTO_SERIF_CJK_SC, 0).expect("embedded font parses"))),
            },
            Some(file) => {
                let bytes = std::fs::read(&file.path).map_err(|source| DocError::FontRead { path: file.path.clone(), source })?;
                let face = Face::parse(&bytes, file.index).ok_or_else(|| DocError::FontParse { path: file.path.clone(), index: file.index })?;
                Slot { label: file.path.display().to_string(), path: None, face: OnceLock::from(Some(face)) }
            }
        };
        let mut slots = vec![main];
        slots.extend(config.fallbacks.iter().map(|p| Slot { label: p.display().to_string(), path: Some(p.clone()), face: OnceLock::new() }));
        Ok(FontSet { slots, cache: Mutex::new(HashMap::new()) })
    }

    /// The default set, parsed once per process.
    pub fn shared_default() -> &'static FontSet {
        static SET: OnceLock<FontSet> = OnceLock::new();
        SET.get_or_init(|| FontSet::load(&FontConfig::default()).expect("embedded font loads"))
    }

    /// The face that prints `ch`, or `None` when no configured font has it.
    pub fn glyph(&self, ch: char) -> Option<Glyph> {
        if let Some(hit) = self.cache.lock().unwrap().get(&ch) {
            return *hit;
        }
        let found = (0..self.slots.len()).find_map(|i| {
            let (gid, advance) = self.face(i)?.glyph(ch)?;
            Some(Glyph { face: i, gid, advance })
        });
        self.cache.lock().unwrap().insert(ch, found);
        found
    }

    /// Checks that every character of `text` prints; the error names the first one that
    /// does not, with a little of the text around it so the clerk can find it.
    pub fn check(&self, text: &str) -> Result<()> {
        let chars: Vec<char> = text.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            if is_ignorable(ch) || ch == '\n' || self.glyph(ch).is_some() {
                continue;
            }
            let from = i.saturating_sub(6);
            let to = (i + 7).min(chars.len());
            let context: String = chars[from..to].iter().filter(|c| !c.is_control()).collect();
            let context = if context.chars().count() > 1 { context } else { String::new() };
            return Err(DocError::MissingGlyph { ch, context });
        }
        Ok(())
    }

    /// Names of the faces, main first (for diagnostics and the settings page).
    pub fn face_labels(&self) -> Vec<String> {
        self.slots.iter().map(|s| s.label.clone()).collect()
    }

    pub(crate) fn face(&self, i: usize) -> Option<&Face> {
        let slot = self.slots.get(i)?;
        slot.face.get_or_init(|| load_fallback(slot.path.as_deref()?)).as_ref()
    }
}

fn load_fallback(path: &Path) -> Option<Face> {
    // An absent or unreadable fallback is skipped: the check then names the character.
    let bytes = std::fs::read(path).ok()?;
    Face::parse(&bytes, 0)
}

/// Characters that take no room and need no glyph: variation selectors, zero-width marks.
pub fn is_ignorable(ch: char) -> bool {
    matches!(ch as u32,
        0x200B..=0x200D | 0x2060 | 0xFEFF | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0x0D)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_font_covers_common_text_and_ext_b_jiang() {
        let set = FontSet::load(&FontConfig { main: None, fallbacks: vec![] }).unwrap();
        for ch in "人民调解协议书，。“”（）《》0123456789ABCabc　".chars() {
            let g = set.glyph(ch).unwrap_or_else(|| panic!("{ch} missing"));
            assert_eq!(g.face, 0);
        }
        assert_eq!(set.glyph('人').unwrap().advance, 1.0);
        // 𠮷 (U+20BB7) is in Noto Serif CJK SC itself.
        assert_eq!(set.glyph('\u{20BB7}').unwrap().face, 0);
    }

    #[test]
    fn missing_character_is_named() {
        let set = FontSet::load(&FontConfig { main: None, fallbacks: vec![] }).unwrap();
        let err = set.check("当事人张\u{2A6A5}三").unwrap_err();
        assert_eq!(err.to_string(), "字符“\u{2A6A5}”(U+2A6A5)在所有字体中都不存在，无法打印（出现在“当事人张\u{2A6A5}三”中）");
        assert_eq!(err.code(), "documents.missing_glyph");
    }

    #[test]
    fn fallback_face_supplies_rare_characters() {
        let path = Path::new(DEFAULT_FALLBACK_PATHS[1]);
        if !path.exists() {
            eprintln!("跳过：未安装 fonts-hanazono（{}）", path.display());
            return;
        }
        let set = FontSet::shared_default();
        let g = set.glyph('\u{2A6A5}').expect("𪚥 via HanaMinB");
        assert!(g.face > 0);
        assert!(set.glyph('\u{2C317}').is_some(), "𬌗");
        set.check("𠮷𬌗𪚥").unwrap();
    }
}
