"""`mindshare publish --contenders` for technologies the store has not collected: the site reads the store joined with
the bundled history of those contenders (mindshare.overlay), as `mindshare report --contenders` does, so it has an
answer where the store alone has none ("polars or pandas?" on a store holding only the bundled dataset)."""

from __future__ import annotations

import json
import shutil
from datetime import date

from site_steps import publish_on


def test_a_site_for_contenders_only_the_history_covers(tmp_path, bundled_store_path):
    db, site = tmp_path / "store.duckdb", tmp_path / "site"
    shutil.copy(bundled_store_path, db)
    publish_on(db, site, date(2026, 12, 1), "--contenders", "polars,pandas", "--history", "2")
    answer = json.loads((site / "data" / "answer.json").read_text(encoding="utf-8"))
    text = json.dumps(answer)
    assert "polars" in text.lower() and "pandas" in text.lower()
    assert "PyPI" in text   # the history's downloads: the store alone holds none for them
