"""A third implementation of one pixel, in Python's decimal at 60 significant digits: the double-double oracle.

Written from SPEC.md's rules alone (not from the kernels or reference.py):
plain lists, exact-rule arithmetic (tanh' as sqrt(2)(1 - h^2), the mean as
a division), so it agrees with any correct implementation to its working
precision, 1e-60 per operation, far below double-double's 1e-32. It is
slow: about a second per pixel at the quick preset (n = 8, 100 steps),
minutes at the paper preset, so tests use it on a few pixels.

Range: double-double's range is float64's, so a value past float64's
largest finite number counts as non-finite here too (a loss becomes the
measure's NONFINITE_LOSS; a weight past it makes every later loss
non-finite), where decimal itself would carry on with huge numbers.
"""
from __future__ import annotations

import sys
from decimal import Decimal, localcontext
from fractions import Fraction

from viz.problem.arrays import Problem
from viz.problem.conditions import MAX_RATIO, NONFINITE_LOSS, TAIL_STEPS, Condition
from viz.problem.experiment import HYPERPARAMETERS, PAPER_EXPERIMENT, Experiment

DIGITS = 60
FLOAT64_MAX = Decimal(sys.float_info.max)
#: tanh(a) = sign(a) to below 1e-80 past this.
TANH_SATURATE = Decimal(100)


def as_decimal(value) -> Decimal:
    """A hyperparameter exactly: a float's binary value, a decimal string's every digit, a Fraction to 80 digits."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return Decimal(value.strip())
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 80
            return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(float(value))


def _tanh(a: Decimal) -> Decimal:
    if abs(a) > TANH_SATURATE:
        return Decimal(1) if a > 0 else Decimal(-1)
    with localcontext() as ctx:
        ctx.prec += 20  # exp(2a) - 1 cancels for small a; 20 more digits cover |a| >= 1e-20
        e = (2 * a).exp()
        t = (e - 1) / (e + 1)
    return +t


def _hyperparameters(experiment: Experiment, init: bool, x, y) -> dict[str, Decimal]:
    """Every hyperparameter of the pixel as a Decimal: the two axes' values exactly, SPEC's defaults as written."""
    values = {name: Decimal(repr(h.default)) for name, h in HYPERPARAMETERS.items()}
    values.update((name, +as_decimal(v)) for name, v in experiment.fixed)
    ax, ay = experiment.axes(init)
    for name, power in ((ax, +as_decimal(x)), (ay, +as_decimal(y))):
        values[name] = 1 - power if HYPERPARAMETERS[name].one_minus else power
    if "lr" in (ax, ay) or "lr" in dict(experiment.fixed):
        values["lr0"] = values["lr1"] = values["lr"]
    return values


class _Optimiser:
    """One layer's optimiser on a flat list of weights, SPEC's rules as written, every state from zero."""

    def __init__(self, name: str, lr: Decimal, hyper: dict[str, Decimal]):
        self.name, self.lr, self.hyper = name, lr, hyper
        self.state: list[list[Decimal]] = []
        self.t = 0

    def step(self, W: list[Decimal], g: list[Decimal]) -> list[Decimal]:
        name, lr, h = self.name, self.lr, self.hyper
        decay = h["weight-decay"]
        if name == "adamw":
            W = [w * (1 - lr * decay) for w in W]
        elif decay:
            g = [gi + decay * w for gi, w in zip(g, W)]
        if name == "gd":
            return [w - lr * gi for w, gi in zip(W, g)]
        zeros = [Decimal(0)] * len(W)
        if name in ("momentum", "nesterov"):
            mu = h["momentum"]
            b = [mu * bi + gi for bi, gi in zip(self.state[0] if self.state else zeros, g)]
            self.state = [b]
            step = [gi + mu * bi for gi, bi in zip(g, b)] if name == "nesterov" else b
            return [w - lr * si for w, si in zip(W, step)]
        self.t += 1
        m, v = self.state or (zeros, zeros)
        b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        self.state = [m, v]
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        return [w - lr * (mi / c1) / ((vi / c2).sqrt() + eps) for w, mi, vi in zip(W, m, v)]


def train_losses(problem: Problem, condition: Condition, x, y, want_probe: bool = False, digits: int = DIGITS,
                 experiment: Experiment = PAPER_EXPERIMENT):
    """The recorded losses (None where non-finite) and the probe output of one pixel, at `digits` digits.

    `x`, `y` are 10**coordinate of the two axes (Experiment.values): (eta0, eta1), or (offset, lr) for the
    init conditions, unless the experiment names other axes.
    """
    with localcontext() as ctx:
        ctx.prec = digits
        n = problem.width
        s = Decimal(n).sqrt()
        sqrt2 = Decimal(2).sqrt()
        nl = condition.nonlinearity
        hyper = _hyperparameters(experiment, bool(condition.init_offset), x, y)
        sigma = hyper["init-scale"]
        W0 = [[sigma * Decimal(float(v)) for v in r] for r in problem.W0]
        W1 = [sigma * Decimal(float(v)) for v in problem.W1]
        X = [[Decimal(float(v)) for v in r] for r in problem.X]
        Y = [Decimal(float(v)) for v in problem.Y]
        offset = hyper["offset"]
        opt0 = _Optimiser(experiment.optimizer, hyper["lr0"], hyper)
        opt1 = _Optimiser(experiment.optimizer, hyper["lr1"], hyper)
        if condition.init_offset == "once":
            W0 = [[w + offset for w in r] for r in W0]
        size = len(X)

        def forward(row):
            z = [sum(row[i] * W0[i][j] for i in range(n)) / s for j in range(n)]
            if nl == "tanh":
                h = [_tanh(sqrt2 * zj) for zj in z]
            elif nl == "relu":
                h = [sqrt2 * zj if zj > 0 else Decimal(0) for zj in z]
            else:
                h = list(z)
            return z, h, sum(hj * wj for hj, wj in zip(h, W1)) / n

        def slope(zj, hj):
            if nl == "tanh":
                return sqrt2 * (1 - hj * hj)
            if nl == "relu":
                return sqrt2 if zj > 0 else Decimal(0)
            return Decimal(1)

        losses: list[Decimal | None] = []
        probe_out = None
        dead = False
        for t in range(problem.steps):
            if dead:
                losses.append(None)
                continue
            if condition.init_offset == "accumulate":
                W0 = [[w + offset for w in r] for r in W0]
            grad_rows = list(problem.batches[t]) if problem.batches is not None else range(size)
            loss_rows = range(size) if problem.batches is not None else ()
            g0 = [[Decimal(0)] * n for _ in range(n)]
            g1 = [Decimal(0)] * n
            loss = Decimal(0)
            scale = 2 / (Decimal(len(grad_rows)) * n)
            for d in grad_rows:
                z, h, yhat = forward(X[d])
                r = yhat - Y[d]
                if problem.batches is None:
                    loss += r * r
                ct = scale * r
                for j in range(n):
                    g1[j] += ct * h[j]
                    cz = ct * W1[j] * slope(z[j], h[j]) / s
                    for i in range(n):
                        g0[i][j] += X[d][i] * cz
            for d in loss_rows:
                r = forward(X[d])[2] - Y[d]
                loss += r * r
            loss /= size
            losses.append(loss if loss <= FLOAT64_MAX else None)
            if want_probe and t == problem.steps - 1:
                out = forward([Decimal(float(v)) for v in problem.probe])[2]
                probe_out = out if abs(out) <= FLOAT64_MAX else Decimal(NONFINITE_LOSS)
            flat = opt0.step([w for r in W0 for w in r], [gv for r in g0 for gv in r])
            W0 = [flat[i * n:(i + 1) * n] for i in range(n)]
            W1 = opt1.step(W1, g1)
            dead = any(abs(w) > FLOAT64_MAX for w in W1) or any(abs(w) > FLOAT64_MAX for r in W0 for w in r)
        if want_probe and probe_out is None:
            probe_out = Decimal(NONFINITE_LOSS)
        return losses, probe_out


def measure_from_losses(losses, digits: int = DIGITS) -> Decimal:
    """SPEC's measure of the recorded losses (None = non-finite), in decimal."""
    with localcontext() as ctx:
        ctx.prec = digits
        big, clip = Decimal(NONFINITE_LOSS), Decimal(MAX_RATIO)
        values = [big if v is None else v for v in losses]
        v = [min(lt / values[0], clip) for lt in values]
        tail = v[-TAIL_STEPS:]
        if sum(tail) / len(tail) < 1:
            return -sum(v)
        return sum(1 / vt for vt in v)


def measure(problem: Problem, condition: Condition, x, y, readout: str = "measure", digits: int = DIGITS,
            experiment: Experiment = PAPER_EXPERIMENT) -> Decimal:
    """One pixel's measure (or probe output) at `digits` significant digits."""
    losses, probe = train_losses(problem, condition, x, y, want_probe=readout == "probe", digits=digits,
                                 experiment=experiment)
    return probe if readout == "probe" else measure_from_losses(losses, digits)
