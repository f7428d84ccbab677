"""Recording holds memory flat (issue 27): V under Xvfb, the explorer's resident size sampled from /proc."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import ROOT, private_xvfb

pytestmark = pytest.mark.display


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024.0


def record(tmp_path, seconds: float, settle: float) -> tuple[float, list[float], float]:
    """Record `seconds` of `explore --size 320x180 --preset quick`: (growth after `settle` s, samples, after stop)."""
    with private_xvfb() as display:
        env = dict(os.environ, DISPLAY=display, PYTHONPATH=str(ROOT))  # this checkout's code
        proc = subprocess.Popen([sys.executable, "-m", "viz", "explore", "--size", "320x180", "--preset", "quick",
                                 "--arch", "cpu", "--bookmarks", str(tmp_path / "m.toml")], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        xdo = dict(env=env, capture_output=True, text=True, timeout=120)
        try:
            window = subprocess.run(["xdotool", "search", "--sync", "--name", "nnfractal explore"],
                                    **xdo).stdout.split()[0]
            time.sleep(2.0)
            subprocess.run(["xdotool", "key", "--window", window, "v"], **xdo)
            start, samples = time.monotonic(), []
            while (elapsed := time.monotonic() - start) < seconds:
                time.sleep(1.0)
                samples.append((elapsed, resident_mb(proc.pid)))
            subprocess.run(["xdotool", "key", "--window", window, "v"], **xdo)
            time.sleep(2.0)
            after = resident_mb(proc.pid)
            subprocess.run(["xdotool", "key", "--window", window, "q"], **xdo)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, err
    settled = [mb for t, mb in samples if t >= settle]
    return max(settled) - settled[0], [mb for _, mb in samples], after


def test_a_minute_of_recording_grows_resident_memory_by_under_30_mb(tmp_path):
    import imageio.v3 as iio

    growth, samples, after = record(tmp_path, 60.0, settle=10.0)
    assert growth < 30.0, f"grew {growth:.0f} MB after the first 10 s: {samples}"
    assert after < max(samples) + 30.0
    (video,) = (tmp_path / "recordings").glob("*.mp4")
    assert iio.improps(video).shape[0] > 300  # the frames reached the encoder


@pytest.mark.slow
def test_ten_minutes_of_recording_grow_resident_memory_by_under_50_mb_after_the_first(tmp_path):
    growth, samples, _ = record(tmp_path, 600.0, settle=60.0)
    assert growth < 50.0, f"grew {growth:.0f} MB after the first minute: {samples[::30]}"
