"""The steps of `siocli doctor` on an Engine.IO session (client/probe.py runs them in
order): the polling round trip, the websocket upgrade and its PING probe, the namespace
CONNECT, sticky sessions, CORS. Mixed into :class:`siocli.client.probe.Doctor`, whose
state (the handshake, the session's sid, the namespace's answer) they read and fill.
"""

import asyncio
import json

from siocli.client import engine_wire, probe_net, probe_parser
from siocli.client.engine_wire import SESSION_UNKNOWN
from siocli.client.probe_net import Outcome

STICKY_REQUESTS = 6
PARSER_NAMES = {"default": "the default parser", "msgpack": "socket.io-msgpack-parser"}
PROXY_WEBSOCKET_FIX = ("a proxy in front must pass websocket upgrades (nginx: proxy_http_version "
                       "1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header "
                       "Connection \"upgrade\")")


class Skip(Exception):
    """A step that does not apply, or cannot run: its reason is the row's value."""


class SessionSteps:
    # -- the session -------------------------------------------------------------------

    async def _polling(self):
        import aiohttp

        if self.websocket_only:
            raise Skip("-t websocket: no polling")
        connect = probe_parser.polling_packet(
            probe_parser.connect_message(self.parser, self.namespace, self.auth))
        try:
            sent = await self.engine.poll("POST", self.sid, connect)
            if sent.status != 200:
                return self._refused_poll("POST", sent)
            received, answer = None, None
            for _ in range(3):
                try:
                    received = await self.engine.poll("GET", self.sid)
                except TimeoutError:  # the long poll got nothing: the namespace step says so
                    self.polling_ok = True
                    return Outcome(True, "POST %s ms; the GET waited %g s for the namespace's "
                                   "answer" % (sent.ms, self.timeout), data={"post_ms": sent.ms})
                error = received.engine_error
                frames = engine_wire.packets_of(received.body) if received.status == 200 else []
                for packet in frames:
                    answer = answer or probe_parser.namespace_answer(self.parser, packet,
                                                                     self.namespace)
                if answer:
                    break
                ended = "1" in frames or (error and error[0] == SESSION_UNKNOWN)
                if ended and await self._answers_other_parser():
                    return self._ended_on_connect(sent)
                if received.status != 200:
                    return self._refused_poll("GET", received)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome(False, "polling request failed: %s" % probe_net.reason_of(exc),
                           "the server or a proxy cut the request: look at their logs")
        self.answer, self.polling_ok = answer, True
        return Outcome(True, "POST %s ms, GET %s ms" % (sent.ms, received.ms),
                       data={"post_ms": sent.ms, "get_ms": received.ms}, ms=sent.ms + received.ms)

    async def _answers_other_parser(self):
        """Whether the server answers a CONNECT written with the other parser
        (client/parser_probe.py's question, asked once)."""
        if self.other_parser is None:
            from siocli.client import parser_probe

            self.other_parser = await parser_probe.uses_other_parser(
                self.engine, self.parser, self.namespace,
                min(self.timeout, parser_probe.PROBE_SECONDS))
        return self.other_parser

    def _ended_on_connect(self, sent):
        """The server read the CONNECT, could not decode it, and ended the session: the
        polling round trip worked, the namespace step says why and what to do."""
        self.session_ended = self.closed_unanswered = self.polling_ok = True
        return Outcome(True, "POST %s ms; then the server ended the session instead of "
                       "answering the CONNECT (see the namespace step)" % sent.ms,
                       data={"post_ms": sent.ms}, ms=sent.ms)

    def _refused_poll(self, method, answer):
        error = answer.engine_error
        if error and error[0] == SESSION_UNKNOWN and method == "GET":
            fix = ("the server no longer knows this session: it ended it after the namespace "
                   "CONNECT (look at its logs), or a load balancer sent this request to another "
                   "server (see the sticky sessions step)")
        elif error and error[0] == SESSION_UNKNOWN:
            fix = ("the request reached a server that does not know this session: a load "
                   "balancer without sticky sessions (see the sticky sessions step)")
        else:
            fix = "the server refused the session's request: look at its logs"
        return Outcome(False, "%s: %s" % (method, answer.short()), fix,
                       data={"status": answer.status})

    async def _websocket(self):
        import aiohttp

        if self.polling_only:
            raise Skip("-t polling: no websocket")
        if self.websocket_only:
            return Outcome(True, "opened as the first transport, no upgrade (-t websocket)")
        if self.tunnel_forbidden:
            return Outcome(False, "no tunnel through the proxy for the websocket (see the "
                           "proxy step)", "see the proxy step's fix; meanwhile connect stays "
                           "on polling (or give -t polling)")
        upgrades = self.open.get("upgrades") or []
        offered = "websocket" in upgrades
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            sid = self.sid if not self.session_ended else await self._new_session()
            if sid is None:
                return Outcome(False, "a new handshake for the upgrade failed",
                               "the server answered the first handshake, not this one: "
                               "look at its logs")
            websocket = await self.engine.websocket(sid)
        except aiohttp.WSServerHandshakeError as exc:
            value = "upgrade refused: HTTP %s" % exc.status
            if not offered:
                return Outcome(False, value + " (the handshake offered upgrades %s)"
                               % json.dumps(upgrades),
                               "the server allows polling only (its `transports` option): "
                               "allow websocket there, or connect with -t polling")
            return Outcome(False, value, "the server refused to upgrade this session: a load "
                           "balancer without sticky sessions, or " + PROXY_WEBSOCKET_FIX)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome(False, "websocket failed: %s" % probe_net.reason_of(exc),
                           PROXY_WEBSOCKET_FIX)
        self._websockets.append(websocket)
        probe_sent = loop.time()
        await websocket.send_str("2probe")
        reply = await engine_wire.receive_text(websocket, self.timeout)
        if reply != "3probe":
            return Outcome(False, "no answer to the upgrade's PING probe (got %r)" % reply,
                           PROXY_WEBSOCKET_FIX)
        self.probe_ms = round((loop.time() - probe_sent) * 1000, 1)
        await websocket.send_str("5")
        ms = round((loop.time() - started) * 1000, 1)
        value = "upgraded in %s ms" % ms
        if self.session_ended:
            value += " (a new session: the server ended the first on the CONNECT)"
        if not offered:
            value += " (though the handshake offered upgrades %s)" % json.dumps(upgrades)
        return Outcome(True, value, data={"probe_ms": self.probe_ms}, ms=ms)

    async def _new_session(self):
        """The sid of a new polling session, or None."""
        opened = await self.engine.poll("GET")
        return (engine_wire.open_packet_of(opened.body) or {}).get("sid")

    async def _namespace(self):
        import aiohttp

        if self.answer is None and not self.polling_ok and not self.polling_only:
            try:  # the polling session failed: ask over a websocket of its own
                websocket = await self.engine.websocket()
                self._websockets.append(websocket)
                if await engine_wire.receive_text(websocket, self.timeout):
                    self.answer = await self._namespace_exchange(websocket)
            except (aiohttp.ClientError, TimeoutError, OSError):
                pass
        if self.answer is None:
            if not self.polling_ok and self.polling_only:
                raise Skip("after the failed polling step")
            if self.closed_unanswered and await self._answers_other_parser():
                return Outcome(False, "the server closed the connection instead of answering "
                               "the CONNECT of %s written with %s, and answers one written "
                               "with %s" % (self.namespace, PARSER_NAMES[self.parser],
                                            PARSER_NAMES[probe_parser.other(self.parser)]),
                               probe_parser.other_parser_fix(self.parser, "doctor"))
            if self.closed_unanswered:
                return Outcome(False, "the server closed the connection instead of answering "
                               "the CONNECT of %s" % self.namespace,
                               "the server ends the connection when %s is asked for: look at "
                               "its logs (a middleware or connect handler that throws or "
                               "disconnects)" % self.namespace)
            return Outcome(False, "no answer to the CONNECT of %s within %g s"
                           % (self.namespace, self.timeout),
                           "the server never answered the namespace: a middleware that never "
                           "calls next(), or a connect handler that hangs; look at its logs")
        kind, data = self.answer
        if kind == "connect":
            socket_id = data.get("sid") if isinstance(data, dict) else None
            return Outcome(True, "%s accepted, socket.id %s" % (self.namespace, socket_id),
                           data={"id": socket_id})
        message = data.get("message") if isinstance(data, dict) else data
        detail = data.get("data") if isinstance(data, dict) else None
        result = {"message": message, "data": detail}
        if message == "Invalid namespace":
            return Outcome(False, "unknown namespace %s (the server: %s)"
                           % (self.namespace, message),
                           "the server has no namespace %s: the URL's path is the namespace "
                           "(the Engine.IO path is --path); check its spelling" % self.namespace,
                           data=result)
        value = "%s refused: %s" % (self.namespace, message)
        if message == "Unable to connect":
            value += (" (python-socketio's answer for an unknown namespace, or a connect "
                      "handler that returned False)")
        if detail is not None:
            value += ", data %s" % json.dumps(detail, ensure_ascii=False)
        return Outcome(False, value, "a middleware (or the connect handler) refused this "
                       "auth: give what it expects with --token, -a KEY=VALUE or --auth-json "
                       "(the data may say what); if no such namespace exists, check the URL's "
                       "path", data=result)

    async def _sticky(self):
        if self.websocket_only:
            raise Skip("-t websocket: one connection, no affinity needed")
        import aiohttp

        try:
            opened = await self.engine.poll("GET")
            sid = (engine_wire.open_packet_of(opened.body) or {}).get("sid")
            if opened.status != 200 or sid is None:
                return Outcome(False, "a new handshake failed: %s" % opened.short(),
                               "the server answered the first handshake, not this one: "
                               "look at its logs")
            unknown = 0
            for _ in range(STICKY_REQUESTS):
                answer = await self.engine.poll("POST", sid, "3")  # a PONG: changes nothing
                error = answer.engine_error
                unknown += bool(error and error[0] == SESSION_UNKNOWN)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome(False, "polling request failed: %s" % probe_net.reason_of(exc),
                           "the server or a proxy cut the request: look at their logs")
        await self.engine.close_session(sid)
        data = {"requests": STICKY_REQUESTS, "session_unknown": unknown}
        if unknown:
            return Outcome(False, "%d of %d polling requests of one session answered "
                           "`Session ID unknown`" % (unknown, STICKY_REQUESTS),
                           "the requests of one session reach different servers: a load "
                           "balancer without sticky sessions. Enable them (nginx: ip_hash; "
                           "or cookie affinity), or connect with -t websocket", data=data)
        return Outcome(True, "%d of %d polling requests reached the session's server"
                       % (STICKY_REQUESTS, STICKY_REQUESTS), data=data)

    async def _cors(self):
        if not self.origin:
            raise Skip("give --origin ORIGIN (the web page's) to check it")
        if self.websocket_only:
            raise Skip("-t websocket: browsers apply no CORS to websockets")
        import aiohttp

        try:
            answer = await self.engine.poll("GET", headers={"Origin": self.origin})
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome(False, "request failed: %s" % probe_net.reason_of(exc),
                           "the server cut the request with Origin %s" % self.origin)
        allowed = answer.headers.get("Access-Control-Allow-Origin")
        sid = (engine_wire.open_packet_of(answer.body) or {}).get("sid")
        if sid:
            await self.engine.close_session(sid)
        data = {"origin": self.origin, "status": answer.status, "allowed": allowed}
        fix = ("allow %s on the server (socket.io: the `cors.origin` option; python-socketio: "
               "cors_allowed_origins)" % self.origin)
        if answer.status != 200:
            return Outcome(False, "Origin %s refused: %s" % (self.origin, answer.short()), fix,
                           data=data)
        if allowed not in (self.origin, "*"):
            seen = "allows %s only" % allowed if allowed else "sends no Access-Control-Allow-Origin"
            return Outcome(False, "the server %s: a page at %s cannot read its answers"
                           % (seen, self.origin), fix, data=data)
        return Outcome(True, "Access-Control-Allow-Origin: %s" % allowed, data=data)

    async def _ping(self):
        if self.probe_ms is None:
            raise Skip("measured on the websocket upgrade, which did not happen")
        timeout = self.open.get("pingTimeout")
        data = {"rtt_ms": self.probe_ms, "ping_timeout": timeout}
        value = "%s ms (PING probe → PONG over websocket)" % self.probe_ms
        if isinstance(timeout, (int, float)) and self.probe_ms > timeout:
            return Outcome(False, value + ", more than pingTimeout %s ms" % timeout,
                           "the server will drop this client: raise pingTimeout on the server, "
                           "or bring the client closer", data=data, ms=self.probe_ms)
        return Outcome(True, value, data=data, ms=self.probe_ms)

    async def _close(self):
        for websocket in self._websockets:
            try:
                if not websocket.closed:
                    await websocket.send_str("1")
                    await asyncio.wait_for(websocket.close(), 2)
            except Exception:  # already gone: nothing to close
                pass
        if (self.sid and self.polling_ok and self.probe_ms is None and not self.engine_io_3
                and not self.session_ended):
            await self.engine.close_session(self.sid)
