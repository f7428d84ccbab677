"""The one frozen identity of a problem: everything besides the two hyperparameters that a measure depends on.

Stills, keyframe stores, bookmarks, PNG text, the explorer's caches and the
cluster's tiles all name their problem with this one record, so that "the
same problem" means the same thing everywhere, and it is checked in one place.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from viz import limits
from viz.errors import UsageError
from viz.problem.conditions import CONDITIONS, PRESETS, READOUTS, TAIL_STEPS
from viz.problem.experiment import PAPER_EXPERIMENT, Experiment

#: Seed 0 means the paper's own arrays; any other seed draws with NumPy.
PAPER_SEED = 0
#: The arithmetic of a run: float64 (the paper's) or double-double (about 106 bits).
PRECISIONS = ("f64", "dd")


@dataclass(frozen=True)
class ProblemSpec:
    """Condition, network width, training steps, seed of the initial draw, readout, arithmetic, experiment.

    precision is part of the identity: a double-double picture differs from
    the float64 one on chaotic pixels, so stores and bookmarks keep them apart.
    So is the experiment (optimiser, axes, fixed hyperparameters): an Adam
    store is not a gd store.
    """

    condition: str = "tanh"
    width: int = PRESETS["paper"].width
    steps: int = PRESETS["paper"].steps
    seed: int = PAPER_SEED
    readout: str = "measure"
    precision: str = "f64"
    experiment: Experiment = field(default=PAPER_EXPERIMENT)

    def validate(self) -> ProblemSpec:
        """Raise UsageError on anything the engine cannot honour; return self."""
        if self.condition not in CONDITIONS:
            raise UsageError(f"unknown condition {self.condition!r}; choose one of {', '.join(CONDITIONS)}")
        if self.readout not in READOUTS:
            raise UsageError(f"unknown readout {self.readout!r}; choose one of {', '.join(READOUTS)}")
        if self.precision not in PRECISIONS:
            raise UsageError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")
        limits.count("--width", self.width, 1, limits.MAX_WIDTH)
        limits.count("--steps", self.steps, 1, limits.MAX_STEPS)
        limits.count("--seed", self.seed, 0, limits.MAX_SEED)
        if self.steps < TAIL_STEPS and self.readout == "measure":
            raise UsageError(f"the measure averages the last {TAIL_STEPS} steps: use --steps {TAIL_STEPS} or more")
        self.experiment.validate(bool(CONDITIONS[self.condition].init_offset))
        if self.precision == "dd" and self.experiment != PAPER_EXPERIMENT:
            raise UsageError("--precision dd trains the paper's experiment only so far (gd on its own axes)")
        return self

    @property
    def label(self) -> str:
        """How progress lines name the problem: 'tanh n=8 T=100', then the experiment if not the paper's."""
        text = f"{self.condition} n={self.width} T={self.steps}"
        return text if self.experiment == PAPER_EXPERIMENT else f"{text} {self.experiment.label}"

    def as_metadata(self) -> dict:
        """Plain values for PNG text, stores and bookmarks.

        A float64 problem's keys are those written before precision existed
        (no "precision" key: float64 files and stores stay as they were); a
        double-double one adds "precision": "dd". Likewise the paper's
        experiment writes no "experiment" key; any other writes its record.
        """
        data = asdict(self)
        if data["precision"] == "f64":
            del data["precision"]
        data["experiment"] = self.experiment.as_metadata()
        if self.experiment == PAPER_EXPERIMENT:
            del data["experiment"]
        return data

    @classmethod
    def of(cls, data: dict) -> ProblemSpec:
        """The problem named by a metadata dict's keys (other keys ignored), with plain Python types.

        Files written before the precision field have no such key: they are float64.
        """
        return cls(condition=str(data["condition"]), width=int(data["width"]), steps=int(data["steps"]),
                   seed=int(data["seed"]), readout=str(data["readout"]),
                   precision=str(data.get("precision", "f64")),
                   experiment=Experiment.of(data.get("experiment", {})))
