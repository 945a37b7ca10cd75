//! Times in seals and stamps: UTCTime (v1) and GeneralizedTime (v4, v5), read tolerantly
//! (optional seconds, fractions, `Z` or `±hhmm`), written as DER GeneralizedTime.

use super::super::SealError;
use der::asn1::{AnyRef, GeneralizedTime};
use der::{Decode, Tag, Tagged};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Read a UTCTime or GeneralizedTime element.
pub(crate) fn parse_time(any: AnyRef<'_>, what: &'static str) -> Result<OffsetDateTime, SealError> {
    let s = std::str::from_utf8(any.value()).map_err(|_| SealError::BadTime(what))?;
    match any.tag() {
        Tag::UtcTime => parse_time_text(s, false).ok_or(SealError::BadTime(what)),
        Tag::GeneralizedTime => parse_time_text(s, true).ok_or(SealError::BadTime(what)),
        _ => Err(SealError::BadTime(what)),
    }
}

/// v1 `timeInfo` is a BIT STRING holding either the time as text, a DER time element,
/// or a time-stamp token. Returns the time when one can be read.
pub(crate) fn parse_v1_time_info(bytes: &[u8]) -> Option<OffsetDateTime> {
    if let Ok(any) = AnyRef::from_der(bytes) {
        if let Ok(t) = parse_time(any, "timeInfo") {
            return Some(t);
        }
    }
    let s = std::str::from_utf8(bytes).ok()?;
    let s = s.trim_matches(char::from(0)).trim();
    // v1 writes UTCTime (YYMMDDhhmm[ss]); 14 or more digits can only be GeneralizedTime.
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let utc_first = digits < 14;
    parse_time_text(s, !utc_first)
        .or_else(|| parse_time_text(s, utc_first))
        .or_else(|| {
            // "yyyy-MM-dd HH:mm:ss" as some writers put it.
            let f =
                time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
            PrimitiveDateTime::parse(s, &f).ok().map(|p| p.assume_utc())
        })
}

fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    if s.len() < n || !s.as_bytes()[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Parse the text of a UTCTime (`YYMMDDhhmm[ss]`) or GeneralizedTime
/// (`YYYYMMDDhh[mm[ss[.fff]]]`), followed by `Z`, `±hhmm` or nothing (taken as UTC).
pub(crate) fn parse_time_text(s: &str, generalized: bool) -> Option<OffsetDateTime> {
    if s.len() > 40 {
        return None;
    }
    let (year, rest) = if generalized {
        let (y, r) = digits(s, 4)?;
        (y as i32, r)
    } else {
        let (y, r) = digits(s, 2)?;
        (
            if y >= 50 {
                1900 + y as i32
            } else {
                2000 + y as i32
            },
            r,
        )
    };
    let (month, rest) = digits(rest, 2)?;
    let (day, rest) = digits(rest, 2)?;
    let (hour, rest) = digits(rest, 2)?;
    let (minute, rest) = digits(rest, 2).unwrap_or((0, rest));
    let (second, mut rest) = digits(rest, 2).unwrap_or((0, rest));
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(',')) {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let kept = &frac[..n.min(9)];
        nanos = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &frac[n..];
    }
    let offset = match rest {
        "" | "Z" => UtcOffset::UTC,
        _ => {
            let sign: i8 = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hh, r) = digits(&rest[1..], 2)?;
            let (mm, r) = digits(r, 2)?;
            if !r.is_empty() {
                return None;
            }
            UtcOffset::from_hms(sign * hh as i8, sign * mm as i8, 0).ok()?
        }
    };
    let date =
        Date::from_calendar_date(year, Month::try_from(month as u8).ok()?, day as u8).ok()?;
    let tod = Time::from_hms_nano(hour as u8, minute as u8, second.min(59) as u8, nanos).ok()?;
    // A time near the ends of the calendar may not exist in UTC (9999-12-31T23:00-0200).
    PrimitiveDateTime::new(date, tod)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
}

/// DER GeneralizedTime of `t` (whole seconds, UTC).
pub(crate) fn generalized(t: OffsetDateTime) -> Result<GeneralizedTime, SealError> {
    let secs = u64::try_from(t.unix_timestamp())
        .map_err(|_| SealError::InvalidRequest("times before 1970 cannot be written"))?;
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|_| SealError::InvalidRequest("time out of GeneralizedTime range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variants() {
        let t = parse_time_text("20200422020900Z", true).unwrap();
        assert_eq!(t.unix_timestamp(), 1587521340);
        assert_eq!(parse_time_text("200422020900Z", false), Some(t));
        assert_eq!(parse_time_text("20200422100900+0800", true), Some(t));
        assert_eq!(
            parse_time_text("20200422020900.250Z", true)
                .unwrap()
                .millisecond(),
            250
        );
        assert!(parse_time_text("2020042202", true).is_some());
        assert!(parse_time_text("20201322020900Z", true).is_none());
        assert!(parse_time_text("2020x422020900Z", true).is_none());
        assert!(parse_time_text("20200422020900Q", true).is_none());
        assert_eq!(parse_v1_time_info(b"200422020900Z"), Some(t));
        assert_eq!(parse_v1_time_info(b"20200422020900Z"), Some(t));
        assert_eq!(parse_v1_time_info(b"2020-04-22 02:09:00"), Some(t));
        assert_eq!(parse_v1_time_info(&[0x17, 0x0d]), None);
    }
}
