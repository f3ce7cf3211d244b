//! Event-mode throughput probe: `cargo run --release -p flywheel-sim --example event_speed --
//! PRESET DAYS` runs one event-fidelity path and prints bundles/s and peak memory.
use flywheel_sim::engine::run_path;
use flywheel_sim::event_ledger::EventLedger;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "seed-baseline".into());
    let days: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let mut s = match flywheel_sim::presets::preset(&name) {
        Ok(s) => s,
        Err(e) => return eprintln!("error: {e}"),
    };
    s.set_horizon(days);
    let v = match s.validate() {
        Ok(v) => v,
        Err(e) => return eprintln!("error: {e}"),
    };
    let start = Instant::now();
    let mut bundles = 0u64;
    let result =
        EventLedger::new(&v).and_then(|mut l| run_path(&v, &mut l, 0, |st| bundles += st.bundles));
    let secs = start.elapsed().as_secs_f64();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_default();
    match result {
        Ok(t) => println!("{name} {days} days: {bundles} bundles in {secs:.1} s = {:.0} bundles/s; burned {} wei; {hwm}", bundles as f64 / secs, t.burned),
        Err(e) => eprintln!("error: {e}"),
    }
}
