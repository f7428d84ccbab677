"""`--cluster` through the command line, on real clusters on 127.0.0.1: bitwise equal to the in-process path.

Each command starts (local:N) or joins (tcp://) its cluster and stops what
it started; a test that starts `dask scheduler` / `dask worker` stops them.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from conftest import checkout_env, dask_cli_cluster, interruptible, run_nnfractal

ENV = checkout_env()
PANEL = ["--panel", "tanh", "--res", "24", "--preset", "paper"]
VIEW = ["--res", "64", "--preset", "quick"]


nnfractal = partial(run_nnfractal, timeout=600)


def render(out: Path, *args: str) -> np.ndarray:
    done = nnfractal("render", *args, "--arch", "cpu", "--quiet", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(out)


def assert_bitwise(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
    assert a.tobytes() == b.tobytes(), f"{np.sum(a.view(np.int64) != b.view(np.int64))} pixels differ"


@pytest.mark.parametrize("still", [PANEL, pytest.param(VIEW, marks=pytest.mark.slow)],
                         ids=["tanh-panel-paper-24", "default-view-quick-64"])
def test_render_on_local2_equals_in_process(tmp_path, still):
    here = render(tmp_path / "here.npy", *still)
    there = render(tmp_path / "there.npy", *still, "--cluster", "local:2", "--tile", "16")
    assert_bitwise(there, here)
    assert not (tmp_path / "there.npy.zarr").exists()  # the resume state goes once the still is saved


@pytest.mark.slow
def test_an_optimisers_still_on_local2_equals_in_process(tmp_path):
    """The experiment travels with the problem to every tile (issue 23)."""
    still = ["--res", "16", "--preset", "paper", "--optimizer", "momentum", "--momentum", "0.5"]
    here = render(tmp_path / "here.npy", *still)
    there = render(tmp_path / "there.npy", *still, "--cluster", "local:2", "--tile", "8")
    assert_bitwise(there, here)
    assert (here > 0).any() and (here < 0).any()


def test_render_out_zarr_keeps_the_store_and_a_rerun_resumes_it(tmp_path):
    import zarr

    from viz.paper.cluster_still import read_still_store

    here = render(tmp_path / "here.npy", *PANEL)
    out = tmp_path / "panel.zarr"
    args = ["render", *PANEL, "--arch", "cpu", "--cluster", "local:2", "--tile", "8", "--out", str(out)]
    first = nnfractal(*args, "--quiet")
    assert first.returncode == 0 and f"wrote {out}" in first.stdout, first.stderr[-3000:]
    spec, image = read_still_store(out)
    assert_bitwise(image, here) and (spec.cols, spec.rows, spec.problem.condition) == (24, 24, "tanh")
    group = zarr.open_group(out, mode="r+")  # two tiles lost: the rerun computes those alone
    group["done"][0, 0] = group["done"][1, 2] = 0
    group["measure"][0:8, 0:8] = np.nan
    again = nnfractal(*args)
    assert again.returncode == 0 and "(2/9 tiles)" in again.stderr, again.stderr[-3000:]
    assert_bitwise(read_still_store(out)[1], here)


def test_render_out_zarr_refusals_are_one_line(tmp_path):
    assert "add --cluster" in refused("render", "--res", "8", "--out", str(tmp_path / "x.zarr"))
    (tmp_path / "real").mkdir()
    (tmp_path / "x.zarr").symlink_to(tmp_path / "real")
    assert "is a link" in refused("render", "--res", "8", "--cluster", "local:1", "--out", str(tmp_path / "x.zarr"))
    (tmp_path / "y.npy.zarr").symlink_to(tmp_path / "real")  # the store beside a .npy is refused alike
    assert "is a link" in refused("render", "--res", "8", "--cluster", "local:1", "--out", str(tmp_path / "y.npy"))
    assert os.listdir(tmp_path / "real") == []


@pytest.mark.slow  # test_cluster.py starts the same commands in the default suite
def test_render_on_dask_scheduler_and_worker_commands(tmp_path):
    here = render(tmp_path / "here.npy", *VIEW)
    with dask_cli_cluster(tmp_path) as address:
        there = render(tmp_path / "there.npy", *VIEW, "--cluster", address, "--tile", "16")
    assert_bitwise(there, here)


def refused(*args: str) -> str:
    start = time.monotonic()
    done = nnfractal(*args, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert time.monotonic() - start < 10
    return lines[0]


@pytest.mark.parametrize("command", [["render", "--out", "x.npy"], ["figure1"], ["zoom", "--panel", "tanh"],
                                     ["dim", "--panel", "tanh"], ["explore"]])
@pytest.mark.parametrize("value", ["local:0", "tcp://host", "udp://1.2.3.4:5"])
def test_malformed_cluster_is_one_line(tmp_path, command, value):
    assert "--cluster must be local, local:N or tcp://HOST:PORT" in refused(*command, "--cluster", value)


@pytest.mark.parametrize("command", [["render", "--res", "8", "--preset", "quick"], ["dim", "--panel", "tanh"]])
def test_unreachable_scheduler_is_one_line(tmp_path, command):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    out = ["--out", str(tmp_path / "x.npy")] if command[0] == "render" else []
    assert f"cannot reach the Dask scheduler at {address}" in refused(*command, *out, "--cluster", address)
    assert not (tmp_path / "x.npy").exists()


# --- zoom: interrupted, then resumed; the video equals an uninterrupted run's ---

ZOOM = ["zoom", "--center", "2.6", "1.4", "--keyframes", "3", "--res", "16", "--preset", "paper", "--arch", "cpu",
        "--size", "32x32", "--fps", "8", "--seconds-per-2x", "1", "--quiet"]
TILES = re.compile(r"(\d+) of (\d+) tiles computed")


def done_tiles(folder: Path) -> tuple[int, int]:
    """(finished tiles, all tiles) of the keyframes a zoom folder still lacks as .npy; (0, 0) before it exists."""
    from viz.compute.zarr_store import TileStore
    from viz.errors import UsageError
    from viz.video.keyframes import TILES as ZARR
    from viz.video.keyframes import KeyframeStore, keyframe_grid

    try:
        store = KeyframeStore.open(folder)
    except UsageError:
        return 0, 0
    done = total = 0
    for level in store.missing():
        grid = keyframe_grid(store.spec, level, 8)
        total += len(grid.tiles())
        path = folder / ZARR / f"level{level:02d}"
        if (path / "done" / "zarr.json").exists():
            try:
                done += int(TileStore.open(path, grid).done().sum())
            except UsageError:
                pass
    return done, total


def read_video(path: Path) -> np.ndarray:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    width, height = next(reader)["size"]
    return np.stack([np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader])


@pytest.mark.slow  # test_cluster.py stops a client mid-still and reruns it in the default suite
def test_zoom_interrupted_then_rerun_computes_only_missing_tiles(tmp_path):
    import psutil

    whole = nnfractal(*ZOOM, "--out", str(tmp_path / "whole.mp4"))  # in this process, uninterrupted
    assert whole.returncode == 0, whole.stderr[-3000:]
    out = tmp_path / "zoom.mp4"
    command = [sys.executable, "-m", "viz", *ZOOM, "--out", str(out), "--cluster", "local:2", "--tile", "8"]
    first = subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             **interruptible())
    try:
        deadline = time.monotonic() + 400
        while done_tiles(out.with_suffix(".keyframes"))[0] < 2:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "no tile finished in time"
            time.sleep(0.05)
        its_workers = psutil.Process(first.pid).children(recursive=True)
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=120)
        assert not psutil.wait_procs(its_workers, timeout=60)[1]
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 130 and "run the same command again to resume" in err, err[-3000:]
    done, total = done_tiles(out.with_suffix(".keyframes"))
    assert 0 < done < total == 12
    again = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert TILES.search(again.stdout).groups() == (str(total - done), str(total))
    for level in (path.name for path in sorted((tmp_path / "whole.keyframes").glob("level*.npy"))):
        assert_bitwise(np.load(out.with_suffix(".keyframes") / level), np.load(tmp_path / "whole.keyframes" / level))
    frames = read_video(out)
    assert frames.shape[0] > 10 and np.array_equal(frames, read_video(tmp_path / "whole.mp4"))


@pytest.mark.slow  # 30 s on 2 cores; render and zoom on local:2 stay in the default suite
def test_figure1_on_local2_keeps_its_panels_store_and_equals_in_process(tmp_path):
    here, there = tmp_path / "here" / "figure1.png", tmp_path / "there" / "figure1.png"
    here.parent.mkdir()
    there.parent.mkdir()
    args = ["figure1", "--preset", "quick", "--res", "40", "--arch", "cpu", "--quiet"]
    first = nnfractal(*args, "--out", str(here))
    assert first.returncode == 0, first.stderr[-3000:]
    second = nnfractal(*args, "--out", str(there), "--cluster", "local:2", "--tile", "16")
    assert second.returncode == 0, second.stderr[-3000:]
    table = [line for line in first.stdout.splitlines() if line.startswith("|")]
    assert len(table) == 8 and table == [line for line in second.stdout.splitlines() if line.startswith("|")]
    kept = sorted(os.listdir(tmp_path / "here" / "figure1.panels"))
    assert kept == sorted(os.listdir(tmp_path / "there" / "figure1.panels"))  # no tile store left behind
    panels = [name for name in kept if name.endswith(".npy")]
    assert len(panels) == 6
    for name in panels:
        assert_bitwise(np.load(tmp_path / "there" / "figure1.panels" / name),
                       np.load(tmp_path / "here" / "figure1.panels" / name))


def test_dim_panel_on_local2_reports_what_in_process_does():
    args = ["dim", "--panel", "tanh", "--res", "16"]
    here, there = nnfractal(*args), nnfractal(*args, "--cluster", "local:2", "--tile", "8")
    assert here.returncode == there.returncode == 0, there.stderr[-3000:]
    report = [line for line in here.stdout.splitlines() if not line.startswith("[Taichi]")]
    assert "fractal dimension" in report[0]
    assert report == [line for line in there.stdout.splitlines() if not line.startswith("[Taichi]")]
