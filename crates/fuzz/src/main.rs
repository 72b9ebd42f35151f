//! `make fuzz`: millions of generated inputs per parser and thousands of
//! damaged databases, then the linear-time checks. Prints counts and the
//! slowest input per target; exits non-zero on the first panic or input
//! over its budget.
//!
//!   fuzz [--inputs N] [--databases N] [--seed S] [--only csv,json,...]

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let inputs: u64 = arg("--inputs").and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let databases: u64 = arg("--databases").and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let seed: u64 = arg("--seed").and_then(|v| v.parse().ok()).unwrap_or(1);
    let only = arg("--only");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    // Panics are caught and reported by the runner, not printed here.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    println!("{:<12} {:>10} {:>10} {:>12}  slowest input", "target", "inputs", "errors", "slowest");
    for &target in fuzz::TARGETS {
        if only.as_deref().is_some_and(|o| !o.split(',').any(|t| t == target)) {
            continue;
        }
        let count = if target == "databases" { databases } else { inputs };
        let started = Instant::now();
        match fuzz::run(target, seed, count, Duration::from_secs(5), &data) {
            Ok(r) => println!(
                "{:<12} {:>10} {:>10} {:>12?}  {}  ({:.0} s)",
                r.target,
                r.inputs,
                r.errors,
                r.slowest,
                r.slowest_input,
                started.elapsed().as_secs_f64()
            ),
            Err(f) => {
                failed = true;
                println!("{:<12} FAILED: {}\n  input: {}", f.target, f.problem, f.input);
            }
        }
    }
    println!("\nLinear time: import at n and 10 n bytes (best of 3)");
    for (name, format, make) in fuzz::scaling_inputs() {
        let (small, large) = fuzz::scaling(format, 100_000, make);
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        println!("{name:<24} {small:>10.1?} {large:>10.1?}  x{ratio:.1}");
        if ratio > 15.0 && large > Duration::from_millis(200) {
            failed = true;
            println!("  FAILED: more than linear");
        }
    }
    if failed {
        std::process::exit(1);
    }
}
