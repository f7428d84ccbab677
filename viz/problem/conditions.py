"""The paper's six experimental conditions, the presets and the Figure 1 windows.

Plain frozen dataclasses: the engine, the reference and the CLI all read the
same definitions, so a condition means one thing everywhere.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from viz.problem.experiment import PAPER_EXPERIMENT
from viz.problem.experiment import home_window as experiment_home


@dataclass(frozen=True)
class Condition:
    """One experimental condition (SPEC.md, "The six conditions")."""

    name: str
    nonlinearity: str  # "tanh" | "relu" | "identity"
    dataset: str  # "params" (n^2 + n) | "width" (n) | "one" (1)
    minibatch: int = 0  # 0 = full batch
    init_offset: str = ""  # "" (x, y = eta0, eta1) | "accumulate" | "once"
    label: str = ""

    def dataset_size(self, width: int) -> int:
        """|D| for this condition at hidden width n."""
        return {"params": width * width + width, "width": width, "one": 1}[self.dataset]

    @property
    def axis_names(self) -> tuple[str, str]:
        """What the x and y hyperparameters are."""
        if self.init_offset:
            return ("W0 offset", "learning rate")
        return ("eta0 (input layer)", "eta1 (output layer)")


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition("tanh", "tanh", "params", label="tanh full batch"),
        Condition("relu", "relu", "params", label="ReLU full batch"),
        Condition("linear", "identity", "width", label="deep linear full batch"),
        Condition("minibatch", "tanh", "params", minibatch=16, label="tanh minibatch (16)"),
        Condition("single", "tanh", "one", label="tanh, dataset size 1"),
        Condition("init", "tanh", "params", init_offset="accumulate",
                  label="parameter initialisation (accumulating offset)"),
        Condition("init-once", "tanh", "params", init_offset="once",
                  label="parameter initialisation (one-time offset)"),
    )
}

READOUTS = ("measure", "probe")

#: SPEC's measure: a non-finite loss counts as this much,
NONFINITE_LOSS = 1e6
#: a loss ratio is clipped here,
MAX_RATIO = 1e6
#: and convergence is judged on the mean ratio of the last TAIL_STEPS steps.
TAIL_STEPS = 20


@dataclass(frozen=True)
class Preset:
    """Network width and training length."""

    name: str
    width: int
    steps: int


PRESETS: dict[str, Preset] = {
    "paper": Preset("paper", 16, 500),
    "quick": Preset("quick", 8, 100),
}

#: The notebook's starting view, log10 units (x0, x1, y0, y1).
DEFAULT_WINDOW = (-3.0, 6.0, -3.0, 6.0)

#: The paper's Figure 1 windows in hyperparameter units (x0, x1, y0, y1).
PANEL_WINDOWS: dict[str, tuple[float, float, float, float]] = {
    "linear": (1.90010080e+2, 1.90011840e+2, 4.77745244e+0, 4.77749670e+0),
    "relu": (5.77622737e-1, 5.77625590e-1, 8.14432439e+1, 8.14436463e+1),
    "single": (4.8298735e+1, 4.8299146e+1, 1.82066141e+1, 1.82067690e+1),
    "minibatch": (2.67398835471957e-1, 2.67398835475071e-1, 1.74269509700711e+2, 1.74269509702741e+2),
    "tanh": (1.329976231e+1, 1.329978604e+1, 2.003582269e+2, 2.003585844e+2),
    "init": (1.960618282403e-1, 1.960618285243e-1, 3.90254607863e+1, 3.90254608429e+1),
}
#: Steps a panel needs to show the paper's picture (the minibatch window is all red at 500).
PANEL_STEPS = {"minibatch": 1000}
#: Presets at which every Figure 1 window (with PANEL_STEPS) shows both colours; at the quick
#: preset each is all diverged (measured at 32 x 32, tests/test_home_views.py).
PANEL_PRESETS = ("paper",)
#: The paper's fractal dimension per panel (Figure 1 titles).
PAPER_DIMENSIONS = {"linear": 1.17, "relu": 1.20, "single": 1.41, "minibatch": 1.55, "tanh": 1.66, "init": 1.98}


def panel_log_window(name: str) -> tuple[float, float, float, float]:
    """A Figure 1 window in log10 units."""
    return tuple(math.log10(v) for v in PANEL_WINDOWS[name])  # type: ignore[return-value]

#: Where each condition's boundary shows at each preset, measured at 32 x 32 (share of pixels diverged):
#: at the quick preset (n=8, 100 steps) every Figure 1 window is all diverged (1.00), while the
#: notebook's view shows both colours for all six (0.49 tanh, 0.72 relu, 0.76 linear, 0.57 minibatch,
#: 0.55 single, 0.61 init); at the paper preset the Figure 1 windows show both (tanh 0.45, relu 0.56,
#: linear 0.49, single 0.65, init 0.19) except minibatch's, which needs 1000 steps (1.00 at 500).
HOME_PANELS = {"paper": ("tanh", "relu", "linear", "single", "init")}


def home_window(condition: str, preset: str, experiment=None) -> tuple[float, float, float, float]:
    """The log10 window on which a condition's boundary is visible at a preset, for an experiment.

    The paper's Figure 1 window where it shows the boundary at that preset,
    else the notebook's view; an experiment beyond the paper's opens on its
    axes' measured spans (experiment.home_window). tests/test_home_views.py
    keeps both honest.
    """
    if experiment is not None and experiment != PAPER_EXPERIMENT:
        return experiment_home(experiment, bool(CONDITIONS[condition].init_offset))
    if condition in HOME_PANELS.get(preset, ()):
        return panel_log_window(condition)
    return DEFAULT_WINDOW
