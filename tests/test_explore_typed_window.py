"""The explorer opened at a typed --window narrower than float64 resolves: double-double, every digit kept.

Its own module (and X server): an Explorer closing terminates GLFW for the
whole process, which test_window.py's shared window would not survive.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import private_xvfb
from test_exact_windows import ACROSS
from test_window import precision_line, settings

from viz.display.hud import hud_lines
from viz.sampling.view import View

pytestmark = pytest.mark.display


def test_a_typed_window_past_float64_opens_in_double_double_with_every_digit(tmp_path, monkeypatch):
    from viz.explore.window import Explorer

    home = tuple(Decimal(v) for v in ACROSS)  # 1e-20 decades: float64 sees one point
    with private_xvfb() as display:
        monkeypatch.setenv("DISPLAY", display)
        with Explorer(settings(tmp_path, home=home)) as deep:
            assert deep.view == View.fit(*home, deep.view.cols, deep.view.rows)
            assert deep.precision == "dd" and deep.refiner.key.precision == "dd"
            assert precision_line(deep) == "precision: dd (auto: past float64)"
            x_line = next(line for line in hud_lines(deep.view, deep._status()) if line.startswith("x eta0"))
            low, high = x_line.split(": ")[1].split(" .. ")
            assert low != high, x_line
