"""From a name a user types (`polars`, `sklearn`, `react`, `postgresql`, `go`) to a contender's identities: PyPI
project, GitHub repository, Stack Overflow tag, the survey option labels per year and question, Wikipedia article,
npm package. Every identity says where it was found (`Found.origin`) and whether a source that knows confirmed it.

    from mindshare.resolve import resolve, parse_pins
    found = resolve("sklearn")                     # offline: the bundled history's name index
    found.pypi[0].value, found.github.value        # 'scikit-learn', 'scikit-learn/scikit-learn'
    found.status, found.message()                  # 'resolved', "sklearn: PyPI scikit-learn (import name ...) ..."
    pins = parse_pins(['express=pypi:-,github:expressjs/express,so:express,survey:"Express"'])
    resolve("express", pin=pins["express"])

Offline (always): the name index built with the history (`data/history/`): the PyPI projects of hugovk's top lists,
the GitHub repositories of EvanLi's top-100 lists with their languages and the moves seen between names,
best-of-ml-python's github_id <-> pypi_id pairs, Stack Overflow's survey option labels 2019-2026, and bndr/pipreqs'
import-name table (sklearn -> scikit-learn, bs4 -> beautifulsoup4, PIL -> Pillow).

Online (`http=` an `Http`): PyPI's JSON API (the project, and its repository from `project_urls`), the Stack Exchange
tags API (the tag, its question count, and the synonyms that point to it: `golang` -> `go`) and Wikipedia's search,
each through the one HTTP layer with its provider's limits.

How a name becomes identities, and when it is not one thing:

- PyPI: the project of that name, or the project an import name belongs to. A project is kept when something links
  it to the rest (best-of-ml-python pairs it with the repository, its PyPI metadata names the repository, the
  repository is Python) or when nothing else was found; a PyPI project that nothing links to a repository or
  survey option in another language is *another thing with the same name* (`rust`, `mysql`, `node` on PyPI): the
  result is ambiguous and says how to pin.
- GitHub: the repository the PyPI project links to (best-of-ml-python, or PyPI's metadata online), else the
  repository of that name in the top-100 lists when one dominates (three times the stars of the next; names
  that are one repository that moved count as one). A repository that moved is given by its newest name, with
  the former ones (`github_former`).
- Survey: every year's option whose label is the name (any case; "React.js" and "Angular/Angular.js" read as
  "React" and "Angular"; "AngularJS" is not "Angular"), per question.
- Stack Overflow tag, Wikipedia article: only online (a guess offline would be wrong as often as right: the
  tag of React is `reactjs`). npm: offline, a guess from a JavaScript/TypeScript repository's name, marked
  unconfirmed.

A result is `resolved`, `ambiguous` (two candidates and no rule to choose: the message names them and the pin
that chooses) or `not found`. Pins (`--as NAME=pypi:x,github:o/r,so:tag,survey:"Label"`, `-` for "none") win
over everything found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mindshare.errors import InputError
from mindshare.history import (
    SurveyOption,
    Wanted,
    github_names,
    history_folder,
    normalise_pypi,
    read_whole,
)

if TYPE_CHECKING:
    from mindshare.fields import Contender
    from mindshare.http import Http

RESOLVED, AMBIGUOUS, NOT_FOUND = "resolved", "ambiguous", "not found"
KINDS = ("pypi", "github", "so", "survey", "wikipedia", "npm")   # the keys of a pin, in the order they print
NONE = "-"                                                         # a pin's "no such identity"

# Where an identity was found (`Found.origin`), in words a reader sees.
PINNED = "pinned (--as)"
PYPI_INDEX = "bundled PyPI history (hugovk/top-pypi-packages)"
IMPORT_NAMES = "import-name table (bndr/pipreqs)"
GITHUB_INDEX = "bundled GitHub top-100 lists (EvanLi/Github-Ranking)"
BEST_OF = "best-of-ml-python's project list (github_id <-> pypi_id)"
SURVEY_INDEX = "Stack Overflow survey results (bundled)"
PYPI_API = "PyPI JSON API"
STACK_EXCHANGE_API = "Stack Exchange tags API"
WIKIPEDIA_API = "Wikipedia search API"
REPOSITORY_NAME = "the repository's name and language"

DOMINANCE = 3.0         # a candidate repository wins when it has this many times the stars of the next
PYTHON_LANGUAGES = {"python", "jupyter notebook", "cython"}
JAVASCRIPT_LANGUAGES = {"javascript", "typescript", "vue", "svelte"}
# Survey topics whose options are not packages: a PyPI project of the same name is another thing unless linked.
NOT_PACKAGES = {"languages", "databases", "cloud platforms", "cloud platforms and tools", "platforms (broad)"}
# A name may hold letters, digits, spaces and the marks technology names use (C#, C++, .NET, node.js, @scope/pkg).
NAME_PATTERN = re.compile(r"^[\w .+#@/-]{1,80}$")
GITHUB_URL = re.compile(r"github\.com[/:]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?(?:[/#?].*)?$")
WIKIPEDIA_QUALIFIERS = ("software", "programming language", "web framework", "framework", "library",
                        "javascript library", "database", "database management system", "python library",
                        "python package", "toolkit")


# -- the records ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    """One identity: its value, where it was found, what else was seen, and whether a source confirmed it."""

    kind: str            # one of KINDS
    value: str
    origin: str
    detail: str = ""
    confirmed: bool = True


@dataclass(frozen=True)
class SurveyLabel:
    """A survey option that stands for the contender: year, the year's question key, its topic, the label."""

    year: int
    question: str
    topic: str
    label: str
    origin: str = SURVEY_INDEX

    def option(self) -> SurveyOption:
        return SurveyOption(self.year, self.question, self.label)


@dataclass(frozen=True)
class Problem:
    """Why a name is not one thing, for one kind of identity ('pypi', 'github', ...)."""

    kind: str
    words: str


@dataclass(frozen=True)
class Pin:
    """What `--as NAME=...` fixes: a value per kind, or NONE ('-') for "it has none"."""

    name: str
    pypi: tuple[str, ...] = ()
    github: str | None = None
    so: str | None = None
    survey: tuple[str, ...] = ()
    wikipedia: str | None = None
    npm: str | None = None

    def has(self, kind: str) -> bool:
        value = getattr(self, kind)
        return bool(value) if isinstance(value, tuple) else value is not None


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to. `status` is RESOLVED, AMBIGUOUS or NOT_FOUND; `problems` say why it is not one
    thing; `alternatives` are what was seen and set aside (with the reason in their detail)."""

    name: str
    id: str
    display: str
    status: str
    pypi: tuple[Found, ...] = ()
    github: Found | None = None
    github_former: tuple[str, ...] = ()
    stackoverflow_tag: Found | None = None
    tag_synonyms: tuple[str, ...] = ()
    survey: tuple[SurveyLabel, ...] = ()
    wikipedia: Found | None = None
    npm: Found | None = None
    alternatives: tuple[Found, ...] = ()
    problems: tuple[Problem, ...] = ()
    looked_up: tuple[str, ...] = ()      # the sources asked (offline index, APIs)

    @property
    def ambiguous_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.kind for p in self.problems)) if self.status == AMBIGUOUS else ()

    # -- what the next layers need ---------------------------------------------------------------------------
    def wanted(self) -> Wanted:
        """The contender's identities in the bundled history (mindshare.history.observations reads them)."""
        return Wanted(self.id, pypi=tuple(f.value for f in self.pypi),
                      github=(self.github.value,) if self.github else (),
                      survey=tuple(label.option() for label in self.survey))

    def contender_fields(self) -> dict[str, Any]:
        """The keys of a field file's [[contender]] table (mindshare.fields.CONTENDER_KEYS) for what was found.
        A survey year offering the contender in several questions keeps its label in the question most years
        share (fields hold one label per year)."""
        values: dict[str, Any] = {"id": self.id, "name": self.display}
        if self.pypi:
            values["pypi"] = [f.value for f in self.pypi]
        if self.github:
            values["github"] = self.github.value
        if self.stackoverflow_tag:
            values["stackoverflow_tag"] = self.stackoverflow_tag.value
        if self.wikipedia:
            values["wikipedia"] = self.wikipedia.value
        labels = self.labels_by_year()
        if labels:
            values["stackoverflow_survey"] = labels
        aliases = sorted({label.label.strip() for label in self.survey} - {self.display}, key=str.casefold)
        if aliases:
            values["aliases"] = aliases
        return values

    def contender(self) -> Contender:
        """A `mindshare.fields.Contender` for this resolution (a field file's contender, as if written by hand)."""
        from mindshare.fields import Contender

        values = self.contender_fields()
        for key in ("pypi", "aliases"):
            if key in values:
                values[key] = tuple(values[key])
        if "stackoverflow_survey" in values:
            values["stackoverflow_survey"] = tuple(sorted(values["stackoverflow_survey"].items()))
        return Contender(**values)

    def labels_by_year(self) -> dict[str, str]:
        if not self.survey:
            return {}
        topics: dict[str, int] = {}
        for label in self.survey:
            topics[label.topic] = topics.get(label.topic, 0) + 1
        main = max(topics, key=lambda t: (topics[t], t))
        chosen: dict[str, str] = {}
        for label in sorted(self.survey, key=lambda s: (s.topic != main, s.year)):
            chosen.setdefault(str(label.year), label.label.strip())
        return dict(sorted(chosen.items()))

    # -- words ------------------------------------------------------------------------------------------------
    def pin(self) -> str:
        """The `--as` that fixes this resolution (what a user would type to get exactly this)."""
        parts = [f"pypi:{f.value}" for f in self.pypi] or [f"pypi:{NONE}"]
        parts.append(f"github:{self.github.value if self.github else NONE}")
        if self.stackoverflow_tag:
            parts.append(f"so:{self.stackoverflow_tag.value}")
        parts += [f'survey:"{label}"' for label in dict.fromkeys(s.label.strip() for s in self.survey)]
        return f"{self.name}={','.join(parts)}"

    def message(self) -> str:
        """One line: what the name resolved to and from where, or why it did not, and how to pin it."""
        if self.status == NOT_FOUND:
            return (f"{self.name!r} was found nowhere ({'; '.join(p.words for p in self.problems)}); pin it with "
                    f"--as {self.name}=pypi:PROJECT,github:OWNER/REPO,so:TAG,survey:\"Option label\"")
        found = "; ".join(self.summary())
        if self.status == AMBIGUOUS:
            return (f"{self.name!r} is ambiguous: {' '.join(p.words for p in self.problems)} Found: {found}. "
                    f"Pin what you mean, e.g. --as {self.suggested_pin()}")
        return f"{self.name}: {found}"

    def summary(self) -> list[str]:
        """One phrase per identity: value and origin."""
        words = []
        for f in self.pypi:
            words.append(f"PyPI {f.value} ({f.origin}{'; ' + f.detail if f.detail else ''})")
        if self.github:
            former = f"; formerly {', '.join(self.github_former)}" if self.github_former else ""
            words.append(f"GitHub {self.github.value} ({self.github.origin}{former})")
        if self.stackoverflow_tag:
            synonyms = f"; synonyms {', '.join(self.tag_synonyms)}" if self.tag_synonyms else ""
            words.append(f"Stack Overflow [{self.stackoverflow_tag.value}] ({self.stackoverflow_tag.origin}{synonyms})")
        if self.survey:
            years = sorted({s.year for s in self.survey})
            labels = ", ".join(dict.fromkeys(f'"{s.label.strip()}"' for s in self.survey))
            words.append(f"survey {labels} ({years[0]}-{years[-1]}, {len(years)} years)")
        if self.wikipedia:
            words.append(f"Wikipedia \"{self.wikipedia.value}\" ({self.wikipedia.origin})")
        if self.npm:
            words.append(f"npm {self.npm.value} ({self.npm.origin}{'' if self.npm.confirmed else ', unconfirmed'})")
        return words or ["nothing"]

    def suggested_pin(self) -> str:
        """A pin built from what was kept and, for a kind in doubt, its strongest candidate set aside."""
        best: dict[str, Found] = {}
        for found in self.alternatives:
            best.setdefault(found.kind, found)
        chosen = replace(self, github=self.github or best.get("github"),
                         pypi=self.pypi or ((best["pypi"],) if "pypi" in best and "pypi" not in
                                            self.ambiguous_kinds else ()))
        return chosen.pin()

    def settled(self) -> Resolution:
        """This resolution with only what is not in doubt: the kinds a problem names are left empty (a compare
        can go on with the rest and say which signals the name still needs a pin for)."""
        doubtful = set(self.ambiguous_kinds)
        return replace(self, status=RESOLVED if self.status == AMBIGUOUS else self.status,
                       pypi=() if "pypi" in doubtful else self.pypi,
                       github=None if "github" in doubtful else self.github,
                       github_former=() if "github" in doubtful else self.github_former, problems=())


# -- names ---------------------------------------------------------------------------------------------------------
def check_name(name: str) -> str:
    """The name, stripped; an InputError naming it when it is empty or holds characters no technology name has."""
    text = name.strip()
    if not text:
        raise InputError("an empty name: give a technology's name, e.g. polars")
    if not NAME_PATTERN.fullmatch(text) or text.startswith(("-", "/")):
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise InputError(f"{shown!r} is not a technology name: use letters, digits, spaces and . + # @ / - _ only")
    return text


def contender_id(name: str) -> str:
    """A field's contender id for a name (lower case, digits, - and _): 'Node.js' -> 'node-js', 'C#' -> 'c-sharp'."""
    text = name.strip().casefold().replace("#", "-sharp").replace("+", "p")
    text = re.sub(r"[^a-z0-9_-]+", "-", text).strip("-_")
    return text or "contender"


def match_key(text: str) -> str:
    """How names are compared: case, spaces, dots, dashes and underscores do not count ('Scikit-Learn' ==
    'scikit_learn'), + and # do ('C++' is not 'C')."""
    return re.sub(r"[^0-9a-z+#]", "", text.casefold())


def label_keys(label: str) -> set[str]:
    """The names a survey option stands for: 'React.js' -> react; 'Angular/Angular.js' -> angular; 'Torch/PyTorch'
    -> torch, pytorch. A '.js' suffix is dropped; a bare 'JS' suffix is not ('AngularJS' is not Angular)."""
    keys = {match_key(label)}
    for part in label.split("/"):
        part = part.strip()
        keys.add(match_key(part))
        if part.casefold().endswith(".js"):
            keys.add(match_key(part[:-3]))
    return {k for k in keys if k}


def name_keys(name: str) -> set[str]:
    keys = {match_key(name)}
    if name.casefold().endswith(".js"):
        keys.add(match_key(name[:-3]))
    return {k for k in keys if k}


# -- the offline index ---------------------------------------------------------------------------------------------
# Looked up a few keys at a time: each index file is sorted by its key in small row groups, so a lookup decodes
# one of them (mindshare.history.read_rows); only the small tables (best-of-ml-python's 1,100 projects, the survey's
# 1,300 options, the 431 moves, the import names) are read whole, once per process.
@dataclass(frozen=True)
class Repo:
    repo: str            # owner/name, lower case (the key)
    github_id: str       # as spelled last
    language: str
    lists: str
    stars: int
    last: str

    @property
    def owner(self) -> str:
        return self.repo.split("/")[0]

    @property
    def name(self) -> str:
        return self.repo.split("/")[1]


@dataclass(frozen=True)
class BestOf:
    project: str         # best-of-ml-python's key: the repository's newest name, lower case
    github_id: str
    name: str            # its display name
    pypi: tuple[str, ...]


def pypi_projects(projects: Iterable[str]) -> dict[str, tuple[int, int, str]]:
    """project -> (downloads, rank, snapshot) of its last listing in the bundled PyPI history."""
    from mindshare.history import read_rows

    wanted = {normalise_pypi(p) for p in projects}
    table = read_rows("pypi_projects.parquet", "project", wanted,
                      ["project", "last_downloads", "last_rank", "last"]).to_pydict()
    return {p: (d, r, str(s)) for p, d, r, s in zip(table["project"], table["last_downloads"], table["last_rank"],
                                                     table["last"])}


def repos_named(keys: Iterable[str]) -> list[Repo]:
    """The repositories whose name (after the owner) has one of these match keys."""
    from mindshare.history import read_rows

    table = read_rows("github_repos.parquet", "name_key", set(keys),
                      ["repo", "github_id", "language", "lists", "stars", "last"]).to_pydict()
    return [Repo(r, g, lang, lists, int(stars), str(last)) for r, g, lang, lists, stars, last in
            zip(table["repo"], table["github_id"], table["language"], table["lists"], table["stars"], table["last"])]


def repo(repository: str) -> Repo | None:
    key = repository.strip().lower()
    if key.count("/") != 1:
        return None
    return next((r for r in repos_named({match_key(key.split("/")[1])}) if r.repo == key), None)


@lru_cache(maxsize=1)
def _best_of() -> tuple[dict[str, BestOf], dict[str, BestOf]]:
    """best-of-ml-python's projects by PyPI name and by every repository name they had."""
    table = read_whole("best_of_projects.parquet", ["project", "github_id", "names", "repos", "pypi"]).to_pydict()
    by_pypi, by_repo = {}, {}
    for project, github_id, names, repos_text, pypi_text in zip(table["project"], table["github_id"], table["names"],
                                                                 table["repos"], table["pypi"]):
        entry = BestOf(project, github_id, names.split(" | ")[-1], tuple(pypi_text.split()))
        by_pypi.update(dict.fromkeys(entry.pypi, entry))
        by_repo.update(dict.fromkeys(repos_text.split(), entry))
    return by_pypi, by_repo


def best_of_for_pypi(project: str) -> BestOf | None:
    return _best_of()[0].get(normalise_pypi(project))


def best_of_for_repo(repository: str) -> BestOf | None:
    by_repo = _best_of()[1]
    return next((by_repo[n] for n in github_names(repository) if n in by_repo), None)


@lru_cache(maxsize=1)
def import_names() -> dict[str, list[str]]:
    """match_key(import name) -> the PyPI projects bndr/pipreqs maps it to."""
    found: dict[str, list[str]] = {}
    for line in (history_folder() / "pipreqs_mapping.txt").read_text(encoding="utf-8").splitlines():
        if ":" in line:
            module, project = line.split(":", 1)
            found.setdefault(match_key(module), []).append(normalise_pypi(project))
    return found


@lru_cache(maxsize=1)
def survey_labels() -> dict[str, list[SurveyLabel]]:
    """Label key -> the survey options it names, every year and question. In a question that offers both 'X' and
    'X.js' (2020-2022: 'Angular' and 'Angular.js', AngularJS), 'X.js' is its own option, not X."""
    table = read_whole("stackoverflow_survey.parquet", ["year", "question", "topic", "option"]).to_pydict()
    blocks: dict[tuple[int, str], set[str]] = {}
    options = set(zip(table["year"], table["question"], table["topic"], table["option"]))
    for year, question, _, option in options:
        blocks.setdefault((int(year), question), set()).add(match_key(option))
    found: dict[str, list[SurveyLabel]] = {}
    for year, question, topic, option in sorted(options):
        label = SurveyLabel(int(year), question, topic, option)
        siblings = blocks[(int(year), question)] - {match_key(option)}
        for key in label_keys(option) - siblings:
            found.setdefault(key, []).append(label)
    return found


@lru_cache(maxsize=1)
def _newest_names() -> dict[str, str]:
    """Each repository name -> the name it has now, following the moves old -> new to the end."""
    table = read_whole("github_moves.parquet", ["old", "new"]).to_pydict()
    moves = dict(zip(table["old"], table["new"]))
    newest = {}
    for old in moves:
        name, seen = old, {old}
        while name in moves and moves[name] not in seen:
            name = moves[name]
            seen.add(name)
        newest[old] = name
    return newest


def current_name(repository: str) -> str:
    key = repository.strip().lower()
    return _newest_names().get(key, key)


# -- resolution ----------------------------------------------------------------------------------------------------
@dataclass
class _Draft:
    """What is known while a name is resolved (mutable; frozen into a Resolution at the end)."""

    name: str
    pypi: list[Found] = field(default_factory=list)
    github: Found | None = None
    so: Found | None = None
    synonyms: list[str] = field(default_factory=list)
    survey: list[SurveyLabel] = field(default_factory=list)
    wikipedia: Found | None = None
    npm: Found | None = None
    alternatives: list[Found] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    looked_up: list[str] = field(default_factory=list)
    pypi_repo: dict[str, str] = field(default_factory=dict)   # PyPI project -> repository its metadata names

    def problem(self, kind: str, words: str) -> None:
        self.problems.append(Problem(kind, words))


def resolve(name: str, *, pin: Pin | None = None, http: Http | None = None) -> Resolution:
    """The identities of `name`: offline from the bundled index, and online too when `http` is given."""
    name = check_name(name)
    draft = _Draft(name)
    draft.looked_up.append("bundled index")
    pinned = pin.has if pin is not None else (lambda kind: False)
    if not pinned("pypi"):
        _pypi_offline(draft)
        if http is not None:
            _pypi_online(draft, http)
    if not pinned("github"):
        _github(draft)
    if not pinned("pypi"):
        _pypi_of_repository(draft)
    if not pinned("survey"):
        _survey(draft)
    if pin is not None:
        _apply_pin(draft, pin)
    if not pinned("pypi"):
        _check_pypi_belongs(draft)
    if http is not None and not pinned("so"):
        _stackoverflow_online(draft, http)
    if http is not None and not pinned("wikipedia"):
        _wikipedia_online(draft, http)
    if not pinned("npm"):
        _npm_guess(draft)
    return _finish(draft)


def resolve_all(names: Iterable[str], *, pins: Mapping[str, Pin] | None = None,
                http: Http | None = None) -> list[Resolution]:
    """Each name resolved; a pin for a name that is not among them is an InputError (a typo in --as)."""
    names = [check_name(n) for n in names]
    pins = dict(pins or {})
    unknown = set(pins) - set(names)
    if unknown:
        raise InputError(f"--as names {', '.join(sorted(unknown))}, which is not among the names given "
                         f"({', '.join(names)})")
    return [resolve(n, pin=pins.get(n), http=http) for n in names]


def _pypi_offline(draft: _Draft) -> None:
    """The project of that name, or the project the name is the import name of, whichever is the larger: the
    projects named like an import name (sklearn, bs4) are placeholders far smaller than the library."""
    project = normalise_pypi(draft.name)
    imported = [p for p in import_names().get(match_key(draft.name), []) if p != project]
    known = pypi_projects([project, *imported])
    direct = known.get(project)
    target = max((p for p in imported if p in known), key=lambda p: known[p][0], default=None)
    if target and (direct is None or known[target][0] > direct[0]):
        detail = f"'{draft.name}' is its import name (bndr/pipreqs)"
        if direct:
            draft.alternatives.append(Found("pypi", project, PYPI_INDEX, f"set aside: another project, named like "
                                            f"the import name; {_downloads(project, direct)}"))
        draft.pypi.append(Found("pypi", target, IMPORT_NAMES, f"{detail}; {_downloads(target, known[target])}"))
    elif direct:
        if target:
            draft.alternatives.append(Found("pypi", target, IMPORT_NAMES, f"set aside: pipreqs maps the import name "
                                            f"'{draft.name}' to it, but it is the smaller; "
                                            f"{_downloads(target, known[target])}"))
        draft.pypi.append(Found("pypi", project, PYPI_INDEX, _downloads(project, direct)))


def _downloads(project: str, figures: tuple[int, int, str] | None = None) -> str:
    figures = figures or pypi_projects([project]).get(project)
    if figures is None:
        return "not in the bundled PyPI history (below its top lists)"
    downloads, rank, last = figures
    return f"{downloads:,} downloads in the snapshot of {last}, rank {rank:,}"


def _github(draft: _Draft) -> None:
    for found in draft.pypi:   # the repository something links to the PyPI project
        linked = best_of_for_pypi(found.value)
        if linked:
            _take_repo(draft, linked.github_id, BEST_OF, f"paired with PyPI {found.value} as '{linked.name}'")
            return
        named = draft.pypi_repo.get(found.value)
        if named:
            _take_repo(draft, named, PYPI_API, f"named by PyPI {found.value}'s project_urls")
            return
    exact = {match_key(draft.name)} | {match_key(f.value) for f in draft.pypi}
    keys = exact
    found_repos = repos_named(exact)
    if not found_repos:   # 'react.js' is the repository 'react' when no repository is named 'react.js'
        keys = name_keys(draft.name) | exact
        found_repos = repos_named(keys)
    candidates: dict[str, Repo] = {}
    newest = {r.repo: current_name(r.repo) for r in found_repos}
    moved_to = {repo(n) for n in set(newest.values()) - {r.repo for r in found_repos}} - {None}
    for r in [*found_repos, *moved_to]:
        key = newest.get(r.repo, r.repo)
        if key not in candidates or r.repo == key:
            candidates[key] = replace(r, repo=key) if r.repo != key else r
    if not candidates:
        return
    ranked = sorted(candidates.values(), key=lambda r: -r.stars)
    owned = [r for r in ranked if match_key(r.owner) in keys]
    if len(owned) == 1 and len(ranked) > 1:
        first, how = owned[0], "its owner and name are the name"
    else:
        first, how = ranked[0], ""
        if len(ranked) > 1 and first.stars < DOMINANCE * ranked[1].stars:
            draft.problem("github", f"GitHub has {len(ranked)} repositories named {draft.name!r} in its top-100 "
                          "lists, none far ahead: " + ", ".join(
                              f"{r.github_id} ({r.stars:,} stars, {r.language or 'no language'})" for r in ranked[:3])
                          + ".")
            draft.alternatives += [Found("github", r.repo, GITHUB_INDEX, f"{r.stars:,} stars") for r in ranked]
            return
    detail = f"{first.stars:,} stars on {first.last}, {first.language or 'no language'}"
    if how:
        detail += f"; {how}"
    if len(ranked) > 1:
        detail += f"; {len(ranked) - 1} other repository of that name set aside"
        draft.alternatives += [Found("github", r.repo, GITHUB_INDEX, f"set aside: {r.stars:,} stars")
                               for r in ranked if r is not first]
    _take_repo(draft, first.repo, GITHUB_INDEX, detail)


def _take_repo(draft: _Draft, repository: str, origin: str, detail: str) -> None:
    newest = current_name(repository)
    known = repo(newest)
    if newest != repository.strip().lower():
        detail += f"; moved from {repository} (the history lists it under both names)"
    draft.github = Found("github", known.github_id if known else newest, origin, detail)


def _pypi_of_repository(draft: _Draft) -> None:
    """When best-of-ml-python pairs the repository with another PyPI project than the name's (pytorch/pytorch is
    PyPI torch; the project 'pytorch' is a placeholder), the repository's project is the library's."""
    if draft.github is None:
        return
    entry = best_of_for_repo(draft.github.value)
    if entry is None or not entry.pypi or {f.value for f in draft.pypi} & set(entry.pypi):
        return
    draft.alternatives += [replace(f, detail=f"set aside: best-of-ml-python pairs {draft.github.value} with "
                                             f"{', '.join(entry.pypi)}; {f.detail}") for f in draft.pypi]
    draft.pypi = [Found("pypi", p, BEST_OF, f"paired with {draft.github.value} as '{entry.name}'; {_downloads(p)}")
                  for p in entry.pypi]


def _survey(draft: _Draft) -> None:
    labels_by_key = survey_labels()
    keys = {match_key(draft.name)} | {match_key(f.value) for f in draft.pypi}
    if draft.github:
        keys.add(match_key(draft.github.value.split("/")[-1]))
    labels = {label for key in keys for label in labels_by_key.get(key, [])}
    if not labels:   # 'vue.js' is the option 'Vue' when no option is 'Vue.js'
        labels = {label for key in name_keys(draft.name) for label in labels_by_key.get(key, [])}
    draft.survey = sorted(labels, key=lambda s: (s.year, s.topic, s.label))


def _apply_pin(draft: _Draft, pin: Pin) -> None:
    if pin.has("pypi"):
        draft.pypi = [Found("pypi", normalise_pypi(p), PINNED, _downloads(normalise_pypi(p)))
                      for p in pin.pypi if p != NONE]
        draft.alternatives = [a for a in draft.alternatives if a.kind != "pypi"]
    if pin.has("github"):
        draft.github = None
        draft.alternatives = [a for a in draft.alternatives if a.kind != "github"]
        draft.problems = [p for p in draft.problems if p.kind != "github"]
        if pin.github != NONE:
            _take_repo(draft, pin.github, PINNED, "as given")
    if pin.has("survey"):
        wanted = {label.strip().casefold() for label in pin.survey if label != NONE}
        every = {label for labels in survey_labels().values() for label in labels}
        draft.survey = sorted((s for s in every if s.label.strip().casefold() in wanted),
                              key=lambda s: (s.year, s.topic, s.label))
        missing = wanted - {s.label.strip().casefold() for s in draft.survey}
        if missing:
            shown = [label for label in pin.survey if label.strip().casefold() in missing]
            raise InputError(f"--as {pin.name}: no survey option is labelled "
                             f"{', '.join(repr(m) for m in shown)} in any year (labels are matched "
                             f"whole, any case: e.g. survey:\"React.js\")")
    if pin.has("so"):
        draft.so = None if pin.so == NONE else Found("so", pin.so, PINNED, "as given", confirmed=False)
    if pin.has("wikipedia"):
        draft.wikipedia = None if pin.wikipedia == NONE else Found("wikipedia", pin.wikipedia, PINNED, "as given",
                                                                    confirmed=False)
    if pin.has("npm"):
        draft.npm = None if pin.npm == NONE else Found("npm", pin.npm, PINNED, "as given", confirmed=False)


def _check_pypi_belongs(draft: _Draft) -> None:
    """A PyPI project nothing links to, beside a repository or survey option of another kind: two things."""
    if not draft.pypi:
        return
    linked: set[str] = set()
    for found in draft.pypi:
        entry = best_of_for_pypi(found.value)
        if entry:
            linked |= github_names(entry.project)
        if found.value in draft.pypi_repo:
            linked |= github_names(draft.pypi_repo[found.value])
    if draft.github and github_names(draft.github.value) & linked:
        return
    reasons = []
    known = repo(draft.github.value) if draft.github else None
    if known is not None and known.language and known.language.casefold() not in PYTHON_LANGUAGES:
        reasons.append(f"the GitHub repository {known.github_id} is {known.language}")
    topics = {s.topic for s in draft.survey}
    if topics and topics <= NOT_PACKAGES:
        reasons.append(f"the survey offers {draft.survey[-1].label.strip()!r} among {', '.join(sorted(topics))}")
    if not reasons:
        return
    projects = ", ".join(f"PyPI {f.value} ({f.detail})" for f in draft.pypi)
    draft.problem("pypi", f"{projects} is linked to nothing else found, and {' and '.join(reasons)}: probably "
                          f"another thing with the same name.")
    draft.alternatives += [replace(f, detail=f"set aside: {f.detail}") for f in draft.pypi]
    draft.pypi = []


def _npm_guess(draft: _Draft) -> None:
    if draft.npm is not None or draft.github is None:
        return
    known = repo(draft.github.value)
    if known and known.language.casefold() in JAVASCRIPT_LANGUAGES:
        draft.npm = Found("npm", known.name, REPOSITORY_NAME,
                          f"a guess: {known.github_id} is {known.language}; check the package name", confirmed=False)


def _finish(draft: _Draft) -> Resolution:
    found_anything = draft.pypi or draft.github or draft.survey or draft.so or draft.wikipedia
    if draft.problems:
        status = AMBIGUOUS
    elif found_anything:
        status = RESOLVED
    else:
        status = NOT_FOUND
        draft.problems = [Problem("pypi", f"no PyPI project {normalise_pypi(draft.name)!r} in the bundled top lists"),
                          Problem("github", "no GitHub repository of that name in the top-100 lists"),
                          Problem("survey", "no Stack Overflow survey option of that name")]
    former: tuple[str, ...] = ()
    if draft.github:
        former = tuple(sorted(n for n in github_names(draft.github.value) if n != draft.github.value.lower()))
    return Resolution(
        name=draft.name, id=contender_id(draft.name), display=_display(draft), status=status, pypi=tuple(draft.pypi),
        github=draft.github, github_former=former, stackoverflow_tag=draft.so, tag_synonyms=tuple(draft.synonyms),
        survey=tuple(draft.survey), wikipedia=draft.wikipedia, npm=draft.npm, alternatives=tuple(draft.alternatives),
        problems=tuple(draft.problems), looked_up=tuple(draft.looked_up))


def _display(draft: _Draft) -> str:
    """The name a reader knows it by: best-of-ml-python's name or the survey's latest label (the part of
    'Torch/PyTorch' that is one of them), else the PyPI project an import name stands for, the repository's
    name, the name given."""
    entry = next((best_of_for_pypi(f.value) for f in draft.pypi if best_of_for_pypi(f.value)), None)
    if entry is None and draft.github:
        entry = best_of_for_repo(draft.github.value)
    if draft.survey:
        parts = [p.strip() for p in max(draft.survey, key=lambda s: s.year).label.split("/")]
        if entry and match_key(entry.name) in {match_key(p) for p in parts}:
            return entry.name
        given = name_keys(draft.name)
        return next((p for p in parts if match_key(p) in given), parts[0])
    if entry:
        return entry.name
    if draft.pypi:
        return draft.pypi[0].value
    if draft.github:
        return draft.github.value.split("/")[1]
    return draft.name


# -- online ----------------------------------------------------------------------------------------------------------
def _providers():
    """The providers resolution asks (PyPI's JSON API and Wikipedia's search are asked by nothing else; Stack
    Exchange is the Stack Overflow source's own provider: one key, one quota, one limiter)."""
    from mindshare.http import Limit, Provider
    from mindshare.sources.stackexchange import StackExchangeSource

    pypi = Provider("pypi-json", "PyPI JSON API", "pypi.org", limit=Limit(per_second=5.0, burst=5, concurrency=2),
                    limits_doc="https://docs.pypi.org/api/json/",
                    hint="PyPI's JSON API did not answer; try again later or pin the project with --as")
    wikipedia = Provider("wikipedia-search", "Wikipedia search (MediaWiki Action API)", "en.wikipedia.org",
                         limit=Limit(per_second=5.0, burst=5, concurrency=2),
                         limits_doc="https://www.mediawiki.org/wiki/API:Etiquette",
                         hint="Wikimedia asks for a User-Agent with contact details: set MINDSHARE_CONTACT")
    return pypi, StackExchangeSource.provider, wikipedia


PYPI_JSON_URL = "https://pypi.org/pypi/{project}/json"
SE_API = "https://api.stackexchange.com/2.3"
WIKIPEDIA_API_URL = "https://en.wikipedia.org/w/api.php"


def repository_of(info: Mapping[str, Any]) -> str | None:
    """owner/name of the GitHub repository a PyPI project's metadata names (project_urls first: Source, Repository,
    Code, then any; home_page last), lower case; None when it names none."""
    urls = dict(info.get("project_urls") or {})
    preferred = sorted(urls, key=lambda k: (not re.search(r"source|repo|code|github", k, re.IGNORECASE), k))
    for url in [urls[k] for k in preferred] + [info.get("home_page") or ""]:
        found = GITHUB_URL.search(str(url or ""))
        if found and found.group(1).lower() not in ("sponsors", "orgs"):
            return f"{found.group(1)}/{found.group(2)}".lower()
    return None


def _pypi_online(draft: _Draft, http: Http) -> None:
    """PyPI's own word on the projects found (and on a same-name project set aside for an import name's): its
    canonical name, the repository its metadata names, and a summary that says it is deprecated."""
    provider = _providers()[0]
    draft.looked_up.append(PYPI_API)
    set_aside = [a.value for a in draft.alternatives if a.kind == "pypi" and a.origin == PYPI_INDEX]
    asked = [f.value for f in draft.pypi] or [normalise_pypi(draft.name)]
    for project in dict.fromkeys([*asked, *set_aside]):
        response = http.get(provider, PYPI_JSON_URL.format(project=project), ok=(404,),
                            headers={"accept": "application/json"})
        if response.status_code == 404:
            if not draft.pypi:
                draft.alternatives.append(Found("pypi", project, PYPI_API, "not on PyPI (HTTP 404)"))
            continue
        body = http.parse_json(provider, response)
        info = (body.get("info") if isinstance(body, dict) else None) or {}
        summary = str(info.get("summary") or "")
        deprecated = bool(re.search(r"\bdeprecated\b.*\buse\b", summary, re.IGNORECASE))
        if project in set_aside:
            draft.alternatives = [replace(a, detail=f"{a.detail}; PyPI's summary: {summary!r}")
                                  if a.kind == "pypi" and a.value == project and summary else a
                                  for a in draft.alternatives]
            continue
        if deprecated:
            draft.problem("pypi", f"PyPI says of {project!r}: {summary!r}.")
        repository = repository_of(info)
        if repository:
            draft.pypi_repo[project] = repository
        if not draft.pypi:
            canonical = normalise_pypi(str(info.get("name") or project))
            draft.pypi.append(Found("pypi", canonical, PYPI_API,
                                    f"on PyPI as {info.get('name') or project}; not in the bundled top lists"))


def tag_candidates(draft_name: str, others: Iterable[str] = ()) -> list[str]:
    """Tags a name may go by on Stack Overflow (lower case, spaces as -): the name, name+'js', name+'.js', and the
    names found elsewhere (the PyPI project, the repository's name)."""
    base = draft_name.strip().casefold().replace(" ", "-")
    names = [base, f"{base}js", f"{base}.js", *(o.casefold().replace(" ", "-") for o in others)]
    return [n for n in dict.fromkeys(names) if n and re.fullmatch(r"[a-z0-9.+#-]+", n)][:20]


def _stackoverflow_online(draft: _Draft, http: Http) -> None:
    provider = _providers()[1]
    draft.looked_up.append(STACK_EXCHANGE_API)
    others = [f.value for f in draft.pypi] + ([draft.github.value.split("/")[1]] if draft.github else [])
    candidates = tag_candidates(draft.name, others)
    data, _ = http.fetch_json(provider, f"{SE_API}/tags/{';'.join(candidates)}/info",
                              {"site": "stackoverflow", "pagesize": 100})
    masters = {str(item["name"]): int(item.get("count") or 0) for item in data.get("items") or []}
    if not masters:
        return
    synonyms, _ = http.fetch_json(provider, f"{SE_API}/tags/{';'.join(masters)}/synonyms",
                                  {"site": "stackoverflow", "pagesize": 100})
    pointing: dict[str, list[str]] = {}
    for item in synonyms.get("items") or []:
        pointing.setdefault(str(item["to_tag"]), []).append(str(item["from_tag"]))
    base = candidates[0]
    chosen = base if base in masters else next((m for m, froms in pointing.items() if base in froms), None)
    how = "the name is the tag" if chosen == base else f"[{base}] is a synonym of [{chosen}]" if chosen else ""
    if chosen is None:
        chosen = max(masters, key=masters.get)
        how = f"the tag with the most questions among {', '.join(f'[{m}]' for m in masters)}"
        if len(masters) > 1:
            draft.alternatives += [Found("so", m, STACK_EXCHANGE_API, f"set aside: {masters[m]:,} questions")
                                   for m in masters if m != chosen]
    draft.so = Found("so", chosen, STACK_EXCHANGE_API, f"{masters[chosen]:,} questions; {how}")
    draft.synonyms = sorted(pointing.get(chosen, []))


def _wikipedia_online(draft: _Draft, http: Http) -> None:
    provider = _providers()[2]
    draft.looked_up.append(WIKIPEDIA_API)
    display = _display(draft)
    data, _ = http.fetch_json(provider, WIKIPEDIA_API_URL, {
        "action": "query", "list": "search", "srsearch": display, "srlimit": 10, "srprop": "", "format": "json",
        "formatversion": 2})
    titles = [str(hit.get("title")) for hit in (data.get("query") or {}).get("search") or []]
    chosen = choose_article(display, titles) or choose_article(draft.name, titles)
    if chosen:
        title, how = chosen
        draft.wikipedia = Found("wikipedia", title, WIKIPEDIA_API, how)


def choose_article(name: str, titles: list[str]) -> tuple[str, str] | None:
    """The search hit that is the technology: 'Name (software)' and the like first, else the bare title 'Name'."""
    key = match_key(name)
    for title in titles:
        found = re.fullmatch(r"(.+?) \((.+)\)", title)
        if found and match_key(found.group(1)) == key and found.group(2).casefold() in WIKIPEDIA_QUALIFIERS:
            return title, f"the search's hit for {name!r} qualified '({found.group(2)})'"
    for title in titles:
        if match_key(title) == key:
            return title, f"the search's hit titled {name!r}"
    return None


# -- pins --------------------------------------------------------------------------------------------------------------
_PIN_PART = re.compile(r'\s*(?P<key>[a-z]+)\s*:\s*(?P<value>"(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)')


def parse_pin(text: str) -> Pin:
    """`NAME=pypi:x,github:o/r,so:tag,survey:"Label",wikipedia:"Title",npm:pkg` (keys repeat for pypi and survey;
    `-` is "none"); an InputError saying what is wrong otherwise."""
    if "=" not in text:
        raise InputError(f"--as {text!r}: write NAME=pypi:PROJECT,github:OWNER/REPO,so:TAG,survey:\"Label\"")
    name, spec = text.split("=", 1)
    name = check_name(name)
    values: dict[str, list[str]] = {}
    position = 0
    spec = spec.strip()
    if not spec:
        raise InputError(f"--as {name}=: nothing after '='; give at least one of {', '.join(KINDS)}")
    while position < len(spec):
        part = _PIN_PART.match(spec, position)
        if part is None or part.end() == position:
            raise InputError(f"--as {name}: cannot read {spec[position:]!r}; parts are key:value separated by commas "
                             f"(keys {', '.join(KINDS)}; quote a value holding a comma)")
        key, value = part.group("key"), part.group("value").strip()
        if key not in KINDS:
            raise InputError(f"--as {name}: unknown key {key!r}; keys are {', '.join(KINDS)}")
        if value.startswith('"'):
            value = re.sub(r'\\(.)', r"\1", value[1:-1])
        if not value:
            raise InputError(f"--as {name}: {key} has no value (use {key}:- for none)")
        values.setdefault(key, []).append(value)
        position = part.end()
    for key in ("github", "so", "wikipedia", "npm"):
        if len(values.get(key, [])) > 1:
            raise InputError(f"--as {name}: {key} is given {len(values[key])} times; give it once")
    github = values.get("github", [None])[0]
    if github not in (None, NONE) and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", github):
        raise InputError(f"--as {name}: github must be owner/name, not {github!r}")
    for project in values.get("pypi", []):
        if project != NONE and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", project):
            raise InputError(f"--as {name}: {project!r} is not a PyPI project name")
    return Pin(name=name, pypi=tuple(values.get("pypi", ())), github=github, so=values.get("so", [None])[0],
               survey=tuple(values.get("survey", ())), wikipedia=values.get("wikipedia", [None])[0],
               npm=values.get("npm", [None])[0])


def parse_pins(texts: Iterable[str]) -> dict[str, Pin]:
    """Every `--as`, by name; the same name pinned twice is an InputError."""
    pins: dict[str, Pin] = {}
    for text in texts:
        pin = parse_pin(text)
        if pin.name in pins:
            raise InputError(f"--as {pin.name} is given twice; give each name once")
        pins[pin.name] = pin
    return pins


__all__ = [
    "AMBIGUOUS",
    "KINDS",
    "NONE",
    "NOT_FOUND",
    "RESOLVED",
    "BestOf",
    "Found",
    "Pin",
    "Problem",
    "Repo",
    "Resolution",
    "SurveyLabel",
    "best_of_for_pypi",
    "best_of_for_repo",
    "check_name",
    "choose_article",
    "contender_id",
    "current_name",
    "import_names",
    "label_keys",
    "match_key",
    "parse_pin",
    "parse_pins",
    "pypi_projects",
    "repo",
    "repos_named",
    "repository_of",
    "resolve",
    "resolve_all",
    "survey_labels",
    "tag_candidates",
]
