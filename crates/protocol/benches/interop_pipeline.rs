//! Bundles per second through send → settle → prove → execute, beside the cost of the keccak
//! permutations alone that one bundle needs.

// A benchmark: a failed setup panics (the workspace denies these outside tests and benches).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use flywheel_protocol::workload::{self, Pipeline};
use std::hint::black_box;

const BATCH: usize = 1000;

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("interop");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.bench_function("full_path_single_call_bundles", |b| {
        b.iter_batched_ref(
            || Pipeline::new().expect("devnet builds"),
            |p| black_box(p.run_batch(BATCH).expect("pipeline runs")),
            BatchSize::PerIteration,
        )
    });

    // The keccak bound: the same number and sizes of keccak inputs, sized from a real bundle
    // and its real proof, with nothing else.
    let mut p = Pipeline::new().expect("devnet builds");
    p.run_batch(BATCH).expect("pipeline runs");
    let (bundle, proof) = p.last.expect("a bundle was executed");
    let (batch_path, shared_path) = workload::proof_path_lengths(&proof).expect("two-level proof");
    let inputs = workload::keccak_inputs_per_bundle(bundle.encoded.len(), batch_path, shared_path);
    let perms: usize = inputs.iter().map(|l| workload::permutations(*l)).sum();
    println!(
        "one bundle: {} B encoded, proof of {} words; keccak: {} hashes, {} permutations",
        bundle.encoded.len(),
        proof.proof.len(),
        inputs.len(),
        perms
    );
    let mut scratch = Vec::new();
    group.bench_function("keccak_only_single_call_bundles", |b| {
        b.iter(|| {
            let mut acc = 0u8;
            for _ in 0..BATCH {
                acc ^= workload::hash_inputs(&inputs, &mut scratch);
            }
            black_box(acc)
        })
    });
    group.finish();

    c.bench_function("keccak256_64_bytes", |b| {
        let buf = [7u8; 64];
        b.iter(|| alloy_primitives::keccak256(black_box(&buf)))
    });
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
