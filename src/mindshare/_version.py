"""mindshare's version, on the ground floor: what the User-Agent, the report's footer and `--version` say, read
without importing anything else (tests/test_layers.py checks it is pyproject.toml's)."""

__version__ = "0.1.0"
