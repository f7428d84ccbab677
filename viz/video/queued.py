"""A recording fed through a bounded queue: the window hands frames over and never waits for the encoder.

Frames go to the encoder thread and nowhere else. The queue holds at most
QUEUE_FRAMES; when the encoder falls behind, a frame that finds it full is
dropped and counted (the HUD says how many), so memory stays flat however
long a recording runs. The first frame is written in the caller's thread: it
opens the file, so a file that cannot be written is said at once.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np

from viz.video.recorder import Recorder

#: Frames waiting for the encoder at most (one second at 30 fps).
QUEUE_FRAMES = 30
_END = None


class QueuedRecorder:
    """A Recorder written by its own thread from a bounded queue; `offer` never blocks."""

    def __init__(self, recorder: Recorder, capacity: int = QUEUE_FRAMES) -> None:
        self.recorder = recorder
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(maxsize=capacity)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.recorder.size

    def offer(self, frame: np.ndarray) -> None:
        """Queue a frame for the encoder, or count it dropped if the queue is full; raise what the encoder hit."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self.recorder.write(frame)  # opens the file here: a failure is the caller's to say
            self._thread = threading.Thread(target=self._encode, name="recording", daemon=True)
            self._thread.start()
            return
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            self.dropped += 1

    def _encode(self) -> None:
        while (frame := self._queue.get()) is not _END:
            if self._error is None:
                try:
                    self.recorder.write(frame)
                except BaseException as exc:  # said by the next offer or by close
                    self._error = exc

    def close(self) -> Path | None:
        """Write what is queued, finalise the MP4 and free the queue; the path written, or None."""
        if self._thread is not None:
            self._queue.put(_END)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            self.recorder.close(complete=False)
            raise self._error
        return self.recorder.close()
