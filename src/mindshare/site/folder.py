"""The site's folder: what `mindshare publish` may write there, and how a new publish is laid over the last one.

- A site folder carries a manifest (`.mindshare-site.json`) listing every file mindshare wrote there. The folder
  must be new, empty, or such a site: any other folder is refused, a report folder too (`report --out` and
  `publish` keep apart, so neither deletes the other's files).
- Permalinks (`SITE/<YYYY-MM-DD>/`, and `<YYYY-MM-DD>-2/`... for a second, different publish on one day) are
  written once and never rewritten nor deleted: a publish that would change a byte of one is refused. The
  manifest names the permalinks that were completed; one a killed publish left half-written may be written again.
- Every other file mindshare wrote is replaced by the new publish; one the new publish no longer has is removed;
  a file the user added stays, and a file mindshare did not write is never overwritten.
- A file whose bytes are already there is not touched (its time stays too), and the manifest is rewritten only
  when the list changes: publishing again with no new data changes nothing, so rsync and git see no change.
- Each file is written to a temporary file beside it and moved into place, so a reader never sees half a file;
  the manifest is written first listing old and new files together and last listing what is now there, so an
  interrupted publish still knows what is mindshare's. Temporary files a killed publish left are swept by the
  next one.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from mindshare.errors import ReportError
from mindshare.report.folder import refuse_file_on_the_way, remove_empty_parents, writer_gone, writer_tag

MANIFEST = ".mindshare-site.json"
REPORT_MANIFEST = ".mindshare-report.json"   # report.folder's: a report folder is not a site
PERMALINK = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-(\d+))?$")
_TEMPORARY = re.compile(r"^\..+\.mindshare-([0-9a-f]{8})-(\d+)-[0-9a-f]+\.tmp$")


@dataclass
class Written:
    """What a publish did, path by path."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def is_permalink(path: str) -> bool:
    """Whether `path` (relative to the site's root) lies in a permalink folder."""
    top = PurePosixPath(path).parts[0] if path else ""
    return bool(PERMALINK.match(top)) and "/" in path


class SiteFolder:
    """The destination of a site: checked when made, written by `write`."""

    def __init__(self, path: Path):
        self.path = Path(os.path.abspath(Path(path).expanduser()))
        try:
            refuse_file_on_the_way(self.path, self.error)
            self.previous = self._previous_files()
        except OSError as exc:
            raise self.error(exc.strerror or str(exc)) from None

    def error(self, why: str) -> ReportError:
        return ReportError(f"cannot publish the site to {self.path}: {why}")

    # -- checking -------------------------------------------------------------------------------------------
    def _previous_files(self) -> set[str]:
        """The files mindshare wrote there (none for a new or empty folder); refuses any other folder."""
        self.published: set[str] = set()
        if not self.path.exists():
            return set()
        if not self.path.is_dir():
            raise self.error("it is a file, not a folder")
        entries = {entry.name for entry in self.path.iterdir()}
        if MANIFEST in entries:
            return self._manifest_files()
        if REPORT_MANIFEST in entries:
            raise self.error("it holds a mindshare report (report --out), not a site; publish to another folder")
        if entries - {p.name for p in self._temporaries()}:
            raise self.error(f"the folder is not empty and is not a mindshare site (it has no {MANIFEST}); "
                             "choose a new or empty folder: mindshare never deletes files it did not write")
        return set()

    def _manifest_files(self) -> set[str]:
        try:
            manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
            files, published = manifest["files"], manifest["permalinks"]
            if not isinstance(files, list) or not all(isinstance(f, str) and _safe(f) for f in files) \
                    or not isinstance(published, list) or not all(isinstance(p, str) and PERMALINK.match(p)
                                                                  for p in published):
                raise ValueError
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise self.error(f"its {MANIFEST} cannot be read, so what mindshare wrote there is unknown; remove the "
                             "folder yourself or choose another") from None
        self.published = set(published)
        return set(files)

    def is_published(self, path: str) -> bool:
        """Whether `path` lies in a permalink that a finished publish wrote."""
        return is_permalink(path) and PurePosixPath(path).parts[0] in self.published

    def permalinks(self) -> list[str]:
        """The permalink folders already published, oldest first."""
        return sorted(self.published, key=_permalink_order)

    def permalink_for(self, day: date, files: Mapping[str, bytes] | Callable[[str], Mapping[str, bytes]]) -> str:
        """The folder a publish of `day` with `files` (relative to the permalink) goes to: `<day>` when new or
        holding exactly these bytes, else the first `<day>-N` that is (an earlier publish that day keeps its
        own). `files` may be a function of the folder's name, for pages that name their own address."""
        n = 1
        while True:
            name = day.isoformat() if n == 1 else f"{day.isoformat()}-{n}"
            if name not in self.published:
                return name
            wanted = files(name) if callable(files) else files
            mine = {f[len(name) + 1:] for f in self.previous if f.startswith(name + "/")}
            if mine == set(wanted) and all(self._same(f"{name}/{f}", wanted[f]) for f in wanted):
                return name
            n += 1

    # -- writing --------------------------------------------------------------------------------------------
    def write(self, files: Mapping[str, bytes]) -> Written:
        """Lay `files` (path relative to the root -> bytes: the whole site but the older permalinks, which stay)
        over the folder."""
        for name in files:
            if not _safe(name):
                raise self.error(f"{name!r} is not a path inside the site")
        done = Written()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._sweep_temporaries()
            plan = self._plan(files, done)
            kept = {f for f in self.previous if is_permalink(f)} | set(files)
            published = self.published | {PurePosixPath(f).parts[0] for f in files if is_permalink(f)}
            self._manifest(sorted(self.previous | set(files)), self.published)
            for name in plan:
                self._write_file(name, files[name])
                done.written.append(name)
            for name in sorted(self.previous - kept):
                (self.path / name).unlink(missing_ok=True)
                remove_empty_parents(self.path / name, self.path)
                done.removed.append(name)
            self._manifest(sorted(kept), published)
        except OSError as exc:
            raise self.error(exc.strerror or str(exc)) from None
        self.previous, self.published = kept, published
        return done

    def _plan(self, files: Mapping[str, bytes], done: Written) -> list[str]:
        """The files to write, after every check has passed (nothing is written when one fails)."""
        plan = []
        for name in sorted(files):
            target = self.path / name
            if name not in self.previous and (target.exists() or target.is_symlink()):
                raise self.error(f"{name} is already there and mindshare did not write it; move it away first")
            if self._same(name, files[name]):
                done.unchanged.append(name)
                continue
            if name in self.previous and self.is_published(name):
                raise self.error(f"{name} is a published permalink and permalinks are never rewritten")
            plan.append(name)
        return plan

    def _same(self, name: str, data: bytes) -> bool:
        target = self.path / name
        try:
            return target.is_file() and not target.is_symlink() and target.stat().st_size == len(data) \
                and target.read_bytes() == data
        except OSError:
            return False

    def _write_file(self, name: str, data: bytes) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.parent / f".{target.name}.mindshare-{writer_tag()}-{secrets.token_hex(3)}.tmp"
        try:
            with open(temporary, "xb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    def _manifest(self, files: list[str], published: set[str]) -> None:
        text = json.dumps({"written_by": "mindshare", "permalinks": sorted(published, key=_permalink_order),
                           "files": files}, indent=1) + "\n"
        if (self.path / MANIFEST).is_file() and (self.path / MANIFEST).read_text(encoding="utf-8") == text:
            return
        self._write_file(MANIFEST, text.encode("utf-8"))

    def _temporaries(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return [p for p in self.path.rglob(".*.tmp") if _TEMPORARY.match(p.name)]

    def _sweep_temporaries(self) -> None:
        """Remove the temporary files of publishes on this host whose process is gone."""
        for path in self._temporaries():
            match = _TEMPORARY.match(path.name)
            if match and writer_gone(match.group(1), int(match.group(2))):
                path.unlink(missing_ok=True)


def _permalink_order(name: str) -> tuple[str, int]:
    match = PERMALINK.match(name)
    return (match.group(1), int(match.group(2) or 1)) if match else (name, 0)


def _safe(name: str) -> bool:
    """A path inside the folder: relative, no '..', no backslash, not the manifest."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name \
        and name != MANIFEST and not name.endswith("/") and "" not in name.split("/")
