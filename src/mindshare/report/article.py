"""The 2020 article a field may reproduce, in one place: Jeff Hale's "Is PyTorch catching TensorFlow?" (January 2020),
the figures it and its 2019 predecessor quoted, and the words the report says only because of it.

What lives here: the section intros that cite the article; Hale's job-listing ratios ("nearly 3" in March 2019,
"about 2" in January 2020) and the other job figures the articles quoted; the Hacker News ratio the article's
narrowing is compared with (2019 vs 2020); the NeurIPS 2019 counts under the rules the article cited (166 papers
naming only PyTorch, 74 only TensorFlow); the package-level PyPI crossing (torch vs tensorflow); Hale's composite
presets; and the caveats of the history compiled to reproduce it (its PyPI method changes, its package choices).
The Stack Overflow 2019 shares the article used are plain survey observations: the usage section shows them for
any field whose contenders they name.

A field shows all this only when its TOML says `reference = "hale-2020"` (the shipped deep-learning.toml does);
no section names a contender, a year or a venue of its own accord.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import TYPE_CHECKING

import pandas as pd

from mindshare.analysis import first_crossing
from mindshare.fields import HALE_2020, Field
from mindshare.report.model import Finding, Section, Table

if TYPE_CHECKING:
    from mindshare.report.evidence import Evidence


@dataclass(frozen=True)
class Article:
    id: str
    incumbent: str                       # contender id the article saw ahead
    challenger: str                      # and the one catching up
    intros: dict[str, str] = dataclass_field(default_factory=dict)   # section id -> intro citing the article
    composite_presets: tuple[str, ...] = ()
    composite_presets_words: str = ""    # how the summary's method note names the presets

    # -- jobs ----------------------------------------------------------------------------------------------
    def quoted_job_figures(self, evidence: Evidence, section: Section) -> None:
        """The job-listing figures the 2019 and 2020 articles quoted, in their own words where they gave no
        number, and the two listing ratios set side by side."""
        observations = evidence.observations
        quoted = observations[(observations["signal"] == "jobs") & observations["metric"].isin(QUOTED_JOB_METRICS)]
        if quoted.empty:
            return
        rows = quoted.assign(source_ref=evidence.refs(quoted))
        table = pd.DataFrame({
            "period": rows["period_label"], "frameworks": rows["subject"], "figure": rows["value_text"],
            "unit": rows["unit"], "where": rows["segment"], "source": rows["source"], "source_ref": rows["source_ref"]})
        section.tables.append(Table("quoted_job_figures", "Job-listing figures quoted by the 2019 and 2020 articles "
                                    "(in the sources' own words where they gave no number)", table))
        ratios = rows[rows["metric"] == "job_listings_ratio_text"].sort_values("period_start")
        if len(ratios) >= 2:
            first, last = ratios.iloc[0], ratios.iloc[-1]
            section.findings.append(Finding(
                f"The articles quoted {evidence.name(self.incumbent)}'s lead in US job listings as {first['value_text']}x in "
                f"{first['period_label'][:7]} and {last['value_text']}x in {last['period_label'][:7]}.",
                [evidence.figure("quoted TF/PyTorch listing ratio", first["value_text"], "ratio (words)", first,
                                 period=first["period_label"]),
                 evidence.figure("quoted TF/PyTorch listing ratio", last["value_text"], "ratio (words)", last,
                                 period=last["period_label"])]))

    def hn_narrowing(self, evidence: Evidence, ratio: pd.Series, posts: pd.DataFrame, ref: str) -> Finding | None:
        """The Hacker News ratio of the two years the article spans, beside the narrowing it saw on job boards.
        `ratio` is incumbent / challenger posts per full year; `posts` is year x contender."""
        if len(ratio) < 2 or not {2019, 2020} <= set(ratio.index):
            return None
        incumbent, challenger = evidence.name(self.incumbent), evidence.name(self.challenger)
        return Finding(
            f"In Hacker News hiring posts {incumbent}'s lead over {challenger} went from {ratio[2019]:.1f}x in 2019 "
            f"to {ratio[2020]:.1f}x in 2020, the same narrowing the article saw on US job boards "
            f"(about 3x to about 2x).",
            [evidence.figure("TF/PyTorch posts ratio", round(ratio[2019], 2), "ratio", year=2019, source_ref=ref),
             evidence.figure("TF/PyTorch posts ratio", round(ratio[2020], 2), "ratio", year=2020, source_ref=ref),
             *[evidence.figure(f"{evidence.name(c)} posts", posts.loc[y, c], "posts", year=y, source_ref=ref)
               for y in (2019, 2020) for c in (self.incumbent, self.challenger)]])

    # -- research ------------------------------------------------------------------------------------------
    def research_highlights(self, table: pd.DataFrame) -> list[Finding]:
        """NeurIPS 2019 under each rules version: the venue-year the article cited. `table` is the per-venue
        table of the research section."""
        findings = []
        for rules in sorted(table["rules"].unique()):
            hit = table[(table["venue"] == "NeurIPS") & (table["year"] == 2019) & (table["rules"] == rules)]
            if hit.empty:
                continue
            row = hit.iloc[0]
            cited = {"unit": "papers", "source_ref": row["source_ref"], "venue": "NeurIPS", "year": 2019,
                     "rules": rules}
            findings.append(Finding(
                f"NeurIPS 2019 under the {rules} rules: {row['pytorch_papers']} papers named only PyTorch and "
                f"{row['tensorflow_papers']} only TensorFlow, a PyTorch share of {row['pytorch_share_pct']:.1f}%.",
                [{"name": "pytorch_papers", "value": int(row["pytorch_papers"]), **cited},
                 {"name": "tensorflow_papers", "value": int(row["tensorflow_papers"]), **cited},
                 {"name": "pytorch_share_pct", "value": float(row["pytorch_share_pct"]), **cited, "unit": "%"}]))
        return findings

    # -- downloads -----------------------------------------------------------------------------------------
    def package_crossing(self, raw: pd.DataFrame) -> Finding | None:
        """When the torch package passed the tensorflow package (each package alone, not the field's sums)."""
        packages = raw[raw["subject"].isin(["torch", "tensorflow"])].assign(contender=lambda f: f["subject"])
        crossing = first_crossing(packages, "torch", "tensorflow", at="date")
        if not crossing:
            return None
        return Finding(
            f"The torch package passed the tensorflow package on PyPI in the {crossing.date:%Y-%m} snapshot "
            f"({crossing.passer_value / 1e6:.1f}M vs {crossing.passed_value / 1e6:.1f}M downloads in 30 days; "
            f"method: {crossing.method}).",
            [{"name": "torch downloads_30d", "value": crossing.passer_value, "unit": "downloads",
              "date": crossing.date.date().isoformat(), "method": crossing.method},
             {"name": "tensorflow downloads_30d", "value": crossing.passed_value, "unit": "downloads",
              "date": crossing.date.date().isoformat(), "method": crossing.method}])

    # the bundled PyPI history compiled for this article: its method changes and its package choices
    pypi_methods_note: str = (
        "PyPI counts changed method three times (2024-11: all installers instead of pip only; 2024-12 to 2025-06: "
        "windows shorter than 30 days; 2025-07: full calendar months from ClickHouse). Crossovers are only read "
        "within one method; the dotted lines mark the changes.")
    pypi_packages_note: str = ("Dependencies are left out where they would count one install twice (jaxlib comes "
                               "with every jax); keras downloads include TensorFlow's own installs since "
                               "TensorFlow 2.16.")


QUOTED_JOB_METRICS = ["job_listings_ratio_text", "job_listings_change_text", "job_listings_new", "job_postings_growth"]

HALE = Article(
    id=HALE_2020, incumbent="tensorflow", challenger="pytorch",
    intros={
        "jobs": ("How often job ads name each framework. The 2020 article counted listings on four US job boards; "
                 "the bundled history uses Hacker News \"Who is hiring?\" threads, a free monthly series of real job "
                 "posts, and keeps the ratios the 2019 and 2020 articles quoted."),
        "research": ("Share of top-conference papers that mention each framework, per venue and year, counted by "
                     "Horace He (PDF to text, then matching). PyTorch / (PyTorch + TensorFlow) counts papers naming "
                     "only one of the two. Two versions of his rules are shown side by side: 2019-11, the one the "
                     "2020 article cited (Google- and Facebook-affiliated papers excluded, Keras not counted), and "
                     "2021-10, his final one (affiliations included, Keras counted as TensorFlow)."),
        "search": ("The 2020 article compared relative Google search volume over three years, with linear trend "
                   "lines (and the winter dip)."),
        "signals": ("Signals the 2020 article did not use: PyPI downloads (what gets installed), GitHub stars (what "
                    "developers bookmark) and Stack Overflow questions (what people get stuck on)."),
    },
    composite_presets=("power-2018", "growth-2019"),
    composite_presets_words=("presets: Hale's 2018 power score and 2019 growth score, from the bundled facts; growth "
                             "uses the change in share over the last year"),
)

ARTICLES = {HALE.id: HALE}


def article_of(field: Field) -> Article | None:
    """The article `field` declares it reproduces (fields.py checks the name), or None."""
    return ARTICLES.get(field.reference) if field.reference else None
