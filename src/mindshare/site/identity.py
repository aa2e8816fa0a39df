"""A publish that would write nothing, known without making the site: the site's *identity* and what the last
publish left in the folder.

A publish's files are a function of (site.publish) the store's content, the store's name, the field (its
contenders), --base-url, --history, the day, the code that makes them (mindshare's files and the installed
packages: report.build.code_digest), and the site folder as it is: the permalinks its manifest lists (the history
reads each one's day, the archive lists them), each earlier permalink's `results.json` (its headline in the archive;
the newest earlier day's answer is "the last publish" beside each scoreboard row), the chart libraries earlier
permalinks load (`vega/`) and the files of today's permalink when there is one. The identity is a digest of all
but the folder; the store's content is its digest (report.build.store_digest), remembered beside what the file
system says of the store file, as a warm report remembers it, so that a quiet publish need not open the store.

After a publish has written, the cache keeps (`sites/`, under the folder's path) its identity, the permalink it
made, how many files it made, and what the folder then held of what a publish reads or writes: the manifest's
bytes, every file the publish made and each earlier permalink's `results.json` (size and SHA-256 of each; "absent"
for one that was not there). The other files of earlier permalinks are not read: a publish neither reads nor
rewrites them, so they change nothing it writes, and the check costs one publish's files however old the site is.

A publish of the same identity over a folder that still holds exactly that makes the same files (publishing again
is byte-identical: tests/test_site_publish.py), so it writes nothing and says so, without reading the store's
figures, importing pandas or rendering a page. Anything else (a file deleted or edited, the manifest changed, new
data, another option, another day, another version of mindshare) is a full publish, which repairs what it writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindshare.report import cache
from mindshare.report.build import code_digest
from mindshare.site.folder import MANIFEST, SiteFolder

if TYPE_CHECKING:
    from mindshare.fields import Field

FORMAT = "mindshare site identity 1"
SITES = "sites"        # the cache's folder of last publishes
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LastPublish:
    """What the last publish of an identity made: its permalink and how many files."""

    permalink: str
    files: int


def site_identity(store_digest: str, store_name: str, field: Field, *, base: str | None, months: int,
                  today: date) -> str:
    """A digest of everything a publish depends on but the site folder (see the module's docstring)."""
    parts = (FORMAT, code_digest(), store_digest, store_name, repr(field), base, months, today.isoformat())
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def unchanged(folder: SiteFolder, identity: str) -> LastPublish | None:
    """The last publish, when it had this identity and the folder holds what it left; None otherwise (or when the
    cache has no record: a publish must then make the site to know)."""
    record = _read(folder)
    if record is None or record.get("identity") != identity:
        return None
    held = record.get("held")
    if not isinstance(held, dict) or _manifest_sum(folder) != record.get("manifest"):
        return None
    if not all(isinstance(path, str) and _sum(folder, path) == value for path, value in held.items()):
        return None
    permalink, files = record.get("permalink"), record.get("files")
    if not isinstance(permalink, str) or not isinstance(files, int):
        return None
    return LastPublish(permalink, files)


def remember(folder: SiteFolder, identity: str, permalink: str, files: Mapping[str, bytes]) -> None:
    """Keep what a publish of `identity` left in `folder`, once `files` are written there."""
    entry = _entry(folder)
    if entry is None:
        return
    held: dict[str, Any] = {path: _sum_of(body) for path, body in files.items()}
    for path in _earlier_answers(folder.permalinks(), files):
        held[path] = _sum(folder, path)
    record = {"format": FORMAT, "identity": identity, "permalink": permalink, "files": len(files),
              "manifest": _manifest_sum(folder), "held": held}
    try:
        cache.write_atomically(entry, json.dumps(record, sort_keys=True).encode("utf-8"))
    except OSError:
        pass


def _earlier_answers(permalinks: Iterable[str], files: Mapping[str, bytes]) -> list[str]:
    """The results.json of every permalink the publish did not write: the only file of one a publish reads."""
    return [f"{name}/results.json" for name in permalinks if f"{name}/results.json" not in files]


# -- the record, in the cache ------------------------------------------------------------------------------------------
def _entry(folder: SiteFolder) -> Path | None:
    sites = cache.folder(SITES)
    if sites is None:
        return None
    key = hashlib.sha256(f"{FORMAT}\x1f{folder.path}".encode("utf-8")).hexdigest()[:32]
    return sites / f"{key}.json"


def _read(folder: SiteFolder) -> dict[str, Any] | None:
    record = cache.load_object(_entry(folder))
    return record if record is not None and record.get("format") == FORMAT else None


# -- what a file holds: [size, SHA-256], or None when it is not there ---------------------------------------------------
def _sum_of(body: bytes) -> list:
    return [len(body), hashlib.sha256(body).hexdigest()]


def _manifest_sum(folder: SiteFolder) -> list | None:
    return _sum(folder, MANIFEST)


def _sum(folder: SiteFolder, path: str) -> list | None:
    """[size, SHA-256] of the regular file at `path` in the folder; None when nothing is there; a link or a folder
    is ["other"], which matches no file's record."""
    target = folder.path / path
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError:
        return ["other"]
    if not stat.S_ISREG(found.st_mode):
        return ["other"]
    digest = hashlib.sha256()
    try:
        with open(target, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return ["other"]
    return [found.st_size, digest.hexdigest()]
