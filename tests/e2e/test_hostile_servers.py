"""siocli against servers that misbehave (tests/support/hostile_server.py): what a user
sees, and that the records stay whole (docs/reliability.md, "Broken servers")."""

import json

import pytest

from hostile_scenarios import SCENARIOS, Scenario
from hostile_server import running_hostile_server
from siocli_run import json_lines, of_type, run_siocli

TRANSPORTS = ["websocket", "polling"]


def refuse_constant(name):
    raise ValueError(name)


def strict_lines(text):
    """Every line strict JSON: no NaN/Infinity, valid UTF-8 (no lone surrogate)."""
    found = []
    for line in text.splitlines():
        line.encode("utf-8")
        found.append(json.loads(line, parse_constant=refuse_constant))
    return found


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_5_mib_message_is_received(transport, tmp_path):
    with running_hostile_server(SCENARIOS["large-message"]) as url:
        result = run_siocli(tmp_path, "connect", url, "-t", transport, "-x", "large",
                            "--json")
    assert result.returncode == 0, result.stderr[-500:]
    event = of_type(json_lines(result.stdout), "event")[0]
    assert len(event["args"][0]) > 4 * 1024 * 1024


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_flood_arrives_complete_and_in_order(transport, tmp_path):
    record_file = tmp_path / "flood.jsonl"
    scenario = Scenario(flood=20000, ping_interval_ms=1000, ping_timeout_ms=10000)
    with running_hostile_server(scenario) as url:
        result = run_siocli(tmp_path, "connect", url, "-t", transport, "-l", "flood",
                            "--count", "20000", "--json", "--record", str(record_file),
                            timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    numbers = [r["args"][0] for r in strict_lines(record_file.read_text())
               if r["type"] == "event"]
    assert numbers == list(range(20000))
    disconnects = of_type(strict_lines(result.stdout), "disconnect")
    assert [d["reason"] for d in disconnects] == ["io client disconnect"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_server_closing_during_the_namespace_handshake_is_said_at_once(transport,
                                                                        tmp_path):
    with running_hostile_server(SCENARIOS["close-on-connect"]) as url:
        result = run_siocli(tmp_path, "connect", url, "-t", transport, "-e", "x",
                            "--connect-timeout", "20", "--reconnect-attempts", "1",
                            "--reconnect-delay", "0.1", "--json", timeout=15)
    errors = of_type(json_lines(result.stdout), "connect_error")
    assert errors and "before answering the namespace CONNECT" in errors[0]["message"]
    assert "timeout" not in errors[0]["message"]
    assert "parser" not in errors[0]["message"], "it closes on any CONNECT: no parser hint"
    assert result.returncode == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_odd_values_become_strict_json_records(transport, tmp_path):
    scenario = Scenario(packets=('42["cut","\\ud83d"]', '42["key",{"\\udc00":1}]',
                                 '42["done"]'))
    record_file = tmp_path / "odd.jsonl"
    with running_hostile_server(scenario) as url:
        result = run_siocli(tmp_path, "connect", url, "-t", transport, "-x", "done",
                            "--json", "--record", str(record_file))
    assert result.returncode == 0, result.stderr[-500:]
    for text in (result.stdout, record_file.read_text()):
        events = [r for r in strict_lines(text) if r["type"] == "event"]
        assert [e["event"] for e in events] == ["cut", "key", "done"]
        assert events[0]["args"][0]["$utf16"] == "\ufffd"


@pytest.mark.parametrize("output", ["plain", "json"])
def test_an_event_named_disconnect_fakes_nothing(output, tmp_path):
    scenario = Scenario(packets=('42["disconnect","io server disconnect"]',))
    with running_hostile_server(scenario) as url:
        result = run_siocli(tmp_path, "connect", url, "-l", "*", "--wait", "1",
                            "--no-reconnect", "-o", output)
    assert result.returncode == 4
    assert "parse error" in result.stdout and "io server disconnect" not in result.stdout


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_traced_packets_read_numbers_as_the_checks_do(transport, tmp_path):
    big = "9" * 5000  # beyond Python's 4,300 digits; JavaScript reads Infinity
    scenario = Scenario(packets=('42["big",%s]' % big, '42["x",NaN]'))
    with running_hostile_server(scenario) as url:
        result = run_siocli(tmp_path, "connect", url, "-t", transport, "-l", "*", "--trace",
                            "--wait", "1", "--no-reconnect", "--json")
    assert result.returncode == 4, result.stderr[-500:]  # NaN: parse error, as the JS client
    traced = {record["raw"][:7]: record for record in of_type(strict_lines(result.stdout),
                                                              "packet")
              if isinstance(record["raw"], str) and record["raw"][:4] == '42["'}
    assert traced['42["big']["data"] == ["big", {"$number": "Infinity"}]
    assert traced['42["x",']["data"] == '["x",NaN]'  # refused: shown as it came
    [event] = of_type(strict_lines(result.stdout), "event")
    assert event["args"] == [{"$number": "Infinity"}]
