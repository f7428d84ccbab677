"""Draw the explorer's picture with moderngl: raw measures coloured by the live colour scale.

The picture changes only when the view moves or a batch lands; the colour
scale eases every frame. Keeping the measures raw on the GPU means an easing
frame uploads 2 x KNOTS floats (uniforms), not a whole picture of levels.

Colouring costs a search per pixel, the dearest pass on a software
rasteriser (about 30 ms at 1280 x 720 on llvmpipe), so a picture smaller
than the framebuffer is coloured at its own size and then stretched: the
window hands over a half-size picture while the view moves.
"""
from __future__ import annotations

import moderngl
import numpy as np

from viz.colour.scale import colour_defines
from viz.display.programs import Programs
from viz.display.renderer import MISSING_RGB8

_MISSING = tuple(c / 255.0 for c in MISSING_RGB8)


class LiveRenderer:
    """The colouring and stretching programs and their textures, bound to one moderngl context."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.programs = Programs(ctx)
        self._colour = self.programs.fullscreen("explore.frag.glsl", lut_unit=1, defines=colour_defines())
        self._stretch = self.programs.fullscreen("upscale.frag.glsl")
        self._colour["u_measures"] = 0
        self._stretch["u_image"] = 0
        self._measures: moderngl.Texture | None = None
        self._small: moderngl.Framebuffer | None = None  # where a smaller picture is coloured
        self._has_knots = False

    def upload_measures(self, measures: np.ndarray) -> None:
        """The picture (rows x cols float32, row 0 = bottom, NaN = missing)."""
        data = np.ascontiguousarray(measures, dtype=np.float32)
        size = (data.shape[1], data.shape[0])
        if self._measures is not None and self._measures.size == size:
            self._measures.write(data)
            return
        if self._measures is not None:
            self._measures.release()
        self._measures = self.ctx.texture(size, 1, data=data, dtype="f4")
        self._measures.filter = (moderngl.NEAREST, moderngl.NEAREST)

    def upload_knots(self, knots: np.ndarray, split: bool = True) -> None:
        """The colour scale's 2 x KNOTS table (viz.colour.scale), split by sign or not (probe readout)."""
        self._colour["u_knots"].write(np.ascontiguousarray(knots, dtype=np.float32).tobytes())
        self._colour["u_split"] = split
        self._has_knots = True

    def draw(self, framebuffer: moderngl.Framebuffer) -> None:
        """Clear to the missing grey and draw the picture over the framebuffer's viewport.

        Nothing but grey before the first picture and colour scale arrive.
        """
        framebuffer.clear(*_MISSING, 1.0, viewport=framebuffer.viewport)
        if self._measures is None or not self._has_knots:
            return
        if self._measures.size == tuple(framebuffer.viewport[2:]):
            self._colour.draw(framebuffer, [(self._measures, 0)])
            return
        if self._small is None or self._small.size != self._measures.size:
            if self._small is not None:
                self._small.color_attachments[0].release()
                self._small.release()
            image = self.ctx.texture(self._measures.size, 4)
            image.filter = (moderngl.NEAREST, moderngl.NEAREST)
            self._small = self.ctx.framebuffer(color_attachments=[image])
        self._small.clear(*_MISSING, 1.0)
        self._colour.draw(self._small, [(self._measures, 0)])
        self._stretch.draw(framebuffer, [(self._small.color_attachments[0], 0)])

    def release(self) -> None:
        """Free the GL objects (the context stays the caller's)."""
        if self._small is not None:
            self._small.color_attachments[0].release()
            self._small.release()
        for obj in (self._colour, self._stretch, self.programs, self._measures):
            if obj is not None:
                obj.release()
