"""The one place that builds GL programs (`build_program`) and the Spectral lookup texture.

Every pass the project draws is one full-screen triangle (the vertex stage
makes it from the vertex id) with a fragment shader doing the work, so a
program is named by its fragment shader alone. The lookup texture is
to_rgb8's own bytes, one per context, so every pass that colours (zoom
frames, stills, the explorer) colours alike.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.abc import Traversable

import moderngl
import numpy as np

from viz.colour.equalise import LUT_SIZE, to_rgb8
from viz.display.shaders import ShaderCompileError, shader_source

#: The vertex stage of every pass.
VERTEX = "fullscreen.vert.glsl"


def build_program(ctx: moderngl.Context, fragment: str, defines: Mapping[str, object] | None = None,
                  directory: Traversable | None = None, vertex: str = VERTEX) -> moderngl.Program:
    """The program of `vertex` and `fragment` (shader file names) with `defines` in both stages.

    A GL error becomes a ShaderCompileError whose log names file:line: the
    two stages are numbered apart, so one log explains either.
    """
    vert = shader_source(vertex, directory, defines)
    frag = shader_source(fragment, directory, defines, first=len(vert.files))
    try:
        return ctx.program(vertex_shader=vert.text, fragment_shader=frag.text)
    except moderngl.Error as exc:
        log = frag.explain(vert.explain(str(exc))).strip()
        raise ShaderCompileError(f"cannot build the program {vertex} + {fragment}:\n{log}") from None


class Programs:
    """Builds full-screen passes on one moderngl context and owns its Spectral lookup texture."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self.lut = ctx.texture((LUT_SIZE, 1), 3, data=spectral_table_rgb8().tobytes(), alignment=1)
        self.lut.filter = (moderngl.NEAREST, moderngl.NEAREST)

    def fullscreen(self, fragment: str, lut_unit: int | None = None,
                   defines: Mapping[str, object] | None = None) -> FullScreenPass:
        """A pass drawing the fragment shader `fragment` over the viewport; `lut_unit` binds the lookup there."""
        program = build_program(self.ctx, fragment, defines)
        if lut_unit is not None:
            program["u_lut"] = lut_unit
        return FullScreenPass(self.ctx, program, None if lut_unit is None else (self.lut, lut_unit))

    def release(self) -> None:
        """Free the lookup texture (each pass is its builder's to release)."""
        self.lut.release()


class FullScreenPass:
    """One program drawn as a full-screen triangle; its uniforms are set by name, as on the program."""

    def __init__(self, ctx: moderngl.Context, program: moderngl.Program,
                 lut: tuple[moderngl.Texture, int] | None) -> None:
        self.ctx = ctx
        self.program = program
        self._vao = ctx.vertex_array(program, [])
        self._lut = lut

    def __getitem__(self, name: str):
        return self.program[name]

    def __setitem__(self, name: str, value) -> None:
        self.program[name] = value

    def draw(self, framebuffer: moderngl.Framebuffer, textures: Sequence[tuple[moderngl.Texture, int]],
             blend: bool = False) -> None:
        """Draw over the framebuffer's viewport with each texture on its unit; `blend` mixes by source alpha.

        The scope switches off blending and depth tests another pass (the HUD)
        may have left on, and afterwards puts back the framebuffer bound before:
        leaving ours bound would let a later release of it dangle in moderngl
        (GL_INVALID_OPERATION on the next framebuffer created).
        (Textures are bound here, not through the scope: moderngl 5.13's scope
        binds them with GL_INVALID_ENUM.)
        """
        for texture, unit in list(textures) + ([self._lut] if self._lut else []):
            texture.use(unit)
        with self.ctx.scope(framebuffer, enable_only=moderngl.BLEND if blend else moderngl.NOTHING):
            if blend:
                self.ctx.blend_func = moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA
            self._vao.render(moderngl.TRIANGLES, vertices=3)

    def release(self) -> None:
        """Free the program (the lookup texture stays its Programs')."""
        self._vao.release()
        self.program.release()


def spectral_table_rgb8() -> np.ndarray:
    """One to_rgb8 pixel per table row, taken at each bin's centre level: the GPU's colours are to_rgb8's bytes."""
    centres = (np.arange(LUT_SIZE) + 0.5) / (LUT_SIZE / 2) - 1.0
    return to_rgb8(centres[None, :])[0]
