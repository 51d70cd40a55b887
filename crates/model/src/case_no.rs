//! Case numbers (domain.md §1.1): `（{year}）{代字}调字第{seq}号`, counted per committee per
//! calendar year. Allocation and "never reused" live in the store; this is the format.

/// Formats a case number, e.g. `（2024）南海区调字第123号`.
pub fn format(year: i32, prefix: &str, seq: i64) -> String {
    format!("（{year}）{prefix}调字第{seq}号")
}

/// Reads a case number back into (year, prefix, seq). Accepts ASCII brackets too, as clerks
/// type them in old ledgers.
pub fn parse(s: &str) -> Option<(i32, String, i64)> {
    let s = s.trim().replace('(', "（").replace(')', "）");
    let rest = s.strip_prefix('（')?;
    let (year, rest) = rest.split_once('）')?;
    let year: i32 = year.trim().parse().ok()?;
    let (prefix, rest) = rest.split_once("调字第")?;
    let seq: i64 = rest.strip_suffix('号')?.trim().parse().ok()?;
    (seq > 0 && (1949..=9999).contains(&year)).then(|| (year, prefix.to_string(), seq))
}

#[cfg(test)]
mod tests {
    #[test]
    fn format_and_parse_round_trip() {
        let n = super::format(2024, "佛南海区", 123);
        assert_eq!(n, "（2024）佛南海区调字第123号");
        assert_eq!(super::parse(&n), Some((2024, "佛南海区".into(), 123)));
        assert_eq!(super::parse("(2024)人调字第7号"), Some((2024, "人".into(), 7)));
        assert_eq!(super::parse("2024-7"), None);
        assert_eq!(super::parse("（2024）调字第0号"), None);
    }
}
