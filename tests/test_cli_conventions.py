"""The command line's conventions, one rule each, held over every verb of `mindshare.cli.VERBS` (a verb added
later is held to them the day it is registered):

- every verb takes `--quiet/-q` and `--verbose/-v`;
- every verb that prints data takes `--format table|csv|json`; one that prints none is marked `@prints_no_data`;
- a DATE option is checked by `check_day` (YYYY-MM-DD, not after today), a `--since` by `check_since` (YYYY-MM or
  YYYY-MM-DD, not after today), a `--limit` by `check_count` (0 or more): one rule each, in commands/_common.py.

Issue 24: `import`, `scan`, `trends samples`, `research shares` and `papers venues` lacked some of the three.
"""

from __future__ import annotations

import pytest

from mindshare.cli import VERBS, load_verb
from mindshare.commands._common import check_count, check_day, check_since, prints_data

# Verbs in files another helper owns that do not keep a convention yet, and what each needs. An entry that is no
# longer true fails the test below: remove it when the verb is fixed.
PENDING: dict[tuple[str, ...], set[str]] = {}


def _verbs():
    """(path, click command) of every verb: each leaf, and each group that runs on its own (`snapshots`)."""
    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands is None or command.invoke_without_command:
            yield tuple(path), command
        for name in (command.list_commands(None) if subcommands is not None else ()):
            yield from walk(command.get_command(None, name), [*path, name])

    for name in VERBS:
        yield from walk(load_verb(name), [name])


VERB_LIST = list(_verbs())


def _options(command) -> dict[str, object]:
    return {flag: param for param in command.params if param.param_type_name == "option" for flag in param.opts}


def _missing(path, command) -> set[str]:
    options = _options(command)
    missing = {flag for flag, short in (("--quiet", "-q"), ("--verbose", "-v"))
               if flag not in options or short not in options}
    if prints_data(command):
        fmt = options.get("--format")
        choices = getattr(fmt.type_descriptor.annotation, "__members__", {}) if fmt is not None else {}
        if list(choices) != ["table", "csv", "json"]:
            missing.add("--format")
    return missing


def test_the_verbs_are_every_verb_of_the_app():
    assert {path[0] for path, _ in VERB_LIST} == set(VERBS)
    assert ("snapshots",) in dict(VERB_LIST) and ("trends", "samples") in dict(VERB_LIST)


@pytest.mark.parametrize("path, command", VERB_LIST, ids=[" ".join(p) for p, _ in VERB_LIST])
def test_every_verb_takes_format_quiet_and_verbose(path, command):
    missing = _missing(path, command)
    assert missing == PENDING.get(path, set()), \
        f"mindshare {' '.join(path)}: lacks {sorted(missing)} (see commands/_common.py)" if missing else \
        f"mindshare {' '.join(path)} keeps the conventions now: remove it from PENDING"


@pytest.mark.parametrize("path, command", VERB_LIST, ids=[" ".join(p) for p, _ in VERB_LIST])
def test_every_day_month_and_count_option_is_checked_by_the_one_rule(path, command):
    def rule(param):
        return getattr(param.callback, "__wrapped__", param.callback)

    for flag, param in _options(command).items():
        if param.metavar == "DATE":
            assert rule(param) is check_day, (path, flag)
        if flag in ("--since", "--until"):
            assert rule(param) is check_since, (path, flag)
        if flag == "--limit":
            assert rule(param) is check_count, (path, flag)


# `mindshare -v collect` failed: -v was the verb's only.
def test_quiet_and_verbose_work_before_the_verb(bundled_store_path):
    from typer.testing import CliRunner

    from mindshare.cli import app

    def invoke(*args):
        return CliRunner().invoke(app, ["--db", str(bundled_store_path), *args])

    before = invoke("-v", "observations", "-s", "qa", "--format", "csv", "--limit", "1")
    after = invoke("observations", "-s", "qa", "--format", "csv", "--limit", "1", "-v")
    assert before.exit_code == after.exit_code == 0, before.output
    assert f"store {bundled_store_path}" in before.stderr and before.stderr == after.stderr
    assert invoke("-q", "papers", "venues").stderr == ""
    both = invoke("-q", "observations", "-v")
    assert both.exit_code == 2 and "--quiet and --verbose contradict each other" in both.output
    plain = invoke("observations", "-s", "qa", "--format", "csv")   # the next command starts afresh
    assert "store " not in plain.stderr
