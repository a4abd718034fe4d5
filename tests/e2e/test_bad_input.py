"""Bad input on the command line: one clear line on stderr, exit 2, nothing sent and never
a traceback (docs/reliability.md, "Bad input"). Nothing listens at the URL: validation
happens before any connection is tried, so a run that got past it would exit 1."""

import os
import stat
import subprocess

import pytest

from siocli_run import ROOT, run_siocli, siocli_command, siocli_env

URL = "http://127.0.0.1:9"
DEEP = "[" * 10000 + "]" * 10000


def assert_one_usage_line(result, *fragments):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("siocli: error: "), lines
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-input")
    (folder / "deep.json").write_text(DEEP)
    big = folder / "big.bin"
    with open(big, "wb") as handle:  # sparse: 11 MiB on paper, nothing on disk
        handle.truncate(11 * 1024 * 1024)
    (folder / "latin1.json").write_bytes(b'{"name": "caf\xe9"}')
    (folder / "not-a-cert.pem").write_text("hello\n")
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    return folder


CASES = [
    (["-e", "x " + DEEP], "nested deeper than 100 levels"),
    (["-e", "x @{deep.json}"], "nested deeper than 100 levels"),
    (["--auth-json", DEEP, "-e", "x"], "nested deeper than 100 levels"),
    (["--auth-json", "@{deep.json}", "-e", "x"], "nested deeper than 100 levels"),
    (["--connect-timeout", "nan", "-e", "x"], "--connect-timeout must be a finite number"),
    (["--reconnect-delay", "nan", "-e", "x"], "--reconnect-delay"),
    (["--ack-timeout", "inf", "-e", "x"], "--ack-timeout"),
    (["--expect-timeout", "nan", "-x", "tick"], "--expect-timeout"),
    (["--wait", "nan", "-e", "x"], "--wait"),
    (["-e", "x @/dev/zero"], "not a regular file"),
    (["-e", "x @{fifo}"], "named pipe"),
    (["-e", "x @{big.bin}"], "over the limit of 10,485,760 bytes"),
    (["-e", "x @/tmp"], "directory"),
    (["--auth-json", "@{latin1.json}", "-e", "x"], "is not UTF-8"),
    (["--auth-json", "", "-e", "x"], "--auth-json is empty"),
    (["--auth-json", '{"n": NaN}', "-e", "x"], "--auth-json"),
    (["--auth-json", '{"n": 1e999}', "-e", "x"], "--auth-json"),
    (["--cacert", "{not-a-cert.pem}", "-e", "x"], "holds no PEM certificate"),
    (["-k", "--cacert", "{not-a-cert.pem}", "-e", "x"], "give one of them"),
    (["-H", "X-Test: a\rb", "-e", "x"], "carriage return"),
    (["-H", "X-Test: a\x07b", "-e", "x"], "control character"),
    (["-H", "Bad Name: v", "-e", "x"], "is not valid"),
    (["-x", ""], "--expect needs an event name"),
    (["-x", "connect"], "lifecycle name"),
    (["-e", "disconnect"], "reserved"),
    (["--count", "0"], "--count must be more than 0"),
    (["--count", "many"], "not a valid integer"),
    (["--transport", "carrier-pigeon", "-e", "x"], "carrier-pigeon"),
    (["--bogus-option"], "No such option"),
]


@pytest.mark.parametrize("args, fragment", CASES, ids=[" ".join(c[0])[:40] for c in CASES])
def test_bad_option_is_one_line_and_exit_2(tmp_path, files, args, fragment):
    for path in files.iterdir():
        args = [arg.replace("{%s}" % path.name, str(path)) for arg in args]
    result = run_siocli(tmp_path, "connect", URL, *args)
    assert_one_usage_line(result, fragment)


@pytest.mark.parametrize("url, fragment", [
    ("http://[::1", "malformed IPv6 address"),
    ("http://127.0.0.1:0", "from 1 to 65535"),
    ("http://127.0.0.1:99999", "from 1 to 65535"),
    ("http://127.0.0.1:port", "not a number"),
    ("http://exa mple.com", "contains a space"),
    ("ftp://127.0.0.1", "unsupported URL scheme"),
])
def test_bad_url_is_one_line_and_exit_2(tmp_path, url, fragment):
    assert_one_usage_line(run_siocli(tmp_path, "connect", url, "-e", "x"), fragment)


def test_url_credentials_and_an_authorization_header_conflict(tmp_path):
    result = run_siocli(tmp_path, "connect", "http://ann:pw@127.0.0.1:9", "-H",
                        "Authorization: Bearer x", "-e", "x")
    assert_one_usage_line(result, "credentials in the URL and -H Authorization")
    assert "pw" not in result.stderr


def test_invalid_utf8_in_an_argument_is_refused(tmp_path):
    argv = [os.fsencode(part) for part in siocli_command("connect", URL)]
    result = subprocess.run(argv + [b"-e", b"x caf\xe9"], capture_output=True, cwd=ROOT,
                            env=siocli_env(tmp_path), timeout=30)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert stderr.count("\n") == 1 and "invalid UTF-8" in stderr


@pytest.mark.parametrize("args, secret", [
    (["-H", "Authorization Bearer s3cr3t-value", "-e", "x"], "s3cr3t-value"),
    (["-a", "s3cr3t-value", "-e", "x"], "s3cr3t-value"),
    (["-H", "X-Token: s3cr3t\rvalue", "-e", "x"], "s3cr3t"),
])
def test_a_refused_secret_is_not_echoed(tmp_path, args, secret):
    result = run_siocli(tmp_path, "connect", URL, *args)
    assert result.returncode == 2
    assert secret not in result.stderr + result.stdout


def test_serve_refuses_bad_numbers(tmp_path):
    assert_one_usage_line(run_siocli(tmp_path, "serve", "--port", "99999"), "--port")
    assert_one_usage_line(run_siocli(tmp_path, "serve", "--ping-interval", "nan"),
                          "--ping-interval")


def test_insecure_warns_on_stderr_before_anything_else(tmp_path):
    result = run_siocli(tmp_path, "connect", "https://127.0.0.1:9", "-k", "-e", "x",
                        "--connect-timeout", "0.5")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("siocli: warning: -k/--insecure")
