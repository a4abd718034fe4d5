"""Watches one session's Engine.IO frames and HTTP exchanges: reason facts, the ping
watchdog, the Engine.IO session (`status`), and --trace (packets and the handshake).

The JS client closes a connection with ``ping timeout`` when no PING came within
pingInterval + pingTimeout of the last one; python-engineio waits longer (and says
``transport error``), so the watchdog here does what the JS client does.
"""

import asyncio
import json

from siocli.client import legacy, packets
from siocli.client.engine_session import EngineWatch
from siocli.client.hooks import WireObserver, describe_exception
from siocli.client.reasons import WireFacts
from siocli.client.trace import PacketTrace


class Wire(WireObserver):
    def __init__(self, loop, emit_record, on_broken, tracing, on_ended=lambda: None,
                 listening=lambda namespace: True, msgpack=False, deliver=None):
        self._loop = loop
        self._msgpack = msgpack  # the server uses socket.io-msgpack-parser
        self._emit_record = emit_record
        self._on_broken = on_broken  # called when the JS client would close the connection
        self._on_ended = on_ended  # called when the server closed or the transport failed
        self._listening = listening  # is a Socket of this namespace listening for packets?
        # (kind, namespace, ack id, payload) of an EVENT without ack id or an ACK with
        # one, delivered from here instead of through python-socketio (see frame_in)
        self._deliver = None if msgpack else deliver
        self._attachments_due = 0
        self._keeping_attachments = True
        self.parse_error = None
        self._tracing = tracing  # callable: is --trace on now?
        self.facts = WireFacts()
        self.decoded = packets.DecodedOnce()  # python-socketio's json: payloads checked here
        self.failure_exception = None
        self.socketio_2 = False  # the server is a Socket.IO 2.x one (client/legacy.py)
        self._opened = False
        self._version_known = False  # a Socket.IO 3/4 CONNECT answer was seen
        self._ping_window = None
        self._last_ping = 0.0
        self._timer = None
        self.trace = PacketTrace(emit_record, msgpack)
        self.engine = EngineWatch(loop, emit_record, tracing)

    def new_connection(self):
        self.stop_watchdog()
        self.facts = WireFacts()
        self._attachments_due = 0
        self.parse_error = None
        self.failure_exception = None
        self.socketio_2 = False
        self._opened = False
        self._version_known = False  # a Socket.IO 3/4 CONNECT answer was seen
        self._ping_window = None
        self.trace.reset(show=self._tracing())
        self.engine.new_connection()

    def stop_watchdog(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def frame_in(self, frame, alone=False):
        """Look at one Engine.IO packet from the server; False: drop it (the JS client
        would refuse it, it is for a namespace nobody asked for, or it was given to
        ``deliver``).

        An EVENT without ack id, or an ACK with one, that came ``alone`` (a websocket
        message) goes to ``deliver`` at once: python-socketio would decode it a second
        time and run a task for it, which is most of the cost of receiving it. Every
        earlier packet has been handed to python-socketio by then, so ``deliver`` keeps
        the order by scheduling (as python-socketio schedules its handlers). Over
        polling, a response's packets are all looked at before python-socketio gets the
        first, so they all take python-socketio's path."""
        if isinstance(frame, str) and frame[:1] == "0":
            self.engine.opened(frame[1:])  # its `handshake` record goes before the packet
        if self._tracing():
            self.trace.frame("in", frame)
        if self.facts.undecodable_packet or self.facts.undecodable_frame or self.socketio_2:
            return False  # the JS client stopped reading at the first bad packet
        if not self._version_known and legacy.from_socketio_2(frame, self._opened):
            self.socketio_2 = True
            self._on_ended()
            return False
        binary = isinstance(frame, (bytes, bytearray)) or frame[:1] == "b"
        kind = frame[:1]
        if self._msgpack and (binary or kind == "4"):
            if not binary:
                return self._parse_error("text where socket.io-msgpack-parser expects binary")
            try:
                data = packets.binary_frame(frame)
            except ValueError:
                return self._parse_error("invalid base64")
            return self._socketio_packet(data, packets.check_msgpack)
        if binary:
            return self._attachment()
        if kind == "4":
            return self._socketio_packet(frame[1:], alone=alone)
        if kind == "2":
            self._last_ping = self._loop.time()
            self.engine.pinged()
        elif kind == "0":
            self._opened = True
            self._start_watchdog(frame[1:])
        elif kind == "1":
            self.facts.engine_close_packet = True
            self._on_ended()
        elif not kind or kind not in "356":
            self._broken("undecodable_frame")
            return False
        return True

    def _socketio_packet(self, body, check=packets.check, alone=False):
        if self._attachments_due:
            return self._parse_error("got plaintext data when reconstructing a packet")
        try:
            kind, namespace, attachments, payload, ack, text = check(body)
        except packets.Rejected as exc:
            return self._parse_error(str(exc))
        self.facts.socketio_packet_seen = True
        if kind == packets.CONNECT:
            self._version_known = True  # from_socketio_2 let this CONNECT answer pass
        listened = self._listening(namespace)
        plain = (kind == packets.EVENT and ack is None) or (kind == packets.ACK and ack is not None)
        if alone and listened and plain and self._deliver:
            self._deliver(kind, namespace, ack, payload)
            return False
        if listened and text is not None:
            self.decoded.keep(text, payload)
        self._attachments_due = attachments
        self._keeping_attachments = listened
        if listened and kind == packets.DISCONNECT:
            self.facts.server_disconnected.add(namespace)
        elif listened and kind == packets.CONNECT and isinstance(payload, dict):
            # connection state recovery: the session's pid (python-socketio drops it)
            pid = payload.get("pid")
            self.facts.connect_pids[namespace] = None if pid is packets.UNDEFINED else pid
        return listened

    def _attachment(self):
        if not self._attachments_due:
            return self._parse_error("got binary data when not reconstructing a packet")
        self._attachments_due -= 1
        return self._keeping_attachments

    def _parse_error(self, reason):
        self.parse_error = reason
        self._broken("undecodable_packet")
        return False

    def frame_out(self, frame):
        if self._tracing():
            self.trace.frame("out", frame)

    def http_exchange(self, method, url, request_headers, status, reason, response_headers):
        self.engine.exchange(method, url, request_headers, status, reason, response_headers)

    def http_error_body(self, url, status, reason, body):
        self.engine.error_body(url, status, reason, body)

    def transport_closed(self, detail):
        self.facts.transport_closed = True
        self._on_ended()

    def transport_failed(self, detail):
        self.facts.transport_failed = True
        self._on_ended()

    def request_failed(self, exception):
        if isinstance(exception, asyncio.CancelledError):
            return
        self.failure_exception = exception
        self.transport_failed(describe_exception(exception))

    def _start_watchdog(self, handshake):
        try:
            info = json.loads(handshake)
            self._ping_window = (info["pingInterval"] + info["pingTimeout"]) / 1000.0
        except (ValueError, KeyError, TypeError):
            return
        self._last_ping = self._loop.time()
        self._arm(self._ping_window)

    def _arm(self, delay):
        self.stop_watchdog()
        self._timer = self._loop.call_later(delay, self._check_pings)

    def _check_pings(self):
        self._timer = None
        silent_for = self._loop.time() - self._last_ping
        if silent_for < self._ping_window:
            self._arm(self._ping_window - silent_for)
            return
        self._broken("ping_timed_out")

    def _broken(self, fact):
        """The JS client closes the connection here; python-engineio would carry on."""
        if not getattr(self.facts, fact):
            setattr(self.facts, fact, True)
            self._on_broken()
