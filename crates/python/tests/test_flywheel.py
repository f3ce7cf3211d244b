"""The Python package against the `flywheel` binary it wraps: the same presets, the same
summary, the same files, the same validation; and the GIL released while a run works."""

import json
import os
import subprocess
import threading
from pathlib import Path

import polars as pl
import pytest

import flywheel

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(os.environ.get("FLYWHEEL_BIN", ROOT / "target" / "debug" / "flywheel"))


def cli(*args: str) -> str:
    if not BIN.exists():
        pytest.fail(f"the flywheel binary is not at {BIN} (cargo build --bins, or set FLYWHEEL_BIN)")
    return subprocess.run([str(BIN), *args], check=True, capture_output=True, text=True).stdout


def test_presets_are_the_clis():
    assert flywheel.presets() == json.loads(cli("presets", "--json"))


def test_run_summary_is_the_clis_json():
    s = flywheel.Scenario.preset("seed-baseline")
    r = flywheel.run(s, runs=6, days=20, seed=7)
    want = json.loads(cli("run", "--preset", "seed-baseline", "--runs", "6", "--days", "20", "--seed", "7", "--json"))
    assert r.summary == want
    assert r.summary["runs"] == 6


def test_frames_have_every_run_and_banded_day():
    r = flywheel.run(flywheel.Scenario.preset("v31-baseline"), runs=5, days=12)
    steps = r.steps
    assert isinstance(steps, pl.DataFrame)
    assert steps.height == 5 * 12
    assert sorted(steps["run"].unique().to_list()) == [0, 1, 2, 3, 4]
    # The last day's cumulative burn of each run, summed, is the daily burns summed.
    last = steps.filter(pl.col("day") == 11)["burned_zk"].sum()
    assert last == pytest.approx(steps["daily_burn_zk"].sum(), rel=1e-9)
    bands = r.bands
    assert bands.height == 12 * len(flywheel.BANDED)
    assert (bands["p5"] <= bands["p50"]).all() and (bands["p50"] <= bands["p95"]).all()
    pdf = bands.to_pandas()
    assert list(pdf.columns) == ["day", "metric", "p5", "p50", "p95", "rel_error"]


def test_steps_frame_has_the_columns_of_steps_csv(tmp_path):
    r = flywheel.run(flywheel.Scenario.preset("v31-baseline"), runs=2, days=10, seed=5)
    path = r.report(tmp_path / "out")
    header = (path / "steps.csv").read_text().splitlines()[0].split(",")
    assert r.steps.columns == header
    assert header[-1] == "staking_rewards_zk"


def test_report_writes_the_files_of_run_out(tmp_path):
    s = flywheel.Scenario.preset("v31-baseline")
    flywheel.run(s, runs=4, days=15, seed=3).report(tmp_path / "py")
    cli("run", "--preset", "v31-baseline", "--runs", "4", "--days", "15", "--seed", "3", "--out", str(tmp_path / "cli"))
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == names
    for name in names:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_a_run_without_steps_cannot_report(tmp_path):
    r = flywheel.run(flywheel.Scenario.preset("v31-baseline"), runs=2, days=5, steps=False)
    assert r.summary["runs"] == 2
    with pytest.raises(ValueError, match="steps=True"):
        r.report(tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_with_sets_dotted_keys_and_errors_name_key_range_value():
    s = flywheel.Scenario.preset("v31-baseline")
    t = s.with_({"protocol.burn_bps": 5000}, runs=3)
    assert t.to_dict()["protocol"]["burn_bps"] == 5000 and t.runs == 3
    assert s.to_dict()["protocol"]["burn_bps"] != 5000 or s.runs != 3  # the original is unchanged
    u = s.with_(protocol__burn_bps=2500, days=10)
    assert u.to_dict()["protocol"]["burn_bps"] == 2500 and u.days == 10
    with pytest.raises(flywheel.ScenarioValueError) as e:
        s.with_(protocol__burn_bps=20000)
    assert e.value.key == "protocol.burn_bps"
    assert "10000" in e.value.problem and "20000" in e.value.problem
    with pytest.raises(flywheel.ScenarioValueError) as e:
        s.with_(runs=0)
    assert e.value.key == "runs"
    with pytest.raises(flywheel.ScenarioValueError) as e:
        s.with_(protocol__no_such_key=1)
    assert "no_such_key" in str(e.value)
    with pytest.raises(flywheel.ScenarioValueError) as e:
        flywheel.run(s, fidelity="exact")
    assert e.value.key == "fidelity"


def test_bools_and_negatives_are_not_whole_numbers():
    # bool is a subclass of int: runs=True must not quietly mean one run.
    s = flywheel.Scenario.preset("v31-baseline")
    for key, value in [("runs", True), ("days", False), ("seed", True), ("runs", -1), ("days", 2.5)]:
        with pytest.raises(flywheel.ScenarioValueError) as e:
            flywheel.run(s, **{key: value})
        assert e.value.key == key
        assert repr(value) in e.value.problem
    with pytest.raises(flywheel.ScenarioValueError) as e:
        flywheel.sweep(s, {"burn_bps": [5000]}, runs=True)
    assert e.value.key == "runs"
    with pytest.raises(flywheel.ScenarioValueError) as e:
        flywheel._flywheel.run_part(s._inner, False, 1, 1, 1, None, None)
    assert e.value.key == "start"
    with pytest.raises(flywheel.ScenarioValueError) as e:
        s.with_(runs=True)
    assert e.value.key == "runs"
    # Plain ints still work.
    assert flywheel.run(s, runs=1, days=2, seed=3).summary["inputs"]["seed"] == 3


def test_array_elements_are_set_by_index_as_the_server_sets_them():
    s = flywheel.Scenario.preset("v31-baseline")
    for key in ["chains.1.name", "chains[1].name"]:
        assert s.with_({key: "other"}).to_dict()["chains"][1]["name"] == "other"
    with pytest.raises(flywheel.ScenarioValueError) as e:
        s.with_({"chains[9].name": "x"})
    assert e.value.key == "chains[9].name"


def test_a_shorter_horizon_says_what_it_leaves_out():
    s = flywheel.Scenario.preset("fee-flow-share")
    assert s.left_out == []
    short = s.with_(days=30)
    assert short.left_out == [
        ("governance.changes[0]", 90),
        ("governance.changes[1]", 180),
        ("staking.seasons[1]", 90),
    ]
    out = cli("run", "--preset", "fee-flow-share", "--days", "30", "--runs", "1")
    for key, day in short.left_out:
        assert f"{key} (day {day})" in out
    assert flywheel.run(s, runs=1, days=30).left_out == short.left_out


def test_from_dict_and_from_toml_read_the_same_scenario(tmp_path):
    s = flywheel.Scenario.preset("seed-optimistic")
    d = s.to_dict()
    again = flywheel.Scenario.from_dict(d)
    assert again.to_dict() == d
    toml_text = (ROOT / "scenarios" / "seed-optimistic.toml").read_text()
    from_text = flywheel.Scenario.from_toml(toml_text)
    assert from_text.to_dict() == d
    f = tmp_path / "s.toml"
    f.write_text(toml_text)
    assert flywheel.Scenario.from_toml(f).to_dict() == d
    assert flywheel.run(again, runs=3, days=9).summary == flywheel.run(s, runs=3, days=9).summary
    with pytest.raises(flywheel.ScenarioValueError) as e:
        flywheel.Scenario.from_toml(toml_text.replace("days = ", "days = -", 1))
    assert e.value.key == "days"


@pytest.mark.parametrize("name", [p["name"] for p in flywheel.presets()])
def test_every_preset_survives_to_dict_and_back(name):
    s = flywheel.Scenario.preset(name)
    again = flywheel.Scenario.from_dict(s.to_dict())
    assert again.to_dict() == s.to_dict()
    assert repr(again) == repr(s)


def test_sweep_is_a_grid_of_medians():
    s = flywheel.Scenario.preset("v31-baseline")
    g = flywheel.sweep(s, {"burn_bps": [5000, 10000]}, runs=3, days=10)
    assert g["burn_bps"].to_list() == ["5000", "10000"]
    assert g["burned_zk"][1] > g["burned_zk"][0] > 0
    with pytest.raises(flywheel.ScenarioValueError) as e:
        flywheel.sweep(s, {"burn_bps": [5000, 99999]})
    assert e.value.key == "burn_bps"


def test_the_gil_is_released_during_a_run():
    s = flywheel.Scenario.preset("v31-baseline")
    done = threading.Event()

    def work():
        flywheel.run(s, runs=400, days=365, steps=False)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    t.join()
    # Holding the GIL, the run would leave this thread no turn until it ended.
    assert ticks > 20
