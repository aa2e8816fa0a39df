from pathlib import Path

import pytest

from mindshare.errors import FieldError, UnknownContenderError
from mindshare.fields import available_fields, load_field, parse_field

MINIMAL = '''name = "web"
title = "Web frameworks"

[[contender]]
id = "django"
name = "Django"
pypi = ["django"]

[[contender]]
id = "flask"
name = "Flask"
'''


def test_shipped_field_has_the_frameworks_the_issue_names():
    field = load_field("deep-learning")
    for wanted in ["pytorch", "tensorflow", "jax", "keras", "mxnet", "paddlepaddle", "theano", "caffe", "cntk",
                   "mindspore"]:
        assert wanted in field.ids
    pytorch = field.contender("PyTorch")
    assert pytorch.pypi == ("torch",)
    assert pytorch.github == "pytorch/pytorch"
    assert "fairseq" in pytorch.ecosystem
    assert field.find("Torch/PyTorch").id == "pytorch"
    assert field.find_by_package("tf-nightly").id == "tensorflow"


def test_user_field_from_path(tmp_path):
    path = tmp_path / "web.toml"
    path.write_text(MINIMAL)
    field = load_field(str(path))
    assert field.ids == ["django", "flask"]
    assert field.title == "Web frameworks"


def test_user_field_by_name_from_config_folder(tmp_path, monkeypatch):
    folder = tmp_path / "config" / "mindshare" / "fields"
    folder.mkdir(parents=True)
    (folder / "web.toml").write_text(MINIMAL)
    assert "web" in available_fields()
    assert load_field("web").ids == ["django", "flask"]


def test_unknown_field_lists_known_ones():
    with pytest.raises(FieldError, match="unknown field 'nope'.*deep-learning"):
        load_field("nope")


def test_unknown_contender_names_the_field():
    with pytest.raises(UnknownContenderError, match="unknown contender 'pytorchh'.*pytorch"):
        load_field().contender("pytorchh")


@pytest.mark.parametrize("text, line, message", [
    (MINIMAL.replace('id = "flask"', 'id = "flask'), 10, "line 10"),          # syntax error
    (MINIMAL.replace('pypi = ["django"]', 'pypy = ["django"]'), 7, "unknown key 'pypy'"),
    (MINIMAL.replace('id = "flask"\n', ''), 9, "has no 'id'"),
    (MINIMAL.replace('id = "flask"', 'id = "django"'), 10, "appears twice"),
    (MINIMAL.replace('pypi = ["django"]', 'pypi = "django"'), 7, "must be a list"),
    (MINIMAL.replace('name = "Flask"', 'name = "Flask"\ncolor = "red"'), 12, "color must look like"),
])
def test_field_errors_name_file_line_and_problem(tmp_path, text, line, message):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(FieldError) as caught:
        load_field(str(path))
    assert str(path) in str(caught.value)
    assert f"line {line}" in str(caught.value)
    assert message in str(caught.value)


def test_field_without_contenders_is_refused(tmp_path):
    with pytest.raises(FieldError, match="at least one"):
        parse_field('name = "empty"\n', Path("empty.toml"))
