//! County accounts: argon2id password hashes (PHC strings), session tokens (only their
//! SHA-256 is stored, like device tokens) and the session cookie.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Duration;
use rand::RngCore;

use crate::error::{CountyError, Result};

/// The session cookie's name.
pub const COOKIE: &str = "fengqiao_session";

/// How long a session lasts after sign-in.
pub fn session_lifetime() -> Duration {
    Duration::hours(8)
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks an account name and password as `user add` takes them, in Chinese.
pub fn check_new_account(name: &str, password: &str) -> Result<()> {
    let name_ok = !name.trim().is_empty() && name.chars().count() <= 50 && !name.chars().any(char::is_control) && name.trim() == name;
    if !name_ok {
        return Err(CountyError::Invalid("账号名不能为空、不能超过50个字符，首尾不能有空格".into()));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CountyError::Invalid(format!("密码至少{MIN_PASSWORD_CHARS}个字符")));
    }
    Ok(())
}

/// An argon2id hash of the password with a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| CountyError::Invalid(format!("无法生成密码盐：{e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CountyError::Invalid(format!("无法计算密码摘要：{e}")))
}

/// Whether `password` matches a stored hash (false for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the account does not exist, so that an unknown name takes as
/// long to refuse as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("fengqiao-no-such-account").unwrap_or_default())
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, expiring with the session;
/// `Secure` when served over TLS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = session_lifetime().num_seconds();
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').map(str::trim).find_map(|kv| kv.strip_prefix(COOKIE)?.strip_prefix('=')).filter(|t| !t.is_empty() && t.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_only_the_same_password() {
        let h = hash_password("正确的密码123").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("正确的密码123", &h));
        assert!(!verify_password("错误的密码123", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(hash_password("正确的密码123").unwrap(), h, "a salt of its own each time");
    }

    #[test]
    fn cookie_attributes_and_parsing() {
        let c = session_cookie("abc", false);
        for part in ["fengqiao_session=abc", "HttpOnly", "SameSite=Strict", "Max-Age=28800", "Path=/"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(session_cookie("abc", true).ends_with("; Secure"));
        assert_eq!(token_from_cookie_header("a=1; fengqiao_session=tok; b=2"), Some("tok"));
        assert_eq!(token_from_cookie_header("fengqiao_sessionx=tok"), None);
        assert_eq!(token_from_cookie_header("fengqiao_session="), None);
    }

    #[test]
    fn new_accounts_need_a_name_and_eight_characters() {
        assert!(check_new_account("张科长", "12345678").is_ok());
        assert!(check_new_account(" ", "12345678").is_err());
        assert!(check_new_account("张科长", "1234567").unwrap_err().to_string().contains("至少8个字符"));
    }
}
