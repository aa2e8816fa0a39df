"""Issue 21: the answer speaks plainly for any field: no word of deep learning, "not measured" rather than zero
where a contender lacks a signal, and the same rules (material leads, confidence, advice) for every field."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

DEEP_LEARNING = re.compile(r"deep.learning|pytorch|tensorflow|keras|neurips|framework", re.IGNORECASE)


def _monthly(rows, *, metric, signal, source="src", segment="all", method="m1"):
    out = []
    for when, contender, value in rows:
        start = pd.Timestamp(when + "-01")
        out.append({"signal": signal, "metric": metric, "source": source, "contender": contender,
                    "subject": contender, "period_start": start, "period_end": start + pd.offsets.MonthEnd(0),
                    "value": float(value), "segment": segment, "method": method, "note": None,
                    "collected_at": pd.Timestamp("2030-01-01"), "kind": "number", "unit": metric})
    return pd.DataFrame(out)


def _survey(year, shares, n=20000):
    """A survey's published shares for one year (count and base in the note), all respondents."""
    return pd.DataFrame([{"signal": "usage", "metric": "so_survey_share", "source": f"Stack Overflow Developer Survey "
                          f"{year}", "contender": c, "subject": c, "segment": "all respondents",
                          "period_start": pd.Timestamp(f"{year}-05-01"), "period_end": pd.Timestamp(f"{year}-06-01"),
                          "value": pct, "method": "as published", "note": f"{round(pct * n / 100)} of n={n}",
                          "collected_at": pd.Timestamp("2030-01-01"), "kind": "number", "unit": "%"}
                         for c, pct in shares.items()])


def _dataframe_libraries() -> pd.DataFrame:
    """A field of dataframe libraries: pandas, Polars and Dask on downloads, stars, job posts and a survey that
    offers pandas and Dask but not Polars."""
    months = pd.period_range("2023-07", "2026-06", freq="M").strftime("%Y-%m")
    rng = np.random.default_rng(5)
    downloads = [(m, c, base * (1 + g * k)) for k, m in enumerate(months)
                 for c, base, g in (("pandas", 2e8, 0.005), ("polars", 1e7, 0.06), ("dask", 2e7, 0.0))]
    stars = [(m, c, s0 + step * k) for k, m in enumerate(months)
             for c, s0, step in (("pandas", 42000, 150), ("polars", 25000, 600), ("dask", 12000, 40))]
    posts = [(m, c, rng.poisson(lam)) for m in months for c, lam in (("pandas", 30), ("polars", 6), ("dask", 3))]
    return pd.concat([_monthly(downloads, metric="downloads_30d", signal="downloads", source="pypi"),
                      _monthly(stars, metric="github_stars", signal="github", source="github"),
                      _monthly(posts, metric="posts_mentioning", signal="jobs", source="hn"),
                      _survey(2024, {"pandas": 60.0, "dask": 8.0})], ignore_index=True)


def _answer(frame, names, report_date="2026-09-01"):
    from mindshare.analysis.answer import build_answer

    return build_answer(frame, contenders=sorted(frame["contender"].unique()), report_date=report_date,
                        names=lambda k: names.get(k, k), draws=100)


def _everything(answer) -> str:
    return " ".join([answer.headline.text, answer.data_through.text, *(s.text for s in answer.sentences),
                     *(f.statement.text for f in answer.focus), *(r.lead + r.trend + r.label + r.confidence.reason
                                                                  for r in answer.scoreboard),
                     answer.lead_lag_statement.text if answer.lead_lag_statement else "",
                     answer.composite.text if answer.composite else "", answer.others.text if answer.others else "",
                     *answer.method_notes])


def test_a_dataframe_field_reads_plainly_and_says_not_measured_rather_than_zero():
    names = {"pandas": "pandas", "polars": "Polars", "dask": "Dask"}
    answer = _answer(_dataframe_libraries(), names)
    text = _everything(answer)
    assert not DEEP_LEARNING.findall(text), sorted(set(DEEP_LEARNING.findall(text)))
    usage = next(r for r in answer.scoreboard if r.signal == "usage")
    # the field's own pair is pandas and Polars; the survey never offered Polars: said, never a zero
    assert (usage.leader, usage.runner_up) == ("pandas", "dask") and usage.lead.endswith("; Polars not measured")
    assert "(Polars not measured)" in next(s.text for s in answer.sentences if "usage" in s.signals)
    assert all(str(f.value) not in ("0", "0.0") for r in answer.scoreboard for f in r.figures
               if f.contender == "polars")
    assert {frozenset((r.leader, r.runner_up)) for r in answer.scoreboard if r.signal != "usage"} \
        == {frozenset(("pandas", "polars"))}
    assert 3 <= len(answer.sentences) <= 5
    assert "Not measured here: research papers" in answer.data_through.text
    assert "these data do not measure use in production" in next(
        f.statement.text for f in answer.focus if f.audience == "a production team")


def test_the_web_frameworks_field_reads_plainly(tmp_path):
    from mindshare.fields import load_field

    field = load_field("web-frameworks")
    names = {c.id: c.name for c in field.contenders}
    months = pd.period_range("2023-07", "2026-06", freq="M").strftime("%Y-%m")
    downloads = [(m, c, base * (1 + g * k)) for k, m in enumerate(months)
                 for c, base, g in (("django", 9e6, 0.0), ("flask", 8e6, -0.01), ("fastapi", 5e6, 0.03))]
    stars = [(m, c, s0 + step * k) for k, m in enumerate(months)
             for c, s0, step in (("django", 80000, 300), ("flask", 68000, 150), ("fastapi", 50000, 900))]
    frame = pd.concat([_monthly(downloads, metric="downloads_30d", signal="downloads", source="pypi"),
                       _monthly(stars, metric="github_stars", signal="github", source="github"),
                       _survey(2024, {"django": 12.0, "flask": 11.5, "fastapi": 9.0, "express": 17.0})])
    answer = _answer(frame[frame["contender"].isin(field.ids)], names)
    text = _everything(answer)
    assert not DEEP_LEARNING.findall(text), sorted(set(DEEP_LEARNING.findall(text)))
    assert any(name in answer.headline.text for name in names.values())
    usage = next(r for r in answer.scoreboard if r.signal == "usage")
    # Express is ahead on the survey but outside the field's own pair: the row says so, it does not hide it
    assert (usage.leader, usage.runner_up) == ("django", "fastapi")
    assert f"({names['express']}, 17.0%, is ahead of both; Flask, 11.5%, lies between them)" in next(
        s.text for s in answer.sentences if "usage" in s.signals)
    for row in answer.scoreboard:
        assert row.confidence.reason and row.short_label
