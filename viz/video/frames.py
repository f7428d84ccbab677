"""Frame i of a zoom, drawn by the renderer from the keyframes: for the video and the demo alike.

The paper's frame (zoompath) shows three keyframes coloured against two
references; only the references' blend changes within a segment (the
frames between keyframe k and k + 1), so the CPU equalises the three
layers once per segment and the GPU does the rest per frame. Keyframes are
square; a frame of another shape shows the centred part of them that fits,
so one set of keyframes serves any video size.

Keyframes on the sample lattice (viz.video.keyframes) are not exactly concentric:
keyframe k is the res samples of its level whose middle is nearest the
zoom's fixed centre, so that middle can lie up to half of one of its own
samples off the centre. `KeyframeSpec.zoom_path` records each keyframe's
exact offset (from its lattice indices and the fixed-point centre, no float
subtraction) in the path's `middles`, and the zoom pass shifts each layer by
it (`ZoomPath.layer_shifts`, the shader's u_shift), so every layer is drawn
where its samples truly lie and layers meet without seams however much
coarser than the video the keyframes are.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import moderngl
import numpy as np

from viz.colour.equalise import equalise, equalise_rank
from viz.display.renderer import Renderer
from viz.video.path import ZoomPath, layer_levels


def frame_aspect(size: tuple[int, int]) -> tuple[float, float]:
    """The fraction of a square keyframe's width and height that a frame of `size` shows."""
    width, height = size
    return (1.0, height / width) if width >= height else (width / height, 1.0)


class ZoomFrames:
    """Draws the frames of one zoom path from its keyframes' measures (widest first)."""

    def __init__(self, renderer: Renderer, path: ZoomPath, measures: Sequence[np.ndarray],
                 readout: str, size: tuple[int, int]) -> None:
        if len(measures) != path.n_keyframes:
            raise ValueError(f"{len(measures)} keyframes for a path of {path.n_keyframes}")
        self.renderer = renderer
        self.path = path
        self.size = size
        self._measures = list(measures)
        # equalise sorts its reference on every call, and sorting an already
        # sorted array is several times cheaper; a segment needs two
        # references and the next segment shares one, so a few suffice (the
        # paper's 4096^2 keyframes are 128 MiB each).
        self._reference = lru_cache(maxsize=4)(lambda k: np.sort(self._measures[k], axis=None))
        self._equaliser = equalise_rank if readout == "probe" else equalise
        self._segment: int | None = None
        self._textures: list[moderngl.Texture | None] = [None, None, None]

    def segment_levels(self, k: int) -> list[np.ndarray]:
        """The three layers of segment k (frames from keyframe k towards k + 1), each rows x cols x 2.

        Pure NumPy: a caller may compute the next segment's in a thread while this one plays.
        """
        view = self.path.view_at(min(k * self.path.frames_per_2x, self.path.n_frames - 1))
        ref_a, ref_b = (self._reference(r) for r in view.references)
        return [layer_levels(self._measures[j], ref_a, ref_b, self._equaliser) for j in view.layers]

    def show_segment(self, k: int, levels: list[np.ndarray] | None = None) -> None:
        """Upload segment k's layers (computing them unless given)."""
        levels = self.segment_levels(k) if levels is None else levels
        self._textures = [self.renderer.upload_layer(pair, tex) for pair, tex in zip(levels, self._textures)]
        self._segment = k

    def draw(self, framebuffer: moderngl.Framebuffer, index: int) -> None:
        """Draw frame `index` into the framebuffer (its viewport should have this zoom's size)."""
        view = self.path.view_at(index)
        if view.keyframe != self._segment:
            self.show_segment(view.keyframe)
        ax, ay = frame_aspect(self.size)
        scales = [(sx * ax, sy * ay) for sx, sy in self.path.layer_scales(view)]
        self.renderer.draw_zoom_frame(framebuffer, self._textures, scales, self.path.layer_shifts(view),
                                      view.blend, view.fade)

    def release(self) -> None:
        """Free the layer textures."""
        for texture in self._textures:
            if texture is not None:
                texture.release()
        self._textures = [None, None, None]
        self._segment = None
