//! `Idempotency-Key` on POST: the same key and body from the same user within 24 hours returns the
//! first answer instead of creating twice (a retried create after a network failure is safe).

use crate::caller::Identified;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use crm_db::idempotency::Claim;
use crm_domain::{ErrorCode, msg};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_string));
    // Sign-in and the caller's own tokens answer with secrets, which must not be kept for replay.
    let carries_secrets =
        req.path().starts_with("/api/v1/auth/") || req.path().starts_with("/api/v1/me/");
    let (Method::POST, Some(key), false) = (req.method().clone(), key, carries_secrets) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key {
        Ok(k) if (1..=200).contains(&k.len()) => k,
        _ => {
            let e = ApiError::bad_request(
                ErrorCode::InvalidIdempotencyKey,
                msg!(
                    "Idempotency-Key 须为 1–200 个可见 ASCII 字符",
                    "the Idempotency-Key must be 1–200 visible ASCII characters"
                ),
            );
            return Ok(req.error_response(e));
        }
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // Without a valid caller there is nothing to remember; the handler answers 401 itself.
    let identified = req.extensions().get::<Identified>().cloned();
    let user = match identified {
        Some(Identified::Caller(identity)) => identity.id(),
        Some(Identified::Refused(e)) => return Ok(req.error_response(e)),
        None => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    let body = match req.extract::<crate::extract::Body>().await {
        Ok(crate::extract::Body(body)) => body,
        Err(e) => return Ok(req.error_response(e)),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let request_hash = hex::encode(hasher.finalize());
    req.set_payload(actix_http::Payload::from(body));

    let (k, h) = (key.clone(), request_hash);
    let claim = state
        .run(move |conn| Ok(crm_db::idempotency::claim(conn, user, &k, &h)?))
        .await;
    match claim {
        Err(e) => Ok(req.error_response(e)),
        Ok(Claim::Mismatch) => Ok(req.error_response(ApiError::Unprocessable {
            code: ErrorCode::IdempotencyKeyReused,
            detail: msg!(
                "这个 Idempotency-Key 已用于另一个请求",
                "this Idempotency-Key was used with a different request"
            ),
        })),
        Ok(Claim::InProgress) => Ok(req.error_response(ApiError::Conflict {
            code: ErrorCode::IdempotencyInProgress,
            detail: msg!(
                "使用这个 Idempotency-Key 的请求仍在处理中",
                "a request with this Idempotency-Key is still running"
            ),
        })),
        Ok(Claim::Replay { status, body }) => {
            let res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .insert_header(("idempotent-replayed", "true"))
                .body(body);
            Ok(req.into_response(res))
        }
        Ok(Claim::New) => {
            let res = next.call(req).await?;
            let status = res.status();
            let (http_req, http_res) = res.into_parts();
            let (head, body) = http_res.into_parts();
            let bytes = actix_web::body::to_bytes(body)
                .await
                .map_err(|_| ApiError::internal("response body"))?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let outcome = if status.is_success() {
                state
                    .run(move |conn| {
                        Ok(crm_db::idempotency::complete(
                            conn,
                            user,
                            &key,
                            status.as_u16(),
                            &text,
                        )?)
                    })
                    .await
            } else {
                // A failed attempt is forgotten so that the client can fix and retry with the same key.
                state
                    .run(move |conn| Ok(crm_db::idempotency::release(conn, user, &key)?))
                    .await
            };
            if let Err(e) = outcome {
                tracing::warn!(error = %e, "idempotency bookkeeping failed");
            }
            let res = head.set_body(bytes).map_into_boxed_body();
            Ok(ServiceResponse::new(http_req, res))
        }
    }
}
