//! The finder scored on held-out texts (heldout/NN_name.txt) written apart
//! from the seed articles, each with citations annotated by hand in
//! NN_name.expected.jsonl before the finder was run on it.
//!
//! An expected citation is placed by finding its `text` in the file (in
//! order), and pairs with a found citation of the same type and number whose
//! span overlaps it, so a citation found with a slightly different extent
//! (a date left out, "Thông báo" before "kết luận số") is still one citation.
//! A pair is a true positive when system, issuer and short agree too; date
//! accuracy is counted over the true positives. Run with `--nocapture` to
//! see the table.
use std::path::Path;

use super::{Citation, find};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/cite/heldout");

struct Expected {
    text: String,
    start: usize,
    end: usize,
    system: String,
    kind: String,
    number: String,
    issuer: Option<String>,
    date: Option<String>,
    short: bool,
}

#[derive(Default)]
struct Score {
    expected: usize,
    found: usize,
    tp: usize,
    dates_ok: usize,
    text_exact: usize,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.expected += o.expected;
        self.found += o.found;
        self.tp += o.tp;
        self.dates_ok += o.dates_ok;
        self.text_exact += o.text_exact;
    }

    fn recall(&self) -> f64 {
        ratio(self.tp, self.expected)
    }

    fn precision(&self) -> f64 {
        ratio(self.tp, self.found)
    }

    fn date_accuracy(&self) -> f64 {
        ratio(self.dates_ok, self.tp)
    }

    fn row(&self, name: &str) -> String {
        format!(
            "{name:<32} {:>4} {:>5} {:>4} {:>7.3} {:>9.3} {:>6.3} {:>5}",
            self.expected,
            self.found,
            self.tp,
            self.recall(),
            self.precision(),
            self.date_accuracy(),
            self.text_exact,
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The annotations of one file, each placed at its first occurrence after
/// the one before.
fn expected(text: &str, jsonl: &str, name: &str) -> Vec<Expected> {
    let mut from = 0;
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("expected line is JSON");
            let t = v["text"].as_str().expect("text").to_string();
            let start = from
                + text[from..]
                    .find(&t)
                    .unwrap_or_else(|| panic!("{name}: {t:?} not in text (in order)"));
            let end = start + t.len();
            from = end;
            Expected {
                text: t,
                start,
                end,
                system: v["system"].as_str().expect("system").to_string(),
                kind: v["type"].as_str().expect("type").to_string(),
                number: v["number"].as_str().expect("number").to_string(),
                issuer: opt(&v["issuer"]),
                date: opt(&v["date"]),
                short: v["short"].as_bool().expect("short"),
            }
        })
        .collect()
}

fn describe(c: &Citation) -> String {
    format!(
        "{:?} {} {} {} {:?} {:?} short={}",
        c.text,
        c.system.as_str(),
        c.kind,
        c.number,
        c.issuer,
        c.date,
        c.short
    )
}

fn score(name: &str, text: &str, want: &[Expected], notes: &mut Vec<String>) -> Score {
    let got = find(text);
    for c in &got {
        assert_eq!(&text[c.start..c.end], c.text, "{name}: span");
    }
    let mut s = Score {
        expected: want.len(),
        found: got.len(),
        ..Score::default()
    };
    let mut used = vec![false; want.len()];
    for c in &got {
        let pair = want.iter().enumerate().find(|(i, e)| {
            !used[*i]
                && c.start < e.end
                && e.start < c.end
                && c.kind == e.kind
                && c.number == e.number
        });
        let Some((i, e)) = pair else {
            notes.push(format!("{name}: extra   {}", describe(c)));
            continue;
        };
        used[i] = true;
        if c.system.as_str() != e.system || c.issuer != e.issuer || c.short != e.short {
            notes.push(format!(
                "{name}: wrong   {} (want {} {:?} short={})",
                describe(c),
                e.system,
                e.issuer,
                e.short
            ));
            // Not a true positive: lowers recall and precision alike.
            continue;
        }
        s.tp += 1;
        if c.date == e.date {
            s.dates_ok += 1;
        } else {
            notes.push(format!(
                "{name}: date    {} (want {:?})",
                describe(c),
                e.date
            ));
        }
        if c.text == e.text {
            s.text_exact += 1;
        } else {
            notes.push(format!("{name}: extent  {:?} (want {:?})", c.text, e.text));
        }
    }
    for (e, used) in want.iter().zip(&used) {
        if !used {
            notes.push(format!(
                "{name}: missed  {:?} {} {} {}",
                e.text, e.kind, e.number, e.system
            ));
        }
    }
    s
}

/// Files 21–26 were written blind (without knowledge of the finder's rules)
/// after the finder was tuned on the others; they are scored on their own.
const BLIND: std::ops::RangeInclusive<u32> = 21..=26;

fn is_blind(name: &str) -> bool {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().is_ok_and(|n: u32| BLIND.contains(&n))
}

/// The held-out file names (without ".txt"), sorted, blind or tuned.
fn names(blind: bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(DIR))
        .expect("heldout dir")
        .filter_map(|e| {
            let n = e.ok()?.file_name().into_string().ok()?;
            n.strip_suffix(".txt").map(str::to_string)
        })
        .filter(|n| is_blind(n) == blind)
        .collect();
    names.sort();
    names
}

/// Scores the named files, prints the per-file table and the notes, and
/// returns the total.
fn score_all(names: &[String]) -> Score {
    let dir = Path::new(DIR);
    let mut total = Score::default();
    let mut notes = Vec::new();
    let mut table = vec![format!(
        "{:<32} {:>4} {:>5} {:>4} {:>7} {:>9} {:>6} {:>5}",
        "file", "want", "found", "tp", "recall", "precision", "dates", "exact"
    )];
    for name in names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.txt"))).expect("text");
        let jsonl = std::fs::read_to_string(dir.join(format!("{name}.expected.jsonl")))
            .expect("expected.jsonl");
        let want = expected(&text, &jsonl, name);
        let s = score(name, &text, &want, &mut notes);
        table.push(s.row(name));
        total.add(&s);
    }
    table.push(total.row("TOTAL"));
    println!("{}", table.join("\n"));
    if !notes.is_empty() {
        println!("\n{}", notes.join("\n"));
    }
    total
}

#[test]
fn cite_heldout() {
    let names = names(false);
    assert!(names.len() >= 8, "only {} held-out texts", names.len());
    let total = score_all(&names);
    assert!(total.recall() >= 0.90, "recall {:.3}", total.recall());
    assert!(
        total.precision() >= 0.95,
        "precision {:.3}",
        total.precision()
    );
    assert!(
        total.date_accuracy() >= 0.95,
        "date accuracy {:.3}",
        total.date_accuracy()
    );
}

/// The blind set: lower bars, since the finder was never tuned on it.
#[test]
fn blind_set_is_scored() {
    let names = names(true);
    assert_eq!(names.len(), 6, "blind texts: {names:?}");
    let total = score_all(&names);
    assert!(total.recall() >= 0.80, "recall {:.3}", total.recall());
    assert!(
        total.precision() >= 0.90,
        "precision {:.3}",
        total.precision()
    );
    assert!(
        total.date_accuracy() >= 0.90,
        "date accuracy {:.3}",
        total.date_accuracy()
    );
}
