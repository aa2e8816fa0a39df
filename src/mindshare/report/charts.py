"""Vega-Lite chart specs (through Altair), one function per kind of chart. Data is inlined in each spec."""

from __future__ import annotations

from typing import Any

import json

import altair as alt
import pandas as pd

# Specs are built by our own code and drawn by a real browser in the tests, so they are not validated against the
# Vega-Lite JSON schema at run time (half a second per report). Data goes in as named datasets attached after
# `to_dict`: Altair's own conversion of inline rows costs more than building the whole chart.

WIDTH = 640
HEIGHT = 300

alt.data_transformers.disable_max_rows()


def _colors(names: list[str], palette: dict[str, str]) -> alt.Scale:
    domain = [n for n in names]
    fallback = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6",
                "#9d755d", "#bab0ac"]
    colors = [palette.get(n) or fallback[i % len(fallback)] for i, n in enumerate(domain)]
    return alt.Scale(domain=domain, range=colors)


class Datasets:
    """Rows for a chart, kept aside as Vega-Lite named datasets and attached to the finished spec."""

    def __init__(self) -> None:
        self.values: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, frame: pd.DataFrame) -> alt.NamedData:
        name = f"mindshare-rows-{len(self.values)}"  # not data_N: Vega-Lite names its own datasets so
        out = frame.copy()
        for column in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[column]):
                out[column] = out[column].dt.strftime("%Y-%m-%d")
        self.values[name] = json.loads(out.to_json(orient="records", default_handler=str))
        return alt.NamedData(name=name)

    def attach(self, spec: dict[str, Any]) -> dict[str, Any]:
        spec.setdefault("datasets", {}).update(self.values)
        return spec


def line_chart(frame: pd.DataFrame, *, x: str, y: str, color: str, title: str, y_title: str,
               palette: dict[str, str], log: bool = False, trend: pd.DataFrame | None = None,
               rules: pd.DataFrame | None = None, x_type: str = "T", tooltip_extra: list[str] | None = None,
               dashed: str | None = None) -> dict[str, Any]:
    """Lines per `color`; optional dashed trend lines (same colours) and labelled vertical rules."""
    names = list(dict.fromkeys(frame[color]))
    scale = _colors(names, palette)
    legend = alt.selection_point(fields=[color], bind="legend")
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    tooltip = [alt.Tooltip(f"{x}:{x_type}", title=x), alt.Tooltip(f"{color}:N"),
               alt.Tooltip(f"{y}:Q", format=",.4~g")] + [alt.Tooltip(t) for t in (tooltip_extra or [])]
    data = Datasets()
    base = alt.Chart(data(frame)).encode(
        x=alt.X(f"{x}:{x_type}", title=None),
        y=alt.Y(f"{y}:Q", title=y_title, scale=y_scale),
        color=alt.Color(f"{color}:N", scale=scale, title=None, legend=alt.Legend(orient="top")),
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.15)),
    )
    if dashed:
        base = base.encode(strokeDash=alt.StrokeDash(f"{dashed}:N", title=None))
    layers = [base.mark_line(point=alt.OverlayMarkDef(size=18)).encode(tooltip=tooltip).add_params(legend)]
    if trend is not None and not trend.empty:
        layers.append(alt.Chart(data(trend)).mark_line(strokeDash=[6, 4], strokeWidth=1.5).encode(
            x=f"{x}:{x_type}", y=f"{y}:Q", detail="segment:N",
            color=alt.Color(f"{color}:N", scale=scale, legend=None),
            tooltip=[alt.Tooltip(f"{color}:N"), alt.Tooltip("label:N", title="trend")]))
    if rules is not None and not rules.empty:
        rule_data = data(rules)
        layers.append(alt.Chart(rule_data).mark_rule(color="#888", strokeDash=[2, 2]).encode(
            x=f"{x}:{x_type}", tooltip=[alt.Tooltip("label:N", title="note")]))
        layers.append(alt.Chart(rule_data).mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#555",
                                                     angle=0, baseline="top").encode(
            x=f"{x}:{x_type}", y=alt.value(2), text="short:N"))
    chart = alt.layer(*layers).properties(title=title, width="container", height=HEIGHT)
    return data.attach(chart.interactive(bind_y=False).to_dict(validate=False))


def bar_chart(frame: pd.DataFrame, *, category: str, value: str, color: str, title: str, x_title: str,
              palette: dict[str, str], row: str | None = None, error_low: str | None = None,
              error_high: str | None = None) -> dict[str, Any]:
    """Horizontal bars, grouped by `category`; optional error bars; optional one panel per `row`."""
    names = list(dict.fromkeys(frame[color]))
    scale = _colors(names, palette)
    datasets = Datasets()
    data = datasets(frame)
    base = alt.Chart(data).encode(
        y=alt.Y(f"{color}:N", title=None, sort=names, axis=alt.Axis(labelLimit=90)),
        x=alt.X(f"{value}:Q", title=x_title),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(f"{color}:N", scale=scale, legend=None),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{value}:Q", format=",.4~g")],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10).encode(text=alt.Text(f"{value}:Q", format=",.3~g"))
    layers = [bars, labels]
    if error_low and error_high:
        layers.append(base.mark_errorbar(ticks=True).encode(x=f"{error_low}:Q", x2=f"{error_high}:Q"))
    chart = alt.layer(*layers, data=data).properties(width=300, height=alt.Step(16))
    facet_by = row or category
    chart = chart.facet(row=alt.Row(f"{facet_by}:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                                                   labelLimit=170)))
    return datasets.attach(chart.resolve_scale(y="independent").properties(title=title).to_dict(validate=False))


def facet_line_chart(frame: pd.DataFrame, *, x: str, y: str, color: str, column: str, title: str,
                     y_title: str, palette: dict[str, str] | None = None, y_domain: tuple[float, float] | None = None
                     ) -> dict[str, Any]:
    """Small multiples: one panel per `column`, lines per `color`."""
    names = list(dict.fromkeys(frame[color]))
    scale = _colors(names, palette or {})
    legend = alt.selection_point(fields=[color], bind="legend")
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=True)
    data = Datasets()
    chart = alt.Chart(data(frame)).mark_line(point=alt.OverlayMarkDef(size=25)).encode(
        x=alt.X(f"{x}:O", title=None),
        y=alt.Y(f"{y}:Q", title=y_title, scale=y_scale),
        color=alt.Color(f"{color}:N", scale=scale, title=None, legend=alt.Legend(orient="top", columns=9)),
        opacity=alt.condition(legend, alt.value(1.0), alt.value(0.12)),
        tooltip=[alt.Tooltip(f"{column}:N"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{x}:O"),
                 alt.Tooltip(f"{y}:Q", format=".1f")],
    ).add_params(legend).properties(width=280, height=240)
    return data.attach(chart.facet(column=alt.Column(f"{column}:N", title=None)).resolve_scale(x="independent")
                       .properties(title=title).to_dict(validate=False))
