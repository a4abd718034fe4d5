"""Unit tests of siocli.client.connect_errors: connection failures worded for people."""

import errno

import aiohttp

from siocli.client.connect_errors import describe_failure


def test_refused_connection_is_worded_for_people():
    exc = aiohttp.ClientConnectorError(
        connection_key=None, os_error=ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    message, data = describe_failure(exc, "Cannot connect", "http://127.0.0.1:9", "/socket.io")
    assert message == "connection refused by 127.0.0.1:9 (is the server running?)"
    assert data is None


def test_http_status_and_timeout_wording():
    message, _ = describe_failure(None, "Unexpected status code 404 in server response",
                                  "http://h:80", "/socket.io")
    assert message == "HTTP 404 from h:80/socket.io/ (is --path right?)"
    message, _ = describe_failure(TimeoutError(), "timeout", "https://h", "/socket.io")
    assert message == "timeout while connecting to h:443"


def test_a_refused_handshake_says_the_status_and_what_the_server_said():
    from siocli.client.connect_errors import not_worth_retrying
    from siocli.client.engine_session import RefusedHandshake

    refused = RefusedHandshake(403, "Forbidden", "origin not on the list")
    body = {"code": 4, "message": "origin not on the list"}
    message, data = describe_failure(None, body, "http://h:3000/?token=abc", "/socket.io",
                                     refused=refused)
    assert message == "HTTP 403 Forbidden from h:3000/socket.io/: origin not on the list"
    assert data == body
    message, _ = describe_failure(None, None, "http://h", "/io",
                                  refused=RefusedHandshake(404, "", "404: Not Found"))
    assert message == "HTTP 404 Not Found from h:80/io/ (is --path right?)"
    assert not_worth_retrying(refused) and not_worth_retrying(RefusedHandshake(400, "", ""))
    assert not not_worth_retrying(RefusedHandshake(429, "Too Many Requests", ""))
    assert not not_worth_retrying(RefusedHandshake(503, "Service Unavailable", ""))
    assert not not_worth_retrying(None)


def test_a_tls_port_and_a_plain_port_are_named():
    import ssl

    from siocli.client.engine_session import RefusedHandshake

    message, _ = describe_failure(aiohttp.ServerDisconnectedError(), "Server disconnected",
                                  "http://h:8443", "/socket.io", speaks_tls=True)
    assert message == "the server at h:8443 speaks TLS: use https:// (or wss://)"
    nginx = RefusedHandshake(400, "Bad Request",
                             "400 The plain HTTP request was sent to HTTPS port")
    message, _ = describe_failure(None, None, "http://h:443", "/socket.io", refused=nginx)
    assert message == "the server at h:443 speaks TLS: use https:// (or wss://)"
    wrong = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    wrong.reason = "WRONG_VERSION_NUMBER"
    message, _ = describe_failure(wrong, "Connection error", "https://h:80", "/socket.io")
    assert message == "the server at h:80 does not speak TLS: use http:// (or ws://)"
