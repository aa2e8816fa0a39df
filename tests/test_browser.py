"""The report in a real headless Chromium (Debian's), driven by Playwright, from a file, offline."""

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


def _open(browser, folder: Path, width: int, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto((folder / "index.html").as_uri())
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
    link = page.query_selector("#research .findings a[href^='#S']")
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    assert page.is_visible(f"tr{target}")
    page.close()
