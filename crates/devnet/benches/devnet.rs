//! The devnet's figures (see `flywheel_devnet::bench`): `cargo bench -p flywheel-devnet`
//! prints what `flywheel bench devnet` prints.

// A benchmark: a failed setup panics (the workspace denies these outside tests and benches).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

fn main() {
    match flywheel_devnet::bench::run(2_000) {
        Ok(f) => print!("{}", flywheel_devnet::bench::render(&f)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
