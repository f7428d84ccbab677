"""The session's S, B and V: a screenshot, a bookmark and a recording of the view on show.

The picture comes from `grab`, which only the window can give (it is drawn
on the GPU); without one, the session records nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from viz.explore import saves
from viz.explore.recording import Recording, start


class Files:
    """What a session writes, and the recording in progress."""

    def __init__(self, session, grab: Callable[[], np.ndarray] | None) -> None:
        self.session = session
        self.grab = grab  # the full-size picture as 8-bit RGB, top row first
        self.recording: Recording | None = None

    def picture_rgb(self) -> np.ndarray:
        """The picture at full size (no HUD), 8-bit RGB, top row first."""
        session = self.session
        session.frame.full(session.view, session.refiner.store)
        return self.grab()

    def screenshot(self) -> Path | None:
        """S: the picture as a PNG with the view in its text; None where it could not be written."""
        session = self.session
        path, said = saves.screenshot(session.settings.recordings, session.saved_view(), self.picture_rgb())
        session.say(said)
        return path

    def bookmark(self) -> str:
        """B: the view under a new name in the bookmarks file ("" where it could not be saved)."""
        name, said = saves.bookmark(self.session.settings.bookmarks, self.session.saved_view())
        self.session.say(said)
        return name

    def toggle_recording(self) -> None:
        """V: start or stop recording the picture to an MP4 in recordings/; a failure is said on the HUD."""
        session = self.session
        if self.recording is not None:
            session.say(self.stop_recording())
            return
        path_for = lambda: saves.stamped(session.settings.recordings, session.problem.condition, ".mp4")  # noqa: E731
        self.recording, said = start(path_for, (session.view.cols, session.view.rows), session.now)
        if said:
            session.say(said)

    def record(self) -> None:
        """Hand the encoder the frames due now; a recording that cannot be written stops, and the HUD says why."""
        if self.recording is None or self.grab is None:
            return
        try:
            self.recording.record(self.session.now, self.picture_rgb)
        except OSError as exc:
            self.stop_recording()
            self.session.say(f"recording stopped: {saves.reason(exc)}")

    def stop_recording(self) -> str:
        """Finish the recording and free its encoder; what became of it, in words."""
        recording, self.recording = self.recording, None
        return recording.finish()
