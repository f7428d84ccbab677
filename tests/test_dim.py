"""The box-counting dimension against PoreSpy, the tool the paper used, and `nnfractal dim`."""
from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz.cli.app
from viz.colour.equalise import colour_measures
from viz.outputs import save_png
from viz.paper.dim import box_counts, dimension, edge_image, local_slopes
from viz.paper.dim_report import load_images
from viz.paper.stills import StillSpec

ps = pytest.importorskip("porespy")  # about 2.5 s to import: once for the module


@pytest.fixture(autouse=True, scope="module")
def _quiet_porespy():
    """PoreSpy draws a progress bar per call; the comparisons do not need it."""
    old = ps.settings.tqdm["disable"]
    ps.settings.tqdm["disable"] = True
    yield
    ps.settings.tqdm["disable"] = old


def mandelbrot(rows: int = 256, cols: int = 256) -> np.ndarray:
    """A fractal-boundary measure, not symmetric top to bottom: negative inside, escape time outside."""
    c = np.linspace(-2.0, 0.6, cols)[None, :] + 1j * np.linspace(-1.0, 1.3, rows)[:, None]
    z = np.zeros_like(c)
    escaped = np.zeros(c.shape, dtype=np.int64)
    for step in range(1, 61):
        live = escaped == 0
        z[live] = z[live] ** 2 + c[live]
        escaped[live & (np.abs(z) > 2)] = step
    return np.where(escaped == 0, -1.0 - np.abs(z), escaped.astype(np.float64))


def line(rows: int, cols: int) -> np.ndarray:
    """A tilted straight boundary."""
    y, x = np.mgrid[0:rows, 0:cols]
    return y - 0.37 * x - 50.0


def random_signs(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    """Independent random signs: a boundary that fills the plane."""
    return np.random.default_rng(seed).choice([-1.0, 1.0], (rows, cols))


IMAGES = {
    "straight": line(256, 300),
    "circle": np.hypot(*np.mgrid[-128:128, -140:160]) - 80.0,
    "random": random_signs(256, 256),
    "mandelbrot": mandelbrot(),
    "julia-nonsquare": mandelbrot(203, 317),
}


def test_edge_image_marks_the_2x2_neighbourhoods_that_hold_both_signs():
    measure = np.ones((4, 5))
    measure[1, 2] = -3.0
    measure[3, 0] = 0.0  # zero is neither sign: never an edge
    expected = np.zeros((3, 4), dtype=bool)
    expected[0:2, 1:3] = True
    np.testing.assert_array_equal(edge_image(measure), expected)


@pytest.mark.parametrize("name", IMAGES)
def test_edge_image_is_the_notebooks_formula(name):
    x = IMAGES[name]
    quad = np.stack((x[1:, 1:], x[:-1, 1:], x[1:, :-1], x[:-1, :-1]), axis=-1)
    notebook = np.sign(quad.max(axis=-1) * quad.min(axis=-1)) < 0
    np.testing.assert_array_equal(edge_image(x), notebook)


@pytest.mark.parametrize("name", IMAGES)
def test_box_counts_and_slopes_are_porespys(name):
    edges = edge_image(IMAGES[name])
    theirs = ps.metrics.boxcount(edges, bins=10)
    sizes, counts = box_counts(edges)
    np.testing.assert_array_equal(sizes, theirs.size)
    np.testing.assert_array_equal(counts, theirs.count)
    np.testing.assert_array_equal(local_slopes(sizes, counts), theirs.slope)


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(12, 70), cols=st.integers(12, 70),
       density=st.floats(0.02, 0.98), seed=st.integers(0, 2**32 - 1))
def test_box_tiling_matches_porespy_for_any_shape(rows, cols, density, seed):
    signs = np.where(np.random.default_rng(seed).random((rows, cols)) < density, -1.0, 1.0)
    edges = edge_image(signs)
    theirs = ps.metrics.boxcount(edges, bins=10)
    sizes, counts = box_counts(edges)
    np.testing.assert_array_equal(sizes, theirs.size)
    np.testing.assert_array_equal(counts, theirs.count)


def test_pooled_dimension_is_the_median_of_all_porespy_slopes():
    images = [IMAGES["mandelbrot"], IMAGES["julia-nonsquare"], IMAGES["circle"]]
    slopes = np.concatenate([ps.metrics.boxcount(edge_image(m), bins=10).slope for m in images])
    result = dimension(images)
    assert result.n_images == 3
    np.testing.assert_array_equal(result.slopes, slopes)
    assert result.dimension == np.median(slopes)


def test_straight_boundary_has_dimension_one():
    assert dimension([line(512, 512)]).dimension == pytest.approx(1.0, abs=0.05)


def test_random_signs_have_dimension_two():
    assert dimension([random_signs(512, 512, seed) for seed in range(3)]).dimension == pytest.approx(2.0, abs=0.1)


def test_npy_and_png_of_the_same_measure_give_the_same_counts(tmp_path):
    measure = IMAGES["julia-nonsquare"]
    np.save(tmp_path / "m.npy", measure)
    rows, cols = measure.shape
    save_png(tmp_path / "m.png", colour_measures(measure), meta=StillSpec(cols=cols, rows=rows).as_metadata())
    [(_, from_npy)] = load_images(tmp_path / "m.npy")
    [(_, from_png)] = load_images(tmp_path / "m.png")
    np.testing.assert_array_equal(from_npy, measure)
    np.testing.assert_array_equal(from_png, np.sign(measure))
    assert dimension([from_png]).images[0].counts.tolist() == dimension([measure]).images[0].counts.tolist()


def test_a_keyframe_directory_pools_its_npy_files_by_name(tmp_path):
    frames = [IMAGES["circle"], IMAGES["mandelbrot"]]
    for k, frame in enumerate(frames):
        np.save(tmp_path / f"key{k:03d}.npy", frame)
    (tmp_path / "path.json").write_text("{}")
    loaded = load_images(tmp_path)
    assert [name.rsplit("/", 1)[-1] for name, _ in loaded] == ["key000.npy", "key001.npy"]
    for (_, got), want in zip(loaded, frames):
        np.testing.assert_array_equal(got, want)


@pytest.fixture
def dim_cli(monkeypatch):
    """`nnfractal` with only the dim command, so these tests import nothing else."""
    monkeypatch.setattr(viz.cli.app, "COMMAND_MODULES", ("viz.cli.dim",))
    return viz.cli.app.main


def test_cli_reports_the_pooled_dimension(tmp_path, dim_cli, capsys):
    for k, name in enumerate(["circle", "mandelbrot"]):
        np.save(tmp_path / f"key{k}.npy", IMAGES[name])
    np.save(tmp_path / "extra.npy", IMAGES["straight"])
    assert dim_cli(["dim", str(tmp_path), str(tmp_path / "extra.npy")]) == 0
    out = capsys.readouterr().out
    expected = dimension([IMAGES["straight"], IMAGES["circle"], IMAGES["mandelbrot"], IMAGES["straight"]])
    assert f"fractal dimension {expected.dimension:.4f}" in out
    assert f"{expected.slopes.size} local slopes from 4 image(s)" in out
    assert "box sizes (px): 10 14 20 29 42 60 86 124 177 254" in out


def test_the_full_cli_has_the_dim_command(tmp_path, capsys):
    np.save(tmp_path / "m.npy", IMAGES["circle"])
    assert viz.cli.app.main(["dim", str(tmp_path / "m.npy")]) == 0
    assert "fractal dimension" in capsys.readouterr().out


def test_panel_renders_through_the_stills_module(monkeypatch, dim_cli, capsys):
    calls = []
    stills = types.ModuleType("viz.paper.stills")
    stills.render_panel_measure = lambda name, res: calls.append((name, res)) or IMAGES["mandelbrot"]
    monkeypatch.setitem(sys.modules, "viz.paper.stills", stills)
    assert dim_cli(["dim", "--panel", "tanh", "--res", "64"]) == 0
    assert calls == [("tanh", 64)]
    out = capsys.readouterr().out
    assert f"fractal dimension {dimension([IMAGES['mandelbrot']]).dimension:.4f} (paper: 1.66)" in out


def _write(path, content):
    path.write_bytes(content) if isinstance(content, bytes) else np.save(path, content, allow_pickle=True)
    return str(path)


BAD_INPUTS = {
    "missing file": (lambda d: ["dim", str(d / "nope.npy")], "no such file"),
    "corrupt npy": (lambda d: ["dim", _write(d / "x.npy", b"not an array")], "not a readable .npy"),
    "pickled npy": (lambda d: ["dim", _write(d / "x.npy", np.array([{}], dtype=object))], "not a readable .npy"),
    "3-D npy": (lambda d: ["dim", _write(d / "x.npy", np.ones((20, 20, 3)))], "expected a 2-D real array"),
    "corrupt png": (lambda d: ["dim", _write(d / "x.png", b"\x89PNG broken")], "not a readable PNG"),
    "other suffix": (lambda d: ["dim", _write(d / "x.txt", b"1 2 3")], "expected a .npy, a .png"),
    "too small": (lambda d: ["dim", _write(d / "x.npy", line(11, 200))], "too small to box-count"),
    "one sign": (lambda d: ["dim", _write(d / "x.npy", -np.ones((64, 64)))], "no boundary to measure"),
    "all boundary": (lambda d: ["dim", _write(d / "x.npy", np.indices((64, 64)).sum(0) % 2 - 0.5)],
                     "no 10-pixel box straddles"),
    "NaN": (lambda d: ["dim", _write(d / "x.npy", np.where(line(64, 64) > 0, np.nan, -1.0))], "holds NaN"),
    "empty directory": (lambda d: ["dim", str(d)], "no .npy keyframes"),
    "no input": (lambda d: ["dim"], "either image paths or --panel"),
    "both inputs": (lambda d: ["dim", _write(d / "x.npy", line(64, 64)), "--panel", "tanh"],
                    "either image paths or --panel"),
    "unknown panel": (lambda d: ["dim", "--panel", "sigmoid"], "invalid choice"),
    "tiny panel": (lambda d: ["dim", "--panel", "tanh", "--res", "8"], "--res must be at least 12"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_line_and_exit_2(case, tmp_path, dim_cli, capsys):
    make_argv, fragment = BAD_INPUTS[case]
    assert dim_cli(make_argv(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnfractal: error: ") and err.count("\n") == 1, err
    assert fragment in err
