"""What the JS client's decoder refuses, siocli refuses the same way: the same packets
from a raw test server to the official JS client and to siocli, side by side. A refused
packet closes the connection with `parse error` and reaches no handler (an event named
`disconnect` never fakes a lifecycle record); packets for a namespace nobody asked for
are ignored; what JS accepts (a 5,000-digit number) is accepted; what JS gives no listener
(an event after its namespace's DISCONNECT, an ack nobody waits for) siocli does not
report, and no event name is taken for anything else."""

import concurrent.futures

import pytest

from hostile_scenarios import Scenario
from hostile_server import running_hostile_server
from node_peer import run_oracle
from siocli_run import json_lines, run_siocli

PLACEHOLDER = '{"_placeholder":true,"num":0}'
CASES = {
    "reserved name disconnect": ('42["disconnect","x"]', '42["after",1]'),
    "reserved name connect": ('42["connect"]', '42["after",1]'),
    "reserved name connect_error": ('42["connect_error",{"message":"fake"}]',),
    "NaN in args": ('42["x",NaN]', '42["after",1]'),
    "Infinity in args": ('42["x",Infinity]',),
    "payload not an array": ('42{"a":1}',),
    "empty array": ('42[]',),
    "first element not a string or number": ('42[true,1]',),
    "invalid JSON": ('42["x",',),
    "text before the announced attachment": ('451-["x",%s]' % PLACEHOLDER, '42["after",1]'),
    "binary data nobody announced": (b"\x01\x02\x03", '42["after",1]'),
    "illegal attachment count": ('45x-["x",%s]' % PLACEHOLDER,),
    "ack id followed by text": ('43x[1]',),
    "unknown Socket.IO type": ('49["x"]',),
    "a namespace nobody asked for": ('42/nobody,["x",1]', '42["after",1]'),
    "a 5000-digit number": ('42["big",%s]' % ("1" * 5000), '42["after",1]'),
    "a number as the event name": ('42[7,"seven"]', '42["after",1]'),
    # accepted by both decoders, and given to no listener, or to the right one
    "an event right after the namespace's DISCONNECT": ('42["before",1]', '41', '42["late",1]'),
    "an ACK without an id": ('43["x"]', '42["after",1]'),
    "an ACK for a call nobody made": ('435["x"]', '42["after",1]'),
    "an ACK with id 0": ('430["x"]', '42["after",1]'),
    "an event named *": ('42["*",1]', '42["after",1]'),
    "an event named __disconnect_final": ('42["__disconnect_final"]', '42["after",1]'),
}


def outline(records):
    """What must agree: the lifecycle (types and reasons) and the events' names, in order
    but for one JS quirk: over polling, when a refused packet comes in the same response
    as the CONNECT answer, the JS client reports the `parse error` before `connect` (its
    Manager hands decoded packets on a tick later, a decoding error at once); siocli
    reports them in wire order. Lifecycle entries are therefore compared as a sorted list."""
    events = [("event", str(r["event"])) for r in records if r["type"] == "event"]
    return sorted(lifecycle(records)), events


def lifecycle(records):
    shown = []
    for record in records:
        kind = record["type"]
        if kind == "disconnect" and record["reason"] != "io client disconnect":
            shown.append(("disconnect", record["reason"]))
        elif kind in ("connect", "connect_error"):
            shown.append((kind,))
    return shown


@pytest.mark.parametrize("transport", ["websocket", "polling"])
@pytest.mark.parametrize("case", list(CASES))
def test_siocli_decodes_as_the_js_client(case, transport, tmp_path):
    scenario = Scenario(packets=CASES[case])
    with running_hostile_server(scenario) as ours, running_hostile_server(scenario) as theirs, \
            concurrent.futures.ThreadPoolExecutor(2) as pool:
        siocli = pool.submit(run_siocli, tmp_path, "connect", ours, "-t", transport,
                             "-l", "*", "--wait", "1", "--no-reconnect", "--json")
        oracle = pool.submit(run_oracle, theirs, "--transport", transport,
                             "--no-reconnect", "--wait-ms", "1000")
        result, js_records = siocli.result(), oracle.result()
    assert "Traceback" not in result.stderr
    ours_outline = outline(json_lines(result.stdout))
    assert ours_outline == outline(js_records), (ours_outline, js_records)
    assert not any(record["type"] == "error" for record in json_lines(result.stdout))
