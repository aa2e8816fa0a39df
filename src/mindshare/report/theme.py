"""The look the report's pages and the published site's pages share, declared once: the colours, light and dark
(the dark ones where the reader's system asks for them, `prefers-color-scheme`), and the favicon.

Every colour pair a page writes text in is at least 4.5:1 (WCAG AA for body text) on its background, in both
themes. The charts follow too: in the dark theme the page asks vega-embed for its `dark` theme on a transparent
background, so a chart sits on the page's own card colour.
"""

from __future__ import annotations

from urllib.parse import quote

LIGHT = {
    "ink": "#1d2330", "muted": "#5b6475", "line": "#e3e6ec", "accent": "#2f5bd3", "bg": "#fbfbfd",
    "card": "#ffffff", "head": "#f1f3f8", "target": "#fff6d6",
    "high": "#1f7a3a", "medium": "#8a5f00", "low": "#b3261e",
}
DARK = {
    "ink": "#e6e8ee", "muted": "#a3abba", "line": "#343a46", "accent": "#8fb0ff", "bg": "#16181d",
    "card": "#1f232b", "head": "#272c36", "target": "#4a3f12",
    "high": "#6fd08c", "medium": "#e7b95a", "low": "#ff8a80",
}

# Three bars of the page's accent colour: the tab says which page is mindshare's. Inline (a data: URL), so the
# browser asks no server for /favicon.ico (a static host answers 404, and the console logs it) and the folder
# opened from disk shows it too.
_ICON = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>"
         "<rect width='16' height='16' rx='3' fill='#2f5bd3'/>"
         "<rect x='3' y='8' width='2.5' height='5' fill='#fff'/><rect x='6.75' y='5' width='2.5' height='8' fill='#fff'/>"
         "<rect x='10.5' y='3' width='2.5' height='10' fill='#fff'/></svg>")
FAVICON = "data:image/svg+xml," + quote(_ICON, safe=":/=' ")


def favicon_link() -> str:
    return f'<link rel="icon" type="image/svg+xml" href="{FAVICON}">'


def css_variables() -> str:
    """The colours as CSS custom properties (`var(--ink)`), switching to the dark ones where the reader's system is
    dark."""
    light = " ".join(f"--{name}: {value};" for name, value in LIGHT.items())
    dark = " ".join(f"--{name}: {value};" for name, value in DARK.items())
    return (f":root {{ color-scheme: light dark; {light} }}\n"
            f"  @media (prefers-color-scheme: dark) {{ :root {{ {dark} }} }}")


def dark_chart_config() -> dict[str, object]:
    """What a chart takes on a dark page besides vega's dark theme: no background of its own (the card's shows) and
    its labels in the page's ink (a text mark is black in every vega theme)."""
    return {"background": None, "text": {"color": DARK["ink"]}}
