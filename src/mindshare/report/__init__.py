"""The report: built from the store (build.py and sections/), rendered as files (render.py into folder.py's
folder). docs/report.md describes the layout and how to add a section. Called, this package is
`mindshare.api.report` (see mindshare/__init__.py)."""
