"""The paper's colouring: histogram equalisation and matplotlib's "Spectral".

Colouring is a cheap pass over stored measures, so it lives apart from the
engine. Everything here is plain NumPy; the GLSL shader in shaders/ applies
the same lookup table on the GPU.
"""
from __future__ import annotations

import numpy as np

#: ColorBrewer "Spectral" (11 classes), the control points of matplotlib's map.
SPECTRAL_HEX = (
    "9e0142", "d53e4f", "f46d43", "fdae61", "fee08b", "ffffbf",
    "e6f598", "abdda4", "66c2a5", "3288bd", "5e4fa2",
)
#: Entries in the lookup table, as matplotlib's default colormap resolution.
LUT_SIZE = 256
#: Values with |v| below this are never used: the pale band between the sides.
PALE_BAND = 0.25


def spectral_lut(size: int = LUT_SIZE) -> np.ndarray:
    """RGB table (size x 3, float in [0, 1]) sampled like matplotlib's Spectral."""
    points = np.array([[int(h[i:i + 2], 16) / 255.0 for i in (0, 2, 4)] for h in SPECTRAL_HEX])
    knots = np.linspace(0.0, 1.0, len(points))
    samples = np.linspace(0.0, 1.0, size)
    return np.stack([np.interp(samples, knots, points[:, c]) for c in range(3)], axis=1)


def equalise(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Map measures to [-1, 1] by their rank among `reference` (default: themselves).

    Converged (negative) measures spread evenly over [-1, -0.25], diverged
    over [0.25, 1], then the sign flips so that diverged lands on Spectral's
    red end. `values` outside the reference are interpolated, which is what
    the zoom videos need when blending the scales of two keyframes.
    """
    ref = np.sort(np.asarray(values if reference is None else reference, dtype=np.float64).ravel())
    n_neg = int(np.count_nonzero(ref < 0))
    levels = np.concatenate([
        np.linspace(-1.0, -PALE_BAND, n_neg),
        np.linspace(PALE_BAND, 1.0, ref.size - n_neg),
    ])
    return -np.interp(values, ref, levels)


def equalise_rank(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Rank over [-1, 1] with no sign split and no pale band (the probe readout)."""
    ref = np.sort(np.asarray(values if reference is None else reference, dtype=np.float64).ravel())
    return np.interp(values, ref, np.linspace(-1.0, 1.0, ref.size))


def lut_index(levels: np.ndarray, size: int = LUT_SIZE) -> np.ndarray:
    """Table row for each level in [-1, 1], binned exactly as matplotlib does."""
    scaled = (np.asarray(levels, dtype=np.float64) + 1.0) / 2.0 * size
    return np.clip(scaled, 0, size - 1).astype(np.intp)


def to_rgb8(levels: np.ndarray) -> np.ndarray:
    """Equalised levels (rows x cols, row 0 = bottom) to an 8-bit RGB image, row 0 = top."""
    rgb = spectral_lut()[lut_index(levels)]
    return np.ascontiguousarray((rgb[::-1] * 255.0 + 0.5).astype(np.uint8))


def colour_measures(measure: np.ndarray, readout: str = "measure") -> np.ndarray:
    """The paper's picture of a measure image (row 0 = bottom), as 8-bit RGB, top row first."""
    levels = equalise_rank(measure) if readout == "probe" else equalise(measure)
    return to_rgb8(levels)


def sign_from_rgb(rgb: np.ndarray) -> np.ndarray:
    """Recover the side of each pixel of a coloured image: +1 diverged, -1 converged.

    The nearest table entry gives the level; red-side levels are diverged.
    The lookup runs once per distinct colour (at most 256 in our pictures),
    so a 4096^2 image costs no more memory than the image itself.
    """
    rgb = np.asarray(rgb)
    codes = rgb.reshape(-1, 3).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    palette, where = np.unique(codes, return_inverse=True)
    colours = np.stack([(palette >> shift) & 0xFF for shift in (16, 8, 0)], axis=-1).astype(np.float64)
    lut = spectral_lut() * 255.0
    nearest = np.argmin(((colours[:, None, :] - lut[None, :, :]) ** 2).sum(axis=2), axis=1)
    signs = np.where(nearest < LUT_SIZE // 2, 1, -1)
    return signs[where].reshape(rgb.shape[:-1])
