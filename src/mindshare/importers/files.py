"""What every file importer needs before and while it parses a file.

- `checked_file`: the path is a readable, non-empty file (a folder, a missing file and an empty one are each
  said as such).
- `csv_in`: the CSV to read — the file itself, or the answers CSV copied out of a zip (streamed, bounded
  memory) — checked to be UTF-8 throughout (UTF-16, Latin-1 and a zip cut short are refused, with the line of
  the first bad byte, before DuckDB sees them).
- `header_of`, `connect`, `read_csv`: the header's names (read once, each name once), and DuckDB's reader told
  that layout, every column as text.
- `csv_records`: Python's CSV reader over a small file (the job counts), each record with the line it starts on;
  what that reader cannot read (a field over its 128 KiB limit) is one line naming where, as for a header.
- `duckdb_problem`: DuckDB's error as one line in the user's words, with the line number where DuckDB gave one
  (its hints about `ignore_errors` and encodings are for programmers, not for someone importing a survey).
- `sha256_of`, `file_time`: the file's identity in the store (its hash, and its own time as `collected_at`, so
  importing the same file twice stores it once).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

from mindshare.errors import InputError

MEMORY_LIMIT = "512MB"
_SNIFF_BYTES = 1 << 16
_BLOCK = 1 << 20
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")


def checked_file(path: Path, what: str = "the file itself") -> Path:
    """`path` if it is a non-empty file; an InputError saying what it is otherwise."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file; give {what}")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except PermissionError:
        raise InputError(f"{path}: cannot be read (permission denied)") from None
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    return path


def text_problem(head: bytes) -> str | None:
    """What is wrong with text that starts with `head` for a UTF-8 reader, or None.

    UTF-16 (Excel's "Unicode text", PowerShell's default) starts with a byte-order mark or, without one, has
    a zero byte beside every ASCII letter; UTF-8 text never holds a zero byte.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 8:
        return "UTF-16 text, not UTF-8: save it as UTF-8 (CSV UTF-8 in Excel) and import it again"
    if b"\x00" in head:
        return "binary data, not a CSV text file"
    return None


class Utf8Check:
    """Fed a file's bytes block by block, raises InputError at the first byte that is not UTF-8, naming its line.

    DuckDB checks only the columns a query reads, so a file re-saved as Latin-1 would pass with its other
    columns unread; the whole file is checked instead (a C-speed decode, a small part of the import's time)."""

    def __init__(self, shown: str):
        self.shown = shown
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.lines = 1
        self.first = True

    def feed(self, block: bytes, final: bool = False) -> None:
        if self.first:
            self.first = False
            problem = text_problem(block[:_SNIFF_BYTES])
            if problem:
                raise InputError(f"{self.shown}: {problem}")
        try:
            self.decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            line = self.lines + block[: max(exc.start, 0)].count(b"\n")
            raise InputError(f"{self.shown}, line {line}: bytes that are not UTF-8 (the survey files are UTF-8; "
                             f"was it re-saved in another encoding?)") from None
        self.lines += block.count(b"\n")


def _refuse_bad_text(path: Path, shown: str) -> None:
    check = Utf8Check(shown)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            check.feed(block)
    check.feed(b"", final=True)


@contextmanager
def csv_in(path: Path, wanted: tuple[str, ...] = (), elsewhere: dict[str, str] | None = None) -> Iterator[Path]:
    """The CSV to read: `path` itself, or the CSV in a zip whose name is one of `wanted` (lower case).

    A zip with exactly one CSV besides schemas needs no `wanted`; `elsewhere` maps the answers files of other
    importers to what to say when the zip holds one of those instead. The CSV is copied out to a temporary
    folder (removed afterwards), because DuckDB reads files, not zip members.
    """
    checked_file(path, "the zip or the CSV in it")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            if handle.read(4) == b"PK\x03\x04":
                raise InputError(f"{path}: a damaged or truncated zip (no central directory); download it again")
        _refuse_bad_text(path, str(path))
        yield path
        return
    try:
        with zipfile.ZipFile(path) as archive:
            member = _answers_member(archive, path, wanted, elsewhere or {})
            with tempfile.TemporaryDirectory(prefix="mindshare-import-") as folder:
                target = Path(folder) / Path(member.filename).name
                check = Utf8Check(f"{path} ({member.filename})")
                with archive.open(member) as source, target.open("wb") as sink:
                    for block in iter(lambda: source.read(_BLOCK), b""):
                        check.feed(block)
                        sink.write(block)
                if target.stat().st_size == 0:
                    raise InputError(f"{path}: {member.filename} inside the zip is empty")
                check.feed(b"", final=True)
                yield target
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"{path}: a damaged or truncated zip ({exc}); download it again") from None


def _answers_member(archive: zipfile.ZipFile, path: Path, wanted: tuple[str, ...],
                    elsewhere: dict[str, str]) -> zipfile.ZipInfo:
    csvs = [m for m in archive.infolist() if m.filename.lower().endswith(".csv") and not m.is_dir()]
    named = [m for m in csvs if Path(m.filename).name.lower() in wanted]
    other = next((elsewhere[n] for n in (Path(m.filename).name.lower() for m in csvs) if n in elsewhere), None)
    if not named and other:
        raise InputError(f"{path}: {other}")
    chosen = named or [m for m in csvs if "schema" not in Path(m.filename).name.lower()]
    if len(chosen) != 1:
        names = ", ".join(m.filename for m in csvs) or "none"
        looked_for = f" (looked for {' or '.join(wanted)})" if wanted else ""
        raise InputError(f"{path}: cannot tell which CSV in the zip holds the answers{looked_for}; CSV files in "
                         f"it: {names}. Unzip it and give the answers CSV itself")
    return chosen[0]


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def header_of(csv_path: Path, shown: Path | str) -> list[str]:
    """The header line's column names (Python's csv module: the first record, a UTF-8 byte-order mark dropped).

    A header naming one column twice is refused (two files pasted side by side: a reader would rename the second
    copy and count one of them silently)."""
    with csv_path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = next((values for _, values in csv_records(handle, shown)), [])
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(f"{shown}, line 1: the header names the column {name!r} twice; "
                             f"a survey file names each column once (two files joined side by side?)")
        seen.add(name)
    return header


def csv_records(lines: Iterable[str], shown: Path | str) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, its fields) for each record of CSV text (`lines`: an open file or a StringIO,
    opened with newline=""), read by Python's csv module. A record it cannot read is an InputError naming the
    line: a field longer than the module's limit (128 KiB, far past any real value: a quote left open swallows
    the rest of the file into one field) or any other csv.Error."""
    reader = csv.reader(lines)
    line = 0
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{shown}, line {start}: {_csv_problem(exc)}") from None
        line = reader.line_num
        yield start, values


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a field longer than {csv.field_size_limit():,} characters, more than any value of the file "
                f"should hold (a quote left open, or not a CSV of this kind?)")
    return f"cannot read it as CSV ({exc})"


def read_csv(csv_path: Path, header: list[str]) -> str:
    """DuckDB's reader of `csv_path`, told the layout rather than left to guess it (a guess fails on a damaged
    last line, and costs a sampling pass): comma-separated, RFC 4180 quotes, the header's columns all as text
    (the answers are strings, and typing a few hundred columns would only cost time)."""
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
    return (f"read_csv({literal(str(csv_path))}, header = true, auto_detect = false, columns = {{{columns}}}, "
            f"delim = ',', quote = '\"', escape = '\"')")


def duckdb_problem(shown: Path | str, exc: duckdb.Error) -> InputError:
    """DuckDB's error while reading `shown`, as one line: where (line N when DuckDB knows it) and what."""
    text = str(exc)
    line = _DUCKDB_LINE.search(text)
    where = f"{shown}, line {line.group(1)}" if line else str(shown)
    low = text.lower()
    if "invalid unicode" in low or "not utf-8 encoded" in low:
        what = "bytes that are not UTF-8 (the survey files are UTF-8; was it re-saved in another encoding?)"
    elif "expected number of columns" in low or "too many columns" in low or "columns" in low and "found" in low:
        what = "a row with a different number of fields than the header (a file cut short, or two files joined?)"
    elif "unterminated quote" in low or "quote" in low and "value" in low:
        what = "a quoted field that never ends (a file cut short?)"
    elif "sniff" in low or "dialect" in low:
        what = "cannot read it as a comma-separated file (is it a CSV?)"
    else:
        what = re.sub(r"^[A-Za-z ]*Error: ", "", text.strip().splitlines()[0] if text.strip() else type(exc).__name__)
    return InputError(f"{where}: {what}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_time(path: Path) -> datetime:
    """The file's modification time (UTC, whole seconds): the `collected_at` of what is imported from it."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None, microsecond=0)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
