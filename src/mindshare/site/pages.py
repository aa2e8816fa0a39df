"""The small pages around the report: `latest/` (a page that sends the reader on to the newest permalink), the
list of every permalink (`archive/`), and what a page's <head> needs to be shared well (a canonical URL, Open
Graph and Twitter card meta with the preview image).

`latest/` is a redirect page, not a copy and not a symlink: a symlink does not survive most static hosts (GitHub
Pages artifacts, S3, rsync without -l), and a copy would hold a second vega.js and every chart again at every
publish. A meta refresh works from any static host and from the folder opened as files, needs no script, and
leaves the reader on the permalink: the address they copy to cite is the one that never changes. The page also
links there plainly, for a reader whose browser does not follow the refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from mindshare.report.theme import css_variables, favicon_link
from mindshare.site.urls import absolute

ARCHIVE = "archive/index.html"
LATEST = "latest/index.html"
STYLE = """<style>
  """ + css_variables() + """
  body { margin: 0 auto; max-width: 48rem; padding: 1.5rem 1rem; font: 16px/1.55 system-ui, -apple-system,
         "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
  a { color: var(--accent); }
  .meta { color: var(--muted); font-size: .9rem; }
  ol.permalinks { padding-left: 0; list-style: none; }
  ol.permalinks li { border-bottom: 1px solid var(--line); padding: .5rem 0; }
  ol.permalinks .headline { display: block; color: var(--muted); font-size: .92rem; }
  li, p { overflow-wrap: anywhere; }
  body.wide { max-width: 60rem; }
  .chart { width: 100%; min-height: 200px; margin: 1rem 0; }
  figure { margin: 1.2rem 0; padding-bottom: .8rem; border-bottom: 1px solid var(--line); }
  figure img { max-width: 100%; height: auto; }
  figcaption { color: var(--muted); font-size: .9rem; margin: .3rem 0; }
  pre { white-space: pre-wrap; word-break: break-all; font-size: .78rem; background: var(--card); padding: .4rem;
        border: 1px solid var(--line); border-radius: 4px; }
  summary { cursor: pointer; color: var(--accent); font-size: .9rem; }
</style>"""


@dataclass(frozen=True)
class Permalink:
    """A published answer: its folder (`2026-12-01`) and its headline, for the list."""

    name: str
    headline: str = ""


@dataclass(frozen=True)
class ShareMeta:
    """What a page says about itself when shared: its title, a sentence, its canonical address and the preview
    image (absolute URLs: a crawler reads them out of context)."""

    title: str
    description: str
    url: str
    image: str = ""
    image_alt: str = ""
    site_name: str = "mindshare"


def head_meta(meta: ShareMeta) -> str:
    """The <head> lines: canonical link, Open Graph and Twitter card (a large image when there is one)."""
    tags = [f'<link rel="canonical" href="{escape(meta.url)}">',
            f'<meta name="description" content="{escape(meta.description)}">',
            '<meta property="og:type" content="website">',
            f'<meta property="og:site_name" content="{escape(meta.site_name)}">',
            f'<meta property="og:title" content="{escape(meta.title)}">',
            f'<meta property="og:description" content="{escape(meta.description)}">',
            f'<meta property="og:url" content="{escape(meta.url)}">']
    if meta.image:
        tags += [f'<meta property="og:image" content="{escape(meta.image)}">',
                 f'<meta property="og:image:alt" content="{escape(meta.image_alt or meta.title)}">',
                 '<meta property="og:image:width" content="1200">',
                 '<meta property="og:image:height" content="630">']
    tags += [f'<meta name="twitter:card" content="{"summary_large_image" if meta.image else "summary"}">',
             f'<meta name="twitter:title" content="{escape(meta.title)}">',
             f'<meta name="twitter:description" content="{escape(meta.description)}">']
    if meta.image:
        tags += [f'<meta name="twitter:image" content="{escape(meta.image)}">',
                 f'<meta name="twitter:image:alt" content="{escape(meta.image_alt or meta.title)}">']
    return "\n".join(tags) + "\n"


def with_head(html: str, extra: str) -> str:
    """`html` with `extra` just before its </head> (the report's pages are written by report.render; the site adds
    its meta to them)."""
    at = html.find("</head>")
    if at < 0:
        raise ValueError("the page has no </head>")
    return html[:at] + extra + html[at:]


def feed_link(title: str, root: str = "") -> str:
    """The <head> line that lets a browser or reader find the feed; `root` leads from the page to the site's root
    ("" at the root, "../" in a permalink)."""
    return f'<link rel="alternate" type="application/atom+xml" title="{escape(title)}" href="{root}feed.xml">\n'


def latest_page(newest: Permalink, site: str | None, *, title: str) -> bytes:
    """`latest/index.html`: sends the reader on to the newest permalink. `site`: the site's address, when it has one
    (the canonical link is then the permalink's)."""
    target = f"../{newest.name}/"
    body = (f"<h1>{escape(title)}</h1>\n<p>The latest answer is the one published on "
            f'<a href="{escape(target)}">{escape(newest.name)}</a>.</p>\n')
    canonical = f'<link rel="canonical" href="{escape(absolute(site, f"{newest.name}/"))}">\n' if site else ""
    return page(f"{title}: latest", body, head=f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n'
                 f'{canonical}<meta name="robots" content="noindex">\n')


def archive_page(permalinks: list[Permalink], site: str | None, *, title: str, feed: bool = True) -> bytes:
    """`archive/index.html`: every permalink, newest first, with its headline. `feed`: whether the site has one."""
    items = "".join(f'<li><a href="../{escape(p.name)}/">{escape(p.name)}</a>'
                    f'<span class="headline">{escape(p.headline)}</span></li>\n'
                    for p in sorted(permalinks, key=lambda p: _order(p.name), reverse=True))
    follow = ' · <a href="../feed.xml">the feed</a>' if feed else ""
    body = (f"<h1>{escape(title)}: every published answer</h1>\n"
            '<p class="meta">Each page below is kept as it was published and never changed: cite it. '
            '<a href="../">The current answer</a> · <a href="../latest/">the latest permalink</a> · '
            f'<a href="../history/">how the answer changed</a>{follow} · <a href="../data/">the numbers</a></p>\n'
            f'<ol class="permalinks">\n{items}</ol>\n')
    head = (f'<link rel="canonical" href="{escape(absolute(site, "archive/"))}">\n' if site else "") + \
        (feed_link(title, "../") if feed else "")
    return page(f"{title}: every published answer", body, head=head)


def embed_page(charts: list[tuple[str, str]], badges: list, site: str | None, *, title: str) -> bytes:
    """`embed/index.html`: each chart (name, title) and each badge shown as it embeds (a <picture> that follows the
    reader's light or dark theme), with the Markdown and HTML to paste (absolute addresses when the site has
    one)."""
    from mindshare.site.badges import badge_snippets
    from mindshare.site.embeds import embed_path

    root = site or "../"
    parts = [f"<h1>{escape(title)}: embed the answer</h1>\n",
             '<p class="meta">Each image below is a file of this site, redrawn at every publish: paste the lines under '
             'it into a README, a page or a slide. The badges say each measure\'s leader and lead as the '
             '<a href="../">scoreboard</a> does; the charts carry their sources in the image.</p>\n',
             "<h2>Badges</h2>\n"]
    for badge in badges:
        snippet = badge_snippets(badge, root, link=root)
        shown = _picture(f"../{badge.path('light')}", f"../{badge.path('dark')}", badge.title)
        parts.append(f'<figure id="badge-{escape(badge.slug)}">{shown}'
                     f"<figcaption>{escape(badge.title)}</figcaption>{_snippets(snippet)}</figure>\n")
    parts.append("<h2>Charts</h2>\n")
    for name, chart_title in charts:
        light, dark = embed_path(name), embed_path(name, "dark")
        markdown = f"![{_md(chart_title)}]({root}{light})"
        html = (f'<picture><source media="(prefers-color-scheme: dark)" srcset="{escape(root + dark)}">'
                f'<img alt="{escape(chart_title)}" src="{escape(root + light)}"></picture>')
        parts.append(f'<figure id="chart-{escape(name)}">{_picture(f"../{light}", f"../{dark}", chart_title)}'
                     f"<figcaption>{escape(chart_title)}</figcaption>"
                     f"{_snippets({'markdown': markdown, 'html': html})}</figure>\n")
    canonical = f'<link rel="canonical" href="{escape(absolute(site, "embed/"))}">\n' if site else ""
    return page(f"{title}: embed the answer", "".join(parts), head=canonical)


def history_page(points: list, events: list, spec: str, vega: str, site: str | None, *, title: str) -> bytes:
    """`history/index.html`: the scoreboard through time as a chart (drawn by the page's copy of vega, `spec` the
    chart's Vega-Lite JSON) and as plain events, newest first, each with its own anchor."""
    from mindshare.site.history import anchor

    days = [p.day for p in points]
    span = f"{days[0].isoformat()} to {days[-1].isoformat()}" if days else ""
    items = "".join(f'<li id="{anchor(e)}"><b>{escape(e.title)}</b><span class="headline">{escape(e.summary)}'
                    f"</span></li>\n" for e in events)
    chart = ('<div class="chart" id="lead-history" data-spec="lead-history-spec" role="img" '
             f'aria-label="{escape(title)}: each measure\'s lead through time"></div>\n'
             f'<script type="application/json" id="lead-history-spec">{spec}</script>\n'
             f'<script src="{escape(vega)}"></script>\n<script>{_DRAW}</script>\n') if spec else ""
    body = (f"<h1>{escape(title)}: how the answer changed</h1>\n"
            f'<p class="meta">Each measure of the scoreboard as it was known on each day read ({escape(span)}: each '
            "month end, each earlier publish, and today), counting only the figures published by then. The chart "
            "shows the lead of each measure's leader today over its runner-up today, with its 95% interval where it "
            'has one; the line marks no lead. <a href="../">The current answer</a> · '
            '<a href="../data/history.csv">the table (CSV)</a> · <a href="../data/events.json">the events (JSON)</a>'
            "</p>\n" + chart + "<h2>What changed, newest first</h2>\n"
            f'<ol class="permalinks events">\n{items or "<li>Nothing changed on the days read.</li>"}</ol>\n')
    canonical = f'<link rel="canonical" href="{escape(absolute(site, "history/"))}">\n' if site else ""
    return page(f"{title}: how the answer changed", body,
                head=canonical + (feed_link(title, "../") if site else ""), wide=True)


# The history page draws its one chart as the report draws its own (vega-embed, SVG, the dark theme on a dark page).
_DRAW = """
(function () {
  var element = document.getElementById("lead-history");
  var spec = JSON.parse(document.getElementById("lead-history-spec").textContent);
  // stacked views do not follow their container's width: each is given the page's, less its axis
  var width = Math.max(160, element.clientWidth - 90);
  (spec.vconcat || []).forEach(function (view) {
    if (view.width === "container") { view.width = width; }
    if (view.title && view.title.limit) { view.title.limit = width; }
  });
  delete spec.title;   // the page's heading says it; a title wider than a phone would widen the page
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var options = {actions: false, renderer: "svg"};
  if (dark) { options.theme = "dark"; options.config = {background: null}; }
  vegaEmbed(element, spec, options)
    .then(function () { element.setAttribute("data-rendered", "true"); })
    .catch(function (error) { element.setAttribute("data-error", String(error)); element.textContent = "chart failed: " + error; });
})();
"""


def _picture(light: str, dark: str, alt: str) -> str:
    return (f'<picture><source media="(prefers-color-scheme: dark)" srcset="{escape(dark)}">'
            f'<img alt="{escape(alt)}" src="{escape(light)}"></picture>')


def _snippets(snippets: dict[str, str]) -> str:
    return ("<details><summary>Markdown and HTML to paste</summary>"
            f"<pre><code>{escape(snippets['markdown'])}</code></pre>"
            f"<pre><code>{escape(snippets['html'])}</code></pre></details>")


def _md(text: str) -> str:
    return "".join("\\" + c if c in "\\[]" else c for c in text)


def page(title: str, body: str, *, head: str = "", wide: bool = False) -> bytes:
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
            f"{favicon_link()}\n"   # inline: no favicon.ico request for a static host to answer 404
            f"{head}{STYLE}\n</head>\n<body{_WIDE if wide else ''}>\n{body}</body>\n</html>\n").encode()


_WIDE = ' class="wide"'


def _order(name: str) -> tuple[str, int]:
    """'2026-12-01-2' after '2026-12-01', both before '2026-12-02'."""
    day, n = name[:10], name[11:]
    return day, int(n) if n.isdigit() else 1
