//! AWS's timestamp rules: the strings Step Functions accepts as timestamps (Wait `Timestamp` /
//! `TimestampPath`, Choice `Timestamp*` operators, `IsTimestamp`) and the form in which it writes
//! times into the context object (`$$.Execution.StartTime`, `$$.State.EnteredTime`).
//!
//! Accepted form (RFC 3339 profile of ISO 8601, per
//! https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html):
//! `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` with an uppercase `T` and `Z`, any number
//! of fractional digits, and the offset required.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use std::fmt::Write as _;

/// Parses a timestamp as AWS accepts it; `None` when AWS would reject the string.
///
/// Observed on AWS (asl-features.md §2.5): `…Z`, `….000000Z`, `….00Z` accepted; no offset, a
/// space instead of `T`, month 13, hour 25 and `05-12-2016T…` rejected.
pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    // Shortest accepted form: `2016-03-14T01:59:00Z` (20 bytes).
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let (nanos, rest) = fraction(&b[19..])?;
    let offset = offset(rest)?;
    // UNSURE(aws): leap second `:60` is rejected (Java's strict ISO resolver rejects it; RFC 3339
    // allows it). https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    offset.from_local_datetime(&NaiveDateTime::new(date, time)).single()
}

/// Milliseconds since the Unix epoch of a parsed timestamp.
pub fn to_millis(dt: &DateTime<FixedOffset>) -> i64 {
    dt.timestamp_millis()
}

/// Parses a timestamp and returns its epoch milliseconds (sub-millisecond digits truncated
/// toward the past).
pub fn parse_millis(s: &str) -> Option<i64> {
    parse(s).map(|dt| to_millis(&dt))
}

/// Formats epoch milliseconds the way AWS writes `$$.Execution.StartTime` and
/// `$$.State.EnteredTime`: UTC, three fractional digits, `Z` (`2024-04-24T06:27:25.830Z`).
///
/// Evidence: the context-object docs show `2019-03-26T20:14:13.192Z`; real AWS returned
/// `2024-04-24T06:27:25.830Z` (trailing zero kept) in
/// https://github.com/localstack/localstack/issues/10713.
/// UNSURE(aws): a start time on an exact second is assumed to print `.000Z` (not `Z` as Java's
/// `Instant.toString()` would). https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
pub fn format_millis(epoch_millis: i64) -> String {
    let min = DateTime::<Utc>::MIN_UTC.timestamp_millis();
    let max = DateTime::<Utc>::MAX_UTC.timestamp_millis();
    let clamped = epoch_millis.clamp(min, max);
    let dt = DateTime::<Utc>::from_timestamp_millis(clamped).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut out = String::with_capacity(24);
    let year = dt.year();
    // `write!` into a String cannot fail.
    let _ = if (0..=9999).contains(&year) { write!(out, "{year:04}") } else { write!(out, "{year:+05}") };
    let _ = write!(
        out,
        "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.timestamp_subsec_millis().min(999)
    );
    out
}

/// A run of ASCII digits as a number; `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// Reads an optional `.ddd…` fraction; returns nanoseconds and the bytes after it.
///
/// UNSURE(aws): digits beyond the ninth are accepted and ignored (the brief says "any number of
/// fractional digits"; Java's ISO parser stops at nine).
fn fraction(b: &[u8]) -> Option<(u32, &[u8])> {
    let Some(rest) = b.strip_prefix(b".") else {
        return Some((0, b));
    };
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        let d = rest.get(i).filter(|_| i < n).map_or(0, |c| u32::from(c - b'0'));
        nanos = nanos * 10 + d;
    }
    Some((nanos, &rest[n..]))
}

/// Reads the whole remaining input as `Z` or `±HH:MM`.
///
/// UNSURE(aws): lowercase `z`, `±HHMM` and `±HH` are rejected (the docs require an uppercase
/// `Z`; Java's lenient offset parser might accept the others).
fn offset(b: &[u8]) -> Option<FixedOffset> {
    if b == b"Z" {
        return FixedOffset::east_opt(0);
    }
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = digits(&b[1..3])?;
    let minutes = digits(&b[4..6])?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let secs = i32::try_from(hours * 3600 + minutes * 60).ok()?;
    FixedOffset::east_opt(sign * secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(s: &str) -> Option<i64> {
        parse_millis(s)
    }

    #[test]
    fn accepts_utc_forms_observed_on_aws() {
        assert_eq!(millis("2016-03-14T01:59:00Z"), Some(1_457_920_740_000));
        assert_eq!(millis("2016-03-14T01:59:00.000000Z"), Some(1_457_920_740_000));
        assert_eq!(millis("2016-03-14T01:59:00.00Z"), Some(1_457_920_740_000));
        assert_eq!(millis("2016-03-14T01:59:00.123Z"), Some(1_457_920_740_123));
        assert_eq!(millis("2016-03-14T01:59:00.1Z"), Some(1_457_920_740_100));
    }

    #[test]
    fn keeps_nanoseconds_and_ignores_digits_past_nine() {
        let dt = parse("2024-12-05T21:29:29.243167252Z").map(|d| d.timestamp_subsec_nanos());
        assert_eq!(dt, Some(243_167_252));
        let dt = parse("2024-12-05T21:29:29.2431672529999Z").map(|d| d.timestamp_subsec_nanos());
        assert_eq!(dt, Some(243_167_252));
    }

    #[test]
    fn accepts_numeric_offsets_and_normalises_them() {
        assert_eq!(millis("2016-03-14T02:59:00+01:00"), Some(1_457_920_740_000));
        assert_eq!(millis("2016-03-13T20:29:00-05:30"), Some(1_457_920_740_000));
        assert_eq!(millis("2016-03-14T01:59:00-00:00"), Some(1_457_920_740_000));
        assert_eq!(parse("2016-03-14T02:59:00+01:00").map(|d| d.offset().local_minus_utc()), Some(3600));
    }

    #[test]
    fn rejects_forms_aws_rejects() {
        for s in [
            "2016-03-14T01:59:00",        // no offset
            "2016-03-14 01:59:00Z",       // space instead of T
            "2016-13-14T01:59:00Z",       // month 13
            "2016-03-14T25:59:00Z",       // hour 25
            "05-12-2016T01:59:00Z",       // day-month-year
            "2023-02-24 12:15:56.832957", // observed false for IsTimestamp-like tests
            "2023-02-24",
            "",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn rejects_malformed_details() {
        for s in [
            "2016-03-14t01:59:00Z",
            "2016-03-14T01:59:00z",
            "2016-03-14T01:59Z",
            "2016-03-14T01:59:00.Z",
            "2016-03-14T01:59:00+0100",
            "2016-03-14T01:59:00+01",
            "2016-03-14T01:59:00+24:00",
            "2016-03-14T01:59:00+01:60",
            "2016-02-30T01:59:00Z",
            "2016-03-14T01:60:00Z",
            "2016-03-14T01:59:60Z",
            "2016-03-14T01:59:00ZZ",
            "2016-03-14T01:59:00Z ",
            " 2016-03-14T01:59:00Z",
            "+016-03-14T01:59:00Z",
            "2016-03-14T01:59:00.12a3Z",
            "２016-03-14T01:59:00Z",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn accepts_leap_day() {
        assert_eq!(millis("2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
    }

    #[test]
    fn formats_context_object_times() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_millis(1_704_067_200_000), "2024-01-01T00:00:00.000Z");
        assert_eq!(format_millis(1_713_940_045_830), "2024-04-24T06:27:25.830Z");
        assert_eq!(format_millis(1_553_631_253_192), "2019-03-26T20:14:13.192Z");
        assert_eq!(format_millis(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn format_never_panics_at_extremes() {
        assert!(!format_millis(i64::MAX).is_empty());
        assert!(!format_millis(i64::MIN).is_empty());
    }

    #[test]
    fn format_round_trips_through_parse() {
        for ms in [0, 1, 999, 1_704_067_200_123, 253_402_300_799_999] {
            assert_eq!(parse_millis(&format_millis(ms)), Some(ms));
        }
    }
}
