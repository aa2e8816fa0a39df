import json
import os
import re
import stat
from datetime import date

import pytest
from markdown_it import MarkdownIt

from mindshare.errors import ReportError
from mindshare.fields import load_field
from mindshare.report.build import build_report
from mindshare.report.render import write_report
from mindshare.session import session as store_session

REQUIRED_SECTIONS = ["headline", "jobs", "research", "search", "usage", "signals", "summary"]


def _section(results, section_id):
    return next(s for s in results["sections"] if s["id"] == section_id)


def _table(results, section_id, name):
    return next(t for t in _section(results, section_id)["tables"] if t["name"] == name)["rows"]


def test_report_files(built_report):
    folder, results = built_report
    for name in ["index.html", "sources.html", "vega.js", "report.md", "results.json"]:
        assert (folder / name).stat().st_size > 1000, name
    manifest = json.loads((folder / ".mindshare-report.json").read_text())
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                     if p.is_file() and p.name != ".mindshare-report.json")
    assert manifest["files"] == written
    charts = [c for s in results["sections"] for c in s["charts"]]
    assert len(charts) >= 6
    for chart in charts:
        png = (folder / chart["png"]).read_bytes()
        svg = (folder / chart["svg"]).read_text()
        assert png.startswith(b"\x89PNG") and len(png) > 5000
        assert "<svg" in svg
    assert not [p for p in folder.parent.iterdir() if ".partial-" in p.name]


def test_results_json_shape(built_report):
    _, results = built_report
    assert {"generated_at", "field", "sections"} <= set(results)
    assert results["field"] == "deep-learning"
    ids = [s["id"] for s in results["sections"]]
    assert ids[:7] == REQUIRED_SECTIONS and ids[-1] == "sources"
    for section in results["sections"]:
        assert {"id", "title", "tables", "findings"} <= set(section)
        for table in section["tables"]:
            assert {"name", "rows"} <= set(table)
        for finding in section["findings"]:
            assert finding["text"] and isinstance(finding["figures"], list)


def test_reproduces_neurips_2019_under_both_rules(built_report):
    _, results = built_report
    rows = _table(results, "research", "research_by_venue")
    assert {"venue", "year", "rules", "pytorch_papers", "tensorflow_papers", "total_papers",
            "pytorch_share_pct"} <= set(rows[0])
    neurips = {r["rules"]: r for r in rows if r["venue"] == "NeurIPS" and r["year"] == 2019}
    assert (neurips["2019-11"]["pytorch_papers"], neurips["2019-11"]["tensorflow_papers"]) == (166, 74)
    assert neurips["2019-11"]["pytorch_share_pct"] == 69.2
    assert (neurips["2021-10"]["pytorch_papers"], neurips["2021-10"]["tensorflow_papers"]) == (182, 104)
    assert neurips["2021-10"]["pytorch_share_pct"] == 63.6
    texts = " ".join(f["text"] for f in _section(results, "research")["findings"])
    assert "166" in texts and "69.2%" in texts and "63.6%" in texts


def test_research_methods_side_by_side_and_how_to_collect_the_missing_ones(built_report):
    _, results = built_report
    rows = _table(results, "research", "research_methods")
    neurips = {r["version"]: r["share_pct"] for r in rows
               if r["where"] == "NeurIPS" and r["period"] == "2019" and r["framework"] == "PyTorch"}
    assert neurips == {"horace-he-2019-11": 69.2, "horace-he-2021-10": 63.6}
    assert all(r["low_pct"] is None for r in rows)          # a census: no sampling, no interval
    notes = " ".join(_section(results, "research")["notes"])
    assert "mindshare research sample" in notes and "europepmc" in notes and "openalex" in notes


def test_reproduces_stack_overflow_2019(built_report):
    _, results = built_report
    rows = _table(results, "usage", "survey_shares")
    so = {(r["segment"], r["framework"]): r["share_pct"] for r in rows
          if r["survey"] == "Stack Overflow Developer Survey 2019"}
    assert so[("all respondents", "TensorFlow")] == 10.3
    assert so[("all respondents", "PyTorch")] == 3.3
    assert so[("professional developers", "TensorFlow")] == 9.4
    assert so[("professional developers", "PyTorch")] == 2.9
    surveys = {r["survey"] for r in rows}
    assert {"Stack Overflow Developer Survey 2022", "PSF/JetBrains Python Developers Survey 2019",
            "Kaggle State of ML & DS 2020"} <= surveys


def test_stack_overflow_2019_to_2024_with_intervals_the_2022_conflict_and_no_2025(built_report):
    _, results = built_report
    usage = _section(results, "usage")
    rows = _table(results, "usage", "so_survey_years")
    years = {(r["segment"], r["year"]) for r in rows}
    assert {("all respondents", y) for y in range(2019, 2025)} <= years
    assert {("professional developers", y) for y in range(2019, 2025)} <= years
    assert {("learning to code", 2024), ("other coders", 2023)} <= years
    share = {(r["segment"], r["year"], r["framework"]): r for r in rows}
    assert share[("all respondents", 2024, "PyTorch")]["share_pct"] == 10.57
    assert share[("all respondents", 2024, "TensorFlow")]["share_pct"] == 10.12
    assert share[("professional developers", 2024, "PyTorch")]["share_pct"] == 9.1
    # Wilson interval of 4,846 of 45,841 (hand-checked: 10.29 to 10.86)
    pytorch = share[("all respondents", 2024, "PyTorch")]
    assert (pytorch["ci_low"], pytorch["ci_high"]) == (10.29, 10.86)
    texts = [f["text"] for f in usage["findings"]]
    change = next(t for t in texts if "all respondents, 2019 → 2024" in t)
    assert "PyTorch 3.3% → 10.6%" in change and "TensorFlow 10.3% → 10.1%" in change and "within chance" in change
    professional = next(t for t in texts if "professional developers, 2019 → 2024" in t)
    assert "PyTorch 2.9% → 9.1%" in professional and "TensorFlow 9.4% → 8.8%" in professional
    conflict = next(t for t in texts if "two sources give different shares" in t)
    assert "2022" in conflict and "11.49%" in conflict and "11.74%" in conflict and "7.61%" in conflict
    assert share[("professional developers", 2022, "TensorFlow")]["conflict"] == "11.49, 11.74"
    assert any("2025 survey has no ML-frameworks question" in n for n in usage["notes"])
    kaggle = _table(results, "usage", "kaggle_survey_years")
    assert {r["year"] for r in kaggle} == {2019, 2021} and {r["segment"] for r in kaggle} >= {"data scientists"}


def test_jobs_show_the_second_hn_count_to_2026_07_beside_the_first(built_report):
    _, results = built_report
    jobs = _section(results, "jobs")
    yearly = _table(results, "jobs", "hn_hiring_second_method_yearly")
    assert max(r["year"] for r in yearly) == 2026
    assert {r["months"] for r in yearly if r["year"] == 2026} == {7}          # 2026-01 to 2026-07, partial
    assert {c["name"] for c in jobs["charts"]} >= {"hn_hiring_share", "hn_hiring_second_method"}
    latest = next(f for f in jobs["findings"] if "12 months to 2026-07" in f["text"])
    assert {f["name"] for f in latest["figures"]} == {"PyTorch posts", "TensorFlow posts"}
    assert all(str(f["value"]) in latest["text"] for f in latest["figures"])
    notes = " ".join(jobs["notes"])
    assert "BRIDGED" in notes and "101 common months" in notes
    assert "ends in 2024-05; run a collection" not in notes                   # the second count reaches further


def test_findings_carry_the_figures_they_state(built_report):
    """A paper count a sentence carries is a count it states (the answer's advice is the exception: it names a
    leader and carries the readings behind that, which the scoreboard states)."""
    _, results = built_report
    for section in results["sections"]:
        for finding in section["findings"]:
            if finding.get("role") == "focus":
                continue
            for figure in finding["figures"]:
                value = figure["value"]
                if isinstance(value, (int, float)) and figure.get("unit") == "papers":
                    assert str(int(value)) in finding["text"]


def test_every_source_ref_resolves(built_report):
    _, results = built_report
    sources = {r["ref"] for r in _table(results, "sources", "sources")}
    used = set()
    for section in results["sections"]:
        for table in section["tables"]:
            used |= {r["source_ref"] for r in table["rows"] if r.get("source_ref")}
        for finding in section["findings"]:
            used |= {f["source_ref"] for f in finding["figures"] if f.get("source_ref")}
    assert used and used <= sources
    html = (built_report[0] / "index.html").read_text()
    listed = (built_report[0] / "sources.html").read_text()
    for ref in sorted(used):
        assert f'href="sources.html#{ref}"' in html and f'id="{ref}"' in listed
    assert 'id="S1"' not in html   # the source list is its own page


def test_search_section_says_plainly_what_is_missing(built_report):
    _, results = built_report
    notes = " ".join(_section(results, "search")["notes"])
    assert "no search-interest time series" in notes and "mindshare collect" in notes


def test_html_needs_nothing_outside_its_folder(built_report):
    folder = built_report[0]
    html = (folder / "index.html").read_text()
    assert re.findall(r"<script[^>]+src=\"([^\"]+)\"", html) == ["vega.js"]
    assert (folder / "vega.js").read_text().count("vegaEmbed") > 0
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert "vegaEmbed" in html
    assert html.count('data-spec="spec-') >= 6


def test_partial_periods_are_flagged(built_report):
    _, results = built_report
    rows = _table(results, "signals", "so_questions")
    assert any(r["partial"] for r in rows if r["year"] == 2020)
    yearly = _table(results, "jobs", "hn_hiring_yearly")
    assert next(r for r in yearly if r["year"] == 2024)["months"] < 12


def test_as_of_report_keeps_only_earlier_periods(bundled_store_path):
    with store_session(bundled_store_path) as store:
        built = build_report(store, load_field(), as_of=date(2020, 1, 31))
    research = next(s for s in built.sections if s.id == "research")
    table = next(t for t in research.tables if t.name == "research_by_venue").frame
    assert table["year"].max() <= 2020
    signals = next(s for s in built.sections if s.id == "signals")
    downloads = next(t for t in signals.tables if t.name == "pypi_downloads").frame
    assert downloads["date"].max() <= __import__("pandas").Timestamp("2020-02-01")


def test_names_from_a_field_file_are_escaped(tmp_path, bundled_store_path):
    field_path = tmp_path / "evil.toml"
    field_path.write_text('name = "evil"\n[[contender]]\nid = "pytorch"\nname = "<script>alert(1)</script>"\n'
                          '[[contender]]\nid = "tensorflow"\nname = "TF & <b>co</b>"\n')
    with store_session(bundled_store_path) as store:
        built = build_report(store, load_field(str(field_path)))
    out = write_report(built, tmp_path / "out", render_images=False)
    html = (out / "index.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>co</b>" not in html
    markdown = (out / "report.md").read_text()
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)   # as a Markdown reader shows it
    assert "<script>" not in rendered and "<b>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "TF &amp; &lt;b&gt;co&lt;/b&gt;" in rendered
    assert "&lt;" not in markdown and "&amp;" not in markdown      # and the file itself reads as text
    results = json.loads((out / "results.json").read_text())
    assert "<script>alert(1)</script>" in json.dumps(results)  # data stays data in JSON


def test_unwritable_output_folder_fails_cleanly(tmp_path, bundled_store_path):
    if os.geteuid() == 0:
        # root ignores permission bits; a path under a regular file cannot be created by anyone
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "report"
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        target = locked / "report"
    with store_session(bundled_store_path) as store:
        built = build_report(store, load_field())
    with pytest.raises(ReportError, match="cannot write the report"):
        write_report(built, target, render_images=False)


def test_failed_render_keeps_the_previous_report(tmp_path, bundled_store_path, monkeypatch):
    with store_session(bundled_store_path) as store:
        built = build_report(store, load_field())
    out = write_report(built, tmp_path / "out", render_images=False)
    before = (out / "index.html").read_text()

    from mindshare.report import render

    put = render._put

    def broken(staging, name, content):   # a full disk half-way: some files staged, report.md not
        if name == "report.md":
            raise OSError(28, "No space left on device")
        put(staging, name, content)

    monkeypatch.setattr(render, "_put", broken)
    with pytest.raises(ReportError, match="No space left"):
        write_report(built, out, render_images=True)    # with its charts this time: not the report already there
    assert (out / "index.html").read_text() == before
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_report_for_a_field_without_data(tmp_path, bundled_store_path):
    field_path = tmp_path / "web.toml"
    field_path.write_text('name = "web"\n[[contender]]\nid = "django"\nname = "Django"\n')
    with store_session(bundled_store_path) as store:
        built = build_report(store, load_field(str(field_path)))
    out = write_report(built, tmp_path / "web", render_images=False)
    results = json.loads((out / "results.json").read_text())
    assert [s["id"] for s in results["sections"]][:7] == REQUIRED_SECTIONS
    assert _section(results, "research")["notes"]
