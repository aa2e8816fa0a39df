"""The pages around the report, the preview image and SITE/data/, from the report's own output
(tests/fixtures/site/results.json)."""

import csv
import io
import json
import struct
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mindshare.site import data, pages, preview

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SITE = "https://you.github.io/mindshare/"


@pytest.fixture(scope="module")
def results():
    return json.loads((FIXTURES / "results.json").read_text(encoding="utf-8"))


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str):
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_share_meta_is_complete_and_escaped():
    meta = pages.ShareMeta('PyTorch <b>"leads"</b>', "PyTorch is ahead & more", f"{SITE}2026-12-01/",
                           f"{SITE}preview.png", "the answer")
    tags = _tags(pages.head_meta(meta))
    props = {a.get("property") or a.get("name"): a.get("content") for t, a in tags if t == "meta"}
    assert props["og:title"] == 'PyTorch <b>"leads"</b>' and props["twitter:card"] == "summary_large_image"
    assert props["og:image"] == props["twitter:image"] == f"{SITE}preview.png"
    assert props["og:url"] == f"{SITE}2026-12-01/" and props["description"] == "PyTorch is ahead & more"
    assert ("link", {"rel": "canonical", "href": f"{SITE}2026-12-01/"}) in tags
    assert "<b>" not in pages.head_meta(meta)
    page = pages.with_head("<html><head><title>x</title></head><body></body></html>", pages.head_meta(meta))
    assert page.index('rel="canonical"') < page.index("</head>")
    with pytest.raises(ValueError):
        pages.with_head("<p>no head</p>", "")


def test_latest_sends_the_reader_to_the_newest_permalink():
    html = pages.latest_page(pages.Permalink("2026-12-01-2"), SITE, title="Deep learning").decode()
    tags = _tags(html)
    assert ("meta", {"http-equiv": "refresh", "content": "0; url=../2026-12-01-2/"}) in tags
    assert ("link", {"rel": "canonical", "href": f"{SITE}2026-12-01-2/"}) in tags
    assert ("a", {"href": "../2026-12-01-2/"}) in tags


def test_the_archive_lists_every_permalink_newest_first():
    links = [pages.Permalink("2026-11-01", "TensorFlow <leads>"), pages.Permalink("2026-12-01", "PyTorch leads"),
             pages.Permalink("2026-12-01-2", "PyTorch leads more")]
    html = pages.archive_page(links, SITE, title="Deep learning").decode()
    hrefs = [a["href"] for t, a in _tags(html) if t == "a" and a["href"].startswith("../20")]
    assert hrefs == ["../2026-12-01-2/", "../2026-12-01/", "../2026-11-01/"]
    assert "TensorFlow &lt;leads&gt;" in html and "prefers-color-scheme: dark" in html


def test_the_preview_shows_the_answer(results):
    svg = preview.answer_card_svg(results, site_name="you.github.io/mindshare")
    headline = next(f["text"] for f in results["sections"][0]["findings"] if f["role"] == "headline")
    assert headline.split(":")[0] in svg and "PyTorch 3.6×" in svg and "you.github.io/mindshare" in svg
    started = time.perf_counter()
    png = preview.answer_card_png(results)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630)
    assert time.perf_counter() - started < 5
    assert preview.answer_card_png(results) == png                      # the same bytes every time
    assert preview.answer_card_png(results, theme="dark") != png


def test_data_holds_every_table_with_its_sources(results):
    files = data.data_files(results)
    answer = json.loads(files["data/answer.json"])
    assert answer["answer"]["id"] == "headline" and answer["field"] == "deep-learning"
    assert {s["ref"] for s in answer["sources"]} >= {r["source_ref"] for r in answer["answer"]["tables"][0]["rows"]}
    scoreboard = list(csv.DictReader(io.StringIO(files["data/scoreboard.csv"].decode())))
    assert [r["signal"] for r in scoreboard] == [r["signal"] for r in answer["answer"]["tables"][0]["rows"]]
    for section in results["sections"]:
        if section["id"] in ("headline", "sources"):
            continue
        for table in section["tables"]:
            document = json.loads(files[f"data/{section['id']}/{table['name']}.json"])
            assert document["rows"] == table["rows"]
            cited = {r.get("source_ref") for r in table["rows"]} - {None}
            assert {s["ref"] for s in document["sources"]} == cited and all(s["source"] for s in
                                                                            document["sources"])
            assert len(list(csv.DictReader(io.StringIO(files[f"data/{section['id']}/{table['name']}.csv"]
                                                       .decode())))) == len(table["rows"])
    listing = json.loads(files["data/index.json"])["files"]
    assert {f"data/{f['file']}" for f in listing} == set(files) - {"data/index.json", "data/index.html"}
    assert data.data_files(results) == files


def test_data_csv_defuses_formulas(results):
    hostile = {"sections": [{"id": "x", "title": "X", "tables": [{"name": "t", "rows": [
        {"name": "=HYPERLINK(\"http://evil\")", "n": -3, "list": [1, 2]}]}]}]}
    rows = list(csv.reader(io.StringIO(data.data_files(hostile)["data/x/t.csv"].decode())))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "-3", "[1, 2]"]
