"""Hugging Face Hub: models per library tag (pytorch, tf, jax, keras, ...) and how much the tags overlap.

The Hub API's model listing (`/api/models`) pages through models without a total, and a library like pytorch
has hundreds of thousands of them; so the count comes from the Hub's own model-listing endpoint,
`GET https://huggingface.co/models-json?library={tag}`, which answers `{"models": [...], "numItemsPerPage": 30,
"numTotalItems": N, "pageIndex": 0}` (what huggingface.co/models?library=pytorch shows as its count). It is not
part of the documented Hub API, so a change of format is reported as schema drift, clearly.

A model can carry several library tags (a checkpoint exported for PyTorch and TensorFlow), so the counts
overlap and do not add up: for each pair of tags the source also asks for models carrying both
(`library=a,b`, the listing's AND) and stores `models_overlap` with subject `a+b`.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pandas as pd

from mindshare.fields import Contender
from mindshare.sources.base import Call, Run, Source, require

LISTING = "https://huggingface.co/models-json"


class HuggingFaceSource(Source):
    name = "huggingface"
    title = "Hugging Face Hub"
    provider = "huggingface"
    signal = "models"
    source = "huggingface.co"
    method = "hf-models-json-v1"
    identifier = "huggingface_library"
    measures = "models on the Hub per library tag, and the overlap of each pair of tags"

    def _jobs(self, contenders: list[Contender]) -> list[tuple]:
        contenders = self.eligible(contenders)
        jobs = [((c,), c.huggingface_library) for c in contenders]
        jobs += [((a, b), f"{a.huggingface_library},{b.huggingface_library}") for a, b in combinations(contenders, 2)]
        return jobs

    def plan(self, contenders: list[Contender], since: date, today: date) -> list[Call]:
        return [Call(self.provider, LISTING, {"library": tags}, "models with " + " and ".join(tags.split(",")))
                for _, tags in self._jobs(contenders)]

    def collect(self, run: Run) -> pd.DataFrame:
        jobs = self._jobs(run.contenders)
        run.set_total(len(jobs))

        def fetch(job):
            members, tags = job
            data, fetched = run.http.fetch_json(self.provider, LISTING, {"library": tags})
            total = require(data, "numTotalItems", self, LISTING, int)
            run.advance(1)
            day = fetched.date()
            both = len(members) == 2
            return self.observation(
                contender=None if both else members[0], subject=tags.replace(",", "+"),
                metric="models_overlap" if both else "models", value=total, period_start=day, period_end=day,
                period_label=f"{day:%Y-%m-%d}", unit="models", reference=f"{LISTING}?library={tags}",
                query=f"models tagged with library {' and '.join(tags.split(','))}", collected_at=fetched,
                note=("models carrying both tags; the per-tag counts include them twice" if both else
                      "a model can carry several library tags; see models_overlap"))

        return pd.DataFrame(run.map(self.provider, fetch, jobs))
