"""Monte Carlo and sweeps across a Ray cluster.

Each task runs a contiguous range of run indices (every run keeps its own seed stream, so a
run is the same on any worker) and returns a mergeable part: quantile sketches, whose merge
adds counts, and each run's exact totals. The merged result is the single-machine result for
the same seed: the same ``summary`` and the same ``bands``, byte for byte. A sweep runs one
task per grid cell. Failed tasks are retried by Ray (``max_retries``).

Connect first with ``ray.init(address=...)`` (a real cluster: ``ray.init("ray://HEAD:10001")``
or, on a node of it, ``ray.init(address="auto")``); without it, ``ray.init()`` starts a local
one. Workers need the ``flywheel`` package installed, and scenarios with CSV sources need the
files at the same path on every worker.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence, Union

import polars as pl

from . import Result, Scenario, _flywheel, sweep as _sweep

__all__ = ["monte_carlo", "sweep"]


def _ray() -> Any:
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("flywheel.ray needs Ray: pip install 'ray>=2.49'") from e
    if not ray.is_initialized():
        ray.init()
    return ray


def _ranges(runs: int, shards: int) -> List[range]:
    # Shard i of n holds indices i·R/n .. (i+1)·R/n, as `flywheel run --shard i/n` does.
    return [range(i * runs // shards, (i + 1) * runs // shards) for i in range(shards)]


def _part(
    data: Mapping[str, Any],
    start: int,
    end: int,
    runs: Optional[int],
    days: Optional[int],
    seed: Optional[int],
    fidelity: Optional[str],
    fail_first_attempt: Optional[str],
) -> str:
    if fail_first_attempt is not None:
        # Test hook: the first attempt of each task fails, so Ray's retry is exercised.
        marker = Path(fail_first_attempt) / f"part-{start}-{end}"
        if not marker.exists():
            marker.touch()
            raise RuntimeError(f"injected failure of task {start}..{end}")
    s = Scenario.from_dict(data["scenario"], data["base"])
    return _flywheel.run_part(s._inner, start, end, runs, days, seed, fidelity)


def _payload(scenario: Scenario) -> Mapping[str, Any]:
    base = scenario._inner.base
    return {"scenario": scenario.to_dict(), "base": None if base is None else str(base)}


def monte_carlo(
    scenario: Scenario,
    runs: Optional[int] = None,
    shards: Optional[int] = None,
    days: Optional[int] = None,
    seed: Optional[int] = None,
    fidelity: Optional[str] = None,
    max_retries: int = 3,
    _fail_first_attempt: Optional[Union[str, Path]] = None,
) -> Result:
    """Runs the Monte Carlo as ``shards`` Ray tasks (default: the cluster's CPU count, at most
    one per run) and merges them: the same ``summary`` and ``bands`` as :func:`flywheel.run`
    with ``steps=False``. ``_fail_first_attempt`` (a folder) is for tests: each task's first
    attempt fails."""
    ray = _ray()
    n = runs if runs is not None else scenario.runs
    if shards is None:
        shards = max(1, int(ray.cluster_resources().get("CPU", 1)))
    shards = max(1, min(int(shards), n))
    task = ray.remote(_part).options(max_retries=max_retries, retry_exceptions=True)
    payload = ray.put(_payload(scenario))
    fail = None if _fail_first_attempt is None else str(_fail_first_attempt)
    refs = [
        task.remote(payload, r.start, r.stop, runs, days, seed, fidelity, fail)
        for r in _ranges(n, shards)
    ]
    parts = ray.get(refs)
    return Result(_flywheel.merge_parts(scenario._inner, parts, runs, days, seed, fidelity))


def _cell(
    data: Mapping[str, Any],
    axes: Sequence[Any],
    runs: Optional[int],
    days: Optional[int],
    seed: Optional[int],
    fidelity: Optional[str],
) -> pl.DataFrame:
    s = Scenario.from_dict(data["scenario"], data["base"])
    return _sweep(s, axes, runs, days, seed, fidelity)


def sweep(
    scenario: Scenario,
    params: Mapping[str, Sequence[Any]],
    runs: Optional[int] = None,
    days: Optional[int] = None,
    seed: Optional[int] = None,
    fidelity: Optional[str] = None,
    max_retries: int = 3,
) -> pl.DataFrame:
    """:func:`flywheel.sweep` with one Ray task per grid cell; the same frame, in the same
    order (the first parameter varies slowest)."""
    ray = _ray()
    names = list(params)
    values = [[str(v) for v in params[k]] for k in names]
    # The grid is checked whole on the driver first, so a bad value fails before any task.
    _flywheel.sweep_check(scenario._inner, list(zip(names, values)), runs, days, seed, fidelity)
    task = ray.remote(_cell).options(max_retries=max_retries, retry_exceptions=True)
    payload = ray.put(_payload(scenario))
    refs = [
        task.remote(payload, [(k, [v]) for k, v in zip(names, combo)], runs, days, seed, fidelity)
        for combo in itertools.product(*values)
    ]
    return pl.concat(ray.get(refs))
