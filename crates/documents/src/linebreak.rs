//! Chinese line breaking with 避头尾 (kinsoku) rules.
//!
//! A line may break between any two CJK characters, except that closing punctuation never
//! starts a line (避头), opening punctuation never ends one (避尾), a run of Latin letters or
//! digits stays whole, and doubled dashes/ellipses stay together. When a line would start with
//! a forbidden character, the character before it is pushed down with it (推出法).

use std::ops::Range;

/// Closing punctuation: never at the start of a line.
pub fn no_line_start(ch: char) -> bool {
    matches!(
        ch,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '”'
            | '’'
            | '）'
            | '》'
            | '】'
            | '」'
            | '』'
            | '〕'
            | '〉'
            | '〗'
            | '〙'
            | '〛'
            | '｝'
            | '］'
            | '．'
            | '…'
            | '‥'
            | '·'
            | '・'
            | '～'
            | '%'
            | '％'
            | '‰'
            | '℃'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '｡'
            | '､'
            | '｣'
            | 'ー'
            | '゜'
            | '゛'
    )
}

/// Opening punctuation: never at the end of a line.
pub fn no_line_end(ch: char) -> bool {
    matches!(
        ch,
        '“' | '‘'
            | '（'
            | '《'
            | '【'
            | '「'
            | '『'
            | '〔'
            | '〈'
            | '〖'
            | '〘'
            | '〚'
            | '｛'
            | '［'
            | '('
            | '['
            | '{'
            | '｢'
            | '¥'
            | '￥'
            | '$'
            | '＄'
            | '№'
    )
}

/// Letters and digits of Latin-like scripts, which form unbreakable words.
pub fn is_word(ch: char) -> bool {
    ch.is_ascii_graphic() && !matches!(ch, '(' | '[' | '{' | ')' | ']' | '}') || (ch.is_alphanumeric() && (ch as u32) < 0x2E80)
}

/// May a line end before `next`, right after `prev`?
pub fn can_break_between(prev: char, next: char) -> bool {
    if next == ' ' {
        // Break after the spaces instead: they hang at the end of the line.
        return false;
    }
    if no_line_start(next) || no_line_end(prev) {
        return false;
    }
    if prev == ' ' {
        return true;
    }
    if is_word(prev) && is_word(next) {
        return false;
    }
    !(prev == next && matches!(prev, '—' | '…' | '─' | '⋯'))
}

/// Breaks `chars` (with `widths` in the same unit) into lines no wider than `width`
/// (the first line: `first_width`). Returns index ranges; spaces at a break are dropped.
pub fn break_lines(chars: &[char], widths: &[f32], first_width: f32, width: f32) -> Vec<Range<usize>> {
    debug_assert_eq!(chars.len(), widths.len());
    let n = chars.len();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < n {
        let avail = if lines.is_empty() { first_width } else { width };
        let mut used = 0.0;
        let mut end = start;
        while end < n {
            // Trailing spaces may hang past the edge.
            if chars[end] != ' ' && used + widths[end] > avail + 0.01 {
                break;
            }
            used += widths[end];
            end += 1;
        }
        if end == n {
            lines.push(trim_end(chars, start, n));
            break;
        }
        let mut brk = end;
        while brk > start && !can_break_between(chars[brk - 1], chars[brk]) {
            brk -= 1;
        }
        if brk == start {
            // No allowed break: a word longer than the line. Cut it, still keeping
            // closing punctuation off the next line where one character can move.
            brk = end.max(start + 1);
            if brk < n && no_line_start(chars[brk]) && brk > start + 1 {
                brk -= 1;
            }
        }
        lines.push(trim_end(chars, start, brk));
        start = brk;
        while start < n && chars[start] == ' ' {
            start += 1;
        }
    }
    lines
}

fn trim_end(chars: &[char], start: usize, mut end: usize) -> Range<usize> {
    while end > start && chars[end - 1] == ' ' {
        end -= 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str, per_line: usize) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let widths: Vec<f32> = chars.iter().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).collect();
        break_lines(&chars, &widths, per_line as f32, per_line as f32).into_iter().map(|r| chars[r].iter().collect()).collect()
    }

    #[test]
    fn closing_punctuation_pushes_previous_character_down() {
        // 10 per line: "，" would start line 2, so "乙" moves down with it.
        let l = lines("甲乙丙丁戊己庚辛壬癸，子丑寅卯", 10);
        assert_eq!(l, ["甲乙丙丁戊己庚辛壬", "癸，子丑寅卯"]);
    }

    #[test]
    fn opening_punctuation_moves_to_next_line() {
        let l = lines("甲乙丙丁戊己庚辛壬《人民调解法》", 10);
        assert_eq!(l[0], "甲乙丙丁戊己庚辛壬");
        assert_eq!(l[1], "《人民调解法》");
    }

    #[test]
    fn numbers_and_latin_words_stay_whole() {
        let l = lines("金额人民币12345678元整", 8);
        assert_eq!(l, ["金额人民币", "12345678元整"]);
        let l = lines("联系 Zhang San 电话", 6);
        assert_eq!(l, ["联系 Zhang", "San 电话"]);
    }

    #[test]
    fn rules_hold_on_long_mixed_text() {
        let text = "经调解，双方自愿达成如下协议：（一）甲方于2024年5月6日前一次性支付乙方医疗费、误工费等共计人民币8000元（大写：捌仟元整）；“乙方”收到款项后，不再就此事向甲方主张任何权利！本协议一式三份……双方各执一份——调委会存档一份。";
        for width in 5..30 {
            for l in lines(text, width) {
                let first = l.chars().next().unwrap();
                let last = l.chars().last().unwrap();
                assert!(!no_line_start(first), "width {width}: line starts with {first}: {l}");
                assert!(!no_line_end(last), "width {width}: line ends with {last}: {l}");
            }
            assert_eq!(lines(text, width).concat(), text.replace(' ', ""));
        }
    }

    #[test]
    fn overlong_word_is_cut() {
        let l = lines("https://example.org/a/very/long/path/that/cannot/fit", 6);
        assert!(l.len() > 1);
        assert!(l.iter().all(|x| x.chars().count() <= 12));
    }
}
