# Type stubs of the flywheel package (PEP 561: py.typed ships beside them).
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import polars as pl

BANDED: List[str]

class FlywheelError(Exception):
    """A simulation failed: a bug or an impossible configuration, not bad input."""

class ScenarioValueError(ValueError):
    """A scenario value is missing, malformed or out of range."""

    key: str
    """The dotted key at fault (``protocol.burn_bps``, ``runs``, ``fidelity``)."""
    problem: str
    """What is wrong, with the allowed range and the value found."""

def presets() -> List[Dict[str, Any]]: ...

class Scenario:
    @classmethod
    def preset(cls, name: str) -> Scenario: ...
    @classmethod
    def from_toml(cls, source: Union[str, Path], base: Union[str, Path, None] = ...) -> Scenario: ...
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Union[str, Path, None] = ...) -> Scenario: ...
    def with_(self, changes: Optional[Mapping[str, Any]] = ..., **kwargs: Any) -> Scenario: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @property
    def name(self) -> str: ...
    @property
    def days(self) -> int: ...
    @property
    def runs(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def fidelity(self) -> str: ...
    @property
    def left_out(self) -> List[Tuple[str, int]]:
        """What shorter horizons (``with_(days=...)``) left out: (key, day) pairs, e.g.
        ``("staking.seasons[1]", 180)``."""

class Result:
    @property
    def summary(self) -> Dict[str, Any]: ...
    @property
    def bands(self) -> pl.DataFrame: ...
    @property
    def left_out(self) -> List[Tuple[str, int]]:
        """What the horizon left out of the scenario run: (key, day) pairs; empty when nothing was."""
    @property
    def steps(self) -> pl.DataFrame:
        """Every run's days: ``steps.csv``'s columns in its order (run, day, calls, bundles,
        fixed_calls, zk_usd, eth_usd, dynamic_fee_usd, pool_usd, supply_zk, minted_zk,
        burned_zk, daily_burn_zk, distributed_zk, fixed_fees_zk, settlement_fees_zk,
        auction_paid_zk, auction_claims, failed_settlements, staking_rewards_zk); amounts
        in ZK as floats."""
    def report(self, path: Union[str, Path]) -> Path: ...

def run(
    scenario: Scenario,
    runs: Optional[int] = ...,
    days: Optional[int] = ...,
    seed: Optional[int] = ...,
    fidelity: Optional[str] = ...,
    steps: bool = ...,
) -> Result: ...
def sweep(
    scenario: Scenario,
    params: Union[Mapping[str, Sequence[Any]], Iterable[Tuple[str, Sequence[Any]]]],
    runs: Optional[int] = ...,
    days: Optional[int] = ...,
    seed: Optional[int] = ...,
    fidelity: Optional[str] = ...,
) -> pl.DataFrame: ...
