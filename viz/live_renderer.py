"""Draw the explorer's picture with moderngl: raw measures coloured by the live colour scale.

The picture changes only when the view moves or a batch lands; the colour
scale eases every frame. Keeping the measures raw on the GPU means an easing
frame uploads 2 x KNOTS floats (uniforms), not a whole picture of levels.
"""
from __future__ import annotations

import moderngl
import numpy as np

from viz.renderer import MISSING_RGB8, _spectral_table_rgb8
from viz.shaders import shader_source


class LiveRenderer:
    """The explore program and its two textures, bound to one moderngl context."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._program = ctx.program(vertex_shader=shader_source("fullscreen.vert.glsl"),
                                    fragment_shader=shader_source("explore.frag.glsl"))
        self._vao = ctx.vertex_array(self._program, [])
        self._program["u_measures"] = 0
        self._program["u_lut"] = 1
        table = _spectral_table_rgb8()  # the same bytes as Renderer's, so both colour alike
        self._lut = ctx.texture((len(table), 1), 3, data=table.tobytes(), alignment=1)
        self._lut.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self._measures: moderngl.Texture | None = None
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

    def upload_knots(self, knots: np.ndarray) -> None:
        """The colour scale's 2 x KNOTS table (viz.colourscale)."""
        self._program["u_knots"].write(np.ascontiguousarray(knots, dtype=np.float32).tobytes())
        self._has_knots = True

    def draw(self, framebuffer: moderngl.Framebuffer) -> None:
        """Clear to the missing grey and draw the picture 1:1 (nothing but grey before the first upload)."""
        framebuffer.clear(*(c / 255.0 for c in MISSING_RGB8), 1.0)
        if self._measures is None or not self._has_knots:
            return
        for texture, unit in ((self._measures, 0), (self._lut, 1)):
            texture.use(unit)
        with self.ctx.scope(framebuffer, enable_only=moderngl.NOTHING):
            self._vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        """Free the GL objects (the context stays the caller's)."""
        for obj in (self._vao, self._program, self._lut, self._measures):
            if obj is not None:
                obj.release()
