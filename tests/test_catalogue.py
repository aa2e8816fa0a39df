"""The catalogue: every signal and metric declared once, on the ground floor, and read from there.

The literal count reads the readers' code (ast, so a docstring or a comment that names a metric does not count):
a signal or metric name used as one — compared with a row's value, passed as `signal=` or `metric=`, asked of
`Evidence.of`, listed for `.isin` — must come from its catalogue record, never be spelled again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mindshare
from mindshare.catalogue import CATALOGUE, EVENTS, Catalogue, Metric, Signal

PACKAGE = Path(mindshare.__file__).parent
READERS = ("analysis", "report", "commands", "api.py")
NAMES = set(CATALOGUE.signal_names) | {m.name for m in CATALOGUE.metrics}


def _used_as_names(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants of catalogue names in the places a signal or metric is used as one."""
    found: list[tuple[int, str]] = []

    def take(node: ast.AST | None) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in NAMES:
            found.append((node.lineno, node.value))
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                take(element)

    def names_a_column(node: ast.AST) -> bool:
        """`x["signal"]`, `x.metric`, `signal`: a signal or metric the code holds."""
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            return node.slice.value in ("signal", "metric")
        if isinstance(node, ast.Attribute):
            return node.attr in ("signal", "metric")
        return isinstance(node, ast.Name) and node.id in ("signal", "metric")

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(names_a_column(n) for n in (node.left, *node.comparators)):
            take(node.left)
            for comparator in node.comparators:
                take(comparator)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("signal", "metric"):
                    take(keyword.value)
            called = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if called in ("of", "isin") and node.args:
                take(node.args[0])
    return found


def _reader_files() -> list[Path]:
    files: list[Path] = []
    for room in READERS:
        path = PACKAGE / room
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_no_signal_or_metric_name_is_spelled_again_by_a_reader():
    spelled = [f"{path.relative_to(PACKAGE)}:{line}: {name!r}" for path in _reader_files()
               for line, name in _used_as_names(ast.parse(path.read_text(encoding="utf-8")))]
    assert not spelled, "use the catalogue's record (mindshare.catalogue) instead:\n" + "\n".join(spelled)


def test_the_count_sees_a_name_spelled_again():
    """The check itself: each way of using a name as one is seen (else the test above could pass on anything)."""
    code = ('frame[frame["signal"] == "jobs"]\nevidence.of("downloads")\nstore.observations(metric="github_stars")\n'
            'frame["metric"].isin(["pageviews", "x"])\nframe.rename(columns={"stars": "n"})\n')
    found = sorted(name for _, name in _used_as_names(ast.parse(code)))
    assert found == ["downloads", "github_stars", "jobs", "pageviews"]


def test_the_registry_refuses_a_name_declared_twice_or_a_metric_of_no_signal():
    signal = Signal("toys", "toys sold")
    with pytest.raises(ValueError, match="signal 'toys' declared twice"):
        Catalogue([signal, signal])
    with pytest.raises(ValueError, match="metric 'sold' declared twice"):
        Catalogue([signal], [Metric("sold", "toys"), Metric("sold", "toys", EVENTS)])
    with pytest.raises(ValueError, match="no signal 'games'"):
        Catalogue([signal], [Metric("sold", "games")])
    with pytest.raises(ValueError, match="metric 'downloads_30d' declared twice"):
        CATALOGUE.with_metrics([Metric("downloads_30d", "downloads")])
    with pytest.raises(ValueError, match="kind 'lots'"):
        Metric("sold", "toys", "lots")


def test_every_preferred_metric_is_declared_and_of_its_own_signal():
    for signal in CATALOGUE.signals:
        for group in signal.prefers:
            for name in group:
                metric = CATALOGUE.metric(name)
                survey = name.endswith("_survey_share")          # the survey family (catalogue.SurveyMetrics)
                assert survey or (metric is not None and metric.signal == signal.name), (signal.name, name)


def test_an_unknown_signal_or_metric_is_still_read_plainly():
    from mindshare.analysis.measures import describe, signal_words

    assert CATALOGUE.signal("stickers").spoken == "stickers" and CATALOGUE.order("stickers") >= len(CATALOGUE.signals)
    measure = describe("sticker_trades")
    assert (measure.kind, measure.sampled, measure.what) == ("level", False, "sticker trades")
    assert signal_words("research") == "research papers"
