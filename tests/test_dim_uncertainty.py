"""`nnfractal dim --method uncertainty`: the engine's pairs, one line per eps, JSON and plot, resumed after a stop."""
from __future__ import annotations

import json

import numpy as np
import pytest

import viz.cli.app
import viz.compute.isolated
from viz.paper.uncertainty_run import CHECKPOINT_SUFFIX, UncertaintyJob, measure_uncertainty
from viz.problem.spec import ProblemSpec

#: A quick-preset tanh window where the boundary is dense (found on a 64 x 64 render of the whole plane).
WINDOW = ("4.4", "5.6", "1.0", "2.2")


class FakeEngine:
    """Stands in for the isolated engine: a circle of convergence in log10 space, every batch counted."""

    calls = 0
    stop_at: int | None = None

    def __init__(self, spec, arch="auto") -> None:
        self.chunk_pixels = 10_000

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def measure(self, xs, ys):
        FakeEngine.calls += 1
        if FakeEngine.calls == FakeEngine.stop_at:
            raise KeyboardInterrupt
        x, y = np.log10(xs), np.log10(ys)
        return np.where(np.hypot(x - 5.0, y - 1.6) < 0.3, -1.0, 1.0)


@pytest.fixture
def fake_engine(monkeypatch):
    monkeypatch.setattr(viz.compute.isolated, "IsolatedEngine", FakeEngine)
    FakeEngine.calls, FakeEngine.stop_at = 0, None
    return FakeEngine


def job(points=3000):
    return UncertaintyJob(ProblemSpec("tanh", 8, 100), ((4.4, 5.6), (1.0, 2.2)), points, 5)


def test_a_stopped_measurement_resumes_with_only_the_missing_eps(tmp_path, fake_engine):
    whole = measure_uncertainty(job(), tmp_path / "whole.json", quiet=True)
    runs_whole = fake_engine.calls
    fake_engine.calls, fake_engine.stop_at = 0, 5  # the base runs, then three eps, then a Ctrl-C
    with pytest.raises(KeyboardInterrupt):
        measure_uncertainty(job(), tmp_path / "cut.json", quiet=True)
    assert (tmp_path / ("cut.json" + CHECKPOINT_SUFFIX)).exists() and not (tmp_path / "cut.json").exists()
    fake_engine.calls, fake_engine.stop_at = 0, None
    resumed = measure_uncertainty(job(), tmp_path / "cut.json", quiet=True)
    assert fake_engine.calls == runs_whole - 4  # neither the base runs nor the three eps were run again
    assert resumed == whole
    assert abs(whole.dimension - 1.0) < 0.1  # a circle


def test_a_checkpoint_of_other_flags_is_refused_in_one_line(tmp_path, fake_engine, capsys):
    measure_uncertainty(job(), tmp_path / "u.json", quiet=True)
    argv = ["dim", "--method", "uncertainty", "--preset", "quick", "--window", *WINDOW, "--points", "3000",
            "--json", str(tmp_path / "u.json")]
    assert viz.cli.app.main(argv) == 2  # points-seed 0, not the checkpoint's 5
    err = capsys.readouterr().err
    assert "another measurement" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv, message", [
    (["dim", "--method", "uncertainty", "x.npy"], "not stored images"),
    (["dim", "--method", "uncertainty", "--points", "0"], "at least 1"),
    (["dim", "--method", "uncertainty", "--json", "out.txt"], "must end in .json"),
])
def test_bad_uncertainty_flags_are_one_line_and_exit_2(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert viz.cli.app.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_engine_measures_a_quick_window_with_its_json_and_plot(tmp_path, capsys):
    out, figure = tmp_path / "u.json", tmp_path / "u.png"
    argv = ["dim", "--method", "uncertainty", "--preset", "quick", "--window", *WINDOW, "--points", "400",
            "--json", str(out), "--plot", str(figure)]
    assert viz.cli.app.main(argv) == 0
    captured = capsys.readouterr()
    record = json.loads(out.read_text())
    assert {"dimension", "interval", "alpha", "eps", "f"} <= set(record)
    assert record["interval"][0] <= record["dimension"] <= record["interval"][1]
    assert 1.0 < record["dimension"] <= 2.0
    assert len(record["eps"]) == len(record["f"]) == captured.err.count("pairs changed")
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"D = {record['dimension']:.3f}" in captured.out
