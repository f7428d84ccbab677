"""The one chunked compute loop: pixels in a given order, a chunk per engine call, progress after each.

Stills, keyframe stores and the explorer's worker all fill an output array
this way. Each chunk is one engine call; with the engine in a child process
(compute/isolated.py) Ctrl-C or SIGTERM stops the call in progress at once,
and whatever chunks finished are already in `out` when the interrupt goes
on, for the caller to keep.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Progress = Callable[[int, int], None]


def compute_pixels(measure: Callable[[np.ndarray, np.ndarray], np.ndarray], xs: np.ndarray, ys: np.ndarray,
                   out: np.ndarray, order: np.ndarray, progress: Progress | None = None,
                   chunk: int = 512) -> None:
    """Set out[i] = measure(xs[i], ys[i]) for each i of `order`, `chunk` pixels per call, in that order.

    `progress(done, total)` is told after each chunk. `measure` is an
    Engine's `measure` (or any function of hyperparameter values).
    """
    for start in range(0, order.size, chunk):
        idx = order[start:start + chunk]
        out[idx] = measure(xs[idx], ys[idx])
        if progress is not None:
            progress(start + idx.size, order.size)


def still_order(arch: str, count: int) -> np.ndarray:
    """The order of a still's pixels: scattered on a CPU (a representative progress rate), neighbours on CUDA.

    On a GPU a chunk of neighbours keeps a warp's lanes busy: their run
    lengths are alike.
    """
    if arch == "cuda":
        return np.arange(count)
    return np.random.default_rng(0).permutation(count)
