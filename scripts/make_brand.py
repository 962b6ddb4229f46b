"""Draw the integration's brand images into custom_components/voipnow/brand/.

The mark is a rounded-square tile in a teal-to-blue gradient carrying a white
phone handset; the logo sets the mark beside a "VoipNow" wordmark.  Everything
is drawn at four times the final size and scaled down, which gives clean
anti-aliased edges without any vector tooling.  Run with the venv's Python
(Pillow comes with Home Assistant): `.venv/bin/python scripts/make_brand.py`.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components/voipnow/brand"
SCALE = 4  # supersampling factor

TEAL = (0, 168, 160)
BLUE = (23, 92, 211)
WORDMARK_LIGHT = (28, 38, 52)  # dark slate, for light backgrounds
WORDMARK_DARK = (236, 242, 248)  # near white, for dark backgrounds


def gradient(size: int) -> Image.Image:
    """Return a square diagonal gradient from teal (top left) to blue."""
    small = Image.new("RGB", (64, 64))
    small.putdata(
        [
            (
                round(TEAL[0] + (BLUE[0] - TEAL[0]) * (x + y) / 126),
                round(TEAL[1] + (BLUE[1] - TEAL[1]) * (x + y) / 126),
                round(TEAL[2] + (BLUE[2] - TEAL[2]) * (x + y) / 126),
            )
            for y in range(64)
            for x in range(64)
        ]
    )
    return small.resize((size, size), Image.Resampling.BICUBIC)


def handset_mask(size: int) -> Image.Image:
    """Return an L-mode mask of a white handset centred in a square."""
    canvas = size * 2
    mask = Image.new("L", (canvas, canvas), 0)
    draw = ImageDraw.Draw(mask)
    # Drawn upright (the handle an arch on top, both cups facing its centre),
    # then turned so the handle bows towards the lower left like a classic
    # phone glyph.  Angles are Pillow's: degrees clockwise from three o'clock.
    c = canvas / 2
    radius = canvas * 0.26
    stroke = canvas * 0.08
    span = 47
    outer = radius + stroke / 2
    draw.arc(
        (c - outer, c - outer, c + outer, c + outer),
        270 - span,
        270 + span,
        fill=255,
        width=round(stroke),
    )
    cup_length = canvas * 0.21
    cup_depth = canvas * 0.13
    for end in (270 - span, 270 + span):
        phi = math.radians(end)
        # Outer edges flush with the handle's, the cups stand out inwards.
        middle = radius + stroke / 2 - cup_depth / 2
        x = c + middle * math.cos(phi)
        y = c + middle * math.sin(phi)
        cup = Image.new("L", (canvas, canvas), 0)
        ImageDraw.Draw(cup).rounded_rectangle(
            (
                c - cup_length / 2,
                c - cup_depth / 2,
                c + cup_length / 2,
                c + cup_depth / 2,
            ),
            radius=cup_depth * 0.48,
            fill=255,
        )
        cup = cup.rotate(-end - 90, resample=Image.Resampling.BICUBIC)
        cup = ImageChops.offset(cup, round(x - c), round(y - c))
        mask = ImageChops.lighter(mask, cup)
    # Blur and re-threshold: fillets where the cups meet the handle.
    mask = mask.filter(ImageFilter.GaussianBlur(canvas * 0.012))
    mask = mask.point(lambda v: 255 if v >= 128 else 0)
    mask = mask.rotate(135, resample=Image.Resampling.BICUBIC)
    # Fit the drawing into the middle of the square.
    mask = mask.crop(mask.getbbox())
    fit = size * 0.58 / max(mask.size)
    mask = mask.resize(
        (round(mask.width * fit), round(mask.height * fit)), Image.Resampling.LANCZOS
    )
    result = Image.new("L", (size, size), 0)
    result.paste(mask, ((size - mask.width) // 2, (size - mask.height) // 2))
    return result


def mark(size: int) -> Image.Image:
    """Return the square mark (tile and handset) at the given final size."""
    big = size * SCALE
    tile = Image.new("L", (big, big), 0)
    ImageDraw.Draw(tile).rounded_rectangle(
        (0, 0, big - 1, big - 1), radius=round(big * 0.22), fill=255
    )
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(gradient(big), (0, 0), tile)
    white = Image.new("RGBA", (big, big), (255, 255, 255, 255))
    image.paste(white, (0, 0), handset_mask(big))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int, *, dark: bool) -> Image.Image:
    """Return the landscape logo: the mark, then the wordmark."""
    big = height * SCALE
    font = ImageFont.load_default(size=round(big * 0.62))
    text = "VoipNow"
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    stroke = round(big * 0.012)  # a touch bolder than the regular face
    left, top, right, bottom = probe.textbbox(
        (0, 0), text, font=font, stroke_width=stroke
    )
    gap = round(big * 0.22)
    width = big + gap + round(right - left) + round(big * 0.04)
    image = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    image.paste(mark(big), (0, 0))
    draw = ImageDraw.Draw(image)
    ink = WORDMARK_DARK if dark else WORDMARK_LIGHT
    text_y = (big - (bottom - top)) / 2 - top
    draw.text(
        (big + gap - left, text_y),
        text,
        font=font,
        fill=ink,
        stroke_width=stroke,
        stroke_fill=ink,
    )
    return image.resize((width // SCALE, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write every brand image."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    images = {
        "icon.png": mark(256),
        "icon@2x.png": mark(512),
        "logo.png": logo(128, dark=False),
        "logo@2x.png": logo(256, dark=False),
        "dark_logo.png": logo(128, dark=True),
        "dark_logo@2x.png": logo(256, dark=True),
    }
    for name, image in images.items():
        image.save(BRAND_DIR / name, optimize=True)
        print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
