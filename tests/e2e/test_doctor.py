"""`siocli doctor` against real servers, each set up to fail in one way: the step that
must fail fails with its value and fix, the steps that cannot run are skipped, and the
exit status is 1; a healthy server passes every step (exit 0)."""

import pytest

from doctor_peers import (
    closed_port,
    expired_certificate,
    self_signed_certificate,
    start_doctor_server,
)
from node_peer import start_node_server
from py_server import start_py_server
from round_robin_proxy import start_round_robin_proxy
from siocli_run import ServeProcess, heavy_imports, json_lines, run_siocli

STEP_NAMES = ["dns", "proxy", "tcp", "tls", "http", "engineio", "handshake", "polling",
              "websocket", "namespace", "sticky", "cors", "ping"]


def doctor(tmp_path, url, *options):
    """(exit status, {step: record}) of `siocli doctor URL OPTIONS --json`."""
    result = run_siocli(tmp_path, "doctor", url, *options, "--json", timeout=60)
    records = json_lines(result.stdout)
    assert [record["type"] for record in records] == ["doctor"] * len(STEP_NAMES), result.stderr
    assert [record["step"] for record in records] == STEP_NAMES
    return result.returncode, {record["step"]: record for record in records}


def statuses(steps):
    return {name: record["status"] for name, record in steps.items()}


def skipped_after(steps, first):
    """Every step after ``first`` is skipped."""
    later = STEP_NAMES[STEP_NAMES.index(first) + 1:]
    return all(steps[name]["status"] == "skipped" for name in later)


def test_a_healthy_python_socketio_server_passes_every_step(sio_server, tmp_path):
    status, steps = doctor(tmp_path, sio_server.url, "--origin", "http://app.example")
    assert status == 0
    assert statuses(steps) == {name: "skipped" if name in ("proxy", "tls") else "pass"
                               for name in STEP_NAMES}
    assert steps["proxy"]["value"] == "no proxy: no --proxy, no http_proxy or HTTP_PROXY"
    assert steps["engineio"]["data"] == {"version": 4}
    handshake = steps["handshake"]["data"]
    assert handshake["upgrades"] == ["websocket"] and handshake["ping_interval"] == 25000
    assert handshake["ping_timeout"] == 20000 and handshake["max_payload"] == 1000000
    assert steps["namespace"]["value"].startswith("/ accepted, socket.id ")
    assert steps["sticky"]["data"] == {"requests": 6, "session_unknown": 0}
    assert all(record["fix"] is None for record in steps.values())


def test_a_healthy_node_server_passes_every_step(tmp_path):
    with start_doctor_server() as server:
        status, steps = doctor(tmp_path, server.url, "--origin", "http://app.example")
    assert status == 0, steps
    assert [name for name, value in statuses(steps).items() if value != "pass"] == [
        "proxy", "tls"]
    assert steps["cors"]["value"] == "Access-Control-Allow-Origin: *"


def test_the_plain_report_is_a_table_with_the_fix_under_the_failure(tmp_path):
    result = run_siocli(tmp_path, "doctor", "http://127.0.0.1:%d" % closed_port())
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("siocli doctor: http://127.0.0.1:")
    assert lines[1].split() == ["step", "result", "value"]
    tcp = next(index for index, line in enumerate(lines) if line.startswith("TCP"))
    assert lines[tcp].split()[1] == "FAIL"
    assert lines[tcp + 1].strip().startswith("fix: nothing listens on port")
    assert lines[-1] == ("1 passed, 1 failed, 11 skipped: the first failure is the one to "
                         "fix (TCP)")


def test_nothing_listening(tmp_path):
    port = closed_port()
    status, steps = doctor(tmp_path, "http://127.0.0.1:%d" % port)
    assert status == 1
    assert steps["dns"]["status"] == "pass"
    assert steps["tcp"]["status"] == "fail"
    assert steps["tcp"]["value"] == "connection refused by 127.0.0.1:%d" % port
    assert "nothing listens on port %d" % port in steps["tcp"]["fix"]
    assert skipped_after(steps, "tcp")


def test_an_unknown_host(tmp_path):
    status, steps = doctor(tmp_path, "http://no-such-host.invalid:3000")
    assert status == 1
    assert steps["dns"]["status"] == "fail"
    assert "check the host name" in steps["dns"]["fix"]
    assert skipped_after(steps, "dns")


def test_a_wrong_engine_io_path(sio_server, tmp_path):
    status, steps = doctor(tmp_path, sio_server.url, "--path", "/wrong")
    assert status == 1
    http = steps["http"]
    assert http["status"] == "fail" and http["data"]["status"] == 404
    assert http["value"].startswith("GET /wrong/: HTTP 404")
    assert "nothing answers at /wrong/" in http["fix"] and "--path" in http["fix"]
    assert skipped_after(steps, "http")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doctor-tls")
    return {"self-signed": self_signed_certificate(folder)}


@pytest.fixture(scope="module")
def self_signed_server(certificates):
    with start_py_server(tls=certificates["self-signed"]) as server:
        yield server


def test_http_to_a_tls_port(self_signed_server, tmp_path):
    status, steps = doctor(tmp_path, "http://127.0.0.1:%d" % self_signed_server.port)
    assert status == 1
    assert steps["tls"]["status"] == "skipped"
    assert steps["http"]["status"] == "fail"
    assert steps["http"]["value"] == "no HTTP answer: the server speaks TLS on this port"
    assert steps["http"]["fix"] == "use https:// (or wss://) in the URL"
    assert skipped_after(steps, "http")


def test_https_to_a_plain_port(sio_server, tmp_path):
    status, steps = doctor(tmp_path, "https://127.0.0.1:%d" % sio_server.port)
    assert status == 1
    assert steps["tls"]["status"] == "fail"
    assert steps["tls"]["value"] == "the server answered in plain HTTP, not TLS"
    assert "use http://" in steps["tls"]["fix"]
    assert skipped_after(steps, "tls")


def test_a_self_signed_certificate(self_signed_server, tmp_path):
    status, steps = doctor(tmp_path, "https://127.0.0.1:%d" % self_signed_server.port)
    assert status == 1
    tls = steps["tls"]
    assert tls["status"] == "fail"
    assert tls["data"]["verify_code"] == 18 and tls["data"]["verified"] is False
    assert tls["data"]["issuer"] == "CN=127.0.0.1, O=siocli doctor test"
    assert tls["data"]["days_left"] in (29, 30)
    assert "self-signed certificate" in tls["value"]
    assert "--cacert" in tls["fix"] and "-k" in tls["fix"]
    assert skipped_after(steps, "tls")


def test_a_self_signed_certificate_trusted_with_cacert(self_signed_server, certificates,
                                                       tmp_path):
    cert, _ = certificates["self-signed"]
    status, steps = doctor(tmp_path, "https://127.0.0.1:%d" % self_signed_server.port,
                           "--cacert", str(cert))
    assert status == 0, steps
    tls = steps["tls"]
    assert tls["status"] == "pass" and tls["data"]["verified"] is True
    assert "issuer CN=127.0.0.1, O=siocli doctor test" in tls["value"]
    assert "expires in 29 days" in tls["value"] or "expires in 30 days" in tls["value"]
    assert steps["websocket"]["status"] == "pass"


def test_a_self_signed_certificate_with_insecure_is_described_not_judged(self_signed_server,
                                                                        tmp_path):
    status, steps = doctor(tmp_path, "https://127.0.0.1:%d" % self_signed_server.port, "-k")
    assert status == 0, steps
    tls = steps["tls"]
    assert tls["status"] == "pass" and tls["data"]["verified"] is False
    assert tls["value"].endswith(", not verified (-k)")


def test_polling_only_on_the_command_line(sio_server, tmp_path):
    status, steps = doctor(tmp_path, sio_server.url, "-t", "polling")
    assert status == 0
    assert steps["websocket"] == dict(steps["websocket"], status="skipped",
                                      value="-t polling: no websocket")
    assert steps["ping"]["status"] == "skipped"
    assert steps["namespace"]["status"] == steps["sticky"]["status"] == "pass"


def test_an_expired_certificate(tmp_path):
    cert, key, ca = expired_certificate(tmp_path)
    with start_py_server(tls=(cert, key)) as server:
        status, steps = doctor(tmp_path, "https://127.0.0.1:%d" % server.port,
                               "--cacert", str(ca))
    assert status == 1
    tls = steps["tls"]
    assert tls["status"] == "fail" and tls["data"]["verify_code"] == 10
    assert tls["data"]["days_left"] in (-3, -4)
    assert "certificate has expired" in tls["value"]
    assert tls["fix"].startswith("the certificate expired on ")
    assert "renew it" in tls["fix"]


@pytest.mark.parametrize("transport", [None, "websocket"])
def test_a_socketio_2_server_is_named(transport, tmp_path):
    options = ("-t", transport) if transport else ()
    with start_doctor_server("--v2") as server:
        status, steps = doctor(tmp_path, server.url, *options)
    assert status == 1
    engine = steps["engineio"]
    assert engine["status"] == "fail" and engine["data"] == {"version": 3}
    assert engine["value"] == "3: a Socket.IO 2.x server (Engine.IO 3)"
    assert "upgrade the server to Socket.IO 4" in engine["fix"]
    assert steps["handshake"]["status"] == "pass"  # it is read all the same
    assert steps["handshake"]["data"]["max_payload"] is None
    assert skipped_after(steps, "handshake")
    assert "Socket.IO 2.x" in steps["namespace"]["value"]


def test_a_server_that_allows_polling_only(tmp_path):
    with start_doctor_server("--transports", "polling") as server:
        status, steps = doctor(tmp_path, server.url)
    assert status == 1
    assert steps["handshake"]["data"]["upgrades"] == []
    assert steps["polling"]["status"] == "pass"
    websocket = steps["websocket"]
    assert websocket["status"] == "fail"
    assert websocket["value"] == "upgrade refused: HTTP 400 (the handshake offered upgrades [])"
    assert "allows polling only" in websocket["fix"] and "-t polling" in websocket["fix"]
    assert steps["namespace"]["status"] == "pass"
    assert steps["ping"]["status"] == "skipped"


def test_a_namespace_middleware_rejection_with_data(tmp_path):
    with start_doctor_server() as server:
        status, steps = doctor(tmp_path, server.url + "/private", "--token", "wrong")
    assert status == 1
    namespace = steps["namespace"]
    assert namespace["status"] == "fail"
    assert namespace["data"] == {"message": "not authorized",
                                 "data": {"content": "Please retry later"}}
    assert namespace["value"] == ('/private refused: not authorized, data '
                                  '{"content": "Please retry later"}')
    assert "--token" in namespace["fix"]
    assert statuses(steps)["polling"] == statuses(steps)["websocket"] == "pass"


@pytest.mark.parametrize("transport", [None, "websocket"])
def test_an_unknown_namespace(transport, tmp_path):
    options = ("-t", transport) if transport else ()
    with start_doctor_server() as server:
        status, steps = doctor(tmp_path, server.url + "/nope", *options)
    assert status == 1
    namespace = steps["namespace"]
    assert namespace["status"] == "fail"
    assert namespace["value"] == "unknown namespace /nope (the server: Invalid namespace)"
    assert "the URL's path is the namespace" in namespace["fix"]


@pytest.mark.parametrize("transport", [None, "websocket"])
def test_a_namespace_never_answered(transport, tmp_path):
    options = ("-t", transport) if transport else ()
    with start_doctor_server() as server:
        status, steps = doctor(tmp_path, server.url + "/silent", "--connect-timeout", "1.5",
                               *options)
    assert status == 1
    namespace = steps["namespace"]
    assert namespace["status"] == "fail"
    assert namespace["value"] == "no answer to the CONNECT of /silent within 1.5 s"
    assert "never calls next()" in namespace["fix"]
    if transport is None:
        assert steps["polling"]["status"] == "pass"
        assert steps["polling"]["value"].endswith("the GET waited 1.5 s for the namespace's "
                                                  "answer")


def test_a_refused_cors_origin_on_node(tmp_path):
    with start_doctor_server("--cors", "http://app.example") as server:
        status, steps = doctor(tmp_path, server.url, "--origin", "http://evil.example")
    assert status == 1
    cors = steps["cors"]
    assert cors["status"] == "fail"
    assert cors["value"] == ("the server allows http://app.example only: a page at "
                             "http://evil.example cannot read its answers")
    assert "allow http://evil.example on the server" in cors["fix"]
    assert [name for name, value in statuses(steps).items() if value == "fail"] == ["cors"]


def test_a_refused_cors_origin_on_python_socketio(tmp_path):
    server = ServeProcess(tmp_path, "--cors", "http://app.example")
    try:
        status, steps = doctor(tmp_path, "http://127.0.0.1:%d" % server.port,
                               "--origin", "http://evil.example")
        allowed_status, allowed = doctor(tmp_path, "http://127.0.0.1:%d" % server.port,
                                         "--origin", "http://app.example")
    finally:
        server.stop()
    assert status == 1
    assert steps["cors"]["value"] == ("Origin http://evil.example refused: HTTP 400 "
                                      "http://evil.example is not an accepted origin.")
    assert allowed_status == 0
    assert allowed["cors"]["value"] == "Access-Control-Allow-Origin: http://app.example"


def test_missing_sticky_sessions_behind_a_round_robin_proxy(tmp_path):
    with start_doctor_server() as first, start_doctor_server() as second, \
            start_round_robin_proxy(first.url, second.url) as proxy:
        status, steps = doctor(tmp_path, proxy.url)
        requests = proxy.lines("request")
    assert status == 1
    assert {request["backend"] for request in requests} == {first.url, second.url}
    sticky = steps["sticky"]
    assert sticky["status"] == "fail"
    assert sticky["data"] == {"requests": 6, "session_unknown": 3}
    assert sticky["value"] == ("3 of 6 polling requests of one session answered "
                               "`Session ID unknown`")
    assert "without sticky sessions" in sticky["fix"] and "-t websocket" in sticky["fix"]
    polling = steps["polling"]
    assert polling["status"] == "fail" and polling["value"] == "POST: HTTP 400 Session ID unknown"
    assert "sticky sessions" in polling["fix"]
    # the namespace is still asked, over a websocket of its own (one connection)
    assert steps["namespace"]["status"] == "pass"


def test_a_bad_origin_is_a_usage_error(tmp_path):
    result = run_siocli(tmp_path, "doctor", "http://127.0.0.1:1", "--origin", "app.example")
    assert result.returncode == 2
    assert result.stderr.startswith("siocli: error: --origin expects a web page's origin")
    assert result.stdout == ""


def test_doctor_help_imports_no_heavy_library(tmp_path):
    result, heavy = heavy_imports(tmp_path, ["doctor", "--help"])
    assert "--origin ORIGIN" in result.stdout
    assert heavy == [], result.stderr


@pytest.mark.parametrize("name", ["control-sid", "markup-sid", "close-on-connect",
                                  "no-connect-answer", "connect-error-control", "flood",
                                  "large-message"])
def test_a_hostile_server_gets_rows_not_a_traceback_nor_the_terminal(name, tmp_path):
    from hostile_scenarios import SCENARIOS
    from hostile_server import running_hostile_server

    with running_hostile_server(SCENARIOS[name]) as url:
        result = run_siocli(tmp_path, "doctor", url, "--connect-timeout", "1", "-o", "plain",
                            timeout=60)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert len(result.stdout.splitlines()) >= 16  # title, header, 13 rows, verdict


def test_a_server_that_closes_instead_of_answering_the_connect(tmp_path):
    from hostile_scenarios import SCENARIOS
    from hostile_server import running_hostile_server

    with running_hostile_server(SCENARIOS["close-on-connect"]) as url:
        status, steps = doctor(tmp_path, url, "--connect-timeout", "5")
    assert status == 1
    assert steps["polling"]["value"] == "GET: HTTP 400 Session ID unknown"
    assert steps["polling"]["fix"].startswith("the server no longer knows this session: it "
                                              "ended it after the namespace CONNECT")
    assert steps["sticky"]["status"] == "pass"  # so it is not a load balancer
    namespace = steps["namespace"]
    assert namespace["value"] == ("the server closed the connection instead of answering the "
                                  "CONNECT of /")


def test_a_failing_auth_command_is_one_line_and_exit_1(sio_server, tmp_path):
    result = run_siocli(tmp_path, "doctor", sio_server.url, "--auth-cmd", "exit 3")
    assert result.returncode == 1
    assert result.stderr == "siocli: error: --auth-cmd exited with status 3 (nothing on its " \
                            "stderr)\n"
    assert result.stdout == ""


def test_the_auth_reaches_the_namespace(sio_server, tmp_path):
    url = sio_server.url + "/private"  # its connect handler wants auth.token "secret"
    status, steps = doctor(tmp_path, url, "--auth-cmd", """echo '{"token": "secret"}'""")
    assert status == 0 and steps["namespace"]["status"] == "pass"
    status, steps = doctor(tmp_path, url, "--token", "secret", "-t", "websocket")
    assert status == 0 and steps["namespace"]["status"] == "pass"
    status, steps = doctor(tmp_path, url)
    assert steps["namespace"]["data"] == {"message": "not authorized",
                                          "data": {"content": "Please retry later"}}


@pytest.mark.parametrize("transport", [None, "websocket", "polling"])
def test_a_healthy_msgpack_server_with_parser_msgpack_passes_every_step(transport, tmp_path):
    options = ("-t", transport) if transport else ()
    with start_node_server(parser="msgpack") as server:
        status, steps = doctor(tmp_path, server.url, "--parser", "msgpack", *options)
    assert status == 0, steps
    assert all(record["status"] != "fail" for record in steps.values())
    assert steps["namespace"]["value"].startswith("/ accepted, socket.id ")
    if transport is None:
        assert statuses(steps)["polling"] == statuses(steps)["websocket"] == "pass"
        assert steps["polling"]["value"].startswith("POST ")
        assert ", GET " in steps["polling"]["value"]


def test_the_auth_and_a_rejection_over_msgpack(tmp_path):
    with start_node_server(parser="msgpack") as server:
        url = server.url + "/private"  # its middleware wants auth.token "secret"
        status, steps = doctor(tmp_path, url, "--parser", "msgpack", "--token", "wrong")
        assert status == 1
        assert steps["namespace"]["data"] == {"message": "not authorized",
                                              "data": {"content": "Please retry later"}}
        status, steps = doctor(tmp_path, url, "--parser", "msgpack", "--token", "secret",
                               "-t", "websocket")
        assert status == 0 and steps["namespace"]["status"] == "pass"


@pytest.mark.parametrize("transport", [None, "websocket", "polling"])
def test_a_msgpack_server_without_parser_msgpack_is_named(transport, tmp_path):
    options = ("-t", transport) if transport else ()
    with start_node_server(parser="msgpack") as server:
        status, steps = doctor(tmp_path, server.url, *options)
    assert status == 1
    namespace = steps["namespace"]
    assert namespace["status"] == "fail"
    assert namespace["value"] == (
        "the server closed the connection instead of answering the CONNECT of / written "
        "with the default parser, and answers one written with socket.io-msgpack-parser")
    assert namespace["fix"] == ("the server seems to use socket.io-msgpack-parser: add "
                                "--parser msgpack")
    # the transports work: only the namespace fails
    assert [name for name, value in statuses(steps).items() if value == "fail"] == [
        "namespace"]
    if transport is None:
        assert steps["polling"]["value"].endswith("then the server ended the session instead "
                                                  "of answering the CONNECT (see the "
                                                  "namespace step)")
        assert steps["websocket"]["value"].endswith("(a new session: the server ended the "
                                                    "first on the CONNECT)")
        assert steps["ping"]["status"] == "pass"


@pytest.mark.parametrize("transport", [None, "websocket"])
def test_a_default_server_with_parser_msgpack_is_named(transport, tmp_path):
    options = ("-t", transport) if transport else ()
    with start_node_server() as server:
        status, steps = doctor(tmp_path, server.url, "--parser", "msgpack", *options)
    assert status == 1
    namespace = steps["namespace"]
    assert namespace["value"] == (
        "the server closed the connection instead of answering the CONNECT of / written "
        "with socket.io-msgpack-parser, and answers one written with the default parser")
    assert namespace["fix"] == ("the server seems to use the default parser, not "
                                "socket.io-msgpack-parser: leave out --parser msgpack")
    assert [name for name, value in statuses(steps).items() if value == "fail"] == [
        "namespace"]
