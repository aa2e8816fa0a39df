"""`mindshare publish`: the answer as a static site people link to, embed and follow (mindshare.site), and
`--workflow github`, the GitHub Actions workflow that refreshes it on a schedule.

Everything the user gave is checked before anything is read or written (the site folder, the address, the number
of months); the whole site is then made in memory (site.publish.site_files) and laid over the folder in one go
(site.folder): a publish that fails on the way leaves the site as it was.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional

import typer

from mindshare import console
from mindshare.commands._common import FieldOption, QuietOption, VerboseOption, application, prints_no_data
from mindshare.errors import InputError
from mindshare.fields import Field, load_field

if TYPE_CHECKING:
    from mindshare.settings import Settings
    from mindshare.site.folder import SiteFolder

DEFAULT_HISTORY = 24


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)


@prints_no_data  # it writes a site and says where
def publish(
    ctx: typer.Context,
    site: Optional[Path] = typer.Argument(
        None, metavar="SITE", show_default=False,
        help="The site folder: new, empty, or a site mindshare published before (never another folder)."),
    field: FieldOption = None,
    contenders: Optional[List[str]] = typer.Option(
        None, "--contenders", metavar="NAME,NAME,...",
        help="Publish the answer for these contenders (ids or names of the field, or names to resolve, as "
             "`mindshare compare` does), comma-separated or repeated."),
    base_url: Optional[str] = typer.Option(
        None, "--base-url", metavar="URL",
        help="The address the site is served at (https://you.github.io/mindshare/): canonical links, the preview "
             "card and the feed need it. Without it, the site works from the folder and has no feed."),
    history: int = typer.Option(
        DEFAULT_HISTORY, "--history", metavar="MONTHS",
        help="How many months the scoreboard through time reads (each month end), from 1 to 120."),
    workflow: Optional[str] = typer.Option(
        None, "--workflow", metavar="github",
        help="Instead of publishing, write the GitHub Actions workflow that collects and publishes on a schedule "
             "(.github/workflows/mindshare-publish.yml in the current folder; needs --base-url)."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Publish the answer as a static site: index.html (today's answer, with its preview card), a permalink per
    publish that never changes, latest/ and archive/, the scoreboard through time (history/), embeddable charts and
    badges (embed/, badge/), an Atom feed and the numbers (data/).

    Publishing again with no new data changes no file; an older permalink is never rewritten; files you added to
    the folder stay. docs/publish.md says how to serve it and refresh it on a schedule.
    """
    from mindshare.site.options import check_history
    from mindshare.site.urls import base_url as checked_base_url

    started = time.perf_counter()
    try:
        base = checked_base_url(base_url) if base_url is not None else None
    except ValueError as exc:
        raise InputError(f"--base-url: {exc}") from None
    if workflow is not None:
        _write_workflow(workflow, base, field, contenders, history)
        return
    months = check_history(history)
    if site is None:
        raise InputError("give the site folder to publish to (mindshare publish SITE/), or --workflow github")
    from mindshare.site.folder import SiteFolder

    folder = SiteFolder(site)          # a folder that is not a site is refused here, before the store is opened
    chosen = _field(field, contenders)
    settings = application(ctx).settings
    console.detail(f"store {settings.store_path}; field {chosen.path}; cache {settings.cache_root}")
    from mindshare.report import build
    from mindshare.site import identity as site_identity

    today = date.today()
    store_path = settings.store_path

    def identity_of(digest: str) -> str:
        return site_identity.site_identity(digest, store_path.name, chosen, base=base, months=months, today=today)

    # the store as the last publish read it (its digest remembered beside the file's state), and the folder as that
    # publish left it: nothing to make, and the store is not even opened (site.identity)
    known = build.remembered_store_digest(store_path, chosen)
    last = site_identity.unchanged(folder, identity_of(known)) if known is not None else None
    if last is not None:
        console.detail("the store, field, options, day and site are as the last publish left them: nothing to make")
        permalink, what = last.permalink, f"nothing changed ({last.files} files)"
    else:
        permalink, what = _publish(settings, chosen, folder, base=base, months=months, today=today, known=known,
                                   identity_of=identity_of)
    if console.verbosity() is not console.Verbosity.QUIET:
        elapsed = time.perf_counter() - started
        console.out.print(f"published {permalink} to {folder.path} in {elapsed:.1f}s: {what}", markup=False)
        console.out.print(f"  open {folder.path / 'index.html'}", markup=False)


def _publish(settings: Settings, chosen: Field, folder: SiteFolder, *, base: str | None, months: int, today: date,
             known: str | None, identity_of: Callable[[str], str]) -> tuple[str, str]:
    """The publish: the store read, the site made and laid over the folder, unless the store, read now, shows that
    the folder is as the last publish of this identity left it. (the permalink, what was done)."""
    from mindshare.overlay import joined
    from mindshare.report import build
    from mindshare.session import session
    from mindshare.site import identity as site_identity
    from mindshare.site.publish import site_files

    before = build.store_state_before_reading(settings.store_path)
    # the store joined with the bundled history of the field's contenders, as `report` reads it: the site says what
    # the report says, for contenders the store has not collected (polars, pandas) as for the bundled field
    with session(settings=settings, read_only=None) as store, joined(store, chosen):
        digest = build.store_digest(store)
        identity = identity_of(digest)
        last = site_identity.unchanged(folder, identity) if digest != known else None
        made = site_files(store, chosen, folder, base=base, months=months, today=today) if last is None else None
    build.remember_store_digest(settings.store_path, chosen, before, digest)
    if made is None:
        assert last is not None
        return last.permalink, f"nothing changed ({last.files} files)"
    done = folder.write(made.files)
    site_identity.remember(folder, identity, made.permalink, made.files)
    what = (f"{len(done.written)} files written, {len(done.unchanged)} unchanged, {len(done.removed)} removed"
            if done.written or done.removed else f"nothing changed ({len(done.unchanged)} files)")
    return made.permalink, what


def _field(name: str | None, contenders: list[str] | None) -> Field:
    """The field, or the contenders asked for: each an id or name of the field, else a name resolved offline
    (mindshare.resolve, as `mindshare compare` resolves names)."""
    base = load_field(name)
    names = [part.strip() for given in contenders or [] for part in given.split(",") if part.strip()]
    if not names:
        return base
    chosen = []
    for wanted in dict.fromkeys(names):
        found = base.find(wanted)
        if found is None:
            from mindshare.resolve import RESOLVED, resolve

            resolution = resolve(wanted)
            if resolution.status != RESOLVED:
                raise InputError(f"--contenders: {resolution.message()}")
            found = resolution.contender()
        chosen.append(found)
    if len(chosen) < 2:
        raise InputError("--contenders: give two contenders or more, to compare")
    title = " vs ".join(c.name for c in chosen)
    return replace(base, name="-".join(c.id for c in chosen), title=title, contenders=tuple(chosen),
                   reference=base.reference if all(base.find(c.id) for c in chosen) else None)


def _write_workflow(kind: str, base: str | None, field: str | None, contenders: list[str] | None,
                    history: int) -> None:
    """`--workflow github`: .github/workflows/mindshare-publish.yml in the current folder, unless a different file
    is there already (it may be the user's own: it is never overwritten)."""
    from mindshare.site.options import check_history
    from mindshare.site.workflow import WORKFLOW_PATH, github_workflow

    if kind != "github":
        raise InputError(f"--workflow {kind}: the one workflow mindshare writes is 'github' (GitHub Actions); "
                         "docs/publish.md gives the cron + rsync equivalent for a plain server")
    if base is None:
        raise InputError("--workflow github needs --base-url, the address GitHub Pages serves the site at "
                         "(https://OWNER.github.io/REPOSITORY/)")
    text = github_workflow(base, field=field, contenders=contenders, history=check_history(history))
    target = Path(WORKFLOW_PATH)
    if target.exists() or target.is_symlink():
        if target.is_file() and target.read_text(encoding="utf-8", errors="replace") == text:
            console.out.print(f"{target} is already this workflow: nothing to write", markup=False)
            return
        raise InputError(f"{target} is already there and is not this workflow; move it away to write a new one")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc} (is .github or .github/workflows a "
                         "file?)") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    console.out.print(f"wrote {target}: commit it, then in the repository's settings set Pages > Source to "
                      "'GitHub Actions' and add your tokens as secrets (docs/publish.md)", markup=False)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
