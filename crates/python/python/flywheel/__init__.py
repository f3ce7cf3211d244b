"""flywheel: an exact executable model of ZKsync's V31 token economy, from Python.

A thin layer over the Rust simulator (the same code as the ``flywheel`` command): scenarios
parse and validate as the CLI's do, runs are its Monte Carlo (the GIL is released while they
run), and ``Result.report`` writes the files of ``flywheel run --out``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import polars as pl

from . import _flywheel
from ._flywheel import BANDED, FlywheelError, ScenarioValueError

__all__ = [
    "BANDED",
    "FlywheelError",
    "Result",
    "Scenario",
    "ScenarioValueError",
    "presets",
    "run",
    "sweep",
]


def presets() -> List[Dict[str, Any]]:
    """The built-in scenarios, as ``flywheel presets --json`` lists them."""
    return [
        {"name": n, "description": d, "days": days, "runs": runs, "default": default}
        for (n, d, days, runs, default) in _flywheel.presets_list()
    ]


def _key(name: str) -> str:
    # Python keywords cannot hold dots: `protocol__burn_bps` means `protocol.burn_bps`.
    return name.replace("__", ".")


def _path(p: Union[str, Path, None]) -> Optional[Path]:
    return None if p is None else Path(p)


class Scenario:
    """A scenario (traffic, prices, agents, protocol parameters), checked as the CLI checks it."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @classmethod
    def preset(cls, name: str) -> "Scenario":
        """A built-in scenario (see :func:`presets`)."""
        return cls(_flywheel._Scenario.preset(name))

    @classmethod
    def from_toml(cls, source: Union[str, Path], base: Union[str, Path, None] = None) -> "Scenario":
        """From TOML text, or from a file when given a :class:`pathlib.Path` (CSV sources load
        relative to the file, or to ``base`` for text)."""
        if isinstance(source, Path):
            return cls(_flywheel._Scenario.from_file(source))
        return cls(_flywheel._Scenario.from_toml(source, _path(base)))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Union[str, Path, None] = None) -> "Scenario":
        """From a dict shaped like the TOML file."""
        return cls(_flywheel._Scenario.from_json(json.dumps(data), _path(base)))

    def with_(self, changes: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> "Scenario":
        """A copy with values replaced by dotted key (``{"protocol.burn_bps": 5000}`` or
        ``protocol__burn_bps=5000``; an array element by index, ``{"chains.1.name": "x"}`` or
        ``{"chains[1].name": "x"}``), resolved as ``flywheel run`` and the server resolve them;
        a bad value raises :class:`ScenarioValueError` naming the key, the allowed range and
        the value. A shorter ``days`` records what it leaves out in :attr:`left_out`."""
        merged: Dict[str, Any] = dict(changes or {})
        merged.update({_key(k): v for k, v in kwargs.items()})
        return Scenario(self._inner.with_json(json.dumps(merged)))

    def to_dict(self) -> Dict[str, Any]:
        """The scenario as a dict (CSV sources by path)."""
        return json.loads(self._inner.to_json())

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def days(self) -> int:
        return self._inner.days

    @property
    def runs(self) -> int:
        return self._inner.runs

    @property
    def seed(self) -> int:
        return self._inner.seed

    @property
    def fidelity(self) -> str:
        return self._inner.fidelity

    @property
    def left_out(self) -> List[Tuple[str, int]]:
        """What shorter horizons (``with_(days=...)``) left out of the scenario: (key, day)
        pairs such as ``("staking.seasons[1]", 180)``, as ``flywheel run --days`` reports
        them."""
        return list(self._inner.left_out)

    def __repr__(self) -> str:
        return (
            f"Scenario({self.name!r}, days={self.days}, runs={self.runs}, "
            f"seed={self.seed}, fidelity={self.fidelity!r})"
        )


class Result:
    """A finished Monte Carlo: ``summary`` (the dict of ``summary.json``), ``bands`` and
    ``steps`` (polars frames; ``.to_pandas()`` for pandas), and :meth:`report`."""

    __slots__ = ("_run", "_summary", "_bands", "_steps")

    def __init__(self, run: Any) -> None:
        self._run = run
        self._summary: Optional[Dict[str, Any]] = None
        self._bands: Optional[pl.DataFrame] = None
        self._steps: Optional[pl.DataFrame] = None

    @property
    def summary(self) -> Dict[str, Any]:
        """The summary, exactly as ``flywheel run --json`` prints it (wei as decimal text)."""
        if self._summary is None:
            self._summary = json.loads(self._run.summary_json())
        return self._summary

    @property
    def bands(self) -> pl.DataFrame:
        """p5/p50/p95 across runs per banded day and metric (long format), with rel_error: the
        bound of their relative error (0 where exact: one run, or runs that all agree)."""
        if self._bands is None:
            self._bands = pl.DataFrame(self._run.bands_columns())
        return self._bands

    @property
    def left_out(self) -> List[Tuple[str, int]]:
        """What the horizon left out of the scenario run (``run(..., days=...)`` or
        ``Scenario.with_(days=...)``): (key, day) pairs; empty when nothing was."""
        return list(self._run.left_out)

    @property
    def steps(self) -> pl.DataFrame:
        """Every run's days: the columns of ``steps.csv``, in its order (``run``, ``day``, …,
        ``failed_settlements``, ``staking_rewards_zk``), amounts in ZK as floats."""
        if self._steps is None:
            cols = self._run.steps_columns()
            if cols is None:
                raise ValueError("this run did not keep its steps (run(..., steps=False))")
            self._steps = pl.DataFrame(cols)
        return self._steps

    def report(self, path: Union[str, Path]) -> Path:
        """Writes ``flywheel run --out``'s files into the folder ``path``; returns it."""
        p = Path(path)
        self._run.report(p)
        return p


def run(
    scenario: Scenario,
    runs: Optional[int] = None,
    days: Optional[int] = None,
    seed: Optional[int] = None,
    fidelity: Optional[str] = None,
    steps: bool = True,
) -> Result:
    """Runs the scenario's Monte Carlo (the GIL is released meanwhile); ``None`` keeps the
    scenario's own value. ``steps=False`` keeps only totals and bands (less memory)."""
    return Result(_flywheel.run(scenario._inner, runs, days, seed, fidelity, steps))


def sweep(
    scenario: Scenario,
    params: Union[Mapping[str, Sequence[Any]], Iterable[Tuple[str, Sequence[Any]]]],
    runs: Optional[int] = None,
    days: Optional[int] = None,
    seed: Optional[int] = None,
    fidelity: Optional[str] = None,
) -> pl.DataFrame:
    """A full grid over 1 to 3 parameters (as ``flywheel sweep``): one row per cell, a column
    per parameter, then the cell's medians."""
    items = params.items() if isinstance(params, Mapping) else params
    axes = [(name, [str(v) for v in values]) for name, values in items]
    return pl.DataFrame(_flywheel.sweep(scenario._inner, axes, runs, days, seed, fidelity))
