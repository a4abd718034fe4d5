"""Unit tests of siocli.modes.prompt: the history never keeps auth values."""

import pytest

from siocli.modes.prompt import SafeHistory, holds_secret


@pytest.mark.parametrize("line, secret", [
    ("auth set token=abc", True),
    ('auth json {"token": "abc"}', True),
    ("  auth   set x=1", True),
    ("auth", False),
    ("auth clear", False),
    ("emit auth set", False),
    ("auth set 'unterminated", True),
])
def test_history_never_keeps_auth_values(line, secret):
    assert holds_secret(line) is secret


def test_safe_history_file(tmp_path):
    path = tmp_path / "history"
    history = SafeHistory(str(path))
    for line in ("emit chat hi", "auth set token=s3cret", 'auth json {"t": "s3cret"}', "status"):
        history.append_string(line)
    text = path.read_text()
    assert "emit chat hi" in text and "status" in text
    assert "s3cret" not in text
