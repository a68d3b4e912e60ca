//! Dates as news formats write them, read into UTC.
//!
//! Accepted: RFC 3339; ISO 8601 with or without a zone, with `T` or a space, with
//! fractional seconds or only minutes; RFC 2822 (a weekday that does not match the
//! date is ignored, as feeds get it wrong); and written forms such as
//! `March 17, 2025`, `Mar. 17, 2025 4:25pm EDT` and `17 March 2025`. A date or time
//! without a zone is taken as UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Reads a date or date-time; `None` when it is not one of the accepted forms.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if s.as_bytes()[0].is_ascii_digit()
        && let Some(d) = parse_iso(s)
    {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    // chrono rejects a weekday that contradicts the date; feeds often get it wrong.
    if let Some((_, rest)) = s.split_once(',').filter(|(day, _)| weekday(day).is_some())
        && let Ok(d) = DateTime::parse_from_rfc2822(rest.trim())
    {
        return Some(d.with_timezone(&Utc));
    }
    parse_words(s)
}

/// ISO 8601 forms: `2025-03-17`, `2025-03-17T10:00:00.123+02:00`, `2025-03-17 10:00`, …
fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(midnight(d));
    }
    // Split off a zone: `Z`, ` UTC`, `+02:00`, `-0400`, `+02`.
    let (local, offset) = split_zone(s)?;
    let local = local.trim_end();
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
    ];
    for format in FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(local, format) {
            return at_offset(naive, offset);
        }
    }
    if offset.local_minus_utc() == 0
        && let Ok(d) = NaiveDate::parse_from_str(local, "%Y/%m/%d")
    {
        return Some(midnight(d));
    }
    None
}

/// Splits a trailing zone off an ISO date-time; no zone means UTC.
fn split_zone(s: &str) -> Option<(&str, FixedOffset)> {
    let utc = FixedOffset::east_opt(0).expect("zero offset is valid");
    for suffix in [" UTC", " GMT", "Z", "z"] {
        if let Some(local) = s.strip_suffix(suffix) {
            return Some((local, utc));
        }
    }
    // An offset sign after the time part (the date's own dashes come before a `T`/space).
    let time_start = s.find(['T', ' ']).map_or(s.len(), |i| i + 1);
    if let Some(i) = s[time_start..].rfind(['+', '-']) {
        let i = time_start + i;
        let offset = parse_offset(&s[i..])?;
        return Some((&s[..i], offset));
    }
    Some((s, utc))
}

/// `+02:00`, `-0400`, `+02`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn at_offset(naive: NaiveDateTime, offset: FixedOffset) -> Option<DateTime<Utc>> {
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

/// Written dates: `March 17, 2025`, `Mar 17, 2025 10:00`, `17 March 2025`,
/// `Fri Oct 20, 2006 4:25pm EDT`, `26-FEB-1987 15:01:01.79`.
fn parse_words(s: &str) -> Option<DateTime<Utc>> {
    let (mut year, mut month, mut day) = (None, None, None);
    let mut time: Option<NaiveTime> = None;
    let mut offset: Option<FixedOffset> = None;
    let mut pm: Option<bool> = None;

    let tokens = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .flat_map(split_dashed_date)
        .filter(|t| !t.is_empty());
    for token in tokens {
        let t = token.trim_end_matches('.');
        let lower = t.to_ascii_lowercase();
        if let Some(m) = month_number(&lower) {
            if month.replace(m).is_some() {
                return None;
            }
        } else if weekday(&lower).is_some() || lower == "at" || lower == "on" {
        } else if lower == "am" || lower == "a.m" || lower == "pm" || lower == "p.m" {
            pm = Some(lower.starts_with('p'));
        } else if t.contains(':') {
            if time.is_some() {
                return None;
            }
            let (clock, suffix) = split_meridiem(&lower);
            if let Some(p) = suffix {
                pm = Some(p);
            }
            time = Some(parse_clock(clock)?);
        } else if t.starts_with(['+', '-']) && t.len() > 1 {
            offset = Some(parse_offset(t)?);
        } else if let Some(o) = zone_abbreviation(&lower) {
            offset = Some(o);
        } else if t.bytes().all(|b| b.is_ascii_digit()) {
            let ordinal = t.len() <= 2;
            if ordinal && day.is_none() {
                day = Some(t.parse::<u32>().ok()?);
            } else if t.len() == 4 && year.is_none() {
                year = Some(t.parse::<i32>().ok()?);
            } else {
                return None;
            }
        } else if let Some(n) = ordinal_day(&lower) {
            if day.replace(n).is_some() {
                return None;
            }
        } else {
            return None;
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let mut time = time.unwrap_or(NaiveTime::MIN);
    if let Some(pm) = pm {
        use chrono::Timelike;
        let h = time.hour();
        if !(1..=12).contains(&h) {
            return None;
        }
        let h = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
        time = time.with_hour(h)?;
    }
    let offset = offset.unwrap_or(FixedOffset::east_opt(0).expect("zero offset is valid"));
    at_offset(date.and_time(time), offset)
}

/// `26-FEB-1987` → `26`, `FEB`, `1987`, so dashed dates work when a time is present.
fn split_dashed_date(token: &str) -> Vec<&str> {
    let parts: Vec<&str> = token.split('-').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && !p.contains(':')) {
        parts
    } else {
        vec![token]
    }
}

fn split_meridiem(lower: &str) -> (&str, Option<bool>) {
    for (suffix, pm) in [("a.m", false), ("p.m", true), ("am", false), ("pm", true)] {
        if let Some(clock) = lower.strip_suffix(suffix) {
            return (clock, Some(pm));
        }
    }
    (lower, None)
}

fn parse_clock(s: &str) -> Option<NaiveTime> {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

fn ordinal_day(lower: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| lower.strip_suffix(s))?;
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn month_number(lower: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if lower.len() < 3 {
        return None;
    }
    let lower = if lower == "sept" { "sep" } else { lower };
    MONTHS
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(lower)))
        .map(|i| i as u32 + 1)
}

fn weekday(s: &str) -> Option<usize> {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = s.trim().to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    DAYS.iter()
        .position(|d| *d == lower || (lower.len() == 3 && d.starts_with(&lower)))
}

/// The zone names news feeds use, North American and European; anything more exotic
/// should come as a numeric offset.
fn zone_abbreviation(lower: &str) -> Option<FixedOffset> {
    let hours = match lower {
        "utc" | "gmt" | "ut" | "z" | "wet" => 0,
        "bst" | "cet" | "wat" | "west" => 1,
        "cest" | "eet" => 2,
        "eest" | "msk" => 3,
        "est" => -5,
        "edt" => -4,
        "cst" => -6,
        "cdt" => -5,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<String> {
        parse_date(s).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }

    #[test]
    fn rfc3339() {
        assert_eq!(
            utc("2025-03-17T10:00:00Z").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
        assert_eq!(
            utc("2025-03-17T10:00:00+02:00").as_deref(),
            Some("2025-03-17T08:00:00.000Z")
        );
    }

    #[test]
    fn iso_without_zone_is_utc() {
        assert_eq!(
            utc("2025-03-17T10:00:00").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
        assert_eq!(
            utc("2025-03-17T10:00").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
    }

    #[test]
    fn iso_with_fractional_seconds() {
        assert_eq!(
            utc("1987-02-26T15:01:01.790").as_deref(),
            Some("1987-02-26T15:01:01.790Z")
        );
        assert_eq!(
            utc("1987-02-26T15:01:01.7").as_deref(),
            Some("1987-02-26T15:01:01.700Z")
        );
    }

    #[test]
    fn iso_with_offset_is_converted_to_utc() {
        assert_eq!(
            utc("2006-10-20T16:25:00-04:00").as_deref(),
            Some("2006-10-20T20:25:00.000Z")
        );
        assert_eq!(
            utc("2006-10-20T16:25-04:00").as_deref(),
            Some("2006-10-20T20:25:00.000Z")
        );
        assert_eq!(
            utc("2006-10-20T16:25:00-0400").as_deref(),
            Some("2006-10-20T20:25:00.000Z")
        );
        assert_eq!(
            utc("2006-10-20 16:25:00+01").as_deref(),
            Some("2006-10-20T15:25:00.000Z")
        );
    }

    #[test]
    fn rfc2822_with_numeric_and_named_zones() {
        // 17 March 2025 was a Monday: the wrong weekday must not lose the date.
        assert_eq!(
            utc("Tue, 17 Mar 2025 10:00:00 +0000").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
        assert_eq!(
            utc("Mon, 17 Mar 2025 10:00:00 GMT").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
        assert_eq!(
            utc("Mon, 17 Mar 2025 10:00:00 EST").as_deref(),
            Some("2025-03-17T15:00:00.000Z")
        );
        assert_eq!(
            utc("17 Mar 2025 10:00 -0700").as_deref(),
            Some("2025-03-17T17:00:00.000Z")
        );
    }

    #[test]
    fn written_month_day_year() {
        assert_eq!(
            utc("March 17, 2025").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
        assert_eq!(
            utc("Mar 17, 2025").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
        assert_eq!(
            utc("Mar. 17, 2025").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
        assert_eq!(
            utc("Sept 3, 2024").as_deref(),
            Some("2024-09-03T00:00:00.000Z")
        );
    }

    #[test]
    fn written_day_month_year() {
        assert_eq!(
            utc("17 March 2025").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
        assert_eq!(
            utc("17th March 2025").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
    }

    #[test]
    fn written_with_time_and_zone() {
        assert_eq!(
            utc("Fri Oct 20, 2006 4:25pm EDT").as_deref(),
            Some("2006-10-20T20:25:00.000Z")
        );
        assert_eq!(
            utc("March 17, 2025 10:00 UTC").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
        assert_eq!(
            utc("Mar 17, 2025 12:30 am").as_deref(),
            Some("2025-03-17T00:30:00.000Z")
        );
        assert_eq!(
            utc("26-FEB-1987 15:01:01.79").as_deref(),
            Some("1987-02-26T15:01:01.790Z")
        );
    }

    #[test]
    fn date_only_and_space_separated() {
        assert_eq!(
            utc("2025-03-17").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
        assert_eq!(
            utc("2025-03-17 10:00:00").as_deref(),
            Some("2025-03-17T10:00:00.000Z")
        );
        assert_eq!(
            utc(" 2025-03-17 ").as_deref(),
            Some("2025-03-17T00:00:00.000Z")
        );
    }

    #[test]
    fn nonsense_is_none() {
        for s in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-02-30",
            "March 2025",
            "March 17",
            "17 17 2025",
            "Mar 17, 2025 25:00",
            "2025-03-17T10:00:00+99:00",
            "13:00pm March 1, 2025",
            "ätsch",
            "2025-03-17T10:00:00 garbage",
        ] {
            assert_eq!(utc(s), None, "{s:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "+",
            "-",
            "2025-",
            "T",
            ":",
            "2025-03-17T",
            "2025-03-17 +",
            "1-2-3",
            "Z",
            "é:é",
        ] {
            let _ = parse_date(s);
        }
    }
}
