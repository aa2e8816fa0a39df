"""`mindshare scan` of arXiv-like archives in an object store (issue 25): a real S3 server on 127.0.0.1 (moto's,
with S3's requester-pays refusal: tests/s3_server.py) holding tar chunks built from ../shared/corpus, read through
fsspec with `--storage-option requester_pays=true` and credentials from the environment; on a dask LocalCluster
whose workers read the bucket themselves, a batch that kills its worker is retried, then recorded as failed, and the
run goes on; a killed run resumes to the same totals. Bad input: a bucket without access, a requester-pays bucket
read without the option, a wrong or secret storage option: one line each, nothing stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mindshare.scan import runner
from mindshare.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from s3_server import credentials, s3_server, source_tarball, tar_of  # noqa: E402
from scan_helpers import kill_after_lines  # noqa: E402
from scan_pdfs import make_pdf  # noqa: E402

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "papers").exists(), reason="../shared/corpus not present")
# the corpus papers and what a person reads in them (tests/test_scan.py UNLABELLED and labels.csv)
PAPERS = {"arxiv_1810.04805_bert.pdf": {"tensorflow"}, "dynamax_joss_paper.pdf": {"jax", "pytorch"},
          "biorxiv_2023.08.22.554289.pdf": {"tensorflow"}, "multivae_joss_draft.pdf": set()}


def chunks() -> dict[str, bytes]:
    """arXiv's bucket in small: a PDF chunk of corpus papers and a source chunk (gzipped tarballs)."""
    pdfs = {f"2101/2101.0000{i}.pdf": (CORPUS / "papers" / name).read_bytes() for i, name in enumerate(PAPERS)}
    sources = {f"2101/2101.0000{i}.gz": source_tarball({"main.tex": f"We build on {word}.\n".encode()})
               for i, word in enumerate(["PyTorch", "Keras", "JAX", "nothing at all"])}
    return {"pdf/arXiv_pdf_2101_001.tar": tar_of(pdfs), "src/arXiv_src_2101_001.tar": tar_of(sources)}


@pytest.fixture
def bucket(monkeypatch):
    """(endpoint, the server's request log): s3://arxiv (requester pays) holding `chunks()`, s3://closed."""
    import boto3

    credentials(monkeypatch)
    with s3_server(requester_pays={"arxiv"}, closed={"closed"}) as (endpoint, app):
        s3 = boto3.client("s3", endpoint_url=endpoint)
        for name in ("arxiv", "closed"):
            s3.create_bucket(Bucket=name)
        for key, data in chunks().items():
            s3.put_object(Bucket="arxiv", Key=key, Body=data)
        yield endpoint, app


def options(endpoint: str, *extra: str) -> list[str]:
    return ["--storage-option", f"endpoint_url={endpoint}", *[a for o in extra for a in ("--storage-option", o)]]


def mindshare(*args: str, db: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mindshare", "--db", str(db), *args], capture_output=True, text=True,
                          timeout=300, **kwargs)


def stored_rows(db: Path) -> int:
    store = open_store(db, read_only=True)
    try:
        return store.connection.execute("SELECT count(*) FROM scan_documents").fetchall()[0][0]
    finally:
        store.close()


def figures(db: Path) -> dict:
    store = open_store(db, read_only=True)
    try:
        obs = store.observations(signal="research", source="mindshare scan")
    finally:
        store.close()
    return {(r.metric, r.contender if isinstance(r.contender, str) else None): r.value for r in obs.itertuples()}


@needs_corpus
def test_arxiv_chunks_in_a_requester_pays_bucket(bucket, tmp_path):
    endpoint, server = bucket
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", "s3://arxiv/", "--venue", "arXiv", "--year", "2021", "--json",
                     *options(endpoint, "requester_pays=true"), db=db)
    assert proc.returncode == 0, proc.stderr
    docs = {d["path"]: d for d in map(json.loads, proc.stdout.splitlines()[1:])}
    assert len(docs) == 8 and not any(d["error"] for d in docs.values())
    for i, (name, truth) in enumerate(PAPERS.items()):
        doc = docs[f"tar://2101/2101.0000{i}.pdf::s3://arxiv/pdf/arXiv_pdf_2101_001.tar"]
        assert {f for f in ("pytorch", "tensorflow", "jax", "keras") if doc["mentions"][f]} == truth, name
    assert docs["tar://2101/2101.00001.gz::s3://arxiv/src/arXiv_src_2101_001.tar"]["mentions"]["keras"] == 1
    assert figures(db)[("papers_total", None)] == 8
    # each tar object read once, whole: no member downloaded on its own
    reads = {path: n for (method, path), n in server.requests.items() if method == "GET" and path.endswith(".tar")}
    assert reads == {"/arxiv/pdf/arXiv_pdf_2101_001.tar": 1, "/arxiv/src/arXiv_src_2101_001.tar": 1}
    server.requests.clear()
    again = mindshare("scan", "s3://arxiv/", "--venue", "arXiv", "--year", "2021",
                      *options(endpoint, "requester_pays=true"), db=db)
    assert again.returncode == 0 and "8 documents: 0 scanned, 8 already scanned" in again.stdout
    assert not [path for (method, path) in server.requests if method == "GET" and path.endswith(".tar")]


def test_one_archive_url_and_the_secrets_never_travel(bucket, tmp_path):
    endpoint, _ = bucket
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", "s3://arxiv/src/arXiv_src_2101_001.tar", "--json",
                     *options(endpoint, "requester_pays=true"), db=db)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1 + 4
    for where in (proc.stdout + proc.stderr, db.read_bytes().decode("latin-1")):
        assert "testing" not in where  # the credentials, from the environment, are nowhere


@pytest.mark.parametrize("args, message", [
    (("s3://arxiv/pdf/",), "s3://arxiv/pdf/: access denied (a requester-pays bucket, such as arXiv's, needs "
                           "--storage-option requester_pays=true; credentials come from the environment)"),
    (("s3://closed/", "--storage-option", "requester_pays=true"), "s3://closed/: access denied"),
    (("s3://nothere/", "--storage-option", "requester_pays=true"), "s3://nothere/: no such bucket, folder or object"),
    (("s3://arxiv/pdf/none.tar", "--storage-option", "requester_pays=true"), "s3://arxiv/pdf/none.tar: no such"),
    (("s3://arxiv/", "--storage-option", "requester_payz=true"), "--storage-option requester_payz: s3:// does not "
                                                                 "take it; it takes "),
    (("s3://arxiv/", "--storage-option", "requester_pays=maybe"), "--storage-option requester_pays=maybe: give true "
                                                                  "or false"),
    (("s3://arxiv/", "--storage-option", "secret=abc"), "--storage-option secret: credentials are read from the "
                                                        "environment"),
    (("s3://arxiv/", "--storage-option", "requester_pays"), "--storage-option 'requester_pays': give NAME=VALUE"),
])
def test_bad_buckets_and_options_are_one_line_and_store_nothing(bucket, tmp_path, args, message):
    endpoint, _ = bucket
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", *args, "--venue", "arXiv", "--year", "2021", *options(endpoint), db=db)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), proc.stderr
    assert not db.exists()  # refused before any store was opened


def test_a_url_whose_file_system_is_not_installed_is_one_line(tmp_path):
    """gs:// needs gcsfs, which mindshare does not install (as s3:// needs s3fs without the scan extra): fsspec's
    ImportError came out of a worker as a traceback."""
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", "gs://arxiv/pdf/arXiv_pdf_2101_001.tar", "--venue", "arXiv", "--year", "2021", db=db)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: gs://arxiv/pdf/arXiv_pdf_2101_001.tar: ")
    assert "gcsfs" in lines[0] and not db.exists()


# ---------------------------------------------------------------- dask

@pytest.fixture
def cluster():
    """A LocalCluster of 2 single-threaded worker processes; a task whose worker dies is given up after its second
    death (dask's default allows 3)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
            yield local


@needs_corpus
def test_a_dask_cluster_reads_the_bucket_itself(bucket, cluster, tmp_path):
    endpoint, server = bucket
    config = runner.ScanConfig(storage=(("endpoint_url", endpoint), ("requester_pays", True)))
    store = open_store(tmp_path / "s.duckdb")
    try:
        on_dask = runner.run(["s3://arxiv/"], config, connection=store.connection, scheduler=cluster.scheduler_address)
    finally:
        store.close()
    here = runner.run(["s3://arxiv/"], config, workers=1)
    assert on_dask.scanned == here.scanned == 8 and on_dask.tally == here.tally
    assert server.requests[("GET", "/arxiv/pdf/arXiv_pdf_2101_001.tar")] == 2  # once by a worker, once here


def dies_on_poison():
    """A worker plugin that makes every worker process die, as a crash in a PDF library would kill it, when it
    scans a document named 'poison': installed on each worker, and on each worker the nanny starts again. (Made
    here, so that it travels to the workers by value.)"""
    from distributed import WorkerPlugin

    class DiesOnPoison(WorkerPlugin):
        name = "dies-on-poison"

        def setup(self, worker):
            from mindshare.scan import runner as worker_runner

            real = worker_runner.scan_file

            def scan_file(ref, *args, **kwargs):
                if "poison" in ref.path:
                    os._exit(1)
                return real(ref, *args, **kwargs)

            worker_runner.scan_file = scan_file

    return DiesOnPoison()


def test_a_batch_that_kills_its_worker_is_retried_then_failed_and_the_run_goes_on(cluster, tmp_path):
    from distributed import Client

    papers = tmp_path / "papers"
    papers.mkdir()
    for i in range(6):
        (papers / f"{i}.txt").write_text(f"paper {i} uses PyTorch")
    (papers / "3-poison.pdf").write_bytes(make_pdf(text="Keras"))  # a PDF: scanned in Python, where it dies
    with Client(cluster.scheduler_address) as client:
        client.register_plugin(dies_on_poison())
        store = open_store(tmp_path / "s.duckdb")
        try:
            summary = runner.run([str(papers)], runner.ScanConfig(), connection=store.connection,
                                 scheduler=cluster.scheduler_address, batch=7)
            failed = store.connection.execute("SELECT path, error FROM scan_documents WHERE error IS NOT NULL"
                                              ).fetchall()
        finally:
            store.close()
    assert summary.scanned == 7 and summary.usable == 6 and summary.failures == 1
    assert failed == [(str(papers / "3-poison.pdf"), "its worker died each time it was tried (dask KilledWorker): "
                                                     "tried again next run")]


def test_a_killed_dask_run_resumes_to_the_same_totals(cluster, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    words = ["PyTorch", "TensorFlow", "JAX", "Keras", "data"]
    for i in range(600):
        (papers / f"{i:04d}.txt").write_text(" ".join(words[(i * j) % 5] for j in range(1, 9)))
    fresh, killed = tmp_path / "fresh.duckdb", tmp_path / "killed.duckdb"
    assert mindshare("scan", str(papers), "--venue", "V", "--year", "2021", "-j", "1", db=fresh).returncode == 0
    kill_after_lines([sys.executable, "-m", "mindshare", "--db", str(killed), "scan", str(papers), "--venue", "V",
                      "--year", "2021", "--scheduler", cluster.scheduler_address, "--batch", "20", "--json"],
                     150)  # killed once it has printed 150 documents
    done = mindshare("scan", str(papers), "--venue", "V", "--year", "2021", "--scheduler",
                     cluster.scheduler_address, db=killed)
    assert done.returncode == 0, done.stderr
    assert figures(killed) == figures(fresh) and "600 documents" in done.stdout
