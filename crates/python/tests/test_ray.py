"""flywheel.ray on a local Ray cluster that the test starts itself: a head and a worker
process, on loopback only. The test runs only where loopback is the machine's only network
(`.ci/run` runs pytest inside a fresh network namespace, `unshare -n`), so no Ray traffic can
reach any other address; elsewhere it is skipped with the reason."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import flywheel

ray = pytest.importorskip("ray")
import flywheel.ray as fray  # noqa: E402

PORT = "6390"


def _only_loopback() -> bool:
    return [name for _, name in socket.if_nameindex() if name != "lo"] == []


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not _only_loopback():
        pytest.skip("run inside a network namespace with only loopback (unshare -n), as .ci/run does")
    ray_bin = Path(sys.executable).with_name("ray")
    if not ray_bin.exists():
        ray_bin = Path(shutil.which("ray") or "ray")
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    temp = tmp_path_factory.mktemp("ray")
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats"]
    subprocess.run(
        [str(ray_bin), "start", "--head", f"--port={PORT}", "--include-dashboard=false", f"--temp-dir={temp}", *common],
        check=True, env=env, capture_output=True, timeout=120,
    )
    try:
        subprocess.run(
            [str(ray_bin), "start", f"--address=127.0.0.1:{PORT}", *common],
            check=True, env=env, capture_output=True, timeout=120,
        )
        ray.init(address=f"127.0.0.1:{PORT}")
        nodes = [n for n in ray.nodes() if n["Alive"]]
        assert len(nodes) == 2, nodes
        assert all(n["NodeManagerAddress"] == "127.0.0.1" for n in nodes), nodes
        yield
    finally:
        if ray.is_initialized():
            ray.shutdown()
        subprocess.run([str(ray_bin), "stop", "--force"], env=env, capture_output=True, timeout=120)


def test_monte_carlo_over_ray_is_the_single_machine_run(cluster, tmp_path):
    s = flywheel.Scenario.preset("v31-baseline")  # stochastic traffic and price: runs differ
    local = flywheel.run(s, runs=23, days=30, seed=4, steps=False)
    # Each task's first attempt fails: Ray retries it, and the result is still exact.
    split = fray.monte_carlo(s, runs=23, shards=5, days=30, seed=4, _fail_first_attempt=tmp_path)
    assert len(list(tmp_path.iterdir())) == 5, "every task failed once and was retried"
    assert split.summary == local.summary
    assert split.summary["bands"]["zk.burned_wei"]["p5"] != split.summary["bands"]["zk.burned_wei"]["p95"]
    assert split.bands.equals(local.bands)
    assert split.bands.write_csv() == local.bands.write_csv()
    # And with the default split (one task per CPU of the cluster).
    assert fray.monte_carlo(s, runs=23, days=30, seed=4).summary == local.summary


def test_sweep_over_ray_is_the_single_machine_sweep(cluster):
    s = flywheel.Scenario.preset("v31-baseline")
    params = {"burn_bps": [2500, 10000], "fixed_interop_fee": ["1", "3"]}
    local = flywheel.sweep(s, params, runs=3, days=8)
    split = fray.sweep(s, params, runs=3, days=8)
    assert split.equals(local)
    with pytest.raises(flywheel.ScenarioValueError):
        fray.sweep(s, {"burn_bps": [20000]}, runs=3, days=8)
