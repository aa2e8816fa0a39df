"""Does a change keep the report's results the same? Build the bundled report with the code at a git ref and with
this worktree's code, then compare results.json (apart from `generated_at`) and show how report.md differs.

Both builds read one store (made once, by this worktree's code: snapshot ids differ between stores) and each gets
an empty cache, so neither reuses the other's work. The code at REF is taken with
`git archive` into a scratch folder and put first on PYTHONPATH; both builds run with this virtualenv's Python.

    .venv/bin/python bench/report_identity.py [REF] [--as-of YYYY-MM-DD] [--field NAME]   (REF defaults to main)

Exit status 0 when results.json is identical apart from generated_at, 1 when it is not.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def code_at(ref: str, folder: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def build(src: Path, scratch: Path, name: str, options: list[str]) -> Path:
    env = {**os.environ, "PYTHONPATH": str(src), "MINDSHARE_DB": str(scratch / "store.duckdb"),
           "MINDSHARE_CACHE": str(scratch / f"{name}-cache")}
    out = scratch / name
    where = subprocess.run([sys.executable, "-c", "import mindshare; print(mindshare.__file__)"], env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    if not where.startswith(str(src)):
        raise SystemExit(f"the {name} build would import mindshare from {where}, not {src}")
    subprocess.run([sys.executable, "-m", "mindshare", "report", "--no-png", "--out", str(out), *options],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return out


_CELL_BREAK = re.compile(r"(?<!\\)\|")


def table_cells(line: str) -> str:
    """A Markdown table row as its cells, whatever the padding; an alignment row as '---'."""
    if not line.startswith("|"):
        return line
    cells = [cell.strip() for cell in _CELL_BREAK.split(line)[1:-1]]
    return "---" if all(set(c) <= set(":-") for c in cells) else " | ".join(cells)


def results(folder: Path) -> dict:
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    document.pop("generated_at", None)
    return document


def first_difference(a, b, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path or '/'}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for key in list(dict.fromkeys([*a, *b])):
            if key not in a or key not in b:
                return f"{path}/{key}: only in {'after' if key not in a else 'before'}"
            found = first_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        if list(a) != list(b):
            return f"{path or '/'}: keys in another order"
        return None
    if isinstance(a, list):
        for index, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return f"{path}: {len(a)} vs {len(b)} items" if len(a) != len(b) else None
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ref", nargs="?", default="main")
    parser.add_argument("--as-of")
    parser.add_argument("--field")
    parser.add_argument("--show", type=int, default=6, help="how many differing report.md lines to print")
    args = parser.parse_args()
    options = (["--as-of", args.as_of] if args.as_of else []) + (["--field", args.field] if args.field else [])
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        subprocess.run([sys.executable, "-c", "import sys; from mindshare.session import open_session; "
                        "open_session(sys.argv[1]).close()", str(scratch_path / "store.duckdb")],
                       env={**os.environ, "PYTHONPATH": str(REPO / "src")}, check=True)
        before = build(code_at(args.ref, scratch_path / "ref"), scratch_path, "before", options)
        after = build(REPO / "src", scratch_path, "after", options)
        old, new = results(before), results(after)
        old_text = json.dumps(old, indent=1, ensure_ascii=False)
        new_text = json.dumps(new, indent=1, ensure_ascii=False)
        same = old_text == new_text
        print(f"results.json ({args.ref} vs this worktree, generated_at left out): "
              + ("identical" if same else f"DIFFERENT at {first_difference(old, new)}"))
        md_old = (before / "report.md").read_text(encoding="utf-8").splitlines()
        md_new = (after / "report.md").read_text(encoding="utf-8").splitlines()
        changed = [line for line in difflib.unified_diff(md_old, md_new, lineterm="", n=0)
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        print(f"report.md: {len(md_old)} -> {len(md_new)} lines, {len(changed)} lines differ")
        for line in changed[:args.show]:
            print("   ", line[:160])
        cells_old, cells_new = [table_cells(x) for x in md_old], [table_cells(x) for x in md_new]
        changed = [line for line in difflib.unified_diff(cells_old, cells_new, lineterm="", n=0)
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        print(f"report.md read as table cells (padding and alignment rows aside): {len(changed)} lines differ")
        for line in changed[:args.show]:
            print("   ", line[:160])
        for name in ("index.html", "sources.html", "report.md", "results.json"):
            sizes = [(folder / name).stat().st_size if (folder / name).exists() else 0 for folder in (before, after)]
            print(f"  {name:13s} {sizes[0]:>10,} -> {sizes[1]:>10,} bytes")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
