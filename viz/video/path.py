"""The paper's zoom videos as pure maths: which keyframes, how wide, how coloured.

Keyframes are boxes (log10 hyperparameter units) about a fixed centre, each
2x wider than the next. A keyframe's middle may lie a fraction of one of its
own samples off the centre (`ZoomPath.middles`: lattice keyframes cannot all
centre on one point, see viz.video.keyframes); every frame is still drawn about the
fixed centre, each layer shifted by its own offset, so layers meet without
seams.

Keyframe 0 is the widest (at least `outer_width` decades across) and the
last is the deepest, and the video plays in that order: it zooms IN, as
the paper's videos do (the reference notebook builds its history by
zooming out from the final box, inserting each wider box at the front,
then animates from the front).

Frame i lies between keyframes k = i // frames_per_2x and k + 1, at
alpha = (i % frames_per_2x) / frames_per_2x; its width is
w_k * exp(alpha * log(w_{k+1} / w_k)) about the fixed centre. It overlays
keyframes k, k+1, k+2 (finer on top, k+2 faded in with alpha) and colours
each with (1 - s) * equalise(ref = k) + s * equalise(ref = k+1),
s = sin^2(alpha pi / 2). Past the last keyframe the indices clamp to it, as
the notebook does. Every frame is a pure function of its index.

`reference_frame` draws a frame in NumPy: the oracle for the GPU pass.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from viz.colour.equalise import equalise, to_rgb8

#: Frames per halving of the width: 1.5 s at the paper's 30 frames per second.
FRAMES_PER_2X = 45
#: The widest keyframe spans at least this many decades (the notebook's max_scale).
OUTER_WIDTH = 6.0

Pair = tuple[float, float]


@dataclass(frozen=True)
class FrameView:
    """Everything that frame `index` shows, in keyframe indices and ratios."""

    index: int
    keyframe: int            # k: the frame lies between keyframes k and k+1
    alpha: float             # progress from k to k+1, in [0, 1)
    blend: float             # s = sin^2(alpha pi / 2): weight of reference k+1
    centre: Pair             # fixed centre, log10 (x, y)
    width: Pair              # frame width, log10 units (x, y)
    layers: tuple[int, int, int]   # keyframes drawn, bottom to top (k, k+1, k+2, clamped)
    references: tuple[int, int]    # equalisation references (k, k+1, clamped)

    @property
    def fade(self) -> float:
        """Opacity of the top layer (k+2): linear in alpha."""
        return self.alpha


@dataclass(frozen=True)
class ZoomPath:
    """Concentric keyframes, keyframe 0 the widest, each 2x wider than the next."""

    centre: Pair                     # log10 (x, y) of the deepest keyframe's centre
    deepest: Pair                    # width of the deepest keyframe, log10 units (x, y)
    n_keyframes: int
    keyframe_shape: tuple[int, int]  # samples per keyframe (rows, cols)
    frames_per_2x: int = FRAMES_PER_2X
    #: Per keyframe, where its middle lies relative to the centre, in its own
    #: sample spacings (x, y): middle = centre + m * spacing. None: every
    #: keyframe is centred exactly. Lattice keyframes have |m| <= 1/2.
    middles: tuple[Pair, ...] | None = None

    def __post_init__(self) -> None:
        if self.n_keyframes < 1 or self.frames_per_2x < 1:
            raise ValueError("a zoom path needs at least one keyframe and one frame per 2x")
        if min(self.keyframe_shape) < 2 or min(self.deepest) <= 0:
            raise ValueError("keyframes need at least 2 x 2 samples and a positive width")
        if self.middles is not None:
            if len(self.middles) != self.n_keyframes:
                raise ValueError(f"{len(self.middles)} keyframe middles for {self.n_keyframes} keyframes")
            if not all(len(m) == 2 and all(math.isfinite(v) for v in m) for m in self.middles):
                raise ValueError(f"keyframe middles must be finite (x, y) pairs: {self.middles}")

    @classmethod
    def reaching(cls, centre: Pair, deepest: Pair, keyframe_shape: tuple[int, int],
                 outer_width: float = OUTER_WIDTH, frames_per_2x: int = FRAMES_PER_2X) -> ZoomPath:
        """As many keyframes as it takes for the widest to span `outer_width` on both axes."""
        doublings = 0
        while min(deepest) * 2.0 ** doublings < outer_width:
            doublings += 1
        return cls(tuple(centre), tuple(deepest), doublings + 1, tuple(keyframe_shape), frames_per_2x)

    @property
    def n_frames(self) -> int:
        """Frames from keyframe 0 to the last keyframe, both included."""
        return self.frames_per_2x * (self.n_keyframes - 1) + 1

    def keyframe_width(self, k: int) -> Pair:
        """Width of keyframe k: the deepest width times 2^(steps out from it)."""
        if not 0 <= k < self.n_keyframes:
            raise IndexError(f"keyframe {k} outside 0..{self.n_keyframes - 1}")
        scale = 2.0 ** (self.n_keyframes - 1 - k)
        return (self.deepest[0] * scale, self.deepest[1] * scale)

    def keyframe_middle(self, k: int) -> Pair:
        """Where keyframe k's middle lies relative to the centre, in its own sample spacings (x, y)."""
        self.keyframe_width(k)  # checks k
        return (0.0, 0.0) if self.middles is None else tuple(float(v) for v in self.middles[k])

    def keyframe_offsets(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Where keyframe k samples: log10 offsets from the centre (per column, per row).

        linspace over the box, both ends included, as the paper samples, moved
        by the keyframe's middle. Offsets rather than absolute log10 keep
        float64 bits at depth: a sample's hyperparameter is 10**centre * 10**offset.
        """
        rows, cols = self.keyframe_shape
        wx, wy = self.keyframe_width(k)
        mx, my = self.keyframe_middle(k)
        return (np.linspace(-wx / 2, wx / 2, cols) + mx * wx / (cols - 1),
                np.linspace(-wy / 2, wy / 2, rows) + my * wy / (rows - 1))

    def view_at(self, index: int) -> FrameView:
        """Frame `index` of the path (0 = widest view, n_frames - 1 = the deepest keyframe)."""
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame {index} outside 0..{self.n_frames - 1}")
        last = self.n_keyframes - 1
        k, step = divmod(index, self.frames_per_2x)
        alpha = step / self.frames_per_2x
        k1, k2 = min(k + 1, last), min(k + 2, last)
        w_k, w_next = self.keyframe_width(k), self.keyframe_width(k1)
        width = tuple(a * math.exp(alpha * math.log(b / a)) for a, b in zip(w_k, w_next))
        return FrameView(index=index, keyframe=k, alpha=alpha, blend=blend_weight(alpha),
                         centre=self.centre, width=width, layers=(k, k1, k2), references=(k, k1))

    def layer_scales(self, view: FrameView) -> tuple[Pair, Pair, Pair]:
        """For each layer, the fraction of its texture that the frame spans, per axis (the shader's u_scale).

        A layer's samples sit at linspace over its box, and each is drawn as a
        cell centred on it, so the texture spans the box plus half a spacing
        on each side: width * n / (n - 1). All boxes share the centre, so a
        ratio of widths places the layer exactly (no subtraction of nearby
        coordinates, which would lose float64 bits at depth).
        """
        rows, cols = self.keyframe_shape
        scales = []
        for k in view.layers:
            wx, wy = self.keyframe_width(k)
            scales.append((view.width[0] / (wx * cols / (cols - 1)), view.width[1] / (wy * rows / (rows - 1))))
        return tuple(scales)

    def layer_shifts(self, view: FrameView) -> tuple[Pair, Pair, Pair]:
        """For each layer, where the fixed centre lies in its texture, from the texture's middle (the shader's u_shift).

        In texture units (1 = the whole texture): a keyframe whose middle is
        m spacings past the centre has the centre at -m / n of its n cells
        from the middle. Exact at any depth when m comes from lattice indices
        (viz.video.keyframes.KeyframeSpec.zoom_path) rather than from subtracting
        coordinates, and independent of the frame's width and shape.
        """
        rows, cols = self.keyframe_shape
        shifts = []
        for k in view.layers:
            mx, my = self.keyframe_middle(k)
            shifts.append((-mx / cols, -my / rows))
        return tuple(shifts)


def blend_weight(alpha: float) -> float:
    """s = sin^2(alpha pi / 2): 0 at alpha 0, 1/2 at 1/2, 1 at 1, flat at both ends."""
    return math.sin(alpha * math.pi / 2) ** 2


def layer_levels(measures: np.ndarray, reference_a: np.ndarray, reference_b: np.ndarray,
                 equaliser: Callable[[np.ndarray, np.ndarray], np.ndarray] = equalise) -> np.ndarray:
    """A keyframe's measures equalised against both references: (rows, cols, 2), float64.

    These two levels per sample are what the GPU layer texture holds; only the
    blend between them changes from frame to frame.
    """
    return np.stack([equaliser(measures, reference_a), equaliser(measures, reference_b)], axis=-1)


def reference_frame(path: ZoomPath, index: int, keyframes: Sequence[np.ndarray],
                    size: tuple[int, int],
                    equaliser: Callable[[np.ndarray, np.ndarray], np.ndarray] = equalise) -> np.ndarray:
    """Frame `index` as 8-bit RGB (height x width x 3, top row first), computed in float64.

    `keyframes[k]` is keyframe k's complete measure image (row 0 = bottom);
    only the frame's layers and references are read. `size` is (width, height)
    in pixels. Pixels sample at their centres, nearest cell, like the shader;
    each layer is scaled about the fixed centre and shifted by its middle.
    """
    view = path.view_at(index)
    width, height = size
    ref_a, ref_b = (keyframes[k] for k in view.references)
    unit_x = (np.arange(width) + 0.5) / width
    unit_y = (np.arange(height) + 0.5) / height
    colour = None
    layers = zip(view.layers, path.layer_scales(view), path.layer_shifts(view))
    for depth, (k, (sx, sy), (hx, hy)) in enumerate(layers):
        pair = layer_levels(keyframes[k], ref_a, ref_b, equaliser)
        rows, cols = pair.shape[:2]
        cx = np.floor((0.5 + (unit_x - 0.5) * sx + hx) * cols)
        cy = np.floor((0.5 + (unit_y - 0.5) * sy + hy) * rows)
        inside = ((cy >= 0) & (cy < rows))[:, None] & ((cx >= 0) & (cx < cols))[None, :]
        ix = np.clip(cx, 0, cols - 1).astype(np.intp)
        iy = np.clip(cy, 0, rows - 1).astype(np.intp)
        cells = pair[iy[:, None], ix[None, :]]
        levels = (1.0 - view.blend) * cells[..., 0] + view.blend * cells[..., 1]
        rgb = to_rgb8(levels)[::-1] / 255.0
        if colour is None:
            if not inside.all():
                raise ValueError(f"keyframe {k} does not cover frame {index}")
            colour = rgb
            continue
        weight = (view.fade if depth == 2 else 1.0) * inside[..., None]
        colour = (1.0 - weight) * colour + weight * rgb
    return np.ascontiguousarray((colour[::-1] * 255.0 + 0.5).astype(np.uint8))
