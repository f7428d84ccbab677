"""The one frozen identity of a problem: everything besides the two hyperparameters that a measure depends on.

Stills, keyframe stores, bookmarks, PNG text, the explorer's caches and the
cluster's tiles all name their problem with this one record, so that "the
same problem" means the same thing everywhere, and it is checked in one place.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from viz import limits
from viz.errors import UsageError
from viz.problem.conditions import CONDITIONS, PRESETS, READOUTS, TAIL_STEPS

#: Seed 0 means the paper's own arrays; any other seed draws with NumPy.
PAPER_SEED = 0
#: The arithmetic of a run: float64 (the paper's) or double-double (about 106 bits).
PRECISIONS = ("f64", "dd")


@dataclass(frozen=True)
class ProblemSpec:
    """Condition, network width, training steps, seed of the initial draw, readout, arithmetic.

    precision is part of the identity: a double-double picture differs from
    the float64 one on chaotic pixels, so stores and bookmarks keep them apart.
    """

    condition: str = "tanh"
    width: int = PRESETS["paper"].width
    steps: int = PRESETS["paper"].steps
    seed: int = PAPER_SEED
    readout: str = "measure"
    precision: str = "f64"

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
        return self

    def as_metadata(self) -> dict:
        """Plain values for PNG text, stores and bookmarks.

        A float64 problem's keys are those written before precision existed
        (no "precision" key: float64 files and stores stay as they were); a
        double-double one adds "precision": "dd".
        """
        data = asdict(self)
        if data["precision"] == "f64":
            del data["precision"]
        return data

    @classmethod
    def of(cls, data: dict) -> ProblemSpec:
        """The problem named by a metadata dict's keys (other keys ignored), with plain Python types.

        Files written before the precision field have no such key: they are float64.
        """
        return cls(condition=str(data["condition"]), width=int(data["width"]), steps=int(data["steps"]),
                   seed=int(data["seed"]), readout=str(data["readout"]),
                   precision=str(data.get("precision", "f64")))
