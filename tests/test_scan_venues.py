"""`mindshare papers fetch`: venue index parsing, download, resume, politeness, logins. No network.

Real artifacts (tests/fixtures/venues, see SOURCES.txt there; tests/fixtures/arxiv_listing): the minified ACL
Anthology (unquoted hrefs), the PMLR listing template with real front matter (flat v37, per-paper folder v97) and
the DERIVED blocks of every ICML layout, the OpenReview 403 ChallengeRequiredError, a recorded arXiv API answer.
Structures other projects recorded, NOT saved pages: an ACL volume's entries, CVF and NeurIPS index pages.
BUILT here from the documented formats (no real recording exists): OpenReview notes and login answers, a CVF
per-day index page and its "Error 1525" refusal of ?day=all, and the hand-made pages below (their link patterns
are the sites': ACL '/2020.acl-main.447.pdf', PMLR 'https://proceedings.mlr.press/v119/<key>/<key>.pdf').
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
import stamina
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.commands import collect as collect_command
from mindshare.errors import InputError, SourceError
from mindshare.http import Http, Limit
from mindshare.sources import venues
from mindshare.sources.venues import acl, arxiv, cvf, neurips, openreview, pmlr
from mindshare.sources.venues.base import links

sys.path.insert(0, str(Path(__file__).parent))
from scan_pdfs import make_pdf  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
VENUE_FIXTURES = FIXTURES / "venues"
FAST = {name: Limit(1000.0, 1000, 4) for name in ("aclanthology", "cvf", "pmlr", "neurips", "openreview", "arxiv")}


def fixture(path: str) -> str:
    return (VENUE_FIXTURES / path).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def no_stamina_waits():
    with stamina.set_testing(True, attempts=2):
        yield


def http_for(routes: dict[str, httpx.Response], seen: list[str], env=None) -> Http:
    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        seen.append(url)
        for prefix, response in routes.items():
            if url.startswith(prefix):
                return response
        return httpx.Response(404, text="not found")

    return Http(transport=httpx.MockTransport(handler), cache=False, limits=FAST, sleep=lambda s: None,
                attempts=1, env=env or {})


# -- ACL Anthology ----------------------------------------------------------------------------------------------
def minified_event_page(entries: list[tuple[str, str]]) -> str:
    """An event page in the real minified structure (tests/fixtures/venues/acl): unquoted hrefs."""
    rows = "".join(
        f"<span class=d-block><strong><a class=align-middle href=/{pid}/>{title}</a></strong><br>\n"
        f'<a class="badge text-bg-primary align-middle me-1" href=https://aclanthology.org/{pid}.pdf '
        f'title="Open PDF">pdf</a></span>\n' for pid, title in entries)
    return f"<!doctype html><html><body>\n{rows}</body></html>"


def test_acl_minified_volume_structure_lists_its_papers_with_titles():
    """On main the regex wanted quoted hrefs: this page listed 0 papers and `papers fetch` exited 0."""
    papers = acl.parse_acl(fixture("acl/other_project_volume_page_structure_2023.acl-long.html"), "acl", 2023)
    assert [(p.id, p.title) for p in papers] == [
        ("2023.acl-long.1", "Unrelated First Paper in the Volume"),
        ("2023.acl-long.2", "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale")]
    assert papers[0].pdf_url == "https://aclanthology.org/2023.acl-long.1.pdf"


def test_the_real_minified_page_is_read_by_the_parser():
    page = fixture("acl/aclanthology_paper_page_2023.findings-emnlp.725_excerpts.html")
    found = [url for url, _, _ in links(page, acl.SITE)]
    assert "https://aclanthology.org/2023.findings-emnlp.725.pdf" in found          # href=... unquoted
    assert "https://aclanthology.org/volumes/2023.findings-emnlp/" in found
    assert not acl.is_main_paper("2023.findings-emnlp.725", "emnlp", 2023)          # findings: not main


@pytest.mark.parametrize("year, entries, kept", [
    (2023, [("2023.acl-long.0", "Proceedings"), ("2023.acl-long.1", "A"), ("2023.acl-short.4", "B"),
            ("2023.findings-acl.3", "C"), ("2023.acl-demo.2", "D"), ("2023.acl-long", "whole volume")],
     ["2023.acl-long.1", "2023.acl-short.4"]),
    (2019, [("P19-1000", "Front matter"), ("P19-1001", "A"), ("P19-2003", "B"), ("W19-3601", "A workshop"),
            ("P19-1", "whole volume")], ["P19-1001", "P19-2003"]),
])
def test_acl_front_matter_volumes_and_other_events_are_not_papers(year, entries, kept):
    papers = acl.parse_acl(minified_event_page(entries), "acl", year)
    assert [p.id for p in papers] == kept


# -- PMLR -----------------------------------------------------------------------------------------------------------
def test_pmlr_every_icml_layout():
    """v37 (flat, real front matter) found 0 papers on main; v97 (folder, real) and the DERIVED v28, v32 (both),
    v48, v70 blocks: one paper each, the "Download PDF" link, never the supplement."""
    page = "\n".join(fixture(f"pmlr/{name}") for name in (
        "DERIVED_v37_ioffe15_listpaper_block.html", "DERIVED_v97_abbati19a_listpaper_block.html",
        "DERIVED_icml_volume_layouts.html"))
    papers = pmlr.parse_pmlr(page)
    assert [(p.id, p.pdf_url) for p in papers] == [
        ("ioffe15", "https://proceedings.mlr.press/v37/ioffe15.pdf"),
        ("abbati19a", "https://proceedings.mlr.press/v97/abbati19a/abbati19a.pdf"),
        ("doe13", "https://proceedings.mlr.press/v28/doe13.pdf"),
        ("roe14", "https://proceedings.mlr.press/v32/roe14.pdf"),
        ("poe14", "https://proceedings.mlr.press/v32/poe14/poe14.pdf"),
        ("moe16", "https://proceedings.mlr.press/v48/moe16.pdf"),
        ("zoe17a", "https://proceedings.mlr.press/v70/zoe17a/zoe17a.pdf")]
    assert papers[2].title == "A paper of ICML 2013 (v28: flat files)"
    assert set(pmlr.ICML_VOLUMES.values()) >= {28, 32, 37, 48, 70}


def test_the_front_matter_says_the_flat_path_the_block_links():
    front_matter = fixture("pmlr/mlresearch_v37_ioffe15.md")
    assert "pdf: http://proceedings.mlr.press/v37/ioffe15.pdf" in front_matter
    assert "{{ pdf }}" in fixture("pmlr/mlresearch_jekyll-theme_listpaper.html")


# -- CVF ----------------------------------------------------------------------------------------------------------
def test_cvf_observed_structure():
    papers = cvf.parse_cvf(fixture("cvf/other_project_observed_structure.html"))
    assert [(p.id, p.title) for p in papers] == [
        ("Wang_VGGT_Visual_Geometry_Grounded_Transformer_CVPR_2025_paper", "VGGT: Visual Geometry Grounded Transformer"),
        ("A_paper", "Keypoint Correspondence for Object Tracking")]
    assert papers[0].pdf_url.startswith("https://openaccess.thecvf.com/content/CVPR2025/papers/")


CVF_INDEX = """<html><body><dl>
<dd><a href="CVPR2019?day=2019-06-18">Day 1: 2019-06-18</a></dd>
<dd><a href="CVPR2019?day=2019-06-19">Day 2: 2019-06-19</a></dd>
<dd><a href="CVPR2019?day=all">All Papers</a></dd>
</dl></body></html>"""


def test_cvf_falls_back_to_the_per_day_pages_when_day_all_is_refused(tmp_path):
    day_page = fixture("cvf/other_project_observed_structure.html")
    seen: list[str] = []
    routes = {"https://openaccess.thecvf.com/CVPR2019?day=all": httpx.Response(520, text="Error 1525"),
              "https://openaccess.thecvf.com/CVPR2019?day=2019-06-18": httpx.Response(200, text=day_page),
              "https://openaccess.thecvf.com/CVPR2019?day=2019-06-19": httpx.Response(200, text=day_page.replace(
                  "A_paper", "B_paper")),
              "https://openaccess.thecvf.com/CVPR2019": httpx.Response(200, text=CVF_INDEX)}
    with http_for(routes, seen) as http:
        result = venues.fetch_venue(http, "cvpr", 2019, tmp_path, download=False)
    assert result.listed == 3   # VGGT (on both days, once), A_paper, B_paper
    assert seen[0].endswith("?day=all") and seen[1].endswith("/CVPR2019")
    assert any("?day=all refused" in n for n in result.notes) and any("2 per-day pages" in n for n in result.notes)


# -- NeurIPS --------------------------------------------------------------------------------------------------------
def test_neurips_index_structure_2023_and_2017():
    papers = neurips.parse_neurips(fixture("neurips/other_project_index_structure_2023_2017.html"))
    assert [(p.id[:6], p.title) for p in papers] == [
        ("0001ca", "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale"),
        ("000262", "Unrelated NeurIPS Paper"), ("3f5ee2", "Attention Is All You Need")]
    assert papers[0].pdf_url.endswith("/2023/file/0001ca33ba34ce0351e4612b744b3936-Paper-Conference.pdf")
    assert papers[2].pdf_url.endswith("/2017/file/3f5ee243547dee91fbd053c1c4a845aa-Paper.pdf")
    built = ('<li><a href="/paper_files/paper/2022/hash/ffff-Abstract-Datasets_and_Benchmarks.html">D</a></li>')
    assert neurips.parse_neurips(built) == []   # the Datasets and Benchmarks track is left out


# -- OpenReview -----------------------------------------------------------------------------------------------------
CHALLENGE = json.loads(fixture("openreview/challenge_required_403.json"))


def test_openreview_anonymous_403_says_what_to_set():
    seen: list[str] = []
    routes = {"https://api2.openreview.net/notes": httpx.Response(403, json=CHALLENGE,
                                                                  headers={"ratelimit-policy": "180;w=60"})}
    with http_for(routes, seen) as http, pytest.raises(SourceError) as caught:
        openreview.list_openreview(http, "iclr", 2024)
    message = str(caught.value)
    assert message.startswith("openreview: GET https://api2.openreview.net/notes?")
    assert "HTTP 403 (Challenge verification required)" in message
    assert "set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD" in message and not message.rstrip().endswith(";")


def openreview_server(pages: dict[int, list[dict]], token="tok-123"):
    """Answers /login with a token, and /notes only to requests that carry it (as OpenReview does in 2026)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/login":
            body = json.loads(request.content)
            if body == {"id": "me@example.org", "password": "s3cret-pass"}:
                return httpx.Response(200, json={"token": token, "user": {"profile": {"id": "~Me1"}}})
            return httpx.Response(400, json={"name": "InvalidLoginError", "message": "Invalid username or password"})
        if request.headers.get("authorization") != f"Bearer {token}":
            return httpx.Response(403, json=CHALLENGE)
        return httpx.Response(200, json={"notes": pages.get(int(request.url.params["offset"]), []), "count": 3})

    return handler, seen


def notes(*ids):
    return [{"id": i, "content": {"title": {"value": f"Paper {i}"}}} for i in ids]


LOGIN = {"OPENREVIEW_USERNAME": "me@example.org", "OPENREVIEW_PASSWORD": "s3cret-pass"}


def test_openreview_logs_in_once_and_pages_through_results(tmp_path):
    handler, seen = openreview_server({0: notes("n0", "n1"), 2: notes("n2")})
    with Http(transport=httpx.MockTransport(handler), cache=True, cache_dir=tmp_path / "cache", attempts=1,
              limits=FAST, env=LOGIN) as http:
        listing = openreview.list_openreview(http, "iclr", 2024, page_size=2)
    assert [p.id for p in listing.papers] == ["n0", "n1", "n2"]
    assert [r.url.path for r in seen] == ["/login", "/notes", "/notes"]   # one login for the run
    assert all("content.venueid=ICLR.cc%2F2024%2FConference" in str(r.url) for r in seen[1:])
    # neither the password nor the token is kept anywhere
    logged = " ".join(r.line() for r in http.requests)
    cached = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    for secret in ("s3cret-pass", "tok-123"):
        assert secret not in logged and secret.encode() not in cached


def test_openreview_v1_before_2024_and_a_refused_login_is_one_line():
    handler, seen = openreview_server({0: notes("a")})
    with Http(transport=httpx.MockTransport(handler), cache=False, attempts=1, limits=FAST, env=LOGIN) as http:
        listing = openreview.list_openreview(http, "iclr", 2021)
    assert seen[0].url.host == "api.openreview.net" and seen[0].url.path == "/login"
    assert "invitation=ICLR.cc%2F2021%2FConference%2F-%2FBlind_Submission" in str(seen[1].url)
    assert [p.title for p in listing.papers] == ["Paper a"]
    wrong = {**LOGIN, "OPENREVIEW_PASSWORD": "wrong"}
    with Http(transport=httpx.MockTransport(handler), cache=False, attempts=1, limits=FAST, env=wrong) as http, \
            pytest.raises(SourceError) as caught:
        openreview.list_openreview(http, "iclr", 2024)
    message = str(caught.value)
    assert message.startswith("openreview: login to api2.openreview.net refused (HTTP 400")
    assert "check OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD" in message and "wrong" not in message


def test_openreview_v1_titles():
    data = {"notes": [{"id": "abc", "content": {"title": "T"}}, {"id": "d/e", "content": {}}]}
    assert [(p.id, p.title) for p in openreview.parse_openreview(data)] == [("abc", "T"), ("d_e", "")]


# -- arXiv ----------------------------------------------------------------------------------------------------------
def test_arxiv_listing_from_a_recorded_response():
    recorded = json.loads((FIXTURES / "arxiv_listing" / "q_testing_s0_m10_bc5a6c384fe9.json").read_text())
    papers = arxiv.parse_arxiv(recorded["body"])
    assert len(papers) == 10
    assert all(p.pdf_url.startswith("https://export.arxiv.org/pdf/") and p.title for p in papers)


# -- fetching -------------------------------------------------------------------------------------------------------
ACL_2020 = minified_event_page([("2020.acl-main.0", "Front matter"), ("2020.acl-main.1", "Paper one"),
                                ("2020.acl-main.447", "S2ORC"), ("2020.acl-demos.3", "A demo")])


def test_fetch_downloads_resumes_and_records_failures(tmp_path):
    pdf = make_pdf(text="PyTorch")
    seen: list[str] = []
    routes = {
        "https://aclanthology.org/events/acl-2020/": httpx.Response(200, text=ACL_2020),
        "https://aclanthology.org/2020.acl-main.1.pdf": httpx.Response(200, content=pdf),
        "https://aclanthology.org/2020.acl-main.447.pdf": httpx.Response(200, text="<html>moved</html>"),
    }
    with http_for(routes, seen) as http:
        result = venues.fetch_venue(http, "ACL", 2020, tmp_path)
    assert (result.listed, result.downloaded, result.skipped) == (2, 1, 0)
    assert result.failed == [("https://aclanthology.org/2020.acl-main.447.pdf", "the response is not a PDF")]
    assert (tmp_path / "2020.acl-main.1.pdf").read_bytes() == pdf
    assert not list(tmp_path.glob("*.part"))
    assert "2020.acl-main.447,S2ORC" in (tmp_path / "papers.csv").read_text()
    seen.clear()
    with http_for(routes, seen) as http:
        again = venues.fetch_venue(http, "acl", 2020, tmp_path)
    assert again.skipped == 1 and "https://aclanthology.org/2020.acl-main.1.pdf" not in seen


def test_a_listing_of_zero_papers_is_an_error_and_writes_nothing(tmp_path):
    seen: list[str] = []
    routes = {"https://aclanthology.org/events/acl-2020/": httpx.Response(200, text="<html><body></body></html>")}
    with http_for(routes, seen) as http, pytest.raises(SourceError) as caught:
        venues.fetch_venue(http, "acl", 2020, tmp_path / "out")
    assert "lists 0 papers" in str(caught.value) and "--allow-empty" in str(caught.value)
    assert not (tmp_path / "out").exists()
    with http_for(routes, seen) as http:
        allowed = venues.fetch_venue(http, "acl", 2020, tmp_path / "out", allow_empty=True)
    assert allowed.listed == 0 and (tmp_path / "out" / "papers.csv").exists()


@pytest.fixture
def papers_cli(monkeypatch):
    state = {"routes": {}, "seen": []}

    def make(cache: bool = True, verbose: bool = False, settings=None) -> Http:
        http = http_for(state["routes"], state["seen"], env={"OPENREVIEW_USERNAME": "me@example.org",
                                                            "OPENREVIEW_PASSWORD": "s3cret-pass"})
        http.on_request = collect_command.print_request if verbose else None
        return http

    monkeypatch.setattr(collect_command, "make_http", make)
    return state


def test_papers_fetch_verbose_prints_each_url_and_status_and_zero_papers_exits_non_zero(tmp_path, papers_cli):
    papers_cli["routes"] = {"https://aclanthology.org/events/acl-2020/": httpx.Response(200, text=ACL_2020),
                            "https://aclanthology.org/2020.acl-main": httpx.Response(200, content=make_pdf(text="x"))}
    result = CliRunner().invoke(app, ["papers", "fetch", "--venue", "acl", "--year", "2020", "--to",
                                      str(tmp_path / "acl"), "--verbose"])
    assert result.exit_code == 0, result.output
    assert "GET https://aclanthology.org/events/acl-2020/ -> 200" in result.output
    assert "GET https://aclanthology.org/2020.acl-main.447.pdf -> 200" in result.output
    assert "2 papers listed for ACL 2020; 2 downloaded" in result.output
    papers_cli["routes"] = {"https://aclanthology.org/events/acl-2021/": httpx.Response(200, text="<html></html>")}
    empty = CliRunner().invoke(app, ["papers", "fetch", "--venue", "acl", "--year", "2021", "--to",
                                     str(tmp_path / "none")])
    assert isinstance(empty.exception, SourceError) and empty.exception.exit_code == 7
    assert not (tmp_path / "none").exists()


def test_politeness_every_request_goes_through_a_rate_limited_provider():
    for name in ("aclanthology", "cvf", "pmlr", "neurips", "openreview"):
        assert venues.PROVIDERS[name].limit.per_second <= 1.0 and venues.PROVIDERS[name].limit.concurrency == 1
    assert venues.PROVIDERS["arxiv"].limit.per_second <= 1 / 3


def test_unknown_venue_and_year():
    with pytest.raises(InputError, match="unknown venue"):
        venues.resolve("siggraph")
    with pytest.raises(InputError, match="no PMLR volume"):
        pmlr.list_pmlr(None, "icml", 1999)


def test_papers_cli_lists_venues_and_refuses_an_unknown_one(tmp_path):
    import subprocess

    run = lambda *a: subprocess.run([sys.executable, "-m", "mindshare", *a], capture_output=True, text=True,  # noqa
                                    timeout=60)
    listed = run("papers", "venues")
    assert listed.returncode == 0 and all(v in listed.stdout for v in ("acl", "cvpr", "icml", "neurips", "iclr"))
    bad = run("papers", "fetch", "--venue", "siggraph", "--year", "2020", "--to", str(tmp_path / "x"))
    assert bad.returncode != 0 and "unknown venue" in bad.stderr and "Traceback" not in bad.stderr
