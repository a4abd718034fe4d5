"""https servers: an untrusted certificate is refused with a clear message; -k and
--cacert connect."""


import pytest

from siocli_run import json_lines, of_type, run_siocli


def https_url(server):
    return "https://127.0.0.1:%d" % server.port


def test_untrusted_certificate_is_worded_and_exits_1(tls_server, tmp_path):
    server, _ = tls_server
    result = run_siocli(tmp_path, "connect", https_url(server), "-e", "x", "--no-reconnect",
                        "--json")
    assert result.returncode == 1, result.stderr
    records = json_lines(result.stdout)
    message = records[0]["message"]
    assert records[0]["type"] == "connect_error"
    assert message.startswith("TLS certificate of 127.0.0.1:%d could not be verified" % server.port)
    assert "--cacert" in message


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_insecure_connects(tls_server, transport, tmp_path):
    server, _ = tls_server
    result = run_siocli(tmp_path, "connect", https_url(server), "-k", "-t", transport, "-c",
                        "echo 1", "--json")
    assert result.returncode == 0, result.stderr
    assert of_type(json_lines(result.stdout), "ack")[0]["args"] == [1]


def test_cacert_connects(tls_server, tmp_path):
    server, cert = tls_server
    result = run_siocli(tmp_path, "connect", "wss://127.0.0.1:%d" % server.port, "--cacert",
                        str(cert), "-c", "echo 1", "--json")
    assert result.returncode == 0, result.stderr
    assert of_type(json_lines(result.stdout), "ack")[0]["args"] == [1]


def test_unreadable_cacert_is_a_usage_error(tls_server, tmp_path):
    server, _ = tls_server
    result = run_siocli(tmp_path, "connect", https_url(server), "--cacert",
                        str(tmp_path / "missing.pem"), "-e", "x")
    assert result.returncode == 2 and "--cacert: cannot read" in result.stderr
    assert result.stdout.strip() == ""


def test_every_mode_warns_once_that_k_skips_verification(tls_server, tmp_path):
    """SPEC: -k skips TLS verification "with a warning": connect, bench, replay and
    doctor each say it once, on stderr, and go on to connect."""
    server, _ = tls_server
    recording = tmp_path / "sent.jsonl"
    runs = {
        "connect": run_siocli(tmp_path, "connect", https_url(server), "-k", "-c", "echo 1",
                              "--json", "--record", str(recording)),
        "bench": run_siocli(tmp_path, "bench", https_url(server), "-k", "--call", "echo 1",
                            "-n", "2", "--json"),
    }
    runs["replay"] = run_siocli(tmp_path, "replay", str(recording), https_url(server), "-k",
                                "--speed", "0", "--json")
    runs["doctor"] = run_siocli(tmp_path, "doctor", https_url(server), "-k", "--json")
    for mode, result in runs.items():
        assert result.stderr.count("-k/--insecure: TLS certificates are not verified") == 1, \
            (mode, result.stderr)
        assert result.returncode == 0, (mode, result.stdout, result.stderr)
