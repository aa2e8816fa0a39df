"""What `mindshare scan` pays before its first document (issue 14: end to end at ripgrep's pace): the scan path
imports only what a scan uses, and the store it writes to is opened without the bundled dataset."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
