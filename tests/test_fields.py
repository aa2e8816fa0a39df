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


def test_score_weights_are_kept_on_the_field_and_checked_where_they_are_written(tmp_path):
    head = 'name = "web"\n'
    good = tmp_path / "good.toml"
    good.write_text(head + "[score_weights]\njobs = 0.6\nresearch = 0.4\n" + MINIMAL.split("\n", 2)[2])
    assert load_field(str(good)).score_weights == {"jobs": 0.6, "research": 0.4}
    assert load_field("deep-learning").score_weights is None
    for bad in ("jobs = -1", "jobs = nan", "jobs = inf", 'jobs = "high"', "jobs = 0"):
        path = tmp_path / "bad.toml"
        path.write_text(head + f"[score_weights]\n{bad}\n" + MINIMAL.split("\n", 2)[2])
        with pytest.raises(FieldError, match=r"bad.toml, line 2: \[score_weights\] must map signals"):
            load_field(str(path))


def test_a_field_declares_the_article_it_reproduces(tmp_path):
    assert load_field("deep-learning").reference == "hale-2020"
    assert load_field("web-frameworks").reference is None
    path = tmp_path / "f.toml"
    path.write_text('reference = "someone-2031"\n' + MINIMAL)
    with pytest.raises(FieldError, match="line 1: unknown reference 'someone-2031'; known: hale-2020"):
        load_field(str(path))


def test_control_characters_in_a_name_are_refused(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text(MINIMAL.replace('name = "Flask"', 'name = "Fla\\u0000sk"'))
    with pytest.raises(FieldError, match="'name' must not contain control characters"):
        load_field(str(path))
    path.write_text(MINIMAL.replace('name = "Flask"', 'name = "Fla\\u2028sk"'))   # a line separator is text
    assert load_field(str(path)).contender("flask").name == "Fla\u2028sk"


def test_the_shipped_web_frameworks_field():
    field = load_field("web-frameworks")
    assert field.title == "Web frameworks"
    django, rails = field.contender("django"), field.contender("Rails")
    assert (django.pypi, django.github, django.stackoverflow_tag) == (("django",), "django/django", "django")
    assert (rails.github, rails.stackoverflow_tag, rails.wikipedia) == ("rails/rails", "ruby-on-rails", "Ruby on Rails")
    assert "express" not in field.contender("express").patterns     # an ordinary word in a job post


def test_fields_keys_documents_the_field_keys_too():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "mindshare", "fields", "--keys"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    assert "reference (field)" in result.stdout and "hale-2020" in result.stdout
    assert "score_weights (field)" in result.stdout and "pypi (contender)" in result.stdout
