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


def latest_page(newest: Permalink, site: str, *, title: str) -> bytes:
    """`latest/index.html`: sends the reader on to the newest permalink."""
    target = f"../{newest.name}/"
    url = absolute(site, f"{newest.name}/")
    body = (f"<h1>{escape(title)}</h1>\n<p>The latest answer is the one published on "
            f'<a href="{escape(target)}">{escape(newest.name)}</a>.</p>\n')
    return page(f"{title}: latest", body, head=f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n'
                 f'<link rel="canonical" href="{escape(url)}">\n<meta name="robots" content="noindex">\n')


def archive_page(permalinks: list[Permalink], site: str, *, title: str) -> bytes:
    """`archive/index.html`: every permalink, newest first, with its headline."""
    items = "".join(f'<li><a href="../{escape(p.name)}/">{escape(p.name)}</a>'
                    f'<span class="headline">{escape(p.headline)}</span></li>\n'
                    for p in sorted(permalinks, key=lambda p: _order(p.name), reverse=True))
    body = (f"<h1>{escape(title)}: every published answer</h1>\n"
            '<p class="meta">Each page below is kept as it was published and never changed: cite it. '
            '<a href="../">The current answer</a> · <a href="../latest/">the latest permalink</a> · '
            '<a href="../feed.xml">the feed</a> · <a href="../data/">the numbers</a></p>\n'
            f'<ol class="permalinks">\n{items}</ol>\n')
    head = f'<link rel="canonical" href="{escape(absolute(site, "archive/"))}">\n' + \
        f'<link rel="alternate" type="application/atom+xml" title="{escape(title)}" href="../feed.xml">\n'
    return page(f"{title}: every published answer", body, head=head)


def page(title: str, body: str, *, head: str = "") -> bytes:
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
            f"{favicon_link()}\n"   # inline: no favicon.ico request for a static host to answer 404
            f"{head}{STYLE}\n</head>\n<body>\n{body}</body>\n</html>\n").encode()


def _order(name: str) -> tuple[str, int]:
    """'2026-12-01-2' after '2026-12-01', both before '2026-12-02'."""
    day, n = name[:10], name[11:]
    return day, int(n) if n.isdigit() else 1
