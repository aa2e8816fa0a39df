"""Data flows one way: sources -> store -> analysis -> report. These tests read the import statements of the
package (ast, not a grep, so a docstring that names a module does not count) and fail on a back-arrow or a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import mindshare

PACKAGE = Path(mindshare.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every mindshare module `path` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("mindshare")}


def _room_imports(room: str) -> dict[str, set[str]]:
    return {str(p.relative_to(PACKAGE)): _imports(p) for p in (PACKAGE / room).rglob("*.py")}


def test_analysis_and_report_never_import_sources_or_the_bundle():
    """The analysis reads what the store holds (Hale's weights included); the report reads the analysis."""
    back = {(f, n) for room in ("analysis", "report") for f, names in _room_imports(room).items() for n in names
            if n.startswith(("mindshare.sources", "mindshare.bundle", "mindshare.importers", "mindshare.commands"))}
    assert not back, f"back-arrows: {sorted(back)}"


def test_analysis_never_imports_the_report():
    forward = {(f, n) for f, names in _room_imports("analysis").items() for n in names
               if n.startswith("mindshare.report")}
    assert not forward, sorted(forward)


def test_the_store_never_imports_the_bundle_or_a_layer_above_it():
    names = _imports(PACKAGE / "store.py")
    assert not {n for n in names if n.startswith(("mindshare.bundle", "mindshare.analysis", "mindshare.report",
                                                   "mindshare.sources", "mindshare.session"))}, names
