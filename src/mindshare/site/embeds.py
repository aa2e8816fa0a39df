"""A chart as an image to embed elsewhere (`SITE/embed/<chart>.svg` and `<chart>-dark.svg`): the report's Vega-Lite
spec drawn by vl-convert at a fixed width, light or dark, with the figure's source written under it, inside the
image, so that a copy carries where its numbers come from.

The spec is drawn as it is, in vl-convert's `dark` theme for the dark version; the source line is wrapped to the
chart's width with the same text widths as the badges (site.text) and set in the SVG as text, escaped.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from mindshare.report.render import file_spec
from mindshare.site.text import wrap

FOLDER = "embed"
WIDTH = 640            # the width of a chart the page draws at its container's width (as report.render does)
FONT_SIZE = 11.0
LINE_HEIGHT = 15
PADDING = 8
THEMES: dict[str, dict[str, Any]] = {
    # background (the dark one is vl-convert's dark theme's), ink of the source line (each at least 4.5:1)
    "light": {"background": "#ffffff", "ink": "#555555", "vl_theme": None},
    "dark": {"background": "#333333", "ink": "#d0d0d0", "vl_theme": "dark"},
}
_ID = re.compile(r'\bid="([^"]+)"')
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\b(width|height)="([0-9.]+)"')


def embed_path(chart: str, theme: str = "light") -> str:
    return f"{FOLDER}/{chart}{'' if theme == 'light' else '-' + theme}.svg"


def chart_svg(spec: dict[str, Any], source: str, theme: str = "light", *, title: str = "", name: str = "chart",
              width: int = WIDTH) -> bytes:
    """The chart of `spec` as an SVG document, in `theme` ("light" or "dark"), with `source` written under it.
    `name` prefixes the element ids, so that several charts inlined in one page do not share one."""
    import vl_convert

    colours = THEMES.get(theme)
    if colours is None:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    inner = vl_convert.vegalite_to_svg(static_spec(spec, colours["background"], width), theme=colours["vl_theme"])
    return _with_source(_stable_ids(inner, f"{name}-{theme}"), source, title, colours)


def _stable_ids(svg: str, prefix: str) -> str:
    """Element ids renumbered in order of appearance under `prefix`: vl-convert numbers clip paths with a counter
    that runs on through the process (clip1 in one run is clip5 in the next), so the same chart would not give
    the same bytes."""
    ids = list(dict.fromkeys(_ID.findall(svg)))
    if not ids:
        return svg
    names = {old: f"{prefix}-{n}" for n, old in enumerate(ids, 1)}
    pattern = re.compile(r'(id="|url\(#|href="#)(' + "|".join(re.escape(i) for i in ids) + r')(?=["\)])')
    return pattern.sub(lambda m: m.group(1) + names[m.group(2)], svg)


def static_spec(spec: dict[str, Any], background: str, width: int = WIDTH) -> dict[str, Any]:
    """The spec for a file: a fixed width where the page uses its container's, time in UTC (report.render's
    file_spec), and the theme's background."""
    static = file_spec(spec, width)
    static["background"] = background
    return static


def _with_source(inner: str, source: str, title: str, colours: dict[str, Any]) -> bytes:
    """`inner` (vl-convert's SVG) inside a taller SVG that writes `source` under it."""
    root = _ROOT.search(inner)
    if root is None:
        raise ValueError("vl-convert returned no <svg> element")
    size = dict(_SIZE.findall(root.group(0)))
    width, height = float(size["width"]), float(size["height"])
    lines = wrap(source, width - 2 * PADDING, FONT_SIZE) if source else []
    total = height + (len(lines) * LINE_HEIGHT + PADDING if lines else 0)
    label = ". ".join(part for part in (title, source) if part)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{_n(width)}" height="{_n(total)}" viewBox="0 0 {_n(width)} {_n(total)}" role="img" '
            f"aria-label={quoteattr(label)}>")]
    if label:
        out.append(f"<title>{escape(label)}</title>")
    out.append(f'<rect width="{_n(width)}" height="{_n(total)}" fill="{colours["background"]}"/>')
    out.append(inner[root.start():].strip())
    for i, line in enumerate(lines):
        y = height + (i + 1) * LINE_HEIGHT - 3
        out.append(f'<text x="{PADDING}" y="{_n(y)}" font-family="DejaVu Sans,Verdana,sans-serif" '
                   f'font-size="{_n(FONT_SIZE)}" fill="{colours["ink"]}">{escape(line)}</text>')
    out.append("</svg>\n")
    return "".join(out).encode("utf-8")


def _n(value: float) -> str:
    """A length without a needless '.0'."""
    return f"{value:g}"


# -- where a chart's numbers come from, in results.json ---------------------------------------------------------
def chart_sources(results: dict[str, Any], chart: str) -> list[str]:
    """The sources of a chart's numbers, in the order its table first cites them: each row's `source_ref` looked up
    in the source list (results.json's `sources` section). A chart whose table cites none (a matrix of shares
    computed from another table) takes the sources its section's tables cite."""
    names = _source_names(results)
    for section in results.get("sections", []):
        for item in section.get("charts") or []:
            if item.get("name") != chart:
                continue
            tables = section.get("tables") or []
            refs = _refs([t for t in tables if t.get("name") == item.get("table")]) or _refs(tables)
            return list(dict.fromkeys(names.get(ref, ref) for ref in refs))
    raise KeyError(f"no chart named {chart!r} in these results")


def _refs(tables: list[dict[str, Any]]) -> list[str]:
    """The source references cited by `tables`' rows, in order (a cell may cite several: "S1, S2")."""
    cells = [row.get("source_ref") for table in tables for row in table.get("rows", [])]
    return [ref for cell in cells if cell for ref in re.split(r"[,;\s]+", str(cell)) if ref]


def _source_names(results: dict[str, Any]) -> dict[str, str]:
    section = next((s for s in results.get("sections", []) if s.get("id") == "sources"), None)
    rows = section["tables"][0]["rows"] if section and section.get("tables") else []
    return {str(row.get("ref")): str(row.get("source")) for row in rows}


def source_line(sources: list[str], *, report_date: str, url: str = "") -> str:
    """'Source: A; B. mindshare, report of 2026-12-06, https://…' — what the image says under the chart."""
    line = f"Source: {'; '.join(sources)}." if sources else "Source: see the report."
    line += f" mindshare, report of {report_date}"
    return f"{line}, {url}" if url else line
