"""What `mindshare scan` pays (issue 14: end to end at ripgrep's pace): the scan path imports only what a scan
uses, the store it writes to is opened without the bundled dataset, and each file is read (and hashed) once."""

from __future__ import annotations

import json
import mmap
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scan_pdfs import make_pdf  # noqa: E402

SRC = Path(__file__).parent.parent / "src"

# The scan modules loaded as the package's own, without running mindshare/__init__.py (which, for notebooks,
# imports the API and pandas), writing to a store opened with duckdb itself (mindshare.store imports pandas for
# the observations): what is left in sys.modules afterwards is what the scan path itself imported.
SCAN_WITHOUT_THE_PACKAGE_INIT = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("mindshare", sys.argv[1] + "/mindshare/__init__.py",
                                              submodule_search_locations=[sys.argv[1] + "/mindshare"])
sys.modules["mindshare"] = importlib.util.module_from_spec(spec)
import duckdb
from mindshare.scan import runner
connection = duckdb.connect(sys.argv[3])
runs = [runner.run([sys.argv[2]], runner.ScanConfig(), connection=connection, out=open("/dev/null", "w"))
        for _ in range(2)]  # the second run skips what the first stored
stored = connection.execute("SELECT count(*) FROM scan_documents").fetchall()[0][0]
print(json.dumps({"scanned": [run.scanned for run in runs], "skipped": [run.skipped for run in runs],
                  "stored": stored, "engine": runs[0].engine,
                  "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""

# heavy packages a scan of text files never needs (pandas: ~0.5 s of start-up; pyarrow with numpy: ~0.1 s, the rows
# travel to DuckDB as JSON lines; the hyperscan binding when the native matcher does the work; the CLI's and the
# collectors' libraries)
NOT_NEEDED = {"pandas", "numpy", "pyarrow", "httpx", "stamina", "typer", "click", "rich", "pydantic", "altair",
              "fsspec", "pypdfium2", "distributed", "dask"}


def test_the_scan_path_imports_nothing_it_does_not_need(tmp_path):
    from mindshare.store import open_store

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("We use PyTorch and TensorFlow.\n")
    (papers / "b.md").write_text("A JAX paper.\n")
    (papers / "c.txt").write_bytes(b"\x00binary")  # a failed document: a null in the stored rows
    db = tmp_path / "s.duckdb"
    open_store(db).close()  # the store's schema, made here
    proc = subprocess.run([sys.executable, "-c", SCAN_WITHOUT_THE_PACKAGE_INIT, str(SRC), str(papers), str(db)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["scanned"] == [3, 1] and found["skipped"] == [0, 2] and found["stored"] == 3
    unneeded = NOT_NEEDED | ({"hyperscan"} if found["engine"] == "native" else set())
    assert sorted(unneeded & set(found["modules"])) == []


def test_rows_travel_to_the_store_as_json_lines():
    # what a worker sends and DuckDB reads back: every kind of value, nulls, quotes, non-ASCII, a legacy alias
    import duckdb

    from mindshare.scan.state import ROW_TYPES, Row, json_lines_source, json_rows, rows_json

    rows = [Row("ab" * 32, 'a "quoted"\\ path é\n.txt', 3, '{"pytorch": 1}', "{}", None, 10, -(2 ** 62)),
            Row("cd" * 32, "b.pdf", 0, "{}", "{}", "not a PDF (no %PDF header)", None, None)]
    data = rows_json(rows, [None, "sha256:" + "ef" * 32])
    assert json_rows(data) == (rows, [None, "sha256:" + "ef" * 32])
    connection = duckdb.connect()
    with json_lines_source(data, ROW_TYPES | {"replaces": "VARCHAR"}) as source:
        read = connection.execute(f"SELECT * FROM {source}").fetchall()
    assert [tuple(r[:8]) for r in read] == [tuple(r) for r in rows]
    assert [r[8] for r in read] == [None, "sha256:" + "ef" * 32]
    with json_lines_source(b"", {"a": "VARCHAR"}) as source:
        assert connection.execute(f"SELECT count(*) FROM {source}").fetchall() == [(0,)]


def test_the_scan_opens_the_store_without_the_bundled_dataset(tmp_path):
    # the bundle is parsed and loaded when a store is opened for the report; a scan only writes its own table
    from mindshare.store import open_store

    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.txt").write_text("We use PyTorch.\n")
    db = tmp_path / "s.duckdb"
    proc = subprocess.run([sys.executable, "-m", "mindshare", "--db", str(db), "scan", str(tmp_path / "papers"),
                           "--venue", "V", "--year", "2020"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    store = open_store(db, read_only=True)
    try:
        kinds = [kind for (kind,) in store.connection.execute("SELECT kind FROM snapshots").fetchall()]
    finally:
        store.close()
    assert kinds == ["scan"]


def test_each_file_is_read_once(tmp_path, monkeypatch):
    # every read of a document goes through os.open + os.read, or one memory map for a large text: count them
    from mindshare.scan import extract, runner

    monkeypatch.setattr(extract, "LARGE_FILE", 256 * 1024)  # a 1 MB text takes the memory-mapped path
    monkeypatch.setattr(extract, "CHUNK", 64 * 1024)
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "clean.txt").write_text("We use PyTorch.\n")
    (papers / "repaired.txt").write_text("Tensor-\nFlow and the \ufb01ne PyTorch.\n")
    (papers / "large.txt").write_text("Results of the Tensor-\nFlow model with JAX.\n" * 25_000)
    (papers / "paper.pdf").write_bytes(make_pdf(text="Implemented in Keras"))
    opened: dict[int, str] = {}
    read: dict[str, int] = {}
    mapped: list[int] = []
    real_open, real_read, real_mmap = os.open, os.read, mmap.mmap

    def counting_open(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        if str(path).startswith(str(papers)):
            opened[fd] = str(path)
            read.setdefault(str(path), 0)
            read[str(path) + " opens"] = read.get(str(path) + " opens", 0) + 1
        return fd

    def counting_read(fd, size):
        data = real_read(fd, size)
        if fd in opened:
            read[opened[fd]] += len(data)
        return data

    class CountingMmap(real_mmap):
        def __new__(cls, fd, *args, **kwargs):
            if fd in opened:
                mapped.append(fd)
            return super().__new__(cls, fd, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(os, "read", counting_read)
    monkeypatch.setattr(mmap, "mmap", CountingMmap)
    found = []
    summary = runner.run([str(papers)], runner.ScanConfig(), on_result=found.append)
    assert summary.scanned == 4 and summary.failures == 0
    in_c = ("clean.txt", "repaired.txt") if runner.rules_for(runner.ScanConfig()).text_batch() else ()
    for name in ("clean.txt", "repaired.txt", "paper.pdf"):
        path = str(papers / name)
        if name in in_c:  # read by the native text batch (test_the_native_batch_reads_each_file_once)
            assert path + " opens" not in read, name
        else:
            assert read[path + " opens"] == 1 and read[path] == (papers / name).stat().st_size, name
    large = str(papers / "large.txt")
    assert read[large + " opens"] == 1 and read[large] == 0 and len(mapped) == 1  # mapped once, not read
    by_name = {Path(doc["path"]).name: doc for doc in found}
    assert by_name["large.txt"]["mentions"]["tensorflow"] == 25_000  # and still repaired and matched
    assert by_name["paper.pdf"]["mentions"]["keras"] == 1


def test_the_native_batch_reads_each_file_once(tmp_path):
    # the kernel's own count of this process's reads (/proc/self/io): one read() a file, its bytes once
    from mindshare.scan import runner

    native = runner.rules_for(runner.ScanConfig()).text_batch()
    if native is None or not Path("/proc/self/io").exists():
        import pytest

        pytest.skip("no native text batch, or no /proc/self/io")
    files = [tmp_path / "clean.txt", tmp_path / "repaired.txt", tmp_path / "longer.txt"]
    files[0].write_text("We use PyTorch.\n")
    files[1].write_text("Tensor-\nFlow and the \ufb01ne PyTorch.\n")
    files[2].write_text("JAX and Keras.\n" * 5000)

    def io() -> dict[str, int]:
        return {k: int(v) for k, v in (line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())}

    native.run([str(files[0])], False)  # anything a first call does once
    first, second = io(), io()  # what reading /proc/self/io itself costs
    taken, *_ = native.run([str(f) for f in files], False)
    third = io()
    assert list(taken) == [1, 1, 1]
    assert (third["syscr"] - second["syscr"]) - (second["syscr"] - first["syscr"]) == 3
    extra = (third["rchar"] - second["rchar"]) - (second["rchar"] - first["rchar"])
    assert abs(extra - sum(f.stat().st_size for f in files)) <= 2  # /proc/self/io's own text may grow a digit


class _CountingStream:
    """A stdout that counts its writes: under PYTHONUNBUFFERED (common in containers) each is a system call."""

    def __init__(self):
        self.writes, self.text = 0, []

    def write(self, text: str) -> int:
        self.writes += 1
        self.text.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_json_lines_are_written_a_batch_at_a_time(tmp_path):
    import duckdb

    from mindshare.scan import runner

    papers = tmp_path / "papers"
    papers.mkdir()
    for index in range(300):
        (papers / f"p{index:03d}.txt").write_text(f"Paper {index} uses PyTorch.\n")
    connection = duckdb.connect(str(tmp_path / "s.duckdb"))
    from mindshare.store import _SCAN_DOCUMENTS

    connection.execute(_SCAN_DOCUMENTS)
    for expected_skipped in (0, 300):  # scanned, then the same documents skipped as already scanned
        stream = _CountingStream()
        summary = runner.run([str(papers)], runner.ScanConfig(), connection=connection, out=stream)
        header, *lines = "".join(stream.text).splitlines()
        assert summary.skipped == expected_skipped and len(lines) == 300 and "mindshare_scan" in header
        assert {json.loads(line)["path"] for line in lines} == {str(p) for p in papers.iterdir()}
        assert stream.writes <= 4  # the header, then one write per batch (300 small documents are one)


def test_pdfs_are_batched_by_their_work_not_their_bytes():
    # a PDF byte costs ~100x a text byte: 40 PDFs of 200 KB in one batch would leave one of two workers idle
    from mindshare.scan.runner import BATCH_BYTES, batches
    from mindshare.scan.state import FileRef

    pdfs = [FileRef(f"p{i}.pdf", 200_000, 0) for i in range(40)]
    texts = [FileRef(f"t{i}.txt", 200_000, 0) for i in range(40)]
    assert 200_000 * 40 <= BATCH_BYTES  # by bytes alone, all 40 would make one batch
    pdf_batches = list(batches([pdfs]))
    assert len(pdf_batches) >= 20 and sum(map(len, pdf_batches)) == 40
    assert [len(b) for b in batches([texts])] == [40]
    assert [len(b) for b in batches([pdfs], size=5)] == [5] * 8  # --batch N still means N documents


def test_the_rules_write_the_same_detail_json_as_json_dumps():
    # MindshareRules writes the --json detail itself (json.dumps cost ~12 us a document): it must be the same text
    from mindshare.fields import load_field
    from mindshare.scan.extract import extract
    from mindshare.scan.rules import MindshareRules, Text

    rules = MindshareRules(load_field())
    papers = sorted((Path(__file__).parent.parent.parent / "shared" / "corpus" / "papers").glob("*.pdf"))
    texts = [extract(str(p)).data for p in papers[:6]]
    texts += [b"", b"PyTorch at https://github.com/pytorch/pytorch; AllenNLP.\nReferences\n[1] TensorFlow, JAX.\n"]
    for data in texts:
        found = rules.evaluate(Text(data))
        assert found.detail_json == json.dumps(found.detail)
    assert any(json.loads(rules.evaluate(Text(t)).detail_json)["where"] for t in texts)


def test_kind_of_agrees_with_the_suffix_rule():
    # kind_of runs twice a document, so it takes a shortcut: it must still say what the suffix says
    from mindshare.scan.extract import PDF_SUFFIXES, kind_of

    paths = ["a.pdf", "A.PDF", "/x/.pdf", "x.txt", "x", "https://h/p.pdf?x=1", "https://h/p?x=.pdf", "b.pdf.txt",
             "dir.pdf/a.txt", "s3://b/k.Pdf", "file:///tmp/p.pdf", "weird.pdf?", "..pdf"]
    for path in paths:
        expected = "pdf" if os.path.splitext(path.split("?")[0])[1].lower() in PDF_SUFFIXES else "text"
        assert kind_of(path) == expected, path


def test_copies_are_counted_once_whichever_batch_they_fall_in(tmp_path):
    # a worker adds up its batch; the scan process takes that sum only when the batch holds no copy of a document
    # seen before (or twice): every way of cutting the same folder into batches gives the same figures
    import duckdb

    from mindshare.scan import runner
    from mindshare.store import _SCAN_DOCUMENTS

    papers = tmp_path / "papers"
    papers.mkdir()
    texts = ["PyTorch.\n", "TensorFlow and Keras.\n", "JAX.\n", "PyTorch and JAX.\n", "\x00binary"]
    for index in range(30):  # copies next to each other, and far apart
        (papers / f"p{index:02d}.txt").write_text(texts[index % 5] if index % 7 else texts[0])
    contents = [texts[i % 5] if i % 7 else texts[0] for i in range(30)]
    expected_documents, binary_copies = len(set(contents)), contents.count("\x00binary")
    figures = []
    for batch in (None, 1, 2, 3, 7):
        for store, json_out in ((True, True), (True, False), (False, True), (False, False)):
            connection = duckdb.connect(str(tmp_path / f"s-{batch}-{store}-{json_out}.duckdb")) if store else None
            if connection is not None:
                connection.execute(_SCAN_DOCUMENTS)
            stream = _CountingStream()
            summary = runner.run([str(papers)], runner.ScanConfig(), connection=connection, batch=batch,
                                 out=stream if json_out else None)
            assert summary.scanned == 30 and summary.duplicates == 30 - expected_documents
            assert summary.failures == binary_copies == 5  # every copy of the binary file failed
            if json_out:
                assert len("".join(stream.text).splitlines()) == 1 + 30  # the header, then every document
            if connection is not None:
                assert connection.execute("SELECT count(*) FROM scan_documents").fetchall()[0][0] == expected_documents
            figures.append(summary.tally.figures())
    assert all(f == figures[0] for f in figures)
    assert figures[0]["papers_scanned"] == expected_documents - 1 and figures[0]["papers_failed"] == 1
