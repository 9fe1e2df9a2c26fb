"""Draw the home-screen icons named in the manifest: `python -m alliance.elder.icons`.

The PNGs are committed; this is only rerun when the design changes. It draws the favicon's
design (a white 共 on the alliance red) with Noto Sans CJK, which Debian's fonts-noto-cjk installs.
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = (166, 27, 27)
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
OUT = Path(__file__).resolve().parents[2] / "static" / "img"


def draw(size: int, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), RED if maskable else (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    if not maskable:  # a rounded tile; a maskable icon fills the square, the launcher crops it
        canvas.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=RED)
    # A maskable icon keeps its mark inside the central 80 % circle (the "safe zone").
    glyph = int(size * (0.5 if maskable else 0.62))
    font = ImageFont.truetype(str(FONT), glyph, index=2)  # index 2: the Simplified Chinese face
    canvas.text((size / 2, size / 2), "共", font=font, fill=(255, 255, 255), anchor="mm")
    return image


def main() -> int:
    from alliance.elder.views import ICONS

    for name, size, purpose in ICONS:
        draw(size, purpose == "maskable").save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
