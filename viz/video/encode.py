"""A zoom video from its keyframes: every frame drawn offscreen by the window's shaders, then encoded.

The frames run through the display's one render loop on a fixed frame step,
so frame i is the zoom path's frame i whatever the wall clock did.
"""
from __future__ import annotations

import time

from viz.errors import UsageError
from viz.video.keyframes import KeyframeStore
from viz.video.recorder import Recorder


def encode_zoom(store: KeyframeStore, recorder: Recorder, frames_per_2x: int, quiet: bool) -> None:
    """Draw every frame offscreen and write the video, with a progress bar unless quiet; says what it wrote."""
    from tqdm import tqdm

    from viz.display.loop import FixedStep, Offscreen, run
    from viz.display.renderer import Renderer, headless_context
    from viz.video.frames import ZoomFrames

    path = store.spec.zoom_path(frames_per_2x)
    measures = store.load_all(mapped=True)
    start = time.monotonic()
    try:
        ctx = headless_context()
    except Exception as exc:  # glcontext raises a plain Exception when EGL is missing
        raise UsageError(f"the keyframes are saved, but frames cannot be drawn without EGL "
                         f"(install libegl1 libegl-mesa0 libgl1-mesa-dri): {exc}".splitlines()[0]) from None
    try:
        renderer = Renderer(ctx)
        frames = ZoomFrames(renderer, path, measures, store.spec.problem.readout, recorder.size)
        fbo = renderer.offscreen(*recorder.size)
        clock = FixedStep(recorder.fps)
        with recorder, tqdm(total=path.n_frames, unit="frame", disable=quiet, desc="encoding") as bar:
            run(Offscreen(), clock, _Encoding(frames, fbo, recorder, bar, clock), frames=path.n_frames)
    finally:
        ctx.release()
    seconds = time.monotonic() - start
    width, height = recorder.size
    print(f"wrote {recorder.path} ({path.n_frames} frames, {width}x{height}, {recorder.fps:g} fps, "
          f"{path.n_keyframes} keyframes of {store.spec.res}^2) in {seconds:.1f} s "
          f"({path.n_frames / seconds:.1f} frames/s)")


class _Encoding:
    """Offline frames as the render loop's app: frame i of the zoom path at t = i / fps, drawn and written."""

    def __init__(self, frames, fbo, recorder: Recorder, bar, clock) -> None:
        self.frames, self.fbo, self.recorder, self.bar, self.clock = frames, fbo, recorder, bar, clock
        self._index = 0

    def update(self, t: float, _dt: float) -> None:
        self._index = self.clock.frame_index(t)

    def draw(self) -> bool:
        from viz.display.renderer import read_rgb8

        self.frames.draw(self.fbo, self._index)
        self.recorder.write(read_rgb8(self.fbo))
        self.bar.update()
        return True
