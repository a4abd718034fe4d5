"""Through a real HTTP proxy (tinyproxy on loopback, tests/support/proxy_server.py): polling
is sent to the proxy as proxied requests (CONNECT for https), the websocket always through
a CONNECT tunnel, ws as well as wss; with and without proxy auth; NO_PROXY bypasses it.
Each test reads the proxy's own log to show what did (or did not) go through it. The
``proxy`` and ``auth_proxy`` fixtures are tests/support/proxy_server.py's."""


import pytest

from siocli_run import first_of, json_lines, of_type, run_siocli


def call_echo(tmp_path, url, *options, env=None):
    result = run_siocli(tmp_path, "connect", url, "-c", "echo 1", "--json", *options, env=env)
    records = json_lines(result.stdout)
    return result, records


def assert_echoed(result, records, transport):
    assert result.returncode == 0, result.stdout + result.stderr
    assert first_of(records, "connect")["transport"] == transport
    assert first_of(records, "ack")["args"] == [1]


def methods(proxy, port):
    """The methods of the requests the proxy was sent for the server at ``port``."""
    return [method for method, target in proxy.requests()
            if "127.0.0.1:%d" % port in target]


def test_polling_is_proxied_and_the_websocket_is_tunnelled(proxy, sio_server, tmp_path):
    proxy.forget()
    result, records = call_echo(tmp_path, sio_server.url, "--proxy", proxy.url)
    assert_echoed(result, records, "websocket")
    requests = [(m, t) for m, t in proxy.requests() if str(sio_server.port) in t]
    # the handshake (and the probes) as proxied GET/POST, then the upgrade's tunnel
    assert requests[0][0] == "GET"
    assert requests[0][1].startswith("http://127.0.0.1:%d/socket.io/?" % sio_server.port)
    assert "transport=polling" in requests[0][1]
    assert ("CONNECT", "127.0.0.1:%d" % sio_server.port) in requests
    assert not any(target.startswith("ws:") for _, target in requests), requests


def test_websocket_only_goes_through_one_tunnel(proxy, sio_server, tmp_path):
    proxy.forget()
    result, records = call_echo(tmp_path, sio_server.url, "-t", "websocket",
                                env={"HTTP_PROXY": proxy.url})
    assert_echoed(result, records, "websocket")
    assert methods(proxy, sio_server.port) == ["CONNECT"]


def test_polling_only_is_proxied_request_by_request(proxy, sio_server, tmp_path):
    proxy.forget()
    result, records = call_echo(tmp_path, sio_server.url, "-t", "polling",
                                env={"http_proxy": proxy.url})
    assert_echoed(result, records, "polling")
    sent = methods(proxy, sio_server.port)
    assert "CONNECT" not in sent and sent.count("GET") >= 2 and "POST" in sent, sent


def test_https_goes_through_tunnels_and_the_certificate_is_checked(proxy, tls_server, tmp_path):
    server, cert = tls_server
    url = "https://127.0.0.1:%d" % server.port
    proxy.forget()
    result, records = call_echo(tmp_path, url, "--cacert", cert, env={"HTTPS_PROXY": proxy.url})
    assert_echoed(result, records, "websocket")
    sent = methods(proxy, server.port)
    assert set(sent) == {"CONNECT"} and len(sent) >= 2, sent  # polling's tunnel, then wss's

    proxy.forget()  # through the proxy still, the server's certificate is verified
    result, records = call_echo(tmp_path, url, "-t", "websocket", "--no-reconnect",
                                env={"https_proxy": proxy.url})
    assert result.returncode == 1
    assert first_of(records, "connect_error")["message"].startswith(
        "TLS certificate of 127.0.0.1:%d could not be verified" % server.port)
    assert methods(proxy, server.port) == ["CONNECT"]


def test_proxy_credentials_are_sent_and_never_shown(auth_proxy, sio_server, tmp_path):
    auth_proxy.forget()
    record = tmp_path / "run.jsonl"
    result, records = call_echo(tmp_path, sio_server.url, "--proxy", auth_proxy.url, "--trace",
                                "--record", record)
    assert_echoed(result, records, "websocket")
    assert "CONNECT" in methods(auth_proxy, sio_server.port)
    assert "GET" in methods(auth_proxy, sio_server.port)
    for text in (result.stdout, result.stderr, record.read_text()):
        assert "s3cr3t-pw" not in text


def test_a_proxy_asking_for_credentials_is_said_so(auth_proxy, sio_server, tmp_path):
    for transports in (["-t", "polling"], ["-t", "websocket"]):
        auth_proxy.forget()
        result, records = call_echo(tmp_path, sio_server.url, "--proxy", auth_proxy.bare_url,
                                    "--no-reconnect", *transports)
        assert result.returncode == 1, result.stdout
        assert first_of(records, "connect_error")["message"].startswith(
            "the proxy %s asks for credentials (HTTP 407): give them in the proxy URL, "
            "http://USER:PASSWORD@HOST:PORT" % auth_proxy.bare_url)
        assert methods(auth_proxy, sio_server.port) == [
            "GET" if "polling" in transports else "CONNECT"]

    wrong = auth_proxy.bare_url.replace("http://", "http://ann:wrong-pw@")
    result, records = call_echo(tmp_path, sio_server.url, "--proxy", wrong, "--no-reconnect",
                                "-t", "websocket")
    assert result.returncode == 1
    message = first_of(records, "connect_error")["message"]
    assert message.startswith("the proxy http://ann:****@127.0.0.1:%d refused its credentials "
                              "(HTTP 40" % auth_proxy.port), message
    assert "wrong-pw" not in result.stdout + result.stderr

    # over polling the proxy's refusal (tinyproxy: 401, as a server's) is an HTTP answer
    # to the request itself: which of the two sent it cannot be told, so both are named
    result, records = call_echo(tmp_path, sio_server.url, "--proxy", wrong, "-t", "polling")
    assert result.returncode == 1
    message = first_of(records, "connect_error")["message"]
    assert message.startswith("HTTP 401 Unauthorized from 127.0.0.1:%d/socket.io/ (or from "
                              "the proxy http://ann:****@127.0.0.1:%d, refusing its "
                              "credentials)" % (sio_server.port, auth_proxy.port)), message
    assert "wrong-pw" not in result.stdout + result.stderr


def test_a_proxy_refusal_no_retry_changes_ends_a_scripted_run_at_once(auth_proxy, sio_server,
                                                                      tmp_path):
    # a scripted run stops at an answer no retry changes, from the proxy as from a server
    for transports in (["-t", "polling"], ["-t", "websocket"]):
        auth_proxy.forget()
        result, records = call_echo(tmp_path, sio_server.url, "--proxy", auth_proxy.bare_url,
                                    *transports)
        assert result.returncode == 1, result.stdout
        errors = [r for r in records if r["type"] == "connect_error"]
        assert len(errors) == 1 and not [r for r in records if r["type"] == "reconnect_attempt"]
        assert errors[0]["message"].endswith(
            "; not retried: the proxy gives this answer however often it is asked")
        assert len(methods(auth_proxy, sio_server.port)) == 1


def test_no_proxy_bypasses_the_proxy(proxy, sio_server, tmp_path):
    for no_proxy in ("127.0.0.1", "localhost,127.0.0.0/8", "127.0.0.1:%d" % sio_server.port,
                     "*"):
        for name in ("NO_PROXY", "no_proxy"):
            proxy.forget()
            result, records = call_echo(tmp_path, sio_server.url, "--proxy", proxy.url,
                                        env={name: no_proxy, "HTTP_PROXY": proxy.url})
            assert_echoed(result, records, "websocket")
            assert proxy.requests() == [], (no_proxy, proxy.requests())

    proxy.forget()  # NO_PROXY naming another port or host: the proxy is used
    result, records = call_echo(tmp_path, sio_server.url, env={
        "HTTP_PROXY": proxy.url, "NO_PROXY": "example.com,127.0.0.1:1"})
    assert_echoed(result, records, "websocket")
    assert "CONNECT" in methods(proxy, sio_server.port)


def test_an_unreachable_proxy_is_named(sio_server, tmp_path):
    result, records = call_echo(tmp_path, sio_server.url, "--proxy", "http://ann:pw1234@127.0.0.1:1",
                                "--no-reconnect", "--connect-timeout", "3")
    assert result.returncode == 1
    assert of_type(records, "connect_error")[0]["message"] == (
        "cannot connect to the proxy http://ann:****@127.0.0.1:1: connection refused "
        "(is it running?)")
    assert "pw1234" not in result.stdout + result.stderr


@pytest.mark.parametrize("option, env, message", [
    (["--proxy", "socks5://127.0.0.1:1080"], {},
     "--proxy: only http:// proxies are supported (got socks5://)"),
    ([], {"HTTP_PROXY": "http://u:secret@127.0.0.1:99999"},
     "HTTP_PROXY: the proxy's port is not a number from 1 to 65535"),
    (["--proxy", "http://127.0.0.1:3128/path"], {},
     "--proxy: a proxy URL is http://[USER:PASSWORD@]HOST[:PORT], with no path"),
])
def test_a_bad_proxy_is_a_usage_error(option, env, message, tmp_path):
    result = run_siocli(tmp_path, "connect", "http://127.0.0.1:1", "-e", "x", *option, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("siocli: error: " + message), result.stderr
    assert result.stderr.count("\n") == 1 and "secret" not in result.stderr


def test_the_repl_names_the_proxy_with_its_password_masked(auth_proxy, sio_server, tmp_path):
    import io

    import pexpect

    from siocli_run import spawn_siocli

    auth_proxy.forget()
    child = spawn_siocli(tmp_path, "connect", sio_server.url, "--proxy", auth_proxy.url,
                         "--no-color", env={"NO_COLOR": "1"})
    child.logfile_read = screen = io.StringIO()
    try:
        child.expect(r"connecting to %s via proxy http://ann:\*\*\*\*@127\.0\.0\.1:%d\."
                     % (sio_server.url.replace(".", r"\."), auth_proxy.port))
        child.expect(r"connect\S*\s+/\s+\S{20}\s")
        child.send("status\r")
        child.expect(r"proxy\W+http://ann:\*\*\*\*@127\.0\.0\.1:%d" % auth_proxy.port)
        child.send("quit\r")
        child.expect(pexpect.EOF)
        assert "s3cr3t-pw" not in screen.getvalue() and "status" in screen.getvalue()
    finally:
        child.close(force=True)
    assert "CONNECT" in methods(auth_proxy, sio_server.port)


def test_a_profile_may_name_the_proxy(proxy, sio_server, tmp_path):
    config = tmp_path / "config" / "siocli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[profiles.behind]\nurl = "%s"\nproxy = "%s"\ntransport = "websocket"\n'
                      % (sio_server.url, proxy.url))
    proxy.forget()
    result = run_siocli(tmp_path, "connect", "-p", "behind", "-c", "echo 1", "--json")
    assert_echoed(result, json_lines(result.stdout), "websocket")
    assert methods(proxy, sio_server.port) == ["CONNECT"]


def test_http_to_a_tls_port_through_the_proxy_asks_the_port_through_the_proxy(
        proxy, tls_server, tmp_path):
    server, _ = tls_server
    proxy.forget()
    result, records = call_echo(tmp_path, "http://127.0.0.1:%d" % server.port, "-t",
                                "websocket", "--no-reconnect", "--proxy", proxy.url)
    assert result.returncode == 1
    assert first_of(records, "connect_error")["message"] == (
        "the server at 127.0.0.1:%d speaks TLS: use https:// (or wss://)" % server.port)
    # the websocket attempt's two tunnels (all there is when the question goes round the
    # proxy), then the one the question's TLS handshake went through
    assert methods(proxy, server.port) == ["CONNECT"] * 3
