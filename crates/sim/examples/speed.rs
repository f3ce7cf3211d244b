//! Quick flow-mode throughput probe for profiling: `cargo run --release -p flywheel-sim
//! --example speed -- RUNS DAYS`.
fn main() {
    let mut args = std::env::args().skip(1);
    let runs = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let days = args.next().and_then(|a| a.parse().ok()).unwrap_or(3650);
    match flywheel_sim::bench::run(runs, days, 2_000, &|_| {}) {
        Ok(r) => println!("{r:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
