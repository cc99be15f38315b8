//! The webhook worker: posts due deliveries (claimed from the outbox by `crm_db::webhooks`), signed
//! with the endpoint's secret, and records how each went. Also the URL rule that keeps webhooks
//! from reaching into the server's own network (SSRF), asked when an endpoint is registered and
//! again, after DNS, before every post — which then goes to the very address that was checked.

use actix_web::web;
use crm_db::Db;
use crm_db::webhooks::{Attempt, Due};
use crm_domain::{ErrorCode, Msg, msg};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Deliveries claimed per round.
const BATCH: i64 = 20;
/// How long a claimed delivery is this worker's before another may take it again.
const LEASE_SECONDS: i64 = 120;
/// How long an endpoint has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long its name may take to resolve.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// `sha256=<hex HMAC-SHA256 of the body under the secret>`, as `X-CRM-Signature` carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether a webhook may call this address when private networks are not allowed: public
/// unicast only (no loopback, private, link-local, shared, documentation, multicast or
/// unspecified address, IPv4 written as IPv6 included).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            // IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is judged as the IPv4 it carries.
            let embedded = v6.to_ipv4().or_else(|| match s {
                [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(std::net::Ipv4Addr::from(
                    (u32::from(s[6]) << 16) | u32::from(s[7]),
                )),
                [0x2002, hi, lo, ..] => Some(std::net::Ipv4Addr::from(
                    (u32::from(hi) << 16) | u32::from(lo),
                )),
                _ => None,
            });
            if let Some(v4) = embedded.filter(|_| !v6.is_loopback() && !v6.is_unspecified()) {
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0)
        }
    }
}

/// Why a URL may not be called.
#[derive(Debug, Clone)]
pub struct Refused(pub Msg);

/// The addresses `url` may be posted to: `http(s)` only, resolved now, every address public
/// unless `allow_private`.
pub async fn check_url(
    url: &str,
    allow_private: bool,
) -> Result<(reqwest::Url, Vec<SocketAddr>), Refused> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| {
        let e = e.to_string();
        Refused(msg!("网址不对：{e}", "not a URL: {e}"))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Refused(msg!(
            "只能推送到 http 或 https 网址",
            "only http and https URLs are allowed"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Refused(msg!(
            "网址里不能带用户名和密码（用签名密钥验证）",
            "no user name or password in the URL (the signature authenticates)"
        )));
    }
    let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
        return Err(Refused(msg!("网址没有主机名", "the URL has no host")));
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let unresolved = || {
        Refused(msg!(
            "无法解析主机 {host}",
            "the host {host} cannot be resolved"
        ))
    };
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(DNS_TIMEOUT, tokio::net::lookup_host((host.as_str(), port)))
            .await
            .map_err(|_| unresolved())?
            .map_err(|_| unresolved())?
            .collect();
    if addrs.is_empty() {
        return Err(Refused(msg!(
            "无法解析主机 {host}",
            "the host {host} cannot be resolved"
        )));
    }
    if !allow_private && let Some(a) = addrs.iter().find(|a| !is_public(a.ip())) {
        let ip = a.ip();
        return Err(Refused(msg!(
            "{host} 指向内网或本机地址 {ip}；如确需推送到内网，请在公司设置里允许",
            "{host} points at the private or loopback address {ip}; allow private networks in the company settings if this is meant"
        )));
    }
    Ok((parsed, addrs))
}

impl From<Refused> for crate::error::ApiError {
    fn from(r: Refused) -> Self {
        crate::error::ApiError::field("url", ErrorCode::WebhookUrlNotAllowed, r.0)
    }
}

/// Posts one delivery and says how it went.
async fn post(due: &Due, allow_private: bool) -> Attempt {
    let started = Instant::now();
    let elapsed = |started: Instant| started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let (url, addrs) = match check_url(&due.url, allow_private).await {
        Ok(checked) => checked,
        Err(Refused(why)) => {
            return Attempt {
                status_code: None,
                latency_ms: elapsed(started),
                error: Some(why.en.into_owned()),
            };
        }
    };
    let body = serde_json::to_vec(&due.payload).unwrap_or_default();
    // The request goes to the addresses just checked, not to whatever DNS answers next.
    // No proxy: a proxy would resolve the name itself, around the check.
    let mut client = reqwest::Client::builder()
        .no_proxy()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("crm-webhooks/1");
    if let Some(host) = url.host_str() {
        client = client.resolve_to_addrs(host, &addrs);
    }
    let result = match client.build() {
        Ok(client) => {
            client
                .post(url)
                .header("content-type", "application/json")
                .header("x-crm-event", due.payload.event.as_str())
                .header("x-crm-delivery", due.delivery_id.to_string())
                .header("x-crm-signature", signature(&due.secret, &body))
                .body(body)
                .send()
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(res) => Attempt {
            status_code: Some(i32::from(res.status().as_u16())),
            latency_ms: elapsed(started),
            error: None,
        },
        Err(e) => Attempt {
            status_code: None,
            latency_ms: elapsed(started),
            error: Some(if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "could not connect".to_string()
            } else {
                e.to_string()
            }),
        },
    }
}

/// One round: claims what is due, posts it, records each attempt; how many were posted.
pub async fn deliver_due(db: &Db) -> anyhow::Result<usize> {
    let claim_db = db.clone();
    let (due, allow_private) = web::block(move || -> anyhow::Result<_> {
        let mut conn = claim_db.get().map_err(anyhow::Error::msg)?;
        let allow = crm_db::settings::get(&mut conn)
            .map_err(anyhow::Error::msg)?
            .settings
            .webhooks_allow_private_network;
        let due = crm_db::webhooks::claim_due(
            &mut conn,
            crm_db::now(),
            BATCH,
            chrono::Duration::seconds(LEASE_SECONDS),
        )
        .map_err(anyhow::Error::msg)?;
        Ok((due, allow))
    })
    .await??;
    let posted = due.len();
    // The batch is posted at once, so that all of it is done well within the lease (an attempt
    // takes at most DNS_TIMEOUT + TIMEOUT).
    let attempts = futures_util::future::join_all(due.iter().map(|d| post(d, allow_private))).await;
    for (d, attempt) in due.into_iter().zip(attempts) {
        metrics::counter!("crm_webhook_attempts_total",
            "outcome" => if attempt.succeeded() { "delivered" } else { "failed" })
        .increment(1);
        let db = db.clone();
        web::block(move || -> anyhow::Result<()> {
            let mut conn = db.get().map_err(anyhow::Error::msg)?;
            crm_db::webhooks::record_attempt(
                &mut conn,
                d.delivery_id,
                d.claim,
                crm_db::now(),
                &attempt,
            )
            .map_err(anyhow::Error::msg)?;
            Ok(())
        })
        .await??;
    }
    Ok(posted)
}

/// Runs the worker in the background of the current actix system: a round every `every`, and
/// at once another while a round finds a full batch.
pub fn spawn(db: Db, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            loop {
                match deliver_due(&db).await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::error!("webhook delivery round failed: {e}");
                        break;
                    }
                }
            }
        }
    });
}

/// A new secret: 32 random bytes, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_a_webhook_may_not_reach() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:101::1",
            "fec0::1",
            "192.0.0.8",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "114.114.114.114",
            "2400:3200::1",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn the_signature_is_the_hex_hmac_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
