"""Finished Figure 1 panels on disk, so a second run is instant and an interrupted one resumes.

A panel is `NAME.npy` (its measure image, readable by `nnfractal dim`)
beside `NAME.json` (the StillSpec that made it). The JSON is written last
and removed before a new .npy is written, so a panel counts as stored only
once both are complete; a stored panel whose settings differ from the ones
asked for is never returned, only recomputed and overwritten.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.outputs import atomic_write, save_npy
from viz.paper.stills import StillSpec


def store_folder(out: Path) -> Path:
    """The panel folder beside an output picture: figure1.png -> figure1.panels/."""
    return out.with_suffix(".panels")


class PanelStore:
    """One folder of finished panels, keyed by panel name and checked by settings."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def open(self) -> PanelStore:
        """Create the folder; refuse a path that is already something else."""
        if self.folder.exists() and not self.folder.is_dir():
            raise UsageError(f"cannot keep panels in {str(self.folder)!r}: it exists and is not a folder")
        self.folder.mkdir(exist_ok=True)
        return self

    def load(self, name: str, spec: StillSpec) -> np.ndarray | None:
        """The stored measure of this panel if it was made with exactly `spec`, else None."""
        npy, meta = self._paths(name)
        try:
            settings = json.loads(meta.read_text())
            measure = np.load(npy, allow_pickle=False)
        except (OSError, ValueError, EOFError):  # EOFError: an empty .npy, left by a crash or by hand
            return None
        if settings != _settings(spec) or measure.shape != (spec.rows, spec.cols):
            return None
        return measure

    def save(self, name: str, spec: StillSpec, measure: np.ndarray) -> None:
        """Store a finished panel: settings invalidated first, written last."""
        npy, meta = self._paths(name)
        meta.unlink(missing_ok=True)
        save_npy(npy, measure)
        atomic_write(meta, lambda fh: json.dump(_settings(spec), fh, sort_keys=True), mode="w")

    def _paths(self, name: str) -> tuple[Path, Path]:
        return self.folder / f"{name}.npy", self.folder / f"{name}.json"


def _settings(spec: StillSpec) -> dict:
    """The spec as it reads back from JSON, so stored and asked-for compare equal."""
    return json.loads(json.dumps(spec.as_metadata(), sort_keys=True))
