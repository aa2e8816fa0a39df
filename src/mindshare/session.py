"""A session: the store, with the bundled dataset in it. The one way the CLI and the Python API open a store.

The store itself knows nothing of the bundle (`mindshare.store` opens a DuckDB file; `mindshare.bundle` reads
the shipped CSVs); this joins them. The bundle is loaded on first use and again only when the shipped files
change (one query tells). A store opened read-only is served as it is: a read-only store that predates the
current bundle still answers, with the bundle it has.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from mindshare import settings as settings_module
from mindshare.settings import Settings
from mindshare.store import Store, discard_if_empty, open_store


def open_session(db: str | Path | None = None, *, settings: Settings | None = None, read_only: bool | None = False,
                 bundle: bool = True) -> Store:
    """The store at `db` (default: the settings' store), with the bundled dataset loaded unless `bundle=False`.

    `settings`: the command's or call's one Settings (default: `mindshare.settings.load()`); it gives the store
    path when `db` is not given, and how long to wait for a store another process holds.
    `read_only=None`: write when the file can be written, else read what is there. A store created by this call
    whose bundle could not be loaded (a full disk) is removed again: a first run leaves a whole store or none.
    """
    config = settings or settings_module.load()
    path = Path(db).expanduser() if db else config.store_path
    existed = path.exists()
    store = open_store(path, read_only=read_only, settings=config)
    if bundle and not store.read_only:
        from mindshare.bundle import ensure_bundle

        try:
            ensure_bundle(store)
        except BaseException:
            store.close()
            if not existed:  # unless another process has filled it meanwhile (a first run on two checkouts)
                discard_if_empty(path)
            raise
    return store


@contextmanager
def session(db: str | Path | None = None, **kwargs) -> Iterator[Store]:
    """`open_session` as a context manager: the store is closed afterwards."""
    store = open_session(db, **kwargs)
    try:
        yield store
    finally:
        store.close()
