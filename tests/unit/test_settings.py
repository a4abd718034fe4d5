"""Unit tests of siocli.settings: URLs, auth, headers, and the frozen serve settings."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siocli.errors import UsageError
from siocli.settings import ConnectSettings, ServeSettings, build_auth, parse_headers, split_url


@pytest.mark.parametrize("url, server, namespace", [
    ("http://localhost:3000", "http://localhost:3000", "/"),
    ("ws://localhost:3000/chat", "http://localhost:3000", "/chat"),
    ("wss://example.com/admin/?a=1", "https://example.com?a=1", "/admin"),
    ("localhost:3000", "http://localhost:3000", "/"),
])
def test_url_path_is_the_namespace(url, server, namespace):
    assert split_url(url) == (server, namespace)


def test_query_is_merged():
    assert split_url("http://h:1/?a=1", [("b", "2")]) == ("http://h:1?a=1&b=2", "/")


@pytest.mark.parametrize("url", ["ftp://host", "http://", "http://host:notaport"])
def test_bad_urls_are_usage_errors(url):
    with pytest.raises(UsageError):
        split_url(url)


def test_auth_is_built_from_json_pairs_and_token(tmp_path):
    path = tmp_path / "auth.json"
    path.write_text('{"user": "ann"}')
    assert build_auth(["n=42", "name=bob", 'o={"a":1}'], "@" + str(path), "t0k") == {
        "user": "ann", "n": 42, "name": "bob", "o": {"a": 1}, "token": "t0k"}
    assert build_auth() is None
    with pytest.raises(UsageError, match="KEY=VALUE"):
        build_auth(["novalue"])
    with pytest.raises(UsageError, match="JSON object"):
        build_auth(auth_json="[1]")


def test_headers():
    assert parse_headers(["X-A: 1", "Authorization:Bearer x"]) == {
        "X-A": "1", "Authorization": "Bearer x"}
    with pytest.raises(UsageError):
        parse_headers(["nocolon"])


def test_serve_settings_from_options_normalise_namespaces_and_path():
    config = ServeSettings.from_options({"namespaces": ("chat", "/", "/chat/", "/admin"),
                                         "path": "io/", "port": 0, "host": None})
    assert config.namespaces == ("/", "/chat", "/admin")
    assert config.path == "/io" and config.host == "127.0.0.1"
    assert not config.needs_token("/")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.token = "t"
    assert dataclasses.replace(config, token="t").needs_token("/admin")


# -- property: no command line gives anything but settings or one usage error ------------

CONNECT_OPTIONS = ["-n", "--path", "-t", "-a", "--auth-json", "--token", "--auth-cmd", "-H",
                   "-q", "-k", "--cacert", "--reconnect-attempts", "--reconnect-delay",
                   "--reconnect-delay-max", "--connect-timeout", "-e", "-c", "--ack-timeout",
                   "-x", "--expect-timeout", "-l", "--count", "--wait"]
FLAGS = ["--trace", "--keep-going", "--no-reconnect", "--json"]
HOSTILE_TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0xFFFF),
                       max_size=30)
VALUES = st.one_of(HOSTILE_TEXT, st.sampled_from([
    "nan", "inf", "-1", "0", "1e999", "[" * 200, '{"a": NaN}', "@/dev/zero", "@/", "x=1",
    "Authorization: x", "http://[::1", "localhost:0", "\ud83d", "a\r\nb: c", ""]))


@st.composite
def command_lines(draw):
    args = [draw(st.one_of(VALUES, st.sampled_from(["localhost:3000", "http://u:p@h:1/ns?t=1"])))]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            args.append(draw(st.sampled_from(FLAGS)))
        else:
            args += [draw(st.sampled_from(CONNECT_OPTIONS)), draw(VALUES)]
    return args


@settings(max_examples=300, deadline=2000, database=None)
@given(command_lines())
def test_any_command_line_gives_settings_or_one_usage_error(args):
    import click

    from siocli.cli import connect

    try:
        context = connect.make_context("connect", list(args))
    except click.ClickException:
        return
    except click.exceptions.Exit as exc:  # -h among short options (`-ha0`): the help
        assert exc.exit_code == 0
        return
    try:
        ConnectSettings.from_options(context.params, [])
    except UsageError as exc:
        assert "\n" not in str(exc) and str(exc)
