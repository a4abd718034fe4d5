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
