//! Fixtures made by independent tools (Digital Bazaar's libraries, `jose`, 1EdTech's
//! `openbadges-bakery`; see `interop/make-fixtures.sh`), each with the verdict, standing
//! and failing check a correct verifier gives. The documents a verifier resolves come
//! from `documents.json`; addresses listed as `gone` answer HTTP 410.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use openbadges::input;
use openbadges::verify::{Options, Outcome, Resolution, Resolver};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/independent")
}

struct Fixtures {
    documents: HashMap<String, Value>,
    gone: HashSet<String>,
}

impl Resolver for Fixtures {
    fn resolve(&self, url: &str) -> Resolution {
        if self.gone.contains(url) {
            return Resolution::Gone("HTTP 410".into());
        }
        self.documents.resolve(url)
    }
}

fn json(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(name)).expect("fixture");
    serde_json::from_str(&text).expect("json")
}

#[test]
fn every_independent_fixture_gets_its_expected_verdict() {
    let documents: HashMap<String, Value> =
        serde_json::from_value(json("documents.json")).expect("documents");
    let cases = json("cases.json");
    let cases = cases.as_array().expect("cases");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    // A fixed moment between the fixtures' dates (validity far in the future otherwise).
    let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let bytes = std::fs::read(dir().join(case["file"].as_str().expect("file"))).expect("file");
        let resolver = Fixtures {
            documents: documents.clone(),
            gone: case["gone"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let options = Options {
            now,
            recipient_email: case["recipient_email"].as_str().map(str::to_string),
        };
        let read = match input::read(&bytes) {
            Ok(read) => read,
            Err(e) => {
                failures.push(format!("{name}: not read: {e}"));
                continue;
            }
        };
        let report = input::verify(&read, &resolver, &options);
        // Shown with `--nocapture`: the sentence a person reads for each case.
        println!("{name}: {}", report.summary());
        let mut problems = Vec::new();
        if report.verdict.as_str() != case["verdict"] {
            problems.push(format!("verdict {}", report.verdict.as_str()));
        }
        if report.standing.as_str() != case["standing"] {
            problems.push(format!("standing {}", report.standing.as_str()));
        }
        match case["check"].as_str() {
            None => {
                if report.reason().is_some() {
                    problems.push(format!("unexpected reason {:?}", report.reason()));
                }
            }
            Some(id) => {
                let named = report.reason().map(|c| c.id) == Some(id)
                    || report
                        .check(id)
                        .is_some_and(|c| matches!(c.outcome, Outcome::Fail | Outcome::Unavailable));
                if !named {
                    problems.push(format!("check {id} is not the failing one"));
                }
            }
        }
        if let Some(signer) = case["signer"].as_str()
            && report.signer.as_deref() != Some(signer)
        {
            problems.push(format!("signer {:?}", report.signer));
        }
        if let Some(by) = case["checked_by"].as_str()
            && report.checked_by.map(|c| c.as_str()) != Some(by)
        {
            problems.push(format!("checked by {:?}", report.checked_by));
        }
        let summary = report.summary();
        let opening = match case["verdict"].as_str() {
            Some("verified") => "This badge is authentic",
            Some("not_verified") => "This badge could not be verified.",
            _ => "This badge could not be checked.",
        };
        if !summary.starts_with(opening) {
            problems.push(format!("summary {summary:?}"));
        }
        // Every line of every report reads as a sentence.
        for c in &report.checks {
            if !c.message.ends_with('.') || !c.message.starts_with(char::is_uppercase) {
                problems.push(format!("{} is not a sentence: {}", c.id, c.message));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}\n{report:#?}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
