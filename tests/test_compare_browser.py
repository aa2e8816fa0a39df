"""The five compares of issue 22, answered offline on a fresh machine (no store, no network) and written as reports
(`mindshare compare ... --out`), each first screen checked in Debian's chromium through Playwright at 1366x768 and
390 px wide: the answer (headline, sentences, scoreboard) opens the page, names these contenders and nothing of
deep learning, fits the width, and the page asks nothing of the network."""

from __future__ import annotations

import re

import pytest
from site_browser import launch, needs_chromium, open_page

from mindshare.api import write_comparison_report
from mindshare.settings import read

pytestmark = needs_chromium
FIVE = {"polars pandas": ["polars", "pandas"], "fastapi flask django": ["fastapi", "flask", "django"],
        "postgresql mysql sqlite": ["postgresql", "mysql", "sqlite"], "react vue angular": ["react", "vue", "angular"],
        "rust go": ["rust", "go"]}
DEEP_LEARNING = re.compile(r"pytorch|tensorflow|deep[ -]learning|neurips|keras|ML-frameworks", re.IGNORECASE)
NAMES = {"polars pandas": ["Polars", "pandas"], "fastapi flask django": ["FastAPI", "Flask", "Django"],
         "postgresql mysql sqlite": ["PostgreSQL", "MySQL", "SQLite"],
         "react vue angular": ["React", "Vue.js", "Angular"], "rust go": ["Rust", "Go"]}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    built = {}
    for case, names in FIVE.items():
        folder = tmp_path_factory.mktemp(case.replace(" ", "-"))
        settings = read({"MINDSHARE_DB": str(folder / "store.duckdb"), "MINDSHARE_CACHE": str(folder / "cache")})
        built[case] = write_comparison_report(settings, names, {}, folder / "report", png=False)
        assert not (folder / "store.duckdb").exists()
    return built


@pytest.fixture(scope="module")
def browser():
    with launch() as instance:
        yield instance


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("case", list(FIVE))
def test_the_first_screen_is_the_answer(reports, browser, tmp_path, case, size):
    page, errors = open_page(browser, (reports[case] / "index.html").as_uri(), size=size)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.reload(wait_until="load")
    height = page.viewport_size["height"]
    answer = page.evaluate("""() => {
        const h = document.querySelector('#headline'), board = document.querySelector('#scoreboard');
        return {top: h.getBoundingClientRect().top, board: board ? board.getBoundingClientRect().top : null,
                text: h.innerText, title: document.querySelector('h1').innerText,
                overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth}; }""")
    page.screenshot(path=str(tmp_path / f"{case.replace(' ', '-')}-{size}.png"))
    assert errors == []
    assert all(url.startswith(("file:", "data:", "blob:", "about:")) for url in requests), requests
    assert answer["overflow"] <= 1, "the page scrolls sideways"
    assert 0 <= answer["top"] < height / 3, "the answer does not open the page"
    if size == "desktop":
        assert answer["board"] is not None and answer["board"] < height, "the scoreboard is below the first screen"
    assert not DEEP_LEARNING.search(answer["text"] + answer["title"])
    assert answer["title"] == " vs ".join(NAMES[case]) + ": who is winning?"
    assert any(name in answer["text"].split("\n")[0] for name in NAMES[case])      # the headline names the leader
    page.context.close()
