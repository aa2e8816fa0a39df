"""What the jobs section shows only for a field that reproduces a published article (report.article): the job-listing
figures the articles quoted, and the Hacker News ratio over the years the article spans beside the narrowing it saw.
Kept apart from the section, which names no contender, year or venue of its own accord.
"""

from __future__ import annotations

import pandas as pd

from mindshare.catalogue import JOB_LISTINGS_RATIO_TEXT, JOBS
from mindshare.report.article import QUOTED_JOB_METRICS, Article
from mindshare.report.evidence import Evidence
from mindshare.report.model import Finding, Section, Table


def quoted_job_figures(article: Article, evidence: Evidence, section: Section) -> None:
    """The job-listing figures the 2019 and 2020 articles quoted, in their own words where they gave no
    number, and the two listing ratios set side by side."""
    observations = evidence.observations
    quoted = observations[(observations["signal"] == JOBS.name) & observations["metric"].isin(QUOTED_JOB_METRICS)]
    if quoted.empty:
        return
    rows = quoted.assign(source_ref=evidence.refs(quoted))
    table = pd.DataFrame({
        "period": rows["period_label"], "frameworks": rows["subject"], "figure": rows["value_text"],
        "unit": rows["unit"], "where": rows["segment"], "source": rows["source"], "source_ref": rows["source_ref"]})
    section.tables.append(Table("quoted_job_figures", "Job-listing figures quoted by the 2019 and 2020 articles "
                                "(in the sources' own words where they gave no number)", table))
    ratios = rows[rows["metric"] == JOB_LISTINGS_RATIO_TEXT.name].sort_values("period_start")
    if len(ratios) >= 2:
        first, last = ratios.iloc[0], ratios.iloc[-1]
        section.findings.append(Finding(
            f"The articles quoted {evidence.name(article.incumbent)}'s lead in US job listings as {first['value_text']}x "
            f"in "
            f"{first['period_label'][:7]} and {last['value_text']}x in {last['period_label'][:7]}.",
            [evidence.figure("quoted TF/PyTorch listing ratio", first["value_text"], "ratio (words)", first,
                             period=first["period_label"]),
             evidence.figure("quoted TF/PyTorch listing ratio", last["value_text"], "ratio (words)", last,
                             period=last["period_label"])]))

def hn_narrowing(article: Article, evidence: Evidence, ratio: pd.Series, posts: pd.DataFrame,
                 ref: str) -> Finding | None:
    """The Hacker News ratio of the two years the article spans, beside the narrowing it saw on job boards.
    `ratio` is incumbent / challenger posts per full year; `posts` is year x contender."""
    if len(ratio) < 2 or not {2019, 2020} <= set(ratio.index):
        return None
    incumbent, challenger = evidence.name(article.incumbent), evidence.name(article.challenger)
    return Finding(
        f"In Hacker News hiring posts {incumbent}'s lead over {challenger} went from {ratio[2019]:.1f}x in 2019 "
        f"to {ratio[2020]:.1f}x in 2020, the same narrowing the article saw on US job boards "
        f"(about 3x to about 2x).",
        [evidence.figure("TF/PyTorch posts ratio", round(ratio[2019], 2), "ratio", year=2019, source_ref=ref),
         evidence.figure("TF/PyTorch posts ratio", round(ratio[2020], 2), "ratio", year=2020, source_ref=ref),
         *[evidence.figure(f"{evidence.name(c)} posts", posts.loc[y, c], "posts", year=y, source_ref=ref)
           for y in (2019, 2020) for c in (article.incumbent, article.challenger)]])
