"""What is trained and what the two axes are: the optimiser, its hyperparameters, any two of them as axes.

SPEC.md, "Beyond the paper". One table of hyperparameters (name, what it is,
how an axis coordinate maps to its value, its default) and one of optimisers
(which hyperparameters each has), so the reference, the kernels, the command
line and the HUD all read the same definitions. The paper's experiment is
`Experiment()`: plain gradient descent on (lr0, lr1), or (offset, lr) for the
init conditions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from viz.errors import UsageError


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: its axis coordinate is log10(value), or log10(1 - value) for a decay rate."""

    name: str
    what: str
    default: float
    one_minus: bool = False  # coordinate log10(1 - value), at most 0 (momentum and the betas)

    def value(self, coordinate):
        """The hyperparameter's value at an axis coordinate (array or scalar)."""
        power = np.power(10.0, coordinate)
        return 1.0 - power if self.one_minus else power

    def coordinate(self, value: float) -> float:
        """The axis coordinate of a value; UsageError outside the hyperparameter's range."""
        gap = 1.0 - value if self.one_minus else value
        if not gap > 0 or not np.isfinite(gap):
            bound = "below 1" if self.one_minus else "positive"
            raise UsageError(f"--{self.name} must be {bound} (got {value:g})")
        return float(np.log10(gap))


HYPERPARAMETERS: dict[str, Hyperparameter] = {
    h.name: h
    for h in (
        Hyperparameter("lr0", "input-layer learning rate eta0", 1.0),
        Hyperparameter("lr1", "output-layer learning rate eta1", 1.0),
        Hyperparameter("lr", "one learning rate for both layers", 1.0),
        Hyperparameter("offset", "the init conditions' W0 offset", 0.0),
        Hyperparameter("momentum", "momentum mu", 0.9, one_minus=True),
        Hyperparameter("beta1", "Adam's beta1", 0.9, one_minus=True),
        Hyperparameter("beta2", "Adam's beta2", 0.999, one_minus=True),
        Hyperparameter("eps", "Adam's epsilon", 1e-8),
        Hyperparameter("weight-decay", "weight decay lambda", 0.0),
        Hyperparameter("init-scale", "init scale sigma", 1.0),
    )
}

#: Every optimiser's own hyperparameters, beside those all of them share.
OPTIMISERS: dict[str, tuple[str, ...]] = {
    "gd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "adam": ("beta1", "beta2", "eps"),
    "adamw": ("beta1", "beta2", "eps"),
}
SHARED = ("lr0", "lr1", "lr", "offset", "weight-decay", "init-scale")


@dataclass(frozen=True)
class Experiment:
    """The optimiser, the two axis hyperparameters and the fixed values of the others (name, value) pairs.

    `x`, `y` empty mean the condition's own axes: (lr0, lr1), or (offset, lr) for init.
    """

    optimizer: str = "gd"
    x: str = ""
    y: str = ""
    fixed: tuple[tuple[str, float], ...] = field(default=())

    def axes(self, init_condition: bool) -> tuple[str, str]:
        """The x and y hyperparameters."""
        paper = ("offset", "lr") if init_condition else ("lr0", "lr1")
        return (self.x or paper[0], self.y or paper[1])

    def validate(self, init_condition: bool = False) -> Experiment:
        """One UsageError line for an unknown name, a repeated axis, a value its optimiser lacks; return self."""
        if self.optimizer not in OPTIMISERS:
            raise UsageError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMISERS)}")
        own = SHARED + OPTIMISERS[self.optimizer]
        x, y = self.axes(init_condition)
        for name in (x, y, *(n for n, _ in self.fixed)):
            if name not in HYPERPARAMETERS:
                raise UsageError(f"unknown hyperparameter {name!r}; choose one of {', '.join(HYPERPARAMETERS)}")
            if name not in own:
                raise UsageError(f"--{name}: the {self.optimizer} optimizer has no {name}")
        if x == y:
            raise UsageError(f"--x and --y both name {x}: an axis is named twice")
        names = [n for n, _ in self.fixed]
        for name in names:
            if name in (x, y):
                raise UsageError(f"{name} is an axis and also given a fixed value (--{name})")
            if names.count(name) > 1:
                raise UsageError(f"--{name} is given twice")
        given = {x, y, *names}
        if "offset" in given and not init_condition:
            raise UsageError("offset is the init conditions' hyperparameter: use --condition init or init-once")
        if "lr" in given and given & {"lr0", "lr1"}:
            raise UsageError("lr sets both layers' learning rates: give lr, or lr0 and lr1, not both")
        for name, value in self.fixed:
            if name in ("offset", "weight-decay"):
                if not (np.isfinite(value) and value >= 0):
                    raise UsageError(f"--{name} must be zero or more (got {value:g})")
            else:
                HYPERPARAMETERS[name].coordinate(value)  # raises outside the hyperparameter's range
        return self

    def fixed_values(self) -> dict[str, float]:
        """Every hyperparameter's value off the axes: SPEC's default or the one given (a given lr sets lr0, lr1)."""
        out = {name: h.default for name, h in HYPERPARAMETERS.items()}
        out.update((name, float(value)) for name, value in self.fixed)
        if "lr" in dict(self.fixed):
            out["lr0"] = out["lr1"] = out["lr"]
        return out

    def values(self, xs, ys, init_condition: bool = False) -> dict[str, np.ndarray]:
        """Every hyperparameter's value per pixel, given the x and y axes' values: the axes' and the fixed ones.

        An lr axis sets lr0 and lr1; the init conditions' paper axes are (offset, lr) as SPEC's
        check values are written.
        """
        xs = np.asarray(xs, dtype=np.float64).ravel()
        ys = np.asarray(ys, dtype=np.float64).ravel()
        out = {name: np.full(xs.shape, value) for name, value in self.fixed_values().items()}
        x, y = self.axes(init_condition)
        out[x], out[y] = xs, ys
        if "lr" in (x, y):
            out["lr0"] = out["lr1"] = out["lr"]
        return out


#: The paper's experiment: plain gradient descent on the condition's own axes, every default.
PAPER_EXPERIMENT = Experiment()
