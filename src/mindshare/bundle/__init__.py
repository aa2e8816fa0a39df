"""The bundled dataset: real historical figures that ship with mindshare and load into a new store.

Files under `data/bundle/` are copies of published figures (`data/bundle/MANIFEST.toml` says where each came from,
when it became public, and what was decided about it). Each row becomes an observation that keeps its source,
reference and the source's own note. Figures given only in words ("nearly 3", "about half") are kept as notes:
value null, value_text the words. A figure known only from someone else's report says so at the start of its
reference ("Second-hand: ...", `data/bundle/second_hand.toml`).

What the newer datasets look like in the store (the analysis and the report select by these):

- Stack Overflow survey 2019-2024, "Other frameworks and libraries" (Stack Overflow's own published results):
  signal `usage`, source "Stack Overflow Developer Survey <year> (published results)" (a file recounted by
  `mindshare survey import` is "Stack Overflow Developer Survey <year>", method SURVEY_IMPORT), method "as
  published", the shape of `importers.surveys` — `so_survey_share` (% of those who answered, as published), `so_survey_count`, `so_survey_n`
  (the share's base) per option (subject "Torch/PyTorch", contender from the field's labels; NumPy, Pandas, ... kept
  with contender null) and segment ('all respondents', 'professional developers', and for 2023-2024 'learning to
  code', 'other coders'); `so_survey_respondents` `_answered` per segment. Period the fielding window, label the
  year, `published` the results day. Caveats are data: 2019-2020 counts are derived (round(% x n / 100)), 2021-2022
  bases are implied (count / %: the published total is not the base; `_total_respondents_field` keeps it), every
  note says which; 2022's professional figures disagree with the June 2022 live-site reading in facts.csv, and both
  rows' notes start with CONFLICT; 2025 is a `so_survey_note` ("no ML-frameworks question").
- Kaggle ML & DS survey 2019 and 2021, recounted from the raw files: the same shape with prefix `kaggle_survey`
  (segments 'all respondents' and 'data scientists'; `kaggle_survey_share_of_all` too), method
  `Methods.SURVEY_IMPORT` — exactly what `mindshare survey import` of the raw zip stores — reference the raw file.
- Hacker News "Who is hiring?" to 2026-07 (controlarm/hn-hiring-analysis): signal `jobs`, source
  "controlarm/hn-hiring-analysis", method HN_REGEX_METHOD, monthly: `job_posts` (subject `_posts`), and per term
  (PyTorch, TensorFlow, Deep learning, Machine learning, Transformer, LLM) `posts_matching` and
  `pct_of_posts_matching` — the quantities the ryanwi series (method HN_DICTIONARY_METHOD, to 2024-05) stores as
  `job_posts`/`_all_posts`, `posts_mentioning`, `pct_of_posts` (named apart: see hn_regex_observations).
  `published`: 2026-08-15 for the regex series, 2024-06-02 for ryanwi's (its recount of every month). How far
  the two may be joined is data: notes of metric `series_bridge` (subjects `_tensorflow_pytorch_ratio`,
  `_share_of_posts`, `_monthly_counts`) whose words start with BRIDGED or NOT BRIDGED.
"""

from __future__ import annotations

import hashlib
import importlib
from typing import TYPE_CHECKING, Any

from mindshare.bundle.files import BUNDLE_SOURCE, bundle_folder, manifest, second_hand
from mindshare.observations import SnapshotKind

if TYPE_CHECKING:
    from mindshare.store import SnapshotResult, Store

__all__ = ["BUNDLE_SOURCE", "bundle_digest", "bundle_folder", "ensure_bundle", "manifest", "second_hand"]

def ensure_bundle(store: Store) -> SnapshotResult | None:
    """Load the bundled dataset unless this exact version of it is already stored.

    The check reads a digest of the bundle's files recorded in the store's meta table, so an up-to-date
    store costs one query, not a re-parse of the files.
    """
    marker = f"bundle:{bundle_digest()}"
    if store.meta(marker) is not None:
        return None
    from mindshare import console
    from mindshare.bundle.rows import bundled_observations

    console.say("loading the bundled dataset into the store (its first use, or a new version of mindshare) ...")
    result = store.add_snapshot(bundled_observations(), kind=SnapshotKind.BUNDLED, source=BUNDLE_SOURCE,
                                description=f"bundled dataset {manifest()['version']}")
    store.set_meta(marker, result.snapshot_id)
    return result


def bundle_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(bundle_folder().rglob("*")):
        if not path.is_file():
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def __getattr__(name: str) -> Any:
    """Everything else (the row builders, their constants) lives in mindshare.bundle.rows, which imports pandas and
    the importers: it is loaded when first asked for, so that opening a store whose bundle is current costs one
    query and no import."""
    if name.startswith("__"):   # the import machinery's questions (__path__ is set; others are not ours)
        raise AttributeError(name)
    rows = importlib.import_module("mindshare.bundle.rows")
    try:
        return getattr(rows, name)
    except AttributeError:
        raise AttributeError(f"module 'mindshare.bundle' has no attribute {name!r}") from None
