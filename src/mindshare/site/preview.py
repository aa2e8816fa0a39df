"""The preview image of the answer (`SITE/preview.png`, 1200x630, the size Open Graph and Twitter cards show): the
field, the headline and the scoreboard's current rows, each with its leader and lead, and where it comes from.

Drawn as an SVG here (text wrapped with site.text's widths) and rasterised by vl-convert's resvg, which the report
already uses for its chart images: no browser is needed to publish (the scheduled workflow and a plain server
have none), and the same input gives the same PNG bytes.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from mindshare.site.badges import lead_figure, short_label
from mindshare.site.text import text_width, truncate, wrap

WIDTH, HEIGHT = 1200, 630
MARGIN = 56
ROWS = 5
BOLD = 1.12        # bold glyphs are this much wider than the regular ones the width table holds
COLOURS = {"light": {"bg": "#fbfbfd", "ink": "#1d2330", "muted": "#5b6475", "accent": "#2f5bd3", "line": "#e3e6ec"},
           "dark": {"bg": "#16181d", "ink": "#e6e8ee", "muted": "#a3abba", "accent": "#8fb0ff", "line": "#343a46"}}


def answer_card_svg(results: dict[str, Any], *, site_name: str = "", theme: str = "light") -> str:
    """The card as SVG text, from results.json: its field title, the headline section's headline and scoreboard."""
    colours = COLOURS[theme]
    headline: dict[str, Any] = next((s for s in results.get("sections", []) if s.get("id") == "headline"), {})
    sentence = next((f["text"] for f in headline.get("findings", []) if f.get("role") == "headline"), "")
    rows: list[dict[str, Any]] = next((t["rows"] for t in headline.get("tables", []) if t.get("name") == "scoreboard"), [])
    rows = [r for r in rows if r.get("current", True) and r.get("leader_name")][:ROWS]
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}">'),
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{colours["bg"]}"/>',
           f'<rect width="{WIDTH}" height="10" fill="{colours["accent"]}"/>']
    y = MARGIN + 30
    out.append(_text(MARGIN, y, f"{results.get('field_title') or results.get('field') or ''}: who is winning?",
                     30, colours["muted"], bold=True))
    y += 24
    lines = wrap(sentence, (WIDTH - 2 * MARGIN) / BOLD, 34)
    if len(lines) > 4:
        lines = lines[:3] + [truncate(" ".join(lines[3:]), (WIDTH - 2 * MARGIN) / BOLD, 34)]
    for line in lines:
        y += 46
        out.append(_text(MARGIN, y, line, 34, colours["ink"], bold=True))
    y += 30
    for row in rows:
        y += 44
        out.append(f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{y - 32}" y2="{y - 32}" '
                   f'stroke="{colours["line"]}" stroke-width="2"/>')
        lead = f"{row['leader_name']} {lead_figure(row)}".strip()
        room = WIDTH - 2 * MARGIN - text_width(lead, 26) * BOLD - 24
        out.append(_text(MARGIN, y, truncate(short_label(row), room, 26), 26, colours["ink"]))
        out.append(_text(WIDTH - MARGIN, y, lead, 26, colours["accent"], bold=True, anchor="end"))
        if y > HEIGHT - 90:
            break
    footer = " · ".join(p for p in (f"report of {results.get('as_of') or headline.get('report_date') or ''}",
                                    "every number with its source", site_name) if p)
    out.append(_text(MARGIN, HEIGHT - 32, footer, 22, colours["muted"]))
    out.append("</svg>\n")
    return "".join(out)


def answer_card_png(results: dict[str, Any], *, site_name: str = "", theme: str = "light") -> bytes:
    import vl_convert

    return bytes(vl_convert.svg_to_png(answer_card_svg(results, site_name=site_name, theme=theme)))


def _text(x: float, y: float, text: str, size: float, fill: str, *, bold: bool = False, anchor: str = "start") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:g}" y="{y:g}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="{size:g}"'
            f'{weight} fill="{fill}" text-anchor="{anchor}">{escape(text)}</text>')
