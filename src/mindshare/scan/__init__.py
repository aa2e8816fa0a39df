"""Count framework mentions in papers: extraction (extract), matching (match), counting rules (rules), the
batch runner with its resumable state (runner) and the venue fetchers (venues). See docs/scan.md."""
