"""Unit tests of siocli.auth: what is shown of auth payloads, headers and URLs."""

import json

import pytest

from siocli.auth import is_secret_header, mask_url, masked, masked_headers


def test_masking_hides_the_values_of_secret_looking_keys_only():
    shown = masked({"token": "supersecret", "user": {"name": "ann"}, "n": 12345,
                    "session": {"id": "abcdef", "n": 7}, "list": [{"password": "hunter22"}]})
    text = json.dumps(shown)
    assert "supersecret" not in text and "abcdef" not in text and "hunter22" not in text
    assert shown["token"].startswith("su") and "*" in shown["token"]
    assert shown["user"] == {"name": "ann"} and shown["n"] == 12345
    assert shown["session"]["n"] != 7  # everything under a secret key is masked


def test_header_masking():
    assert masked_headers({"Authorization": "Bearer abcdef", "X-Trace": "1"}) == {
        "Authorization": "Be********", "X-Trace": "1"}


@pytest.mark.parametrize("name, secret", [
    ("Authorization", True), (" cookie ", True), ("X-API-Key", True), ("X-My-Token", True),
    ("Proxy-Authorization", True), ("X-Trace", False), ("Sec-WebSocket-Key", False),
    ("Access-Control-Allow-Credentials", False),
])
def test_one_rule_says_which_headers_are_secret_wherever_they_are_shown(name, secret):
    from siocli.client.engine_session import shown_headers
    from siocli.profiles import holds_secret

    assert is_secret_header(name) is secret
    assert (masked_headers({name: "abcdefgh"})[name] != "abcdefgh") is secret  # -H, serve
    assert (shown_headers([(name, "abcdefgh")])[name] != "abcdefgh") is secret  # handshake
    assert holds_secret("header", "%s: abcdefgh" % name) is secret  # a profile


@pytest.mark.parametrize("url, shown", [
    ("localhost:3000", "localhost:3000"),
    ("http://ann:pw@h:1/chat?token=abc&room=1", "http://ann:****@h:1/chat?token=****&room=1"),
    ("wss://a:b@h", "wss://a:****@h"),
    ("https://h/?x=1", "https://h/?x=1"),
])
def test_url_masking(url, shown):
    assert mask_url(url) == shown
