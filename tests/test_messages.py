"""What the program says: one error prefix, a --help for users, one build message only on a build,
zoom's resume-aware progress label and its warning on a one-colour Figure 1 window."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from viz.cli import zoom as zoom_cli
from viz.cli.app import build_parser, main
from viz.compute import kernel_cache
from viz.numeric.fixed import to_fixed
from viz.paper.stills import StillSpec, compute_still
from viz.problem.spec import ProblemSpec
from viz.video.fill import compute_keyframes, panel_warning
from viz.video.keyframes import KeyframeSpec, KeyframeStore, outer_level


def test_a_usage_error_names_the_program_once(capsys):
    assert main(["render", "--panel", "tanh", "--res", "8"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnfractal: error: render: ") and err.count("nnfractal") == 1, err
    assert err.count("\n") == 1


def test_top_level_help_describes_the_program_not_the_code():
    text = build_parser().format_help()
    assert "training" in text and "converges" in text
    assert "argparse" not in text and "module" not in text


@pytest.mark.parametrize("cached", [True, False])
def test_the_build_message_comes_only_when_the_kernel_is_not_cached(cached, capsys, monkeypatch, engine_backend):
    monkeypatch.setattr(kernel_cache, "is_cached", lambda folder, arch, width: cached)
    spec = StillSpec(ProblemSpec("tanh", 8, 100), window=(0.0, 1.0, 0.0, 1.0), cols=2, rows=2)
    compute_still(spec, arch=engine_backend.arch)
    err = capsys.readouterr().err
    assert err.count("building the kernel for width 8") == (0 if cached else 1), err


def test_zoom_into_a_panel_that_is_one_colour_at_the_preset_warns_and_goes_on(capsys, monkeypatch, tmp_path):
    done = []
    monkeypatch.setattr(zoom_cli, "compute", lambda store, arch, quiet: done.append("compute"))
    monkeypatch.setattr(zoom_cli, "encode", lambda *args, **kwargs: done.append("encode"))
    args = ["zoom", "--panel", "tanh", "--res", "16", "--size", "64x64", "--out", str(tmp_path / "z.mp4"), "--quiet"]
    assert main([*args, "--preset", "quick"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning" in err and "tanh" in err and "--preset paper" in err, err
    assert done == ["compute", "encode"]
    assert main([*args, "--preset", "paper", "--out", str(tmp_path / "p.mp4")]) == 0
    assert capsys.readouterr().err == ""


def test_panel_warning_only_off_the_presets_that_show_the_boundary():
    assert panel_warning("relu", "paper") is None
    assert "--preset paper" in panel_warning("relu", "quick")


class _SignEngine:
    """A stand-in engine: a sign change along a line, no Taichi."""

    chunk_pixels = 64

    def measure(self, xs, ys):
        return np.log10(xs) - np.log10(ys) + 0.01


def test_zoom_progress_counts_the_keyframes_a_resume_kept(tmp_path, monkeypatch):
    import viz.compute.backend
    import viz.compute.engine

    monkeypatch.setattr(viz.compute.backend, "init_backend", lambda arch: None)
    monkeypatch.setattr(viz.compute.engine, "build_engine", lambda problem, backend: _SignEngine())
    first = outer_level(16)
    spec = KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(1.0), to_fixed(1.0), 16, tuple(range(first, first + 4)))
    store = KeyframeStore.create_or_resume(tmp_path / "k", spec)
    store.spec = replace(spec, levels=spec.levels[:2])
    store.fill(_SignEngine().measure, chunk=64)
    resumed = KeyframeStore.create_or_resume(tmp_path / "k", spec)
    labels = []
    compute_keyframes(resumed, "cpu", lambda done, total, label: labels.append(label))
    assert labels[0] == "keyframes 2/4" and labels[-1] == "keyframes 4/4"
    assert set(labels) == {"keyframes 2/4", "keyframes 3/4", "keyframes 4/4"}
