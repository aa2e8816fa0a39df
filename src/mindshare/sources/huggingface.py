"""Hugging Face Hub: models per library tag (pytorch, tf, jax, keras, ...) and how much the tags overlap.

The Hub API's model listing (`/api/models`) pages through models without a total, and a library like pytorch
has hundreds of thousands of them; so the count comes from the Hub's own model-listing endpoint,
`GET https://huggingface.co/models-json?library={tag}&withCount=true`, which answers `{"models": [...],
"numItemsPerPage": 30, "numTotalItems": N, "pageIndex": 0}` (what huggingface.co/models?library=pytorch shows
as its count). Every client seen that reads `numTotalItems` sends `withCount=true`, and one types the count as
optional: without it, a first page holding fewer models than a page is itself the count (said in the note);
otherwise its absence is an error, never a zero. It is not part of the documented Hub API, so a change of
format is reported as schema drift, clearly. No real recording of it exists: the tests' answers are built from
this shape.

A model can carry several library tags (a checkpoint exported for PyTorch and TensorFlow), so the counts
overlap and do not add up: for each pair of tags the source also asks for models carrying both
(`library=a,b`, the listing's AND) and stores `models_overlap` with subject `a+b`.
"""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import BearerToken, Limit, Provider
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require

LISTING = "https://huggingface.co/models-json"


def listing_params(tags: str) -> dict[str, str]:
    return {"library": tags, "withCount": "true"}


class HuggingFaceSource(Source):
    name = "huggingface"
    title = "Hugging Face Hub"
    provider = Provider(
        "huggingface", "Hugging Face Hub API", "huggingface.co",
        # Hub APIs: 500 requests per 5-minute window anonymous, 1,000 for a signed-in free user.
        limit=Limit(per_second=500 / 300, burst=50, concurrency=4),
        limit_with_credentials=Limit(per_second=1000 / 300, burst=100, concurrency=4),
        credential=BearerToken("HF_TOKEN"),
        limits_doc="https://huggingface.co/docs/hub/rate-limits",
        hint="set HF_TOKEN (a read token) for twice the anonymous rate limit")
    signal = "models"
    source = "huggingface.co"
    method = "hf-models-json-v1"
    identifier = "huggingface_library"
    metrics = (catalogue.MODELS_COUNT, catalogue.MODELS_OVERLAP)
    measures = "models on the Hub per library tag, and the overlap of each pair of tags"

    def _jobs(self, contenders: list[Contender]) -> list[tuple]:
        contenders = self.eligible(contenders)
        jobs = [((c,), c.huggingface_library) for c in contenders]
        jobs += [((a, b), f"{a.huggingface_library},{b.huggingface_library}") for a, b in combinations(contenders, 2)]
        return jobs

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [Call(self.provider, LISTING, listing_params(tags), "models with " + " and ".join(tags.split(",")))
                for _, tags in self._jobs(contenders)]

    def collect(self, run: Run) -> pd.DataFrame:
        jobs = self._jobs(run.contenders)
        run.set_total(len(jobs))

        def fetch(job):
            members, tags = job
            data, fetched = run.http.fetch_json(self.provider, LISTING, listing_params(tags))
            total, counted = self._count(data, f"{LISTING}?library={tags}&withCount=true")
            run.advance(1)
            day = fetched.date()
            both = len(members) == 2
            return self.observation(
                contender=None if both else members[0], subject=tags.replace(",", "+"),
                metric="models_overlap" if both else "models", value=total, period_start=day, period_end=day,
                period_label=f"{day:%Y-%m-%d}", unit="models", reference=f"{LISTING}?library={tags}",
                query=f"models tagged with library {' and '.join(tags.split(','))}", collected_at=fetched,
                note="; ".join(filter(None, [
                    "models carrying both tags; the per-tag counts include them twice" if both else
                    "a model can carry several library tags; see models_overlap", counted])))

        return pd.DataFrame(run.map(self.provider, fetch, jobs))

    def _count(self, data, url: str) -> tuple[int, str]:
        """numTotalItems; without it, the models of a first page that is not full (then they are all). An empty
        page without a count is an error: it cannot tell "no models" from a listing that failed."""
        if isinstance(data, dict) and isinstance(data.get("numTotalItems"), int):
            return data["numTotalItems"], ""
        models = require(data, "models", self, url, list)
        per_page = data.get("numItemsPerPage")
        if models and data.get("pageIndex", 0) == 0 and isinstance(per_page, int) and len(models) < per_page:
            return len(models), "counted from the listing (no numTotalItems; fewer models than one page)"
        raise self.schema_error("'numTotalItems' although withCount=true was sent, and more models than one "
                                "page, so they cannot be counted", url)
