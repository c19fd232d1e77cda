//! The cost of unlocking: one Argon2id derivation at the first stores' cost (V1, 19 MiB,
//! t=2) and at the current one (V2), measured in the same run, so the choice in `crypto.rs`
//! can be checked on any machine (a 2 GB phone is about 3–5× slower than a laptop core).
//!
//! `cargo bench -p njia-store --bench kdf`; `NJIA_BENCH_KDF=64x3,128x2` adds candidate costs
//! (MiB x passes). Printed, not asserted.

use std::time::{Duration, Instant};

use njia_store::KdfParams;

fn measure(params: KdfParams, runs: u32) -> Duration {
    let salt = [7u8; 16];
    // One warm-up: the first allocation of the memory blocks is paid once per process.
    let _ = params.derive("benchmark passphrase", &salt);
    let start = Instant::now();
    for _ in 0..runs {
        let key = params
            .derive("benchmark passphrase", &salt)
            .expect("derive");
        std::hint::black_box(&key);
    }
    start.elapsed() / runs
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let runs = if benching { 10 } else { 1 };
    let mut candidates = vec![("V1 (old)", KdfParams::V1), ("V2 (new)", KdfParams::V2)];
    let extra: Vec<(String, KdfParams)> = std::env::var("NJIA_BENCH_KDF")
        .unwrap_or_default()
        .split(',')
        .filter_map(|c| {
            let (m, t) = c.split_once('x')?;
            let p = KdfParams {
                version: 0,
                memory_kib: m.trim().parse::<u32>().ok()? * 1024,
                passes: t.trim().parse().ok()?,
                lanes: 1,
            };
            Some((format!("{m} MiB t={t}"), p))
        })
        .collect();
    candidates.extend(extra.iter().map(|(n, p)| (n.as_str(), *p)));
    for (name, p) in candidates {
        let d = measure(p, runs);
        println!(
            "argon2id {name:<12} {:>4} MiB t={} p={}: {:>7.1} ms per derivation ({runs} runs)",
            p.memory_kib / 1024,
            p.passes,
            p.lanes,
            d.as_secs_f64() * 1e3
        );
    }
}
