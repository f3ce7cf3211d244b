//! The devnet's figures (see `flywheel_devnet::bench`): `cargo bench -p flywheel-devnet`
//! prints what `flywheel bench devnet` prints.

fn main() {
    match flywheel_devnet::bench::run(2_000) {
        Ok(f) => print!("{}", flywheel_devnet::bench::render(&f)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
