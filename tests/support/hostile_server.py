"""A hostile Socket.IO server for tests: raw Engine.IO v4 / Socket.IO v5 on aiohttp.

It speaks the protocols by hand (handshake, polling with the \\x1e record separator,
the websocket upgrade probe, PING/PONG) so that it can do what a real server will not:
the Scenario (hostile_scenarios.py) says what, once a client asks for a namespace.

    async with HostileServer(scenario) as server:   # in a running event loop
        server.url, server.received

    with running_hostile_server(scenario) as url:    # from synchronous code: own thread

    python tests/support/hostile_server.py --scenario NAME   # prints its URL first

``received`` lists every Engine.IO packet the clients sent (str, or bytes for binary).
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import socket
import sys
import threading

from aiohttp import WSMsgType, web

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hostile_scenarios import ACCEPT, CLOSE_TRANSPORT, CONNECT_ERROR, SCENARIOS, Scenario

PATH = "/socket.io/"
RECORD_SEPARATOR = "\x1e"  # between the packets of one polling request or response
SESSION_GONE = object()  # ends a waiting poll with the answer to an unknown sid
PAUSE_POLLING = object()  # ends a waiting poll with a NOOP during the upgrade


class EngineSession:
    """One Engine.IO connection: its outgoing packets, whichever transport carries them."""

    def __init__(self, server, sid):
        self.server = server
        self.scenario = server.scenario
        self.sid = sid
        self.websocket = None  # set once the connection is (or was upgraded to) websocket
        self.polling_queue = asyncio.Queue()
        self.poll_waiting = False
        self.send_lock = asyncio.Lock()  # keeps frames whole and in order on the websocket
        self.closed = False
        self.tasks = set()

    def handshake(self):
        return "0" + json.dumps({
            "sid": self.sid, "upgrades": list(self.scenario.upgrades),
            "pingInterval": self.scenario.ping_interval_ms,
            "pingTimeout": self.scenario.ping_timeout_ms,
            "maxPayload": self.scenario.max_payload})

    def start(self):
        if self.scenario.send_pings:
            self.spawn(self._ping_forever())

    def spawn(self, coroutine):
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def send(self, frame):
        if self.closed:
            return
        if self.websocket is None:
            self.polling_queue.put_nowait(frame)
            return
        async with self.send_lock:
            await self._send_on_websocket(frame)

    async def _send_on_websocket(self, frame):
        try:
            if isinstance(frame, bytes):
                await self.websocket.send_bytes(frame)
            else:
                await self.websocket.send_str(frame)
        except ConnectionError:
            self.forget()

    async def receive(self, frame, websocket=None):
        """One Engine.IO packet from the client; ``websocket`` when it came on one."""
        self.server.received.append(frame)
        if websocket is not None and websocket is not self.websocket:
            await self._upgrade_step(frame, websocket)
        elif isinstance(frame, bytes):
            pass  # a binary attachment: nothing to answer
        elif frame[:1] == "2":
            await self.send("3" + frame[1:])
        elif frame[:1] == "4":
            await self._socketio_packet(frame[1:])
        elif frame[:1] == "1":
            await self.close_transport()

    async def _upgrade_step(self, frame, websocket):
        if frame == "2probe":
            await websocket.send_str("3probe")
            if self.poll_waiting:  # the client waits for its pending poll to return
                self.polling_queue.put_nowait(PAUSE_POLLING)
        elif frame == "5":
            async with self.send_lock:
                waiting = []
                while not self.polling_queue.empty():
                    waiting.append(self.polling_queue.get_nowait())
                self.websocket = websocket
                for queued in waiting:
                    if queued is not SESSION_GONE and queued is not PAUSE_POLLING:
                        await self._send_on_websocket(queued)
            if self.poll_waiting:
                self.polling_queue.put_nowait(PAUSE_POLLING)

    async def _socketio_packet(self, packet):
        if not packet.startswith("0"):
            return  # events, acks and DISCONNECT from the client need no answer here
        namespace = packet[1:].split(",", 1)[0] if packet[1:2] == "/" else "/"
        scenario = self.scenario
        if scenario.connect_answer == ACCEPT:
            sid = secrets.token_urlsafe(15) if scenario.namespace_sid is None \
                else scenario.namespace_sid
            await self.send(socketio_frame("0", namespace, json.dumps({"sid": sid})))
            self.spawn(self._play(namespace))
        elif scenario.connect_answer == CONNECT_ERROR:
            error = {"message": scenario.connect_error_message}
            if scenario.connect_error_data is not None:
                error["data"] = scenario.connect_error_data
            await self.send(socketio_frame("4", namespace, json.dumps(error)))
        elif scenario.connect_answer == CLOSE_TRANSPORT:
            await self.close_transport()

    async def _play(self, namespace):
        scenario = self.scenario
        for frame in scenario.packets:
            await self.send(frame)
        if scenario.large_message_bytes:
            await self.send(large_message(namespace, scenario.large_message_bytes))
        for number in range(scenario.flood):
            await self.send(socketio_frame("2", namespace, '["flood",%d]' % number))
            if number % 256 == 0:
                await asyncio.sleep(0)  # a polling flood still lets PINGs and polls through
        if scenario.close_after:
            await self.close_transport()

    async def _ping_forever(self):
        while not self.closed:
            await asyncio.sleep(self.scenario.ping_interval_ms / 1000)
            await self.send("2")

    async def close_transport(self):
        """Ends the connection without an Engine.IO CLOSE: the websocket closes, or a
        polling client's requests get the answer to an unknown session (HTTP 400)."""
        self.forget()
        if self.websocket is not None:
            await self.websocket.close()

    def forget(self):
        self.closed = True
        self.server.sessions.pop(self.sid, None)
        self.polling_queue.put_nowait(SESSION_GONE)
        current = asyncio.current_task()
        for task in list(self.tasks):
            if task is not current:
                task.cancel()


def socketio_frame(packet_type, namespace, payload):
    """An Engine.IO MESSAGE holding a Socket.IO packet (namespace written unless `/`)."""
    return "4" + packet_type + ("" if namespace == "/" else namespace + ",") + payload


def large_message(namespace, size):
    """``42["large","xxx…"]``, exactly ``size`` bytes long."""
    head, tail = socketio_frame("2", namespace, '["large","'), '"]'
    padding = size - len(head) - len(tail)
    if padding < 0:
        raise ValueError("a large message is at least %d bytes" % (len(head) + len(tail)))
    return head + "x" * padding + tail


def polling_payload(frames):
    return RECORD_SEPARATOR.join(polling_text(frame) for frame in frames)


def polling_text(frame):
    if frame is PAUSE_POLLING:
        return "6"  # NOOP
    if isinstance(frame, bytes):
        return "b" + base64.b64encode(frame).decode("ascii")
    return frame


def polling_frames(body):
    return [base64.b64decode(frame[1:]) if frame.startswith("b") else frame
            for frame in body.split(RECORD_SEPARATOR)]


def refusal(code, message):
    return web.json_response({"code": code, "message": message}, status=400)


class HostileServer:
    def __init__(self, scenario=None, host="127.0.0.1", port=0):
        self.scenario = scenario if scenario is not None else Scenario()
        self.host = host
        self.port = port
        self.url = None
        self.sessions = {}
        self.received = []
        self._runner = None

    async def start(self):
        app = web.Application()
        for path in (PATH, PATH.rstrip("/")):
            app.router.add_route("*", path, self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.bind((self.host, self.port))
        await web.SockSite(self._runner, listening).start()
        self.port = listening.getsockname()[1]
        self.url = "http://%s:%d" % (self.host, self.port)
        return self

    async def stop(self):
        for session in list(self.sessions.values()):
            await session.close_transport()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc_info):
        await self.stop()

    async def wait_received(self, frame, timeout=5.0):
        """Waits until a client sent ``frame`` (e.g. ``"3"``, the PONG)."""
        async def arrived():
            while frame not in self.received:
                await asyncio.sleep(0.01)
        await asyncio.wait_for(arrived(), timeout)

    def _new_session(self):
        session = EngineSession(self, secrets.token_urlsafe(15))
        self.sessions[session.sid] = session
        return session

    async def _handle(self, request):
        if request.query.get("EIO") != "4":
            return refusal(5, "Unsupported protocol version")
        transport, sid = request.query.get("transport"), request.query.get("sid")
        if transport == "websocket":
            return await self._websocket(request, sid)
        if transport != "polling":
            return refusal(0, "Transport unknown")
        if sid is None:
            session = self._new_session()
            session.start()
            return web.Response(text=session.handshake())
        session = self.sessions.get(sid)
        if session is None:
            return refusal(1, "Session ID unknown")
        if request.method == "POST":
            for frame in polling_frames(await request.text()):
                await session.receive(frame)
            return web.Response(text="ok")
        if session.websocket is not None:
            return refusal(3, "Bad request")
        return await self._poll(session)

    async def _poll(self, session):
        session.poll_waiting = True
        try:
            frames = [await session.polling_queue.get()]
        finally:
            session.poll_waiting = False
        batch = session.scenario.polling_batch
        while (frames[-1] is not SESSION_GONE and not session.polling_queue.empty()
               and (batch is None or len(frames) < batch)):
            frames.append(session.polling_queue.get_nowait())
        if frames[-1] is SESSION_GONE:
            frames.pop()
            if not frames:
                return refusal(1, "Session ID unknown")
        return web.Response(text=polling_payload(frames))

    async def _websocket(self, request, sid):
        session = self._new_session() if sid is None else self.sessions.get(sid)
        if session is None:
            return refusal(1, "Session ID unknown")
        websocket = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        await websocket.prepare(request)
        if sid is None:
            session.websocket = websocket
            await session.send(session.handshake())
            session.start()
        async for message in websocket:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                await session.receive(message.data, websocket)
        if session.websocket is websocket:
            session.forget()
        return websocket


async def serve(scenario, port=0):
    async with HostileServer(scenario, port=port) as server:
        print(server.url, flush=True)
        await asyncio.Event().wait()


@contextlib.contextmanager
def running_hostile_server(scenario=None):
    """The server in a thread with its own event loop, for synchronous tests: its URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="hostile-server", daemon=True)
    thread.start()
    server = HostileServer(scenario)
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        yield server.url
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description="A hostile Socket.IO test server.")
    parser.add_argument("--scenario", default="hello", choices=sorted(SCENARIOS))
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(SCENARIOS[args.scenario], args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
