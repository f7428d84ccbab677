"""Bookmark files (TOML and JSON) and the view a PNG carries: exact round trips, one-line refusals."""
from __future__ import annotations

import json
from decimal import Context, Decimal
from fractions import Fraction

import numpy as np
import pytest

from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, find_bookmark, from_png, load_bookmarks, save_bookmark
from viz.numeric.fixed import FRAC_BITS, to_fixed
from viz.outputs import save_png
from viz.paper.stills import StillSpec
from viz.problem.spec import ProblemSpec
from viz.sampling.view import View, min_pixel, zoom


def deep_view() -> View:
    """A view near the float64 limit: its centre needs every fixed-point bit."""
    view = View(to_fixed(1.1238) + 12345, to_fixed(2.3017) - 999, 0.01, 320, 180)
    return View(view.cx, view.cy, min_pixel(view) * 3, 320, 180)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_bookmarks_round_trip_exactly_and_keep_each_other(tmp_path, suffix):
    path = tmp_path / f"marks{suffix}"
    view = deep_view()
    save_bookmark(path, "deep one", SavedView.of(view, ProblemSpec("relu", 16, 500, 0, "measure")))
    save_bookmark(path, 'quote"s', SavedView.of(zoom(view, 0.5)[0], ProblemSpec("init", 8, 100, 3, "probe")))
    back = find_bookmark(path, "deep one")
    assert back.view(320, 180) == view
    assert back.problem == ProblemSpec("relu", 16, 500, 0, "measure")
    assert find_bookmark(path, 'quote"s').problem.readout == "probe"
    assert set(load_bookmarks(path)) == {"deep one", 'quote"s'}


def test_another_window_size_shows_the_same_region(tmp_path):
    view = View(to_fixed(0.5), to_fixed(1.5), 0.01, 200, 100)
    saved = SavedView.of(view, ProblemSpec("tanh", 8, 100, 0, "measure"))
    wider = saved.view(400, 100)
    assert (wider.cx, wider.cy) == (view.cx, view.cy)
    assert wider.cols * wider.pixel >= 2.0 - 1e-12 and wider.rows * wider.pixel >= 1.0 - 1e-12


def test_a_render_still_reopens_at_its_window(tmp_path):
    spec = StillSpec(ProblemSpec("linear", 8, 100), window=(-1.0, 2.0, 0.0, 1.5), cols=30, rows=15)
    path = tmp_path / "still.png"
    save_png(path, np.zeros((15, 30, 3), np.uint8), meta=spec.as_metadata())
    saved = from_png(path)
    assert saved.problem.condition == "linear" and saved.region == spec.window
    assert saved.view(300, 150) == View.fit(-1.0, 2.0, 0.0, 1.5, 300, 150)


def test_a_screenshot_reopens_exactly(tmp_path):
    view = deep_view()
    path = tmp_path / "shot.png"
    saved = SavedView.of(view, ProblemSpec("single", 8, 100, 0, "measure"))
    save_png(path, np.zeros((4, 4, 3), np.uint8), meta=saved.record())
    assert from_png(path).view(view.cols, view.rows) == view


@pytest.mark.parametrize("content, message", [
    ("[x", "not valid TOML"),
    ('[a]\ncondition = "tanh"\n', "missing 'window'"),
    ('[a]\ncondition = "nope"\n', "unknown condition 'nope'"),
    ('[a]\ncondition = "tanh"\nwindow = [1, 0, 0, 1]\nwidth = 8\nsteps = 100\ncols = 4\nrows = 4\n', "x0 < x1"),
    ('[a]\ncondition = "tanh"\nwindow = [0, 1, 0, 1]\nwidth = "8"\nsteps = 100\ncols = 4\nrows = 4\n',
     "'width' must be an integer"),
    ('[a]\ncondition = "tanh"\nwindow = [0, 1, 0, 1]\nwidth = 8\nsteps = 100\ncols = 4\nrows = 4\n'
     'centre = ["x", "1"]\npixel = 0.1\n', "'centre' must be two integer strings"),
    ("a = 3\n", "a table of fields"),
])
def test_a_broken_bookmark_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "marks.toml"
    path.write_text(content)
    with pytest.raises(UsageError, match=message) as caught:
        find_bookmark(path, "a")
    assert "\n" not in str(caught.value)


def test_missing_name_lists_what_there_is(tmp_path):
    path = tmp_path / "marks.json"
    save_bookmark(path, "here", SavedView.of(deep_view(), ProblemSpec("tanh", 8, 100, 0, "measure")))
    with pytest.raises(UsageError, match=r"no bookmark 'there'.*it has: here"):
        find_bookmark(path, "there")


def test_missing_file_and_bad_suffix_are_refused(tmp_path):
    with pytest.raises(UsageError, match="no bookmarks file"):
        find_bookmark(tmp_path / "none.toml", "a")
    with pytest.raises(UsageError, match=r"\.toml or \.json"):
        save_bookmark(tmp_path / "marks.yaml", "a", SavedView.of(deep_view(), ProblemSpec("tanh", 8, 100)))


def test_json_bookmark_file_is_plain_json(tmp_path):
    path = tmp_path / "marks.json"
    save_bookmark(path, "a", SavedView.of(deep_view(), ProblemSpec("tanh", 8, 100, 0, "measure")))
    record = json.loads(path.read_text())["a"]
    assert record["condition"] == "tanh" and all(isinstance(v, str) for v in record["window"])  # exact, past float64
    assert "centre" not in record and "pixel" not in record  # the region is written once


def test_png_without_our_text_is_refused(tmp_path):
    path = tmp_path / "plain.png"
    save_png(path, np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(UsageError, match="carries no nnfractal view"):
        from_png(path)


def test_bookmarks_written_with_64_fractional_bits_load_at_the_same_point(tmp_path):
    """Before double-double a centre was an integer of 2**-64 decades, or the exact decimal it stands for."""
    old_x, old_y = round(1.1238 * 2 ** 64) + 12345, round(2.3017 * 2 ** 64) - 999
    exact = [format(Context(prec=100).divide(Decimal(old), Decimal(2 ** 64)), "f") for old in (old_x, old_y)]
    path = tmp_path / "old.toml"
    path.write_text('[as_int]\ncondition = "tanh"\nwidth = 8\nsteps = 100\nseed = 0\nreadout = "measure"\n'
                    f'window = [1.0, 1.2, 2.2, 2.4]\ncols = 320\nrows = 180\ncentre = ["{old_x}", "{old_y}"]\n'
                    'pixel = 1e-15\n\n[as_decimal]\ncondition = "tanh"\nwidth = 8\nsteps = 100\nseed = 0\n'
                    f'readout = "measure"\nwindow = [1.0, 1.2, 2.2, 2.4]\ncols = 320\nrows = 180\n'
                    f'centre = ["{exact[0]}", "{exact[1]}"]\npixel = 1e-15\n')
    for name in ("as_int", "as_decimal"):
        view = find_bookmark(path, name).view(320, 180)
        assert (Fraction(view.cx, 2 ** FRAC_BITS), Fraction(view.cy, 2 ** FRAC_BITS)) == (
            Fraction(old_x, 2 ** 64), Fraction(old_y, 2 ** 64))
