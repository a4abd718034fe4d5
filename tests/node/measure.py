"""Measure what the JS client (oracle.js) reports per disconnect scenario.

    python3 tests/node/measure.py [REPEAT]

Prints a table: scenario x transport -> reason, will_reconnect, delay between
the server acting (its "scenario" record) and the oracle's disconnect record.
Used to write ORACLE.md; not a test.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from node_peer import run_oracle, scenario_args, start_node_server
from siocli_run import first_of

PING_INTERVAL, PING_TIMEOUT = 300, 200

SCENARIOS = [
    "server-disconnect",
    "namespace-disconnect",
    "client-disconnect",
    "conn-close",
    "destroy",
    "block 1500",
    "garbage",
    "garbage-sio",
    "kill",
]


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def once(scenario: str, transport: str) -> dict:
    with start_node_server(ping_interval_ms=PING_INTERVAL, ping_timeout_ms=PING_TIMEOUT) as srv:
        args = ["--transport", transport, "--wait-ms", "4000", "--grace-ms", "200", "--no-reconnect"]
        recs = run_oracle(srv.url, *args, *scenario_args(scenario))
        d = first_of(recs, "disconnect")
        if scenario == "client-disconnect":
            trig = first_of(recs, "client_disconnect_called")["ts"]
        else:
            trig = next((r["ts"] for r in srv.lines("scenario")), None)
        delay = None
        if d and trig:
            delay = round((ts(d["ts"]) - ts(trig)).total_seconds() * 1000)
        return {
            "reason": d and d["reason"],
            "will_reconnect": d and d["will_reconnect"],
            "description": d and d["description"],
            "delay_ms": delay,
            "server": [(r["type"], r.get("reason")) for r in srv.lines()
                       if r["type"] in ("disconnect", "engine_close")],
        }


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for sc in SCENARIOS:
        for tr in ("websocket", "polling"):
            for _ in range(repeat):
                r = once(sc, tr)
                print(f"{sc:22} {tr:9} {r['reason']!s:22} reconnect={r['will_reconnect']!s:5} "
                      f"+{r['delay_ms']}ms desc={r['description']} server={r['server']}", flush=True)


if __name__ == "__main__":
    main()
