"""The 2020 article a field may reproduce, in one place: Jeff Hale's "Is PyTorch catching TensorFlow?" (January 2020),
the figures it and its 2019 predecessor quoted, and the words the report says only because of it.

What lives here (data, and findings made from frames a section hands in; the sections that show them read the
evidence): the section intros that cite the article; Hale's job-listing ratios ("nearly 3" in March 2019,
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

from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pandas as pd

from mindshare.analysis import first_crossing
from mindshare.catalogue import JOB_LISTINGS_CHANGE_TEXT, JOB_LISTINGS_NEW, JOB_LISTINGS_RATIO_TEXT, JOB_POSTINGS_GROWTH
from mindshare.fields import HALE_2020, Field
from mindshare.report.model import Finding


@dataclass(frozen=True)
class Article:
    id: str
    incumbent: str                       # contender id the article saw ahead
    challenger: str                      # and the one catching up
    intros: dict[str, str] = dataclass_field(default_factory=dict)   # section id -> intro citing the article
    composite_presets: tuple[str, ...] = ()
    composite_presets_words: str = ""    # how the summary's method note names the presets

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


# the job-listing figures the articles quoted (the jobs section shows them for a field that reproduces them)
QUOTED_JOB_METRICS = [m.name for m in (JOB_LISTINGS_RATIO_TEXT, JOB_LISTINGS_CHANGE_TEXT, JOB_LISTINGS_NEW,
                                       JOB_POSTINGS_GROWTH)]

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
