"""Every chart of the report, built here and only here: Vega-Lite specs (through Altair) with their data inlined,
each returned as a `Chart` that names the table holding its numbers.

Five kinds: `lines` (a series per contender, optional trend lines and labelled rules), `bars` (horizontal, one
panel per category, optional error bars), `small_multiples` (one line panel per column value),
`years_with_intervals` (a survey's years, one panel per population, each reading with its interval) and
`snapshots` (collected points beside bundled history, partial periods hollow and off the line).

Two rules hold for every kind:
- a contender's name is data, never part of a Vega expression: a custom sort order is an `order` column, not a
  list of names (Vega-Lite turns a sort list into an expression, and a name holding a JavaScript line terminator,
  U+2028, broke it); and every axis title and tooltip label is cleaned of what Vega-Lite does not escape when it
  writes them into the expressions of tooltips and ARIA descriptions (line terminators, a backslash before a
  quote);
- a chart carries only the columns its encodings read, so the page does not ship every observation column twice.

Specs are built by our own code and drawn by a real browser in the tests, so they are not validated against the
Vega-Lite schema at run time (half a second per report).
"""

from __future__ import annotations

import json
import re
from typing import Any

import altair as alt
import pandas as pd

from mindshare.report.model import Chart

WIDTH = 640
HEIGHT = 300
FALLBACK_COLORS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6",
                   "#9d755d", "#bab0ac"]
ORDER = "order"   # the column a custom sort order is read from

alt.data_transformers.disable_max_rows()


def lines(name: str, title: str, frame: pd.DataFrame, *, x: str, y: str, color: str, plot_title: str,
          y_title: str, palette: dict[str, str], table: str, log: bool = False, trend: pd.DataFrame | None = None,
          rules: pd.DataFrame | None = None, tooltip_extra: list[str] | None = None) -> Chart:
    """Lines per `color`; optional dashed trend lines (same colours) and labelled vertical rules."""
    scale = _colors(list(dict.fromkeys(frame[color])), palette)
    legend = alt.selection_point(fields=[color], bind="legend")
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    tooltip = [alt.Tooltip(f"{x}:T", title=x), alt.Tooltip(f"{color}:N"),
               alt.Tooltip(f"{y}:Q", format=",.4~g", title=label(y_title))] + [
        alt.Tooltip(t) for t in (tooltip_extra or [])]
    data = _Datasets()
    base = alt.Chart(data(frame)).encode(
        x=alt.X(f"{x}:T", title=None),
        y=alt.Y(f"{y}:Q", title=label(y_title), scale=y_scale),
        color=alt.Color(f"{color}:N", scale=scale, title=None, legend=alt.Legend(orient="top")),
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.15)),
    )
    layers = [base.mark_line(point=alt.OverlayMarkDef(size=18)).encode(tooltip=tooltip).add_params(legend)]
    if trend is not None and not trend.empty:
        layers.append(alt.Chart(data(trend)).mark_line(strokeDash=[6, 4], strokeWidth=1.5).encode(
            x=f"{x}:T", y=f"{y}:Q", detail="segment:N",
            color=alt.Color(f"{color}:N", scale=scale, legend=None),
            tooltip=[alt.Tooltip(f"{color}:N"), alt.Tooltip("label:N", title="trend")]))
    if rules is not None and not rules.empty:
        rule_data = data(rules)
        layers.append(alt.Chart(rule_data).mark_rule(color="#888", strokeDash=[2, 2]).encode(
            x=f"{x}:T", tooltip=[alt.Tooltip("label:N", title="note")]))
        layers.append(alt.Chart(rule_data).mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#555",
                                                     angle=0, baseline="top").encode(
            x=f"{x}:T", y=alt.value(2), text="short:N"))
    chart = alt.layer(*layers).properties(title=plot_title, width="container", height=HEIGHT)
    return Chart(name, title, data.attach(chart.interactive(bind_y=False).to_dict(validate=False)), table)


def bars(name: str, title: str, frame: pd.DataFrame, *, category: str, value: str, color: str, plot_title: str,
         x_title: str, palette: dict[str, str], table: str, error_low: str | None = None,
         error_high: str | None = None) -> Chart:
    """Horizontal bars, one panel per `category` (in ascending order), the bars in the order the rows give; optional
    error bars. The panels are stacked views, each with its own rows, not a facet: a facet whose panels list only
    their own bars (an independent y scale) over two layers (bars and their labels) makes Vega-Lite warn in the
    reader's console that it guessed the panels' sizes."""
    names = list(dict.fromkeys(frame[color]))
    scale = _colors(names, palette)
    datasets = _Datasets()
    ordered = frame.assign(**{ORDER: frame[color].map({n: i for i, n in enumerate(names)})})
    panels = sorted(ordered[category].dropna().unique(), key=str)
    views = []
    for position, panel in enumerate(panels):
        last = position == len(panels) - 1
        data = datasets(ordered[ordered[category] == panel])
        base = alt.Chart(data).encode(
            y=alt.Y(f"{color}:N", title=None, sort=alt.EncodingSortField(field=ORDER, op="min"),
                    axis=alt.Axis(labelLimit=90)),
            x=alt.X(f"{value}:Q", title=label(x_title) if last else None),
        )
        marks = base.mark_bar().encode(
            color=alt.Color(f"{color}:N", scale=scale, legend=None),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{color}:N"),
                     alt.Tooltip(f"{value}:Q", format=",.4~g", title=label(x_title))],
        )
        labels = base.mark_text(align="left", dx=3, fontSize=10).encode(
            text=alt.Text(f"{value}:Q", format=",.3~g"))
        layers = [marks, labels]
        if error_low and error_high:
            layers.append(base.mark_errorbar(ticks=True).encode(x=f"{error_low}:Q", x2=f"{error_high}:Q"))
        heading = alt.TitleParams(label(str(panel)), anchor="start", fontSize=11, fontWeight="normal", limit=300)
        views.append(alt.layer(*layers).properties(width=300, height=alt.Step(16), title=heading))
    chart = alt.vconcat(*views, spacing=12).resolve_scale(x="shared", color="shared").properties(title=plot_title)
    return Chart(name, title, datasets.attach(chart.to_dict(validate=False)), table)


def small_multiples(name: str, title: str, frame: pd.DataFrame, *, x: str, y: str, color: str, column: str,
                    plot_title: str, y_title: str, table: str, palette: dict[str, str] | None = None,
                    y_domain: tuple[float, float] | None = None) -> Chart:
    """One panel per `column`, lines per `color`."""
    scale = _colors(list(dict.fromkeys(frame[color])), palette or {})
    legend = alt.selection_point(fields=[color], bind="legend")
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=True)
    data = _Datasets()
    chart = alt.Chart(data(frame)).mark_line(point=alt.OverlayMarkDef(size=25)).encode(
        x=alt.X(f"{x}:O", title=None),
        y=alt.Y(f"{y}:Q", title=label(y_title), scale=y_scale),
        color=alt.Color(f"{color}:N", scale=scale, title=None, legend=alt.Legend(orient="top", columns=9)),
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
        tooltip=[alt.Tooltip(f"{column}:N"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{x}:O"),
                 alt.Tooltip(f"{y}:Q", format=".1f", title=label(y_title))],
    ).add_params(legend).properties(width=280, height=240)
    spec = chart.facet(column=alt.Column(f"{column}:N", title=None)).resolve_scale(x="independent") \
        .properties(title=plot_title).to_dict(validate=False)
    return Chart(name, title, data.attach(spec), table)


def years_with_intervals(name: str, title: str, frame: pd.DataFrame, *, year: str, value: str, low: str, high: str,
                         color: str, column: str, plot_title: str, y_title: str, palette: dict[str, str],
                         table: str) -> Chart:
    """One panel per `column` (a survey population), a line per `color` over the years, each reading with its
    interval as a vertical bar."""
    scale = _colors(list(dict.fromkeys(frame[color])), palette)
    legend = alt.selection_point(fields=[color], bind="legend")
    data = _Datasets()
    base = alt.Chart().encode(
        x=alt.X(f"{year}:O", title=None),
        color=alt.Color(f"{color}:N", scale=scale, title=None, legend=alt.Legend(orient="top", columns=8)),
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)))
    tooltip = [alt.Tooltip(f"{column}:N"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{year}:O"),
               alt.Tooltip(f"{value}:Q", format=".2f", title=label(y_title)),
               alt.Tooltip(f"{low}:Q", format=".2f", title="95% low"),
               alt.Tooltip(f"{high}:Q", format=".2f", title="95% high")]
    line = base.mark_line(point=alt.OverlayMarkDef(size=22)).encode(
        y=alt.Y(f"{value}:Q", title=label(y_title), scale=alt.Scale(zero=True)), tooltip=tooltip).add_params(legend)
    bars = base.mark_rule(strokeWidth=1.5).encode(y=f"{low}:Q", y2=f"{high}:Q")
    chart = alt.layer(line, bars, data=data(frame)).properties(width=210, height=170)
    spec = chart.facet(facet=alt.Facet(f"{column}:N", title=None), columns=2).properties(title=plot_title) \
        .to_dict(validate=False)
    return Chart(name, title, data.attach(spec), table)


def snapshots(name: str, title: str, points: pd.DataFrame, *, unit: str, palette: dict[str, str], table: str,
              log: bool = False) -> Chart:
    """Collected points beside bundled history: lines through complete periods (one per contender and origin),
    filled points for readings, hollow points off the line for partial periods; each tooltip names its snapshot.
    `points` has date, framework, value, origin, snapshot, partial and note."""
    scale = _colors(list(dict.fromkeys(points["framework"])), palette)
    datasets = _Datasets()
    data = datasets(points.assign(partial=points["partial"].astype(bool)))
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    tooltip = [alt.Tooltip("date:T"), alt.Tooltip("framework:N"),
               alt.Tooltip("value:Q", format=",.4~g", title=label(unit)),
               alt.Tooltip("origin:N"), alt.Tooltip("snapshot:N"), alt.Tooltip("note:N")]
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=label(unit), scale=y_scale),
        color=alt.Color("framework:N", scale=scale, title=None, legend=alt.Legend(orient="top")))
    complete = base.transform_filter("!datum.partial")
    layers = [
        complete.mark_line(strokeWidth=1.5).encode(
            detail="origin:N", strokeDash=alt.StrokeDash("origin:N", title=None, legend=alt.Legend(orient="top"))),
        complete.mark_point(filled=True, size=30).encode(shape=alt.Shape("origin:N", legend=None), tooltip=tooltip),
        base.transform_filter("datum.partial").mark_point(filled=False, size=60, strokeWidth=1.5).encode(
            tooltip=tooltip),
    ]
    spec = alt.layer(*layers).properties(title=title, width="container", height=HEIGHT) \
        .interactive(bind_y=False).to_dict(validate=False)
    return Chart(name, title, datasets.attach(spec), table)


def lead_history(name: str, title: str, frame: pd.DataFrame, *, table: str) -> Chart:
    """The lead of each measure through time, one stacked view per measure (as `bars`, not a facet): the lead of
    the measure's current leader over its current runner-up (`value`: a ratio on a log scale, or a gap in points),
    its interval as a band where it has one, and the line of no lead (1, or 0 points). `frame` has day, measure,
    pair, scale, value, low, high, leader and lead (site.history.lead_frame)."""
    datasets = _Datasets()
    views = []
    for measure in list(dict.fromkeys(frame["measure"])):
        rows = frame[frame["measure"] == measure]
        ratio = rows["scale"].iloc[0] != "points"
        data = datasets(rows.assign(day=pd.to_datetime(rows["day"])))
        axis_title = f"{rows['pair'].iloc[0]}: " + ("ratio" if ratio else "gap (points)")
        scale = alt.Scale(type="log") if ratio else alt.Scale(zero=False)
        base = alt.Chart(data).encode(x=alt.X("day:T", title=None, axis=alt.Axis(format="%Y-%m", tickCount="month", labelOverlap=True)))
        tooltip = [alt.Tooltip("day:T"), alt.Tooltip("leader:N", title="leader"), alt.Tooltip("lead:N")]
        layers = [
            base.mark_area(opacity=0.2).encode(y=alt.Y("low:Q", scale=scale, title=label(axis_title)), y2="high:Q"),
            base.mark_line(point=alt.OverlayMarkDef(size=30)).encode(
                y=alt.Y("value:Q", scale=scale, title=label(axis_title)), tooltip=tooltip),
            alt.Chart(data).mark_rule(strokeDash=[3, 3], color="#888").encode(y=alt.datum(1 if ratio else 0)),
        ]
        heading = alt.TitleParams(label(str(measure)), anchor="start", fontSize=12, limit=600)
        views.append(alt.layer(*layers).properties(width="container", height=110, title=heading))
    chart = alt.vconcat(*views, spacing=14).resolve_scale(x="shared").properties(title=title)
    return Chart(name, title, datasets.attach(chart.to_dict(validate=False)), table)


_LINE_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\u0085": " ", "\u2028": " ", "\u2029": " ",
                              "\\": "\uff3c"})


def label(text: str) -> str:
    """`text` as a tooltip label: Vega-Lite writes labels into an expression without escaping line terminators or
    a backslash before a quote, so those become a space and a fullwidth backslash."""
    return str(text).translate(_LINE_BREAKS)


def _colors(names: list[str], palette: dict[str, str]) -> alt.Scale:
    colors = [palette.get(n) or FALLBACK_COLORS[i % len(FALLBACK_COLORS)] for i, n in enumerate(names)]
    return alt.Scale(domain=names, range=colors)


class _Datasets:
    """Rows for a chart, kept aside as Vega-Lite named datasets and attached to the finished spec (Altair's own
    conversion of inline rows costs more than building the whole chart)."""

    def __init__(self) -> None:
        self.frames: dict[str, pd.DataFrame] = {}

    def __call__(self, frame: pd.DataFrame) -> alt.NamedData:
        name = f"mindshare-rows-{len(self.frames)}"  # not data_N: Vega-Lite names its own datasets so
        self.frames[name] = frame
        return alt.NamedData(name=name)

    def attach(self, spec: dict[str, Any]) -> dict[str, Any]:
        used = _fields_read(spec)
        datasets = spec.setdefault("datasets", {})
        for name, frame in self.frames.items():
            out = frame[[c for c in frame.columns if c in used]].copy()
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].dt.strftime("%Y-%m-%d")
            datasets[name] = json.loads(out.to_json(orient="records", default_handler=str))
        return spec


_DATUM = re.compile(r"datum\.(\w+)|datum\[['\"]([^'\"]+)['\"]\]")


def _fields_read(spec: Any) -> set[str]:
    """Every data column a spec reads: encoding and sort fields, selection fields, `datum.x` in expressions."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "field" and isinstance(value, str):
                    found.add(value)
                elif key == "fields" and isinstance(value, list):
                    found.update(v for v in value if isinstance(v, str))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, str):
            found.update(a or b for a, b in _DATUM.findall(node))

    walk(spec)
    return found
