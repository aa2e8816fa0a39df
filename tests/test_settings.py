"""Every environment variable and folder is read in mindshare/settings.py, and the rest of mindshare asks it."""

from __future__ import annotations

import ast
import shutil
from dataclasses import replace
from pathlib import Path

import mindshare
from mindshare import settings
from mindshare.fields import available_fields, load_field

PACKAGE = Path(mindshare.__file__).parent


def test_only_settings_reads_the_environment_or_asks_platformdirs():
    """Issue 16: environment variables were read in about ten places and platformdirs asked in five modules."""
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            named = (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                     and isinstance(node.value, ast.Name) and node.value.id == "os") \
                or (isinstance(node, ast.Name) and node.id == "platformdirs") \
                or (isinstance(node, ast.alias) and node.name == "platformdirs")
            if named:
                readers.append(str(path.relative_to(PACKAGE)))
    assert sorted(set(readers)) == ["settings.py"]


def test_a_users_field_is_found_in_the_settings_config_folder(tmp_path):
    """`mindshare fields` and `--field NAME` look in the command's Settings' fields folder, not in a folder
    found on their own."""
    chosen = replace(settings.read(), config_dir=tmp_path / "config")
    chosen.fields_dir.mkdir(parents=True)
    shipped = available_fields()["deep-learning"]
    shutil.copy(shipped, chosen.fields_dir / "my-frameworks.toml")
    with settings.using(chosen):
        assert available_fields()["my-frameworks"] == chosen.fields_dir / "my-frameworks.toml"
        assert load_field("my-frameworks").path == chosen.fields_dir / "my-frameworks.toml"
    assert "my-frameworks" not in available_fields()
