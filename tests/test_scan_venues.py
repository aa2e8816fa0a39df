"""`mindshare papers fetch`: venue index parsing, download, resume, politeness. No network.

The arXiv listing replays a real recorded arXiv API response (tests/fixtures/arxiv_listing, copied from
../shared/fixtures/arxiv; see SOURCES.txt there). No recorded pages of the ACL Anthology, CVF open access,
PMLR, papers.nips.cc or OpenReview exist in ../shared, so those pages below are BUILT BY HAND from the
public page structure each site documents and serves (link patterns as they appear on the sites: ACL
'/2020.acl-main.447.pdf', CVF '/content/CVPR2021/papers/<name>_CVPR_2021_paper.pdf', PMLR
'https://proceedings.mlr.press/v119/<key>/<key>.pdf', NeurIPS '/paper_files/paper/2022/hash/<h>-Abstract-Conference.html',
OpenReview API v2 {"notes": [{"id", "content": {"title": {"value"}}}]}).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest

from mindshare.errors import InputError
from mindshare.http import Http, Limit
from mindshare.scan import venues

sys.path.insert(0, str(Path(__file__).parent))
from scan_pdfs import make_pdf  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv_listing"

ACL_PAGE = """<html><body>
<a class="badge" href="/2020.acl-main.0.pdf">pdf</a> front matter
<a class="badge" href="/2020.acl-main.1.pdf">pdf</a><strong><a href="/2020.acl-main.1/">Paper one</a></strong>
<a class="badge" href="https://aclanthology.org/2020.acl-main.447.pdf">pdf</a> S2ORC
<a class="badge" href="/2020.acl-demos.3.pdf">pdf</a> a demo paper
<a class="badge" href="/2020.acl-main.1.pdf">pdf</a> repeated link
</body></html>"""

CVF_PAGE = """<dl><dt class="ptitle"><br><a href="/content/CVPR2021/html/Doe_Nets_CVPR_2021_paper.html">Nets</a></dt>
<dd>[<a href="/content/CVPR2021/papers/Doe_Nets_CVPR_2021_paper.pdf">pdf</a>]
[<a href="/content/CVPR2021/supplemental/Doe_Nets_CVPR_2021_supplemental.pdf">supp</a>]</dd></dl>"""

PMLR_PAGE = """<div class="paper"><p class="title">Paper A</p>
<a href="https://proceedings.mlr.press/v119/doe20a/doe20a.pdf">Download PDF</a>
<a href="https://proceedings.mlr.press/v119/doe20a/doe20a-supp.pdf">Supplementary PDF</a></div>"""

NEURIPS_PAGE = """<ul class="paper-list">
<li class="conference"><a title="paper title" href="/paper_files/paper/2022/hash/0a1b2c-Abstract-Conference.html">A &amp; B</a></li>
<li class="datasets_and_benchmarks"><a href="/paper_files/paper/2022/hash/ffff-Abstract-Datasets_and_Benchmarks.html">D</a></li>
</ul>"""


def http_for(routes: dict[str, httpx.Response], seen: list[str]) -> Http:
    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        seen.append(url)
        for prefix, response in routes.items():
            if url.startswith(prefix):
                return response
        return httpx.Response(404, text="not found")

    fast = {name: Limit(1000.0, 1000, 4) for name in ("aclanthology", "cvf", "pmlr", "neurips", "openreview",
                                                      "arxiv")}
    return Http(transport=httpx.MockTransport(handler), cache=False, limits=fast, sleep=lambda s: None,
                attempts=1)


def test_parsers():
    acl = venues.parse_acl(ACL_PAGE, "acl", 2020)
    assert [p.id for p in acl] == ["2020.acl-main.1", "2020.acl-main.447"]
    assert acl[1].pdf_url == "https://aclanthology.org/2020.acl-main.447.pdf"
    cvf = venues.parse_cvf(CVF_PAGE)
    assert [p.pdf_url for p in cvf] == [
        "https://openaccess.thecvf.com/content/CVPR2021/papers/Doe_Nets_CVPR_2021_paper.pdf"]
    assert [p.id for p in venues.parse_pmlr(PMLR_PAGE)] == ["doe20a"]
    nips = venues.parse_neurips(NEURIPS_PAGE)
    assert [(p.id, p.title) for p in nips] == [("0a1b2c", "A & B")]
    assert nips[0].pdf_url.endswith("/2022/file/0a1b2c-Paper-Conference.pdf")
    notes = {"notes": [{"id": "abc", "content": {"title": {"value": "T"}}}, {"id": "d/e", "content": {}}]}
    assert [(p.id, p.title) for p in venues.parse_openreview(notes)] == [("abc", "T"), ("d_e", "")]


def test_arxiv_listing_from_a_recorded_response():
    recorded = json.loads((FIXTURES / "q_testing_s0_m10_bc5a6c384fe9.json").read_text())
    papers = venues.parse_arxiv(recorded["body"])
    assert len(papers) == 10
    assert all(p.pdf_url.startswith("https://export.arxiv.org/pdf/") and p.title for p in papers)


def test_fetch_downloads_resumes_and_records_failures(tmp_path):
    pdf = make_pdf(text="PyTorch")
    seen: list[str] = []
    routes = {
        "https://aclanthology.org/events/acl-2020/": httpx.Response(200, text=ACL_PAGE),
        "https://aclanthology.org/2020.acl-main.1.pdf": httpx.Response(200, content=pdf),
        "https://aclanthology.org/2020.acl-main.447.pdf": httpx.Response(200, text="<html>moved</html>"),
    }
    with http_for(routes, seen) as http:
        result = venues.fetch_venue(http, "ACL", 2020, tmp_path)
    assert (result.listed, result.downloaded, result.skipped) == (2, 1, 0)
    assert result.failed == [("https://aclanthology.org/2020.acl-main.447.pdf", "the response is not a PDF")]
    assert (tmp_path / "2020.acl-main.1.pdf").read_bytes() == pdf
    assert not list(tmp_path.glob("*.part"))
    assert "2020.acl-main.447" in (tmp_path / "papers.csv").read_text()
    # resume: the PDF already there is not fetched again
    seen.clear()
    with http_for(routes, seen) as http:
        again = venues.fetch_venue(http, "acl", 2020, tmp_path)
    assert again.skipped == 1 and "https://aclanthology.org/2020.acl-main.1.pdf" not in seen


def test_openreview_pages_through_results(tmp_path):
    seen: list[str] = []
    page1 = {"notes": [{"id": f"n{i}", "content": {"title": {"value": str(i)}}} for i in range(2)]}
    page2 = {"notes": [{"id": "n2", "content": {"title": {"value": "2"}}}]}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        offset = int(request.url.params["offset"])
        return httpx.Response(200, json=page1 if offset == 0 else page2)

    with Http(transport=httpx.MockTransport(handler), cache=False, attempts=1,
              limits={"openreview": Limit(1000.0, 1000, 4)}) as http:
        papers = venues.list_openreview(http, "iclr", 2024, page_size=2)
    assert [p.id for p in papers] == ["n0", "n1", "n2"]
    assert all("content.venueid=ICLR.cc%2F2024%2FConference" in u for u in seen)


def test_politeness_every_request_goes_through_a_rate_limited_provider():
    for name in ("aclanthology", "cvf", "pmlr", "neurips", "openreview"):
        assert venues.PROVIDERS[name].limit.per_second <= 1.0 and venues.PROVIDERS[name].limit.concurrency == 1


def test_unknown_venue_and_year():
    with pytest.raises(InputError, match="unknown venue"):
        venues.resolve("siggraph")
    with pytest.raises(InputError, match="no PMLR volume"):
        venues.list_pmlr(None, "icml", 1999)


def test_papers_cli_lists_venues_and_refuses_an_unknown_one(tmp_path):
    import subprocess

    run = lambda *a: subprocess.run([sys.executable, "-m", "mindshare", *a], capture_output=True, text=True,  # noqa
                                    timeout=60)
    listed = run("papers", "venues")
    assert listed.returncode == 0 and all(v in listed.stdout for v in ("acl", "cvpr", "icml", "neurips", "iclr"))
    bad = run("papers", "fetch", "--venue", "siggraph", "--year", "2020", "--to", str(tmp_path / "x"))
    assert bad.returncode != 0 and "unknown venue" in bad.stderr and "Traceback" not in bad.stderr
