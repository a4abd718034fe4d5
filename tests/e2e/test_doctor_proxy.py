"""`siocli doctor` behind a real HTTP proxy (tinyproxy, the ``proxy`` and ``auth_proxy``
fixtures of tests/support/proxy_server.py): the `proxy` step says which proxy, chosen by
which setting, and whether its CONNECT to the server was answered; every later step goes
through it as `connect`'s traffic does, which tinyproxy's log shows."""

import pytest

from doctor_peers import closed_port, self_signed_certificate
from proxy_server import start_proxy
from py_server import start_py_server
from siocli_run import json_lines, run_siocli

STEP_NAMES = ["dns", "proxy", "tcp", "tls", "http", "engineio", "handshake", "polling",
              "websocket", "namespace", "sticky", "cors", "ping"]


def doctor(tmp_path, url, *options, env=None):
    """(exit status, {step: record}, the run) of `siocli doctor URL OPTIONS --json`."""
    result = run_siocli(tmp_path, "doctor", url, *options, "--json", env=env, timeout=60)
    records = json_lines(result.stdout)
    assert [record["step"] for record in records] == STEP_NAMES, result.stderr
    return result.returncode, {record["step"]: record for record in records}, result


def failed_at_the_proxy(status, steps):
    assert status == 1
    assert steps["dns"]["status"] == "pass"
    assert steps["proxy"]["status"] == "fail"
    assert all(steps[name]["status"] == "skipped" and
               steps[name]["value"] == "after the failed proxy step"
               for name in STEP_NAMES[STEP_NAMES.index("proxy") + 1:])
    return steps["proxy"]


def sent_for(proxy, port):
    """(method, target) of the requests the proxy was sent for the server at ``port``."""
    return [(method, target) for method, target in proxy.requests()
            if "127.0.0.1:%d" % port in target]


def test_a_healthy_server_through_the_proxy_passes_every_step(proxy, sio_server, tmp_path):
    proxy.forget()
    status, steps, _ = doctor(tmp_path, sio_server.url, "--proxy", proxy.url,
                              "--origin", "http://app.example")
    assert status == 0, steps
    assert [name for name, record in steps.items() if record["status"] != "pass"] == ["tls"]
    assert steps["proxy"]["value"].startswith(
        "%s (from --proxy): CONNECT 127.0.0.1:%d answered HTTP 200 ("
        % (proxy.url, sio_server.port))
    assert steps["proxy"]["data"] == {"proxy": proxy.url, "source": "--proxy",
                                      "target": "127.0.0.1:%d" % sio_server.port, "status": 200}
    assert steps["dns"]["value"].startswith("the proxy's host: 127.0.0.1")
    assert steps["tcp"]["value"] == ("connected to 127.0.0.1:%d through the proxy's CONNECT "
                                     "tunnel" % sio_server.port)
    sent = sent_for(proxy, sio_server.port)
    methods = [method for method, _ in sent]
    # the proxy step's and the TCP step's tunnels, the polling requests as proxied ones
    # (handshake, CONNECT posted, its answer, sticky sessions, CORS), the upgrade's tunnel
    assert methods[:2] == ["CONNECT", "CONNECT"], sent
    assert methods.count("CONNECT") == 3 and methods.count("POST") >= 7, sent
    assert sent[2] == ("GET", "http://127.0.0.1:%d/socket.io/?EIO=4&transport=polling&t=doctor1"
                       % sio_server.port)
    assert not any(target.startswith("ws:") for _, target in sent), sent


def test_websocket_only_goes_through_tunnels_alone(proxy, sio_server, tmp_path):
    proxy.forget()
    status, steps, _ = doctor(tmp_path, sio_server.url, "--proxy", proxy.url, "-t", "websocket")
    assert status == 0, steps
    assert steps["http"]["value"].startswith("websocket handshake: HTTP 101")
    assert steps["websocket"]["value"] == "opened as the first transport, no upgrade (-t websocket)"
    assert steps["namespace"]["status"] == "pass"
    # the proxy step's, the TCP step's and the websocket's tunnels: nothing else
    assert sent_for(proxy, sio_server.port) == [("CONNECT", "127.0.0.1:%d" % sio_server.port)] * 3


def test_proxy_credentials_from_the_environment_are_used_and_masked(auth_proxy, sio_server,
                                                                    tmp_path):
    auth_proxy.forget()
    status, steps, result = doctor(tmp_path, sio_server.url,
                                   env={"HTTP_PROXY": auth_proxy.url})
    assert status == 0, steps
    shown = "http://ann:****@127.0.0.1:%d" % auth_proxy.port
    assert steps["proxy"]["value"].startswith(
        "%s (from HTTP_PROXY): CONNECT 127.0.0.1:%d answered HTTP 200, credentials accepted ("
        % (shown, sio_server.port))
    assert steps["proxy"]["data"]["source"] == "HTTP_PROXY"
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert {"CONNECT", "GET", "POST"} <= {m for m, _ in sent_for(auth_proxy, sio_server.port)}


def test_a_proxy_asking_for_credentials(auth_proxy, sio_server, tmp_path):
    auth_proxy.forget()
    status, steps, _ = doctor(tmp_path, sio_server.url, env={"http_proxy": auth_proxy.bare_url})
    proxy_step = failed_at_the_proxy(status, steps)
    assert proxy_step["value"] == (
        "the proxy %s (from http_proxy) asks for credentials (HTTP 407): give them in the "
        "proxy URL, http://USER:PASSWORD@HOST:PORT" % auth_proxy.bare_url)
    assert proxy_step["fix"] == (
        "the proxy asks for credentials: give them in the proxy URL, "
        "http://USER:PASSWORD@127.0.0.1:%d (in http_proxy; percent-encode @ : / in them)"
        % auth_proxy.port)
    assert proxy_step["data"]["status"] == 407
    assert [m for m, _ in sent_for(auth_proxy, sio_server.port)] == ["CONNECT"]


def test_wrong_proxy_credentials(auth_proxy, sio_server, tmp_path):
    wrong = auth_proxy.bare_url.replace("http://", "http://ann:wrong-pw@")
    status, steps, result = doctor(tmp_path, sio_server.url, "--proxy", wrong)
    proxy_step = failed_at_the_proxy(status, steps)
    # tinyproxy answers a CONNECT with wrong credentials with 401 (407 without any)
    assert proxy_step["value"] == (
        "the proxy http://ann:****@127.0.0.1:%d (from --proxy) refused its credentials "
        "(HTTP 401)" % auth_proxy.port)
    assert proxy_step["fix"] == ("the proxy refused the credentials of user ann: correct the "
                                 "user or password in --proxy (percent-encode @ : / in them)")
    assert "wrong-pw" not in result.stdout + result.stderr


def test_an_unreachable_proxy(sio_server, tmp_path):
    port = closed_port()
    status, steps, result = doctor(tmp_path, sio_server.url, "--connect-timeout", "3",
                                   env={"HTTP_PROXY": "http://ann:pw1234@127.0.0.1:%d" % port})
    proxy_step = failed_at_the_proxy(status, steps)
    assert proxy_step["value"] == ("cannot connect to the proxy http://ann:****@127.0.0.1:%d "
                                   "(from HTTP_PROXY): connection refused (is it running?)"
                                   % port)
    assert proxy_step["fix"] == ("start the proxy, or correct its host and port in HTTP_PROXY; "
                                 "to go without it, unset HTTP_PROXY, or name 127.0.0.1 in "
                                 "NO_PROXY")
    assert "pw1234" not in result.stdout + result.stderr


def test_an_unknown_proxy_host_fails_the_dns_step(sio_server, tmp_path):
    status, steps, _ = doctor(tmp_path, sio_server.url, "--proxy", "http://proxy.invalid:3128")
    assert status == 1
    assert steps["dns"]["status"] == "fail"
    assert steps["dns"]["value"].startswith("the proxy's host: cannot resolve proxy.invalid")
    assert steps["dns"]["fix"] == ("check the proxy's host name in --proxy "
                                   "(http://proxy.invalid:3128)")
    assert all(steps[name]["status"] == "skipped" for name in STEP_NAMES[1:])


def test_a_server_the_proxy_cannot_reach(proxy, tmp_path):
    port = closed_port()
    proxy.forget()
    status, steps, _ = doctor(tmp_path, "http://127.0.0.1:%d" % port, "--proxy", proxy.url)
    proxy_step = failed_at_the_proxy(status, steps)
    assert proxy_step["value"].startswith("the proxy %s (from --proxy) could not reach "
                                          "127.0.0.1:%d (HTTP 5" % (proxy.url, port))
    assert proxy_step["fix"].startswith("the proxy cannot connect to 127.0.0.1:%d: check that "
                                        "the server runs and listens on port %d" % (port, port))
    assert sent_for(proxy, port) == [("CONNECT", "127.0.0.1:%d" % port)]


def test_a_proxy_forbidding_tunnels_still_proxies_polling(sio_server, tmp_path):
    """As squid does by default (CONNECT to port 443 only): an http:// server's polling
    goes through, its websocket cannot."""
    with start_proxy(tmp_path / "proxy", settings=["ConnectPort 443"]) as strict:
        status, steps, _ = doctor(tmp_path, sio_server.url, "--proxy", strict.url)
        methods = [method for method, _ in strict.requests()]
        polling_status, polling_steps, _ = doctor(tmp_path, sio_server.url, "--proxy",
                                                  strict.url, "-t", "polling")
        # an https:// server is reached through tunnels alone: nothing can go on
        https_status, https_steps, _ = doctor(tmp_path, "https://127.0.0.1:%d" % closed_port(),
                                              "--proxy", strict.url)
    assert status == 1
    proxy_step = steps["proxy"]
    assert proxy_step["status"] == "fail"
    assert proxy_step["value"] == ("the proxy %s (from --proxy) refuses connections to "
                                   "127.0.0.1:%d (HTTP 403)" % (strict.url, sio_server.port))
    assert proxy_step["fix"].startswith("the proxy forbids tunnels to 127.0.0.1:%d, which the "
                                        "websocket needs: polling works through it"
                                        % sio_server.port)
    assert "ConnectPort" in proxy_step["fix"]
    assert statuses(steps) == {
        "dns": "pass", "proxy": "fail", "tcp": "skipped", "tls": "skipped", "http": "pass",
        "engineio": "pass", "handshake": "pass", "polling": "pass", "websocket": "fail",
        "namespace": "pass", "sticky": "pass", "cors": "skipped", "ping": "skipped"}
    assert steps["tcp"]["value"] == ("the proxy opens no tunnel to 127.0.0.1:%d: polling goes "
                                     "to it as proxied requests" % sio_server.port)
    assert methods[0] == "CONNECT" and methods.count("CONNECT") == 1
    assert methods.count("GET") >= 3 and methods.count("POST") >= 7, methods

    assert polling_status == 0, polling_steps  # -t polling needs no tunnel
    assert polling_steps["proxy"]["status"] == "pass"
    assert polling_steps["proxy"]["value"].endswith(
        "(HTTP 403), which -t polling to an http:// server does not "
        "need (its requests go to the proxy as proxied ones)")
    assert failed_at_the_proxy(https_status, https_steps)["value"].endswith("(HTTP 403)")


def statuses(steps):
    return {name: record["status"] for name, record in steps.items()}


@pytest.mark.parametrize("name, rules", [("NO_PROXY", "127.0.0.1"), ("no_proxy", "*")])
def test_no_proxy_bypasses_the_proxy(name, rules, proxy, sio_server, tmp_path):
    proxy.forget()
    status, steps, _ = doctor(tmp_path, sio_server.url, "--proxy", proxy.url,
                              env={name: rules})
    assert status == 0, steps
    assert steps["proxy"]["status"] == "skipped"
    assert steps["proxy"]["value"] == "%s matches 127.0.0.1 (--proxy's proxy not used)" % name
    assert steps["tcp"]["value"] == "connected to 127.0.0.1:%d" % sio_server.port
    assert proxy.requests() == []


def test_https_through_the_proxy_checks_the_certificate_through_the_tunnel(proxy, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    with start_py_server(tls=(cert, key)) as server:
        url = "https://127.0.0.1:%d" % server.port
        proxy.forget()
        status, steps, _ = doctor(tmp_path, url, "--cacert", cert,
                                  env={"HTTPS_PROXY": proxy.url, "HTTP_PROXY": "http://127.0.0.1:1"})
        assert status == 0, steps
        assert steps["proxy"]["data"]["source"] == "HTTPS_PROXY"
        assert steps["tls"]["value"].startswith("TLS")
        assert "issuer CN=127.0.0.1, O=siocli doctor test" in steps["tls"]["value"]
        assert {method for method, _ in sent_for(proxy, server.port)} == {"CONNECT"}

        proxy.forget()  # through the proxy still, the server's certificate is checked
        status, steps, _ = doctor(tmp_path, url, env={"HTTPS_PROXY": proxy.url})
    assert status == 1
    assert steps["proxy"]["status"] == steps["tcp"]["status"] == "pass"
    assert steps["tls"]["status"] == "fail"
    assert steps["tls"]["value"].startswith("not verified: self-signed certificate")
    assert {method for method, _ in sent_for(proxy, server.port)} == {"CONNECT"}


def test_the_plain_report_names_the_proxy(auth_proxy, sio_server, tmp_path):
    result = run_siocli(tmp_path, "doctor", sio_server.url, "--proxy", auth_proxy.bare_url)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    row = next(index for index, line in enumerate(lines) if line.startswith("proxy "))
    assert lines[row].split()[:5] == ["proxy", "FAIL", "the", "proxy", auth_proxy.bare_url]
    assert lines[row + 1].strip().startswith("fix: the proxy asks for credentials")
    assert lines[-1] == ("1 passed, 1 failed, 11 skipped: the first failure is the one to fix "
                         "(proxy)")


def test_a_bad_proxy_url_is_a_usage_error_naming_its_setting(tmp_path):
    result = run_siocli(tmp_path, "doctor", "http://127.0.0.1:1",
                        env={"HTTP_PROXY": "socks5://u:secret@127.0.0.1:1080"})
    assert result.returncode == 2
    assert result.stderr.startswith("siocli: error: HTTP_PROXY: only http:// proxies are "
                                    "supported (got socks5://)"), result.stderr
    assert result.stdout == "" and "secret" not in result.stderr
