"""`nnfractal zoom` end to end: a small real video, interruption and resumption, re-encoding, bad input."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from conftest import interruptible

from viz.cli.app import main
from viz.colour.equalise import sign_from_rgb
from viz.video.keyframes import KeyframeStore
from viz.video.path import reference_frame

# A point on the quick preset's boundary; three 64^2 keyframes, 10 frames per 2x.
ARGS = ["zoom", "--center", "2.6", "1.4", "--keyframes", "3", "--res", "64", "--preset", "quick",
        "--size", "64x64", "--fps", "10", "--seconds-per-2x", "1", "--arch", "cpu", "--quiet"]
FRAMES = 2 * 10 + 1
SUMMARY = re.compile(r"keyframes: (\d+) on disk, (\d+) computed; (\d+) samples computed at \d+/s, "
                     r"(\d+) copied from the keyframe above, (\d+) from checkpoints")


def zoom_command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "viz", *ARGS, *extra]


def read_video(path: Path) -> np.ndarray:
    reader = imageio_ffmpeg.read_frames(str(path))
    width, height = next(reader)["size"]
    return np.stack([np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader])


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    """One complete run; returns its video's path (keyframes beside it)."""
    out = tmp_path_factory.mktemp("whole") / "zoom.mp4"
    done = subprocess.run(zoom_command("--out", str(out)), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert SUMMARY.search(done.stdout).groups() == ("0", "3", str(64 * 64 + 2 * 3 * 32 * 32), "2048", "0")
    return out


def test_a_small_zoom_is_a_valid_mp4_showing_both_sides(uninterrupted):
    frames = read_video(uninterrupted)
    assert frames.shape == (FRAMES, 64, 64, 3)
    for frame in frames[[0, FRAMES // 2, -1]]:
        signs = sign_from_rgb(frame)
        assert 0.05 < np.mean(signs > 0) < 0.95, "both diverged and converged pixels"


def test_the_video_matches_the_numpy_reference_frames(uninterrupted):
    store = KeyframeStore.open(uninterrupted.with_suffix(".keyframes"))
    path = store.spec.zoom_path(10)
    measures = store.load_all()
    frames = read_video(uninterrupted)
    for index in (0, 7, 15, FRAMES - 1):
        want = reference_frame(path, index, measures, (64, 64)).astype(int)
        assert np.mean(np.abs(frames[index].astype(int) - want)) < 6, f"frame {index}"


def test_an_interrupted_zoom_resumes_with_only_the_missing_keyframe(uninterrupted, tmp_path):
    out = tmp_path / "zoom.mp4"
    store = tmp_path / "zoom.keyframes"
    proc = subprocess.Popen(zoom_command("--out", str(out)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **interruptible())
    deadline = time.monotonic() + 240
    while len(list(store.glob("level??.npy"))) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "zoom ended before its second keyframe"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "2 of 3 keyframes are kept" in err
    assert not out.exists()
    again = subprocess.run(zoom_command("--out", str(out)), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    loaded, computed, samples, copied, resumed = map(int, SUMMARY.search(again.stdout).groups())
    assert (loaded, computed) == (2, 1)
    assert samples + copied + resumed == 64 * 64 and samples <= 64 * 64 - 32 * 32
    whole = KeyframeStore.open(uninterrupted.with_suffix(".keyframes"))
    for a, b in zip(KeyframeStore.open(store).load_all(), whole.load_all()):
        assert np.array_equal(a, b)
    assert np.array_equal(read_video(out), read_video(uninterrupted))


def test_changing_only_the_video_settings_reencodes_without_computing(uninterrupted, tmp_path):
    out = tmp_path / "wide.mp4"
    done = subprocess.run(
        zoom_command("--out", str(out), "--store", str(uninterrupted.with_suffix(".keyframes")),
                     "--fps", "5", "--size", "48x32"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "nothing to compute" in done.stdout
    assert read_video(out).shape == (2 * 5 + 1, 32, 48, 3)


@pytest.mark.parametrize("extra, message", [
    (["--center", "300", "0", "--keyframes", "3"], "outside the axes"),
    (["--center", "1", "2", "--depth", "30"], "double-double limit"),
    (["--center", "1", "2", "--depth", "20", "--precision", "f64"], "float64 limit.*--precision auto or dd"),
    (["--center", "1", "2", "--depth", "20", "--arch", "cuda"], "from level 5[0-9] on .* CPU only"),
    (["--center", "1", "2"], "needs --depth"),
    (["--center", "1", "2", "--keyframes", "3", "--size", "63x64"], "even"),
    (["--center", "1", "2", "--keyframes", "3", "--out", "z.avi"], r"\.mp4"),
    (["--panel", "tanh", "--keyframes", "1"], "at least 2 keyframes"),
    (["--from", "missing.png"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    status, err = cli("zoom", "--res", "16", *extra)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and re.search(message, err), err


def test_a_corrupt_store_is_one_line_and_exit_2(cli, tmp_path):
    store = tmp_path / "z.keyframes"
    store.mkdir()
    (store / "manifest.json").write_text("not json")
    status, err = cli("zoom", "--center", "1", "2", "--keyframes", "3", "--res", "16",
                          "--out", str(tmp_path / "z.mp4"))
    assert status == 2 and "corrupt" in err and len(err.strip().splitlines()) == 1


def test_a_store_for_another_target_is_refused(cli, tmp_path, uninterrupted):
    status, err = cli(*ARGS[:2], "2.7", "1.4", *ARGS[4:], "--out", str(tmp_path / "z.mp4"),
                          "--store", str(uninterrupted.with_suffix(".keyframes")))
    assert status == 2 and "was made with cx" in err


def test_a_still_png_or_a_bookmark_sets_the_target_and_the_problem(tmp_path):
    from viz.cli.app import build_parser
    from viz.cli.zoom import keyframe_spec
    from viz.explore.bookmarks import SavedView, save_bookmark
    from viz.outputs import save_png
    from viz.paper.stills import StillSpec
    from viz.problem.spec import ProblemSpec

    still = StillSpec(ProblemSpec("relu", 8, 100), window=(-0.3, -0.2, 1.9, 2.0), cols=8, rows=8)
    save_png(tmp_path / "still.png", np.zeros((8, 8, 3), np.uint8), meta=still.as_metadata())
    save_bookmark(tmp_path / "marks.toml", "spot", SavedView(ProblemSpec("linear", 16, 500, 0, "measure"),
                                                              (2.2, 2.3, 0.7, 0.8), 8, 8))
    for argv, condition, steps, centre in (
            (["--from", str(tmp_path / "still.png")], "relu", 100, (-0.25, 1.95)),
            (["--bookmark", "spot", "--bookmarks", str(tmp_path / "marks.toml")], "linear", 500, (2.25, 0.75))):
        spec = keyframe_spec(build_parser().parse_args(["zoom", "--res", "16", *argv]))
        assert (spec.problem.condition, spec.problem.steps) == (condition, steps)
        assert spec.centre == pytest.approx(centre)
        assert spec.deepest_width() <= 0.1 < 2 * spec.deepest_width() + 1e-12
        assert (spec.res - 1) * 2.0 ** -spec.levels[0] >= 6


@pytest.mark.slow
def test_auto_zooms_past_float64_into_a_dd_boundary_point_to_an_mp4(tmp_path):
    """The default --precision auto, about a centre found by bisect_boundary_dd 20 decades deep: float64
    keyframes first, then double-double ones 2.4 decades past float64's limit that still resolve the boundary.
    About 50 s on 2 cores (500 double-double runs, two kernel builds)."""
    import json

    from viz.problem.spec import ProblemSpec
    from viz.sampling.boundary import bisect_boundary_dd

    x = bisect_boundary_dd(ProblemSpec("tanh", 8, 100), "1.5", "2.45301", "2.45302", 20, arch="cpu")
    assert abs(x - Decimal("2.453018437500037")) < Decimal("1e-15")
    out = tmp_path / "deep.mp4"
    assert main(["zoom", "--center", str(x), "1.5", "--depth", "18", "--res", "8", "--preset", "quick",
                 "--size", "64x64", "--fps", "2", "--seconds-per-2x", "0.5", "--arch", "cpu", "--quiet",
                 "--out", str(out)]) == 0
    store = KeyframeStore.open(out.with_suffix(".keyframes"))
    spec, last = store.spec, store.spec.levels[-1]
    assert spec.levels[0] < spec.dd_from <= last and spec.precision_at(last) == "dd"
    assert spec.spacing(last) < 1e-18  # float64 ends near 1e-16 decades here
    manifest = json.loads((out.with_suffix(".keyframes") / "manifest.json").read_text())
    assert (manifest["precision"], manifest["dd_from"]) == ("dd", spec.dd_from)
    deepest = store.load(last)
    assert len({deepest[:, col].tobytes() for col in range(8)}) == 8
    assert (deepest < 0).any() and (deepest > 0).any()  # the boundary runs through it
    assert read_video(out).shape == (len(spec.levels), 64, 64, 3)
