"""Installing mindshare (issue 24): what each install brings, and `make` in two checkouts at once.

The wheel, the sdist and the lowest allowed versions are checked by `.ci/run` (scripts/check-wheel,
scripts/check-lowest): they take minutes and a network to a package index."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from conftest import REPO

import mindshare

PACKAGE = Path(mindshare.__file__).parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
# The heavy parts `make report` must not install: the test tools, the browser, the cluster, the lint tools.
NOT_FOR_THE_REPORT = {"pytest", "pytest-xdist", "hypothesis", "respx", "vcrpy", "time-machine", "moto", "playwright",
                      "dask", "distributed", "s3fs", "ruff", "mypy"}


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def extra(name: str) -> set[str]:
    """The distributions an extra brings, extras it names included (`mindshare[scan,browser]`)."""
    found = set()
    for requirement in PYPROJECT["optional-dependencies"][name]:
        named = re.fullmatch(r"mindshare\[(.+)\]", requirement)
        found |= set().union(*(extra(e) for e in named[1].split(","))) if named else names([requirement])
    return found


def third_party_imports(paths) -> dict[str, set[str]]:
    """Top-level modules imported (at the top or in a function) by the files, not mindshare's or the standard
    library's or the tests' own helpers: module -> files."""
    local = {p.stem for p in (REPO / "tests").glob("*.py")}
    found: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top != "mindshare" and top not in sys.stdlib_module_names and top not in local:
                    found.setdefault(top, set()).add(path.name)
    return found


def declared(modules: dict[str, set[str]], allowed: set[str]) -> dict[str, set[str]]:
    """The modules none of whose distributions is among `allowed`."""
    owners = packages_distributions()
    return {module: files for module, files in modules.items()
            if not {d.lower().replace("_", "-") for d in owners.get(module, [module])} & allowed}


def test_the_report_installs_none_of_the_test_browser_cluster_or_lint_tools():
    assert not names(PYPROJECT["dependencies"]) & NOT_FOR_THE_REPORT
    assert NOT_FOR_THE_REPORT <= extra("test")                       # `make test` installs them all


def test_every_package_mindshare_imports_is_declared():
    core = names(PYPROJECT["dependencies"])
    everything = core | set().union(*(extra(e) for e in PYPROJECT["optional-dependencies"]))
    undeclared = declared(third_party_imports(PACKAGE.rglob("*.py")), everything)
    assert not undeclared, f"imported but not in pyproject.toml: {undeclared}"


def test_every_package_the_tests_import_is_in_the_test_extra():
    allowed = names(PYPROJECT["dependencies"]) | extra("test")
    undeclared = declared(third_party_imports((REPO / "tests").glob("*.py")), allowed)
    assert not undeclared, f"imported by tests but not in the test extra: {undeclared}"


def test_make_report_installs_only_the_package_and_make_test_adds_its_test_extra():
    """The two make targets and what they install, read from the Makefile as make runs it (make -n)."""
    def planned(target: str) -> str:
        return subprocess.run(["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout

    report = planned("report")
    assert "pip install -q -c constraints.txt -e .\n" in report and "[test]" not in report
    assert 'pip install -q -c constraints.txt -e ".[test]"' in planned("test")


# -- two checkouts running `make` at once ---------------------------------------------------------------------
FAKE_APT = """#!/bin/bash
# apt-get as this test sees it: an update, then an install that takes a second and brings the programs.
echo "$$ $*" >> {log}
if [[ " $* " == *" install "* ]]; then
  /bin/sleep 1
  for program in chromium pdftotext; do printf '#!/bin/sh\\n' > {bin}/$program; /bin/chmod +x {bin}/$program; done
  echo "$$ installed" >> {log}
fi
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="installs are tried only as root")
def test_two_checkouts_installing_system_packages_take_turns_and_install_once(tmp_path):
    """Each ran apt-get at the same moment: the second's `apt-get update` failed on apt's lock, and that
    checkout went on without chromium (or, for `build`, without the native matcher)."""
    fake_bin, log = tmp_path / "bin", tmp_path / "apt.log"
    fake_bin.mkdir()
    (fake_bin / "apt-get").write_text(FAKE_APT.format(log=log, bin=fake_bin))
    (fake_bin / "apt-get").chmod(0o755)
    for tool in ("id", "flock"):
        (fake_bin / tool).symlink_to(subprocess.run(["which", tool], capture_output=True, text=True,
                                                    check=True).stdout.strip())
    env = {"PATH": str(fake_bin), "MINDSHARE_SYSTEM_PACKAGES_LOCK": str(tmp_path / "lock")}
    script = str(REPO / "scripts" / "ensure-system-packages")
    both = [subprocess.Popen(["/bin/bash", script, "test"], env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    said = [process.communicate(timeout=60)[1] for process in both]
    assert [process.returncode for process in both] == [0, 0]
    assert log.read_text().count("installed") == 1, log.read_text()
    assert sum("installing chromium poppler-utils (test)" in s for s in said) == 1
    assert sum("waiting for another install of system packages to finish" in s for s in said) == 1
