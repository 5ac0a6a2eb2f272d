//! The numbering period of a document (36-HD/VPTW 1.3.1): Party numbers
//! restart with each committee term, state numbers every calendar year.

/// The day each Central Committee term (khóa) began.
const KHOA: [(&str, &str); 9] = [
    ("1986-12-18", "VI"),
    ("1991-06-27", "VII"),
    ("1996-07-01", "VIII"),
    ("2001-04-22", "IX"),
    ("2006-04-25", "X"),
    ("2011-01-19", "XI"),
    ("2016-01-28", "XII"),
    ("2021-02-01", "XIII"),
    ("2026-01-23", "XIV"),
];

/// Central bodies number by khóa: TW itself and its boards (VPTW, BTCTW…).
pub fn is_central(issuer: &str) -> bool {
    issuer.ends_with("TW")
}

/// The khóa in force on an ISO date.
pub fn khoa(iso: &str) -> Option<&'static str> {
    KHOA.iter()
        .rev()
        .find(|(from, _)| *from <= iso)
        .map(|k| k.1)
}

/// Period key for (system, issuer, ISO date): "XII" for central bodies,
/// the year for state documents, otherwise the five-year local term
/// ("2020-2025"). Local congresses close mid-year, so 1 July is taken as
/// the boundary when the issuer's own terms are not on file.
pub fn key(system: &str, issuer: &str, iso: &str) -> String {
    let year: i32 = iso.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    if system == "state" {
        return year.to_string();
    }
    if is_central(issuer) {
        return khoa(iso).unwrap_or("").to_string();
    }
    let mid = iso.get(5..) >= Some("07-01");
    let from = year - year.rem_euclid(5) - if year % 5 == 0 && !mid { 5 } else { 0 };
    format!("{from}-{}", from + 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key("party", "TW", "2019-05-30"), "XII");
        assert_eq!(key("party", "TW", "2024-01-10"), "XIII");
        assert_eq!(key("party", "BTCTW", "2026-02-01"), "XIV");
        assert_eq!(key("state", "CP", "2014-01-23"), "2014");
        assert_eq!(key("party", "ĐUK", "2019-08-15"), "2015-2020");
        assert_eq!(key("party", "ĐUK", "2020-03-01"), "2015-2020");
        assert_eq!(key("party", "ĐUK", "2020-10-01"), "2020-2025");
        assert_eq!(key("party", "ĐU", "2025-12-01"), "2025-2030");
    }
}
