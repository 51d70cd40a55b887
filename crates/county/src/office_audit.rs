//! The offices' audit logs at the county. Each device sends its hash-chained audit log
//! (`fengqiao_store::audit`) after every sync round; the county takes an entry only if it
//! continues the chain it already holds for that device — the next number, the previous
//! entry's hash, and a hash that matches the content. So the county holds an outside copy: an
//! entry changed or removed on the PC after it was sent no longer continues the chain, and
//! the device's next send is refused with the place where the chains part, for the county's
//! staff to look into (the office's records keep syncing meanwhile).

use chrono::{DateTime, Utc};
use fengqiao_store::audit::GENESIS;
use fengqiao_store::AuditEntry;
use uuid::Uuid;

use crate::store::CountyStore;

/// Why a batch of audit entries was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The entries do not continue the chain the county holds (in Chinese, with the place).
    Broken(String),
    /// Another request of the same device added entries meanwhile: send again.
    Raced,
}

/// Checks `entries` against the device's chain as held and keeps the new ones. Returns the
/// last entry now held.
pub async fn accept(
    store: &dyn CountyStore,
    office_id: Uuid,
    device_id: Uuid,
    mut entries: Vec<AuditEntry>,
    now: DateTime<Utc>,
) -> crate::Result<Result<i64, Refusal>> {
    entries.sort_by_key(|e| e.seq);
    let head = store.office_audit_head(device_id).await?;
    let (held_seq, held_hash) = head.clone().unwrap_or((0, GENESIS.to_string()));
    let fresh = match continuing(device_id, held_seq, &held_hash, &entries) {
        Ok(fresh) => fresh,
        Err(why) => return Ok(Err(Refusal::Broken(why))),
    };
    let Some(last) = fresh.last().map(|e| e.seq) else { return Ok(Ok(held_seq)) };
    if !store.add_office_audit(office_id, device_id, held_seq, fresh, now).await? {
        return Ok(Err(Refusal::Raced));
    }
    Ok(Ok(last))
}

/// The entries that extend the chain ending at (`seq`, `hash`); entries already held (an
/// earlier send whose reply was lost) are skipped, the last of them checked against the head.
fn continuing<'a>(device_id: Uuid, mut seq: i64, hash: &str, entries: &'a [AuditEntry]) -> Result<&'a [AuditEntry], String> {
    let device = device_id.to_string();
    let mut hash = hash.to_string();
    let start = entries.iter().position(|e| e.seq > seq).unwrap_or(entries.len());
    if let Some(e) = entries[..start].iter().find(|e| e.seq == seq) {
        if e.hash != hash {
            return Err(format!("第{seq}条审计记录与县里已保存的不一致（本机的审计日志在发送后被改动过）"));
        }
    }
    let fresh = &entries[start..];
    for e in fresh {
        if e.device_id != device {
            return Err(format!("第{}条审计记录属于另一台设备", e.seq));
        }
        if e.seq != seq + 1 {
            return Err(format!("县里已保存到第{seq}条审计记录，这次从第{}条开始，中间的记录缺失", e.seq));
        }
        if e.prev_hash != hash {
            return Err(format!("第{}条审计记录接不上县里保存的第{seq}条（之前的记录在本机被改动或删除过）", e.seq));
        }
        if e.computed_hash() != e.hash {
            return Err(format!("第{}条审计记录的内容与其校验值不符（记录被改动过）", e.seq));
        }
        seq = e.seq;
        hash = e.hash.clone();
    }
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(device: Uuid, n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: format!("2026-11-20T02:00:{seq:02}Z"),
                    actor: "李明".into(),
                    device_id: device.to_string(),
                    action: "create".into(),
                    kind: Some("person".into()),
                    record_id: None,
                    summary: format!("第{seq}条"),
                    detail: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn a_chain_continues_and_a_changed_or_missing_entry_does_not() {
        let d = Uuid::from_u128(7);
        let all = chain(d, 5);
        assert_eq!(continuing(d, 0, GENESIS, &all).unwrap().len(), 5);
        // Resent from the start after a lost reply: only the new ones.
        assert_eq!(continuing(d, 3, &all[2].hash, &all).unwrap().len(), 2);
        // A gap.
        assert!(continuing(d, 2, &all[1].hash, &all[3..]).unwrap_err().contains("缺失"));
        // Entry 2 edited on the PC after the county took 1..3: its resend no longer matches.
        let mut edited = all.clone();
        edited[2].summary = "改过".into();
        edited[2].hash = edited[2].computed_hash();
        assert!(continuing(d, 3, &all[2].hash, &edited).unwrap_err().contains("第3条"));
        // Content changed without the hash.
        let mut forged = all.clone();
        forged[3].summary = "改过".into();
        assert!(continuing(d, 3, &all[2].hash, &forged).unwrap_err().contains("校验值"));
        // Another device's entries.
        assert!(continuing(Uuid::from_u128(8), 0, GENESIS, &all).unwrap_err().contains("另一台设备"));
    }
}
