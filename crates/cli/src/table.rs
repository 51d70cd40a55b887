//! A plain-text table for a terminal, aligned for Chinese: CJK characters take two columns.

/// Columns a character takes in a terminal (East Asian wide and full-width forms: 2).
pub fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        2
    } else if c.is_control() {
        0
    } else {
        1
    }
}

pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Cuts `s` to at most `max` columns, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A table: a header row and rows of cells; `max` caps a column's width (0: no cap).
pub struct Table {
    header: Vec<&'static str>,
    max: Vec<usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&'static str, usize)]) -> Self {
        Table { header: columns.iter().map(|c| c.0).collect(), max: columns.iter().map(|c| c.1).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        let cells = cells
            .into_iter()
            .zip(&self.max)
            .map(|(c, &m)| {
                let one_line = c.replace(['\n', '\r', '\t'], " ");
                if m > 0 {
                    truncate(&one_line, m)
                } else {
                    one_line
                }
            })
            .collect();
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate() {
                widths[i] = widths[i].max(width(c));
            }
        }
        let mut out = String::new();
        let line = |cells: &[&str], out: &mut String| {
            let last = cells.len() - 1;
            for (i, c) in cells.iter().enumerate() {
                out.push_str(c);
                if i < last {
                    out.push_str(&" ".repeat(widths[i] - width(c) + 2));
                }
            }
            out.push('\n');
        };
        line(&self.header, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule.iter().map(String::as_str).collect::<Vec<_>>(), &mut out);
        for row in &self.rows {
            line(&row.iter().map(String::as_str).collect::<Vec<_>>(), &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(width("张伟"), 4);
        assert_eq!(width("𠮷a"), 3);
        assert_eq!(truncate("张某与李某相邻通行纠纷", 9), "张某与李…");
    }

    #[test]
    fn columns_line_up() {
        let mut t = Table::new(&[("姓名", 0), ("日期", 0)]);
        t.row(vec!["张伟".into(), "2024-01-01".into()]);
        t.row(vec!["欧阳娜娜".into(), "2024-02-02".into()]);
        let text = t.render();
        let starts: Vec<usize> = text.lines().filter(|l| l.contains("2024")).map(|l| width(l.split("2024").next().unwrap())).collect();
        assert_eq!(starts[0], starts[1]);
    }
}
