"""The site's images: a badge per scoreboard row and each chart as an embeddable SVG with its source in it. Built
from the report's own output (tests/fixtures/site: results.json cut down, and two of the report's Vega-Lite specs;
regenerate.py there remakes them)."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mindshare.site import badges, embeds
from mindshare.site.text import text_width, wrap

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def results():
    return json.loads((FIXTURES / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scoreboard(results):
    headline = next(s for s in results["sections"] if s["id"] == "headline")
    return next(t for t in headline["tables"] if t["name"] == "scoreboard")["rows"]


def _texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


# -- badges -----------------------------------------------------------------------------------------------------
def test_each_badge_says_the_scoreboard_figure(scoreboard):
    made = badges.scoreboard_badges(scoreboard)
    assert [b.slug for b in made] == [r["signal"] for r in scoreboard]
    for badge, row in zip(made, scoreboard):
        figure = row["lead"].split(" (")[0]          # "3.6x", "+0.5 points": as the scoreboard prints it
        assert badge.message.startswith(f"{row['leader_name']} {figure.replace('x', '×')}"), (badge, row["lead"])
        svg = badges.badge_svg(badge)
        assert badge.label in _texts(svg) and badge.message in _texts(svg)
    downloads = made[0]
    assert (downloads.label, downloads.message, downloads.tone) == ("downloads from PyPI", "PyTorch 3.6×", "led")


def test_an_old_row_says_when_and_a_close_one_names_no_winner(scoreboard):
    old = next(r for r in scoreboard if not r["current"])
    badge = badges.badge_for(old, "old")
    assert badge.tone == "old" and badge.message.endswith(f", {old['period']}") and "too old" in badge.title
    close = dict(scoreboard[1], lead_status="within chance")
    assert badges.badge_for(close, "close").message == "too close to call"
    assert badges.badge_for(dict(scoreboard[1], lead_status="tie"), "tie").message == "tie"


def test_badge_width_follows_the_text(scoreboard):
    """Widths from the font table, as shields.io computes them: a wide letter takes more room than a narrow one."""
    assert text_width("WWWW") > 2 * text_width("iiii")
    assert text_width("PyTorch 3.6×") == pytest.approx(text_width("PyTorch 3.6") + text_width("×"), abs=0.6)
    row = scoreboard[0]
    narrow = ET.fromstring(badges.badge_svg(badges.badge_for(dict(row, leader_name="Jax"), "a")))
    wide = ET.fromstring(badges.badge_svg(badges.badge_for(dict(row, leader_name="MMMMMMMMMM"), "b")))
    assert float(wide.get("width")) - float(narrow.get("width")) == pytest.approx(
        text_width("MMMMMMMMMM") - text_width("Jax"), abs=0.2)


def test_hostile_text_is_escaped(scoreboard):
    hostile = 'Torch <script>alert("x")</script> & "co" \u2028'
    badge = badges.badge_for(dict(scoreboard[0], leader_name=hostile, label="a ] [link](x)"), "hostile")
    svg = badges.badge_svg(badge)
    root = ET.fromstring(svg)                     # still well-formed XML
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert f"{hostile} 3.6×" in _texts(svg)
    snippets = badges.badge_snippets(badge, "https://example.org/ms")
    assert "<script>" not in snippets["html"] and "&lt;script&gt;" in snippets["html"]
    assert "\\]" in snippets["markdown"] and "\\[" in snippets["markdown"]


def test_light_and_dark_differ_only_in_colour_and_read_well(scoreboard):
    badge = badges.scoreboard_badges(scoreboard)[0]
    light, dark = badges.badge_svg(badge, "light"), badges.badge_svg(badge, "dark")
    assert light != dark and _texts(light) == _texts(dark)
    assert ET.fromstring(light).get("width") == ET.fromstring(dark).get("width")
    for colours in badges.COLOURS.values():
        for colour in colours.values():     # white text on each background, WCAG AA
            assert (1.05) / (_luminance(colour) + 0.05) >= 4.5, colour
    with pytest.raises(ValueError):
        badges.badge_svg(badge, "sepia")


def test_badges_are_the_same_bytes_every_time(scoreboard):
    first = [badges.badge_svg(b, t) for b in badges.scoreboard_badges(scoreboard) for t in badges.THEMES]
    again = [badges.badge_svg(b, t) for b in badges.scoreboard_badges(scoreboard) for t in badges.THEMES]
    assert first == again
    ids = re.findall(rb'id="([^"]+)"', b"".join(first))
    assert len(ids) == len(set(ids)), "two badges on one page would share an id"


def test_the_snippet_switches_to_the_dark_badge(scoreboard):
    badge = badges.scoreboard_badges(scoreboard)[0]
    snippets = badges.badge_snippets(badge, "https://example.org/ms/")
    assert snippets["markdown"] == (f"[![{badge.title}](https://example.org/ms/badge/downloads.svg)]"
                                    "(https://example.org/ms/)")
    assert '<source media="(prefers-color-scheme: dark)" srcset="https://example.org/ms/badge/downloads-dark.svg">' \
        in snippets["html"]
    assert '<img alt="downloads from PyPI: PyTorch vs TensorFlow;' in snippets["html"]


def test_two_rows_of_one_signal_get_two_files(scoreboard):
    made = badges.scoreboard_badges([scoreboard[0], scoreboard[0], dict(scoreboard[1], signal="Jobs / HN")])
    assert [b.slug for b in made] == ["downloads", "downloads-2", "jobs-hn"]
    assert made[1].path("dark") == "badge/downloads-2-dark.svg"


# -- embeds -----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spec():
    return json.loads((FIXTURES / "spec-hn_hiring_share.json").read_text(encoding="utf-8"))


def test_a_chart_embed_carries_its_source(results, spec):
    sources = embeds.chart_sources(results, "hn_hiring_share")
    assert sources == ["ryanwi/hiringtrends"]
    line = embeds.source_line(sources, report_date="2026-12-01", url="https://example.org/ms/")
    svg = embeds.chart_svg(spec, line, "light", title="Hacker News posts", name="hn_hiring_share")
    root = ET.fromstring(svg)
    assert " ".join(_texts(svg)[-1:]) in line and line.startswith("Source: ryanwi/hiringtrends.")
    written = " ".join(t.text for t in root.findall(f"{SVG}text"))   # the lines under the chart
    assert written == line
    assert root.find(f"{SVG}title").text == f"Hacker News posts. {line}"
    inner = root.find(f"{SVG}svg")
    assert float(root.get("height")) > float(inner.get("height")) and root.get("width") == inner.get("width")
    assert len(list(root.iter(f"{SVG}path"))) > 10            # the chart is drawn, not only its frame


def test_a_long_source_wraps_inside_the_image(results):
    survey = json.loads((FIXTURES / "spec-so_survey_years.json").read_text(encoding="utf-8"))
    line = embeds.source_line(embeds.chart_sources(results, "so_survey_years"), report_date="2026-12-01")
    svg = embeds.chart_svg(survey, line, "light", name="so")
    root = ET.fromstring(svg)
    lines = [t.text for t in root.findall(f"{SVG}text")]
    assert len(lines) > 1 and " ".join(lines) == line
    assert all(text_width(text) <= float(root.get("width")) - 2 * embeds.PADDING for text in lines)
    assert wrap("a b", 0) == ["a", "b"] and wrap("", 10) == []


def test_dark_embed_is_dark_and_the_source_escaped(spec):
    hostile = 'Source: <b>"bold"</b> & more'
    light, dark = (embeds.chart_svg(spec, hostile, theme, name="x") for theme in ("light", "dark"))
    assert _luminance(ET.fromstring(light).find(f"{SVG}rect").get("fill")) > 0.9
    assert _luminance(ET.fromstring(dark).find(f"{SVG}rect").get("fill")) < 0.1
    assert " ".join(t.text for t in ET.fromstring(dark).findall(f"{SVG}text")) == hostile
    with pytest.raises(ValueError):
        embeds.chart_svg(spec, "", "sepia")


def test_an_embed_is_the_same_bytes_whatever_was_drawn_before(spec):
    """vl-convert numbers clip paths with a counter that runs through the process; the embed renumbers them."""
    survey = json.loads((FIXTURES / "spec-so_survey_years.json").read_text(encoding="utf-8"))
    first = embeds.chart_svg(spec, "Source: x", "light", name="hn")
    embeds.chart_svg(survey, "Source: y", "dark", name="so")
    assert embeds.chart_svg(spec, "Source: x", "light", name="hn") == first
    assert b'id="hn-light-1"' in first and b"clip1" not in first


def test_the_spec_is_not_changed(spec):
    before = json.dumps(spec, sort_keys=True)
    embeds.chart_svg(spec, "Source: x", "dark")
    assert json.dumps(spec, sort_keys=True) == before
    static = embeds.static_spec(spec, "#333333")
    assert "container" not in json.dumps(static) and static["background"] == "#333333"


def test_a_chart_is_the_same_image_in_any_time_zone(tmp_path):
    """vl-convert draws a time axis in the process's zone (TZ): west of Greenwich a month's first day was labelled
    the day before, and a site published from a laptop and from a CI runner differed. Embeds and the report's
    images are drawn in UTC."""
    import os
    import subprocess
    import sys

    script = ("import hashlib, json, sys; from mindshare.site import embeds; from mindshare.report import render; "
              "import vl_convert; spec = json.load(open(sys.argv[1])); "
              "print(hashlib.sha256(embeds.chart_svg(spec, 'Source: x', 'light', name='hn')).hexdigest(), "
              "hashlib.sha256(vl_convert.vegalite_to_svg(render._static_spec(spec)).encode()).hexdigest())")
    spec = str(FIXTURES / "spec-hn_hiring_share.json")
    drawn = {zone: subprocess.run([sys.executable, "-c", script, spec], env=dict(os.environ, TZ=zone), check=True,
                                  capture_output=True, text=True, timeout=120).stdout
             for zone in ("UTC", "America/Los_Angeles", "Asia/Tokyo")}
    assert len(set(drawn.values())) == 1, drawn
