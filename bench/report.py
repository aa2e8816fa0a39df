"""Time `mindshare report` on the bundled data: cold (new store, empty cache: a user's first report) and warm (the
same store again: no new data); then weigh the page.

Prints each figure beside its anchor, the cost of starting Python and importing mindshare that every command pays
(`python -c "import mindshare.cli"`), measured in the same run, and each as a multiple of it against its goal
(issue 23: a warm report at most 3x the anchor, a first report at most 10x); whether the first report said what
it was doing on stderr; the size of index.html and its height at 1366 px wide in a real Chromium (goals: under
1 MB, under 15,000 px), with the pages beside it.

Warm means what a user's second run is: Python's bytecode cache written. The first warm run after the store changed
(here: after the cold run loaded the bundle) opens the store to read its digest, the next ones do not
(report.build.store_state); the median is of all warm runs, and the first is printed on its own. Where the environment sets
PYTHONDONTWRITEBYTECODE (this workplace's sandbox does), every run would compile mindshare's sources again
(~0.5 s), so the variable is removed for the timed commands; `--keep-env` keeps it.

    .venv/bin/python bench/report.py [--runs 5] [--ref main] [--screenshots docs]

`--screenshots DIR` also saves the first screen at 1366 x 768 and at 390 x 844 (first-screen-1366.png,
first-screen-390.png: the pictures in docs/) and prints where the answer ends at 1366 px.

`--ref REF` times the code at that git ref instead (taken with `git archive`, first on PYTHONPATH), for a
before/after pair measured minutes apart on the same machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_WARM_TIMES = 3.0      # x the import anchor
GOAL_COLD_TIMES = 10.0
GOAL_PAGE_BYTES = 1_000_000
GOAL_PAGE_HEIGHT = 15_000
CHROMIUM = "/usr/bin/chromium"


def timed(command: list[str], env: dict[str, str], said: list[str] | None = None) -> float:
    """Seconds `command` took; what it said on stderr goes to `said`."""
    started = time.perf_counter()
    done = subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if said is not None:
        said.extend(done.stderr.splitlines())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep-env", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set")
    parser.add_argument("--ref", help="time the code at this git ref instead of this worktree's")
    parser.add_argument("--screenshots", type=Path, help="save the first screen at 1366 and 390 px wide here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        env = {**os.environ, "MINDSHARE_DB": str(scratch_path / "bench.duckdb"),
               "MINDSHARE_CACHE": str(scratch_path / "cache")}
        if args.ref:
            sys.path.insert(0, str(Path(__file__).parent))
            from report_identity import code_at

            env["PYTHONPATH"] = str(code_at(args.ref, scratch_path / "ref"))
        if not args.keep_env:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        report = [sys.executable, "-m", "mindshare", "report", "--out", str(scratch_path / "report")]
        startup = [sys.executable, "-c", "import mindshare.cli"]
        said: list[str] = []
        imports_before = [timed(startup, env) for _ in range(args.runs)]
        cold = timed(report, env, said)
        warm = [timed(report, env) for _ in range(args.runs)]
        imports = imports_before + [timed(startup, env) for _ in range(args.runs)]
        folder = scratch_path / "report"
        sizes = {name: (folder / name).stat().st_size for name in ("index.html", "sources.html", "vega.js")
                 if (folder / name).exists()}
        height, answer_end = page_height(folder / "index.html", args.screenshots)
    print(f"code: {args.ref or 'this worktree'}  cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  "
          f"bytecode cache: {'off' if 'PYTHONDONTWRITEBYTECODE' in env else 'on'}")
    anchor = statistics.median(imports)
    print(f"anchor: python start + import mindshare.cli, median of {len(imports)}: {anchor:6.2f} s")
    print(f"cold report (new store, bundle import, empty cache):     {cold:6.2f} s = {cold / anchor:5.1f}x the anchor"
          f" (goal <= {GOAL_COLD_TIMES:.0f}x)")
    print(f"  it said on stderr: {' | '.join(line.strip() for line in said) or 'nothing'}")
    print(f"warm report, no new data, median of {args.runs}:           {statistics.median(warm):6.2f} s = "
          f"{statistics.median(warm) / anchor:5.1f}x the anchor (goal <= {GOAL_WARM_TIMES:.0f}x; min {min(warm):.2f} s, "
          f"max {max(warm):.2f} s)")
    print(f"index.html: {sizes['index.html'] / 1e6:.2f} MB (goal < {GOAL_PAGE_BYTES / 1e6:.0f} MB); beside it "
          + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in sizes.items() if name != "index.html"))
    print(f"index.html height at 1366 px: {height:,} px (goal < {GOAL_PAGE_HEIGHT:,} px)" if height else
          "index.html height: not measured (no Chromium or Playwright)")
    print(f"  the first warm report after the store changed reads the store (and remembers its digest for the next "
          f"ones): {warm[0]:.2f} s = {warm[0] / anchor:.1f}x the anchor")
    if answer_end:
        print(f"the answer (headline, sentences, scoreboard) ends at {answer_end} px at 1366 px (goal <= 768 px)")


def page_height(page: Path, screenshots: Path | None = None) -> tuple[int | None, int | None]:
    """The page's height at 1366 x 768 once every chart has drawn, in a real Chromium, and where the answer ends;
    with `screenshots`, the first screen at 1366 and at 390 px wide saved there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, None
    if not Path(CHROMIUM).exists():
        return None, None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            sizes = [(1366, 768)] + ([(390, 844)] if screenshots else [])
            height = answer_end = None
            for width, tall in sizes:
                tab = browser.new_page(viewport={"width": width, "height": tall})
                tab.goto(page.as_uri())
                tab.wait_for_function("document.querySelectorAll('[data-rendered], [data-error]').length"
                                      " === document.querySelectorAll('[data-spec]').length", timeout=120_000)
                if width == 1366:
                    height = int(tab.evaluate("document.documentElement.scrollHeight"))
                    ends = tab.eval_on_selector_all("#headline, .sentences li, #scoreboard tbody tr",
                                                    "els => els.map(e => e.getBoundingClientRect().bottom)")
                    answer_end = round(max(ends)) if ends else None
                if screenshots:
                    screenshots.mkdir(parents=True, exist_ok=True)
                    tab.screenshot(path=str(screenshots / f"first-screen-{width}.png"))
                tab.close()
            return height, answer_end
        finally:
            browser.close()


if __name__ == "__main__":
    main()
