"""V: the picture recorded to an MP4 in wall-clock time, through a bounded queue to the encoder.

A slow frame is repeated (the video keeps wall-clock time); the frames go to
the encoder and nowhere else, and when it falls behind they are dropped and
counted rather than kept (viz.video.queued).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.explore.saves import reason
from viz.video.queued import QueuedRecorder

#: Frames per second of a V recording.
RECORD_FPS = 30


class Recording:
    """One recording in progress: its queued encoder, the frames written and when it began."""

    def __init__(self, path: Path, size: tuple[int, int], now: float) -> None:
        from viz.video.recorder import Recorder

        self.encoder = QueuedRecorder(Recorder(path, RECORD_FPS, (size[0] & ~1, size[1] & ~1)))
        self.started = now
        self.written = 0

    @property
    def dropped(self) -> int:
        return self.encoder.dropped

    def record(self, now: float, grab: Callable[[], np.ndarray]) -> None:
        """Hand the encoder the frames due by now; OSError if the file or ffmpeg failed."""
        due = int((now - self.started) * RECORD_FPS) + 1
        if due <= self.written:
            return
        cols, rows = self.encoder.size
        frame = grab()[:rows, :cols]
        for _ in range(min(due - self.written, RECORD_FPS)):
            self.encoder.offer(frame)
        self.written = due

    def finish(self) -> str:
        """Finalise into a playable MP4 and free the queue; what became of it, in words."""
        try:
            path = self.encoder.close()
        except (OSError, UsageError) as exc:
            return f"recording not saved: {reason(exc)}"
        dropped = f" ({self.dropped} frames dropped: the encoder fell behind)" if self.dropped else ""
        return f"saved {path}{dropped}" if path else "recording empty: nothing saved"


def start(path_for: Callable[[], Path], size: tuple[int, int], now: float) -> tuple[Recording | None, str]:
    """A recording begun, or None and why not in words."""
    try:
        return Recording(path_for(), size, now), ""
    except (OSError, UsageError) as exc:
        return None, f"recording not started: {reason(exc)}"
