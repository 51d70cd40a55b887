//! A hybrid logical clock: stamps that order changes across devices even when a PC's clock
//! is wrong. A stamp is `{physical ms:015}-{counter:06}-{device}`, so stamps compare as text.

use rusqlite::{OptionalExtension, Transaction};
use uuid::Uuid;

use crate::Result;

pub fn parse(stamp: &str) -> Option<(i64, i64)> {
    let mut parts = stamp.splitn(3, '-');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

pub fn format(ms: i64, counter: i64, device: Uuid) -> String {
    format!("{ms:015}-{counter:06}-{device}")
}

/// The next stamp: after both the wall clock and every stamp this store has issued or seen.
pub fn next(tx: &Transaction, now_ms: i64, device: Uuid) -> Result<String> {
    let last: Option<String> = tx.prepare_cached("SELECT value FROM settings WHERE key = 'hlc_last'")?.query_row([], |r| r.get(0)).optional()?;
    let (last_ms, last_counter) = last.as_deref().and_then(parse).unwrap_or((0, 0));
    let (ms, counter) = if now_ms > last_ms { (now_ms, 0) } else { (last_ms, last_counter + 1) };
    let stamp = format(ms, counter, device);
    tx.prepare_cached("INSERT INTO settings(key, value) VALUES ('hlc_last', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
        .execute([&stamp])?;
    Ok(stamp)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stamps_order_as_text() {
        let d = uuid::Uuid::nil();
        assert!(super::format(999, 5, d) < super::format(1000, 0, d));
        assert!(super::format(1000, 9, d) < super::format(1000, 10, d));
        assert_eq!(super::parse(&super::format(1234, 7, d)), Some((1234, 7)));
    }
}

/// Takes a stamp seen from another device into account: the next local stamp sorts after it.
pub fn observe(tx: &Transaction, stamp: &str) -> Result<()> {
    let Some((ms, counter)) = parse(stamp) else { return Ok(()) };
    let last: Option<String> = tx.prepare_cached("SELECT value FROM settings WHERE key = 'hlc_last'")?.query_row([], |r| r.get(0)).optional()?;
    let newer = last.as_deref().and_then(parse).is_none_or(|l| (ms, counter) > l);
    if newer {
        // Keep our own device in the stamp: only the time and counter are taken over.
        let mine = format(ms, counter, Uuid::nil());
        tx.execute("INSERT INTO settings(key, value) VALUES ('hlc_last', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [&mine])?;
    }
    Ok(())
}
