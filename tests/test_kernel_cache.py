"""Built kernels persist: the worker leaves Taichi's offline cache written, so only the first launch builds;
and the first launch's picture does not wait for the build (the NumPy reference draws it meanwhile)."""
from __future__ import annotations

import time

import pytest

from viz.compute.process import EngineProcess
from viz.compute.warming import REFERENCE, WarmingExecutor
from viz.explore.refiner import Refiner
from viz.problem.spec import ProblemSpec
from viz.sampling.coverage import coverage
from viz.sampling.picture import picture
from viz.sampling.view import View

QUICK = ProblemSpec("tanh", 8, 100)
#: The explorer's first picture: the coarse level of a small view of the starting window.
VIEW = View.fit(-3.0, 6.0, -3.0, 6.0, 64, 36)
#: Seconds the second launch may take to Taichi's own first picture at the quick preset (issue 16, 27).
FIRST_PICTURE = 5.0
#: Seconds a first launch, its kernel still building, may take to a picture of both colours (issue 27).
WARMING_PICTURE = 3.0


def launch(warming: bool = False) -> tuple[float, Refiner]:
    """Start a worker as the explorer does and step it until the first complete coarse picture; the seconds it took.

    warming: through the explorer's WarmingExecutor, and note who drew that picture (refiner.drawn_by).
    """
    start = time.perf_counter()
    executor = WarmingExecutor(EngineProcess("cpu")) if warming else EngineProcess("cpu")
    with Refiner(QUICK, executor, cache_mb=16) as refiner:
        seen_building = False
        while not coverage(VIEW, refiner.store).coarse_done:
            assert time.perf_counter() - start < 600, "no first picture in 10 minutes"
            refiner.step(VIEW)
            seen_building |= refiner.building
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        refiner.drawn_by = refiner.backend  # the reference's line while the engine has not answered
        refiner.first_picture = picture(VIEW, refiner.store)
        while refiner.busy:  # the flush follows the batch that built the kernel
            refiner.step(VIEW)
            time.sleep(0.005)
        deadline = time.perf_counter() + 600  # a warming first launch drew its picture before the build ended
        while not refiner.builds and seen_building and time.perf_counter() < deadline:
            refiner.step(VIEW)
            time.sleep(0.01)
    refiner.seen_building = seen_building
    return seconds, refiner


@pytest.mark.slow  # a whole kernel build into an empty cache: a minute or more on 2 cores
def test_the_second_launch_loads_the_kernel_the_first_one_built(tmp_path, monkeypatch):
    monkeypatch.setenv("TI_OFFLINE_CACHE_FILE_PATH", str(tmp_path / "ticache"))
    first_seconds, first = launch(warming=True)
    assert first.drawn_by == REFERENCE, "the first picture waited for the kernel"
    assert first_seconds < WARMING_PICTURE, f"the first launch took {first_seconds:.1f} s to its first picture"
    assert (first.first_picture > 0).any() and (first.first_picture < 0).any(), "the first picture has one colour"
    assert first.seen_building and first.builds == [8]
    assert list((tmp_path / "ticache").rglob("*.tic")), "the worker left no kernel in the cache"
    seconds, second = launch()
    assert not second.seen_building and second.builds == []
    print(f"first launch {first_seconds:.1f} s to the first picture (build), second {seconds:.1f} s (load)")
    assert seconds < FIRST_PICTURE, f"the second launch took {seconds:.1f} s to its first picture"
