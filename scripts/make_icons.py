"""Draw the app icons of the web app manifest (our own drawing: a white house with a red heart
on the portal's red). Run: .venv/bin/python scripts/make_icons.py; the PNGs are committed."""

from pathlib import Path

from PIL import Image, ImageDraw

RED = (220, 53, 69)  # Bootstrap's danger red, the navbar's colour (theme_color)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "icons"
SCALE = 4  # drawn large, then reduced: smooth edges


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    img = Image.new("RGB", (big, big), RED)
    d = ImageDraw.Draw(img)
    if not maskable:
        # A plain icon: a rounded red tile on transparency.
        img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        d.rounded_rectangle([0, 0, big - 1, big - 1], radius=big // 5, fill=RED)
    # Maskable icons keep their drawing inside the 80% safe circle; plain ones use more room.
    s = big * (0.56 if maskable else 0.72)
    x0, y0 = (big - s) / 2, (big - s) / 2 - s * 0.02
    roof = [(x0, y0 + s * 0.45), (x0 + s / 2, y0), (x0 + s, y0 + s * 0.45)]
    d.polygon(roof, fill=WHITE)
    d.rectangle([x0 + s * 0.14, y0 + s * 0.40, x0 + s * 0.86, y0 + s], fill=WHITE)
    # The heart: two circles and a point.
    cx, cy, r = x0 + s / 2, y0 + s * 0.62, s * 0.11
    d.ellipse([cx - 2 * r, cy - r, cx, cy + r], fill=RED)
    d.ellipse([cx, cy - r, cx + 2 * r, cy + r], fill=RED)
    d.polygon([(cx - 1.93 * r, cy + r * 0.35), (cx + 1.93 * r, cy + r * 0.35), (cx, cy + r * 2.5)], fill=RED)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    draw(180, maskable=True).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
