"""siocli.client.recovery: connection state recovery on a namespace's state, as
socket.io-client 4.8's Socket does it."""

from siocli.client.recovery import connect_payload as with_recovery
from siocli.client.recovery import connected, event_arrived
from siocli.client.session import NamespaceState


def test_connect_payload_with_recovery_as_the_js_client_merges_it():
    fresh = NamespaceState("/")
    assert with_recovery(fresh, {"token": "t"}) == {"token": "t"}
    assert with_recovery(None, None) == {}
    state = NamespaceState("/", pid="p1", offset="o9")
    assert with_recovery(state, None) == {"pid": "p1", "offset": "o9"}
    assert with_recovery(state, {"token": "t", "pid": "mine"}) == {
        "pid": "mine", "offset": "o9", "token": "t"}  # the auth's own keys win
    assert with_recovery(NamespaceState("/", pid="p1"), {}) == {"pid": "p1"}  # no offset yet


def test_recovered_only_with_the_same_pid_and_offsets_from_string_last_arguments():
    state = NamespaceState("/")
    assert connected(state, None) is False and state.pid is None
    event_arrived(state, ("x", "o1"))
    assert state.offset is None, "no offset without a session id"
    assert connected(state, "p1") is False and state.pid == "p1"
    event_arrived(state, ("x", "o1"))
    event_arrived(state, ("y", 2))
    assert state.offset == "o1"
    assert connected(state, "p1") is True
    assert connected(state, "p2") is False and state.pid == "p2"
