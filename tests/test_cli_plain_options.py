"""Options read without pydantic (commands._common.plain_coercion): on the typer release it was read against, a verb
reads text, flag and path options without building pydantic adapters (importing pydantic costs about as much as
starting Python and mindshare together); on any other release typer reads every option itself, and the verbs behave
the same either way."""

from __future__ import annotations

import typer

from mindshare.commands import _common


def test_the_pinned_typer_is_the_one_the_plain_reading_was_read_against():
    # fails when constraints.txt moves typer on: read its coercion layer again, then extend _TYPER_RELEASES_READ
    assert typer.__version__.startswith(_common._TYPER_RELEASES_READ)
    assert _common._PlainParam is not None


def test_without_the_plain_reading_typer_reads_the_same_options(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from mindshare.cli import app

    runner = CliRunner()
    arguments = ["--db", str(tmp_path / "store.duckdb"), "papers", "venues"]
    env = {"MINDSHARE_CACHE": str(tmp_path / "cache")}
    plain = runner.invoke(app, arguments, env=env)
    monkeypatch.setattr(_common, "_PlainParam", None)
    typers_own = runner.invoke(app, arguments, env=env)
    assert plain.exit_code == typers_own.exit_code == 0, (plain.output, typers_own.output)
    assert plain.output == typers_own.output
