"""The explorer's background compute, made in one place (the session takes this as its refiner factory)."""
from __future__ import annotations

from viz.compute.executor import open_executor
from viz.explore.refiner import Refiner
from viz.explore.settings import Settings
from viz.problem.spec import ProblemSpec


def open_refiner(settings: Settings, problem: ProblemSpec) -> Refiner:
    """The refiner for the settings' arch, cache and cluster, starting on `problem`.

    Its executor (the engine process, or the --cluster's Dask client) starts now, in the background.
    """
    return Refiner(problem, open_executor(settings.arch, settings.cluster), settings.cache_mb)
