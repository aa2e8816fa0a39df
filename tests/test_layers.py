"""The plan of the house, checked on the package's own import statements (ast, not a grep: a docstring that names
a module does not count; imports inside functions and under TYPE_CHECKING count).

Data flow one way, sources -> store -> analysis -> report <- commands, and each room imports only what stands below
it in this plan:

    face        cli, __main__, commands/, api, the package face (__init__)
    running     session (the store with the bundle), collection (the collection runner), overlay (the any-field
                history joined to the store for one run), comparison (names in, an answer out)
    site        site/ (the published site around the report: pages, badges, embeds, feed, its folder)
    report      report/ (reads the store once, the analysis, the catalogue)
    producers   sources/ (live sources, venues, full-text queries), importers/ (files), scan/ (papers),
                research/ (sampled scans), bundle (the shipped dataset), history (the any-field history),
                resolve (a name to a contender's identities)
    analysis    analysis/ (pure functions over observations: no store, no network, no files)
    base        settings, fields, http, store (and the lock wait it retries under), tempfiles (the process's
                temporary folder, swept)
    ground      _version, errors, console, catalogue, observations

`ALLOWED` spells the plan room by room; a test fails on any import it does not allow, and on any circle of files.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mindshare

PACKAGE = Path(mindshare.__file__).parent
FOLDERS = ("analysis", "commands", "importers", "report", "research", "scan", "site", "sources")

GROUND = {"_version", "errors", "console", "catalogue", "observations"}
BASE = GROUND | {"settings", "fields", "http", "store", "store_lock", "tempfiles"}
ALLOWED: dict[str, set[str]] = {
    "_version": set(), "errors": set(), "console": set(), "catalogue": set(),
    "observations": {"catalogue"},
    "settings": {"errors"},
    "fields": {"errors", "settings"},
    "http": {"_version", "errors", "settings"},
    "store_lock": {"console", "errors", "settings"},
    "tempfiles": {"settings"},
    "store": {"_version", "errors", "observations", "settings", "store_lock"},
    "analysis": GROUND - {"console"},
    "scan": BASE,
    "sources": BASE | {"scan"},                      # the full-text queries ask the scanner's words
    "importers": BASE,
    "research": BASE | {"sources", "scan"},
    "bundle": BASE | {"importers"},
    "history": BASE | {"importers"},
    "resolve": BASE | {"history", "sources"},               # online: PyPI, Stack Exchange (its provider), Wikipedia
    "report": BASE | {"analysis"},
    "site": BASE | {"analysis", "report"},
    "session": BASE | {"bundle"},
    "collection": BASE | {"sources"},
    "overlay": BASE | {"history", "importers"},
    "comparison": BASE | {"analysis", "history", "resolve", "overlay", "session", "sources", "importers"},
    "api": BASE | {"analysis", "report", "session", "collection", "sources", "overlay", "comparison", "resolve"},
    "commands": BASE | {"analysis", "report", "site", "session", "collection", "sources", "importers", "scan",
                        "research", "bundle", "api", "comparison", "resolve", "history", "overlay"},
    "cli": BASE | {"commands", "__init__"},
    "__main__": {"cli"},
    "__init__": {"_version"},
}
# Imports the plan does not allow that wait for a file another helper owns; each says what ends it.
PENDING: dict[tuple[str, str], str] = {}


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _imports(path: Path) -> set[str]:
    """Every mindshare module `path` imports, at the top or inside a function; `from mindshare import x` is the
    module x when there is one, else the package face."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if _is_module(full) else node.module)
    return {n for n in names if n == "mindshare" or n.startswith("mindshare.")}


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        graph[_module_of(path)] = {_owner(n) for n in _imports(path)} - {_module_of(path)}
    return graph


def _owner(name: str) -> str:
    """The module a dotted name lives in (mindshare.catalogue.CATALOGUE -> mindshare.catalogue)."""
    while name != "mindshare" and not _is_module(name):
        name = name.rpartition(".")[0]
    return name


def test_every_room_is_in_the_plan():
    rooms = {_room(m) for m in _graph()}
    assert rooms <= set(ALLOWED), f"rooms the plan does not name: {sorted(rooms - set(ALLOWED))}"


def test_every_import_follows_the_plan():
    wrong = []
    for module, imported in sorted(_graph().items()):
        room = _room(module)
        for target in sorted(imported):
            other = _room(target)
            if other != room and other not in ALLOWED[room] and (room, other) not in PENDING:
                wrong.append(f"{module} -> {target} ({room} may import {', '.join(sorted(ALLOWED[room])) or 'nothing'})")
    assert not wrong, "imports against the plan:\n" + "\n".join(wrong)


def test_the_pending_exceptions_still_exist():
    """An exception that is no longer needed goes (so the plan stays as strict as the code allows)."""
    seen = {(_room(m), _room(t)) for m, targets in _graph().items() for t in targets}
    assert set(PENDING) <= seen, f"no longer needed: {sorted(set(PENDING) - seen)}"


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two modules or more (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_circle_of_modules():
    graph = _graph()
    pending = {(m, t) for m, targets in graph.items() for t in targets if (_room(m), _room(t)) in PENDING}
    kept = {m: {t for t in targets if (m, t) not in pending} for m, targets in graph.items()}
    circles = _circles(kept)
    assert not circles, "circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_the_circle_check_sees_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_analysis_and_report_never_import_sources_or_the_bundle():
    """The analysis reads what the store holds (Hale's weights included); the report reads the analysis."""
    for room in ("analysis", "report"):
        assert not ALLOWED[room] & {"sources", "bundle", "importers", "commands", "research", "scan", "collection"}
