"""An independent NumPy implementation of the per-pixel measure.

Written separately from the Taichi kernels (batched matrix products over all
pixels, every step run to the end, no early stopping), so that the tests
have an oracle and `nnfractal bench` a baseline that does the same work.
"""
from __future__ import annotations

import numpy as np

from viz.problem.arrays import Problem
from viz.problem.conditions import MAX_RATIO, NONFINITE_LOSS, TAIL_STEPS, Condition
from viz.problem.experiment import PAPER_EXPERIMENT, Experiment

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


class _Optimiser:
    """One layer's optimiser state and update (SPEC's "Beyond the paper"), per pixel, every state from zero.

    `lr`, `mu`, ... are per-pixel arrays shaped to broadcast against the layer's weights.
    """

    def __init__(self, name: str, lr, decay, hyper: dict):
        self.name, self.lr, self.decay, self.hyper = name, lr, decay, hyper
        self.state: tuple = ()
        self.powers = (1.0, 1.0)  # beta1^t, beta2^t: a running product (the kernels keep it so too)

    def step(self, W: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The weights after one update with gradient g of the data loss."""
        name, lr, h = self.name, self.lr, self.hyper
        if name == "adamw":
            W = W * (1.0 - lr * self.decay)
        elif self.decay is not None:
            g = g + self.decay * W
        if name == "gd":
            return W - lr * g
        if name in ("momentum", "nesterov"):
            b = h["momentum"] * self.state[0] + g if self.state else g
            self.state = (b,)
            return W - lr * (g + h["momentum"] * b if name == "nesterov" else b)
        m, v = self.state or (np.zeros_like(g), np.zeros_like(g))
        b1, b2 = h["beta1"], h["beta2"]
        self.powers = (self.powers[0] * b1, self.powers[1] * b2)
        m = b1 * m + (1.0 - b1) * g
        v = b2 * v + (1.0 - b2) * (g * g)
        self.state = (m, v)
        mhat = m / (1.0 - self.powers[0])
        vhat = v / (1.0 - self.powers[1])
        return W - lr * mhat / (np.sqrt(vhat) + h["eps"])


def _layer_optimisers(experiment: Experiment, values: dict) -> tuple[_Optimiser, _Optimiser]:
    """The W0 and W1 optimisers, each hyperparameter shaped for its layer's weights (P, n, n) and (P, n)."""
    shapes = ((slice(None), None, None), (slice(None), None))
    decay = values["weight-decay"]
    layers = []
    for lr, shape in zip((values["lr0"], values["lr1"]), shapes):
        hyper = {name: values[name][shape] for name in ("momentum", "beta1", "beta2", "eps")}
        wd = decay[shape] if (experiment.optimizer == "adamw" or np.any(decay != 0)) else None
        layers.append(_Optimiser(experiment.optimizer, lr[shape], wd, hyper))
    return layers[0], layers[1]


def train_losses(problem: Problem, condition: Condition, xs: np.ndarray, ys: np.ndarray,
                 want_probe: bool = False, experiment: Experiment = PAPER_EXPERIMENT):
    """Losses (P, steps) recorded before each update, and optionally the probe outputs.

    `xs`, `ys` are 10**coordinate of the two axes (Experiment.values): (eta0, eta1), or
    (offset, lr) for the init conditions, unless the experiment names other axes.
    """
    values = experiment.values(xs, ys, bool(condition.init_offset))
    P = values["lr0"].size
    nl = condition.nonlinearity
    W0 = np.broadcast_to(problem.W0, (P,) + problem.W0.shape).copy()
    W1 = np.broadcast_to(problem.W1, (P,) + problem.W1.shape).copy()
    scale = values["init-scale"]
    if np.any(scale != 1.0):
        W0, W1 = W0 * scale[:, None, None], W1 * scale[:, None]
    X, Y = problem.X, problem.Y
    offset = values["offset"][:, None, None]
    opt0, opt1 = _layer_optimisers(experiment, values)
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
            W0 = opt0.step(W0, gW0)
            W1 = opt1.step(W1, gW1)
    return losses, probe_out


def measure_from_losses(losses: np.ndarray) -> np.ndarray:
    """SPEC.md's measure: negative sum of normalised losses if converged, else sum of inverses."""
    losses = np.where(np.isfinite(losses), losses, NONFINITE_LOSS)
    v = np.minimum(losses / losses[:, :1], MAX_RATIO)
    converged = np.mean(v[:, -TAIL_STEPS:], axis=1) < 1.0
    return np.where(converged, -np.sum(v, axis=1), np.sum(1.0 / v, axis=1))


def measure(problem: Problem, condition: Condition, xs, ys, readout: str = "measure",
            experiment: Experiment = PAPER_EXPERIMENT) -> np.ndarray:
    """One float per hyperparameter pair: the trainability measure or the probe output."""
    losses, probe = train_losses(problem, condition, xs, ys, want_probe=readout == "probe", experiment=experiment)
    return probe if readout == "probe" else measure_from_losses(losses)
