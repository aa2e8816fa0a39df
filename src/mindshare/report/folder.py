"""The report's folder: where a report may be written, and how it replaces the previous one without touching
anything mindshare did not write.

- A report is written into a staging folder beside the destination (`.NAME.partial-HOST-PID-XXXX`, made with the
  user's umask) and moved into place only once complete, so a failed run leaves the previous report as it was.
- A report folder carries a manifest (`.mindshare-report.json`) listing every file mindshare wrote there. The
  destination must be new, empty, or such a report; any other folder is refused (it may be a thesis, not a
  report). A report from before manifests is recognised by its files (index.html, report.md, results.json naming
  a mindshare version, charts/ of images) and nothing else.
- Replacing a report moves the new files in one by one and deletes only the old report's own files that the new
  one does not have again; a file the user added to the folder stays. A file whose bytes are already there is left
  as it is (its time too), so writing the same report again changes nothing that rsync or git would see. The manifest is written first listing old
  and new files together, and last listing the new ones, so an interrupted run still knows what is mindshare's.
  The folder itself is never removed or renamed: a shell standing inside it stays where it was.
- Staging folders left by a run that was killed are removed by the next run to the same destination: their name
  carries the writer's host and process id, and a process that no longer exists on this host left them.

The site folder (site.folder) is written by the same rules and shares the helpers below: `writer_tag` and
`writer_gone` (whose leftovers may be swept), `remove_empty_parents`, and `refuse_file_on_the_way` (a destination
under a file is named as such, not as "File exists").
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, Mapping

from mindshare._version import __version__
from mindshare.errors import ReportError

MANIFEST = ".mindshare-report.json"
LEGACY_FILES = {"index.html", "report.md", "results.json", "charts"}
LEGACY_STALE_SECONDS = 3600   # a staging folder of a version without process ids, untouched this long, is stale


class ReportFolder:
    """The destination of a report: checked when made, written by `publish`."""

    def __init__(self, out: Path):
        self.path = Path(os.path.abspath(Path(out).expanduser()))
        try:
            refuse_file_on_the_way(self.path, self.error)
            self.previous = self._previous_files()
        except OSError as exc:   # a folder it may not list, say
            raise self.error(exc.strerror or str(exc)) from None

    # -- checking -------------------------------------------------------------------------------------------
    def _previous_files(self) -> set[str] | None:
        """The files of the report already there; None when there is no folder yet. Refuses any other folder."""
        path = self.path
        if not path.exists():
            return None
        if not path.is_dir():
            raise self.error("it is a file, not a folder")
        entries = {entry.name for entry in path.iterdir()}
        if MANIFEST in entries:
            return self._manifest_files()
        if not entries:
            return set()
        legacy = self._legacy_files(entries)
        if legacy is None:
            raise self.error("the folder is not empty and is not a mindshare report (it has no "
                             f"{MANIFEST}); choose a new or empty folder: mindshare never deletes files it did not "
                             "write")
        return legacy

    def _manifest_files(self) -> set[str]:
        try:
            files = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))["files"]
            if not isinstance(files, list) or not all(isinstance(f, str) and _safe(f) for f in files):
                raise ValueError
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise self.error(f"its {MANIFEST} cannot be read, so what mindshare wrote there is unknown; remove the "
                             "folder yourself or choose another") from None
        return set(files)

    def _legacy_files(self, entries: set[str]) -> set[str] | None:
        """A report written before manifests: exactly its own files, and results.json says mindshare wrote it."""
        if not entries <= LEGACY_FILES or "results.json" not in entries:
            return None
        try:
            document = json.loads((self.path / "results.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(document, dict) or "mindshare_version" not in document:
            return None
        files = {name for name in entries - {"charts"} if (self.path / name).is_file()}
        charts = self.path / "charts"
        if charts.exists():
            if not charts.is_dir() or any(not (p.is_file() and p.suffix in (".png", ".svg")) for p in charts.iterdir()):
                return None
            files |= {f"charts/{p.name}" for p in charts.iterdir()}
        return files

    def error(self, why: str) -> ReportError:
        return ReportError(f"cannot write the report to {self.path}: {why}")

    # -- writing --------------------------------------------------------------------------------------------
    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A new staging folder beside the destination (its parent created if need be); removed afterwards."""
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_stale_staging(parent, self.path.name)
            folder = parent / f".{self.path.name}.partial-{writer_tag()}-{secrets.token_hex(3)}"
            folder.mkdir()    # mode 0777 less the umask, like any folder the user makes
        except OSError as exc:
            raise self.error(exc.strerror or str(exc)) from None
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def holds(self, files: Mapping[str, Path]) -> bool:
        """Whether the folder is already exactly the report made of `files` (name in the folder -> a file with its
        bytes): its manifest lists just these and each has the same bytes, so writing them would change nothing."""
        return self.previous == set(files) and all(same_bytes(self.path / name, source)
                                                   for name, source in files.items())

    def publish(self, staging: Path) -> None:
        """Move the finished report in `staging` into place."""
        written = sorted(_files_under(staging))
        if self.previous is None:
            _write_manifest(staging, written)
            os.replace(staging, self.path)
            return
        foreign = [name for name in written if name not in self.previous and (self.path / name).exists()]
        if foreign:
            raise self.error(f"{foreign[0]} is already there and mindshare did not write it; move it away first")
        _write_manifest(self.path, sorted(self.previous | set(written)))
        for name in written:
            target = self.path / name
            if same_bytes(target, staging / name):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
        for name in sorted(self.previous - set(written)):
            (self.path / name).unlink(missing_ok=True)
            remove_empty_parents(self.path / name, self.path)
        _write_manifest(self.path, written)


def remove_stale_staging(parent: Path, name: str) -> list[Path]:
    """Remove the staging folders of `name` in `parent` whose writer is gone; return them."""
    ours = re.compile(rf"^\.{re.escape(name)}\.partial-([0-9a-f]{{8}})-(\d+)-[0-9a-f]+$")
    legacy = re.compile(rf"^\.{re.escape(name)}\.partial-[a-z0-9_]{{8}}(\.old)?$")   # before process ids
    removed = []
    for entry in parent.iterdir():
        match = ours.match(entry.name)
        if match:
            stale = writer_gone(match.group(1), int(match.group(2)))
        else:
            stale = bool(legacy.match(entry.name)) and _age(entry) > LEGACY_STALE_SECONDS
        if stale and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _files_under(folder: Path) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST]


def _write_manifest(folder: Path, files: list[str]) -> None:
    text = json.dumps({"written_by": f"mindshare {__version__}", "files": files}, indent=1)
    try:
        if (folder / MANIFEST).read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    temporary = folder / f"{MANIFEST}.{os.getpid()}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)


def same_bytes(path: Path, other: Path) -> bool:
    """Whether `path` is a file (not a link) holding exactly the bytes of `other`."""
    try:
        return path.is_file() and not path.is_symlink() and filecmp.cmp(path, other, shallow=False)
    except OSError:
        return False


def _safe(name: str) -> bool:
    """A manifest entry names a file inside the folder: relative, no '..', not the manifest."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name \
        and name != MANIFEST


def writer_tag() -> str:
    """`HOST-PID` of this process, for the name of a file or folder it is writing (HOST: a digest of the host name,
    which need not be shown to whoever reads the folder)."""
    return f"{_host()}-{os.getpid()}"


def writer_gone(host: str, pid: int) -> bool:
    """Whether the writer `HOST-PID` named in a leftover's name is a process of this host that no longer exists
    (a writer on another host may still be running: its leftovers are left alone)."""
    return host == _host() and not _alive(pid)


def remove_empty_parents(path: Path, root: Path) -> None:
    """Remove the folders between `path` and `root` (not `root`) that are left empty."""
    for parent in path.parents:
        if parent == root or root not in parent.parents:
            return
        try:
            parent.rmdir()
        except OSError:
            return


def refuse_file_on_the_way(path: Path, error: Callable[[str], Exception]) -> None:
    """Raise `error(why)` when `path` or a folder it should lie in is a file: the one line says which (mkdir would
    only say "File exists", or "Not a directory")."""
    for ancestor in (path, *path.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if ancestor != path and not ancestor.is_dir():
                raise error(f"{ancestor} is a file, not a folder, so nothing can be written under it")
            return


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0
