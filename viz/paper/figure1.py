"""The paper's Figure 1 as one picture: six coloured panels, titled, with their edge values.

Pure layout: it takes finished panels (already coloured, plus the numbers to
print) and draws them with Pillow, so the picture can be redrawn from stored
panels in a fraction of a second and tested without the engine.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The paper's arrangement: two rows of three, in increasing fractal dimension.
LAYOUT = (("linear", "relu", "single"), ("minibatch", "tanh", "init"))
#: Smallest drawn side of a panel: smaller images are enlarged by a whole factor.
MIN_DRAWN = 256
MARGIN = 12
FONT_SIZE = 13
TITLE_SIZE = 15
INK = (0, 0, 0)
PAPER = (255, 255, 255)


@dataclass(frozen=True)
class Panel:
    """One panel ready to draw: its picture and the words and numbers around it."""

    title: str
    rgb: np.ndarray  # rows x cols x 3, uint8, top row first
    x_edges: tuple[float, float]  # hyperparameter values of the first and last column
    y_edges: tuple[float, float]  # ... of the bottom and top row
    axis_names: tuple[str, str]
    ours: float | None  # our fractal dimension; None where the panel has no boundary
    paper: float


def edge_labels(lo: float, hi: float) -> tuple[str, str]:
    """The two edge values with just enough digits to tell them apart (windows are ~1e-8 wide)."""
    for digits in range(3, 18):
        a, b = f"{lo:.{digits}g}", f"{hi:.{digits}g}"
        if a != b:
            return f"{lo:.{digits + 1}g}", f"{hi:.{digits + 1}g}"
    return a, b


def dimension_line(ours: float | None, paper: float) -> str:
    """'D = 1.62  (paper 1.66)', or why there is no D of ours."""
    if ours is None:
        return f"no boundary to measure  (paper D = {paper:.2f})"
    return f"D = {ours:.2f}  (paper {paper:.2f})"


def compose(panels: list[list[Panel]], caption: str = "") -> np.ndarray:
    """Draw rows of panels into one 8-bit RGB image (top row first)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=FONT_SIZE)
    title_font = ImageFont.load_default(size=TITLE_SIZE)
    cells = [[_cell(p, font, title_font) for p in row] for row in panels]
    cell_w = max(c.width for row in cells for c in row)
    cell_h = max(c.height for row in cells for c in row)
    caption_h = 2 * FONT_SIZE if caption else 0
    ncols = max(len(row) for row in cells)
    sheet = Image.new("RGB", (ncols * cell_w + MARGIN, len(cells) * cell_h + caption_h + MARGIN), PAPER)
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            sheet.paste(cell, (c * cell_w + MARGIN, r * cell_h + MARGIN))
    if caption:
        ImageDraw.Draw(sheet).text((MARGIN, len(cells) * cell_h + MARGIN), caption, fill=INK, font=font)
    return np.asarray(sheet)


def _cell(panel: Panel, font, title_font):
    """One panel with its two title lines, edge values and axis names."""
    from PIL import Image, ImageDraw

    image = Image.fromarray(np.ascontiguousarray(panel.rgb, dtype=np.uint8), "RGB")
    scale = max(1, -(-MIN_DRAWN // max(image.size)))
    image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    line = FONT_SIZE + 4
    left = 3 * line  # rotated y values and y name
    top = 2 * (TITLE_SIZE + 4) + 4
    titles = (panel.title, dimension_line(panel.ours, panel.paper))
    text_w = max(int(title_font.getlength(t)) for t in titles)
    width, height = left + max(image.width, text_w) + MARGIN * 3, top + image.height + 2 * line + MARGIN * 2
    cell = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(cell)
    for k, text in enumerate(titles):
        draw.text((left, k * (TITLE_SIZE + 4)), text, fill=INK, font=title_font)
    cell.paste(image, (left, top))
    draw.rectangle((left - 1, top - 1, left + image.width, top + image.height), outline=INK)
    half = scale // 2  # ticks at the centres of the edge pixels, where the samples are
    x_lo, x_hi = edge_labels(*panel.x_edges)
    y_lo, y_hi = edge_labels(*panel.y_edges)
    base = top + image.height
    for x, text, anchor in ((left + half, x_lo, "la"), (left + image.width - 1 - half, x_hi, "ra")):
        draw.line((x, base, x, base + 4), fill=INK)
        draw.text((x, base + 5), text, fill=INK, font=font, anchor=anchor)
    draw.text((left + image.width // 2, base + line + 3), panel.axis_names[0], fill=INK, font=font, anchor="ma")
    for y, text, anchor in ((base - 1 - half, y_lo, "la"), (top + half, y_hi, "ra")):
        draw.line((left - 5, y, left - 1, y), fill=INK)
        _vertical_text(cell, (line + 2, y), text, font, anchor)
    _vertical_text(cell, (2, top + image.height // 2), panel.axis_names[1], font, "ma")
    return cell


def _vertical_text(cell, xy: tuple[int, int], text: str, font, anchor: str) -> None:
    """Text read bottom to top with its start ('la'), end ('ra') or middle ('ma') at y."""
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = font.getbbox(text)
    strip = Image.new("RGB", (x1, y1 + 2), PAPER)
    ImageDraw.Draw(strip).text((0, 0), text, fill=INK, font=font)
    strip = strip.rotate(90, expand=True)  # now strip.height = text length, read upwards
    x, y = xy
    offset = {"la": strip.height, "ra": 0, "ma": strip.height // 2}[anchor]
    cell.paste(strip, (x, max(0, y - offset)))
