"""Draw the zoom video's frames with moderngl into any framebuffer: the screen or offscreen.

Colouring is a cheap pass over computed samples: the CPU equalises measures
into levels (viz.video.path.layer_levels), the GPU looks each level up in the
Spectral table. The table texture is to_rgb8's own bytes and the shader bins
levels exactly as lut_index does, so a layer drawn 1:1 equals `to_rgb8`
pixel for pixel.

Missing samples (NaN levels) and points outside a layer let the layer below
show, a coarser keyframe filling the holes of a finer one; where no layer has
a sample the frame shows the neutral grey MISSING_RGB8.
"""
from __future__ import annotations

from collections.abc import Sequence

import moderngl
import numpy as np

from viz.display.programs import Programs

#: Where no sample has been computed yet.
MISSING_RGB8 = (128, 128, 128)
_LUT_UNIT = 3
_LAYER_UNITS = (0, 1, 2)


class Renderer:
    """The zoom-frame program and its textures, bound to one moderngl context."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.programs = Programs(ctx)
        self._zoom = self.programs.fullscreen("zoom_frame.frag.glsl", lut_unit=_LUT_UNIT)
        for name, unit in zip(("u_layer0", "u_layer1", "u_layer2"), _LAYER_UNITS):
            self._zoom[name] = unit
        self._zoom["u_missing"] = tuple(c / 255.0 for c in MISSING_RGB8)

    def upload_layer(self, pair: np.ndarray, texture: moderngl.Texture | None = None) -> moderngl.Texture:
        """A zoom keyframe's two levels per sample (rows x cols x 2, row 0 = bottom, NaN = missing; see
        viz.video.path.layer_levels) as RG32F.

        Writes into `texture` when its size fits, else releases it and makes a new one.
        """
        data = np.asarray(pair, dtype=np.float32)
        size = (data.shape[1], data.shape[0])
        if texture is not None and texture.size == size:
            texture.write(np.ascontiguousarray(data).tobytes())
            return texture
        if texture is not None:
            texture.release()
        texture = self.ctx.texture(size, 2, data=np.ascontiguousarray(data).tobytes(), dtype="f4")
        texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        return texture

    def clear(self, framebuffer: moderngl.Framebuffer) -> None:
        """Fill the framebuffer with the missing-sample grey."""
        framebuffer.clear(*(c / 255.0 for c in MISSING_RGB8), 1.0)

    def draw_zoom_frame(self, framebuffer: moderngl.Framebuffer, layers: Sequence[moderngl.Texture],
                        scales: Sequence[Sequence[float]], shifts: Sequence[Sequence[float]],
                        blend: float, fade: float) -> None:
        """Draw one zoom-video frame from three layer textures (keyframes k, k+1, k+2).

        `scales` are viz.video.path.ZoomPath.layer_scales(view), `shifts` its layer_shifts(view)
        (where the fixed centre lies in each texture, from its middle), `blend`
        view.blend, `fade` view.fade. Nearest sampling: each sample is a cell
        centred on its sample point, so a layer spanning half the frame shows
        each sample as a 2 x 2 block.
        """
        self._zoom["u_scale"].write(np.asarray(scales, dtype=np.float32).reshape(3, 2).tobytes())
        self._zoom["u_shift"].write(np.asarray(shifts, dtype=np.float32).reshape(3, 2).tobytes())
        self._zoom["u_blend"] = float(blend)
        self._zoom["u_fade"] = float(fade)
        self._zoom.draw(framebuffer, list(zip(layers, _LAYER_UNITS, strict=True)))

    def offscreen(self, width: int, height: int) -> moderngl.Framebuffer:
        """An RGBA8 framebuffer for video frames and tests."""
        return self.ctx.framebuffer(color_attachments=[self.ctx.renderbuffer((width, height), 4)])

    def release(self) -> None:
        """Free the GL objects (the context stays the caller's)."""
        for obj in (self._zoom, self.programs):
            obj.release()


def headless_context() -> moderngl.Context:
    """A standalone EGL context: draws offscreen with no display (video frames, tests)."""
    return moderngl.create_standalone_context(backend="egl")


def read_rgb8(framebuffer: moderngl.Framebuffer) -> np.ndarray:
    """The framebuffer's pixels as 8-bit RGB (height x width x 3), top row first like to_rgb8."""
    width, height = framebuffer.size
    data = framebuffer.read(components=3, alignment=1)
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)[::-1].copy()

