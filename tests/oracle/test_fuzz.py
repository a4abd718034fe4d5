"""The differential fuzzer (tests/oracle/fuzz.py) on a fixed set of seeds: siocli's
lifecycle records match the official JS client's, record by record, under sequences of
server-side faults (docs/fidelity.md).

The seeds that agree today guard against regressions; most of them reproduced one class
of disagreement before it was fixed. A seed marked xfail(strict) reproduces a class that
is still open: when siocli is fixed the test passes, strict xfail turns that into a
failure, and the mark is to be removed. The sequences (4 to 8 s each) run two at a time
before the first test asks for its outcome.
"""

import concurrent.futures

import fuzz  # tests/oracle/fuzz.py (pytest puts this test's folder on sys.path)
import pytest

from node_peer import require_node

WORKERS = 2


def xfail(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


def case(seed, transport, namespaces, *marks):
    return pytest.param(seed, transport, namespaces, marks=marks,
                        id="seed%d-%s-%dns" % (seed, transport, namespaces))


RECORDS = [
    # stop-pings | namespace-disconnect / | namespace-disconnect /
    # (was: the reconnection after `ping timeout` hung until --connect-timeout)
    case(31, "websocket", 1),
    # garbage-eio | conn-close | conn-close
    # (was: the Engine.IO session left after `transport error` broke the next one)
    case(14, "polling", 1),
    # namespace-disconnect /b | restart 500 | conn-close
    # (was: /b, disconnected by the server, came back at the next reconnection)
    case(2, "websocket", 2),
    # reject /b on | garbage-sio | restart 500 | destroy | reject / on
    # (was: /b, rejected by the middleware, was tried again at the next reconnection)
    case(7, "websocket", 2),
    case(1, "polling", 2),  # garbage-eio | conn-close | garbage-sio | garbage-sio
    case(8, "default", 1),  # destroy | namespace-disconnect / (twice) | restart 500
    case(3, "default", 2),  # garbage-eio | destroy | garbage-eio | garbage-eio
    # reject / on | destroy | stop-pings
    # (was: after a reconnection where `/` is rejected and /b accepted, /b's disconnect
    # was not reported, nor /b reconnected)
    case(32, "websocket", 2),
]

SESSIONS = [
    # conn-close | reject / on | garbage-sio
    case(43, "websocket", 1),
    # (was: over polling, the session siocli gave up after `parse error`, and the one
    # whose only namespace the middleware rejected, were left to the server's ping timeout)
    case(43, "polling", 1),
]


@pytest.fixture(scope="module")
def outcomes(request):
    """The fuzz.Outcome of every selected case, by (seed, transport, namespaces)."""
    require_node()
    keys = sorted({(item.callspec.params["seed"], item.callspec.params["transport"],
                    item.callspec.params["namespaces"])
                   for item in request.session.items
                   if item.module is request.module and hasattr(item, "callspec")})
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        results = pool.map(lambda key: fuzz.run_sequence(
            key[0], fuzz.Config(transport=key[1], namespaces=key[2])), keys)
        return dict(zip(keys, results, strict=True))


@pytest.mark.parametrize(("seed", "transport", "namespaces"), RECORDS)
def test_records_match_the_js_client(outcomes, seed, transport, namespaces):
    outcome = outcomes[(seed, transport, namespaces)]
    assert outcome.error is None, outcome.explain()
    assert outcome.agree, outcome.explain()


@pytest.mark.parametrize(("seed", "transport", "namespaces"), SESSIONS)
def test_sessions_are_closed_as_the_js_client_closes_them(outcomes, seed, transport,
                                                         namespaces):
    """Every Engine.IO session siocli gives up is closed by siocli, not left to the
    server's ping timeout (fuzz.Outcome.abandoned)."""
    outcome = outcomes[(seed, transport, namespaces)]
    assert outcome.error is None, outcome.explain()
    js_left, siocli_left = outcome.abandoned()
    assert siocli_left <= js_left, (
        "siocli left %d session(s) open, the JS client %d (after: %s)\n%s" % (
            siocli_left, js_left, ", ".join(outcome.abandoned_after()), outcome.explain()))
