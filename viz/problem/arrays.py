"""The initial weights, data and minibatch draws that every pixel trains from.

The paper's arrays were drawn once with JAX's legacy threefry PRNG and ship
with the package (data/paper_arrays.npz); other seeds draw from NumPy.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from viz.problem.conditions import Condition
from viz.problem.spec import PAPER_SEED

ARRAYS_FILE = "paper_arrays.npz"
BATCH_STEPS = (100, 500, 1000)


@dataclass(frozen=True, eq=False)
class Problem:
    """Everything a run needs besides its two hyperparameters."""

    W0: np.ndarray  # (n, n)
    W1: np.ndarray  # (n,)
    X: np.ndarray  # (|D|, n)
    Y: np.ndarray  # (|D|,)
    batches: np.ndarray | None  # (steps, B) int32 indices, or None for full batch
    probe: np.ndarray  # (n,)
    steps: int
    seed: int

    @property
    def width(self) -> int:
        return self.W0.shape[0]

    @property
    def dataset_size(self) -> int:
        return self.X.shape[0]


def load_problem(condition: Condition, width: int, steps: int, seed: int = PAPER_SEED) -> Problem:
    """The problem for a condition: the paper's arrays for seed 0, else a NumPy draw."""
    if seed == PAPER_SEED:
        return _paper_problem(condition, width, steps)
    return _seeded_problem(condition, width, steps, seed)


def paper_arrays() -> dict[str, np.ndarray]:
    """The shipped arrays, by their SPEC.md keys."""
    with resources.files("viz").joinpath("data", ARRAYS_FILE).open("rb") as fh:
        with np.load(fh) as data:
            return {k: data[k] for k in data.files}


def _paper_problem(condition: Condition, width: int, steps: int) -> Problem:
    arrays = paper_arrays()
    size = condition.dataset_size(width)
    if f"n{width}_W0" not in arrays:
        raise ValueError(f"the paper's arrays exist for width 8 and 16, not {width}; use --seed to draw others")
    batches = None
    if condition.minibatch:
        key = f"n{width}_D{size}_minibatch{condition.minibatch}_steps{steps}"
        if key not in arrays:
            raise ValueError(
                f"the paper's minibatch draws exist for {', '.join(map(str, BATCH_STEPS))} steps, "
                f"not {steps}; use --seed to draw others")
        batches = arrays[key].astype(np.int32)
    return Problem(
        W0=arrays[f"n{width}_W0"], W1=arrays[f"n{width}_W1"][:, 0],
        X=arrays[f"n{width}_D{size}_X"], Y=arrays[f"n{width}_D{size}_Y"][:, 0],
        batches=batches, probe=arrays[f"n{width}_probe"][0], steps=steps, seed=PAPER_SEED,
    )


def _seeded_problem(condition: Condition, width: int, steps: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    size = condition.dataset_size(width)
    W0 = rng.standard_normal((width, width))
    W1 = rng.standard_normal(width)
    X = rng.standard_normal((size, width))
    Y = rng.standard_normal(size)
    probe = rng.standard_normal(width)
    batches = None
    if condition.minibatch:
        batches = rng.integers(0, size, (steps, condition.minibatch)).astype(np.int32)
    return Problem(W0, W1, X, Y, batches, probe, steps, seed)
