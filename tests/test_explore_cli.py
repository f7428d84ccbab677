"""`nnfractal explore` refuses bad input with one stderr line and exit status 2, before any window opens."""
from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import run_nnfractal

from viz.outputs import save_png


def refused(*args: str, env: dict | None = None, cwd=None) -> str:
    """Run `nnfractal explore ARGS` with no display; assert one stderr line, exit 2; return that line."""
    env = env if env is not None else {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = run_nnfractal("explore", *args, env=env, cwd=cwd, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_no_display(tmp_path):
    assert "cannot open a window" in refused("--size", "64x64", cwd=tmp_path)


def test_broken_bookmark_file(tmp_path):
    (tmp_path / "marks.toml").write_text("[broken\n")
    assert "not valid TOML" in refused("--bookmarks", str(tmp_path / "marks.toml"), "--bookmark", "x")


def test_bookmark_with_a_bad_field(tmp_path):
    (tmp_path / "marks.json").write_text('{"x": {"condition": "tanh", "window": "wide"}}')
    line = refused("--bookmarks", str(tmp_path / "marks.json"), "--bookmark", "x")
    assert "bookmark 'x'" in line and "'window'" in line


def test_unknown_bookmark_name(tmp_path):
    assert "no bookmarks file" in refused("--bookmarks", str(tmp_path / "none.toml"), "--bookmark", "x")


def test_broken_png(tmp_path):
    (tmp_path / "still.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    assert "not a readable PNG" in refused(str(tmp_path / "still.png"))


def test_png_that_is_not_ours(tmp_path):
    save_png(tmp_path / "plain.png", np.zeros((4, 4, 3), np.uint8))
    assert "carries no nnfractal view" in refused(str(tmp_path / "plain.png"))


def test_png_and_window_contradict(tmp_path):
    save_png(tmp_path / "plain.png", np.zeros((4, 4, 3), np.uint8), meta={"condition": "tanh"})
    assert "contradict" in refused(str(tmp_path / "plain.png"), "--window", "0", "1", "0", "1")


@pytest.mark.parametrize("args, text", [
    (("--steps", "10"), "last 20 steps"),
    (("--size", "8x8"), "at least 16x16"),
    (("--cache-mb", "0"), "--cache-mb must be positive"),
    (("--window", "1", "0", "0", "1"), "X0 < X1"),
    (("--width", "7"), "width 8 and 16"),
    (("--size", "big"), "size must look like"),
    (("--window", "0", "inf", "0", "1"), "four finite numbers"),
    (("--precision", "f128"), "invalid choice: 'f128'"),
])
def test_bad_flags(args, text):
    assert text in refused(*args)


def test_cuda_without_a_driver():
    from viz.compute.backend import cuda_available

    if cuda_available():
        pytest.skip("this machine has an NVIDIA driver")
    assert "no NVIDIA driver" in refused("--arch", "cuda")


def test_settings_take_a_panels_steps_and_window():
    from viz.explore.settings import ExploreRequest, settings_for
    from viz.problem.conditions import PANEL_STEPS, panel_log_window

    home = panel_log_window("minibatch")
    made = settings_for(ExploreRequest(condition="minibatch", panel="minibatch", home=home, preset="quick",
                                       arch="cpu"))
    assert (made.problem.condition, made.home.floats) == ("minibatch", home)
    assert (made.preset.width, made.preset.steps) == (8, PANEL_STEPS["minibatch"])
    assert made.preset.name == "custom" and made.presets[0] == made.preset
