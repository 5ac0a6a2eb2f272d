//! Vietnamese number, date and time formatting. Time is stored in UTC and
//! shown in UTC+7 (Viet Nam has no daylight saving).
use time::{Date, Month, OffsetDateTime, UtcOffset};

pub const VN_OFFSET: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("offset"),
};

/// 35599 → "35.599".
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// 35599 of 35900 → "99,16%" (two decimals, comma); "—" when there is no base.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".into();
    }
    let hundredths = (part as i128 * 10_000 + whole as i128 / 2) / whole as i128;
    format!("{},{:02}%", hundredths / 100, hundredths % 100)
}

/// "02/08/2019".
pub fn date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// The formal date line of a document: "ngày 02 tháng 8 năm 2019". Days
/// below 10 and months 1–2 take a leading zero, so nothing can be added later.
pub fn formal_date(d: Date) -> String {
    let m = u8::from(d.month());
    let month = if m <= 2 {
        format!("{m:02}")
    } else {
        m.to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// Unix milliseconds (UTC) → "21/11/2026 14:05" in Viet Nam time.
pub fn datetime_ms(ms: i64) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) else {
        return String::new();
    };
    let t = t.to_offset(VN_OFFSET);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// Parses "YYYY-MM-DD" (the HTML date input) or "dd/mm/yyyy".
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d) = if let Some((y, rest)) = s.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (y, m, d)
    } else {
        let mut it = s.split('/');
        let (d, m, y) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    if y.len() != 4 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// ISO form used in storage ("2019-08-02"): sorts correctly as text on both engines.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A stored ISO date as shown ("02/08/2019"); "" when absent or unreadable.
pub fn date_text(iso: Option<&str>) -> String {
    iso.and_then(parse_date).map(date).unwrap_or_default()
}

/// Today's date in Viet Nam.
pub fn today_vn() -> Date {
    OffsetDateTime::now_utc().to_offset(VN_OFFSET).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn percents_round_to_hundredths() {
        assert_eq!(percent(35_599, 35_900), "99,16%");
        assert_eq!(percent(142, 150), "94,67%");
        assert_eq!(percent(1, 1), "100,00%");
        assert_eq!(percent(0, 7), "0,00%");
        assert_eq!(percent(3, 0), "—");
    }

    #[test]
    fn formal_dates_pad_day_and_early_months() {
        assert_eq!(
            formal_date(date!(2019 - 08 - 02)),
            "ngày 02 tháng 8 năm 2019"
        );
        assert_eq!(
            formal_date(date!(2018 - 02 - 20)),
            "ngày 20 tháng 02 năm 2018"
        );
        assert_eq!(
            formal_date(date!(2026 - 12 - 31)),
            "ngày 31 tháng 12 năm 2026"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(int(35599), "35.599");
        assert_eq!(int(999), "999");
        assert_eq!(int(5_600_000), "5.600.000");
        assert_eq!(int(-1234), "-1.234");
    }

    #[test]
    fn dates() {
        assert_eq!(date(date!(2019 - 08 - 02)), "02/08/2019");
        assert_eq!(parse_date("2019-08-02"), Some(date!(2019 - 08 - 02)));
        assert_eq!(parse_date("2/8/2019"), Some(date!(2019 - 08 - 02)));
        assert_eq!(parse_date("31/02/2019"), None);
        assert_eq!(parse_date("hôm qua"), None);
        // 2026-11-21 00:30 UTC is 07:30 in Viet Nam.
        assert_eq!(datetime_ms(1_795_221_000_000), "21/11/2026 07:30");
    }
}
