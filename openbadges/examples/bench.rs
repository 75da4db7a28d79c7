//! Benchmark: credentials signed and verified per second on this machine, and a signed
//! credential plus its DID document written to DIR so `interop/bench.mjs` can time
//! Digital Bazaar's verifier on the very same credential and print the ratio.
//!
//! Run with `--release`: `cargo run --release -p openbadges --example bench -- DIR`.

use std::{collections::HashMap, path::Path, time::Instant};

use openbadges::{
    keys::{SigningKey, did_document, verification_method},
    proof,
    verify::{self, Options},
};
use serde_json::json;

const DID: &str = "did:web:issuer.example:issuers:bench";

// The same allocator as the server binary: JSON-LD processing is allocation-bound.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: bench DIR")?;
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let key = SigningKey::generate();
    let vm = verification_method(DID, &key.public_multibase());
    let unsigned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2f1e4c55-8a1d-4e1b-9a3f-6f6c2b7e9d10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Bench University", "url": "https://issuer.example"},
        "validFrom": "2026-01-05T10:00:00Z",
        "name": "Data Literacy",
        "credentialSubject": {
            "id": "did:example:learner", "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/data-literacy", "type": ["Achievement"],
                "achievementType": "MicroCredential", "name": "Data Literacy",
                "description": "Reads, questions and presents data responsibly.",
                "criteria": {"narrative": "Complete three component badges and a capstone."},
                "creditsAvailable": 3, "tag": ["data"]
            }
        },
        "evidence": [{"id": "urn:uuid:6b5a2c3e-7a8f-4d7a-9f50-0d3c1f2a9b11", "type": ["Evidence"], "name": "Capstone", "narrative": "An analysis of open data."}]
    });

    let rounds = 4000;
    let start = Instant::now();
    let mut signed = unsigned.clone();
    for _ in 0..rounds {
        signed = unsigned.clone();
        proof::sign(&mut signed, &key, &vm, "2026-01-05T10:00:00Z")?;
    }
    let sign_rate = f64::from(rounds) / start.elapsed().as_secs_f64();

    let mut resolver = HashMap::new();
    let cpu_start = thread_cpu_ns();
    let did_doc = did_document(DID, &[key.public_multibase()]);
    resolver.insert(DID.to_string(), did_doc.clone());
    let start = Instant::now();
    for _ in 0..rounds {
        let report = verify::verify(&signed, &resolver, &Options::default());
        if !report.is_good() {
            return Err("benchmark credential did not verify".into());
        }
    }
    let verify_rate = f64::from(rounds) / start.elapsed().as_secs_f64();
    let cpu_rate = per_cpu_second(rounds, cpu_start, thread_cpu_ns());

    // The same on two threads at once, sharing the context cache (as the server's
    // blocking pool does): near 2× on two free cores.
    let threads = 2;
    let start = Instant::now();
    let all_good = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let cpu_start = thread_cpu_ns();
                    let good = (0..rounds)
                        .all(|_| verify::verify(&signed, &resolver, &Options::default()).is_good());
                    (good, per_cpu_second(rounds, cpu_start, thread_cpu_ns()))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or((false, None)))
            .collect::<Vec<_>>()
    });
    let cpu_rates: Vec<String> = all_good
        .iter()
        .map(|(_, r)| r.map_or_else(|| "?".into(), |r| format!("{r:.0}")))
        .collect();
    let all_good = all_good.iter().all(|(good, _)| *good);
    if !all_good {
        return Err("benchmark credential did not verify on a worker thread".into());
    }
    let parallel_rate = f64::from(rounds * threads) / start.elapsed().as_secs_f64();

    println!(
        "rust (openbadges): {sign_rate:.0} credentials signed/s, {verify_rate:.0} verified/s ({rounds} rounds each, 1 thread)"
    );
    // Wall-clock rates depend on what else runs on the machine; verifications per
    // second of CPU time each thread got do not: equal figures mean no contention.
    println!(
        "rust (openbadges): per CPU-second of each thread: {} verified alone, {} on {threads} threads",
        cpu_rate.map_or_else(|| "?".into(), |r| format!("{r:.0}")),
        cpu_rates.join(" and "),
    );
    println!(
        "rust (openbadges): {parallel_rate:.0} verified/s on {threads} threads ({:.2}x one thread; {} cores available, load {})",
        parallel_rate / verify_rate,
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "unknown".into()),
    );
    std::fs::write(
        dir.join("bench-credential.json"),
        serde_json::to_string(&signed)?,
    )?;
    std::fs::write(dir.join("bench-did.json"), serde_json::to_string(&did_doc)?)?;
    std::fs::write(
        dir.join("bench-rust.json"),
        serde_json::to_string(&json!({"sign_per_sec": sign_rate, "verify_per_sec": verify_rate}))?,
    )?;
    Ok(())
}

/// CPU time this thread has run, in nanoseconds (Linux; `None` elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[allow(clippy::cast_precision_loss)] // nanoseconds of a benchmark fit an f64
fn per_cpu_second(rounds: u32, start: Option<u64>, end: Option<u64>) -> Option<f64> {
    let ns = end?.checked_sub(start?)?;
    (ns > 0).then(|| f64::from(rounds) / (ns as f64 / 1e9))
}
