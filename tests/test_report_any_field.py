"""Any field: the report of the shipped web-frameworks field says nothing about deep learning and opens on its own
contenders; the 2020 article's figures appear only for a field that declares it; and no section's code names a
contender, a year or a venue.

The web-frameworks store: the bundled dataset (compiled for deep learning: none of it is about these frameworks),
the real April 2011 "Who is hiring?" thread (tests/fixtures/hn_algolia, counted with the field's patterns: 38
posts name Rails, 10 Django), and GitHub, Wikipedia and Stack Exchange answers built from their documented
formats (tests/test_collect_report.py's provider).
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
import stamina
from test_collect_report import SINCE, TODAY, provider

from mindshare.collection import run_collection
from mindshare.fields import load_field
from mindshare.http import Http
from mindshare.report.build import build_report
from mindshare.report.render import write_report
from mindshare.session import session
from mindshare.sources import SOURCES, hn_hiring

FIXTURES = Path(__file__).parent / "fixtures"
SECTIONS = Path(__file__).parent.parent / "src" / "mindshare" / "report" / "sections"
DEEP_LEARNING_WORDS = re.compile(r"pytorch|tensorflow|neurips", re.IGNORECASE)
STARS = {"django/django": 86_000, "rails/rails": 56_000, "pallets/flask": 69_000, "expressjs/express": 66_000}


@pytest.fixture(scope="module")
def web_report(tmp_path_factory, bundled_store_path):
    folder = tmp_path_factory.mktemp("web")
    db = folder / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    field = load_field("web-frameworks")
    thread = json.loads(gzip.decompress((FIXTURES / "hn_algolia" / "items_2396027_whoishiring_april2011.json.gz")
                                        .read_bytes()))
    with session(db) as store:
        store.add_snapshot(hn_hiring.thread_observations(thread, field), kind="collect", source="hn")
    contenders = field.select(["django", "rails", "flask", "express"])
    answers = functools.partial(provider, stars=STARS)
    with stamina.set_testing(True, attempts=2), \
            Http(transport=httpx.MockTransport(answers), cache=False, env={"GITHUB_TOKEN": "t"}) as http:
        outcomes = run_collection([SOURCES[n] for n in ("github", "wikipedia", "stackexchange")], contenders, SINCE,
                                  TODAY, http, lambda: session(db), field, progress=False)
    assert [o.status for o in outcomes] == ["added"] * 3, [o.why for o in outcomes]
    with session(db) as store:
        report = build_report(store, field)
    out = write_report(report, folder / "report", render_images=False)
    return report, out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def section(results, section_id):
    return next(s for s in results["sections"] if s["id"] == section_id)


def test_the_web_report_says_nothing_about_deep_learning(web_report):
    _, out, _ = web_report
    for name in ("index.html", "sources.html", "report.md", "results.json"):
        found = DEEP_LEARNING_WORDS.findall((out / name).read_text(encoding="utf-8"))
        assert not found, f"{name} mentions {sorted(set(found))}"


def test_the_web_report_opens_on_its_own_contenders(web_report):
    _, out, results = web_report
    assert results["field"] == "web-frameworks" and results["field_title"] == "Web frameworks"
    assert results["sections"][0]["id"] == "headline"
    jobs = results["sections"][1]
    assert jobs["id"] == "jobs" and "article" not in jobs["intro"]
    yearly = next(t for t in jobs["tables"] if t["name"] == "hn_hiring_yearly")["rows"]
    assert yearly[0]["year"] == 2011 and yearly[0]["months"] == 1 and yearly[0]["all_posts"] == 219
    assert yearly[0]["Ruby on Rails %"] == pytest.approx(17.35, abs=0.01)
    first = jobs["findings"][0]
    assert "Ruby on Rails was named in 38 posts" in first["text"] and "Django in 10" in first["text"]
    assert "1 month of" in first["text"]                       # a partial year says so
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Web frameworks: who is winning?</h1>" in html
    assert html.index("Ruby on Rails was named in 38 posts") < html.index('id="research"')


def test_the_web_report_has_a_sensible_first_screen(web_report):
    """The answer opens the page on the field's own contenders: a headline, plain sentences, a scoreboard whose
    leaders are web frameworks, all before the first section."""
    _, out, results = web_report
    answer = section(results, "headline")
    roles = [f["role"] for f in answer["findings"]]
    assert roles[0] == "headline" and "data_through" in roles
    rows = next(t for t in answer["tables"] if t["name"] == "scoreboard")["rows"]
    web = {c.name for c in load_field("web-frameworks").contenders} | {""}
    assert rows and {r["leader_name"] or "" for r in rows} <= web
    leaders = {r["leader_name"] for r in rows if r["leader_name"]}
    headline = answer["findings"][0]["text"]
    assert any(name in headline for name in leaders) or "no measure" in headline.lower() or "not" in headline
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index('id="headline"') < html.index('id="scoreboard"') < html.index('<section id="jobs"')
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.index(headline[:40]) < markdown.index("## Job listings")


def test_the_web_report_shows_what_was_collected_and_no_article(web_report):
    _, _, results = web_report
    signals = section(results, "signals")
    totals = next(t for t in signals["tables"] if t["name"] == "collected_totals")["rows"]
    assert {r["framework"] for r in totals} == {"Django", "Ruby on Rails", "Flask", "Express.js"}
    names = {t["name"] for s in results["sections"] for t in s["tables"]}
    assert not names & {"quoted_job_figures", "research_by_venue", "google_result_counts", "other_research_figures"}
    assert "per-venue research counts" in " ".join(section(results, "research")["notes"])
    assert "no score weights" in " ".join(section(results, "summary")["notes"])


def test_the_article_is_shown_only_where_the_field_declares_it(tmp_path, bundled_store_path, built_report):
    _, with_article = built_report
    shipped = load_field("deep-learning")
    assert shipped.reference == "hale-2020"
    plain = tmp_path / "deep-learning-plain.toml"
    plain.write_text(shipped.path.read_text(encoding="utf-8").replace('reference = "hale-2020"\n', ""),
                     encoding="utf-8")
    with session(bundled_store_path) as store:
        report = build_report(store, load_field(str(plain)))
    tables = {t.name for s in report.sections for t in s.tables}
    texts = " ".join(f.text for s in report.sections for f in s.findings)
    assert "quoted_job_figures" not in tables and "NeurIPS 2019" not in texts
    assert "research_by_venue" in tables           # Horace He's counts are data about these two contenders
    assert "NeurIPS 2019 under the 2019-11 rules: 166 papers" in json.dumps(with_article)
    assert "quoted_job_figures" in {t["name"] for s in with_article["sections"] for t in s["tables"]}


def test_no_section_names_a_contender_a_year_or_a_venue():
    forbidden = re.compile(r"pytorch|tensorflow|neurips|keras|\b(19|20)\d\d\b", re.IGNORECASE)
    for path in sorted(SECTIONS.glob("*.py")) + [SECTIONS.parent / "build.py"]:
        hits = [f"{path.name}:{n}: {line.strip()}" for n, line in
                enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if forbidden.search(line)]
        assert not hits, "\n".join(hits)


def test_the_web_frameworks_report_offline_has_two_current_measures(tmp_path, bundled_store_path):
    """`mindshare report --field web-frameworks` on a fresh machine: the bundled store and the any-field history
    alone give at least two current measures, and not a word about deep learning on any page."""
    from mindshare.api import write_report_folder
    from mindshare.settings import read

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    settings = read({"MINDSHARE_DB": str(db), "MINDSHARE_CACHE": str(tmp_path / "cache")})
    out = write_report_folder(settings, load_field("web-frameworks"), tmp_path / "report", png=False)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    rows = next(t for t in section(results, "headline")["tables"] if t["name"] == "scoreboard")["rows"]
    assert len([r for r in rows if r["current"]]) >= 2, [r["label"] for r in rows]
    for page in ("index.html", "report.md", "results.json", "sources.html"):
        found = DEEP_LEARNING_WORDS.findall((out / page).read_text(encoding="utf-8"))
        assert not found, f"{page} mentions {sorted(set(found))}"


@pytest.mark.parametrize("name", ["databases", "dataframes", "languages", "frontend-frameworks"])
def test_every_other_shipped_field_is_answered_offline_with_two_current_measures(bundled_store_path, name):
    """The other shipped fields, as their report's answer reads them (the same store, history join and analysis)."""
    from datetime import date

    from mindshare.comparison import answer_of
    from mindshare.overlay import joined

    chosen = load_field(name)
    with session(bundled_store_path, read_only=True) as store, joined(store, chosen):
        answer = answer_of(store, chosen, date.today())
    rows = next(t for t in answer["tables"] if t["name"] == "scoreboard")["rows"]
    assert len([r for r in rows if r["current"]]) >= 2, [r["label"] for r in rows]
    assert all(r["leader"] in chosen.ids for r in rows)
    assert not DEEP_LEARNING_WORDS.search(json.dumps(answer))
