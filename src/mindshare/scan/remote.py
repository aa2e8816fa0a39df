"""Documents and archives behind fsspec URLs (s3://, gs://, https://...): reading them, listing a folder of them,
and the storage options a run gives (`--storage-option requester_pays=true`).

Credentials never come from the command line: each worker's environment (AWS_ACCESS_KEY_ID and the like, or the
instance's role) is what fsspec's file systems read, so nothing secret travels with the work, reaches the store
or a log.
"""

from __future__ import annotations


def read(url: str, limit: int, storage_options: dict | None = None) -> bytes:
    """Up to `limit` bytes of the object at `url`. Raises OSError (a PermissionError for a refused access)."""
    import fsspec

    with fsspec.open(url, "rb", **(storage_options or {})) as handle:
        return handle.read(limit)
