"""The explorer's files: a screenshot with its view in the PNG, a bookmark, and where they go.

A file that cannot be written is said on the HUD; the session goes on.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.explore.bookmarks import SavedView, save_bookmark
from viz.outputs import save_png


def stamped(folder: Path, condition: str, suffix: str) -> Path:
    """A new file name in the recordings folder (made if missing), stamped to the microsecond."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"explore-{condition}-{datetime.now():%Y%m%d-%H%M%S-%f}{suffix}"


def screenshot(folder: Path, saved: SavedView, image: np.ndarray) -> tuple[Path | None, str]:
    """Save the picture as a PNG whose text is the view (reopen with `nnfractal explore FILE`): (path, words)."""
    try:
        path = stamped(folder, saved.problem.condition, ".png")
        save_png(path, image, meta=saved.record())
    except (OSError, UsageError) as exc:
        return None, f"screenshot not saved: {reason(exc)}"
    return path, f"saved {path}"


def bookmark(marks: Path, saved: SavedView) -> tuple[str, str]:
    """Save the view under a new name in the bookmarks file: (name or "", words)."""
    name = f"{saved.problem.condition}-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        save_bookmark(marks, name, saved)
    except (OSError, UsageError) as exc:
        return "", f"bookmark not saved: {reason(exc)}"
    return name, f"bookmark {name!r} saved to {marks}"


def reason(exc: Exception) -> str:
    """A failed save in a few words: the OS's reason and the file, or our own one-line message."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
