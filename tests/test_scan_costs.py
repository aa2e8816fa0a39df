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
# imports the API and pandas): what is left in sys.modules afterwards is what the scan path itself imported.
SCAN_WITHOUT_THE_PACKAGE_INIT = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("mindshare", sys.argv[1] + "/mindshare/__init__.py",
                                              submodule_search_locations=[sys.argv[1] + "/mindshare"])
sys.modules["mindshare"] = importlib.util.module_from_spec(spec)
from mindshare.scan import runner
summary = runner.run([sys.argv[2]], runner.ScanConfig(), out=open("/dev/null", "w"))
print(json.dumps({"scanned": summary.scanned, "engine": summary.engine,
                  "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""

# heavy packages a scan of text files without the store never needs (pandas and numpy: ~0.5 s of start-up;
# the hyperscan binding when the native matcher does the work; the CLI's and the collectors' libraries)
NOT_NEEDED = {"pandas", "numpy", "pyarrow", "duckdb", "httpx", "stamina", "typer", "click", "rich", "pydantic",
              "altair", "fsspec", "pypdfium2", "distributed", "dask"}


def test_the_scan_path_imports_nothing_it_does_not_need(tmp_path):
    (tmp_path / "a.txt").write_text("We use PyTorch and TensorFlow.\n")
    (tmp_path / "b.md").write_text("A JAX paper.\n")
    proc = subprocess.run([sys.executable, "-c", SCAN_WITHOUT_THE_PACKAGE_INIT, str(SRC), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["scanned"] == 2
    unneeded = NOT_NEEDED | ({"hyperscan"} if found["engine"] == "native" else set())
    assert sorted(unneeded & set(found["modules"])) == []


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
    for name in ("clean.txt", "repaired.txt", "paper.pdf"):
        path = str(papers / name)
        assert read[path + " opens"] == 1 and read[path] == (papers / name).stat().st_size, name
    large = str(papers / "large.txt")
    assert read[large + " opens"] == 1 and read[large] == 0 and len(mapped) == 1  # mapped once, not read
    by_name = {Path(doc["path"]).name: doc for doc in found}
    assert by_name["large.txt"]["mentions"]["tensorflow"] == 25_000  # and still repaired and matched
    assert by_name["paper.pdf"]["mentions"]["keras"] == 1
