"""A badge per scoreboard row, shields-style: "PyPI downloads | PyTorch 3.6×", in light and dark, with the
Markdown and HTML to paste into a README.

The badge's figure is the scoreboard's (the same rounding as its `lead` column), its tooltip and alt text say the
rest of the row (the period, the interval or that it is a complete count, the source), and its colour says how
far the lead can be trusted: green for a lead the scoreboard counts (clear, or a complete count), grey when it is
within chance or a tie, amber when the data are too old to count. Drawn by badgepy (the maintained fork of Google's
pybadges: shields.io's template and text widths), which escapes every text it writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from mindshare.analysis.leads import AS_COUNTED, CLEAR, TIE, WITHIN_CHANCE
from mindshare.site.text import measurer

THEMES = ("light", "dark")
LED = (CLEAR, AS_COUNTED)
# label and message backgrounds; the text on them is white (shields' template), each pair at least 4.5:1
COLOURS = {
    "light": {"label": "#555555", "led": "#1a7f37", "close": "#6e7781", "old": "#8a5a00"},
    "dark": {"label": "#30363d", "led": "#238636", "close": "#57606a", "old": "#7d4e00"},
}
FOLDER = "badge"


@dataclass(frozen=True)
class Badge:
    """One scoreboard row as a badge. `slug` names its files (badge/<slug>.svg and badge/<slug>-dark.svg)."""

    slug: str
    label: str        # what is measured: "PyPI downloads"
    message: str      # who leads and by how much: "PyTorch 3.6×"
    tone: str         # "led", "close" or "old": the colour
    title: str        # the whole row in words: the tooltip and the alt text

    def path(self, theme: str = "light") -> str:
        return f"{FOLDER}/{self.slug}{'' if theme == 'light' else '-' + theme}.svg"


def scoreboard_badges(rows: Iterable[dict[str, Any]]) -> list[Badge]:
    """A badge for each scoreboard row (results.json: the headline section's `scoreboard` table), in its order;
    two rows of one signal get distinct names (downloads, downloads-2)."""
    badges: list[Badge] = []
    taken: set[str] = set()
    for row in rows:
        base = _slug(str(row.get("signal") or "signal"))
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        badges.append(badge_for(row, slug))
    return badges


def badge_for(row: dict[str, Any], slug: str) -> Badge:
    label = short_label(row)
    status = row.get("lead_status") or ""
    leader = str(row.get("leader_name") or "")
    figure = lead_figure(row)
    if status in (WITHIN_CHANCE, TIE) or not leader:
        message = {TIE: "tie", WITHIN_CHANCE: "too close to call"}.get(status, "no lead to read")
        tone = "close"
    else:
        message = f"{leader} {figure}".strip()
        tone = "led" if status in LED else "close"
    if not row.get("current", True):
        message = f"{message}, {row['period']}" if row.get("period") else message
        tone = "old"
    return Badge(slug, label, message, tone, _title(row, label))


def short_label(row: dict[str, Any]) -> str:
    """The row's name for a badge: its `short_label` when the scoreboard gives one, else its label without the
    closing parenthesis ("new GitHub stars (all-time total beside it)" -> "new GitHub stars")."""
    label = str(row.get("short_label") or row.get("label") or row.get("signal") or "")
    return re.sub(r"\s*\([^()]*\)$", "", label) or label


def lead_figure(row: dict[str, Any]) -> str:
    """The lead as the scoreboard rounds it: '3.6×' for a ratio, '+0.5 points' for a gap in percentage points."""
    if row.get("lead_scale") == "points":
        gap = next((f.get("value") for f in row.get("figures") or [] if f.get("name") == "lead_points"), None)
        return f"+{gap:.1f} points" if isinstance(gap, (int, float)) else ""
    ratio = row.get("ratio")
    return f"{ratio:.1f}×" if isinstance(ratio, (int, float)) else ""


def _title(row: dict[str, Any], label: str) -> str:
    parts = [f"{label}: {row.get('leader_name') or 'no leader'}"]
    if row.get("runner_up_name"):
        parts[0] += f" vs {row['runner_up_name']}"
    if row.get("lead"):
        parts.append(str(row["lead"]))
    if row.get("period"):
        parts.append(str(row["period"]))
    if not row.get("current", True):
        parts.append("too old to count")
    if row.get("source"):
        parts.append(f"source: {row['source']}")
    return "; ".join(parts)


def badge_svg(badge: Badge, theme: str = "light") -> bytes:
    """The badge as an SVG document (UTF-8)."""
    import badgepy

    colours = COLOURS[_theme(theme)]
    svg = badgepy.badge(left_text=badge.label, right_text=badge.message, left_color=colours["label"],
                        right_color=colours[badge.tone], whole_title=badge.title,
                        id_suffix=f"-{badge.slug}-{theme}", measurer=measurer())
    return (svg + "\n").encode("utf-8")


def badge_snippets(badge: Badge, base_url: str, link: str = "") -> dict[str, str]:
    """What to paste: `markdown` (the light badge, linked to the site) and `html` (a <picture> that shows the dark
    badge where the reader's system is dark)."""
    base = base_url.rstrip("/") + "/"
    href = link or base
    light, dark = base + badge.path("light"), base + badge.path("dark")
    alt = badge.title
    markdown = f"[![{_md(alt)}]({light})]({href})"
    html = (f'<a href="{escape(href)}"><picture>'
            f'<source media="(prefers-color-scheme: dark)" srcset="{escape(dark)}">'
            f'<img alt="{escape(alt)}" src="{escape(light)}">'
            f"</picture></a>")
    return {"markdown": markdown, "html": html}


def _md(text: str) -> str:
    """Alt text inside Markdown's [...]: brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "signal"


def _theme(theme: str) -> str:
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    return theme
