"""One publish: the whole site, as files (path -> bytes), from the store. `mindshare publish` checks what it was
given, calls `site_files`, then lays the files over the folder (site.folder): nothing is written before every file
is made, so a publish that fails leaves the site as it was.

What a publish makes (docs/publish.md shows the layout):

- the report of today (the same as `mindshare report`'s, so a report already made is reused) as `index.html`
  (canonical: the site's address), `sources.html`, `report.md` and `results.json`, and the same in its permalink `<day>/` (canonical:
  the permalink), each page with its Open Graph / Twitter card meta, the preview image, the feed's link and a bar of
  links around the site; each scoreboard row says its lead at the last publish (read from that permalink's answer:
  what readers saw then, not a recount);
- `vega/<digest>.js`: the chart library, named by its content and never rewritten, so a permalink keeps the library
  it was published with while the site moves on;
- `history/`: the scoreboard through time (site.history), drawn as a chart and listed as plain events, with
  `data/history.csv|json` and `data/events.json`; `feed.xml`, from the same events;
- `embed/<chart>.svg` and `-dark.svg` (every chart of the report and the history's), `badge/<measure>.svg` and
  `-dark.svg`, and `embed/` the page that shows each with the Markdown and HTML to paste;
- `preview.png`, `latest/`, `archive/`, `data/` (site.data).

Without `base` (no --base-url) the site is one to open from the folder or serve anywhere: every link is relative,
and what needs an absolute address is left out (the canonical link, the card's meta, the feed).

Every file is a function of the store's content, the field, the options, the day and the site's earlier
permalinks: publishing again with no new data makes the same bytes. The costly parts are kept in the cache (the
report and each day's answer by report.build; each drawn image here, by what it is drawn from). A publish whose
inputs and folder are those the last publish left does not come here (site.identity).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mindshare import console
from mindshare.errors import InputError
from mindshare.report import cache
from mindshare.report.build import KnownFigures, answer_as_of, build_report, code_digest
from mindshare.report.render import (
    PageExtras,
    keep_in_cache,
    render_html,
    render_markdown,
    render_sources_html,
    results_document,
    scoreboard_key,
    vega_bundle,
)
from mindshare.site import badges, data, embeds, history, pages, preview
from mindshare.site.feed import FEED_FILE, atom_feed
from mindshare.site.folder import PERMALINK, SiteFolder
from mindshare.site.urls import absolute

if TYPE_CHECKING:
    from mindshare.fields import Field
    from mindshare.report.model import Report
    from mindshare.store import Store

HISTORY_CHART = "lead_history"
VEGA_FOLDER = "vega"


@dataclass(frozen=True)
class Published:
    """What `site_files` made: the files, and the permalink and answer they hold."""

    files: dict[str, bytes]
    permalink: str
    headline: str
    events: int


def last_publish_before(folder: SiteFolder, today: date) -> date | None:
    """The day of the newest permalink before `today` (a publish earlier today is not 'the last publish': publishing
    again the same day must compare with the same day as the first time)."""
    days = [_day_of(name) for name in folder.permalinks()]
    earlier = [day for day in days if day < today]
    return max(earlier) if earlier else None


def site_files(store: Store, field: Field, folder: SiteFolder, *, base: str | None, months: int,
               today: date) -> Published:
    """Every file of the site for today's publish (see the module's docstring)."""
    since = last_publish_before(folder, today)
    # no compare_to: what changed since the last publish is said beside each row from that permalink's answer; the
    # report's own --compare-to words would say it twice, and cost a second analysis
    report = build_report(store, field, today=today)
    results = results_document(report)
    rows = _scoreboard(results)
    if not any(row.get("current") and row.get("leader_name") for row in rows):
        raise InputError(f"the field {field.name!r} has no current measure (no signal with recent data that compares "
                         "two of its contenders), so there is no answer to publish; `mindshare collect` gets some")
    if isinstance(report, cache.HeldReport):
        content: Report = report.content()
    else:
        content = report
        keep_in_cache(report)
    site = Site(base, field, results, content, _vega_path(), today)

    published = {day: kind for day, kind in history.timeline_days(today, months, map(_day_of, folder.permalinks()))}
    console.say(f"reading the answer as known on {len(published) - 1} earlier days (each month end of the last "
                f"{months} months, and earlier publishes) ...")
    points = []
    known = KnownFigures(store)   # the store read once for every day, not once a day
    for day, kind in published.items():
        answer = _headline(results) if kind == history.TODAY else answer_as_of(store, field, day, known=known)
        points.append(history.Point(day, kind, answer))
    names = {c.id: c.name for c in field.contenders}
    found = history.events(points, names)
    then = _earlier_answer(folder, since)

    files: dict[str, bytes] = {}
    files[site.vega] = vega_bundle().encode("utf-8")
    files.update(_earlier_libraries(folder, keep=site.vega))
    permalink = folder.permalink_for(today, lambda name: site.report_files(name, then, since, permalink=name))
    files.update({f"{permalink}/{path}": body
                  for path, body in site.report_files(permalink, then, since, permalink=permalink).items()})
    files.update(site.report_files(None, then, since, permalink=permalink))
    files["preview.png"] = _preview(results, site.host)
    files.update(site.badge_files())
    files.update(site.embed_files(points))
    files.update(site.history_files(points, found))
    files.update(data.data_files(results, more=site.history_data(points, found)))
    listed = [pages.Permalink(name, _permalink_headline(folder, name)) for name in folder.permalinks()
              if name != permalink] + [pages.Permalink(permalink, site.headline)]
    title = site.title
    files[pages.LATEST] = pages.latest_page(max(listed, key=lambda p: _order(p.name)), base, title=title)
    files[pages.ARCHIVE] = pages.archive_page(listed, base, title=title, feed=base is not None)
    if base is not None:
        files[FEED_FILE] = atom_feed(found, base, title=f"{title}: who is winning?",
                                     subtitle="When a lead changes, one contender passes another, a confidence label "
                                              "moves or a measure gets new data (mindshare)", updated=today)
    return Published(files, permalink, site.headline, len(found))


class Site:
    """The parts every page of one publish shares: the address, the field, the report, the library."""

    def __init__(self, base: str | None, field: Field, results: dict[str, Any], report: Report, vega: str,
                 today: date):
        self.base, self.field, self.results, self.report, self.vega, self.today = \
            base, field, results, report, vega, today
        self.title = report.field_title or field.title or field.name
        self.headline = _headline_text(results)
        parts = urlsplit(base) if base else None
        self.host = f"{parts.hostname}{parts.path}".rstrip("/") if parts else ""
        self._pages: tuple[str, str, bytes, bytes] | None = None
        self._history_chart: dict[int, Any] = {}

    def url(self, path: str) -> str | None:
        return absolute(self.base, path) if self.base else None

    # -- the report's pages ---------------------------------------------------------------------------------------
    def report_files(self, place: str | None, then: Mapping[str, Any] | None, since: date | None, *,
                     permalink: str) -> dict[str, bytes]:
        """The report's files at the root (`place` None) or in its permalink folder (`place`: `permalink`, the name
        of today's permalink)."""
        root = "" if place is None else "../"
        here = "" if place is None else f"{place}/"
        index, sources, markdown, document = self._rendered(then, since)
        banner = self._banner(root, place, permalink)
        return {"index.html": _fill(index, head=self._head(here, root), banner=banner,
                                    vega=escape(f"{root}{self.vega}")),
                "sources.html": _fill(sources, head=self._head(f"{here}sources.html", root, card=False),
                                      banner=banner, vega=""),
                "report.md": markdown, "results.json": document}

    def _rendered(self, then: Mapping[str, Any] | None, since: date | None) -> tuple[str, str, bytes, bytes]:
        """The report's pages rendered once, with slots for what differs between the root and a permalink (the
        <head> lines, the bar, the library's address): a page takes seconds to render, a slot is a replace."""
        if self._pages is None:
            extras = PageExtras(head=_SLOT.format("head"), banner=_SLOT.format("banner"),
                                vega_script=_SLOT.format("vega"), since=_since(self.results, then, since))
            index = render_html(self.report, extras)
            sources = render_sources_html(self.report, PageExtras(head=_SLOT.format("head"),
                                                                  banner=_SLOT.format("banner")))
            self._pages = (index, sources, render_markdown(self.report, with_images=False).encode("utf-8"),
                           json.dumps(self.results, indent=1, ensure_ascii=False).encode("utf-8"))
        return self._pages

    def _head(self, path: str, root: str, *, card: bool = True) -> str:
        lines = ""
        if self.base is not None:
            meta = pages.ShareMeta(f"{self.title}: who is winning?", self.headline, absolute(self.base, path),
                                   absolute(self.base, "preview.png") if card else "",
                                   f"The answer: {self.headline}", site_name=f"mindshare: {self.title}")
            lines = pages.head_meta(meta) + pages.feed_link(f"{self.title}: who is winning?", root)
        return lines

    def _banner(self, root: str, place: str | None, permalink: str) -> str:
        links = [(f"{root}", "the current answer")] if place is not None else [
            (f"{permalink}/", "this answer's permalink")]
        links += [(f"{root}history/", "how the answer changed"), (f"{root}archive/", "every published answer"),
                  (f"{root}embed/", "embed it"), (f"{root}data/", "the numbers")]
        if self.base is not None:
            links.append((f"{root}{FEED_FILE}", "follow (Atom)"))
        words = (f"Published {escape(place[:10])} and kept as it was: cite this address. "
                 if place is not None else "")
        return ('<nav class="site-bar" aria-label="this site">' + words +
                " ".join(f'<a href="{escape(href)}">{escape(text)}</a>' for href, text in links) + "</nav>\n")

    # -- badges and embeds --------------------------------------------------------------------------------------------
    def badges(self) -> list[badges.Badge]:
        return badges.scoreboard_badges(_scoreboard(self.results))

    def badge_files(self) -> dict[str, bytes]:
        return {badge.path(theme): badges.badge_svg(badge, theme)
                for badge in self.badges() for theme in badges.THEMES}

    def charts(self, points: list[history.Point]) -> list[tuple[str, str, dict[str, Any], str]]:
        """Every chart to embed: (name, title, Vega-Lite spec, source line): the report's, then the history's."""
        day = _report_day(self.results)
        out = []
        for section in self.report.sections:
            for chart in section.charts:
                sources = embeds.chart_sources(self.results, chart.name)
                out.append((chart.name, chart.title, chart.spec,
                            embeds.source_line(sources, report_date=day, url=self.url("") or "")))
        lead = self.history_chart(points)
        if lead is not None:
            out.append((HISTORY_CHART, lead.title, lead.spec,
                        embeds.source_line(["the answer of each day (mindshare's scoreboard)"], report_date=day,
                                           url=self.url("history/") or "")))
        return out

    def history_chart(self, points: list[history.Point]):
        """The chart of the scoreboard through time (report.figures.lead_history), made once per publish."""
        import pandas as pd

        from mindshare.report.figures import lead_history

        if id(points) not in self._history_chart:
            frame = pd.DataFrame(history.lead_frame(points))
            self._history_chart[id(points)] = None if frame.empty else lead_history(
                HISTORY_CHART, f"{self.title}: the lead of each measure counted today, as known at each month end",
                frame, table="history")
        return self._history_chart[id(points)]

    def embed_files(self, points: list[history.Point]) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        shown = []
        for name, title, spec, source in self.charts(points):
            for theme in embeds.THEMES:
                files[embeds.embed_path(name, theme)] = _chart_svg(spec, source, theme, title, name)
            shown.append((name, title))
        files["embed/index.html"] = pages.embed_page(shown, self.badges(), self.base, title=self.title)
        return files

    # -- the history ---------------------------------------------------------------------------------------------------
    def history_files(self, points: list[history.Point], found: list) -> dict[str, bytes]:
        chart = self.history_chart(points)
        spec = json.dumps(chart.spec, separators=(",", ":")).replace("<", "\\u003c") if chart else ""
        return {"history/index.html": pages.history_page(points, found, spec, f"../{self.vega}", self.base,
                                                         title=self.title)}

    def history_data(self, points: list[history.Point], found: list) -> list[tuple[str, bytes, str]]:
        """data/history.json and .csv (each measure on each day read) and data/events.json."""
        rows = history.history_rows(points)
        field = self.results.get("field")
        events = [{"day": e.day.isoformat(), "kind": e.kind, "signal": e.signal, "title": e.title,
                   "summary": e.summary, "id": history.anchor(e)} for e in found]
        return [("history.json", data.json_bytes({"field": field, "rows": rows}),
                 "the scoreboard through time: each measure's leader and lead on each day read"),
                ("history.csv", data.csv_bytes(rows), "the scoreboard through time (rows only)"),
                ("events.json", data.json_bytes({"field": field, "events": events}),
                 "the events of the feed: leads that changed, crossings, confidence, new data")]


_SLOT = "mindshare-site-slot-{}-7c1e"


def _fill(page: str, **values: str) -> bytes:
    for name, value in values.items():
        page = page.replace(_SLOT.format(name), value)
    return page.encode("utf-8")


# -- what the last publish said -----------------------------------------------------------------------------------------
def _earlier_answer(folder: SiteFolder, since: date | None) -> dict[str, Any] | None:
    """The answer of the newest permalink of the day `since` (what readers saw at the last publish)."""
    if since is None:
        return None
    names = [name for name in folder.permalinks() if _day_of(name) == since]
    if not names:
        return None
    try:
        document = json.loads((folder.path / max(names, key=_order) / "results.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return _headline(document) if isinstance(document, dict) else None


def _since(results: dict[str, Any], then: Mapping[str, Any] | None, day: date | None) -> dict[str, Any] | None:
    """The scoreboard's column "at the last publish": each row's leader and lead then ("same" when unchanged)."""
    if then is None or day is None:
        return None
    earlier = {scoreboard_key(row): row for row in history.Point(day, history.PUBLISHED, then).rows()}
    values = {}
    for row in _scoreboard(results):
        old = earlier.get(scoreboard_key(row))
        if old is None:
            continue
        text = f"{old.get('leader_name') or 'no leader'} {badges.lead_figure(old)}".strip()
        now = f"{row.get('leader_name') or 'no leader'} {badges.lead_figure(row)}".strip()
        values[scoreboard_key(row)] = "same" if text == now and old.get("period") == row.get("period") else text
    return {"title": "last publish", "day": day.isoformat(),
            "explained": f"The lead at the last publish, {day.isoformat()} ('same': the same leader, lead and period)",
            "values": values}


def _permalink_headline(folder: SiteFolder, name: str) -> str:
    try:
        document = json.loads((folder.path / name / "results.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    return _headline_text(document) if isinstance(document, dict) else ""


def _earlier_libraries(folder: SiteFolder, keep: str) -> dict[str, bytes]:
    """The chart libraries earlier permalinks load (vega/<digest>.js): kept, as they were."""
    out = {}
    for name in sorted(folder.previous):
        if name.startswith(f"{VEGA_FOLDER}/") and name != keep:
            try:
                out[name] = (folder.path / name).read_bytes()
            except OSError:
                continue
    return out


# -- images, drawn once ---------------------------------------------------------------------------------------------------
def _chart_svg(spec: dict[str, Any], source: str, theme: str, title: str, name: str) -> bytes:
    import vl_convert

    key = _digest("embed", code_digest(), vl_convert.__version__, json.dumps(spec, sort_keys=True), source, theme,
                  title, name)
    return _drawn(key, ".svg", lambda: embeds.chart_svg(spec, source, theme, title=title, name=name))


def _preview(results: dict[str, Any], host: str) -> bytes:
    import vl_convert

    svg = preview.answer_card_svg(results, site_name=host)
    return _drawn(_digest("preview", code_digest(), vl_convert.__version__, svg), ".png", lambda: preview.answer_card_png(
        results, site_name=host))


def _drawn(key: str, suffix: str, draw: Callable[[], bytes]) -> bytes:
    """An image drawn once: kept in the cache under `key` (a digest of what it is drawn from, and of the code that
    draws it: a new way of drawing, such as time axes in UTC, is not handed an image drawn the old way)."""
    folder = cache.folder("site-images")
    path = folder / f"{key}{suffix}" if folder else None
    if path is not None:
        try:
            return path.read_bytes()
        except OSError:
            pass
    image = draw()
    if path is not None:
        cache.write_atomically(path, image)
    return image


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _vega_path() -> str:
    """vega/<digest>.js: the library's address, named by its bytes."""
    return f"{VEGA_FOLDER}/{hashlib.sha256(vega_bundle().encode('utf-8')).hexdigest()[:16]}.js"


# -- small readers ------------------------------------------------------------------------------------------------------------
def _headline(results: Mapping[str, Any]) -> dict[str, Any] | None:
    return next((s for s in results.get("sections") or [] if s.get("id") == "headline"), None)


def _scoreboard(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    return history.Point(date.min, history.TODAY, _headline(results)).rows()


def _headline_text(results: Mapping[str, Any]) -> str:
    section = _headline(results) or {}
    return next((f.get("text", "") for f in section.get("findings") or [] if f.get("role") == "headline"), "")


def _report_day(results: Mapping[str, Any]) -> str:
    return str(results.get("as_of") or (_headline(results) or {}).get("report_date") or results.get("generated_at"))


def _day_of(name: str) -> date:
    match = PERMALINK.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not a permalink")
    return date.fromisoformat(match.group(1))


def _order(name: str) -> tuple[str, int]:
    match = PERMALINK.match(name)
    return (match.group(1), int(match.group(2) or 1)) if match else (name, 0)

