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


def _quoted_commands() -> list[str]:
    """Every `mindshare ...` command quoted in the README, docs/ and the shipped field files' comments."""
    texts = [REPO / "README.md", *sorted(DOCS.glob("*.md")),
             *sorted((REPO / "src" / "mindshare" / "data" / "fields").glob("*.toml"))]
    found = {match for path in texts for match in re.findall(r"`(mindshare [^`]+)`", path.read_text(encoding="utf-8"))}
    from mindshare.cli import VERBS

    # A command names a verb or an option next (a method id such as `mindshare arxiv-sample v1: ...` does not);
    # not the ones that install things (completion), nor synopses ([--venue V --year Y], a|b).
    return sorted(command for command in found
                  if (command.split()[1] in VERBS or command.split()[1].startswith("-"))
                  and "completion" not in command and not set("[|") & set(command))


@pytest.mark.parametrize("command", _quoted_commands())
def test_every_command_the_docs_quote_is_one_mindshare_takes(command):
    """Issue 16: the shipped field file suggested `mindshare --field ... report`, which exits 2 (--field is the
    verb's option). Each quoted command, with --help added, must get as far as its verb's help."""
    from typer.testing import CliRunner

    from mindshare.cli import app

    words = [word for word in command.split()[1:] if word != "..."]
    result = CliRunner().invoke(app, [*words, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output, (command, result.output)
