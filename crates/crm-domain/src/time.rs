//! The company's calendar: what "today", "overdue" and "that day" mean is decided in the company's
//! time zone (a setting), never in UTC or in the server's zone.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone a settings value names; UTC when the name is unknown (settings refuse unknown names, so
/// this only guards against a hand-edited database).
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The date on the company's calendar at an instant.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The first instant (as stored: UTC) of a day on the company's calendar. A day whose midnight does
/// not exist (a daylight-saving gap) starts at the first instant that does.
pub fn day_start(date: NaiveDate, tz: Tz) -> NaiveDateTime {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    let mut probe = midnight;
    for _ in 0..48 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.naive_utc();
        }
        probe += Duration::minutes(30);
    }
    midnight
}

/// A day on the company's calendar as the half-open UTC range `[start, end)`.
pub fn day_range(date: NaiveDate, tz: Tz) -> (NaiveDateTime, NaiveDateTime) {
    let next = date.succ_opt().unwrap_or(date);
    (day_start(date, tz), day_start(next, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn shanghai_is_a_day_ahead_just_after_midnight_utc_plus_8() {
        let sh = zone("Asia/Shanghai");
        // 16:30 UTC on the 27th is 00:30 on the 28th in Shanghai.
        assert_eq!(
            local_date(utc("2026-11-27T16:30:00Z"), sh),
            day("2026-11-28")
        );
        assert_eq!(
            local_date(utc("2026-11-27T15:59:59Z"), sh),
            day("2026-11-27")
        );
        // Just after midnight UTC it has long been the same day in Shanghai.
        assert_eq!(
            local_date(utc("2026-11-28T00:05:00Z"), sh),
            day("2026-11-28")
        );
        assert_eq!(
            local_date(utc("2026-11-28T00:05:00Z"), Tz::UTC),
            day("2026-11-28")
        );
    }

    #[test]
    fn a_shanghai_day_in_utc() {
        let (start, end) = day_range(day("2026-11-28"), zone("Asia/Shanghai"));
        assert_eq!(start, utc("2026-11-27T16:00:00Z").naive_utc());
        assert_eq!(end, utc("2026-11-28T16:00:00Z").naive_utc());
    }

    #[test]
    fn days_across_daylight_saving() {
        let ny = zone("America/New_York");
        // 2026-03-08 has 23 hours in New York; 2026-11-01 has 25.
        let (s, e) = day_range(day("2026-03-08"), ny);
        assert_eq!(e - s, Duration::hours(23));
        let (s, e) = day_range(day("2026-11-01"), ny);
        assert_eq!(e - s, Duration::hours(25));
        // Santiago skips midnight when summer time starts (2026-09-06 00:00 does not exist).
        let cl = zone("America/Santiago");
        let (s, _) = day_range(day("2026-09-06"), cl);
        assert_eq!(local_date(s.and_utc(), cl), day("2026-09-06"));
    }

    #[test]
    fn unknown_zones_fall_back_to_utc() {
        assert_eq!(zone("Mars/Olympus"), Tz::UTC);
    }
}
