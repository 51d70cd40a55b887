//! Device credentials and enrollment codes. Only their SHA-256 hashes are stored.

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// Letters and digits a clerk cannot confuse (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in an enrollment code (about 79 bits).
const CODE_LEN: usize = 16;

/// A new device token: 32 random bytes as 64 hex digits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A new one-time enrollment code, e.g. `K7QX-M2PA-9DHT-WE4C`.
pub fn new_enrollment_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as typed, without separators and case: `k7qx m2pa…` and `K7QX-M2PA…` are one code.
pub fn normalize_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// SHA-256 of a token, hex.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// SHA-256 of a normalized enrollment code, hex.
pub fn hash_code(code: &str) -> String {
    hex(&Sha256::digest(normalize_code(code).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_hash_the_same_however_typed() {
        let code = new_enrollment_code();
        assert_eq!(code.len(), 19);
        assert!(code.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        assert_eq!(hash_code(&code), hash_code(&code.to_lowercase().replace('-', " ")));
        assert_ne!(new_enrollment_code(), code);
    }

    #[test]
    fn tokens_are_64_hex_digits() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
