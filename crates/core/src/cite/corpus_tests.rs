//! The finder against a hand-checked corpus and the seed articles.
use std::path::Path;

use super::find;
use serde_json::Value;

const CORPUS: &str = include_str!("corpus.jsonl");
const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");

#[test]
fn cite_corpus() {
    let mut failures = Vec::new();
    let mut lines = 0;
    for (n, line) in CORPUS.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        let case: Value = serde_json::from_str(line).expect("corpus line is JSON");
        let input = case["input"].as_str().expect("input");
        let got = serde_json::to_value(find(input)).expect("serialise");
        if got != case["expect"] {
            failures.push(format!(
                "line {}: {input:?}\n  want {}\n  got  {got}",
                n + 1,
                case["expect"]
            ));
        }
    }
    assert!(lines >= 70, "corpus has only {lines} lines");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cite_json_shape() {
    let c = &find("Kết luận số 100 - KL/TW ngày 18/8/2014")[0];
    assert_eq!(
        serde_json::to_string(c).unwrap(),
        r#"{"text":"Kết luận số 100 - KL/TW ngày 18/8/2014","start":0,"end":45,"system":"party","type":"KL","number":"100","issuer":"TW","date":"2014-08-18","short":false}"#
    );
}

/// Every citation in each seed article, in order, read by hand. Equality (not
/// just inclusion) also guards the dates, year ranges and "COVID-19" there.
const SEED_CITATIONS: &[(&str, &[&str])] = &[
    (
        "000_2aa5abdb5ccb2aa0.txt",
        &[
            "Chỉ thị số 41-CT/TW",
            "Chỉ thị số 42-CT/TW",
            "Chỉ thị số 43-CT/TW",
            "Chỉ thị số 44-CT/TW",
            "Kết luận số 102-KL/TW",
        ],
    ),
    (
        "001_f24adb3677c850f6.txt",
        &[
            "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX",
            "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX",
            "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX",
            "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX",
            "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX",
            "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XX",
            "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XX",
        ],
    ),
    (
        "002_0dc449bf4ae97b1a.txt",
        &[
            "Chỉ thị số 05-CT/TW",
            "Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XII",
            "Nghị quyết số 01-NQ/ĐUK ngày 15-5-2009",
        ],
    ),
    ("003_73c24728fd35b31d.txt", &[]),
    ("004_1c03522553d4a1f1.txt", &["Nghị quyết 35"]),
];

#[test]
fn cite_seeds() {
    let dir = Path::new(SEEDS);
    if !dir.is_dir() {
        eprintln!("note: {SEEDS} not found, seed test skipped");
        return;
    }
    for (name, want) in SEED_CITATIONS {
        let text = std::fs::read_to_string(dir.join(name)).expect("seed readable");
        let got: Vec<String> = find(&text).into_iter().map(|c| c.text).collect();
        assert_eq!(got, *want, "{name}");
    }
}
