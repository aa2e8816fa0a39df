"""Any technologies, compared: names in, an answer out. `mindshare compare`, `report --contenders` and
`mindshare.compare()` all start here.

    from mindshare.comparison import compare
    result = compare(["polars", "pandas"])          # offline: the bundled history and the store
    result.answer["findings"][0]["text"]            # the headline
    result.scoreboard                               # one row per signal, as the report's answer has it

How names become a comparison:

1. each name is checked (letters, digits, spaces and . + # @ / - _ only; 2 to MAX_NAMES of them, each once) and
   resolved (`mindshare.resolve`: offline from the bundled index, online too with `online=True`); a name found
   nowhere stops the run with one line saying how to pin it; a name that is two things goes on with what is not
   in doubt, and its one line says what to pin;
2. a name that is a contender of a shipped (or the user's) field takes that contender: its id, name, colour and
   identities (`fastapi` is the web-frameworks field's FastAPI; `torch` is the deep-learning field's PyTorch, whose
   bundled rows carry the id `pytorch`), what resolution found filling what the field leaves out; a pinned name
   (`--as`) is the pin alone;
3. the contenders make a field of their own (`comparison_field`), whose survey question is the one most of them
   are offered in (a share of web-framework users and a share of database users are never compared);
4. the store (if there is one: a compare of contenders the bundled dataset does not cover never creates it) is
   joined with the bundled history of just these contenders (`mindshare.overlay`), and the answer is the analysis
   the report runs (`analysis.answer`), over the same rows.

A warm compare (the same names, store, history and code as a run before, on the same day) is read from the answer
cache without importing pandas, DuckDB or the analysis: `cached(...)` looks for it by a key made of those, checked
with `os.stat` alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindshare import _version
from mindshare.errors import InputError

if TYPE_CHECKING:
    from mindshare.fields import Contender, Field
    from mindshare.http import Http
    from mindshare.resolve import Pin, Resolution
    from mindshare.settings import Settings
    from mindshare.store import Store

MIN_NAMES, MAX_NAMES = 2, 12
CACHE_VERSION = 1
# Colours for contenders no field gives one (Tableau 10, as the deep-learning field's are)
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d",
           "#bab0ac", "#1f77b4", "#ff7f0e")
SURVEY = "stackoverflow"
NO_STORE = "no store yet (the bundled history only)"


# -- the records -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Named:
    """One name of a comparison: what it resolved to, the contender it became and why."""

    name: str
    contender: Contender
    how: str                  # the one line a reader sees: what it is and where each identity came from
    doubt: str = ""           # the ambiguity line (what was found and how to pin it), or ""
    field_name: str = ""      # the field whose contender it is, if any
    resolution: Resolution | None = None


@dataclass
class Comparison:
    """What `compare` found: the names, the answer (the report's `headline` section) and what is not measured."""

    names: list[dict]                      # name, id, display, how, doubt, field
    answer: dict | None                    # analysis.answer.Answer.as_section(), or None: nothing to compare
    coverage: list[dict]                   # per scoreboard row: metric, source, measured and not measured ids
    to_collect: list[dict]                 # signals no row measures for them: signal, words
    history: dict[str, int]                # history source -> rows joined for this run
    store: str                             # the store read, or why none was
    survey_topic: str                      # the survey question read
    report_date: str
    field_toml: str = ""                   # the comparison as a field file (what --save writes)
    from_cache: bool = False

    @property
    def headline(self) -> str:
        if not self.answer:
            return "No signal measures two or more of these contenders yet."
        return next((f["text"] for f in self.answer["findings"] if f.get("role") == "headline"), "")

    @property
    def sentences(self) -> list[str]:
        return [f["text"] for f in (self.answer or {}).get("findings", []) if f.get("role") == "sentence"]

    @property
    def data_through(self) -> str:
        return next((f["text"] for f in (self.answer or {}).get("findings", []) if f.get("role") == "data_through"),
                    "")

    @property
    def scoreboard(self) -> list[dict]:
        tables = (self.answer or {}).get("tables", [])
        return next((t["rows"] for t in tables if t["name"] == "scoreboard"), [])

    def name_of(self, contender_id: str | None) -> str:
        return next((n["display"] for n in self.names if n["id"] == contender_id), contender_id or "")

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("field_toml")
        out.pop("from_cache")
        return out


# -- names -----------------------------------------------------------------------------------------------------
def check_names(names: Sequence[str]) -> list[str]:
    """The names, checked: 2 to MAX_NAMES of them, each a technology's name, none twice; else one line."""
    from mindshare.resolve import check_name

    given = [n for n in names]
    if not given:
        raise InputError(f"no names given: name {MIN_NAMES} to {MAX_NAMES} technologies, e.g. "
                         f"`mindshare compare polars pandas`")
    if len(given) < MIN_NAMES:
        raise InputError(f"one name ({given[0]!r}) is no comparison: name {MIN_NAMES} to {MAX_NAMES} technologies, "
                         f"e.g. `mindshare compare {given[0].strip() or 'polars'} ...`")
    if len(given) > MAX_NAMES:
        raise InputError(f"{len(given)} names: compare at most {MAX_NAMES} at once (a longer list reads better as a "
                         f"field file: `mindshare compare A B --save my-field.toml`, then add contenders to it)")
    checked = [check_name(n) for n in given]
    seen: dict[str, str] = {}
    for name in checked:
        key = name.casefold()
        if key in seen:
            raise InputError(f"{name!r} is given twice; name each technology once")
        seen[key] = name
    return checked


# -- the contenders fields already know ----------------------------------------------------------------------
def known_contenders() -> list[tuple[Field, Contender]]:
    """Every contender of every field mindshare can load (the user's folder first: its field wins over a shipped
    one of the same name), the deep-learning field's first among the shipped ones (the bundle is stamped with its
    ids)."""
    from mindshare.fields import DEFAULT_FIELD, available_fields, load_field

    found = available_fields()
    order = sorted(found, key=lambda name: (name != DEFAULT_FIELD, name))
    pairs = []
    for name in order:
        chosen = load_field(found[name])
        pairs += [(chosen, c) for c in chosen.contenders]
    return pairs


def known_by_name(name: str, pairs: list[tuple[Field, Contender]]) -> tuple[Field, Contender] | None:
    """The field contender whose id or one of whose names is `name` (any case)."""
    from mindshare.resolve import contender_id

    given = {name.casefold(), contender_id(name)}
    return next((pair for pair in pairs if given & {n.casefold() for n in pair[1].names}), None)


def known_contender(resolution: Resolution, pairs: list[tuple[Field, Contender]]) -> tuple[Field, Contender] | None:
    """The field contender a resolved name is: by its id or one of its names first, else by a PyPI project or the
    GitHub repository they share."""
    from mindshare.history import github_names, normalise_pypi

    for given in (resolution.name, resolution.display):
        found = known_by_name(given, pairs)
        if found is not None:
            return found
    projects = {f.value for f in resolution.pypi}
    repos = github_names(resolution.github.value) if resolution.github else set()
    for pair in pairs:
        contender = pair[1]
        if projects & {normalise_pypi(p) for p in contender.pypi}:
            return pair
        if contender.github and repos & github_names(contender.github):
            return pair
    return None


def contenders_of(names: Sequence[str], pins: Mapping[str, Pin] | None = None,
                  http: Http | None = None) -> list[Named]:
    """Each name as a contender (see the module's docstring); an InputError naming the first name found nowhere,
    or two names that are one contender. A name that is a field contender's own name is that contender without
    being resolved (the field's word on it is the one read); the others are resolved, offline or online."""
    from mindshare.resolve import NOT_FOUND, resolve_all

    checked = check_names(names)
    pins = dict(pins or {})
    unknown = set(pins) - set(checked)
    if unknown:
        raise InputError(f"--as names {', '.join(sorted(unknown))}, which is not among the names given "
                         f"({', '.join(checked)})")
    pairs = known_contenders()
    known = {name: known_by_name(name, pairs) for name in checked if name not in pins and http is None}
    asked = [name for name in checked if known.get(name) is None]
    resolutions = {r.name: r for r in resolve_all(asked, pins=pins, http=http)}
    missing = [r for r in resolutions.values() if r.status == NOT_FOUND]
    if missing:
        raise InputError(missing[0].message())
    named = []
    for name in checked:
        pair = known.get(name)
        if pair is not None:
            owner, contender = pair
            named.append(Named(name, contender, f"{contender.name}, from the {owner.name} field: "
                                                f"{identities(contender)}", field_name=owner.name))
        else:
            named.append(_named(resolutions[name], pairs, pinned=name in pins))
    ids: dict[str, str] = {}
    for one in named:
        if one.contender.id in ids:
            raise InputError(f"{ids[one.contender.id]!r} and {one.name!r} are the same contender "
                             f"({one.contender.name}); name it once")
        ids[one.contender.id] = one.name
    return named


def _named(resolution: Resolution, pairs: list[tuple[Field, Contender]], pinned: bool) -> Named:
    from dataclasses import replace

    from mindshare.resolve import AMBIGUOUS

    doubt = resolution.message() if resolution.status == AMBIGUOUS else ""
    settled = resolution.settled()
    known = None if pinned else known_contender(resolution, pairs)
    if known is None:
        how = ("pinned: " if pinned else "") + "; ".join(settled.summary())
        return Named(resolution.name, settled.contender(), how, doubt, resolution=settled)
    owner, contender = known
    found = settled.contender()
    # what the field leaves out, resolution fills; never survey labels (a field that lists none means its question
    # does not offer the contender: a label resolution finds is another question's)
    filled = {key: getattr(found, key) for key in ("pypi", "npm", "github", "stackoverflow_tag", "wikipedia")
              if not getattr(contender, key) and getattr(found, key)}
    # a field's own word on a contender settles what resolution was unsure of
    doubt = "" if doubt and not filled else doubt
    merged = replace(contender, **filled)
    how = f"{merged.name}, from the {owner.name} field: {identities(merged)}"
    if filled:
        how += f" ({', '.join(filled)} found by resolution)"
    return Named(resolution.name, merged, how, doubt, owner.name, settled)


def identities(contender: Contender) -> str:
    """A contender's identities in words: PyPI polars; GitHub pola-rs/polars; Stack Overflow [python-polars]; ..."""
    parts = []
    if contender.pypi:
        parts.append(f"PyPI {', '.join(contender.pypi)}")
    if contender.npm:
        parts.append(f"npm {', '.join(contender.npm)}")
    if contender.github:
        parts.append(f"GitHub {contender.github}")
    if contender.stackoverflow_tag:
        parts.append(f"Stack Overflow [{contender.stackoverflow_tag}]")
    if contender.stackoverflow_survey:
        years = [y for y, _ in contender.stackoverflow_survey]
        labels = ", ".join(dict.fromkeys(f'"{label}"' for _, label in contender.stackoverflow_survey))
        parts.append(f"survey {labels} ({years[0]}-{years[-1]})" if len(years) > 1 else f"survey {labels} "
                     f"({years[0]})")
    if contender.wikipedia:
        parts.append(f"Wikipedia \"{contender.wikipedia}\"")
    return "; ".join(parts) or "nothing"


# -- the comparison as a field -------------------------------------------------------------------------------
def survey_columns(topic: str) -> dict[int, str]:
    """The raw file's column for a published topic, per year (data/surveys/stackoverflow.toml's [topics])."""
    from mindshare.importers.surveys import column_map

    return {int(year): column for year, column in column_map(SURVEY).get("topics", {}).get(topic, {}).items()}


def comparison_field(named: Sequence[Named], topics: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None
                     ) -> Field:
    """The contenders as a field: `topics` gives, per name, the survey labels it is offered under per topic (year
    -> label); the field reads the topic most contenders share and keeps each contender's labels in it alone."""
    from dataclasses import replace

    from mindshare.fields import Field, SurveyQuestion, load_field

    topics = dict(topics or {})
    counts: dict[str, tuple[int, int]] = {}
    for one in named:
        for topic, labels in topics.get(one.name, {}).items():
            contenders, years = counts.get(topic, (0, 0))
            counts[topic] = (contenders + 1, years + len(labels))
    topic = max(counts, key=lambda t: (counts[t], t)) if counts else None
    contenders = []
    for index, one in enumerate(named):
        labels = topics.get(one.name, {}).get(topic, {}) if topic else {}
        contender = replace(one.contender, stackoverflow_survey=tuple(sorted(labels.items())),
                            color=one.contender.color or PALETTE[index % len(PALETTE)])
        contenders.append(contender)
    shown = [c.name for c in contenders]
    title = " vs ".join(shown)
    owners = {one.field_name for one in named}
    noun = load_field(owners.pop()).noun if len(owners) == 1 and "" not in owners else "technology"
    surveys = (SurveyQuestion(SURVEY, topic, tuple(sorted(survey_columns(topic).items()))),) if topic else ()
    return Field(name="compare", title=title, path=Path("compare"), contenders=tuple(contenders),
                 description=f"{', '.join(shown[:-1])} and {shown[-1]}, compared on every signal that measures them",
                 surveys=surveys, noun=noun)


def survey_topics(named: Sequence[Named]) -> dict[str, dict[str, dict[str, str]]]:
    """Per name, its survey labels per topic (year -> label): a field contender's in its field's topic, else as
    resolution found them (one label a year per topic)."""
    from mindshare.fields import load_field
    from mindshare.overlay import survey_topic

    out: dict[str, dict[str, dict[str, str]]] = {}
    for one in named:
        per_topic: dict[str, dict[str, str]] = {}
        declared = None
        if one.field_name:
            owner = load_field(one.field_name)
            declared = owner.find(one.contender.id)
            if declared is not None and declared.stackoverflow_survey:
                per_topic[survey_topic(owner)] = dict(declared.stackoverflow_survey)
        if not per_topic and one.resolution is not None:
            for label in sorted(one.resolution.survey, key=lambda s: (s.year, s.label)):
                per_topic.setdefault(label.topic, {}).setdefault(str(label.year), label.label.strip())
        out[one.name] = per_topic
    return out


# -- the store ---------------------------------------------------------------------------------------------------
@contextmanager
def store_for(settings: Settings, chosen: Field) -> Iterator[tuple[Store, str]]:
    """The store to read, and in words which: the user's store when it exists (the bundle loaded into it when it is
    writable and behind); a new one only when a contender is one the bundled dataset covers (the deep-learning
    frameworks); otherwise an empty store in memory: nothing is written for a compare the bundle has no rows for."""
    from mindshare.fields import load_field
    from mindshare.session import session
    from mindshare.store import open_store

    path = settings.store_path
    bundled = set(load_field("deep-learning").ids) & set(chosen.ids)
    if path.exists() or bundled:
        with session(settings=settings, read_only=None) as store:
            yield store, str(path)
        return
    # an empty store of the run's own, in its temporary folder (the store opens its file per transaction, so it
    # cannot live in memory); it goes with the run, or is swept with the folder of a run that was killed
    with tempfile.TemporaryDirectory(prefix="compare-") as folder:
        store = open_store(Path(folder) / "empty.duckdb", read_only=False, settings=settings)
        store.connection  # opened (and held) on its real path first: after that, `path` is only a name
        store.path = Path(NO_STORE)       # what the report's footer names as the store
        try:
            yield store, f"none yet ({path} does not exist; nothing in it covers these contenders)"
        finally:
            store.close()


# -- the run -------------------------------------------------------------------------------------------------------
def compare(names: Sequence[str], *, pins: Sequence[str] = (), settings: Settings | None = None, online: bool = False,
            http: Http | None = None, today: date | None = None, use_cache: bool = True) -> Comparison:
    """The comparison of `names` (see the module's docstring): from the answer cache when nothing it depends on
    changed, else computed (and cached)."""
    from mindshare import settings as settings_module

    config = settings or settings_module.load()
    today = today or date.today()
    key = cache_key(names, pins, online, config, today)
    if use_cache and not online:
        held = cached(config, key)
        if held is not None:
            return held
    from mindshare.resolve import parse_pins

    parsed = parse_pins(pins)
    if online and http is None:
        from mindshare.http import Http

        with Http(settings=config) as client:
            result = compute(names, parsed, config, http=client, today=today)
    else:
        result = compute(names, parsed, config, http=http, today=today)
    if use_cache and not online:
        save_cached(config, key, result)
    return result


def prepare(names: Sequence[str], pins: Mapping[str, Pin], http: Http | None = None) -> tuple[list[Named], Field]:
    """The names resolved and the field they make."""
    named = contenders_of(names, pins, http)
    return named, comparison_field(named, survey_topics(named))


def compute(names: Sequence[str], pins: Mapping[str, Pin], settings: Settings, *, http: Http | None = None,
            today: date | None = None) -> Comparison:
    """The comparison, computed: names resolved, the store joined with the history, the answer analysed."""
    from mindshare.overlay import joined, survey_topic

    today = today or date.today()
    named, chosen = prepare(names, pins, http)
    with store_for(settings, chosen) as (store, where), joined(store, chosen) as added:
        answer = answer_of(store, chosen, today)
        coverage = coverage_of(store, chosen, answer)
        to_collect = collectable(store, chosen)
    return Comparison(
        names=[{"name": n.name, "id": n.contender.id, "display": n.contender.name, "how": n.how, "doubt": n.doubt,
                "field": n.field_name} for n in named],
        answer=answer, coverage=coverage, to_collect=to_collect, history=added.rows, store=where,
        survey_topic=survey_topic(chosen) if chosen.surveys else "", report_date=today.isoformat(),
        field_toml=field_toml(chosen))


def answer_of(store: Store, chosen: Field, today: date) -> dict | None:
    """The answer the report would give for `chosen` from this store: the same analysis (no presets: a comparison
    reproduces no article), over the store's latest rows."""
    from mindshare.analysis.answer import answer_of as make_answer
    from mindshare.analysis.pipeline import analyse

    names = {c.id: c.name for c in chosen.contenders}
    connection = store.connection
    threads = connection.execute("SELECT current_setting('threads')").fetchall()[0][0]
    # one thread, as the report's engine runs it: the same rows give the same answer on a busy machine
    connection.execute("SET threads = 1")
    try:
        result = analyse(connection, "latest_observations", contenders=list(chosen.ids),
                         names=lambda key: names.get(key, key), presets=())
    finally:
        connection.execute(f"SET threads = {int(threads)}")
    if result.standings.empty and (result.surveys is None or result.surveys.empty):
        return None
    return make_answer(result, report_date=today, names=lambda key: names.get(key, key)).as_section()


def coverage_of(store: Store, chosen: Field, answer: dict | None) -> list[dict]:
    """For each scoreboard row, the contenders its series measures and those it does not ("not measured", never
    zero)."""
    if not answer:
        return []
    ids = list(chosen.ids)
    marks = ", ".join("?" * len(ids))
    rows = store.connection.execute(
        f"SELECT metric, source, list(DISTINCT contender) FROM latest_observations WHERE value IS NOT NULL AND "
        f"contender IN ({marks}) GROUP BY metric, source", ids).fetchall()
    measured: dict[tuple[str, str], set[str]] = {(m, s): set(who) for m, s, who in rows}
    survey: set[str] = set()
    for (metric, _), who in measured.items():
        if metric.endswith("survey_share"):
            survey |= who
    out = []
    for row in next((t["rows"] for t in answer["tables"] if t["name"] == "scoreboard"), []):
        who = survey if str(row["metric"]).endswith("survey_share") else measured.get((row["metric"], row["source"]),
                                                                                         set())
        out.append({"signal": row["signal"], "label": row["label"], "metric": row["metric"], "source": row["source"],
                    "measured": [i for i in ids if i in who], "not_measured": [i for i in ids if i not in who]})
    return out


def collectable(store: Store, chosen: Field) -> list[dict]:
    """The signals the answer speaks of that no row measures for any of these contenders: what only a live
    collection (`--collect`, `mindshare collect`) or an import can add. Read from the catalogue, not the live
    sources' registry: importing every source (and the HTTP layer) would cost a first compare half a second."""
    from mindshare.catalogue import CATALOGUE

    ids = list(chosen.ids)
    marks = ", ".join("?" * len(ids))
    held = {row[0] for row in store.connection.execute(
        f"SELECT DISTINCT signal FROM latest_observations WHERE value IS NOT NULL AND contender IN ({marks})",
        ids).fetchall()}
    return [{"signal": s.name, "words": s.spoken} for s in sorted(CATALOGUE.signals, key=lambda s: CATALOGUE.order(s.name))
            if s.compared and s.order is not None and s.name not in held]


# -- the field file ---------------------------------------------------------------------------------------------
def field_toml(chosen: Field) -> str:
    """The comparison as a field file (checked by reading it back: it loads as the same contenders)."""
    from mindshare.fields import parse_field

    lines = [f"# {chosen.title}: a field written by `mindshare compare --save` on {date.today():%Y-%m-%d}.",
             "# Edit it like any field file (`mindshare fields --keys` explains every key) and pass it with --field.",
             "", f"name = {_toml(_field_name(chosen))}", f"title = {_toml(chosen.title)}",
             f"description = {_toml(chosen.description)}", f"noun = {_toml(chosen.noun)}", ""]
    for question in chosen.surveys:
        lines.append(f"[survey.{question.survey}]")
        if question.topic:
            lines.append(f"topic = {_toml(question.topic)}")
        if question.columns:
            lines.append("columns = { " + ", ".join(f"{year} = {_toml(col)}" for year, col in question.columns) + " }")
        lines.append("")
    for contender in chosen.contenders:
        lines.append("[[contender]]")
        for key in ("id", "name", "color", "aliases", "patterns", "pypi", "npm", "github", "stackoverflow_tag",
                    "wikipedia", "huggingface_library", "google_trends", "stackoverflow_survey", "kaggle_survey"):
            value = getattr(contender, key)
            if not value:
                continue
            if key.endswith("_survey"):
                text = "{ " + ", ".join(f"{year} = {_toml(label)}" for year, label in value) + " }"
            elif isinstance(value, tuple):
                text = "[" + ", ".join(_toml(v) for v in value) + "]"
            else:
                text = _toml(value)
            lines.append(f"{key} = {text}")
        lines.append("")
    text = "\n".join(lines)
    parse_field(text, Path(f"{_field_name(chosen)}.toml"))   # a file that would not load is a bug, said here
    return text


def _field_name(chosen: Field) -> str:
    return "-".join(c.id for c in chosen.contenders)[:60].strip("-_") or "compare"


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's for every character a name holds)."""
    return json.dumps(str(text), ensure_ascii=False)


def save_field(result: Comparison, path: Path) -> Path:
    """Write the comparison's field file to `path` (a new file: an existing one is never replaced)."""
    path = Path(path)
    if path.suffix != ".toml":
        raise InputError(f"--save {path}: a field file's name ends in .toml")
    if path.exists():
        raise InputError(f"--save {path}: the file exists; give a new name (nothing was written)")
    if not path.parent.is_dir():
        raise InputError(f"--save {path}: no folder {path.parent}")
    text = result.field_toml.replace(f'name = "{_first_name(result.field_toml)}"', f'name = "{_stem_id(path)}"', 1)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"--save {path}: cannot write it ({exc.strerror})") from None
    return path


def _first_name(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("name = "):
            return json.loads(line[len("name = "):])
    return ""


def _stem_id(path: Path) -> str:
    import re

    return re.sub(r"[^a-z0-9_-]+", "-", path.stem.casefold()).strip("-_") or "compare"


# -- the answer cache -------------------------------------------------------------------------------------------
def cache_key(names: Sequence[str], pins: Sequence[str], online: bool, settings: Settings, today: date) -> str:
    """What a comparison depends on, checked without reading any of it: the names and pins as given, the day, the
    store's file (size and modification time, its write-ahead log too), the user's field files, and mindshare's
    own code and data (every file of the package, by size and modification time)."""
    digest = hashlib.sha256()
    parts: list[Any] = [CACHE_VERSION, _version.__version__, [n.strip() for n in names], list(pins), online,
                        today.isoformat(), str(settings.store_path)]
    for path in (settings.store_path, settings.store_path.with_name(settings.store_path.name + ".wal")):
        parts.append(_stat(path))
    parts.append(_tree(settings.fields_dir))
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode())
    digest.update(_package_state().encode())
    return digest.hexdigest()[:32]


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def _tree(folder: Path) -> list:
    out = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                out.append([entry.name, _tree(Path(entry.path))])
        else:
            found = entry.stat()
            out.append([entry.name, found.st_size, found.st_mtime_ns])
    return out


_PACKAGE_STATE: str | None = None


def _package_state() -> str:
    global _PACKAGE_STATE
    if _PACKAGE_STATE is None:
        _PACKAGE_STATE = json.dumps(_tree(Path(__file__).parent))
    return _PACKAGE_STATE


def _cache_folder(settings: Settings) -> Path:
    return settings.cache_root / "compare"


def cached(settings: Settings, key: str) -> Comparison | None:
    """The comparison held under `key`, or None (nothing held, or a file that cannot be read: it is computed
    again)."""
    path = _cache_folder(settings) / f"{key}.json"
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        return Comparison(**held, from_cache=True)
    except (OSError, ValueError, TypeError):
        return None


def save_cached(settings: Settings, key: str, result: Comparison) -> None:
    """Keep `result` under `key` (written whole or not at all; a cache that cannot be written is no error)."""
    folder = _cache_folder(settings)
    document = asdict(result)
    document.pop("from_cache")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{key}.{os.getpid()}.partial"
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, folder / f"{key}.json")
    except OSError:
        pass


__all__ = ["MAX_NAMES", "MIN_NAMES", "Comparison", "Named", "cache_key", "cached", "check_names", "compare",
           "comparison_field", "compute", "contenders_of", "known_contender", "known_contenders", "prepare",
           "save_field", "store_for"]
