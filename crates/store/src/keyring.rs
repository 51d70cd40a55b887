//! Encryption at rest: the office's random data key and the key ring that wraps it.
//!
//! The database file is encrypted by SQLCipher with a random 256-bit data key. The key is never
//! stored as it is: `DATA/keyring.json` holds it sealed (ChaCha20-Poly1305) once per staff
//! account, under a key derived from the account's password with argon2id, and once under the
//! recovery key shown when the office was set up. Signing in is unsealing: a wrong password
//! fails the seal's check. Each seal is bound to its account id, so moving seals between
//! accounts in the file does not work. The ring holds login names and random bytes, nothing
//! about the people in the records.
//!
//! Failed sign-ins cannot be written to the audit log (the database is locked without a
//! password), so the ring keeps them until the next sign-in moves them into the log.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Result, StoreError};

/// The key ring's file in the data directory.
pub const KEYRING_FILE: &str = "keyring.json";

/// Failed sign-ins kept for the audit log at most (the oldest dropped first).
const MAX_FAILED_KEPT: usize = 200;

/// The random key SQLCipher encrypts the database with. Wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl DataKey {
    pub(crate) fn random() -> DataKey {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        DataKey(k)
    }

    /// The value of `PRAGMA key`: a raw key, so SQLCipher skips its own password derivation.
    pub(crate) fn pragma_value(&self) -> String {
        format!("x'{}'", hex(&self.0))
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        // Volatile so the compiler cannot drop the wipe of memory about to be freed.
        for b in self.0.iter_mut() {
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

/// The recovery key shown once at setup, as 8 groups of 4 letters and digits
/// (`ABCD-EFGH-…`): 160 random bits, enough that guessing is hopeless without a slow hash.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(String);

const BASE32: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl RecoveryKey {
    fn random() -> RecoveryKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let chars: Vec<char> = bytes.iter().map(|b| BASE32[(*b & 31) as usize] as char).collect();
        RecoveryKey(chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
    }

    /// Reads a key as typed: case, spaces and dashes do not matter. (The alphabet leaves out
    /// I, O, 0 and 1, which are easily misread on paper.)
    pub fn parse(typed: &str) -> Result<RecoveryKey> {
        let cleaned: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '－').map(|c| c.to_ascii_uppercase()).collect();
        if cleaned.chars().count() != 32 || !cleaned.bytes().all(|b| BASE32.contains(&b)) {
            return Err(StoreError::SignIn("恢复密钥格式不对：应为32个字母和数字（如 ABCD-EFGH-…），请对照打印的恢复密钥重新输入".into()));
        }
        let chars: Vec<char> = cleaned.chars().collect();
        Ok(RecoveryKey(chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn secret(&self) -> Vec<u8> {
        self.0.replace('-', "").into_bytes()
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

/// A data key sealed under a secret (a password or the recovery key).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sealed {
    salt: String,
    nonce: String,
    sealed: String,
}

impl Sealed {
    fn seal(secret: &[u8], key: &DataKey, bound_to: &str) -> Result<Sealed> {
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut salt);
        rand::rng().fill_bytes(&mut nonce);
        let kek = derive(secret, &salt)?;
        let sealed = ChaCha20Poly1305::new(Key::from_slice(&kek))
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: &key.0, aad: bound_to.as_bytes() })
            .map_err(|_| StoreError::Corrupt("无法加密数据密钥".into()))?;
        Ok(Sealed { salt: hex(&salt), nonce: hex(&nonce), sealed: hex(&sealed) })
    }

    /// The data key, or None when the secret is wrong (or the entry was tampered with).
    fn open(&self, secret: &[u8], bound_to: &str) -> Result<Option<DataKey>> {
        let (Some(salt), Some(nonce), Some(sealed)) = (unhex(&self.salt), unhex(&self.nonce), unhex(&self.sealed)) else {
            return Err(StoreError::Corrupt(format!("{KEYRING_FILE} 中的密钥记录已损坏")));
        };
        if nonce.len() != 12 {
            return Err(StoreError::Corrupt(format!("{KEYRING_FILE} 中的密钥记录已损坏")));
        }
        let kek = derive(secret, &salt)?;
        let Ok(plain) =
            ChaCha20Poly1305::new(Key::from_slice(&kek)).decrypt(Nonce::from_slice(&nonce), Payload { msg: &sealed, aad: bound_to.as_bytes() })
        else {
            return Ok(None);
        };
        let key: [u8; 32] = plain.try_into().map_err(|_| StoreError::Corrupt(format!("{KEYRING_FILE} 中的密钥长度不对")))?;
        Ok(Some(DataKey(key)))
    }
}

/// argon2id with the crate's defaults (19 MiB, 2 passes): tens of milliseconds per try on an
/// office PC, which is what makes guessing passwords from a stolen disk slow.
fn derive(secret: &[u8], salt: &[u8]) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    argon2::Argon2::default().hash_password_into(secret, salt, &mut out).map_err(|e| StoreError::Corrupt(format!("密钥派生失败：{e}")))?;
    Ok(out)
}

/// One account's seal.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    account_id: Uuid,
    /// The login name, to find the seal before the database can be read.
    name: String,
    key: Sealed,
}

/// A failed sign-in, waiting to be written to the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FailedSignIn {
    pub name: String,
    pub at: String,
}

/// The key ring file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyRing {
    version: u32,
    accounts: Vec<Entry>,
    recovery: Sealed,
    #[serde(default)]
    failed: Vec<FailedSignIn>,
}

const RECOVERY_BINDING: &str = "recovery";

impl KeyRing {
    /// A new ring for a new data key; returns the recovery key to show once.
    pub fn new(key: &DataKey) -> Result<(KeyRing, RecoveryKey)> {
        let recovery = RecoveryKey::random();
        let ring = KeyRing { version: 1, accounts: vec![], recovery: Sealed::seal(&recovery.secret(), key, RECOVERY_BINDING)?, failed: vec![] };
        Ok((ring, recovery))
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(KEYRING_FILE)
    }

    pub fn exists(data_dir: &Path) -> bool {
        Self::path(data_dir).exists()
    }

    pub fn load(data_dir: &Path) -> Result<KeyRing> {
        let text = std::fs::read_to_string(Self::path(data_dir))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{KEYRING_FILE} 已损坏（{e}），请用备份恢复或联系县司法局技术人员")))
    }

    /// Writes the ring by rename, so a crash leaves the old ring or the new one, never half.
    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let path = Self::path(data_dir);
        let tmp = data_dir.join(format!("{KEYRING_FILE}.tmp"));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        if let Ok(dir) = std::fs::File::open(data_dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Seals the key for an account under its password (replacing its old seal).
    pub fn set_password(&mut self, account_id: Uuid, name: &str, password: &str, key: &DataKey) -> Result<()> {
        let sealed = Sealed::seal(password.as_bytes(), key, &account_id.to_string())?;
        self.accounts.retain(|e| e.account_id != account_id);
        self.accounts.push(Entry { account_id, name: name.to_string(), key: sealed });
        Ok(())
    }

    /// The data key, if `password` is this name's. None for an unknown name or a wrong password
    /// alike, so the answer does not tell which names exist.
    pub fn unlock(&self, name: &str, password: &str) -> Result<Option<(Uuid, DataKey)>> {
        let Some(entry) = self.accounts.iter().find(|e| e.name.eq_ignore_ascii_case(name.trim())) else {
            // Same work as a real try, so the time does not tell either.
            let _ = derive(password.as_bytes(), b"no-such-account-salt")?;
            return Ok(None);
        };
        Ok(entry.key.open(password.as_bytes(), &entry.account_id.to_string())?.map(|k| (entry.account_id, k)))
    }

    pub fn unlock_with_recovery(&self, recovery: &RecoveryKey) -> Result<Option<DataKey>> {
        self.recovery.open(&recovery.secret(), RECOVERY_BINDING)
    }

    pub fn note_failure(&mut self, name: &str, at: String) {
        self.failed.push(FailedSignIn { name: name.chars().take(64).collect(), at });
        let over = self.failed.len().saturating_sub(MAX_FAILED_KEPT);
        self.failed.drain(..over);
    }

    pub fn take_failures(&mut self) -> Vec<FailedSignIn> {
        std::mem::take(&mut self.failed)
    }
}

/// How a file sealed with a passphrase begins (an encrypted `export`).
pub const SEALED_MAGIC: &[u8] = b"FENGQIAO-SEALED-1\n";

/// Seals `plain` under a passphrase: the magic line, a random salt and nonce, then
/// ChaCha20-Poly1305 under argon2id(passphrase). For files that leave the store (an export):
/// nothing of them can be read, or changed unnoticed, without the passphrase.
pub fn seal_with_passphrase(passphrase: &str, plain: &[u8]) -> Result<Vec<u8>> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut salt);
    rand::rng().fill_bytes(&mut nonce);
    let key = derive(passphrase.as_bytes(), &salt)?;
    let sealed = ChaCha20Poly1305::new(Key::from_slice(&key))
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: SEALED_MAGIC })
        .map_err(|_| StoreError::Corrupt("无法加密导出的内容".into()))?;
    Ok([SEALED_MAGIC, &salt, &nonce, &sealed].concat())
}

/// The content of a file made by [`seal_with_passphrase`]; a wrong passphrase or a changed
/// byte is refused.
pub fn open_with_passphrase(passphrase: &str, file: &[u8]) -> Result<Vec<u8>> {
    let head = SEALED_MAGIC.len();
    if !file.starts_with(SEALED_MAGIC) || file.len() < head + 28 {
        return Err(StoreError::Corrupt("文件不是用口令加密的枫桥导出文件".into()));
    }
    let (salt, rest) = file[head..].split_at(16);
    let (nonce, sealed) = rest.split_at(12);
    let key = derive(passphrase.as_bytes(), salt)?;
    ChaCha20Poly1305::new(Key::from_slice(&key))
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: SEALED_MAGIC })
        .map_err(|_| StoreError::SignIn("导出文件的口令不正确，或文件已被改动".into()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_opens_with_its_password_only() {
        let key = DataKey::random();
        let (mut ring, recovery) = KeyRing::new(&key).unwrap();
        let id = Uuid::nil();
        ring.set_password(id, "zhang", "correct horse", &key).unwrap();
        assert_eq!(ring.unlock("ZHANG", "correct horse").unwrap().map(|(_, k)| k), Some(key.clone()));
        assert!(ring.unlock("zhang", "wrong").unwrap().is_none());
        assert!(ring.unlock("nobody", "correct horse").unwrap().is_none());
        assert_eq!(ring.unlock_with_recovery(&recovery).unwrap(), Some(key.clone()));
        let typed = recovery.as_str().to_lowercase().replace('-', " ");
        assert_eq!(RecoveryKey::parse(&typed).unwrap(), recovery);
        assert!(RecoveryKey::parse("ABCD").is_err());
    }

    #[test]
    fn a_sealed_file_opens_with_its_passphrase_only() {
        let sealed = seal_with_passphrase("导出口令-2026", "张伟 350502198001010011".as_bytes()).unwrap();
        assert!(!sealed.windows(6).any(|w| w == "张伟".as_bytes()));
        assert_eq!(open_with_passphrase("导出口令-2026", &sealed).unwrap(), "张伟 350502198001010011".as_bytes());
        assert!(open_with_passphrase("wrong", &sealed).is_err());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(open_with_passphrase("导出口令-2026", &flipped).is_err());
        assert!(open_with_passphrase("导出口令-2026", b"{\"kind\":\"organization\"}").is_err());
    }

    #[test]
    fn a_seal_moved_to_another_account_does_not_open() {
        let key = DataKey::random();
        let (mut ring, _) = KeyRing::new(&key).unwrap();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        ring.set_password(a, "a", "password-a", &key).unwrap();
        ring.set_password(b, "b", "password-b", &key).unwrap();
        ring.accounts[1].key = ring.accounts[0].key.clone();
        assert!(ring.unlock("b", "password-a").unwrap().is_none());
    }
}
