"""A replayed arXiv for the sampled scan: the listing API and the PDF server, served by a mock transport.

The listing is built from a real arXiv API answer (tests/fixtures/arxiv/q_testing_s0_m10_bc5a6c384fe9.json,
arxiv.py's golden file): its feed and first entry are the template, each listed paper an entry with its own
id, and `<opensearch:totalResults>` the listing's size. The PDFs are real papers from ../shared/corpus/papers
standing in for arXiv's (tests/fixtures/arxiv_sample/SOURCES.txt). The transport answers `start` and
`max_results` as arXiv does, records every completed PDF download in a log file (flushed, so a killed process
leaves a true record), and can kill its own process with SIGKILL in the middle of a download.

Run as a script (`python research_replay.py STORE PDF_DIR LOG KILL_AFTER`) it samples the test cells in a
process of its own, so a test can kill -9 a real run half-way and resume it.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import httpx

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "papers"
TEMPLATE = json.loads((HERE / "fixtures" / "arxiv" / "q_testing_s0_m10_bc5a6c384fe9.json").read_text())["body"]
ATOM, OPENSEARCH, ARXIV = ("http://www.w3.org/2005/Atom", "http://a9.com/-/spec/opensearch/1.1/",
                           "http://arxiv.org/schemas/atom")
for prefix, uri in (("", ATOM), ("opensearch", OPENSEARCH), ("arxiv", ARXIV)):
    ET.register_namespace(prefix, uri)

# The month's listings, in submission order: (versioned id, corpus file). The labelled papers of
# ../shared/corpus/labels.csv make up cs.LG; cs.CL cross-lists one of them (the Transformer paper).
LISTINGS: dict[str, list[tuple[str, str]]] = {
    "cs.LG": [
        ("2401.90001v1", "softcite_afp1085-lopezA-CC-BY.pdf"),
        ("2103.15348v1", "layoutparser_2103.15348_p1-2.pdf"),
        ("1912.10667v1", "arxiv_1912.10667_gpooling.pdf"),
        ("2401.90002v1", "futoma2017improved_mlhc.pdf"),
        ("1803.06049v1", "arxiv_1803.06049_zero_shot_detection.pdf"),
        ("1706.03762v5", "arxiv_1706.03762v5_attention.pdf"),
        ("2401.90003v1", "PMC3130168_jxb_2011.pdf"),
        ("2401.90004v2", "acl2020_main_447_s2orc.pdf"),
    ],
    "cs.CL": [
        ("1706.03762v5", "arxiv_1706.03762v5_attention.pdf"),
        ("1810.04805v2", "arxiv_1810.04805_bert.pdf"),
        ("2401.90005v1", "acl2020_main_207.pdf"),
    ],
}
MONTH = (date(2024, 1, 1), date(2024, 1, 31))
SEED = 7          # draws the Transformer paper into cs.LG's sample, so it is shared with cs.CL's
PER_MONTH = 5


def corpus_file(versioned: str) -> Path:
    """The stand-in PDF of a paper, any version."""
    wanted = versioned.rsplit("v", 1)[0]
    for papers in LISTINGS.values():
        for pid, name in papers:
            if pid.rsplit("v", 1)[0] == wanted:
                return CORPUS / name
    raise KeyError(versioned)


def feed(category: str, start: int, count: int) -> str:
    """An arXiv Atom answer for the category's listing: entries start..start+count-1 and its total."""
    root = ET.fromstring(TEMPLATE.encode("latin-1"))
    template = root.find(f"{{{ATOM}}}entry")
    for entry in root.findall(f"{{{ATOM}}}entry"):
        root.remove(entry)
    papers = LISTINGS.get(category, [])
    root.find(f"{{{OPENSEARCH}}}totalResults").text = str(len(papers))
    root.find(f"{{{OPENSEARCH}}}startIndex").text = str(start)
    root.find(f"{{{OPENSEARCH}}}itemsPerPage").text = str(count)
    for pid, name in papers[start:start + count]:
        entry = copy.deepcopy(template)
        entry.find(f"{{{ATOM}}}id").text = f"http://arxiv.org/abs/{pid}"
        entry.find(f"{{{ATOM}}}title").text = name
        entry.find(f"{{{ATOM}}}published").text = "2024-01-15T12:00:00Z"
        for link in entry.findall(f"{{{ATOM}}}link"):
            link.set("href", f"https://arxiv.org/{'pdf' if link.get('title') == 'pdf' else 'abs'}/{pid}")
        entry.find(f"{{{ARXIV}}}primary_category").set("term", category)
        root.append(entry)
    return ET.tostring(root, encoding="unicode")


class ReplayedArxiv:
    """The mock transport's handler. `log`: a file that gets one line per completed PDF download and per
    listing answer; `kill_after`: SIGKILL this process when asked for the PDF after that many downloads."""

    def __init__(self, log: Path | None = None, kill_after: int | None = None):
        self.log = log
        self.kill_after = kill_after
        self.downloads = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "export.arxiv.org", request.url
        if request.url.path == "/api/query":
            params = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
            category = params["search_query"].split()[0].removeprefix("cat:")
            assert params["sortBy"] == "submittedDate" and params["sortOrder"] == "ascending"
            self._record(f"list {category} {params['start']} {params['max_results']}")
            return httpx.Response(200, text=feed(category, int(params["start"]), int(params["max_results"])),
                                  headers={"content-type": "application/atom+xml"})
        if request.url.path.startswith("/pdf/"):
            versioned = request.url.path.removeprefix("/pdf/")
            if self.kill_after is not None and self.downloads >= self.kill_after:
                os.kill(os.getpid(), signal.SIGKILL)   # kill -9 in the middle of a download
            try:
                data = corpus_file(versioned).read_bytes()
            except (KeyError, FileNotFoundError):      # a paper arXiv has no PDF for (withdrawn)
                return httpx.Response(404, text="not found")
            self.downloads += 1
            self._record(f"pdf {versioned}")
            return httpx.Response(200, content=data, headers={"content-type": "application/pdf"})
        return httpx.Response(404, text="not found")

    def _record(self, line: str) -> None:
        if self.log is None:
            return
        with open(self.log, "a") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def replay_http(handler, clock=None, env: dict | None = None, settings=None):
    """The shared client on the replayed arXiv, with `settings` (a command's) or exactly the environment `env`
    (default: none); without `clock` arXiv's pace is lifted (instant tests)."""
    from mindshare.http import Http, Limit
    from mindshare.settings import read

    settings = settings or read(env or {})
    if clock is None:
        return Http(transport=httpx.MockTransport(handler), cache=False, settings=settings,
                    limits={"arxiv": Limit(per_second=1e6, burst=10**6, concurrency=1)})
    return Http(transport=httpx.MockTransport(handler), cache=False, settings=settings, clock=clock,
                sleep=clock.sleep)


def sample_request(categories=("cs.LG", "cs.CL")):
    from mindshare.research.sample_run import SampleRequest

    return SampleRequest(categories=tuple(categories), months=(MONTH,), per_month=PER_MONTH, seed=SEED)


def run(store_path: Path, pdf_dir: Path, log: Path | None = None, kill_after: int | None = None):
    from mindshare.research.sample_run import run_sample
    from mindshare.store import open_store

    store = open_store(store_path)
    try:
        with replay_http(ReplayedArxiv(log, kill_after)) as http:
            return run_sample(sample_request(), http, store, pdf_dir)
    finally:
        store.close()


if __name__ == "__main__":
    store_arg, pdf_arg, log_arg, kill_arg = sys.argv[1:5]
    run(Path(store_arg), Path(pdf_arg), Path(log_arg), int(kill_arg) if kill_arg != "-" else None)
