//! Tokens: 32 random bytes, shown once as `linli_<base58>`, stored only as
//! a SHA-256 hash.

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

/// Prefix of every linli token, so a leaked one is recognisable.
pub const PREFIX: &str = "linli_";

/// A fresh random token.
pub fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{PREFIX}{}", bs58::encode(bytes).into_string())
}

/// The hash stored for `token`.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The token a request carries: `Authorization: Bearer <token>`, else the
/// `token` query parameter (for browsers, which cannot set headers on a
/// websocket).
pub fn from_request(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION)
        && let Ok(text) = value.to_str()
        && let Some(token) = text.strip_prefix("Bearer ")
    {
        return Some(token.trim().to_owned());
    }
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hash_stably() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX));
        assert!(a.len() > 40);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn token_comes_from_bearer_header_or_query() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            from_request(&headers, Some("a=1&token=linli_x")),
            Some("linli_x".into())
        );
        headers.insert("authorization", "Bearer linli_y".parse().unwrap());
        assert_eq!(
            from_request(&headers, Some("token=linli_x")),
            Some("linli_y".into())
        );
        assert_eq!(from_request(&HeaderMap::new(), None), None);
        assert_eq!(from_request(&HeaderMap::new(), Some("tok=1")), None);
    }
}
