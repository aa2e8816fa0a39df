"""The report in a real headless Chromium (Debian's), driven by Playwright, from a file, offline: index.html (the
sections and their charts) and sources.html (the source list every figure links to)."""

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed "
                       "(scripts/ensure-system-packages installs it where it can)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _open(browser, folder: Path, width: int, height: int = 900, name: str = "index.html"):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto((folder / name).as_uri())
    page.wait_for_function(
        "document.querySelectorAll('[data-rendered], [data-error]').length"
        " === document.querySelectorAll('[data-spec]').length", timeout=60_000)
    return page, errors, requests


def test_every_chart_draws_offline_without_errors(browser, built_report):
    folder, results = built_report
    page, errors, requests = _open(browser, folder, 1280)
    expected = sum(len(s["charts"]) for s in results["sections"])
    assert page.eval_on_selector_all("[data-error]", "els => els.map(e => e.dataset.error)") == []
    assert page.eval_on_selector_all("[data-rendered] svg.marks", "els => els.length") == expected
    # the lines and bars are really there, not empty axes
    marks = page.eval_on_selector_all("[data-rendered] svg.marks path, [data-rendered] svg.marks rect",
                                      "els => els.length")
    assert marks > 100
    assert errors == []
    assert all(url.startswith(("file:", "data:", "blob:", "about:")) for url in requests), requests
    page.close()


def test_readable_on_a_phone(browser, built_report):
    folder, _ = built_report
    page, errors, _ = _open(browser, folder, 390, 844)
    body_overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert body_overflow <= 1, "the page scrolls sideways on a phone"
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 14
    assert errors == []
    page.close()


def test_source_links_jump_to_the_source(browser, built_report):
    folder, _ = built_report
    page, _, _ = _open(browser, folder, 1280)
    link = page.query_selector("#research .findings a[href^='sources.html#S']")
    target = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"sources.html#{target}")
    row = page.query_selector(f"tr:has(> td > a#{target})")
    assert row.is_visible()
    box = row.bounding_box()
    assert 0 <= box["y"] < 900, "the linked source is not on screen"
    assert page.evaluate("el => getComputedStyle(el).backgroundColor", row) != "rgba(0, 0, 0, 0)"   # highlighted
    page.close()


def test_an_old_link_to_a_source_on_index_html_goes_on_to_the_sources_page(browser, built_report):
    folder, _ = built_report
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((folder / "index.html").as_uri() + "#S3")
    page.wait_for_url("**/sources.html#S3")
    assert page.query_selector("a#S3").is_visible()
    page.close()


def test_every_source_reference_resolves_on_the_sources_page(browser, built_report):
    folder, results = built_report
    page, errors, _ = _open(browser, folder, 1280, name="sources.html")
    anchors = set(page.eval_on_selector_all("a[id^='S']", "els => els.map(e => e.id)"))
    index, _, _ = _open(browser, folder, 1280)
    cited = set(index.eval_on_selector_all("a[href^='sources.html#']", "els => els.map(e => e.hash.slice(1))"))
    assert cited and cited <= anchors
    listed = {r["ref"] for s in results["sections"] if s["id"] == "sources" for t in s["tables"] for r in t["rows"]}
    assert anchors == listed
    width = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 1 and errors == []
    page.close()
    index.close()


def test_the_page_is_light_enough(browser, built_report):
    """Under 1 MB and under 15,000 px tall at 1366 px wide: the source list is its own page, the chart library a
    file beside it."""
    folder, _ = built_report
    assert (folder / "index.html").stat().st_size < 1_000_000
    page, errors, _ = _open(browser, folder, 1366, 768)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 15_000, f"index.html is {height} px tall at 1366 px"
    assert errors == []
    page.close()


def test_hostile_names_draw_in_the_browser(browser, tmp_path, bundled_store_path):
    from test_report_defects import hostile_field

    from mindshare.fields import load_field
    from mindshare.report.build import build_report
    from mindshare.report.render import write_report
    from mindshare.session import session

    with session(bundled_store_path) as store:
        report = build_report(store, load_field(str(hostile_field(tmp_path))))
    folder = write_report(report, tmp_path / "out", render_images=False)
    page, errors, _ = _open(browser, folder, 1280)
    assert page.eval_on_selector_all("[data-error]", "els => els.map(e => e.dataset.error)") == []
    assert page.eval_on_selector_all("[data-rendered] svg.marks", "els => els.length") == \
        sum(len(s.charts) for s in report.sections)
    assert errors == []
    page.close()


def _answer(results):
    return next(s for s in results["sections"] if s["id"] == "headline")


def test_the_answer_is_the_first_screen_at_1366(browser, built_report):
    """Title, headline, its sentences and every scoreboard row inside the first 768 px, before any section."""
    folder, results = built_report
    answer = _answer(results)
    sentences = [f["text"] for f in answer["findings"] if f["role"] == "sentence"]
    rows = answer["tables"][0]["rows"]
    assert answer["tables"][0]["name"] == "scoreboard" and len(rows) >= 4 and 3 <= len(sentences) <= 5
    page, errors, _ = _open(browser, folder, 1366, 768)
    bottom = "els => els.map(e => e.getBoundingClientRect().bottom)"
    assert page.eval_on_selector("h1", "e => e.getBoundingClientRect().bottom") < 80
    assert page.inner_text("#headline") == next(f["text"] for f in answer["findings"] if f["role"] == "headline")
    assert page.eval_on_selector_all(".sentences li", "els => els.map(e => e.innerText)")[0].startswith(sentences[0])
    shown = page.eval_on_selector_all("#scoreboard tbody tr", "els => els.map(e => e.dataset.signal)")
    assert shown == [r["signal"] for r in rows]
    lowest = max(page.eval_on_selector_all("#headline, .sentences li, #scoreboard tbody tr", bottom))
    assert lowest <= 768, f"the answer ends at {lowest} px, below the first screen"
    first_section = min(page.eval_on_selector_all("main > section", "els => els.map(e => e.getBoundingClientRect().top)"))
    assert lowest < first_section
    assert errors == []
    page.close()


def test_the_answer_comes_first_on_a_phone_without_sideways_scroll(browser, built_report):
    folder, results = built_report
    page, errors, _ = _open(browser, folder, 390, 844)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    widest = max(page.eval_on_selector_all("#answer, #answer *", "els => els.map(e => e.getBoundingClientRect().right)"))
    assert widest <= 390
    scoreboard_end = page.eval_on_selector("#scoreboard", "e => e.getBoundingClientRect().bottom")
    first_section = min(page.eval_on_selector_all("main > section", "els => els.map(e => e.getBoundingClientRect().top)"))
    assert page.eval_on_selector("#headline", "e => e.getBoundingClientRect().top") < 200
    assert scoreboard_end < first_section
    assert len(page.query_selector_all("#scoreboard tbody tr")) == len(_answer(results)["tables"][0]["rows"])
    assert errors == []
    page.close()


# -- served over HTTP, as a static host serves a report (issue 24's console faults) ------------------------------------
@pytest.mark.parametrize("dark", [False, True])
def test_served_the_console_stays_quiet_and_the_theme_follows_the_system(browser, built_report, dark):
    """No warning at all in the console (Vega-Lite's "faceted independent scales", ten of them once), no request
    that fails (a /favicon.ico a static host answers 404), and the dark style where the reader's system is dark."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from site_browser import serve

    folder, _ = built_report
    with serve(folder) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768}, color_scheme="dark" if dark else "light")
        page = context.new_page()
        said, failed = [], []
        page.on("console", lambda message: said.append(f"{message.type}: {message.text}"))
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
        page.goto(base + "index.html")
        page.wait_for_function("document.querySelectorAll('[data-rendered], [data-error]').length"
                               " === document.querySelectorAll('[data-spec]').length", timeout=120_000)
        page.goto(base + "sources.html")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert said == [] and failed == []
    assert (background == "rgb(22, 24, 29)") == dark, background
