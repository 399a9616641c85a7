"""Draws the Marketplace icon, images/icon.png: a weight (the kind a scale is set with) on a
rounded square, in shapes only, so it draws the same anywhere (no font).

    python scripts/draw_icon.py images/icon.png

Drawn at four times the size and scaled down, for smooth edges. tests/packaging checks that the
committed icon is this drawing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 128
SCALE = 4
BACKGROUND = (36, 41, 79, 255)  # deep indigo
WEIGHT = (245, 197, 66, 255)  # brass
MARKS = (36, 41, 79, 255)


def draw() -> Image.Image:
    big = SIZE * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def box(*values: float) -> list[float]:
        return [v * SCALE for v in values]

    pen.rounded_rectangle(box(4, 4, 124, 124), radius=26 * SCALE, fill=BACKGROUND)
    # The handle: a ring above the body.
    pen.ellipse(box(46, 22, 82, 58), outline=WEIGHT, width=9 * SCALE)
    # The body: a trapezoid, wider at the foot, with rounded shoulders.
    pen.polygon(box(38, 48, 90, 48, 104, 106, 24, 106), fill=WEIGHT)
    pen.rounded_rectangle(box(36, 44, 92, 60), radius=6 * SCALE, fill=WEIGHT)
    pen.rounded_rectangle(box(22, 96, 106, 108), radius=5 * SCALE, fill=WEIGHT)
    # Three bars on the body, shortest on top: tokens stacking up.
    for top, half in ((66, 12), (78, 18), (90, 24)):
        pen.rounded_rectangle(box(64 - half, top, 64 + half, top + 6), radius=3 * SCALE, fill=MARKS)
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main(out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    draw().save(out, format="PNG", optimize=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
