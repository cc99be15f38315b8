//! Access tokens (JWT, HS256 only), refresh tokens and personal API tokens.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use crm_domain::{ErrorCode, msg};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const ISSUER: &str = "crm";
/// Personal tokens carry a recognisable prefix so that secret scanners and the server can tell them apart.
pub const PERSONAL_PREFIX: &str = "crm_pat_";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// Session id: ending the session ends its access tokens too.
    pub sid: i64,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> JwtKeys {
        // The algorithm is pinned: a token claiming `none` or RS256 is refused outright.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "nbf", "sub", "iss"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        // A little slack for clocks of several server instances that differ by a second or two.
        validation.leeway = 2;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    pub fn issue(&self, user_id: i64, session_id: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id,
            iss: ISSUER.into(),
            iat: now,
            nbf: now,
            exp: now + self.ttl_seconds,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        use jsonwebtoken::errors::ErrorKind;
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| {
                let detail = match e.kind() {
                    ErrorKind::ExpiredSignature => {
                        msg!(
                            "访问令牌已过期，请刷新",
                            "the access token has expired; refresh it"
                        )
                    }
                    ErrorKind::ImmatureSignature => {
                        msg!("访问令牌尚未生效", "the access token is not valid yet")
                    }
                    _ => msg!("访问令牌无效", "the access token is invalid"),
                };
                ApiError::unauthenticated(ErrorCode::InvalidToken, detail)
            })
    }
}

/// 32 random bytes, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn new_personal_token() -> String {
    format!("{PERSONAL_PREFIX}{}", random_secret())
}

pub fn is_personal_token(token: &str) -> bool {
    token.starts_with(PERSONAL_PREFIX)
}

/// Tokens are long random strings, so a fast hash is enough to make a stolen table useless.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_tampered_ones_do_not() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let token = keys.issue(7, 3).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid), ("7", 3));
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 60);
        assert!(other.verify(&token).is_err());
        assert!(keys.verify("not.a.token").is_err());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", -60);
        let token = keys.issue(7, 3).unwrap();
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let now = chrono::Utc::now().timestamp();
        let payload = URL_SAFE_NO_PAD.encode(
            serde_json::json!({"sub": "1", "sid": 1, "iss": "crm", "iat": now, "nbf": now, "exp": now + 60}).to_string(),
        );
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn personal_tokens_are_recognisable_and_unique() {
        let a = new_personal_token();
        assert!(is_personal_token(&a) && a.len() > 40);
        assert_ne!(a, new_personal_token());
        assert_eq!(hash_secret("x").len(), 64);
    }
}
