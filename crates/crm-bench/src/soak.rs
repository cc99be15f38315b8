//! The soak test: every scenario of the benchmark mixed (lists, search, writes, reports), the
//! given number of clients at once for a long time, reported per minute: requests, errors, p50 and
//! p99, and the server's own resident memory (not the database pages SQLite maps). It fails on
//! any error, and when memory keeps growing after the first minute or the p99 drifts.

use crate::{Request, login, memory_mb, ms, send};
use anyhow::{Result, ensure};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one minute of the soak saw.
struct Minute {
    hist: Histogram<u64>,
    errors: u64,
    /// Failed requests by scenario and status, for the report.
    failed: BTreeMap<String, u64>,
}

impl Minute {
    fn new() -> Result<Minute> {
        Ok(Minute {
            hist: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            errors: 0,
            failed: BTreeMap::new(),
        })
    }
}

pub async fn run(
    args: &crate::Args,
    client: reqwest::Client,
    base: Arc<String>,
    mix: Vec<(&'static str, &'static str, Request)>,
    duration: Duration,
    volumes: &str,
) -> Result<()> {
    // One token per user of the mix.
    let mut tokens = BTreeMap::new();
    for (_, user, _) in &mix {
        if !tokens.contains_key(user) {
            tokens.insert(*user, Arc::new(login(&client, &base, user).await?));
        }
    }
    let mix: Arc<Vec<(&'static str, Arc<String>, Request)>> = Arc::new(
        mix.into_iter()
            .map(|(name, user, request)| (name, tokens[user].clone(), request))
            .collect(),
    );
    let minutes = duration.as_secs().div_ceil(60) as usize;
    let started = Instant::now();
    // The server's memory at the end of each minute.
    let pid = args.pid;
    let memory = tokio::spawn(async move {
        let mut seen = Vec::new();
        for m in 1..=minutes {
            let due = started + Duration::from_secs(60 * m as u64).min(duration);
            tokio::time::sleep_until(due.into()).await;
            seen.push(memory_mb(pid).unwrap_or(0.0));
        }
        seen
    });
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (client, base, mix) = (client.clone(), base.clone(), mix.clone());
        tasks.push(tokio::spawn(async move {
            let mut per_minute = (0..minutes)
                .map(|_| Minute::new())
                .collect::<Result<Vec<_>>>()?;
            let mut k = c as u64 * 1_000_003;
            while started.elapsed() < duration {
                let (name, token, request) = &mix[(k as usize + c * 7) % mix.len()];
                let t = Instant::now();
                let status = send(&client, &base, token, request(k)).await;
                k += 1;
                let minute =
                    &mut per_minute[((started.elapsed().as_secs() / 60) as usize).min(minutes - 1)];
                minute.hist.record(t.elapsed().as_micros().max(1) as u64)?;
                if !(200..300).contains(&status) {
                    minute.errors += 1;
                    *minute
                        .failed
                        .entry(format!("{name}: {status}"))
                        .or_default() += 1;
                }
            }
            anyhow::Ok(per_minute)
        }));
    }
    let mut all = (0..minutes)
        .map(|_| Minute::new())
        .collect::<Result<Vec<_>>>()?;
    for t in tasks {
        for (into, from) in all.iter_mut().zip(t.await??) {
            into.hist.add(from.hist)?;
            into.errors += from.errors;
            for (k, n) in from.failed {
                *into.failed.entry(k).or_default() += n;
            }
        }
    }
    let memory = memory.await?;

    let mut md = format!(
        "## {}\n\n- machine: {}\n- volumes: {volumes}\n- load: {} clients for {} s, each request the next of {} scenarios in turn \
         (lists, search, check-duplicate, one customer, logging activities, receivables, reports, deal board, expenses, tickets)\n\n\
         | minute | requests | req/s | p50 ms | p99 ms | errors | server memory (RssAnon) MB |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        args.label,
        crate::machine(),
        args.clients,
        duration.as_secs(),
        mix.len()
    );
    for (i, (m, mb)) in all.iter().zip(&memory).enumerate() {
        let seconds = (duration.as_secs() - 60 * i as u64).clamp(1, 60);
        md.push_str(&format!(
            "| {} | {} | {:.0} | {} | {} | {} | {:.0} |\n",
            i + 1,
            m.hist.len(),
            m.hist.len() as f64 / seconds as f64,
            ms(m.hist.value_at_quantile(0.5)),
            ms(m.hist.value_at_quantile(0.99)),
            m.errors,
            mb
        ));
    }
    let errors: u64 = all.iter().map(|m| m.errors).sum();
    let first_minute = memory.first().copied().unwrap_or(0.0);
    let peak_after = memory.iter().skip(1).copied().fold(first_minute, f64::max);
    let p99s: Vec<u64> = all.iter().map(|m| m.hist.value_at_quantile(0.99)).collect();
    let (p99_min, p99_max) = (
        *p99s.iter().skip(1).min().unwrap_or(&p99s[0]),
        *p99s.iter().skip(1).max().unwrap_or(&p99s[0]),
    );
    md.push_str(&format!(
        "\n{} requests, **{errors} errors**; memory {:.0} MB after the first minute, at most {:.0} MB after it \
         ({:+.1} %); p99 per minute after the first from {} to {} ms.\n",
        all.iter().map(|m| m.hist.len()).sum::<u64>(),
        first_minute,
        peak_after,
        (peak_after / first_minute.max(1.0) - 1.0) * 100.0,
        ms(p99_min),
        ms(p99_max),
    ));
    for (i, m) in all.iter().enumerate().filter(|(_, m)| m.errors > 0) {
        md.push_str(&format!("\nErrors in minute {}: {:?}\n", i + 1, m.failed));
    }
    md.push('\n');
    print!("{md}");
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.out)?
        .write_all(md.as_bytes())?;
    ensure!(errors == 0, "{errors} requests failed during the soak");
    // Growth past the first minute: caches filling and the allocator settling are allowed 25 %.
    ensure!(
        peak_after <= first_minute * 1.25 + 16.0,
        "the server's memory grew from {first_minute:.0} MB to {peak_after:.0} MB after the first minute"
    );
    ensure!(
        p99_max <= p99_min.saturating_mul(3).max(p99_min + 20_000),
        "p99 drifted from {} ms to {} ms",
        ms(p99_min),
        ms(p99_max)
    );
    Ok(())
}
