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
from typing import Any

import pandas as pd

from mindshare.analysis import first_crossing
from mindshare.catalogue import (
    CATALOGUE,
    INDEX,
    JOB_LISTINGS_CHANGE_TEXT,
    JOB_LISTINGS_NEW,
    JOB_LISTINGS_RATIO_TEXT,
    JOB_POSTINGS_GROWTH,
    JOBS,
    PAPERS_MENTIONING_ONLY,
    RESEARCH,
    SEARCH,
    STACKOVERFLOW_SURVEY,
    USAGE,
)
from mindshare.fields import HALE_2020, Field
from mindshare.report.model import Finding

# The report's Evidence (report.evidence imports this module, so it is not imported back): observations, report_date,
# name(contender), figure(...).
Evidence = Any


def _boards(segment: str) -> str:
    """'US; Indeed, Monster, SimplyHired, LinkedIn' -> 'on four US job boards (Indeed, Monster, SimplyHired,
    LinkedIn)'."""
    where, _, boards = segment.partition(";")
    names = [b.strip() for b in boards.split(",") if b.strip()]
    if not names:
        return f"in {segment}"
    counts = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return f"on {counts.get(len(names), str(len(names)))} {where.strip()} job boards ({', '.join(names)})"



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

    # -- the article's four signals, against the data known on the report's date --------------------------------
    def reproduction(self, evidence: Evidence) -> dict | None:
        """The article's four signals point by point, each as these data knew it on the report's date (an `--as-of`
        view shows only what had been published by then): job listings, NeurIPS papers under the rules it cited,
        Stack Overflow 2019 per population, and search interest. A finding for the headline section (role
        `article`), or None when the data hold none of the four."""
        points = [p for p in (self._jobs(evidence), self._research(evidence), self._surveys(evidence),
                              self._search(evidence)) if p is not None]
        if not points:
            return None
        day = evidence.report_date.isoformat()
        text = (f"The 2020 article's signals, as these data knew them on {day}: "
                + "; ".join(words for words, _ in points) + ".")
        return {"role": "article", "text": text, "figures": [f for _, figures in points for f in figures],
                "method_note": ("each point is read from the data known on the report's date, under the article's "
                                "own definitions (its job boards, Horace He's rules it cited, the survey year and "
                                "populations it quoted)"), "signals": [JOBS.name, RESEARCH.name, USAGE.name, SEARCH.name]}

    def _jobs(self, evidence: Evidence) -> tuple[str, list[dict]] | None:
        rows = evidence.observations[evidence.observations["metric"] == JOB_LISTINGS_RATIO_TEXT.name]
        rows = rows[rows["value_text"].notna()].sort_values("period_start")
        if rows.empty:
            return None
        last, first = rows.iloc[-1], rows.iloc[0]
        a, b = evidence.name(self.incumbent), evidence.name(self.challenger)
        words = (f"job listings: {a} {str(last['value_text']).strip()}x {b} {_boards(str(last['segment']))} "
                 f"({str(last['period_label'])[:10]})")
        figures = [evidence.figure("listing ratio", last["value_text"], "ratio (words)", last,
                                   period=last["period_label"], signal=JOBS.name)]
        if len(rows) >= 2 and first["period_label"] != last["period_label"]:
            words += f", down from {first['value_text']}x ({str(first['period_label'])[:7]})"
            figures.append(evidence.figure("listing ratio", first["value_text"], "ratio (words)", first,
                                           period=first["period_label"], signal=JOBS.name))
        return words, figures

    def _research(self, evidence: Evidence) -> tuple[str, list[dict]] | None:
        o = evidence.observations
        rows = o[(o["metric"] == PAPERS_MENTIONING_ONLY.name) & (o["segment"] == self.research_venue)
                 & (o["method"] == self.research_rules) & (o["period_label"].astype(str) == str(self.research_year))
                 & o["contender"].isin([self.challenger, self.incumbent])]
        counts = rows.set_index("contender")["value"] if not rows.empty else pd.Series(dtype=float)
        if self.challenger not in counts or self.incumbent not in counts:
            return None
        a, b = evidence.name(self.challenger), evidence.name(self.incumbent)
        rules = self.research_rules.rsplit("-", 2)[-2:]
        words = (f"research: {self.research_venue} {self.research_year}, {int(counts[self.challenger])} papers named "
                 f"only {a} and {int(counts[self.incumbent])} only {b} (Horace He's {'-'.join(rules)} rules)")
        figures = [evidence.figure(f"{evidence.name(c)} papers", int(counts[c]), "papers",
                                   rows[rows["contender"] == c].iloc[0], venue=self.research_venue,
                                   year=self.research_year, signal=RESEARCH.name)
                   for c in (self.challenger, self.incumbent)]
        return words, figures

    def _surveys(self, evidence: Evidence) -> tuple[str, list[dict]] | None:
        o = evidence.observations
        rows = o[(o["metric"] == STACKOVERFLOW_SURVEY.share) & (o["period_label"].astype(str) == str(self.survey_year))
                 & o["contender"].isin([self.incumbent, self.challenger]) & o["value"].notna()]
        parts, figures = [], []
        for population in self.survey_populations:
            mine = rows[rows["segment"].astype(str).str.lower().str.startswith(population)]
            values = mine.groupby("contender")["value"].first()
            if self.incumbent not in values or self.challenger not in values:
                continue
            parts.append(f"{values[self.incumbent]:.1f}% and {values[self.challenger]:.1f}% of {population}")
            figures += [evidence.figure(f"{evidence.name(c)} share", round(float(values[c]), 2), "% who answered",
                                        mine[mine["contender"] == c].iloc[0], segment=population,
                                        year=self.survey_year, signal=USAGE.name)
                        for c in (self.incumbent, self.challenger)]
        if not parts:
            return None
        a, b = evidence.name(self.incumbent), evidence.name(self.challenger)
        return f"surveys: Stack Overflow {self.survey_year}, {a} and {b} used by " + ", ".join(parts), figures

    def _search(self, evidence: Evidence) -> tuple[str, list[dict]]:
        o = evidence.observations
        series = o[(o["signal"] == SEARCH.name) & o["metric"].isin([m.name for m in CATALOGUE.of_signal(SEARCH.name)
                                                                      if m.kind == INDEX]) & o["value"].notna()]
        if series.empty:
            return ("search interest: no series in these data (no public copy of the article's three years of "
                    "Google Trends could be bundled; `mindshare trends collect` adds one)",
                    [{"name": "search interest series", "value": 0, "unit": "series", "signal": SEARCH.name}])
        first, last = pd.to_datetime(series["period_start"]).min(), pd.to_datetime(series["period_start"]).max()
        return (f"search interest: a series from {first:%Y-%m} to {last:%Y-%m} (see Search interest)",
                [{"name": "search interest readings", "value": int(len(series)), "unit": "readings",
                  "signal": SEARCH.name}])

    # the article's own definitions of its signals
    research_venue: str = "NeurIPS"
    research_year: int = 2019
    research_rules: str = "horace-he-2019-11"
    survey_year: int = 2019
    survey_populations: tuple[str, ...] = ("all respondents", "professional developers")

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
