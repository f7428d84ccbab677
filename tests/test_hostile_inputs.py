"""Hostile inputs to every command: one line, exit 2, nothing created.

Every case runs the whole CLI in-process in an empty working folder. A case
passes only if the command refuses before any work: exit status 2, exactly
one line on stderr naming the problem, no traceback, and the folder holds
afterwards exactly what the case put there. The property tests at the end
feed random values to the same parsers: accepted and valid, or a UsageError.
"""
from __future__ import annotations

import json
import math
import os
import struct
import tempfile
import zlib
from decimal import Context, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import viz.cli.app
from viz import limits
from viz.cli import args as cliargs
from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, find_bookmark, from_png, load_bookmarks, save_bookmark
from viz.numeric.fixed import FRAC_BITS, to_fixed
from viz.outputs import META_KEY, read_png_meta, save_png
from viz.paper.stills import StillSpec
from viz.problem.spec import ProblemSpec
from viz.sampling.view import View

STILL = StillSpec(ProblemSpec("tanh", 8, 100), window=(-1.0, 1.0, -1.0, 1.0), cols=16, rows=16).as_metadata()


def png_bytes(width: int, height: int, text: str | None) -> bytes:
    """A PNG whose header claims width x height, with `text` under our key, and only a few bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    note = chunk(b"tEXt", META_KEY.encode() + b"\0" + text.encode()) if text is not None else b""
    return b"\x89PNG\r\n\x1a\n" + head + note + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def write(name: str, content):
    """A maker of one input file in the working folder: bytes, text, or an array saved as .npy."""
    def make(folder: Path) -> str:
        path = folder / name
        if isinstance(content, np.ndarray):
            np.save(path, content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return name
    return make


def still_png(name: str, meta: dict, size: int = 16):
    def make(folder: Path) -> str:
        save_png(folder / name, np.zeros((size, size, 3), np.uint8), meta=meta)
        return name
    return make


def bookmark_file(window) -> str:
    return ('[a]\ncondition = "tanh"\nwindow = [' + ", ".join(map(repr, window)) + ']\n'
            'width = 8\nsteps = 100\ncols = 16\nrows = 16\n')


def huge_npy_header(folder: Path) -> str:
    with open(folder / "huge.npy", "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)})
        fh.write(b"\0" * 64)
    return "huge.npy"


def empty_npy(folder: Path) -> str:
    np.save(folder / "empty.npy", np.zeros((0, 0)))
    return "empty.npy"


def folder_named(name: str):
    def make(folder: Path) -> str:
        (folder / name).mkdir()
        return name
    return make


BOMB = png_bytes(100_000, 100_000, json.dumps(STILL))
ZOOM = ["zoom", "--center", "0.5", "0.5", "--depth", "2", "--quiet"]

#: (argv with {0} for the path a maker returns, the maker or None, a fragment of the one line).
CASES = {
    # sizes, counts and rates past what the machine or the format holds; files too big or too small to be what they say
    "render --res 100000": (["render", "--res", "100000", "--out", "x.npy"], None, "GiB of memory"),
    "figure1 --res 100000": (["figure1", "--res", "100000", "--out", "f.png"], None, "GiB of memory"),
    "zoom --res 100000": ([*ZOOM, "--res", "100000"], None, "GiB of memory"),
    "--steps 1e15": (["render", "--steps", "1000000000000000", "--out", "x.npy"], None,
                     "--steps must be from 1 to 1,000,000"),
    "zoom --depth inf": (["zoom", "--center", "0.5", "0.5", "--depth", "inf"], None, "--depth must be positive"),
    "zoom --depth 1e308": (["zoom", "--center", "0.5", "0.5", "--depth", "1e308"], None, "double-double limit"),
    "zoom --precision f64 --depth 1e308": (["zoom", "--center", "0.5", "0.5", "--depth", "1e308", "--precision",
                                               "f64"], None, "float64 limit"),
    "zoom --fps inf": ([*ZOOM, "--fps", "inf"], None, "--fps and --seconds-per-2x must be positive"),
    "zoom --seconds-per-2x inf": ([*ZOOM, "--seconds-per-2x", "inf"], None, "must be positive"),
    "zoom --fps x seconds huge": ([*ZOOM, "--fps", "100", "--seconds-per-2x", "1e200"], None,
                                  "frames per halving"),
    "zoom --fps 1e300": ([*ZOOM, "--fps", "1e300", "--seconds-per-2x", "1e-300"], None, "--fps must be at most"),
    "zoom --center 1e300 2": (["zoom", "--center", "1e300", "2", "--depth", "2"], None, "normal range"),
    "explore --window 0 inf 0 1": (["explore", "--window", "0", "inf", "0", "1"], None, "four finite numbers"),
    "explore --cache-mb inf": (["explore", "--cache-mb", "inf"], None, "--cache-mb must be positive"),
    "explore --cache-mb 1e12": (["explore", "--cache-mb", "1e12"], None, "GiB of memory"),
    "bookmark window 1e308": (["explore", "--bookmark", "a", "--bookmarks", "{0}"],
                              write("marks.toml", bookmark_file([-1e308, 1e308, 0, 1])), "normal range"),
    "PNG window 1e308": (["explore", "{0}"], still_png("w.png", {**STILL, "window": [-1e308, 1e308, 0, 1]}),
                         "normal range"),
    "PNG text nested deep": (["explore", "{0}"], write("n.png", png_bytes(16, 16, "[" * 100_000)),
                             "nests its JSON"),
    "PNG text 5000-digit integer": (["zoom", "--from", "{0}"],
                                    write("d.png", png_bytes(16, 16, '{"width": ' + "9" * 5000 + "}")),
                                    "not valid JSON"),
    "bomb PNG to dim": (["dim", "{0}"], write("bomb.png", BOMB), "pixels"),
    "bomb PNG to explore": (["explore", "{0}"], write("bomb.png", BOMB), "pixels"),
    "bomb PNG to zoom --from": (["zoom", "--from", "{0}"], write("bomb.png", BOMB), "pixels"),
    "dim on an empty .npy": (["dim", "{0}"], empty_npy, "the array is empty"),
    "dim on a 1e6 x 1e6 header": (["dim", "{0}"], huge_npy_header, "more than the file holds"),
    "zoom --out DIR.mp4 (a folder)": ([*ZOOM, "--out", "{0}"], folder_named("dir.mp4"), "it is a folder"),
    "bench --seconds -1": (["bench", "--explore", "--seconds", "-1"], None, "argument --seconds"),
    "bench --seconds nan": (["bench", "--explore", "--seconds", "nan"], None, "argument --seconds"),
    # windows and centres outside float64's normal range or past the arithmetic's resolution
    "render --window 400 401": (["render", "--window", "400", "401", "0", "1", "--out", "x.npy"], None,
                                "normal range"),
    "render --window -400 -399": (["render", "--window", "-400", "-399", "0", "1", "--out", "x.npy"], None,
                                  "normal range"),
    "render --window nan": (["render", "--window", "0", "nan", "0", "1", "--out", "x.npy"], None,
                            "four finite numbers"),
    "render --window 1e999999": (["render", "--window", "0", "1e999999", "0", "1", "--out", "x.npy"], None,
                                 "normal range"),
    "render --window not a number": (["render", "--window", "0", "1", "zero", "1", "--out", "x.npy"], None,
                                     "four finite numbers"),
    "render --window unordered digits": (["render", "--window", "1.00000000000000000000000002",
                                             "1.00000000000000000000000001", "0", "1", "--out", "x.npy"], None,
                                         "X0 < X1"),
    "render --window 1e-1001 places": (["render", "--window", "0", "1e-1001", "0", "1", "--out", "x.npy"], None,
                                       "decimal places"),
    "render --window past float64": (["render", "--window", "1.1", "1.10000000000000000001", "2.3",
                                         "2.30000000000000000001", "--res", "8", "--out", "x.npy"], None,
                                     "too narrow for float64"),
    "render --window past dd": (["render", "--precision", "dd", "--window", "1.1", "1.1" + "0" * 40 + "1", "2.3",
                                    "2.3" + "0" * 40 + "1", "--res", "8", "--out", "x.npy"], None,
                                "too narrow even for double-double"),
    "zoom --center nan": (["zoom", "--center", "nan", "2", "--depth", "2"], None, "finite number"),
    "zoom --center 201.5": (["zoom", "--center", "201.5", "2", "--depth", "2"], None, "normal range"),
    "explore --window 400 401": (["explore", "--window", "400", "401", "0", "1"], None, "normal range"),
    "explore learning rates as log10": (["explore", "--window", "0.001", "1000000", "0.001", "1000000"], None,
                                        "did you type a learning rate where its log10 belongs?"),
    "zoom --center 400 0": (["zoom", "--center", "400", "0", "--depth", "2"], None, "normal range"),
    "bookmark window 400": (["zoom", "--bookmark", "a", "--bookmarks", "{0}"],
                            write("marks.json", json.dumps({"a": {**STILL, "window": [400, 401, 0, 1]}})),
                            "normal range"),
    "PNG window 400": (["zoom", "--from", "{0}"], still_png("w.png", {**STILL, "window": [400, 401, 0, 1]}),
                       "normal range"),
    # zero is a number out of range, not "use the preset"
    "render --steps 0": (["render", "--steps", "0", "--out", "x.npy"], None, "--steps must be from 1"),
    "render --width 0": (["render", "--width", "0", "--out", "x.npy"], None, "--width must be from 1"),
    "zoom --steps 0": ([*ZOOM, "--steps", "0"], None, "--steps must be from 1"),
    "zoom --width 0": ([*ZOOM, "--width", "0"], None, "--width must be from 1"),
    "explore --steps 0": (["explore", "--steps", "0"], None, "--steps must be from 1"),
    "explore --width 0": (["explore", "--width", "0"], None, "--width must be from 1"),
    "demo --res 0": (["demo", "--res", "0", "--arch", "cpu"], None, "at least 8 x 8 samples"),
    # the measure needs its tail of steps, in zoom too
    "zoom --steps 10": ([*ZOOM, "--steps", "10"], None, "averages the last 20 steps"),
    # dim measures only images that are measures
    "dim on a window screenshot": (["dim", "{0}"],
                                   still_png("shot.png", SavedView.of(View(0, 0, 0.01, 16, 16),
                                                                      ProblemSpec("tanh", 8, 100)).record()),
                                   "window screenshot"),
    "dim on the figure1 composite": (["dim", "{0}"],
                                     still_png("f.png", {"figure": 1, "res": 16, "preset": "quick"}),
                                     "Figure 1 composite"),
    "dim on a PNG not of ours": (["dim", "{0}"], still_png("plain.png", None), "carries no nnfractal view"),
    "dim on a PNG resized from its still": (["dim", "{0}"], still_png("r.png", STILL, size=24),
                                            "not its measures"),
    # the wording of the line names the flag and its range
    "--seed -1": (["render", "--seed", "-1", "--out", "x.npy"], None, "--seed must be from 0"),
    "garbage .npy": (["dim", "{0}"], write("g.npy", b"\x93NUMPY garbage"), "not a readable .npy array"),
    "--out sub.npy/": (["render", "--out", "sub.npy/"], None, "trailing slash"),
}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder, with the user's data folder elsewhere."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return work


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_input_is_one_line_exit_2_and_creates_nothing(case, workdir, capsys):
    argv, make, fragment = CASES[case]
    made = make(workdir) if make else ""
    argv = [a.format(made) for a in argv]
    before = listing(workdir)
    status = viz.cli.app.main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("nnfractal: error: "), err
    assert "Traceback" not in err and "allow_pickle" not in err
    assert fragment in err, err
    assert listing(workdir) == before
    assert not (workdir.parent / "data").exists()


def test_zoom_into_a_read_only_folder_is_refused_before_any_work(workdir, capsys, monkeypatch):
    folder = workdir / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root writes through permission bits: fail its writes there as they would fail
        real = tempfile.NamedTemporaryFile

        def refused_in_ro(*args, dir=None, **kwargs):
            if dir is not None and Path(dir).resolve() == folder.resolve():
                raise PermissionError(13, "Permission denied")
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", refused_in_ro)
    try:
        assert viz.cli.app.main([*ZOOM, "--out", "ro/z.mp4"]) == 2
    finally:
        folder.chmod(0o755)
    assert "cannot write into" in capsys.readouterr().err
    assert listing(workdir) == {"ro"}


# Property tests: random values to the parsers, accepted and valid or a UsageError, never another exception.

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                    st.sampled_from([0, -1, 1e308, -1e308, 5e-324, 2**63, 10**6, 10**6 + 1]))
FLAG_TEXT = st.one_of(NUMBERS.map(str), st.text(max_size=12))
INTS = st.one_of(st.integers(-10**20, 10**20).map(str), st.text(max_size=6))


def parsed(argv):
    return viz.cli.app.build_parser().parse_args(argv)


@settings(max_examples=200, deadline=None)
@given(res=INTS, steps=INTS, width=INTS, seed=INTS, window=st.lists(FLAG_TEXT, min_size=4, max_size=4))
def test_random_render_flags_give_a_valid_still_or_a_usage_error(res, steps, width, seed, window):
    argv = ["render", "--out", "x.npy", "--res=" + res, "--steps=" + steps, "--width=" + width,
            "--seed=" + seed, "--window", *(v if not v.startswith("-") else " " + v for v in window)]
    try:
        spec = cliargs.still_spec(parsed(argv), 96)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert 1 <= spec.problem.steps <= limits.MAX_STEPS and 1 <= spec.problem.width <= limits.MAX_WIDTH
    assert spec.problem.seed >= 0 and spec.cols >= 1
    x0, x1, y0, y1 = spec.window.ends
    assert all(abs(v) <= limits.MAX_LOG10 for v in spec.window.ends) and x0 < x1 and y0 < y1


@settings(max_examples=200, deadline=None)
@given(center=st.lists(FLAG_TEXT, min_size=2, max_size=2), depth=FLAG_TEXT, res=INTS, steps=INTS)
def test_random_zoom_flags_give_a_valid_keyframe_spec_or_a_usage_error(center, depth, res, steps):
    from viz.cli.zoom import keyframe_spec

    argv = ["zoom", "--center", *(" " + v for v in center), "--depth= " + depth, "--res=" + res,
            "--steps=" + steps]
    try:
        spec = keyframe_spec(parsed(argv))
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert spec.res >= 8 and len(spec.levels) >= 2 and all(math.isfinite(c) for c in spec.centre)
    assert spec.problem.steps >= 20


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4),
                           max_leaves=20)
RECORDS = st.fixed_dictionaries({}, optional={
    "condition": st.sampled_from(["tanh", "relu", "nope"]) | JSON_VALUES,
    "window": st.lists(NUMBERS, min_size=3, max_size=5) | JSON_VALUES,
    "width": st.sampled_from([8, 16, 0, -1, 10**40]) | JSON_VALUES,
    "steps": st.sampled_from([100, 500, 0, 10**7]) | JSON_VALUES,
    "seed": st.integers(-5, 2**64) | JSON_VALUES,
    "cols": st.integers(-1, 10**9) | JSON_VALUES,
    "rows": st.integers(-1, 10**9) | JSON_VALUES,
    "readout": st.sampled_from(["measure", "probe", "x"]),
    "centre": st.lists(st.text(max_size=30) | st.integers().map(str) | st.floats().map(str), max_size=3)
    | JSON_VALUES,
    "pixel": NUMBERS | JSON_VALUES,
})


def assert_valid(saved: SavedView) -> None:
    x0, x1, y0, y1 = saved.region.ends
    assert x0 < x1 and y0 < y1 and all(abs(v) <= limits.MAX_LOG10 for v in saved.region.ends)
    assert saved.problem.validate() is saved.problem and saved.cols >= 1 and saved.rows >= 1
    view = saved.view(saved.cols, saved.rows)
    assert view.pixel > 0 and math.isfinite(view.pixel)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=300), RECORDS.map(json.dumps), JSON_VALUES.map(json.dumps)))
def test_random_png_text_gives_a_valid_view_or_a_usage_error(tmp_path, text):
    path = tmp_path / "p.png"
    path.write_bytes(png_bytes(16, 16, text.encode("latin-1", "replace").decode("latin-1")))
    try:
        saved = from_png(path)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert_valid(saved)
    assert isinstance(read_png_meta(path), dict)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=RECORDS, suffix=st.sampled_from([".toml", ".json"]), raw=st.none() | st.text(max_size=200))
def test_random_bookmark_files_give_a_valid_view_or_a_usage_error(tmp_path, record, suffix, raw):
    from viz.explore.bookmarks import toml_text

    path = tmp_path / f"marks{suffix}"
    if raw is not None:
        path.write_text(raw)
    else:
        try:
            text = toml_text({"a": record}) if suffix == ".toml" else json.dumps({"a": record})
        except (TypeError, ValueError):  # a value TOML or JSON has no form for: not a file anyone could write
            return
        path.write_text(text)
    try:
        saved = find_bookmark(path, "a")
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert_valid(saved)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_bookmark_windows_are_exact_decimals_and_the_old_centres_still_read(tmp_path, suffix):
    old_units = FRAC_BITS - 64  # the old integer form counts 2**-64 decades
    view = View(to_fixed(1.1238) + (12345 << old_units), -to_fixed(2.3017) - (999 << old_units), 1e-12, 320, 180)
    path = tmp_path / f"marks{suffix}"
    save_bookmark(path, "deep", SavedView.of(view, ProblemSpec("tanh", 8, 100)))
    record = load_bookmarks(path)["deep"]
    assert "centre" not in record and "pixel" not in record  # one encoding: the exact window
    x0, x1, y0, y1 = (Fraction(Decimal(v)) for v in record["window"])
    assert ((x0 + x1) / 2, (y0 + y1) / 2) == (Fraction(view.cx, 2**FRAC_BITS), Fraction(view.cy, 2**FRAC_BITS))
    assert (x1 - x0, y1 - y0) == (Fraction(1e-12) * 320, Fraction(1e-12) * 180)
    assert find_bookmark(path, "deep").view(320, 180) == view
    exact = Context(prec=FRAC_BITS + 20)
    rounded = [float(v) for v in (x0, x1, y0, y1)]
    for centre in ([str(view.cx >> old_units), str(view.cy >> old_units)],  # the oldest: integers of 2**-64
                   [format(exact.divide(Decimal(c), Decimal(2**FRAC_BITS)), "f") for c in (view.cx, view.cy)]):
        old = tmp_path / "old.json"  # as written before one encoding: a rounded window, the centre and the pixel
        old.write_text(json.dumps({"deep": {**STILL, "window": rounded, "cols": 320, "rows": 180,
                                            "centre": centre, "pixel": 1e-12}}))
        assert find_bookmark(old, "deep").view(320, 180) == view


def test_bookmarks_default_to_the_users_data_folder(tmp_path, monkeypatch):
    from viz.explore.bookmarks import default_file

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_file() == tmp_path / "xdg" / "nnfractal" / "bookmarks.toml"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_file() == tmp_path / "home" / ".local" / "share" / "nnfractal" / "bookmarks.toml"
    save_bookmark(default_file(), "a", SavedView.of(View(0, 0, 0.01, 16, 16), ProblemSpec("tanh", 8, 100)))
    assert find_bookmark(default_file(), "a").problem == ProblemSpec("tanh", 8, 100)


# Item 10: dim says when its numbers mean little, and a keyframe without a boundary no longer sinks a store.

def disc(res: int) -> np.ndarray:
    yy, xx = np.mgrid[0:res, 0:res]
    return np.where((xx - res / 2) ** 2 + (yy - res / 3) ** 2 < (res / 3) ** 2, -1.0, 1.0)


def test_dim_cautions_on_an_image_too_small_for_its_box_sizes(workdir, capsys):
    from viz.paper.dim import MIN_RELIABLE_SIDE

    np.save(workdir / "small.npy", disc(MIN_RELIABLE_SIDE - 8))
    np.save(workdir / "large.npy", disc(MIN_RELIABLE_SIDE))
    assert viz.cli.app.main(["dim", "small.npy"]) == 0
    out = capsys.readouterr().out
    assert f"caution: small.npy is {MIN_RELIABLE_SIDE - 8}x{MIN_RELIABLE_SIDE - 8}: its box sizes" in out
    assert f"it holds from about {MIN_RELIABLE_SIDE} px a side" in out
    assert viz.cli.app.main(["dim", "large.npy"]) == 0
    assert "caution" not in capsys.readouterr().out


def test_dim_skips_keyframes_without_a_boundary_with_a_note(workdir, capsys):
    store = workdir / "z.keyframes"
    store.mkdir()
    np.save(store / "level-05.npy", disc(96))
    np.save(store / "level-06.npy", -np.ones((96, 96)))  # deep inside the converged side
    assert viz.cli.app.main(["dim", str(store)]) == 0
    out = capsys.readouterr().out
    assert "from 1 image(s)" in out and "note: skipped" in out and "level-06.npy" in out


def test_dim_refuses_a_store_with_no_boundary_anywhere(workdir, capsys):
    store = workdir / "z.keyframes"
    store.mkdir()
    np.save(store / "level-05.npy", np.ones((96, 96)))
    assert viz.cli.app.main(["dim", str(store)]) == 2
    assert "no boundary to measure" in capsys.readouterr().err


def test_a_render_still_png_is_measured_like_its_npy(workdir, capsys):
    from viz.colour.equalise import colour_measures

    measure = disc(96)
    np.save(workdir / "m.npy", measure)
    meta = StillSpec(ProblemSpec("tanh", 8, 100), cols=96, rows=96).as_metadata()
    save_png(workdir / "m.png", colour_measures(measure), meta=meta)
    assert viz.cli.app.main(["dim", "m.npy"]) == 0
    from_npy = capsys.readouterr().out
    assert viz.cli.app.main(["dim", "m.png"]) == 0
    assert capsys.readouterr().out == from_npy


@settings(max_examples=200, deadline=None)
@given(size=st.one_of(st.text(max_size=24), st.tuples(st.integers(-5, 10**12), st.integers(-5, 10**12)).map(
    lambda wh: f"{wh[0]}x{wh[1]}")), cache_mb=FLAG_TEXT)
def test_random_sizes_give_a_valid_still_or_a_usage_error(size, cache_mb):
    from viz.explore.settings import check_cache_mb

    try:
        spec = cliargs.still_spec(parsed(["render", "--out", "x.npy", "--size= " + size]), 96)
    except UsageError as exc:
        assert "\n" not in str(exc)
    else:
        assert spec.cols >= 1 and spec.rows >= 1
        limits.memory("the still", spec.cols * spec.rows)  # what was accepted fits this machine
    try:
        value = float(cache_mb)  # argparse refuses what is no number at all before this
        check_cache_mb(value)
    except (UsageError, ValueError):
        return
    assert math.isfinite(value) and 0 < value * 2**20 <= limits.MEMORY_SHARE * limits.machine_memory()


@pytest.mark.parametrize("change, fragment", [
    ({"cx": "DIGITS"}, "not valid JSON"),  # 5,000 digits: past Python's limit for int()
    ({"cx": 10**400}, "outside the axes"),
    ({"res": 10**9}, "GiB of memory"),
    ({"steps": 10**15}, "--steps must be from 1"),
])
def test_a_hostile_keyframe_manifest_is_one_line(workdir, capsys, change, fragment):
    from viz.video.keyframes import MANIFEST

    store = workdir / "z.keyframes"
    store.mkdir()
    manifest = {"format": 1, **ProblemSpec("tanh", 8, 100).as_metadata(), "cx": 0, "cy": 0, "res": 16,
                "levels": [1, 2, 3], **change}
    (store / MANIFEST).write_text(json.dumps(manifest).replace('"DIGITS"', "9" * 5000))
    before = listing(workdir)
    assert viz.cli.app.main(["demo", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "z.keyframes" in err, err
    assert listing(workdir) == before
