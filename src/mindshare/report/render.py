"""Render a built report as files: index.html (the sections), sources.html (the source list every figure links
to), vega.js (the chart library both pages load), report.md, results.json, charts/*.png and *.svg.

Everything is written to a staging folder beside the destination and moved into place only when complete
(report.folder), so a failed run never leaves half a report. A report rendered once is kept in the cache
(report.cache) under its identity: the next run with the same store, field, options and day copies its files
(`HeldReport`), which needs none of the heavy imports below (jinja2, pandas, vl-convert): they are made where used.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindshare import console, settings
from mindshare._version import __version__
from mindshare.report.cache import FILES, HeldReport, keep_report
from mindshare.report.folder import ReportFolder
from mindshare.report.theme import css_variables, dark_chart_config, favicon_link

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

    from mindshare.report.model import Report, Section, Table

STATIC_WIDTH = 640
SOURCES_SECTION = "sources"
HEADLINE_SECTION = "headline"
VEGA_SCRIPT = "vega.js"   # Vega, Vega-Lite and vega-embed, beside the pages (no CDN)
CHARTS = "charts"


@lru_cache(maxsize=2)
def templates(markdown: bool = False) -> jinja2.Environment:
    """The page templates (HTML: every value escaped), or the Markdown ones (escaped by `md` where they say so)."""
    import jinja2

    loader = jinja2.PackageLoader("mindshare.report", "templates")
    if markdown:
        return jinja2.Environment(loader=loader, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                  keep_trailing_newline=True)
    return jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
                              trim_blocks=True, lstrip_blocks=True)


def write_report(report: Report | HeldReport, out: Path, *, render_images: bool = True) -> Path:
    """Write `report` to the folder `out` (see report.folder: a new, empty or report folder; files the user
    added stay); return the folder."""
    folder = ReportFolder(out)
    if isinstance(report, HeldReport) and folder.holds(_held_files(report, render_images)):
        return folder.path   # the same report is there already: nothing to write
    try:
        with folder.staging() as staging:
            (staging / CHARTS).mkdir()
            if isinstance(report, HeldReport):
                _stage_held(report, staging, render_images)
            else:
                _stage_built(report, staging, render_images)
            folder.publish(staging)
    except OSError as exc:
        raise folder.error(exc.strerror or str(exc)) from None
    return folder.path


def _stage_built(report: Report, staging: Path, render_images: bool) -> None:
    """Render every file of `report` into `staging`, and keep them in the cache for the next run."""
    document = results_document(report)
    _put(staging, "results.json", json.dumps(document, indent=1, ensure_ascii=False))
    _put(staging, "index.html", render_html(report))
    _put(staging, "sources.html", render_sources_html(report))
    _put(staging, VEGA_SCRIPT, vega_bundle())
    markdown = {images: render_markdown(report, with_images=images) for images in (True, False)}
    _put(staging, "report.md", markdown[render_images])
    if render_images:
        write_chart_images(report, staging / CHARTS)
    else:
        stop_drawing_charts()
    keep_report(report, staging, markdown, charts=render_images)


def keep_in_cache(report: Report) -> None:
    """Keep a report just built in the cache, as `write_report` would (for a caller that renders its own pages from
    it, such as `mindshare publish`): the next build of the same identity is then a copy."""
    stop_drawing_charts()
    with tempfile.TemporaryDirectory() as folder:
        staging = Path(folder)
        _put(staging, "results.json", json.dumps(results_document(report), indent=1, ensure_ascii=False))
        _put(staging, "index.html", render_html(report))
        _put(staging, "sources.html", render_sources_html(report))
        _put(staging, VEGA_SCRIPT, vega_bundle())
        keep_report(report, staging, {images: render_markdown(report, with_images=images) for images in (True, False)},
                    charts=False)


def _stage_held(report: HeldReport, staging: Path, render_images: bool) -> None:
    """Copy the files of a report kept in the cache into `staging` (its charts drawn now if they never were)."""
    for name, source in _held_files(report, render_images).items():
        _put(staging, name, source)
    if render_images and report.charts() is None:
        write_chart_images(report.content(), staging / CHARTS)
        report.keep_charts(staging / CHARTS)


def _held_files(report: HeldReport, render_images: bool) -> dict[str, Path]:
    """The report folder's files (name -> the cached file with its bytes) of a held report; without the charts
    when they were never drawn for it."""
    files = {name: report.file(name) for name in FILES}
    files[VEGA_SCRIPT] = report.path / VEGA_SCRIPT
    files["report.md"] = report.markdown(render_images)
    drawn = report.charts() if render_images else None
    if drawn is not None:
        files.update({f"{CHARTS}/{chart.name}": chart for chart in sorted(drawn.iterdir())})
    return files


def _put(staging: Path, name: str, content: str | Path) -> None:
    """One file of the report into the staging folder: text, or a copy of a file."""
    target = staging / name
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    else:
        target.write_text(content, encoding="utf-8")


# -- JSON -----------------------------------------------------------------------------------------------------
def results_document(report: Report | HeldReport) -> dict[str, Any]:
    """results.json as data: the report's findings, tables and figures, every one with its source."""
    if isinstance(report, HeldReport):
        return report.document()
    from mindshare.report.model import jsonable

    return {
        "generated_at": report.generated_at,
        "mindshare_version": __version__,
        "field": report.field_name,
        "field_title": report.field_title,
        "as_of": report.as_of,
        "sections": [jsonable(s.document) if s.document is not None else {
            "id": s.id, "title": s.title, "intro": s.intro,
            "tables": [{"name": t.name, "caption": t.caption, "rows": _rows(t.frame)} for t in s.tables],
            "findings": [{"text": f.text, "figures": jsonable(f.figures)} for f in s.findings],
            "charts": [{"name": c.name, "title": c.title, "table": c.table, "png": f"charts/{c.name}.png",
                        "svg": f"charts/{c.name}.svg"} for c in s.charts],
            "notes": s.notes,
        } for s in report.sections],
        "snapshots": _rows(report.snapshots.drop(columns=["content_hash"], errors="ignore")),
    }


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values; dates as YYYY-MM-DD when they carry no time of day. (pandas' own JSON writer:
    walking the cells in Python costs a quarter of a second per report.)"""
    import pandas as pd

    from mindshare.report.model import jsonable

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            midnight = values.dropna().dt.normalize().eq(values.dropna()).all()
            text = values.dt.strftime("%Y-%m-%d") if midnight else values.map(lambda v: v.isoformat())
            out[column] = text.astype("object").where(values.notna(), None)
        elif out[column].dtype == object:
            out[column] = out[column].map(jsonable)
    return json.loads(out.to_json(orient="records", default_handler=str, double_precision=15))


# -- HTML -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageExtras:
    """What a page that is published on a site carries beyond the report's own (mindshare.site fills it): lines for
    its <head> (canonical URL, Open Graph), a bar at the top of its body (links around the site), the address of
    the chart library, and `since`: a column of the scoreboard beside each row's value at an earlier day
    (`{"title": ..., "values": {row key: text}}`, rows keyed by `scoreboard_key`)."""

    head: str = ""
    banner: str = ""
    vega_script: str = VEGA_SCRIPT
    since: dict[str, Any] | None = None


def scoreboard_key(row: dict[str, Any]) -> str:
    """What makes a scoreboard row the same measure on another day: its signal, metric and segment."""
    return "|".join(str(row.get(part) or "") for part in ("signal", "metric", "segment"))


def render_html(report: Report, extras: PageExtras = PageExtras()) -> str:
    """index.html: the answer first (title, headline, sentences, the whole scoreboard: the first screen), then every
    section but the source list, which is sources.html."""
    from markupsafe import Markup

    from mindshare.report.tables import MAX_ALIGNED_COLUMNS, html_table

    answer = _headline_section(report)
    sections = [s for s in report.sections if s.id not in (SOURCES_SECTION, HEADLINE_SECTION)]
    specs = {chart.name: _script_json(chart.spec) for section in sections for chart in section.charts}
    return templates().get_template("report.html.j2").render(
        report=report, sections=sections, sources_section=_sources_section(report), specs=specs,
        answer=_answer_parts(answer), vega_script=extras.vega_script, table_html=html_table, version=__version__,
        aligned=MAX_ALIGNED_COLUMNS, extra_head=Markup(extras.head), banner=Markup(extras.banner),
        since=extras.since, row_key=scoreboard_key, **_page_look())


def _headline_section(report: Report) -> Section | None:
    return next((s for s in report.sections if s.id == HEADLINE_SECTION), None)


def _answer_parts(section: Section | None) -> dict[str, Any]:
    """The headline section's parts as the templates place them: the first screen, the line under the
    scoreboard, and what follows it."""
    from mindshare.report.sections import headline

    return {
        "section": section,
        "headline": headline.findings(section, ("headline",)),
        "sentences": headline.findings(section, ("sentence",)),
        "through": headline.findings(section, headline.AFTER_SCOREBOARD_ROLES),
        "more": headline.findings(section, headline.MORE_ROLES),
        "scoreboard": headline.table_rows(section, "scoreboard"),
        "lead_lag": headline.table_rows(section, "lead_lag"),
        "survey_changes": headline.table_rows(section, "survey_changes"),
        "notes": section.notes if section is not None else [],
    }


def render_sources_html(report: Report, extras: PageExtras = PageExtras()) -> str:
    """sources.html: the source list, one row per S-number, each row the target of the links to it."""
    from markupsafe import Markup

    from mindshare.report.tables import MAX_ALIGNED_COLUMNS, html_table

    section = _sources_section(report)
    table = section.tables[0] if section and section.tables else None
    return templates().get_template("sources.html.j2").render(
        report=report, section=section, table=table, version=__version__, aligned=MAX_ALIGNED_COLUMNS,
        sources_table=lambda t: html_table(_with_anchors(t), links_to=""), extra_head=Markup(extras.head),
        banner=Markup(extras.banner), **_page_look())


def _page_look() -> dict[str, str]:
    """What both pages' <head> take from report.theme: the favicon and the light/dark colours."""
    return {"favicon": favicon_link(), "theme_css": css_variables(), "dark_chart_config": _script_json(dark_chart_config())}


def _sources_section(report: Report) -> Section | None:
    return next((s for s in report.sections if s.id == SOURCES_SECTION), None)


def _with_anchors(table: Table) -> Table:
    """The source list with each ref the anchor its links jump to, and each URL a link."""
    import pandas as pd
    from markupsafe import Markup

    from mindshare.report.model import Table

    frame = table.frame.copy()
    if "ref" in frame:
        frame["ref"] = pd.Series([Markup('<a id="{0}" href="#{0}">{0}</a>').format(ref) for ref in frame["ref"]],
                                 index=frame.index, dtype=object)
    if "reference" in frame:
        frame["reference"] = pd.Series([Markup('<a href="{0}">{0}</a>').format(r)
                                        if str(r).startswith(("http://", "https://")) else r
                                        for r in frame["reference"]], index=frame.index, dtype=object)
    return Table(table.name, table.caption, frame, table.collapsed)


def _script_json(spec: dict) -> str:
    # Inside <script type="application/json"> only "</" could end the element early; escape every "<".
    return json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (no CDN), cached per vl-convert version (its first making
    takes seconds: `start_drawing` begins it while the report is still being built)."""
    return _background.wait("vega.js", _make_vega_bundle)


def _make_vega_bundle() -> str:
    import vl_convert

    path = _cache_dir() / f"vega-bundle-{vl_convert.__version__}.js"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle()
    _write_atomically(path, bundle.encode("utf-8"))
    return bundle


class _Background:
    """Drawing that can start before the report is written, on two threads beside the one that builds it: vl-convert
    draws in Rust and lets the builder's Python run meanwhile (a first report draws for as long as it computes).
    Each job is named by what it makes; asking for a job waits for it if it started, else runs it here."""

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        self.jobs: dict[str, Any] = {}

    def start(self, name: str, job: Any) -> None:
        if name not in self.jobs:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mindshare-draw")
            # in the caller's context: the command's settings (settings.using) are a context variable, which a
            # pool's thread does not inherit (it would read the cache folder from the environment instead)
            self.jobs[name] = self.pool.submit(contextvars.copy_context().run, job)

    def wait(self, name: str, job: Any) -> Any:
        started = self.jobs.pop(name, None)
        if started is not None and not started.cancel():
            try:
                return started.result()
            except OSError:
                pass   # its cache folder went away meanwhile (another MINDSHARE_CACHE): made again here
        return job()

    def drop(self, prefix: str) -> None:
        """Forget the jobs whose names start with `prefix`: those not begun never run (a process waits for its
        drawing threads before it exits, so what nobody will ask for must not keep it)."""
        for name in [name for name in self.jobs if name.startswith(prefix)]:
            self.jobs.pop(name).cancel()


_background = _Background()
_CHART_JOB = "chart:"


def start_drawing(sections: list[Section] | None = None) -> None:
    """Begin, in the background, what writing the report will need and takes long the first time: the chart library,
    and the PNG and SVG of the charts of `sections` (into the cache, where `write_chart_images` finds them)."""
    _background.start("vega.js", _make_vega_bundle)
    for section in sections or []:
        for chart in section.charts:
            static = _static_spec(chart.spec)
            key = _chart_key(static)
            folder = _cache_dir() / "charts"
            _background.start(f"{_CHART_JOB}{key}",
                              lambda static=static, key=key, folder=folder: _draw_chart(static, key, folder))


def stop_drawing_charts() -> None:
    """The report will be written without its chart images (`--no-png`, or a site that draws its own): drop the
    charts `start_drawing` has not begun."""
    _background.drop(_CHART_JOB)


# -- Markdown -------------------------------------------------------------------------------------------------
def render_markdown(report: Report, *, with_images: bool = True) -> str:
    """report.md: the answer first (as index.html), then the sections, the source list last."""
    from mindshare.report.tables import markdown_table, md_escape

    sections = [s for s in report.sections if s.id != HEADLINE_SECTION]
    return templates(markdown=True).get_template("report.md.j2").render(
        report=report, sections=sections, answer=_answer_parts(_headline_section(report)), md_table=markdown_table,
        md=md_escape, with_images=with_images, scoreboard_table=_scoreboard_markdown)


SCOREBOARD_COLUMNS = {"label": "measure", "period": "period", "leader_name": "leader", "lead": "lead",
                      "trend": "trend", "confidence": "confidence", "age": "data age"}


def _scoreboard_markdown(rows: list[dict]) -> str:
    import pandas as pd

    from mindshare.report.model import Table
    from mindshare.report.tables import markdown_table

    frame = pd.DataFrame([{name: _scoreboard_cell(row, key) for key, name in SCOREBOARD_COLUMNS.items()}
                          for row in rows])
    return markdown_table(Table("scoreboard", "", frame))


def _scoreboard_cell(row: dict, key: str) -> str:
    if key == "confidence":
        return f"{row.get('confidence', '')}: {row.get('confidence_reason', '')}"
    if key == "label" and not row.get("current", True):
        return f"{row.get('label', '')} (not counted)"
    return "" if row.get(key) is None else str(row.get(key))


# -- PNG and SVG ----------------------------------------------------------------------------------------------
def write_chart_images(report: Report, folder: Path) -> None:
    """PNG and SVG of every chart; rendered images are cached by spec, so an unchanged chart costs a copy."""
    jobs = [(chart.name, chart.spec) for section in report.sections for chart in section.charts]
    console.say(f"  drawing {len(jobs)} charts as PNG and SVG ...")
    contexts = [contextvars.copy_context() for _ in jobs]   # the command's settings reach the pool's threads
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job, context: context.run(_render_chart, job[0], job[1], folder), jobs, contexts))


def _render_chart(name: str, spec: dict, folder: Path) -> None:
    static = _static_spec(spec)
    key = _chart_key(static)
    drawn = _background.wait(f"{_CHART_JOB}{key}", lambda: _draw_chart(static, key, _cache_dir() / "charts"))
    for suffix in ("svg", "png"):
        shutil.copyfile(drawn / f"{key}.{suffix}", folder / f"{name}.{suffix}")


def _chart_key(static: dict) -> str:
    import vl_convert

    return hashlib.sha256((vl_convert.__version__ + json.dumps(static, sort_keys=True)).encode()).hexdigest()[:24]


def _draw_chart(static: dict, key: str, charts: Path) -> Path:
    """The chart's SVG and PNG into the cache's folder `charts` (named when the job was made: a job begun in the
    background writes where it was asked to), unless they are there; that folder."""
    import vl_convert

    for suffix in ("svg", "png"):
        cached = charts / f"{key}.{suffix}"
        if not cached.is_file():
            data = (vl_convert.vegalite_to_svg(static).encode("utf-8") if suffix == "svg"
                    else vl_convert.vegalite_to_png(static, scale=2))
            _write_atomically(cached, data)
    return charts


def _static_spec(spec: dict) -> dict:
    """The same chart for a file: a fixed width instead of the page's container width, no interaction."""
    static = file_spec(spec, STATIC_WIDTH)
    static.setdefault("background", "white")
    return static


def file_spec(spec: dict, width: int) -> dict:
    """A copy of `spec` to draw into a file (vl-convert): `width` where the page uses its container's, and every
    time axis in UTC. vl-convert draws a time scale in the zone of the process (TZ), so without it the same chart
    drawn on a machine west of Greenwich labels the day before, and a site published from two machines differs.

    Copied and changed in one walk (a spec is JSON: dicts, lists and plain values): copy.deepcopy and a second
    walk took over a second of a first report, the specs holding their data inline."""

    def fixed(node: Any) -> Any:
        if isinstance(node, list):
            return [fixed(child) for child in node]
        if not isinstance(node, dict):
            return node
        copied = {key: fixed(child) for key, child in node.items()}
        if copied.get("width") == "container":
            copied["width"] = width
        if copied.get("type") == "temporal" and "field" in copied:
            scale = copied.get("scale")
            if scale is None or isinstance(scale, dict) and "type" not in scale:
                copied["scale"] = {**(scale or {}), "type": "utc"}
            unit = copied.get("timeUnit")
            if isinstance(unit, str) and not unit.startswith("utc"):
                copied["timeUnit"] = f"utc{unit}"
        return copied

    return fixed(spec)


def _cache_dir() -> Path:
    path = settings.load().report_cache_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


__all__ = ["write_report", "results_document", "render_html", "render_sources_html", "render_markdown"]
