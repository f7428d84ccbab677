"""Frames in order -> an H.264 MP4, through imageio-ffmpeg's bundled ffmpeg.

Frames are counted, not timed: frame i plays at i / fps whatever the wall
clock did while it was drawn, so a slow machine records a smooth video.
The file is written under a temporary name beside the target and renamed
when the stream is finalised, so the target path only ever holds a
complete, playable MP4. A recording cut short by an exception or Ctrl-C is
still finalised and kept (it is the user's), unless `keep_partial` is off
(zoom videos, which are remade from their keyframes). ffmpeg runs in its
own process group, so a Ctrl-C in the terminal reaches only us, and we
close the stream properly.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from viz.errors import UsageError
from viz.outputs import make_part, publish
from viz.signals import deferred

#: x264 settings: visually lossless for smooth colour fields, fast to encode.
X264_PARAMS = ("-crf", "18", "-preset", "veryfast")
#: The ending of a recording's temporary file (ffmpeg picks the container by it).
PART_SUFFIX = ".part.mp4"


class Recorder:
    """Write 8-bit RGB frames (height x width x 3, top row first) to `path`, `fps` frames per second."""

    def __init__(self, path: str | os.PathLike, fps: float, size: tuple[int, int],
                 keep_partial: bool = True) -> None:
        width, height = size
        if width < 2 or height < 2 or width % 2 or height % 2:
            raise UsageError(f"video size must be even on both sides (H.264 4:2:0), got {width}x{height}")
        if not fps > 0:
            raise UsageError(f"frames per second must be positive, got {fps}")
        self.path = Path(path)
        if self.path.suffix.lower() != ".mp4":
            raise UsageError(f"video {str(self.path)!r} must end in .mp4")
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"cannot write {str(self.path)!r}: folder {str(folder)!r} does not exist")
        self._folder = folder
        self.fps = fps
        self.size = (width, height)
        self.keep_partial = keep_partial
        self.frames = 0
        self._tmp: Path | None = None
        self._stream = None
        self._closed = False

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(complete=exc_type is None)

    def write(self, frame: np.ndarray) -> None:
        """Append the next frame."""
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if frame.shape != (self.size[1], self.size[0], 3):
            raise ValueError(f"frame of shape {frame.shape}; this recording takes {self.size[1]}x{self.size[0]}x3")
        if self._closed:
            raise ValueError("this recording is closed")
        if self._stream is None:
            self._open()
        self._stream.send(frame)
        self.frames += 1

    def _open(self) -> None:
        """Start the encoder on a part file of ours; a signal meanwhile is raised once the stream is held,
        so closing it waits for ffmpeg before the part file goes (signals.deferred)."""
        import imageio_ffmpeg

        fd, self._tmp = make_part(self.path, PART_SUFFIX)
        os.close(fd)  # ffmpeg opens it by name; mkstemp made the name ours, so no link is written through
        with deferred():
            try:
                stream = imageio_ffmpeg.write_frames(
                    str(self._tmp), self.size, fps=self.fps, codec="libx264", quality=None,
                    macro_block_size=1, output_params=list(X264_PARAMS))
                stream.send(None)
            except BaseException:
                self._tmp.unlink(missing_ok=True)
                raise
            self._stream = stream

    def close(self, complete: bool = True) -> Path | None:
        """Finalise the stream and move it into place; the path written, or None if nothing was.

        `complete=False` means the recording was cut short: it is kept only
        when `keep_partial` is set. Closing twice does nothing.
        """
        if self._closed:
            return None
        self._closed = True
        if self._stream is None:
            return None
        tmp = self._tmp
        try:
            self._stream.close()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if not (complete or self.keep_partial):
            tmp.unlink(missing_ok=True)
            return None
        publish(tmp, self.path)
        return self.path
