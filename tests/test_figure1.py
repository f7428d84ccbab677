"""`nnfractal figure1`: the layout, the panel store, resuming, and the dimensions it reports.

Most tests replace the engine with a synthetic measure (a disc whose radius
depends on the panel), so they check the command's bookkeeping in
milliseconds; one runs the real engine on tiny quick-preset panels.
"""
from __future__ import annotations

import contextlib
import json

import numpy as np
import pytest
from PIL import Image

import viz.paper.stills
from viz.cli.app import main
from viz.outputs import META_KEY
from viz.paper.dim import dimension
from viz.paper.figure1 import LAYOUT, MIN_DRAWN, Panel, compose, edge_labels
from viz.paper.panels import PanelStore, store_folder
from viz.paper.stills import panel_spec
from viz.problem.conditions import PANEL_WINDOWS, PAPER_DIMENSIONS

NAMES = [name for row in LAYOUT for name in row]


def fake_measure(spec):
    """A disc of converged pixels in a diverged field, its radius set by the condition."""
    yy, xx = np.mgrid[0:spec.rows, 0:spec.cols]
    radius = (0.2 + 0.05 * NAMES.index(spec.problem.condition)) * spec.rows
    inside = (xx - spec.cols / 2) ** 2 + (yy - spec.rows / 3) ** 2 < radius ** 2
    return np.where(inside, -1.0 - xx, 1.0 + yy)


@pytest.fixture
def no_engine_process(monkeypatch):
    """No engine process for figure1's panels: the tests fake compute_still."""
    import viz.compute.process

    monkeypatch.setattr(viz.compute.process, "EngineProcess", lambda arch: contextlib.nullcontext())


@pytest.fixture
def engine_calls(monkeypatch, no_engine_process):
    """Replace the engine with fake_measure and record which panels it was asked for."""
    calls = []

    def compute(spec, arch="auto", progress=True, process=None):
        calls.append(spec.problem.condition)
        return fake_measure(spec)

    monkeypatch.setattr(viz.paper.stills, "compute_still", compute)
    return calls


def figure1(tmp_path, *extra):
    out = tmp_path / "fig.png"
    return main(["figure1", "--res", "40", "--preset", "quick", "--quiet", "--out", str(out), *extra]), out


def test_layout_is_the_papers_six_panels_in_increasing_dimension():
    assert sorted(NAMES) == sorted(PANEL_WINDOWS)
    assert [PAPER_DIMENSIONS[n] for n in NAMES] == sorted(PAPER_DIMENSIONS.values())


def test_edge_labels_tell_apart_the_narrowest_window():
    lo, hi = PANEL_WINDOWS["minibatch"][:2]  # 1e-11 relative width
    a, b = edge_labels(lo, hi)
    assert a != b
    assert abs(float(a) - lo) < (hi - lo) / 2 and abs(float(b) - hi) < (hi - lo) / 2


def test_compose_draws_every_panel_pixel_for_pixel(tmp_path):
    colours = [(10 * k, 200, 7 * k) for k in range(1, 7)]
    res = 30
    rows = [[Panel(f"panel {r}{c}", np.full((res, res, 3), colours[3 * r + c], np.uint8), (1.0, 2.0),
                   (3.0, 4.0), ("x", "y"), None if c else 1.5, 1.66) for c in range(3)] for r in range(2)]
    sheet = compose(rows, caption="caption")
    drawn = -(-MIN_DRAWN // res) * res  # enlarged by a whole factor to at least MIN_DRAWN
    assert sheet.dtype == np.uint8 and sheet.ndim == 3
    for colour in colours:
        assert np.count_nonzero(np.all(sheet == colour, axis=-1)) == drawn * drawn


def test_store_returns_a_panel_only_for_the_same_settings(tmp_path):
    store = PanelStore(tmp_path / "p").open()
    spec = panel_spec("tanh", 16, "quick")
    measure = fake_measure(spec)
    assert store.load("tanh", spec) is None
    store.save("tanh", spec, measure)
    np.testing.assert_array_equal(store.load("tanh", spec), measure)
    assert store.load("tanh", panel_spec("tanh", 16, "paper")) is None
    assert store.load("tanh", panel_spec("tanh", 17, "quick")) is None
    (tmp_path / "p" / "tanh.json").unlink()  # as if interrupted between the two writes
    assert store.load("tanh", spec) is None


def test_store_folder_sits_beside_the_output(tmp_path):
    assert store_folder(tmp_path / "figure1.png") == tmp_path / "figure1.panels"


def test_figure_titles_our_dimensions_and_prints_the_table(tmp_path, engine_calls, capsys):
    status, out = figure1(tmp_path)
    assert status == 0 and sorted(engine_calls) == sorted(NAMES)
    with Image.open(out) as im:
        meta = json.loads(im.text[META_KEY])
    printed = capsys.readouterr().out
    for name in NAMES:
        stored = np.load(store_folder(out) / f"{name}.npy")
        expected = dimension([stored]).dimension
        assert meta["dimensions"][name] == pytest.approx(expected)
        assert f"| {expected:.2f} | {PAPER_DIMENSIONS[name]:.2f} |" in printed


def test_second_run_reuses_every_panel(tmp_path, engine_calls):
    _, out = figure1(tmp_path)
    first = out.read_bytes()
    engine_calls.clear()
    assert figure1(tmp_path)[0] == 0
    assert engine_calls == [] and out.read_bytes() == first


def test_interrupted_run_keeps_finished_panels_and_resumes(tmp_path, monkeypatch, capsys, no_engine_process):
    calls, interrupt_at = [], [3]

    def compute(spec, arch="auto", progress=True, process=None):
        calls.append(spec.problem.condition)
        if len(calls) in interrupt_at:
            raise KeyboardInterrupt
        return fake_measure(spec)

    monkeypatch.setattr(viz.paper.stills, "compute_still", compute)
    status, out = figure1(tmp_path)
    assert status == 130 and not out.exists()
    assert "finished panels kept" in capsys.readouterr().err
    assert sorted(p.stem for p in store_folder(out).glob("*.json")) == sorted(NAMES[:2])
    calls.clear()
    interrupt_at.clear()
    assert figure1(tmp_path)[0] == 0
    assert calls == NAMES[2:]


def test_panel_with_other_settings_is_recomputed(tmp_path, engine_calls):
    _, out = figure1(tmp_path)
    stale = panel_spec("relu", 40, "paper")  # same size, other preset
    PanelStore(store_folder(out)).save("relu", stale, -fake_measure(stale))
    engine_calls.clear()
    assert figure1(tmp_path)[0] == 0
    assert engine_calls == ["relu"]


def test_single_signed_panel_is_drawn_without_a_dimension(tmp_path, monkeypatch, capsys, no_engine_process):
    monkeypatch.setattr(viz.paper.stills, "compute_still", lambda spec, arch="auto", progress=True, process=None:
                        np.ones((spec.rows, spec.cols)))
    status, out = figure1(tmp_path)
    assert status == 0 and out.exists()
    assert capsys.readouterr().out.count("| no boundary |") == len(NAMES)


@pytest.mark.parametrize("args, message", [
    (["--res", "8"], "--res must be at least"),
    (["--out", "fig.npy"], "must end in .png"),
    (["--out", "no/such/folder/fig.png"], "does not exist"),
    (["--preset", "huge"], "invalid choice"),
    (["--precision", "quad"], "invalid choice"),
    (["--precision", "dd", "--arch", "cuda"], "CPU only"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["figure1", "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_panel_folder_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "fig.panels").write_text("not a folder")
    assert figure1(tmp_path)[0] == 2
    assert "is not a folder" in capsys.readouterr().err


def test_real_engine_quick_panels(tmp_path, engine_arch):
    out = tmp_path / "fig.png"
    assert main(["figure1", "--res", "12", "--preset", "quick", "--arch", "cpu", "--quiet", "--out", str(out)]) == 0
    for name in NAMES:
        spec = panel_spec(name, 12, "quick")
        stored = PanelStore(store_folder(out)).load(name, spec)
        assert stored.shape == (12, 12) and np.isfinite(stored).all()
    with Image.open(out) as im:
        assert im.width > 3 * MIN_DRAWN and im.height > 2 * MIN_DRAWN


def test_an_empty_panel_file_is_recomputed_on_every_rerun(tmp_path, engine_calls):
    status, out = figure1(tmp_path)
    assert status == 0
    folder = store_folder(out)
    (folder / "tanh.npy").write_bytes(b"")
    engine_calls.clear()
    assert figure1(tmp_path)[0] == 0
    assert engine_calls == ["tanh"]
    assert figure1(tmp_path)[0] == 0 and engine_calls == ["tanh"]


def test_figure1_cautions_when_its_res_is_too_small(tmp_path, engine_calls, capsys):
    from viz.paper.dim import MIN_RELIABLE_SIDE

    out = tmp_path / "small.png"
    assert main(["figure1", "--res", "24", "--preset", "quick", "--quiet", "--out", str(out)]) == 0
    assert f"the estimate holds from about --res {MIN_RELIABLE_SIDE}" in capsys.readouterr().out
    assert figure1(tmp_path)[0] == 0  # --res 40: below the limit too, unless the limit is lower
    assert ("\ncaution: at --res" in capsys.readouterr().out) == (40 < MIN_RELIABLE_SIDE)


def test_precision_dd_computes_every_panel_in_dd_and_says_so(tmp_path, engine_calls, monkeypatch):
    seen = []
    monkeypatch.setattr(viz.paper.stills, "compute_still", lambda spec, arch="auto", progress=True, process=None:
                        seen.append(spec.problem.precision) or fake_measure(spec))
    _, out = figure1(tmp_path)
    assert seen == ["f64"] * 6
    assert figure1(tmp_path, "--precision", "dd")[0] == 0
    assert seen == ["f64"] * 6 + ["dd"] * 6  # a float64 panel is no double-double one: all recomputed
    with Image.open(out) as im:
        assert json.loads(im.text[META_KEY])["precision"] == "dd"


def test_precision_dd_reaches_the_engine(tmp_path, engine_backend, monkeypatch, no_engine_process):
    """The real engine on one panel (dataset size 1, the cheapest), the others stored beforehand: its pixels
    are measure_dd's on the panel's exact axes, and not all of them float64's (the NumPy reference's). The
    engine runs in this process (a child would build its kernels again; other tests cover the child)."""
    import viz.compute.isolated
    from viz.compute.engine import build_engine, load_arrays
    from viz.problem import reference

    monkeypatch.setattr(viz.compute.isolated, "IsolatedEngine",
                        lambda spec, arch, process: contextlib.nullcontext(build_engine(spec, engine_backend)))
    out = tmp_path / "fig.png"
    store = PanelStore(store_folder(out)).open()
    for name in NAMES:
        if name != "single":
            spec = panel_spec(name, 12, "quick", "dd")
            store.save(name, spec, fake_measure(spec))
    assert main(["figure1", "--res", "12", "--preset", "quick", "--precision", "dd", "--arch", "cpu", "--quiet",
                 "--out", str(out)]) == 0
    spec = panel_spec("single", 12, "quick", "dd")
    stored = store.load("single", spec)
    x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
    direct = build_engine(spec.problem, engine_backend).measure_dd(
        np.tile(x_hi, 12), np.repeat(y_hi, 12), np.tile(x_lo, 12), np.repeat(y_lo, 12))[0].reshape(12, 12)
    assert stored.tobytes() == direct.tobytes()
    xs, ys = panel_spec("single", 12, "quick").axes()
    f64 = reference.measure(*load_arrays(spec.problem), np.tile(xs, 12), np.repeat(ys, 12)).reshape(12, 12)
    assert not np.array_equal(stored, f64) and np.allclose(stored, f64, rtol=1e-6)
