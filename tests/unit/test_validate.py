"""Unit tests of siocli.validate: checks of command-line input before anything is sent."""

import contextlib
import datetime
import math
import os
import shutil
import signal
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siocli import grammar, validate
from siocli.validate import (
    MAX_AUTH_FILE_BYTES,
    InvalidInput,
    auth_json_file,
    auth_payload,
    cacert_file,
    finite_seconds,
    header,
    json_text,
    no_surrogates,
    url_host_port,
)

SECRET = "s3cr3t-Val"


def refused(function, *args, **kwargs):
    with pytest.raises(InvalidInput) as info:
        function(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    message.encode("utf-8")  # printable: no lone surrogate in a message
    return message


@contextlib.contextmanager
def fails_instead_of_hanging(seconds=20):
    """Turns a hang (opening a fifo waits for a writer) into a test failure."""

    def hung(signum, frame):
        raise AssertionError("hung: the fifo was opened")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_invalid_input_is_a_value_error():
    assert issubclass(InvalidInput, ValueError)


def test_imports_only_the_standard_library():
    code = (
        "import sys; before = set(sys.modules); import siocli.validate; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] not in sys.stdlib_module_names and m.split('.')[0] != 'siocli'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- finite_seconds ------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [(5, 5.0), ("2.5", 2.5), (" 3 ", 3.0), (0, 0.0),
                                             ("-0", 0.0), (1e-3, 0.001)])
def test_finite_seconds_accepts(value, expected):
    seconds = finite_seconds(value, "--wait")
    assert seconds == expected and type(seconds) is float
    assert math.copysign(1, seconds) == 1


@pytest.mark.parametrize("value", ["nan", float("nan"), "NaN", "inf", float("inf"), "-inf",
                                   "Infinity", 10**400])
def test_finite_seconds_refuses_non_finite(value):
    assert refused(finite_seconds, value, "--ack-timeout").startswith(
        "--ack-timeout must be a finite number of seconds, got "
    )


@pytest.mark.parametrize("value", [-1, "-0.5", -1e-9])
def test_finite_seconds_refuses_negatives(value):
    assert refused(finite_seconds, value, "--wait").startswith("--wait must be 0 or more, got -")


def test_finite_seconds_zero_when_not_allowed():
    assert refused(finite_seconds, 0, "--connect-timeout", allow_zero=False) == (
        "--connect-timeout must be more than 0, got 0"
    )
    assert finite_seconds(0.5, "--connect-timeout", allow_zero=False) == 0.5


@pytest.mark.parametrize("value, shown", [("abc", '"abc"'), ("", '""'), ("1s", '"1s"'),
                                          ("\x1b[2J", '"\\x1b[2J"'), (True, "a boolean"),
                                          (None, "null"), ([1], "an array")])
def test_finite_seconds_refuses_what_is_not_a_number(value, shown):
    assert refused(finite_seconds, value, "--wait") == (
        f"--wait expects a number of seconds, got {shown}"
    )


def test_finite_seconds_refuses_invalid_utf8():
    assert refused(finite_seconds, os.fsdecode(b"1\xff"), "--wait") == (
        "--wait: invalid UTF-8 (byte 0xff at column 2)"
    )


# --- no_surrogates -------------------------------------------------------------------


def test_no_surrogates():
    assert no_surrogates("héllo 🎉", "--token") == "héllo 🎉"
    message = refused(no_surrogates, os.fsdecode(b"ab\xfe" + SECRET.encode()), "--token")
    assert message == "--token: invalid UTF-8 (byte 0xfe at column 3)"
    assert refused(no_surrogates, "a\udbff", "-q") == (
        "-q: invalid UTF-8 (lone surrogate U+DBFF at column 2)"
    )


# --- json_text -----------------------------------------------------------------------


def test_json_text_decodes():
    assert json_text('{"a": [1, 2.5, true, null, "é"]}', "--auth-json") == {
        "a": [1, 2.5, True, None, "é"]
    }


@pytest.mark.parametrize("text", ['{"token": NaN}', '{"token": Infinity}', '{"t": -Infinity}',
                                  '{"t": 1e999}'])
def test_json_text_refuses_non_finite_numbers(text):
    assert refused(json_text, text, "--auth-json").startswith("--auth-json: invalid JSON: ")


def test_json_text_depth_limit():
    ok = "[" * grammar.MAX_JSON_DEPTH + "]" * grammar.MAX_JSON_DEPTH
    assert json_text(ok, "--auth-json") is not None
    assert refused(json_text, "[" * 10_000 + "]" * 10_000, "--auth-json") == (
        "--auth-json: JSON value nested deeper than 100 levels"
    )


def test_json_text_size_limit():
    text = '"' + "a" * grammar.MAX_JSON_CHARS + '"'
    assert refused(json_text, text, "--auth-json") == (
        f"--auth-json: JSON value longer than the limit of {grammar.MAX_JSON_CHARS:,} characters"
    )


def test_json_text_refuses_surrogates_without_echoing_the_text():
    message = refused(json_text, os.fsdecode(b'{"token": "' + SECRET.encode() + b'\xff"}'),
                      "--auth-json")
    assert message == "--auth-json: invalid UTF-8 (byte 0xff at column 22)"
    message = refused(json_text, '{"token": "\\ud800' + SECRET + '"}', "--auth-json")
    assert "lone surrogate" in message and SECRET not in message


def test_json_text_syntax_error_names_the_place_not_the_text():
    message = refused(json_text, '{"token": "' + SECRET + '",\n "x" 1}', "--auth-json")
    assert message == "--auth-json: invalid JSON: Expecting ':' delimiter (line 2 column 6)"


# --- auth_payload --------------------------------------------------------------------


def test_auth_payload_returns_the_payload():
    payload = {"token": SECRET, "n": 1, "f": 2.5, "ok": True, "none": None, "l": [{"a": "b"}]}
    assert auth_payload(payload, "auth") is payload


@pytest.mark.parametrize("value, kind", [([], "an array"), ("x", "a string"), (None, "null"),
                                         (1, "a number")])
def test_auth_payload_must_be_an_object(value, kind):
    message = refused(auth_payload, value, "--auth-json")
    assert message == f"--auth-json must be a JSON object, not {kind}"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_auth_payload_refuses_non_finite_numbers_naming_the_key(bad):
    assert refused(auth_payload, {"user": {"ids": [1, bad]}}, "auth") == (
        'auth: the value of key "user.ids[1]" is not a finite number'
    )


def test_auth_payload_refuses_lone_surrogates_without_the_value():
    message = refused(auth_payload, {"token": SECRET + "\udcff"}, "auth")
    assert message == 'auth: the value of key "token" is not valid UTF-8'
    message = refused(auth_payload, {"ok": [{"to\udcffken": 1}]}, "auth")
    assert message == 'auth: key "ok[0].to\\udcffken" is not valid UTF-8'


def nested_dicts(depth):
    payload = {}
    inner = payload
    for _ in range(depth - 1):
        inner["k"] = {}
        inner = inner["k"]
    return payload


def test_auth_payload_depth_limit():
    assert auth_payload(nested_dicts(grammar.MAX_JSON_DEPTH), "auth")
    message = refused(auth_payload, nested_dicts(grammar.MAX_JSON_DEPTH + 1), "auth")
    assert message.startswith('auth: key "k.k.k') and message.endswith(
        "is nested deeper than 100 levels"
    )
    assert refused(auth_payload, nested_dicts(10_000), "auth").endswith("deeper than 100 levels")


def test_auth_payload_refuses_a_cycle():
    payload = {"a": []}
    payload["a"].append(payload)
    assert refused(auth_payload, payload, "auth").endswith("is nested deeper than 100 levels")


def test_auth_payload_refuses_what_is_not_json():
    assert refused(auth_payload, {1: "x"}, "auth") == (
        "auth: the payload has a key that is not a string"
    )
    assert refused(auth_payload, {"b": b"x"}, "auth") == (
        'auth: the value of key "b" is a bytes value, not JSON'
    )


# --- url_host_port -------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://localhost:5000", "localhost:5000", "localhost", "https://example.com/ns?a=1",
    "ws://127.0.0.1:80/chat", "wss://host:443", "http://[::1]:5000/", "http://[::1]",
    "[fe80::1%eth0]:80", "http://user:pa ss@host:1", "http://host:", "http://host:65535",
    "HTTP://host:1#frag", "http://host/path?u=http://other:0",
])
def test_url_host_port_accepts(url):
    assert url_host_port(url) is None


@pytest.mark.parametrize("url, message", [
    ("http://[::1", "malformed IPv6 address in the URL: no closing ']'"),
    ("http://[::1/ns", "malformed IPv6 address in the URL: no closing ']'"),
    ("http://[::zz]:80", "malformed IPv6 address in the URL"),
    ("http://[]:80", "malformed IPv6 address in the URL"),
    ("http://::1]:80", "malformed IPv6 address in the URL: no opening '['"),
    ("http://[::1]80", "unexpected text after the IPv6 address in the URL"),
    ("http://::1:5000", "an IPv6 address in the URL goes in brackets: http://[::1]:5000"),
    ("http://my host:80", "the host in the URL contains a space"),
    ("my host", "the host in the URL contains a space"),
    ("http://host\n:80", "the URL contains a line feed (LF)"),
    ("http://ho\rst", "the URL contains a carriage return (CR)"),
    ("http://ho\x00st", "the URL contains a NUL"),
    ("http://ho\tst", "the URL contains a tab"),
    ("http://host/\x1b[2J", "the URL contains the control character U+001B"),
    ("http://host:0", "the port in the URL must be from 1 to 65535"),
    ("host:0/ns", "the port in the URL must be from 1 to 65535"),
    ("http://host:65536", "the port in the URL must be from 1 to 65535"),
    ("http://host:99999999999999999999999", "the port in the URL must be from 1 to 65535"),
    ("http://[::1]:0", "the port in the URL must be from 1 to 65535"),
    ("http://host:abc", "the port in the URL is not a number"),
    ("http://host:-1", "the port in the URL is not a number"),
    ("http://host:٣٣", "the port in the URL is not a number"),
    ("http://", "no host in the URL"),
    ("http://:5000", "no host in the URL"),
    (os.fsdecode(b"http://h\xff"), "URL: invalid UTF-8 (byte 0xff at column 9)"),
])
def test_url_host_port_refuses(url, message):
    assert refused(url_host_port, url) == message


@pytest.mark.parametrize("url", [f"http://user:{SECRET}/x@host:1", f"http://u:{SECRET}?@h",
                                 f"http://u:{SECRET} x/@h", "http://u:123456/x@h"])
def test_url_messages_never_repeat_the_userinfo(url):
    message = refused(url_host_port, url)
    assert SECRET not in message and "123456" not in message


# --- header --------------------------------------------------------------------------


@pytest.mark.parametrize("name, value", [("Authorization", "Bearer " + SECRET),
                                         ("X-Api-Key", ""), ("x!#$%&'*+-.^_`|~9", "a\tb"),
                                         ("X-Name", "Zoë ✓")])
def test_header_accepts(name, value):
    assert header(name, value) is None


@pytest.mark.parametrize("name, message", [
    ("", "empty header name"),
    ("X Token", 'header name "X Token" is not valid: a space is not allowed in it'),
    ("X:Token", 'header name "X:Token" is not valid: ":" is not allowed in it'),
    ("Zoë", 'header name "Zoë" is not valid: "ë" is not allowed in it'),
    ("X\nY", 'header name "X\\nY" is not valid: "\\n" is not allowed in it'),
    ("(x)", 'header name "(x)" is not valid: "(" is not allowed in it'),
    (os.fsdecode(b"X\xff"), "header name: invalid UTF-8 (byte 0xff at column 2)"),
])
def test_header_refuses_bad_names(name, message):
    assert refused(header, name, "v") == message


@pytest.mark.parametrize("value, what", [
    ("\r\nX-Evil: 1", "a carriage return (CR)"),
    ("\nX-Evil: 1", "a line feed (LF)"),
    ("\x00", "a NUL"),
    ("\x1b[2J", "the control character U+001B"),
    ("\x7f", "the control character U+007F"),
])
def test_header_refuses_control_characters_without_the_value(value, what):
    message = refused(header, "Authorization", SECRET + value)
    assert message == f"header Authorization: the value contains {what}"
    assert SECRET not in message


def test_header_refuses_invalid_utf8_without_the_value():
    message = refused(header, "Cookie", os.fsdecode(SECRET.encode() + b"\xff"))
    assert message == "header Cookie: the value is not valid UTF-8"


# --- files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl")
    folder = tmp_path_factory.mktemp("cert")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert


def test_cacert_file_accepts_a_pem_bundle(certificate, tmp_path):
    assert cacert_file(certificate) is None
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("# my CA\n" + certificate.read_text() + certificate.read_text())
    assert cacert_file(str(bundle)) is None


def test_cacert_file_missing(tmp_path):
    assert refused(cacert_file, tmp_path / "none.pem") == (
        f"--cacert: cannot read file {tmp_path / 'none.pem'}: No such file or directory"
    )


def test_cacert_file_directory(tmp_path):
    assert refused(cacert_file, tmp_path) == (
        f"--cacert: cannot read file {tmp_path}: it is a directory, not a regular file"
    )


def test_cacert_file_fifo(tmp_path):
    os.mkfifo(tmp_path / "ca.pem")
    with fails_instead_of_hanging():
        message = refused(cacert_file, tmp_path / "ca.pem")
    assert message == (
        f"--cacert: cannot read file {tmp_path / 'ca.pem'}: it is a named pipe (FIFO),"
        " not a regular file"
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_cacert_file_dev_zero():
    assert refused(cacert_file, "/dev/zero", option="--ca") == (
        "--ca: cannot read file /dev/zero: it is a character device, not a regular file"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_cacert_file_unreadable(certificate, tmp_path):
    path = tmp_path / "ca.pem"
    path.write_bytes(certificate.read_bytes())
    path.chmod(0)
    assert "Permission denied" in refused(cacert_file, path)


def test_cacert_file_without_a_certificate(tmp_path):
    path = tmp_path / "key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert refused(cacert_file, path).startswith(
        f"--cacert: {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----); a DER file"
    )


def test_cacert_file_with_a_broken_certificate(tmp_path):
    path = tmp_path / "broken.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
    message = refused(cacert_file, path)
    assert message.startswith(f"--cacert: {path} is not a usable CA bundle: ")
    assert "_ssl.c" not in message


def test_auth_json_file_reads_utf8_text(tmp_path):
    path = tmp_path / "auth.json"
    path.write_bytes(b'\xef\xbb\xbf{"token": "Zo\xc3\xab"}')
    text = auth_json_file(path)
    assert text == '{"token": "Zoë"}'
    assert json_text(text, "--auth-json") == {"token": "Zoë"}


def test_auth_json_file_not_utf8(tmp_path):
    path = tmp_path / "auth.json"
    path.write_bytes(b'{"token": "' + SECRET.encode() + b'\xff"}')
    message = refused(auth_json_file, path)
    assert message == f"--auth-json: {path} is not UTF-8 (at byte 21)"


def test_auth_json_file_fifo(tmp_path):
    os.mkfifo(tmp_path / "auth")
    with fails_instead_of_hanging():
        assert "named pipe (FIFO)" in refused(auth_json_file, tmp_path / "auth")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_auth_json_file_dev_zero():
    assert "character device" in refused(auth_json_file, "/dev/zero")


def test_auth_json_file_directory(tmp_path):
    assert "it is a directory" in refused(auth_json_file, tmp_path)


def test_auth_json_file_size_cap(tmp_path):
    assert MAX_AUTH_FILE_BYTES == 1024 * 1024
    path = tmp_path / "auth.json"
    with open(path, "wb") as file:
        file.truncate(MAX_AUTH_FILE_BYTES + 1)
    assert refused(auth_json_file, path, option="--auth") == (
        f"--auth: cannot read file {path}: 1,048,577 bytes is over the limit of 1,048,576 bytes"
    )
    path.write_text("{}")
    assert auth_json_file(path, max_bytes=2) == "{}"
    assert "over the limit of 1 bytes" in refused(auth_json_file, path, max_bytes=1)


# --- properties ----------------------------------------------------------------------

FAST = settings(max_examples=200, deadline=datetime.timedelta(seconds=2), database=None,
                suppress_health_check=[HealthCheck.too_slow])
pieces = st.one_of(
    st.sampled_from(list("[]{}:/@?#%. \t\r\n\x00\x7f\"'\\") + ["\udcff", "\ud800", "::1",
                    "http://", "ws://", "65536", "0", "NaN", "1e999"]),
    st.characters(), st.characters(max_codepoint=0x1F),
)
texts = st.lists(pieces, max_size=40).map("".join)


def only_invalid_input(function, *args):
    try:
        function(*args)
    except InvalidInput as exc:
        message = str(exc)
        assert "\n" not in message
        message.encode("utf-8")


@FAST
@given(texts)
def test_url_host_port_only_raises_invalid_input(url):
    only_invalid_input(url_host_port, url)


@FAST
@given(texts, texts)
def test_header_only_raises_invalid_input(name, value):
    only_invalid_input(header, name, value)


@FAST
@given(texts)
def test_json_text_and_finite_seconds_only_raise_invalid_input(text):
    only_invalid_input(json_text, text, "--auth-json")
    only_invalid_input(finite_seconds, text, "--wait")
    only_invalid_input(no_surrogates, text, "--token")


def test_module_exports():
    assert set(validate.__all__) == {
        "MAX_AUTH_FILE_BYTES", "InvalidInput", "auth_json_file", "auth_payload", "cacert_file",
        "finite_seconds", "header", "json_text", "no_surrogates", "url_host_port",
    }
