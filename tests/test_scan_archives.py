"""`mindshare scan` of tar archives as arXiv publishes them (issue 25): PDFs and gzipped LaTeX sources read from the
archive as a stream, never unpacked to disk, each member a document keyed by its content and skipped when scanned
before; an archive read to its end is not read again. Bad input: a truncated archive, a member that is not a paper,
a source without a .tex, a member that claims to be a PDF and is not."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from mindshare.scan import runner
from mindshare.scan.archive import ArchiveRef, Reading, address
from mindshare.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from s3_server import source_tarball, tar_of  # noqa: E402
from scan_pdfs import make_pdf  # noqa: E402

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"


def mindshare(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mindshare", "--db", str(db), *args], capture_output=True, text=True,
                          timeout=300)


def papers() -> dict[str, bytes]:
    """An arXiv-like month: PDFs, a paper's source as a gzipped tar, one as a gzipped .tex, and a README."""
    return {
        "2101/2101.00001.pdf": make_pdf(page_count=2, text="We trained it with PyTorch"),
        "2101/2101.00002.pdf": make_pdf(text="Implemented in TensorFlow and Keras"),
        "2101/2101.00003.gz": source_tarball({"main.tex": b"\\section{Method} We use JAX.\n",
                                              "sections/appendix.tex": b"And Tensor-\nFlow.\n",
                                              "fig.png": os.urandom(500)}),
        "2101/2101.00004.gz": gzip.compress(b"\\documentclass{article} PyTorch and MXNet\n", mtime=0),
        "README": b"arXiv bulk data\n",
    }


def scan(paths, db: Path | None = None, **options) -> tuple[runner.RunSummary, list[dict]]:
    found: list[dict] = []
    store = open_store(db) if db else None
    try:
        summary = runner.run([str(p) for p in paths], runner.ScanConfig(), on_result=found.append,
                             connection=store.connection if store else None, **options)
    finally:
        if store:
            store.close()
    return summary, found


def test_an_archive_is_scanned_member_by_member_as_its_files_would_be(tmp_path):
    archive = tmp_path / "arXiv_pdf_2101_001.tar"
    archive.write_bytes(tar_of(papers()))
    summary, docs = scan([archive])
    by_member = {doc["path"]: doc for doc in docs}
    mentioning = {path.split("::")[0]: sorted(k for k, n in doc["mentions"].items() if n) for path, doc in
                  by_member.items()}
    assert mentioning == {"tar://2101/2101.00001.pdf": ["pytorch"],
                          "tar://2101/2101.00002.pdf": ["keras", "tensorflow"],
                          "tar://2101/2101.00003.gz": ["jax", "tensorflow"],  # both .tex files, repaired
                          "tar://2101/2101.00004.gz": ["mxnet", "pytorch"]}
    assert all(path.endswith(f"::{archive}") for path in by_member)
    assert by_member[address(str(archive), "2101/2101.00001.pdf")]["pages"] == 2
    assert summary.scanned == 4 and summary.failures == 0
    assert summary.problems == [(address(str(archive), "README"),
                                 "not a paper (not a .pdf, .tex, .txt, .md or gzipped source): left out")]
    # the same papers as files give the same counts
    for name, data in papers().items():
        (tmp_path / "files" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "files" / name).write_bytes(data)
    _, files = scan([tmp_path / "files"])
    assert sorted((Path(d["path"]).name, d["mentions"]) for d in files) == \
        sorted((Path(d["path"].split("::")[0]).name, d["mentions"]) for d in docs)


def test_members_are_keyed_by_content_and_a_member_address_opens_alone(tmp_path):
    from mindshare.scan.extract import content_key

    archive = tmp_path / "a.tar"
    archive.write_bytes(tar_of(papers()))
    _, docs = scan([archive])
    member = address(str(archive), "2101/2101.00002.pdf")
    assert {d["path"]: d["content_key"] for d in docs}[member] == content_key(papers()["2101/2101.00002.pdf"])
    alone = runner.scan_document(member, runner.ScanConfig())  # fsspec's own tar:// reads one member
    assert alone["mentions"]["tensorflow"] == 1 and alone["content_key"] == content_key(papers()["2101/2101.00002.pdf"])


def test_an_archive_read_to_its_end_is_not_read_again_and_its_rows_resume(tmp_path, monkeypatch):
    first, second = tmp_path / "arXiv_pdf_2101_001.tar", tmp_path / "arXiv_pdf_2101_002.tar"
    first.write_bytes(tar_of(papers()))
    second.write_bytes(tar_of({f"2101/2101.1000{i}.txt": f"paper {i} uses Keras".encode() for i in range(5)}))
    db, fresh = tmp_path / "s.duckdb", tmp_path / "fresh.duckdb"
    done, _ = scan([first], db)
    assert done.scanned == 4
    opened: list[str] = []
    real_open = runner._open_archive
    monkeypatch.setattr(runner, "_open_archive", lambda path, options: opened.append(path) or real_open(path, options))
    again, docs = scan([tmp_path], db)
    assert opened == [str(second)]  # the first was read to its end before: not read again
    assert again.skipped == 4 and again.scanned == 5 and len(docs) == 9
    scan([tmp_path], fresh)
    assert _stored(db) == _stored(fresh)
    os.utime(first, ns=(1, 1))  # a new version of the archive: read again, its unchanged members not scanned again
    opened.clear()
    changed, _ = scan([tmp_path], db)
    assert opened == [str(first)] and changed.scanned == 0 and changed.skipped == 9


def _stored(db: Path) -> list[tuple]:
    store = open_store(db, read_only=True)
    try:
        return store.connection.execute("SELECT path, sha256, mentions, error FROM scan_documents ORDER BY path"
                                        ).fetchall()
    finally:
        store.close()


def test_a_truncated_archive_keeps_what_was_read_and_is_read_again(tmp_path):
    members = papers()
    whole = tar_of(members)
    # cut inside the third member's data: two papers whole, the third cut short
    with tarfile.open(fileobj=io.BytesIO(whole)) as tar:
        third = [m for m in tar.getmembers()][2]
    archive = tmp_path / "cut.tar"
    archive.write_bytes(whole[:third.offset_data + 100])
    db = tmp_path / "s.duckdb"
    summary, docs = scan([archive], db)
    assert summary.scanned == 3 and summary.failures == 1
    assert [doc["error"] for doc in docs][:2] == [None, None]
    assert docs[2]["error"].startswith("truncated in the archive")
    assert len(summary.problems) == 1 and summary.problems[0][1].startswith("truncated or damaged archive after 2 "
                                                                            "papers")
    archive.write_bytes(whole)  # the whole archive now: the two stored are skipped, the rest scanned
    again, _ = scan([archive], db)
    assert again.skipped == 2 and again.scanned == 2 and again.failures == 0
    assert [why.split(" (")[0] for _, why in again.problems] == ["not a paper"]  # the README, as ever


def test_bad_members_are_failed_documents_and_the_rest_is_scanned(tmp_path):
    archive = tmp_path / "bad.tar"
    archive.write_bytes(tar_of({
        "a.pdf": b"<html>not a pdf</html>",
        "b.gz": b"not gzip at all",
        "c.gz": source_tarball({"figure.png": b"\x89PNG"}),
        "d.txt": b"\x00\x01binary",
        "e.tex": b"We use PyTorch.",
        "notes.docx": b"PK\x03\x04",
    }))
    summary, docs = scan([archive])
    reasons = {d["path"].split("::")[0]: (d["error"] or "").split(" (")[0] for d in docs}
    assert reasons == {"tar://a.pdf": "not a PDF", "tar://b.gz": "not a gzipped source",
                       "tar://c.gz": "a source without a .tex file", "tar://d.txt": "not text",
                       "tar://e.tex": ""}
    assert summary.usable == 1 and summary.failures == 4
    assert [why.split(" (")[0] for _, why in summary.problems] == ["not a paper"]


def test_what_is_not_an_archive_is_one_line_and_nothing_is_stored(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(os.urandom(3000))
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", str(junk), "--venue", "V", "--year", "2021", db=db)
    assert proc.returncode == 1, proc.stderr
    assert f"problem: {junk}: not a tar archive" in proc.stdout
    assert proc.stderr.strip().splitlines() == ["error: nothing was scanned: see the problems above"]
    store = open_store(db, read_only=True)
    try:
        assert store.connection.execute("SELECT count(*) FROM scan_documents").fetchall() == [(0,)]
        assert store.connection.execute("SELECT count(*) FROM snapshots WHERE kind = 'scan'").fetchall() == [(0,)]
    finally:
        store.close()


def test_reading_an_archive_never_writes_to_disk(tmp_path, monkeypatch):
    # the members are read from the stream into memory: nothing is unpacked to a file
    archive = tmp_path / "a.tar"
    archive.write_bytes(tar_of(papers()))
    written: list[str] = []
    real_open = open

    def watching_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    reading = Reading(ArchiveRef(str(archive), None, "x"), lambda path: real_open(path, "rb"), backend="pdfium",
                      keep=set(), max_bytes=10_000_000, repair=True)
    assert len(list(reading)) == 4 and reading.complete and written == []


@pytest.mark.skipif(not (CORPUS / "papers").exists(), reason="../shared/corpus not present")
def test_the_cli_scans_a_folder_of_archives_into_venue_tallies(tmp_path):
    pdfs = {f"2101/{p.name}": p.read_bytes() for p in sorted((CORPUS / "papers").glob("*.pdf"))[:4]}
    (tmp_path / "chunks").mkdir()
    (tmp_path / "chunks" / "arXiv_pdf_2101_001.tar").write_bytes(tar_of(pdfs))
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", str(tmp_path / "chunks"), "--venue", "arXiv", "--year", "2021", "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 1 + 4 and all(doc["pages"] > 0 for doc in lines[1:])
    store = open_store(db, read_only=True)
    try:
        total = store.observations(signal="research", metric="papers_total")["value"].tolist()
    finally:
        store.close()
    assert total == [4.0]
