"""The documentation covers the command line, in the manner of simonw/sqlite-utils' tests/test_docs.py: every
command and every option appears in docs/, and docs/cli.md is exactly what scripts/cli_docs.py writes from
`--help` (so it is never stale)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def _cli_docs():
    spec = importlib.util.spec_from_file_location("cli_docs", REPO / "scripts" / "cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cli_docs = _cli_docs()
COMMANDS = [(path, command) for path, command, _ in cli_docs.commands()]
OPTIONS = [(path, option) for path, command in COMMANDS for param in command.params
           if param.param_type_name == "option" and not param.hidden for option in param.opts + param.secondary_opts]


def _all_docs() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DOCS.glob("*.md")))


def test_cli_reference_is_up_to_date():
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_docs.render(), \
        "docs/cli.md is stale: run .venv/bin/python scripts/cli_docs.py"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "mindshare")
def test_every_command_is_documented(path):
    heading = "## " + " ".join(["mindshare", *path])
    assert re.search(rf"^{re.escape(heading)}$", _all_docs(), re.MULTILINE), f"no '{heading}' in docs/"


@pytest.mark.parametrize("path, option", OPTIONS, ids=lambda x: " ".join(x) if isinstance(x, list) else x)
def test_every_option_is_documented(path, option):
    section = _section(_all_docs(), " ".join(["mindshare", *path]))
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section), \
        f"{option} of {' '.join(['mindshare', *path])} is not in docs/"


def _section(text: str, name: str) -> str:
    start = text.index(f"## {name}\n")
    following = text.find("\n## ", start + 1)
    return text[start:following if following >= 0 else None]
