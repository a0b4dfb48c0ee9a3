"""Draws the portal's favicon (the picture of static/img/favicon.svg) as PNG and ICO fallbacks.

Run once from the repository root when the icon changes: .venv/bin/python scripts/draw-favicon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

RED, WHITE = (198, 40, 40, 255), (255, 255, 255, 255)


def draw(size: int) -> Image.Image:
    k = 4 * size / 64  # drawn at 4x and scaled down (antialiasing)
    img = Image.new("RGBA", (4 * size, 4 * size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def p(pts):
        return [(x * k, y * k) for x, y in pts]

    d.rounded_rectangle([0, 0, 64 * k - 1, 64 * k - 1], radius=12 * k, fill=RED)
    # The house: roof 14..30, walls 18..46 down to 50, a door 28..36 from 38.
    d.polygon(
        p(
            [
                (32, 14),
                (12, 30),
                (18, 30),
                (18, 50),
                (28, 50),
                (28, 38),
                (36, 38),
                (36, 50),
                (46, 50),
                (46, 30),
                (52, 30),
            ]
        ),
        fill=WHITE,
    )
    # The heart on it.
    d.ellipse([(24 * k, 30.5 * k), (32.4 * k, 38.5 * k)], fill=RED)
    d.ellipse([(31.6 * k, 30.5 * k), (40 * k, 38.5 * k)], fill=RED)
    d.polygon(p([(24.3, 35.6), (32, 44), (39.7, 35.6), (32, 34)]), fill=RED)
    return img.resize((size, size), Image.LANCZOS)


out = Path("static/img")


draw(64).save(out / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])
