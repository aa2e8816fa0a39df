"""How wide a line of text is in the images the site draws, so that a badge fits its words and a source line
wraps where it should. Widths come from the table of DejaVu Sans advance widths and kerning pairs that badgepy
(the maintained fork of Google's pybadges) ships, measured as shields.io measures its badges: no font is read at
run time, so every machine draws the same bytes."""

from __future__ import annotations

from functools import lru_cache

TABLE_SIZE = 110.0   # the table's widths are of 110-unit text (shields draws at 110 and scales by 0.1)


@lru_cache(maxsize=1)
def measurer():
    from importlib.resources import files

    from badgepy.precalculated_text_measurer import PrecalculatedTextMeasurer

    # the table read directly: PrecalculatedTextMeasurer.default() goes through importlib's deprecated calls
    with files("badgepy").joinpath("default-widths.json").open(encoding="utf-8") as table:
        return PrecalculatedTextMeasurer.from_json(table)


def text_width(text: str, font_size: float = 11.0) -> float:
    """The width of `text` in DejaVu Sans (Verdana's metrics are close) at `font_size` px."""
    return measurer().text_width(text) * font_size / TABLE_SIZE


def wrap(text: str, width: float, font_size: float = 11.0) -> list[str]:
    """`text` broken at spaces into lines no wider than `width` px (a single word wider than that stands alone)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, font_size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def truncate(text: str, width: float, font_size: float = 11.0) -> str:
    """`text` cut with an ellipsis so that it is no wider than `width` px."""
    if text_width(text, font_size) <= width:
        return text
    while text and text_width(text + "…", font_size) > width:
        text = text[:-1]
    return text.rstrip() + "…"
