"""`mindshare publish` as a user runs it: the site written from the bundled store, published again with no new data
(not a byte, not a file time changes), a week later (a new permalink, the old one untouched, the scoreboard beside
its value at the last publish), and with new data the same day (a second permalink); the feed and the badges read
against the answer; the site served on 127.0.0.1 and opened in Chromium (tests/site_browser.py); bad input refused
in one line with nothing written.

Publishes on given days run in this process under time-machine (a subprocess would read the real clock); the bad
input runs `python -m mindshare` as a user would, since what it prints and its exit code are the point.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
import pytest
from site_browser import broken_links, images_not_drawn, launch, needs_chromium, open_page, screenshots, serve
from site_steps import files_of, import_new_job_counts, publish_on

BASE = "https://example.org/mindshare/"
DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 8)
MONTHS = "2"
MINDSHARE = [sys.executable, "-m", "mindshare"]


def in_a_browser(test):
    for mark in needs_chromium:
        test = mark(test)
    return test


def publish(db: Path, site: Path, day: date, *more: str) -> str:
    """`mindshare publish` on `day`, in this process, with this file's address and history; its stdout."""
    return publish_on(db, site, day, "--base-url", BASE, "--history", MONTHS, *more)


@pytest.fixture(scope="module")
def sites(tmp_path_factory, bundled_store_path):
    """The same site after each step: day 1, day 1 again, day 8, day 8 with new data."""
    root = tmp_path_factory.mktemp("publish")
    db = root / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    site = root / "site"
    steps = {}
    steps["first"] = (publish(db, site, DAY1), files_of(site))
    steps["again"] = (publish(db, site, DAY1), files_of(site))
    steps["week"] = (publish(db, site, DAY2), files_of(site))
    import_new_job_counts(db, root)
    steps["new data"] = (publish(db, site, DAY2), files_of(site))
    return site, steps


def _results(files, path="results.json"):
    return json.loads(files[path][0])


def _scoreboard(results):
    headline = next(s for s in results["sections"] if s["id"] == "headline")
    return next(t for t in headline["tables"] if t["name"] == "scoreboard")["rows"]


# -- what a publish writes -----------------------------------------------------------------------------------------
def test_the_site_holds_the_answer_its_permalink_and_everything_around_it(sites):
    _, steps = sites
    out, files = steps["first"]
    assert "published 2026-12-01" in out
    for path in ("index.html", "sources.html", "results.json", "preview.png", "feed.xml", "latest/index.html",
                 "archive/index.html", "history/index.html", "embed/index.html", "data/index.html",
                 "data/answer.json", "data/scoreboard.csv", "data/history.csv", "data/events.json",
                 "2026-12-01/index.html", "2026-12-01/sources.html", "2026-12-01/results.json",
                 "embed/lead_history.svg", "embed/pypi_downloads-dark.svg", "badge/downloads.svg",
                 "badge/downloads-dark.svg"):
        assert path in files, path
    assert [p for p in files if p.startswith("vega/")] and not [p for p in files if p.endswith("vega.js")]
    index = files["index.html"][0].decode()
    assert f'<link rel="canonical" href="{BASE}">' in index
    assert f'<meta property="og:image" content="{BASE}preview.png">' in index
    assert 'name="twitter:card" content="summary_large_image"' in index
    assert "prefers-color-scheme: dark" in index and 'rel="icon"' in index
    permalink = files["2026-12-01/index.html"][0].decode()
    assert f'<link rel="canonical" href="{BASE}2026-12-01/">' in permalink
    assert _results(files) == _results(files, "2026-12-01/results.json")
    assert _results(files)["generated_at"] == "2026-12-01"       # a day, not a time: the same data, the same bytes


def test_publishing_again_with_no_new_data_changes_no_file(sites):
    _, steps = sites
    out, files = steps["again"]
    assert "nothing changed" in out
    assert files == steps["first"][1]           # the same bytes and the same file times, the manifest too


def test_a_week_later_a_new_permalink_and_the_old_one_untouched(sites):
    _, steps = sites
    _, before = steps["again"]
    _, after = steps["week"]
    old = {p: v for p, v in before.items() if p.startswith("2026-12-01/")}
    assert old and all(after[p] == v for p, v in old.items())
    assert "2026-12-08/index.html" in after
    index = after["index.html"][0].decode()
    since = re.findall(r'<span class="since" title="The lead at the last publish, 2026-12-01[^"]*">last publish: '
                       r'([^<]+)</span>', index)                       # on the first screen, in every counted row
    assert len(since) == sum(1 for row in _scoreboard(_results(after)) if row["current"]) and set(since) == {"same"}
    archive = after["archive/index.html"][0].decode()
    assert archive.index('href="../2026-12-08/"') < archive.index('href="../2026-12-01/"')
    assert 'url=../2026-12-08/' in after["latest/index.html"][0].decode()
    history = list(csv.DictReader(io.StringIO(after["data/history.csv"][0].decode())))
    assert {r["day"] for r in history} == {"2026-10-31", "2026-11-30", "2026-12-01", "2026-12-08"}
    assert {r["read_on"] for r in history} == {"month end", "published", "today"}


def test_new_data_the_same_day_gets_its_own_permalink(sites):
    _, steps = sites
    out, files = steps["new data"]
    assert "published 2026-12-08-2" in out
    week = steps["week"][1]
    assert all(files[p] == v for p, v in week.items() if re.match(r"2026-12-0[18]/", p))
    assert "2026-12-08-2/index.html" in files
    assert "Indeed" in files["2026-12-08-2/sources.html"][0].decode()


def test_the_feed_parses_and_its_entries_keep_their_ids(sites):
    _, steps = sites
    first = feedparser.parse(steps["first"][1]["feed.xml"][0])
    again = feedparser.parse(steps["again"][1]["feed.xml"][0])
    week = feedparser.parse(steps["week"][1]["feed.xml"][0])
    assert not first.bozo and first.entries
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    crossings = {e.id: e.title for e in first.entries if "passed" in e.title}
    assert crossings and crossings.items() <= {e.id: e.title for e in week.entries}.items()
    # "2024-04 (read 2024-05-01): ...": a window of days is dated by its month and the day it was read
    assert any(re.match(r"\d{4}-\d{2}( \(read \d{4}-\d{2}-\d{2}\))?: PyTorch passed TensorFlow in PyPI downloads", t)
               for t in crossings.values())
    assert all(e.link.startswith(f"{BASE}history/#e-") for e in first.entries)
    history = steps["first"][1]["history/index.html"][0].decode()
    assert all(f'id="{e.link.split("#")[1]}"' in history for e in first.entries)


def test_each_badge_says_the_scoreboard_figure(sites):
    _, steps = sites
    files = steps["first"][1]
    for row in _scoreboard(_results(files)):
        svg = files[f"badge/{row['signal']}.svg"][0]
        texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
        if row["current"] and row["lead_status"] in ("clear", "as counted"):
            figure = row["lead"].split(" (")[0].replace("x", "×")     # "3.6x (complete count)" -> "3.6×"
            assert f"{row['leader_name']} {figure}" in texts, (row["lead"], texts)


def test_the_preview_image_shows_the_answer(sites):
    _, steps = sites
    files = steps["first"][1]
    png = files["preview.png"][0]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 1200
    from mindshare.site.preview import answer_card_svg

    card = answer_card_svg(_results(files), site_name="example.org/mindshare")
    top = _scoreboard(_results(files))[0]
    assert top["leader_name"] in card and "example.org/mindshare" in card


# -- in a browser ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(sites):
    site, _ = sites
    with serve(site) as base, launch() as browser:
        yield site, base, browser


@pytest.mark.parametrize("page_name", ["index.html", "2026-12-08/index.html", "history/", "embed/", "archive/",
                                       "data/", "sources.html"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("dark", [False, True])
@in_a_browser
def test_every_page_opens_without_an_error(served, page_name, size, dark):
    _, base, browser = served
    page, errors = open_page(browser, base + page_name, size=size, dark=dark)
    page.wait_for_function("document.querySelectorAll('[data-rendered], [data-error]').length"
                           " === document.querySelectorAll('[data-spec]').length", timeout=120_000)
    assert page.eval_on_selector_all("[data-error]", "els => els.map(e => e.dataset.error)") == []
    assert images_not_drawn(page) == []
    assert errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page_name} is {overflow} px wider than the window"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(22, 24, 29)") == dark, background       # the dark theme where the system is dark
    page.context.close()


@in_a_browser
def test_every_link_and_permalink_resolves(served):
    _, base, _ = served
    assert broken_links(base, ["index.html", "latest/", "archive/", "history/", "embed/", "data/"]) == []


@in_a_browser
def test_latest_arrives_at_the_newest_permalink(served):
    _, base, browser = served
    page, errors = open_page(browser, base + "latest/")
    page.wait_for_url(f"{base}2026-12-08-2/", timeout=20_000)
    assert errors == []
    page.context.close()


@in_a_browser
@pytest.mark.parametrize("dark", [False, True])
def test_the_embeds_draw_in_img_and_picture(served, dark):
    site, base, browser = served
    page, errors = open_page(browser, base + "embed/", dark=dark)
    chosen = page.eval_on_selector_all("picture img", "els => els.map(e => e.currentSrc)")
    embeds = [p for p in os.listdir(site / "embed") if p.endswith(".svg") and not p.endswith("-dark.svg")]
    badges = [p for p in os.listdir(site / "badge") if p.endswith(".svg") and not p.endswith("-dark.svg")]
    assert len(chosen) == len(embeds) + len(badges)
    assert all(src.endswith("-dark.svg") == dark for src in chosen)
    assert images_not_drawn(page) == [] and errors == []
    plain = page.evaluate("""async (srcs) => Promise.all(srcs.map(src => new Promise(done => {
        const img = new Image(); img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); img.src = src;
    })))""", [f"{base}embed/{name}" for name in embeds])
    assert min(plain) >= 300                                          # each drawn alone in an <img> too
    page.context.close()


@in_a_browser
def test_light_and_dark_screenshots_at_both_sizes(served, tmp_path):
    _, base, browser = served
    for name in ("index.html", "history/", "embed/"):
        shots = screenshots(browser, base + name, tmp_path, name.strip("/").replace(".", "-"))
        assert shots["desktop-light"].read_bytes() != shots["desktop-dark"].read_bytes()
        assert shots["phone-light"].stat().st_size > 10_000


@in_a_browser
def test_the_answer_and_its_comparison_fit_the_first_screen(served):
    _, base, browser = served
    page, _ = open_page(browser, base + "index.html")
    bottom = page.eval_on_selector("#scoreboard", "e => e.getBoundingClientRect().bottom")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert bottom <= 768 and overflow <= 0, (bottom, overflow)
    page.context.close()


# -- bad input: one line, a non-zero exit, nothing written ----------------------------------------------------------------
def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MINDSHARE, *args], capture_output=True, text=True, timeout=600, cwd=cwd,
                          env=dict(os.environ))


def _one_line(result: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_that_is_not_a_site_is_refused(tmp_path, bundled_store_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter.tex").write_text("x")
    result = run("--db", str(bundled_store_path), "publish", str(thesis))
    _one_line(result, 5, "not empty and is not a mindshare site")
    assert os.listdir(thesis) == ["chapter.tex"]


@pytest.mark.parametrize("args, words", [
    (["--base-url", "not a url"], "--base-url"),
    (["--base-url", "ftp://example.org/"], "--base-url"),
    (["--history", "0"], "--history 0"),
    (["--history", "1000"], "--history 1000"),
])
def test_bad_options_are_refused_before_anything_is_read(tmp_path, args, words):
    site = tmp_path / "site"
    result = run("--db", str(tmp_path / "never.duckdb"), "publish", str(site), *args)
    _one_line(result, 6, words)
    assert not site.exists() and not (tmp_path / "never.duckdb").exists()


def test_a_field_with_no_current_measure_publishes_nothing(tmp_path, bundled_store_path):
    field = tmp_path / "quiet.toml"
    field.write_text('name = "quiet"\ntitle = "Nobody measured"\n[[contender]]\nid = "alpha"\nname = "Alpha"\n'
                     '[[contender]]\nid = "beta"\nname = "Beta"\n', encoding="utf-8")
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    site = tmp_path / "site"
    result = run("--db", str(db), "publish", str(site), "--field", str(field), "--history", "1")
    _one_line(result, 6, "no current measure")
    assert not site.exists()


def test_the_workflow_is_written_once_and_never_over_a_file_of_yours(tmp_path):
    result = run("publish", "--workflow", "github", "--base-url", "https://you.github.io/mindshare/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / ".github" / "workflows" / "mindshare-publish.yml"
    text = written.read_text()
    assert "mindshare publish site --base-url https://you.github.io/mindshare/ --history 24" in text
    again = run("publish", "--workflow", "github", "--base-url", "https://you.github.io/mindshare/", cwd=tmp_path)
    assert again.returncode == 0 and "already this workflow" in again.stdout
    written.write_text("# mine\n")
    refused = run("publish", "--workflow", "github", "--base-url", "https://you.github.io/mindshare/", cwd=tmp_path)
    _one_line(refused, 6, "already there")
    assert written.read_text() == "# mine\n"
    _one_line(run("publish", "--workflow", "github", cwd=tmp_path), 6, "needs --base-url")
    _one_line(run("publish", "--workflow", "gitlab", "--base-url", BASE, cwd=tmp_path), 6, "--workflow gitlab")
