"""Shared test fixtures. No test touches the network or the user's own store or cache.

No test may depend on the wall clock. To prove it, `.ci/run` runs the suite again with `MINDSHARE_TEST_TODAY`
set to other days (a month's last day, a day a year ahead): the whole session then travels to noon UTC of that
day (time-machine moves every Python clock: datetime, date.today, time.time), before any test is collected.
A test that needs one particular day freezes it itself (`time_machine.travel`), which nests inside this.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# The project's shared real files (survey files, paper PDFs, recorded responses) sit beside the checkout in CI and
# on the team's machines, not in the repository. A clone without them still runs `make test`: a test that reads
# them is skipped with one line naming what it needs. .ci/run refuses to start without them, so CI runs them all.
SHARED_MISSING = not SHARED.is_dir()
_WHY = "(the project's shared real files, beside the checkout; CI always has them)"


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Mark a test that reads `../shared/<parts>` in a way the automatic skip below cannot see (a subprocess's
    output, a count that is merely smaller without it)."""
    return pytest.mark.skipif(SHARED_MISSING, reason=f"needs ../shared/{'/'.join(parts)} {_WHY}")


def require_shared(*parts: str) -> None:
    """For a test module that reads `../shared/<parts>` as it is imported: skip the whole module without it."""
    if SHARED_MISSING:
        pytest.skip(f"needs ../shared/{'/'.join(parts)} {_WHY}", allow_module_level=True)


def _shared_path_in(exc: BaseException | None) -> str | None:
    """The part of ../shared a failure names (a FileNotFoundError's file, or the path in a message such as a
    subprocess's 'no such file' line), or None."""
    while exc is not None:
        text = str(getattr(exc, "filename", None) or "") + " " + str(exc)
        if str(SHARED) in text:
            rest = text[text.index(str(SHARED)) + len(str(SHARED)):].lstrip("/").split("/")
            return "/".join(part.split()[0].strip("'\":,") for part in rest[:2] if part.split())
        exc = exc.__cause__ or exc.__context__
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Without ../shared, a test (or its fixture) that failed on a path under it is reported skipped, naming the
    folder; with ../shared present nothing is ever turned into a skip."""
    outcome = yield
    if not SHARED_MISSING or call.excinfo is None:
        return
    needed = _shared_path_in(call.excinfo.value)
    report = outcome.get_result()
    if needed is not None and report.failed:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: needs ../shared/{needed} {_WHY}")


_TRAVEL = None


def pytest_configure(config):
    global _TRAVEL
    day = os.environ.get("MINDSHARE_TEST_TODAY")
    if day:
        import time_machine

        _TRAVEL = time_machine.travel(datetime.combine(date.fromisoformat(day), time(12), tzinfo=timezone.utc),
                                      tick=True)
        _TRAVEL.start()


def pytest_unconfigure(config):
    if _TRAVEL is not None:
        _TRAVEL.stop()


def pytest_report_header(config):
    day = os.environ.get("MINDSHARE_TEST_TODAY")
    return f"clock: travelled to {day} 12:00 UTC (MINDSHARE_TEST_TODAY)" if day else None


class FakeClock:
    """time.monotonic and time.sleep in one, for the HTTP layer's limiter and retries: sleeping moves the
    clock, instantly."""

    def __init__(self, start: float = 0.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def no_stamina_waits():
    """Retries without their waits, three attempts at most: for the tests of the HTTP layer and the sources
    (`pytestmark = pytest.mark.usefixtures("no_stamina_waits")`)."""
    import stamina

    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch, tmp_path_factory):
    """Every test gets its own default store; the render cache is shared per session (it is content-addressed)."""
    monkeypatch.setenv("MINDSHARE_DB", str(tmp_path / "default.duckdb"))
    cache = tmp_path_factory.getbasetemp() / "mindshare-cache"
    monkeypatch.setenv("MINDSHARE_CACHE", str(cache))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("MINDSHARE_LOCK_WAIT", "0.5")
    yield


@pytest.fixture(scope="session")
def bundled_store_path(tmp_path_factory) -> Path:
    """A store with the bundled dataset loaded once per session; tests that read only may share it."""
    from mindshare.session import open_session

    path = tmp_path_factory.mktemp("store") / "bundled.duckdb"
    open_session(path).close()
    return path


@pytest.fixture(scope="session")
def built_report(tmp_path_factory, bundled_store_path):
    """The report built once from the bundled data: (folder, results dict)."""
    import json

    os.environ.setdefault("MINDSHARE_CACHE", str(tmp_path_factory.getbasetemp() / "mindshare-cache"))
    from mindshare.fields import load_field
    from mindshare.report.build import build_report
    from mindshare.report.render import write_report
    from mindshare.session import session as store_session

    out = tmp_path_factory.mktemp("report") / "report"
    with store_session(bundled_store_path) as store:
        built = build_report(store, load_field("deep-learning"))
    write_report(built, out)
    return out, json.loads((out / "results.json").read_text())
