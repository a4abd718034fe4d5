"""`siocli doctor`: probe a Socket.IO server step by step, as the JS client would reach
it, and say at each step what was measured and, when it failed, what to do.

Below HTTP the steps are in probe_net.py (and probe_proxy.py behind a proxy); above,
Engine.IO is spoken by hand (engine_wire.py) so that every status, header and frame the
libraries hide is seen. Behind a proxy every step goes through it as `connect`'s
traffic does: TCP and TLS through a CONNECT tunnel, the HTTP requests through an aiohttp
session set up as `connect`'s (client/hooks.py).
A step that cannot run because an earlier one failed is skipped, with the reason.
"""

import asyncio
import dataclasses
import json
import urllib.parse

from siocli.client import engine_wire, legacy, probe_net, probe_parser, probe_proxy
from siocli.client.engine_wire import TRANSPORT_UNKNOWN
from siocli.client.probe_net import Outcome
from siocli.client.probe_session import SessionSteps, Skip

STEPS = (("dns", "DNS"), ("proxy", "proxy"), ("tcp", "TCP"), ("tls", "TLS"), ("http", "HTTP"),
         ("engineio", "Engine.IO"), ("handshake", "handshake"), ("polling", "polling"),
         ("websocket", "websocket"), ("namespace", "namespace"), ("sticky", "sticky sessions"),
         ("cors", "CORS"), ("ping", "ping"))

@dataclasses.dataclass(frozen=True)
class StepResult:
    step: str
    status: str  # "pass", "fail" or "skipped"
    value: str
    fix: str = None
    data: dict = None
    ms: float = None


class Doctor(SessionSteps):
    """Runs the steps in order; ``report(StepResult)`` is called as each one ends."""

    def __init__(self, settings, origin, auth, report, starting=lambda step: None):
        self.settings = settings
        self.origin = origin
        self.auth = auth
        self.report = report
        self.starting = starting  # called with a step's name before it runs
        parts = urllib.parse.urlsplit(settings.url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.proxy = None
        self.tunnel_forbidden = False  # the proxy refuses CONNECT, yet proxies http:// polling
        self.route = probe_net.Route(self.host, self.port)
        if settings.proxy:
            self.proxy = probe_proxy.Proxy(settings.proxy, settings.proxy_choice.source,
                                           self.host, self.port)
            self.route = probe_proxy.TunnelRoute(self.proxy)
        self.namespace = settings.namespace
        transports = tuple(settings.transports or ("polling", "websocket"))
        self.websocket_only = "polling" not in transports
        self.polling_only = "websocket" not in transports
        self.timeout = settings.connect_timeout
        self.stopped = None  # why the steps after a failed one cannot run
        self.engine = None
        self.open_body = None  # the handshake's answer (polling body or first frame)
        self.open = None  # the OPEN packet's JSON
        self.engine_io_3 = False
        self.sid = None
        self.answer = None  # the server's answer to the namespace CONNECT
        self.polling_ok = False
        self.probe_ms = None
        self.closed_unanswered = False  # the server closed instead of answering the CONNECT
        self.parser = settings.parser
        self.other_parser = None  # whether the server answers the other parser's CONNECT
        self.session_ended = False  # the server ended the polling session on the CONNECT
        self._websockets = []

    async def run(self):
        import aiohttp

        from siocli.client import tls
        from siocli.client.hooks import route_options

        ssl_option = tls.ssl_option(self.settings)
        results = []
        # a connection per request behind a proxy: proxies may close a client's connection
        # after each request without saying so (tinyproxy does), and the probe's requests
        # follow one another too closely for a pooled connection's close to be seen
        options = route_options(ssl_option, self.settings.proxy, force_close=bool(self.proxy))
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                         **options) as http:
            self.engine = engine_wire.EngineClient(http, self.settings.url, self.settings.path,
                                                   self.settings.headers, self.timeout)
            try:
                for step, _ in STEPS:
                    result = await self._run_step(step)
                    results.append(result)
                    self.report(result)
            finally:
                await self._close()
        return results

    async def _run_step(self, step):
        if self.stopped:
            return StepResult(step, "skipped", self.stopped)
        self.starting(step)
        try:
            outcome = await getattr(self, "_" + step)()
        except Skip as skip:
            return StepResult(step, "skipped", str(skip))
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as exc:  # an answer no step foresaw: a row, never a traceback
            outcome = Outcome(False, "unexpected %s: %s" % (type(exc).__name__,
                                                            probe_net.reason_of(exc)),
                              "an answer siocli did not foresee: run with the same options "
                              "and --json, and report the records")
        stopping = ("dns", "proxy", "tcp", "tls", "http") + (
            () if self.engine_io_3 else ("engineio",))
        if not outcome.ok and step in stopping and not (step == "proxy" and
                                                        self.tunnel_forbidden):
            self.stopped = "after the failed %s step" % dict(STEPS)[step]
        return StepResult(step, "pass" if outcome.ok else "fail", outcome.value,
                          None if outcome.ok else outcome.fix, outcome.data or None, outcome.ms)

    # -- below HTTP ------------------------------------------------------------------

    async def _dns(self):
        if self.proxy:
            return await probe_proxy.resolve_proxy_host(self.proxy, self.timeout)
        return await probe_net.resolve(self.host, self.port, self.timeout)

    async def _proxy(self):
        if not self.proxy:
            raise Skip(self.settings.proxy_choice.reason(self.settings.url))
        outcome = await probe_proxy.check_proxy(self.proxy, self.timeout)
        if (outcome.ok or outcome.data.get("status") != 403 or self.https
                or self.websocket_only):
            return outcome
        # an http:// server's polling goes to the proxy as proxied requests, no tunnel:
        # only the websocket needs one (squid, by default, tunnels to port 443 alone)
        self.tunnel_forbidden = True
        if self.polling_only:
            return dataclasses.replace(outcome, ok=True, fix=None, value=outcome.value + (
                ", which -t polling to an http:// server does not need (its requests go to "
                "the proxy as proxied ones)"))
        return dataclasses.replace(outcome, fix=probe_proxy.no_tunnel_fix(self.proxy))

    async def _tcp(self):
        if self.tunnel_forbidden:
            raise Skip("the proxy opens no tunnel to %s: polling goes to it as proxied "
                       "requests" % self.proxy.target)
        if self.proxy:
            return await probe_proxy.tunnel_tcp(self.route, self.timeout)
        return await probe_net.connect_tcp(self.host, self.port, self.timeout)

    async def _tls(self):
        if not self.https:
            raise Skip("http:// URL: no TLS")
        return await probe_net.check_tls(self.route, self.timeout, self.settings.insecure,
                                         self.settings.cacert)

    # -- HTTP and the Engine.IO handshake ------------------------------------------------

    async def _http(self):
        import aiohttp

        if self.websocket_only:
            return await self._websocket_handshake()
        try:
            answer = await self.engine.poll("GET")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return await self._no_http_answer(exc)
        data = {"status": answer.status, "content_type": answer.headers.get("Content-Type")}
        value = "GET %s: %s (%s ms)" % (self.settings.path + "/", answer.short(), answer.ms)
        if answer.status == 200:
            self.open_body = answer.body
            return Outcome(True, "GET %s: HTTP 200 (%s ms)" % (self.settings.path + "/",
                                                               answer.ms), data=data, ms=answer.ms)
        return Outcome(False, value, self._status_fix(answer), data=data, ms=answer.ms)

    async def _no_http_answer(self, exc):
        detail = probe_net.reason_of(exc) if not isinstance(exc, TimeoutError) else "timeout"
        if not self.https and await probe_net.speaks_tls(self.route, self.timeout):
            return Outcome(False, "no HTTP answer: the server speaks TLS on this port",
                           "use https:// (or wss://) in the URL", data={"tls": True})
        if isinstance(exc, TimeoutError):
            return Outcome(False, "no HTTP answer within %g s" % self.timeout,
                           "the server accepts connections but does not answer HTTP: is it "
                           "overloaded, or is this port another service?")
        return Outcome(False, "no HTTP answer (%s)" % detail,
                       "the server closed the connection: is this port an HTTP server?")

    def _status_fix(self, answer):
        status, error = answer.status, answer.engine_error
        path = self.settings.path + "/"
        if error and error[0] == TRANSPORT_UNKNOWN:
            return ("the server does not allow polling: connect with -t websocket (JS: "
                    "transports: [\"websocket\"]), or allow polling on the server")
        if error and error[0] == engine_wire.FORBIDDEN:
            return ("the server's allowRequest refused the handshake: give the headers, "
                    "cookies or query it expects (-H, -q)")
        if error:
            return "the server's Engine.IO refused the handshake (%s)" % error[1]
        if status == 404:
            hint = "" if self.settings.path != "/socket.io" else " (Socket.IO's default)"
            return ("nothing answers at %s%s: give the server's Engine.IO path with --path "
                    "(its `path` option)" % (path, hint))
        if status in (301, 302, 303, 307, 308):
            return "the server redirects to %s: use that URL" % answer.headers.get(
                "Location", "another URL")
        if status == 407:
            return ("the proxy asks for credentials: give them in the proxy URL, "
                    "http://USER:PASSWORD@HOST:PORT")
        if status in (401, 403):
            return ("the server, or a proxy in front, refuses without credentials: give them "
                    "with -H \"Authorization: ...\" or -q")
        if status in (502, 503, 504):
            return "a proxy in front cannot reach the Socket.IO server: check that it runs"
        if status >= 500:
            return "the server failed: look at its logs"
        return "the server refused the Engine.IO handshake at %s: check --path and -H/-q" % path

    async def _websocket_handshake(self):
        """-t websocket: the handshake, the namespace CONNECT and its answer over one
        websocket, as the JS client does with transports: ["websocket"]."""
        import time

        import aiohttp

        started = time.perf_counter()
        try:
            websocket = await self.engine.websocket()
        except aiohttp.WSServerHandshakeError as exc:
            return Outcome(False, "websocket handshake: HTTP %s" % exc.status,
                           self._status_fix(engine_wire.Answer(exc.status, {}, "", 0)),
                           data={"status": exc.status})
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return await self._no_http_answer(exc)
        self._websockets.append(websocket)
        ms = probe_net.elapsed_ms(started)
        self.open_body = await engine_wire.receive_text(websocket, self.timeout) or ""
        open_packet = engine_wire.open_packet_of(self.open_body)
        if open_packet is not None:
            self.sid = open_packet["sid"]
            try:
                self.answer = await self._namespace_exchange(websocket)
            except (aiohttp.ClientError, OSError):
                pass  # the namespace step says there was no answer
        return Outcome(True, "websocket handshake: HTTP 101 (%s ms)" % ms,
                       data={"status": 101}, ms=ms)

    async def _namespace_exchange(self, websocket):
        """Send the namespace CONNECT on an open websocket; the server's answer or None."""
        message = probe_parser.connect_message(self.parser, self.namespace, self.auth)
        if isinstance(message, bytes):
            await websocket.send_bytes(message)
        else:
            await websocket.send_str(message)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while loop.time() < deadline:
            frame = await engine_wire.receive_message(websocket, deadline - loop.time())
            if frame is None or frame == "1":  # timed out, or closed (CLOSE packet, or not)
                self.closed_unanswered = frame == "1" or websocket.closed
                return None
            if frame == "2":
                await websocket.send_str("3")
                continue
            found = probe_parser.namespace_answer(self.parser, frame, self.namespace)
            if found is not None:
                if found[0] == "connect" and legacy.connect_without_sid(found[1]):
                    self.engine_io_3 = True
                return found
        return None

    async def _engineio(self):
        body = self.open_body or ""
        if engine_wire.is_engine_io_3(body) or self.engine_io_3:
            self.engine_io_3 = True
            return Outcome(False, "3: " + legacy.SOCKETIO_2, legacy.SOCKETIO_2_FIX,
                           data={"version": 3})
        if engine_wire.open_packet_of(body) is None:
            shown = " ".join(body.split())[:60] or "(empty)"
            return Outcome(False, "not Engine.IO: the answer begins %r" % shown,
                           "something else answers at %s/ (a web app's catch-all route?): "
                           "give the Engine.IO path with --path" % self.settings.path)
        return Outcome(True, "4 (Socket.IO 3.x or 4.x)", data={"version": 4})

    async def _handshake(self):
        self.open = engine_wire.open_packet_of(self.open_body or "")
        if self.open is None:
            return Outcome(False, "no OPEN packet", "the server is not an Engine.IO server")
        self.sid = self.open.get("sid")
        data = {"sid": self.sid, "upgrades": self.open.get("upgrades"),
                "ping_interval": self.open.get("pingInterval"),
                "ping_timeout": self.open.get("pingTimeout"),
                "max_payload": self.open.get("maxPayload")}
        value = "sid %s, upgrades %s, pingInterval %s ms, pingTimeout %s ms, maxPayload %s" % (
            self.sid, json.dumps(data["upgrades"]), data["ping_interval"], data["ping_timeout"],
            "%s bytes" % data["max_payload"] if data["max_payload"] is not None
            else "not sent (older server)")
        if self.engine_io_3:
            self.stopped = legacy.SOCKETIO_2 + ": siocli speaks Socket.IO 3/4"
        missing = [key for key in ("pingInterval", "pingTimeout") if
                   not isinstance(self.open.get(key), (int, float))]
        if missing:
            return Outcome(False, value, "the OPEN packet lacks %s: the server is not a "
                           "conforming Engine.IO server" % ", ".join(missing), data=data)
        return Outcome(True, value, data=data)
