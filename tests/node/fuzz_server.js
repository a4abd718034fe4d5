#!/usr/bin/env node
// Fault-injecting Socket.IO server for the differential fuzzer (tests/oracle/fuzz.py).
//
//   node fuzz_server.js [--port N] [--host H] [--path P] [--ping-interval MS]
//                       [--ping-timeout MS] [--namespaces /,/b]
//
// stdout: first exactly one line {"port": N} once listening; then one JSON object per
// line: observations (`engine_connection`, `engine_close`, `connection`, `disconnect`,
// `rejected`) and the answer to each command (`applied` or `command_error`).
// stdin: one command per line, as JSON {"cmd": "NAME ARG...", "id": ANY} (or the bare
// text `NAME ARG...`). Each command applies a fault to every client connected at that
// moment, then answers {"type": "applied", "id", "cmd", "clients": N, ...}:
//
//   server-disconnect          socket.disconnect(true) on every socket (all namespaces)
//   namespace-disconnect NS    socket.disconnect() on every socket of NS
//   conn-close                 socket.conn.close() (Engine.IO connection, no packet)
//   destroy                    destroy the TCP sockets (no close frame, no HTTP answer)
//   stop-pings                 the server stops sending PINGs and expecting PONGs on the
//                              connections open now (it answers everything else): the
//                              client's watchdog gives `ping timeout`
//   block MS                   busy-loop the event loop for MS ms (answered afterwards)
//   garbage-eio                an undecodable Engine.IO frame `9garbage`
//   garbage-sio                an Engine.IO MESSAGE `4garbage` (bad Socket.IO packet)
//   restart MS                 stop listening, destroy every TCP connection and forget
//                              every Engine.IO session (as a server process that died),
//                              listen again on the same port MS ms later (answered then)
//   reject NS on|off           NS's middleware rejects new connections with
//                              next(new Error("rejected")), err.data = {...} / accepts
//   sessions                   (not a fault) answers with the Engine.IO sessions open
//                              now: {"sessions": [{engine_id, transport, namespaces}]}
//
// The process exits on stdin EOF, SIGTERM or SIGINT. stderr: free-form diagnostics.
"use strict";

const fs = require("fs");
const http = require("http");
const readline = require("readline");
const { Server } = require("socket.io");

function parseArgs(argv) {
  const opts = {
    port: 0,
    host: "127.0.0.1",
    path: "/socket.io",
    pingInterval: 300,
    pingTimeout: 200,
    namespaces: ["/", "/b"],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case "--port": opts.port = Number(next()); break;
      case "--host": opts.host = next(); break;
      case "--path": opts.path = next(); break;
      case "--ping-interval": opts.pingInterval = Number(next()); break;
      case "--ping-timeout": opts.pingTimeout = Number(next()); break;
      case "--namespaces": opts.namespaces = next().split(",").filter(Boolean); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const T0 = Date.now();

function out(rec) {
  rec.ts = new Date().toISOString();
  rec.t = Date.now() - T0;
  fs.writeSync(1, JSON.stringify(rec) + "\n");
}

function text(v) {
  if (v === undefined || v === null) return null;
  return String((v && v.message) || v);
}

const httpServer = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});

// every TCP connection, for `restart`
const tcpSockets = new Set();
httpServer.on("connection", (s) => {
  tcpSockets.add(s);
  s.on("close", () => tcpSockets.delete(s));
});

const io = new Server(httpServer, {
  path: opts.path,
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  cors: { origin: "*" },
  perMessageDeflate: false,
  httpCompression: false,
});

function transportName(conn) {
  return conn && conn.transport ? conn.transport.name : null;
}

// ---- namespaces and their middleware -----------------------------------------

const rejecting = new Set();

for (const name of opts.namespaces) {
  const nsp = io.of(name);
  nsp.use((socket, next) => {
    if (!rejecting.has(name)) return next();
    out({ type: "rejected", namespace: name, engine_id: socket.conn.id });
    const err = new Error("rejected");
    err.data = { namespace: name, reason: "the fuzz middleware rejects" };
    next(err);
  });
  nsp.on("connection", (socket) => {
    out({ type: "connection", namespace: name, id: socket.id,
          transport: transportName(socket.conn), engine_id: socket.conn.id });
    socket.on("disconnect", (reason, description) =>
      out({ type: "disconnect", namespace: name, id: socket.id, reason,
            description: text(description) }));
  });
}

io.engine.on("connection", (conn) => {
  out({ type: "engine_connection", engine_id: conn.id, transport: transportName(conn) });
  conn.on("upgrade", (t) => out({ type: "upgrade", engine_id: conn.id, transport: t.name }));
  conn.on("close", (reason, description) =>
    out({ type: "engine_close", engine_id: conn.id, reason, description: text(description) }));
});
io.engine.on("connection_error", (err) =>
  out({ type: "engine_connection_error", code: err.code, message: err.message }));

// ---- faults ----------------------------------------------------------------------

const GIVE_UP_MS = 3000; // how long a polling fault waits for the client's next request

function engineClients() {
  return Object.values(io.engine.clients);
}

function socketsOf(name) {
  const nsp = io._nsps.get(name);
  return nsp ? [...nsp.sockets.values()] : [];
}

function allSockets() {
  return [].concat(...opts.namespaces.map(socketsOf));
}

// Run `fn` once `ready()` holds (polling: a pending long-poll), polling every 5 ms;
// resolves true when done, false when it never became ready.
function whenReady(ready, fn) {
  return new Promise((resolve) => {
    const deadline = Date.now() + GIVE_UP_MS;
    const attempt = () => {
      if (ready()) {
        fn();
        resolve(true);
      } else if (Date.now() > deadline) {
        resolve(false);
      } else {
        setTimeout(attempt, 5);
      }
    };
    attempt();
  });
}

// A raw Engine.IO frame (websocket) or poll response body (polling), bypassing encoding.
function rawWrite(conn, data) {
  const t = conn.transport;
  if (t.name === "websocket") {
    t.socket.send(data);
    return Promise.resolve(true);
  }
  return whenReady(() => conn.readyState === "open" && t.writable && t.res, () => {
    t.writable = false;
    t.write(data, { compress: false });
  });
}

function destroyTcp(conn) {
  const t = conn.transport;
  if (t.name === "websocket") {
    const s = t.socket._socket;
    if (s) s.destroy();
    else t.socket.terminate();
    return Promise.resolve(true);
  }
  return whenReady(() => t.req && t.req.socket, () => {
    t.req.socket.destroy();
    if (t.dataReq && t.dataReq.socket) t.dataReq.socket.destroy();
  });
}

function stopPings(conn) {
  clearTimeout(conn.pingIntervalTimer);
  clearTimeout(conn.pingTimeoutTimer);
  conn.pingTimeoutTimer = null;
  // a PONG still in flight refreshes pingIntervalTimer: make that a no-op too
  conn.pingIntervalTimer = { refresh() {}, unref() {}, ref() {} };
  conn.schedulePing = () => {};
  conn.resetPingTimeout = () => {};
}

function busyBlock(ms) {
  const end = Date.now() + ms;
  // eslint-disable-next-line no-empty
  while (Date.now() < end) {}
}

function restart(ms) {
  return new Promise((resolve, reject) => {
    const port = httpServer.address().port;
    httpServer.close();
    for (const s of tcpSockets) s.destroy();
    tcpSockets.clear();
    // forget the sessions: a polling client between two requests finds no session
    for (const conn of engineClients()) conn.close(true);
    setTimeout(() => {
      const onError = (err) => reject(err);
      httpServer.once("error", onError);
      httpServer.listen(port, opts.host, () => {
        httpServer.removeListener("error", onError);
        resolve(port);
      });
    }, ms);
  });
}

function checkNamespace(ns) {
  if (!opts.namespaces.includes(ns)) throw new Error(`unknown namespace ${ns}`);
  return ns;
}

const FAULTS = {
  "server-disconnect": async () => {
    const sockets = allSockets();
    for (const s of sockets) if (s.connected) s.disconnect(true);
    return { clients: sockets.length };
  },
  "namespace-disconnect": async (ns) => {
    const sockets = socketsOf(checkNamespace(ns));
    for (const s of sockets) s.disconnect();
    return { clients: sockets.length };
  },
  "conn-close": async () => {
    const conns = engineClients();
    for (const c of conns) c.close();
    return { clients: conns.length };
  },
  "destroy": async () => {
    const conns = engineClients();
    const done = await Promise.all(conns.map(destroyTcp));
    return { clients: conns.length, missed: done.filter((d) => !d).length };
  },
  "stop-pings": async () => {
    const conns = engineClients();
    conns.forEach(stopPings);
    return { clients: conns.length };
  },
  "block": async (ms) => {
    const conns = engineClients();
    busyBlock(Number(ms) || opts.pingInterval + opts.pingTimeout + 500);
    return { clients: conns.length };
  },
  "garbage-eio": async () => {
    const conns = engineClients();
    const done = await Promise.all(conns.map((c) => rawWrite(c, "9garbage")));
    return { clients: conns.length, missed: done.filter((d) => !d).length };
  },
  "garbage-sio": async () => {
    const conns = engineClients();
    const done = await Promise.all(conns.map((c) => rawWrite(c, "4garbage")));
    return { clients: conns.length, missed: done.filter((d) => !d).length };
  },
  "restart": async (ms) => {
    const conns = engineClients();
    const port = await restart(Number(ms) || 500);
    return { clients: conns.length, port };
  },
  // not a fault: the Engine.IO sessions open now, with their namespaces
  "sessions": async () => {
    const sessions = engineClients().map((conn) => ({
      engine_id: conn.id,
      transport: transportName(conn),
      namespaces: allSockets().filter((s) => s.conn === conn).map((s) => s.nsp.name),
    }));
    return { clients: sessions.length, sessions };
  },
  "reject": async (ns, state) => {
    checkNamespace(ns);
    if (state === "on") rejecting.add(ns);
    else if (state === "off") rejecting.delete(ns);
    else throw new Error(`reject ${ns}: expected on or off, got ${state}`);
    return { clients: allSockets().length, rejecting: [...rejecting] };
  },
};

// Commands are applied one after another, in arrival order.
let queue = Promise.resolve();

function command(line) {
  line = line.trim();
  if (!line) return;
  let cmd = line;
  let id = null;
  if (line.startsWith("{")) {
    try {
      const o = JSON.parse(line);
      cmd = String(o.cmd || "");
      id = o.id === undefined ? null : o.id;
    } catch (e) {
      out({ type: "command_error", id, cmd: line, message: `bad JSON: ${e.message}` });
      return;
    }
  }
  const [name, ...args] = cmd.split(/\s+/);
  const fault = FAULTS[name];
  queue = queue.then(async () => {
    if (!fault) {
      out({ type: "command_error", id, cmd, message: `unknown command ${name}` });
      return;
    }
    try {
      const result = await fault(...args);
      out({ type: "applied", id, cmd, ...result });
    } catch (e) {
      out({ type: "command_error", id, cmd, message: e.message });
    }
  });
}

httpServer.listen(opts.port, opts.host, () => {
  const { port } = httpServer.address();
  fs.writeSync(1, JSON.stringify({ port }) + "\n");
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", command);
  rl.on("close", () => process.exit(0));
});

process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
