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
        return self.from_power(np.power(10.0, coordinate))

    def from_power(self, power):
        """The value at the coordinate whose power of ten is `power`: what every axis samples (10**coordinate)."""
        return 1.0 - power if self.one_minus else power

    def coordinate(self, value: float) -> float:
        """The axis coordinate of a value; UsageError outside the hyperparameter's range."""
        gap = 1.0 - value if self.one_minus else value
        if not gap > 0 or not np.isfinite(gap):
            bound = "a number below 1 (its axis coordinate log10(1 - value) at most 0)" if self.one_minus \
                else "a positive finite number"
            raise UsageError(f"--{self.name} must be {bound}, got {value:g}")
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


def next_name(optimizer: str) -> str:
    """The optimiser after this one, in OPTIMISERS' order (the explorer's O key)."""
    names = list(OPTIMISERS)
    return names[(names.index(optimizer) + 1) % len(names)]


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
                    raise UsageError(f"--{name} must be zero or a positive finite number, got {value:g}")
            else:
                HYPERPARAMETERS[name].coordinate(value)  # raises outside the hyperparameter's range
        return self

    @property
    def label(self) -> str:
        """The optimiser, then any axes or fixed values it names: 'adam lr0 x beta2 lr1=1'."""
        parts = [self.optimizer]
        if self.x or self.y:
            parts.append(f"{self.x or 'default'} x {self.y or 'default'}")
        parts += [f"{name}={value:g}" for name, value in self.fixed]
        return " ".join(parts)

    def as_metadata(self) -> dict:
        """Plain values for PNG text, stores and bookmarks (ProblemSpec.as_metadata writes them)."""
        return {"optimizer": self.optimizer, "x": self.x, "y": self.y, "fixed": {n: v for n, v in self.fixed}}

    @classmethod
    def of(cls, data) -> Experiment:
        """The experiment a metadata record names ({} is the paper's); UsageError for one that is not a record."""
        if not isinstance(data, dict) or not isinstance(data.get("fixed", {}), dict):
            raise UsageError("the file's experiment is not a record of optimizer, axes and fixed values")
        try:
            fixed = tuple(sorted((str(n), float(v)) for n, v in data.get("fixed", {}).items()))
            return cls(str(data.get("optimizer", "gd")), str(data.get("x", "")), str(data.get("y", "")), fixed)
        except (TypeError, ValueError):
            raise UsageError("the file's experiment has a fixed value that is not a number") from None

    def with_optimizer(self, name: str, init_condition: bool = False) -> Experiment:
        """This experiment trained by another optimiser: the axes and fixed values it has are kept, others dropped
        (an axis it lacks goes back to the condition's own, and a fixed value on that axis goes)."""
        own = SHARED + OPTIMISERS[name]
        x, y = (axis if axis in own else "" for axis in (self.x, self.y))
        axes = Experiment(name, x, y).axes(init_condition)
        return Experiment(name, x, y, tuple((n, v) for n, v in self.fixed if n in own and n not in axes))

    def fixed_values(self) -> dict[str, float]:
        """Every hyperparameter's value off the axes: SPEC's default or the one given (a given lr sets lr0, lr1)."""
        out = {name: h.default for name, h in HYPERPARAMETERS.items()}
        out.update((name, float(value)) for name, value in self.fixed)
        if "lr" in dict(self.fixed):
            out["lr0"] = out["lr1"] = out["lr"]
        return out

    def values(self, xs, ys, init_condition: bool = False) -> dict[str, np.ndarray]:
        """Every hyperparameter's value per pixel: the axes' from xs, ys, the others fixed.

        xs, ys are 10**coordinate, as every view and still samples its axes
        (for the paper's axes, the values themselves; for momentum and the
        betas, 1 - value). An lr axis sets lr0 and lr1; the init conditions'
        paper axes are (offset, lr) as SPEC's check values are written.
        """
        xs = np.asarray(xs, dtype=np.float64).ravel()
        ys = np.asarray(ys, dtype=np.float64).ravel()
        out = {name: np.full(xs.shape, value) for name, value in self.fixed_values().items()}
        x, y = self.axes(init_condition)
        out[x], out[y] = HYPERPARAMETERS[x].from_power(xs), HYPERPARAMETERS[y].from_power(ys)
        if "lr" in (x, y):
            out["lr0"] = out["lr1"] = out["lr"]
        return out


#: Where each axis's boundary shows when an experiment is not the paper's, measured with the NumPy
#: reference on 24 x 24 (quick preset) and 12 x 12 (paper) grids of the tanh condition (share diverged,
#: quick / paper): momentum 0.48 / 0.44 and nesterov 0.52 / 0.48 on the notebook's (-3, 6) learning rates,
#: adam 0.43 / 0.16 on (-1, 3) x (0, 4) (on (-4, 4) squared 0.27 / 0.05: Adam diverges only at large lr1),
#: gd with weight decay 0.01 0.62 / 0.67, lr x init-scale on (-3, 6) x (-2, 2) 0.50 / 0.42.
HOME_SPANS = {"lr0": (-3.0, 6.0), "lr1": (-3.0, 6.0), "lr": (-3.0, 6.0), "offset": (-3.0, 1.0),
              "momentum": (-4.0, 0.0), "beta1": (-4.0, 0.0), "beta2": (-5.0, 0.0), "eps": (-12.0, 0.0),
              "weight-decay": (-6.0, 1.0), "init-scale": (-2.0, 2.0)}
#: Adam's and AdamW's learning-rate axes open where their boundary is (above).
ADAM_HOME_SPANS = {"lr0": (-1.0, 3.0), "lr1": (0.0, 4.0), "lr": (-1.0, 3.0)}


def home_window(experiment: Experiment, init_condition: bool) -> tuple[float, float, float, float]:
    """The log10 window an experiment beyond the paper opens on: each axis's measured span (HOME_SPANS)."""
    spans = {**HOME_SPANS, **(ADAM_HOME_SPANS if experiment.optimizer in ("adam", "adamw") else {})}
    x, y = experiment.axes(init_condition)
    return (*spans[x], *spans[y])


#: The paper's experiment: plain gradient descent on the condition's own axes, every default.
PAPER_EXPERIMENT = Experiment()
