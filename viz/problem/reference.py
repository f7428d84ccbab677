"""An independent NumPy implementation of the per-pixel measure.

Written separately from the Taichi kernels (batched matrix products over all
pixels, every step run to the end, no early stopping), so that the tests
have an oracle and `nnfractal bench` a baseline that does the same work.
"""
from __future__ import annotations

import numpy as np

from viz.problem.arrays import Problem
from viz.problem.conditions import MAX_RATIO, NONFINITE_LOSS, TAIL_STEPS, Condition

SQRT2 = np.sqrt(2.0)


def _activation(nonlinearity: str, z: np.ndarray) -> np.ndarray:
    """The hidden layer, written as the notebook writes it (mean-field scaling)."""
    if nonlinearity == "tanh":
        return np.tanh(z * SQRT2)
    if nonlinearity == "relu":
        return np.maximum(z, 0.0) * SQRT2
    return z


def _activation_backward(nonlinearity: str, z: np.ndarray, h: np.ndarray, ct: np.ndarray) -> np.ndarray:
    """Cotangent of z from that of h, in JAX's order of operations.

    tanh: JAX differentiates as (g + g*h) * (1 - h), which keeps precision
    near saturation where 1 - h*h cancels; saturated runs (large W0 offsets)
    amplify that error into a different trajectory.
    """
    if nonlinearity == "tanh":
        return ((ct + ct * h) * (1.0 - h)) * SQRT2
    if nonlinearity == "relu":
        return np.where(z > 0, ct * SQRT2, 0.0)
    return ct


def _forward(nl: str, X: np.ndarray, W0: np.ndarray, W1: np.ndarray):
    """Pre-activations, activations and outputs for every pixel (the notebook's `net`).

    Shapes: X (D, n) shared by all pixels, W0 (P, n, n), W1 (P, n); every
    product is one batched matrix multiply over the P pixels.
    """
    s = np.sqrt(W0.shape[-1])
    z = np.matmul(X, W0) / s  # (P, D, n)
    h = _activation(nl, z)
    yhat = np.matmul(h, W1[:, :, None])[:, :, 0] / s / s  # (P, D)
    return z, h, yhat


def _gradients(nl, X, Y, W0, W1):
    """Mean squared error on the rows X, Y and its gradients, by reverse mode by hand."""
    s = np.sqrt(W0.shape[-1])
    z, h, yhat = _forward(nl, X, W0, W1)
    r = yhat - Y[None, :]  # (P, D)
    loss = np.sum(r * r, axis=1) / X.shape[0]
    ct = (1.0 / X.shape[0]) * (2.0 * r) / s / s
    gW1 = np.matmul(ct[:, None, :], h)[:, 0, :]
    ct_z = _activation_backward(nl, z, h, ct[:, :, None] * W1[:, None, :]) / s
    gW0 = np.matmul(X.T, ct_z)  # (P, n, n)
    return loss, gW0, gW1


def _full_loss(nl, X, Y, W0, W1):
    r = _forward(nl, X, W0, W1)[2] - Y[None, :]
    return np.sum(r * r, axis=1) / X.shape[0]


def train_losses(problem: Problem, condition: Condition, xs: np.ndarray, ys: np.ndarray,
                 want_probe: bool = False):
    """Losses (P, steps) recorded before each update, and optionally the probe outputs.

    `xs`, `ys` are hyperparameter values: (eta0, eta1), or (offset, lr) for the
    init conditions.
    """
    xs = np.asarray(xs, dtype=np.float64).ravel()
    ys = np.asarray(ys, dtype=np.float64).ravel()
    P = xs.size
    nl = condition.nonlinearity
    W0 = np.broadcast_to(problem.W0, (P,) + problem.W0.shape).copy()
    W1 = np.broadcast_to(problem.W1, (P,) + problem.W1.shape).copy()
    X, Y = problem.X, problem.Y
    if condition.init_offset:
        offset, lr0, lr1 = xs[:, None, None], ys[:, None, None], ys[:, None]
    else:
        offset, lr0, lr1 = None, xs[:, None, None], ys[:, None]
    if condition.init_offset == "once":
        W0 = W0 + offset
    losses = np.empty((P, problem.steps))
    probe_out = None
    with np.errstate(all="ignore"):
        for t in range(problem.steps):
            if condition.init_offset == "accumulate":
                W0 = W0 + offset
            if problem.batches is None:
                loss, gW0, gW1 = _gradients(nl, X, Y, W0, W1)
            else:
                rows = problem.batches[t]
                _, gW0, gW1 = _gradients(nl, X[rows], Y[rows], W0, W1)
                loss = _full_loss(nl, X, Y, W0, W1)
            losses[:, t] = loss
            if want_probe and t == problem.steps - 1:
                out = _forward(nl, problem.probe[None, :], W0, W1)[2][:, 0]
                probe_out = np.where(np.isfinite(out), out, NONFINITE_LOSS)
            W0 = W0 - lr0 * gW0
            W1 = W1 - lr1 * gW1
    return losses, probe_out


def measure_from_losses(losses: np.ndarray) -> np.ndarray:
    """SPEC.md's measure: negative sum of normalised losses if converged, else sum of inverses."""
    losses = np.where(np.isfinite(losses), losses, NONFINITE_LOSS)
    v = np.minimum(losses / losses[:, :1], MAX_RATIO)
    converged = np.mean(v[:, -TAIL_STEPS:], axis=1) < 1.0
    return np.where(converged, -np.sum(v, axis=1), np.sum(1.0 / v, axis=1))


def measure(problem: Problem, condition: Condition, xs, ys, readout: str = "measure") -> np.ndarray:
    """One float per hyperparameter pair: the trainability measure or the probe output."""
    losses, probe = train_losses(problem, condition, xs, ys, want_probe=readout == "probe")
    return probe if readout == "probe" else measure_from_losses(losses)
