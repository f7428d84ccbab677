"""A session without a display: settings, a refiner that computes a made-up field at once, a fake grab."""
from __future__ import annotations

import numpy as np

from viz.problem.conditions import DEFAULT_WINDOW, PRESETS
from viz.problem.spec import ProblemSpec
from viz.sampling.scheduler import deliver, next_batch
from viz.sampling.store import SampleStore


def diagonal(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Positive above the line y = x (in logs), negative below: both colours on the default view."""
    return np.log10(xs) - np.log10(ys)


class FakeRefiner:
    """Computes `field` for every missing sample of the view in one step (float64 stores only)."""

    def __init__(self, key: ProblemSpec, field=diagonal) -> None:
        self.field = field
        self.stores: dict[ProblemSpec, SampleStore] = {}
        self.backend, self.compiling, self.building, self.cluster_line = "fake", None, False, None
        self.rate, self.busy, self.closed = 0.0, False, False
        self.steps = 0
        self.select(key)

    def select(self, key: ProblemSpec) -> None:
        self.key = key
        self.stores.setdefault(key, SampleStore(precision=key.precision))

    @property
    def store(self) -> SampleStore:
        return self.stores[self.key]

    def step(self, view) -> bool:
        self.steps += 1
        if self.store.precision != "f64":
            return False
        changed = False
        while (batch := next_batch(view, self.store, 1 << 16)) is not None:
            deliver(self.store, batch, self.field(batch.xs, batch.ys))
            changed = True
        return changed

    def close(self) -> None:
        self.closed = True


def settings(tmp_path, **changes):
    from viz.explore.settings import Settings

    quick = PRESETS["quick"]
    base = dict(problem=ProblemSpec("tanh", quick.width, quick.steps, seed=0), home=DEFAULT_WINDOW, arch="cpu",
                hud=False, bookmarks=tmp_path / "marks.toml", recordings=tmp_path / "recordings")
    base.update(changes)
    return Settings(**base)


def session(tmp_path, size=(64, 36), field=diagonal, grab=True, **changes):
    """A Session on a FakeRefiner; its grab returns a plain picture of the view's size."""
    from viz.explore.session import Session

    def picture() -> np.ndarray:
        return np.full((made.view.rows, made.view.cols, 3), 90, np.uint8)

    made = Session(settings(tmp_path, **changes), size, lambda _s, problem: FakeRefiner(problem, field),
                   picture if grab else None)
    return made


def run_for(made, seconds: float, fps: float = 30.0, start: float | None = None) -> float:
    """Drive the session's update at `fps` for `seconds` of its time; the time reached."""
    t = made.now if start is None else start
    for _ in range(round(seconds * fps)):
        t += 1.0 / fps
        made.update(t, 1.0 / fps)
    return t
