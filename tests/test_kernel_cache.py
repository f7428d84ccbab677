"""Built kernels persist: the worker leaves Taichi's offline cache written, so only the first launch builds."""
from __future__ import annotations

import time

from viz.compute.process import EngineProcess
from viz.explore.refiner import Refiner
from viz.problem.spec import ProblemSpec
from viz.sampling.coverage import coverage
from viz.sampling.view import View

QUICK = ProblemSpec("tanh", 8, 100)
#: The explorer's first picture: the coarse level of a small view of the starting window.
VIEW = View.fit(-3.0, 6.0, -3.0, 6.0, 64, 36)
#: Seconds the second launch may take to its first picture at the quick preset (issue 16).
FIRST_PICTURE = 5.0


def launch() -> tuple[float, Refiner]:
    """Start a worker as the explorer does and step it until the first complete coarse picture; the seconds it took."""
    start = time.perf_counter()
    with Refiner(QUICK, EngineProcess("cpu"), cache_mb=16) as refiner:
        seen_building = False
        while not coverage(VIEW, refiner.store).coarse_done:
            assert time.perf_counter() - start < 600, "no first picture in 10 minutes"
            refiner.step(VIEW)
            seen_building |= refiner.building
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        while refiner.busy:  # the flush follows the batch that built the kernel
            refiner.step(VIEW)
            time.sleep(0.005)
        deadline = time.perf_counter() + 60
        while not refiner.builds and seen_building and time.perf_counter() < deadline:
            refiner.step(VIEW)
            time.sleep(0.01)
    refiner.seen_building = seen_building
    return seconds, refiner


def test_the_second_launch_loads_the_kernel_the_first_one_built(tmp_path, monkeypatch):
    monkeypatch.setenv("TI_OFFLINE_CACHE_FILE_PATH", str(tmp_path / "ticache"))
    first_seconds, first = launch()
    assert first.seen_building and first.builds == [8]
    assert list((tmp_path / "ticache").rglob("*.tic")), "the worker left no kernel in the cache"
    seconds, second = launch()
    assert not second.seen_building and second.builds == []
    print(f"first launch {first_seconds:.1f} s to the first picture (build), second {seconds:.1f} s (load)")
    assert seconds < FIRST_PICTURE, f"the second launch took {seconds:.1f} s to its first picture"
