//! Deadlines as a plan writes them: a date ("31/12/2020"), a span from the
//! launch ("trong 30 ngày", "trong 2 tháng", "1 tuần"), or the end of a
//! period ("quý I/2026", "tháng 12/2020", "6 tháng đầu năm 2026").
use time::{Date, Duration, Month};

use crate::{fmt, text};

/// The day a deadline falls on, for a campaign launched on `launch`.
pub fn resolve(typed: &str, launch: Date) -> Option<Date> {
    let s = text::fold(typed);
    let s = s.trim().trim_start_matches("truoc ngay").trim();
    if let Some(d) = fmt::parse_date(s) {
        return Some(d);
    }
    let s = s
        .trim_start_matches("trong vong")
        .trim_start_matches("trong")
        .trim();
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '/' || c == ',')
        .filter(|w| !w.is_empty() && *w != "nam")
        .collect();
    match words.as_slice() {
        [n, "ngay"] => launch.checked_add(Duration::days(n.parse().ok().filter(|n| *n <= 3650)?)),
        [n, "tuan"] => launch.checked_add(Duration::weeks(n.parse().ok().filter(|n| *n <= 520)?)),
        [n, "thang"] => add_months(launch, n.parse().ok().filter(|n| *n <= 120)?),
        ["quy", q, y] => {
            let q = quarter(q)?;
            month_end(y.parse().ok()?, q * 3)
        }
        ["thang", m, y] => month_end(y.parse().ok()?, m.parse().ok()?),
        ["6", "thang", "dau", y] => month_end(y.parse().ok()?, 6),
        _ => None,
    }
}

fn quarter(q: &str) -> Option<u8> {
    match q {
        "1" | "i" => Some(1),
        "2" | "ii" => Some(2),
        "3" | "iii" => Some(3),
        "4" | "iv" => Some(4),
        _ => None,
    }
}

fn month_end(year: i32, month: u8) -> Option<Date> {
    let m = Month::try_from(month).ok()?;
    if !(1930..=2100).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, m, m.length(year)).ok()
}

/// Same day `n` months later, or the month's last day if it is shorter.
fn add_months(d: Date, n: u32) -> Option<Date> {
    let total = d.year() * 12 + (u8::from(d.month()) as i32 - 1) + n as i32;
    let (y, m) = (total / 12, (total % 12 + 1) as u8);
    let month = Month::try_from(m).ok()?;
    Date::from_calendar_date(y, month, d.day().min(month.length(y))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_ways_plans_write_deadlines() {
        let l = date!(2020 - 11 - 10);
        let cases = [
            ("31/12/2020", Some(date!(2020 - 12 - 31))),
            ("2020-12-31", Some(date!(2020 - 12 - 31))),
            ("trước ngày 31/12/2020", Some(date!(2020 - 12 - 31))),
            ("trong 30 ngày", Some(date!(2020 - 12 - 10))),
            ("Trong vòng 45 ngày", Some(date!(2020 - 12 - 25))),
            ("2 tuần", Some(date!(2020 - 11 - 24))),
            ("trong 3 tháng", Some(date!(2021 - 02 - 10))),
            ("quý I/2021", Some(date!(2021 - 03 - 31))),
            ("Quý IV năm 2020", Some(date!(2020 - 12 - 31))),
            ("quy 2/2021", Some(date!(2021 - 06 - 30))),
            ("tháng 12/2020", Some(date!(2020 - 12 - 31))),
            ("tháng 2 năm 2024", Some(date!(2024 - 02 - 29))),
            ("6 tháng đầu năm 2021", Some(date!(2021 - 06 - 30))),
            ("quý V/2021", None),
            ("31/02/2021", None),
            ("sớm nhất có thể", None),
            ("trong 99999 ngày", None),
        ];
        for (typed, want) in cases {
            assert_eq!(resolve(typed, l), want, "{typed}");
        }
        assert_eq!(
            add_months(date!(2021 - 01 - 31), 1),
            Some(date!(2021 - 02 - 28))
        );
    }
}
