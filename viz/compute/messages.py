"""What the engine process and its owner say to each other: one dataclass per message, no bare tuples.

Requests go down the pipe to the child (compute/worker.py), replies come
back to the parent's reader thread (compute/process.py). A job's reply is
`Done` or `Failed` with its number; `Ready`, `Kernel` and `Cached` say what
the child does between jobs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.problem.spec import ProblemSpec


@dataclass(frozen=True)
class Measure:
    """Request: the measures of the pairs (xs[i], ys[i]); a double-double problem's may be DD_PAIRS arrays."""

    job: int
    spec: ProblemSpec
    xs: np.ndarray
    ys: np.ndarray


@dataclass(frozen=True)
class Ready:
    """Reply: the backend is up, on this arch."""

    arch: str


@dataclass(frozen=True)
class Kernel:
    """Reply: a width's kernel is needed for the first time in the child: built (tens of seconds) or loaded."""

    width: int
    building: bool


@dataclass(frozen=True)
class Cached:
    """Reply: after a build, the kernel cache went to disk; `built` says whether a new kernel file was written."""

    width: int
    built: bool


@dataclass(frozen=True)
class Done:
    """Reply: a job's measures and the seconds they took (the kernel's build or load not included)."""

    job: int
    measures: np.ndarray
    seconds: float


@dataclass(frozen=True)
class Failed:
    """Reply: one line saying why a job (or, with job None, the backend) cannot run."""

    line: str
    job: int | None = None
