"""A report is a function of its identity (report.build.report_identity), and a report of the same identity comes
back from the cache: byte for byte what a build makes, without pandas or the analysis; a new snapshot, another
option, another day or another field is another report. Also: the report says on stderr what it is doing while it
builds, and nothing when it comes from the cache; the site's answers as known on a day are the report's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from mindshare.fields import load_field
from mindshare.report import cache
from mindshare.report.build import answer_as_of, build_report, report_identity
from mindshare.report.render import results_document, write_report
from mindshare.session import session

DAY = date(2026, 12, 1)


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MINDSHARE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_same_identity_comes_back_from_the_cache_byte_for_byte(tmp_path, own_cache, bundled_store_path):
    with session(bundled_store_path, read_only=True) as store:
        built = build_report(store, load_field(), today=DAY)
    assert not isinstance(built, cache.HeldReport)
    fresh = write_report(built, tmp_path / "fresh", render_images=True)
    with session(bundled_store_path, read_only=True) as store:
        held = build_report(store, load_field(), today=DAY)
    assert isinstance(held, cache.HeldReport) and held.identity == built.identity
    copied = write_report(held, tmp_path / "copied", render_images=True)
    assert _files(copied) == _files(fresh)
    plain = write_report(held, tmp_path / "plain", render_images=False)
    assert "charts/pypi_downloads.png" not in _files(plain) and b"](charts/" not in _files(plain)["report.md"]
    assert results_document(held) == json.loads(_files(fresh)["results.json"])
    # what a Report has, a held one has too (read back from the cache when asked)
    assert [s.id for s in held.sections] == [s.id for s in built.sections]
    assert held.snapshots.equals(built.snapshots)


def test_writing_the_same_report_again_touches_nothing(tmp_path, own_cache, bundled_store_path):
    with session(bundled_store_path, read_only=True) as store:
        write_report(build_report(store, load_field(), today=DAY), tmp_path / "out", render_images=False)
    times = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")}
    with session(bundled_store_path, read_only=True) as store:
        write_report(build_report(store, load_field(), today=DAY), tmp_path / "out", render_images=False)
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")} == times


def test_the_identity_is_everything_a_report_depends_on(tmp_path, bundled_store_path):
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    field = load_field()

    def identity(**options):
        chosen = {"as_of": None, "compare_to": None, "weights": None, "today": DAY, **options}
        with session(db, read_only=True) as store:
            return report_identity(store, chosen.pop("field", field), **chosen)

    first = identity()
    assert identity() == first
    others = [identity(as_of=date(2020, 1, 26)), identity(compare_to=date(2023, 1, 1)),
              identity(weights={"jobs": 1.0}), identity(today=date(2026, 12, 2)),
              identity(field=load_field("web-frameworks"))]
    assert len({first, *others}) == 6
    counts = tmp_path / "counts.csv"
    counts.write_text("site,country,date,query,contender,count\nIndeed,US,2026-11-30,ml pytorch,pytorch,10\n")
    from mindshare.importers.job_counts import read_job_counts
    from mindshare.observations import SnapshotKind

    with session(db) as store:
        store.add_snapshot(read_job_counts(counts, field), kind=SnapshotKind.IMPORT, source="job counts")
    assert identity() != first


def test_a_held_report_is_found_and_written_without_pandas_or_the_analysis(tmp_path, own_cache, bundled_store_path):
    with session(bundled_store_path, read_only=True) as store:
        write_report(build_report(store, load_field(), today=DAY), tmp_path / "first", render_images=False)
    # the day is given to both: the child process does not travel with this one's clock (MINDSHARE_TEST_TODAY)
    script = textwrap.dedent(f"""
        import sys
        from datetime import date
        from mindshare.fields import load_field
        from mindshare.report.build import build_report
        from mindshare.report.render import write_report
        from mindshare.session import session
        with session({str(bundled_store_path)!r}, read_only=True) as store:
            report = build_report(store, load_field(), today=date.fromisoformat({DAY.isoformat()!r}))
        write_report(report, {str(tmp_path / "second")!r}, render_images=False)
        heavy = sorted(m for m in ("pandas", "numpy", "scipy", "statsmodels", "altair", "jinja2", "vl_convert",
                                   "mindshare.analysis", "mindshare.report.engine") if m in sys.modules)
        print(type(report).__name__, heavy)
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ), check=True)
    assert done.stdout.strip() == "HeldReport []", done.stdout
    assert _files(tmp_path / "second") == _files(tmp_path / "first")


def test_a_broken_cache_entry_is_built_again(tmp_path, own_cache, bundled_store_path):
    with session(bundled_store_path, read_only=True) as store:
        built = build_report(store, load_field(), today=DAY)
    write_report(built, tmp_path / "out", render_images=False)
    entry = own_cache / cache.REPORTS / built.identity
    (entry / "files" / "index.html").unlink()
    assert cache.held_report(built.identity) is None
    (entry / "held.json").write_text("not json")
    with session(bundled_store_path, read_only=True) as store:
        again = build_report(store, load_field(), today=DAY)
    assert not isinstance(again, cache.HeldReport)


def test_a_report_says_what_it_is_doing_while_it_builds(tmp_path, own_cache):
    command = [sys.executable, "-m", "mindshare", "--db", str(tmp_path / "new.duckdb"), "report", "--no-png",
               "--out", str(tmp_path / "out")]
    env = dict(os.environ, MINDSHARE_CACHE=str(own_cache))
    first = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, check=True)
    assert "loading the bundled dataset" in first.stderr and "building the report" in first.stderr
    assert "statistics" in first.stderr
    second = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, check=True)
    assert second.stderr == ""
    quiet = subprocess.run([*command, "--quiet"], capture_output=True, text=True, timeout=900,
                           env=dict(env, MINDSHARE_CACHE=str(tmp_path / "other")), check=True)
    assert quiet.stderr == ""


def test_the_answer_as_of_a_day_is_the_reports(tmp_path, own_cache, bundled_store_path):
    day = date(2024, 6, 30)
    with session(bundled_store_path, read_only=True) as store:
        alone = answer_as_of(store, load_field(), day)
        again = answer_as_of(store, load_field(), day)
        report = results_document(build_report(store, load_field(), as_of=day))
    headline = next(s for s in report["sections"] if s["id"] == "headline")

    def rows(answer):
        table = next(t for t in answer["tables"] if t["name"] == "scoreboard")["rows"]
        return [{k: v for k, v in row.items() if k not in ("figures", "source_ref")} for row in table]

    assert rows(alone) == rows(headline) and again == alone
    # the report's headline adds the 2020 article's points as its data knew them (role "article", read from the
    # report's sections); the answer alone, which the site's history reads, has every other finding
    assert [f["text"] for f in alone["findings"]] == [f["text"] for f in headline["findings"]
                                                      if f.get("role") != "article"]


def test_figures_published_later_do_not_make_an_earlier_day_be_analysed_again(tmp_path, own_cache, bundled_store_path,
                                                                              monkeypatch):
    """A site's history reads each month end again after a collection (the store changed), but the figures known on
    an earlier day did not change, so that day's answer comes from the cache, not from a new analysis."""
    from mindshare.importers.job_counts import read_job_counts
    from mindshare.observations import SnapshotKind
    from mindshare.report import build

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    day = date(2024, 6, 30)
    today = date.today()
    with session(db, read_only=True) as store:
        before = answer_as_of(store, load_field(), day)
        answer_as_of(store, load_field(), today)
    counts = tmp_path / "counts.csv"
    counts.write_text("site,country,date,query,contender,count\nIndeed,US,2026-11-30,ml pytorch,pytorch,10\n")
    with session(db) as store:
        store.add_snapshot(read_job_counts(counts, load_field()), kind=SnapshotKind.IMPORT, source="job counts")

    def analysed(*args, **kwargs):
        raise AssertionError("analysed again")

    monkeypatch.setattr(build, "_answer_of", analysed)
    with session(db, read_only=True) as store:
        assert answer_as_of(store, load_field(), day) == before
        with pytest.raises(AssertionError, match="analysed again"):   # a day that knows the new figures is
            answer_as_of(store, load_field(), today)


def test_the_store_read_once_knows_on_each_day_what_a_query_of_that_day_returns(bundled_store_path):
    """The site's history reads the store once (KnownFigures) for its many days: on each day, the same rows in the
    same order as the store's own query as of that day, so each day's answer is the same."""
    import pandas as pd

    from mindshare.report.build import KnownFigures, in_full_order

    with session(bundled_store_path, read_only=True) as store:
        known = KnownFigures(store)
        days = [date(2010, 1, 1), date(2019, 12, 31), date(2020, 1, 26), date(2024, 6, 30), date(2026, 11, 30)]
        sizes = set()
        for day in days:
            queried = in_full_order(store.observations(as_of=day))
            pd.testing.assert_frame_equal(known.as_of(day), queried)
            sizes.add(len(queried))
    assert len(sizes) == len(days)   # the days know different figures: the filter is exercised
