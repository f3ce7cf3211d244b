//! Flow mode against its floor, alternated `REPS` times in one process so both see the same
//! machine load: `cargo run --release -p flywheel-sim --example flow_ratio -- RUNS DAYS REPS
//! [PRESET]`. Prints each repetition's seconds and ratio, then the ratio of the best times.
use flywheel_sim::monte_carlo::{simulate, Options};
use flywheel_sim::scenario::Fidelity;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let days: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3650);
    let reps: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let name = args.next().unwrap_or_else(|| "v31-baseline".into());
    let mut s = match flywheel_sim::presets::preset(&name) {
        Ok(s) => s,
        Err(e) => return eprintln!("error: {e}"),
    };
    s.set_horizon(days);
    let v = match s.validate() {
        Ok(v) => v,
        Err(e) => return eprintln!("error: {e}"),
    };
    let opts = Options {
        runs,
        fidelity: Fidelity::Flow,
    };
    let (mut best_flow, mut best_floor) = (f64::MAX, f64::MAX);
    for _ in 0..reps {
        let start = Instant::now();
        let out = simulate(&v, opts, false, |_, _| {}, &|_| {});
        let flow = start.elapsed().as_secs_f64();
        if let Err(e) = out {
            return eprintln!("error: {e}");
        }
        let start = Instant::now();
        std::hint::black_box(flywheel_sim::bench::draw_only(&v, runs));
        let floor = start.elapsed().as_secs_f64();
        println!(
            "flow {flow:.3} s  floor {floor:.3} s  ratio {:.2}",
            flow / floor
        );
        best_flow = best_flow.min(flow);
        best_floor = best_floor.min(floor);
    }
    let steps = f64::from(runs) * f64::from(days);
    println!(
        "best: flow {best_flow:.3} s ({:.2}M path-steps/s), floor {best_floor:.3} s, ratio {:.2}",
        steps / best_flow / 1e6,
        best_flow / best_floor
    );
}
