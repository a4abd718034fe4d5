"""Unit tests of siocli.client.reasons: the JS client's disconnect reason from wire facts."""

import pytest

from siocli.client import reasons


def test_every_reason_has_the_docs_description():
    assert set(reasons.DESCRIPTIONS) == {
        "io server disconnect", "io client disconnect", "ping timeout", "transport close",
        "transport error", "parse error"}
    assert sorted(reasons.DELIBERATE) == ["io client disconnect", "io server disconnect"]


@pytest.mark.parametrize("facts, library, expected", [
    (dict(server_disconnected={"/"}), "server disconnect", "io server disconnect"),
    (dict(client_closing=True), "client disconnect", "io client disconnect"),
    (dict(ping_timed_out=True), "client disconnect", "ping timeout"),
    (dict(undecodable_frame=True), "transport error", "transport error"),
    (dict(transport_failed=True), "transport error", "transport error"),
    (dict(undecodable_packet=True), "client disconnect", "parse error"),
    (dict(transport_closed=True), "transport error", "transport close"),
    (dict(engine_close_packet=True), "server disconnect", "transport close"),
    (dict(), "server disconnect", "transport close"),
    (dict(), "transport error", "transport error"),
])
def test_js_reason_from_wire_facts(facts, library, expected):
    assert reasons.js_reason(reasons.WireFacts(**facts), "/", library) == expected


def test_server_disconnect_of_another_namespace_is_not_ours():
    facts = reasons.WireFacts(server_disconnected={"/chat"}, transport_closed=True)
    assert reasons.js_reason(facts, "/", "transport error") == "transport close"
    assert reasons.js_reason(facts, "/chat", "server disconnect") == "io server disconnect"
