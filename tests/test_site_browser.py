"""The site's parts in a real browser, served over HTTP from 127.0.0.1 the way a static host serves them: every
link resolves, nothing errs, light and dark read, and each SVG (badge and chart) draws in an <img> and in a
<picture> that picks the dark one in a dark system. A small site is made here from the site's own functions and
the report's output (tests/fixtures/site); `mindshare publish`'s tests use tests/site_browser.py on the real one."""

import json
from datetime import date
from html import escape
from pathlib import Path

import feedparser
import pytest
from site_browser import (
    broken_links,
    images_not_drawn,
    launch,
    needs_chromium,
    open_page,
    screenshots,
    serve,
)

from mindshare.site import badges, data, embeds, feed, pages, preview
from mindshare.site.folder import SiteFolder

pytestmark = needs_chromium
FIXTURES = Path(__file__).parent / "fixtures" / "site"
SITE = "https://you.github.io/mindshare/"
DAY = "2026-12-01"


def _answer_page(results, badge_list, charts, *, root: str) -> bytes:
    """A stand-in for the report's index.html: the site's meta in its head, every badge and chart embedded."""
    meta = pages.ShareMeta("Deep-learning frameworks: who is winning?", "PyTorch is ahead", SITE,
                           SITE + "preview.png", "the answer")
    pictures = "".join(
        f'<p><picture><source media="(prefers-color-scheme: dark)" srcset="{root}{b.path("dark")}">'
        f'<img alt="{escape(b.title)}" src="{root}{b.path()}"></picture> '
        f'<img alt="{escape(b.title)}" src="{root}{b.path("dark")}"></p>\n' for b in badge_list)
    figures = "".join(
        f'<figure><picture><source media="(prefers-color-scheme: dark)" srcset="{root}{embeds.embed_path(c, "dark")}">'
        f'<img alt="{c}" src="{root}{embeds.embed_path(c)}" style="max-width:100%"></picture></figure>\n'
        for c in charts)
    links = (f'<p><a href="{root}archive/">every answer</a> · <a href="{root}latest/">latest</a> · '
             f'<a href="{root}feed.xml">feed</a> · <a href="{root}data/">data</a></p>\n')
    body = f"<h1>{escape(results['field_title'])}</h1>\n{links}{pictures}{figures}"
    return pages.page("Deep-learning frameworks", body, head=pages.head_meta(meta) + pages.feed_link("feed", root))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    results = json.loads((FIXTURES / "results.json").read_text(encoding="utf-8"))
    rows = results["sections"][0]["tables"][0]["rows"]
    badge_list = badges.scoreboard_badges(rows)
    files = {}
    for badge in badge_list:
        for theme in badges.THEMES:
            files[badge.path(theme)] = badges.badge_svg(badge, theme)
    charts = ["hn_hiring_share", "so_survey_years"]
    for chart in charts:
        spec = json.loads((FIXTURES / f"spec-{chart}.json").read_text(encoding="utf-8"))
        line = embeds.source_line(embeds.chart_sources(results, chart), report_date=DAY, url=SITE)
        for theme in ("light", "dark"):
            files[embeds.embed_path(chart, theme)] = embeds.chart_svg(spec, line, theme, name=chart)
    files["index.html"] = _answer_page(results, badge_list, charts, root="")
    files[f"{DAY}/index.html"] = _answer_page(results, badge_list, charts, root="../")
    files["latest/index.html"] = pages.latest_page(pages.Permalink(DAY), SITE, title="Deep learning")
    files["archive/index.html"] = pages.archive_page([pages.Permalink(DAY, "PyTorch is ahead")], SITE,
                                                     title="Deep learning")
    # the archive links to how the answer changed; mindshare publish's tests open the real history page
    files["history/index.html"] = pages.page("How the answer changed", "<h1>How the answer changed</h1>")
    files["feed.xml"] = feed.atom_feed([feed.Event(date(2026, 12, 1), "new-data", "downloads", "New data",
                                                   "PyTorch 3.6x", ("2026-03",), f"{DAY}/")], SITE, title="t")
    files["preview.png"] = preview.answer_card_png(results)
    files.update(data.data_files(results))
    folder = tmp_path_factory.mktemp("site") / "site"
    SiteFolder(folder).write(files)
    with serve(folder) as base, launch() as browser:
        yield folder, base, browser, badge_list


def test_every_link_resolves(site):
    _, base, _, _ = site
    assert broken_links(base, ["index.html", "latest/", f"{DAY}/"]) == []


def test_the_harness_finds_a_broken_link(site, tmp_path):
    (tmp_path / "index.html").write_text('<a href="gone.html">x</a><img src="/nowhere.svg">'
                                         '<a href="file:///etc/passwd">y</a>')
    with serve(tmp_path) as base:
        broken = broken_links(base, ["index.html"])
    assert len(broken) == 3 and any("gone.html (404)" in b for b in broken)


@pytest.mark.parametrize("dark", [False, True])
def test_every_svg_draws_in_img_and_picture(site, dark):
    _, base, browser, badge_list = site
    page, errors = open_page(browser, base + "index.html", dark=dark)
    assert images_not_drawn(page) == []
    chosen = page.eval_on_selector_all("picture img", "els => els.map(e => e.currentSrc)")
    assert len(chosen) == len(badge_list) + 2
    assert all(src.endswith("-dark.svg") == dark for src in chosen), chosen
    widths = page.eval_on_selector_all("picture img", "els => els.map(e => e.naturalWidth)")
    assert min(widths) > 50
    assert errors == []
    page.context.close()


def test_latest_arrives_at_the_newest_permalink(site):
    _, base, browser, _ = site
    page, errors = open_page(browser, base + "latest/")
    page.wait_for_url(f"{base}{DAY}/", timeout=10_000)
    assert images_not_drawn(page) == [] and errors == []
    page.context.close()


def test_light_and_dark_screenshots_at_both_sizes(site, tmp_path):
    _, base, browser, _ = site
    for name in ("index.html", "archive/", "data/"):
        shots = screenshots(browser, base + name, tmp_path, name.strip("/").replace(".", "-"))
        assert set(shots) == {"desktop-light", "desktop-dark", "phone-light", "phone-dark"}
        assert shots["desktop-light"].read_bytes() != shots["desktop-dark"].read_bytes()
    page, errors = open_page(browser, base + "archive/", size="phone", dark=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert overflow <= 1 and background == "rgb(22, 24, 29)" and errors == []
    page.context.close()


def test_the_feed_and_the_data_are_served(site):
    _, base, _, _ = site
    parsed = feedparser.parse(base + "feed.xml")
    assert not parsed.bozo and parsed.entries[0].link == f"{SITE}{DAY}/"
    answer = json.loads(__import__("urllib.request").request.urlopen(base + "data/answer.json").read())
    assert answer["answer"]["id"] == "headline"
