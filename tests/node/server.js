#!/usr/bin/env node
// Scenario server for siocli's test-suite (npm socket.io 4.x).
//
//   node server.js [--port N] [--host H] [--path P] [--ping-interval MS]
//                  [--ping-timeout MS] [--recovery MS] [--parser default|msgpack]
//                  [--trace] [--exit-on-stdin-eof]
//
// --recovery MS: connectionStateRecovery on, sessions kept MS milliseconds
// --parser msgpack: socket.io-msgpack-parser instead of the default parser
//
// stdout: first exactly one line {"port": N} once listening, then one JSON
// object per line per observation (see ORACLE.md, "server.js observations").
// stderr: free-form diagnostics.
"use strict";

const http = require("http");
const { Server } = require("socket.io");

function parseArgs(argv) {
  const opts = {
    port: 0,
    host: "127.0.0.1",
    path: "/socket.io",
    pingInterval: 25000,
    pingTimeout: 20000,
    trace: false,
    exitOnStdinEof: false,
    recovery: 0,
    parser: "default",
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
      case "--trace": opts.trace = true; break;
      case "--recovery": opts.recovery = Number(next()); break;
      case "--parser": opts.parser = next(); break;
      case "--exit-on-stdin-eof": opts.exitOnStdinEof = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const T0 = Date.now();

// JSON-safe conversion: Buffers/ArrayBuffers become {"$binary": base64}.
function jsonable(v) {
  if (Buffer.isBuffer(v)) return { $binary: v.toString("base64") };
  if (v instanceof ArrayBuffer) return { $binary: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (v instanceof Error) return { message: v.message, data: v.data ?? null };
  if (typeof v === "function") return { $function: true };
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonable(x);
    return o;
  }
  return v === undefined ? null : v;
}

function out(rec) {
  rec.ts = new Date().toISOString();
  rec.t = Date.now() - T0; // ms since the server started
  // synchronous write: records must not be lost on process.exit (scenario kill)
  require("fs").writeSync(1, JSON.stringify(jsonable(rec)) + "\n");
}

const httpServer = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, {
  path: opts.path,
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  cors: { origin: "*" },
  // keep the wire simple and predictable: no compression
  perMessageDeflate: false,
  httpCompression: false,
  ...(opts.parser === "msgpack" ? { parser: require("socket.io-msgpack-parser") } : {}),
  // connectionStateRecovery is off unless --recovery MS
  ...(opts.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: opts.recovery } } : {}),
});

// ---- raw Engine.IO access -------------------------------------------------

function transportName(conn) {
  return conn && conn.transport ? conn.transport.name : null;
}

// Write a raw Engine.IO frame / payload to the client, bypassing encoding.
// websocket: one text frame carrying `text`.
// polling: the body of the (pending or next) long-poll response is `text`.
function rawWrite(conn, text, cb) {
  const t = conn.transport;
  if (t.name === "websocket") {
    t.socket.send(text, cb || (() => {}));
    return;
  }
  const attempt = () => {
    if (t.writable && t.res) {
      t.writable = false;
      t.write(text, { compress: false });
      if (cb) cb();
    } else {
      setTimeout(attempt, 5);
    }
  };
  attempt();
}

// Write one raw binary Engine.IO message (a socket.io-msgpack-parser packet):
// a websocket binary frame, or a polling "b<base64>" packet.
function rawWriteBinary(conn, buffer) {
  if (conn.transport.name === "websocket") {
    conn.transport.socket.send(buffer, { binary: true });
    return;
  }
  rawWrite(conn, "b" + buffer.toString("base64"));
}

// Destroy the TCP connection(s) under the engine.io connection without any
// close handshake (no WS close frame, no EIO close packet, no HTTP response).
function destroyTcp(conn) {
  const t = conn.transport;
  if (t.name === "websocket") {
    const ws = t.socket;
    // ws >= 8: _socket is the net.Socket
    const s = ws._socket;
    if (s) s.destroy();
    else ws.terminate();
    return "websocket tcp destroyed";
  }
  // polling: wait for the pending long-poll GET and destroy its TCP socket
  const attempt = () => {
    if (t.req && t.req.socket) {
      t.req.socket.destroy();
      if (t.dataReq && t.dataReq.socket) t.dataReq.socket.destroy();
    } else {
      setTimeout(attempt, 5);
    }
  };
  attempt();
  return "polling long-poll tcp destroyed";
}

function busyBlock(ms) {
  const end = Date.now() + ms;
  // eslint-disable-next-line no-empty
  while (Date.now() < end) {}
}

// ---- scenarios ------------------------------------------------------------

const SCENARIOS = {
  // socket.disconnect(true): Socket.IO DISCONNECT for every namespace of the
  // client, then the engine.io connection is closed.
  "server-disconnect": (socket) => socket.disconnect(true),
  // socket.disconnect(): only this namespace (DISCONNECT packet), engine stays.
  "namespace-disconnect": (socket) => socket.disconnect(),
  // engine.io connection closed by the server (no Socket.IO DISCONNECT)
  "conn-close": (socket) => socket.conn.close(),
  // TCP connection destroyed without any close handshake
  "destroy": (socket) => destroyTcp(socket.conn),
  // block the event loop (ping timeout when > pingInterval + pingTimeout)
  "block": (socket, ms) => busyBlock(Number(ms) || opts.pingInterval + opts.pingTimeout + 1000),
  // an undecodable Engine.IO packet (type '9' does not exist)
  "garbage": (socket) => rawWrite(socket.conn, "9garbage"),
  // a valid Engine.IO MESSAGE whose content is not a valid Socket.IO packet
  "garbage-sio": (socket) => rawWrite(socket.conn, "4garbage"),
  // a raw binary message given in hex (with --parser msgpack: a msgpack packet)
  "raw-binary": (socket, hex) => rawWriteBinary(socket.conn, Buffer.from(String(hex), "hex")),
  // the server process dies
  "kill": () => process.exit(0),
  // emit a Buffer (binary attachment)
  "emit-binary": (socket) =>
    socket.emit("binary", Buffer.from([0, 1, 2, 3, 255]), { nested: Buffer.from("hi") }),
  // emit an arbitrary event: scenario emit EVENT ARG...
  "emit": (socket, event, ...args) => socket.emit(event, ...args),
  // emit an event that asks the client for an ack; the ack is logged
  "ask": (socket, event = "question", ...args) =>
    socket.timeout(5000).emit(event, ...args, (err, ...reply) => {
      out({ type: "ack", namespace: socket.nsp.name, id: socket.id, event,
            args: reply, error: err ? err.message : null });
    }),
  // ask the client with socket.timeout(MS).emitWithAck(EVENT, ARG...) and report what
  // came back, or the timeout: {"type": "ack_reply", args} or {"type": "ack_reply", error}
  "ask-with-ack": async (socket, ms = 2000, event = "question", ...args) => {
    const asked = Date.now();
    try {
      const reply = await socket.timeout(Number(ms)).emitWithAck(event, ...args);
      out({ type: "ack_reply", namespace: socket.nsp.name, id: socket.id, event,
            args: [reply], error: null, waited_ms: Date.now() - asked });
    } catch (err) {
      out({ type: "ack_reply", namespace: socket.nsp.name, id: socket.id, event,
            args: null, error: err.message, waited_ms: Date.now() - asked });
    }
  },
  // in one turn of the server's event loop: events, a binary event, an event asking for
  // an ack, more events, this namespace's DISCONNECT, then one more event (the order a
  // client reports them in, and the call's ack before them, is what
  // test_event_order_vs_js compares)
  "mix": (socket) => {
    socket.emit("m", 1);
    socket.emit("bin", Buffer.from([7, 8]));
    socket.emit("m", 2);
    socket.timeout(5000).emit("q", 3, () => {});
    for (let i = 4; i < 40; i++) socket.emit("m", i);
    socket.disconnect();
    // an event on the closed namespace's heels, once everything above is on the wire
    // (a raw write would overtake what engine.io still buffers): no client reports it
    const late = () => (socket.conn.writeBuffer.length
      ? socket.conn.once("drain", late) : rawWrite(socket.conn, '42["late",1]'));
    late();
  },
  // emit to all sockets of this namespace
  "broadcast": (socket, event = "broadcast", ...args) => socket.nsp.emit(event, ...args),
  // connection state recovery (--recovery): a broadcast "before" to / and /chat (the
  // client's offset), then after MS the TCP connection is destroyed, and once the
  // server has seen it go, two broadcasts "missed" to each namespace: a client that
  // recovers its session gets them on reconnection
  "recovery-drill": (socket, ms = 300) => {
    for (const name of ["/", "/chat"]) io.of(name).emit("before", name);
    setTimeout(() => {
      socket.conn.once("close", () => setTimeout(() => {
        for (const name of ["/", "/chat"]) {
          for (const i of [1, 2]) io.of(name).emit("missed", name, i);
        }
        out({ type: "missed_sent" });
      }, 50));
      destroyTcp(socket.conn);
    }, Number(ms));
  },
};

function runScenario(socket, name, params, delay) {
  const fn = SCENARIOS[name];
  if (!fn) {
    out({ type: "scenario_error", namespace: socket.nsp.name, id: socket.id, name,
          message: `unknown scenario ${name}` });
    return false;
  }
  setTimeout(() => {
    out({ type: "scenario", namespace: socket.nsp.name, id: socket.id, name, params,
          transport: transportName(socket.conn) });
    fn(socket, ...params);
  }, delay);
  return true;
}

// ---- namespaces -----------------------------------------------------------

function setup(nsp) {
  nsp.on("connection", (socket) => {
    out({ type: "connection", namespace: nsp.name, id: socket.id,
          auth: socket.handshake.auth, query: socket.handshake.query,
          transport: transportName(socket.conn), engine_id: socket.conn.id });

    socket.conn.on("upgrade", (t) =>
      out({ type: "upgrade", namespace: nsp.name, id: socket.id, transport: t.name }));

    socket.on("disconnect", (reason, description) => {
      out({ type: "disconnect", namespace: nsp.name, id: socket.id, reason,
            description: description === undefined ? null : String(description && description.message || description) });
    });

    socket.onAny((event, ...args) => {
      const hasAck = args.length > 0 && typeof args[args.length - 1] === "function";
      out({ type: "event", namespace: nsp.name, id: socket.id, event,
            args: hasAck ? args.slice(0, -1) : args, ack: hasAck });
    });

    socket.on("echo", (...args) => {
      if (args.length && typeof args[args.length - 1] === "function") {
        const cb = args.pop();
        cb(...args);
      } else {
        socket.emit("echo", ...args);
      }
    });

    socket.on("burst", (n, cb) => {
      const count = Number(n) || 0;
      for (let i = 0; i < count; i++) socket.emit("tick", { i });
      if (typeof cb === "function") cb(count);
    });

    // `ignore-next N` (acked "ok"): the next N calls of `flaky` get no ack (each one is
    // reported as {"type": "ignored_call"}); the ones after are acked with their args.
    // A server that ignores the first tries, for --retries.
    let flakyToIgnore = 0;
    let flakyTries = 0;
    socket.on("ignore-next", (n, cb) => {
      flakyToIgnore = Number(n) || 0;
      if (typeof cb === "function") cb("ok");
    });
    socket.on("flaky", (...args) => {
      const cb = args.length && typeof args[args.length - 1] === "function" ? args.pop() : null;
      flakyTries++;
      if (flakyToIgnore > 0) {
        flakyToIgnore--;
        out({ type: "ignored_call", namespace: nsp.name, id: socket.id, args, try: flakyTries });
        return;
      }
      if (cb) cb(...args);
    });

    socket.on("whoami", (cb) => {
      if (typeof cb === "function") cb(socket.id);
      else socket.emit("whoami", socket.id);
    });

    // scenario NAME [PARAM...]   or   scenario "NAME PARAM..."
    // an object as last param may carry {delay: MS}; default delay 100 ms
    socket.on("scenario", (...args) => {
      const cb = args.length && typeof args[args.length - 1] === "function" ? args.pop() : null;
      let delay = 100;
      if (args.length && args[args.length - 1] && typeof args[args.length - 1] === "object"
          && !Array.isArray(args[args.length - 1]) && "delay" in args[args.length - 1]) {
        delay = Number(args.pop().delay);
      }
      let [name, ...params] = args;
      if (typeof name === "string" && name.includes(" ")) {
        const parts = name.trim().split(/\s+/);
        name = parts[0];
        params = parts.slice(1).concat(params);
      }
      const ok = runScenario(socket, String(name), params, delay);
      if (cb) cb(ok ? "ok" : "unknown scenario");
    });
  });
}

setup(io.of("/"));
setup(io.of("/chat"));

const priv = io.of("/private");
priv.use((socket, next) => {
  if (socket.handshake.auth && socket.handshake.auth.token === "secret") return next();
  out({ type: "rejected", namespace: "/private", auth: socket.handshake.auth });
  const err = new Error("not authorized");
  err.data = { content: "Please retry later" };
  next(err);
});
setup(priv);

// ---- engine-level observations ---------------------------------------------

io.engine.on("connection", (conn) => {
  out({ type: "engine_connection", engine_id: conn.id, transport: transportName(conn) });
  conn.on("close", (reason, description) => {
    out({ type: "engine_close", engine_id: conn.id, reason,
          description: description === undefined ? null : String(description && description.message || description) });
  });
  if (opts.trace) {
    conn.on("packet", (p) => out({ type: "packet", direction: "in", engine_id: conn.id,
                                   packet_type: p.type, data: p.data ?? null }));
    conn.on("packetCreate", (p) => out({ type: "packet", direction: "out", engine_id: conn.id,
                                         packet_type: p.type, data: p.data ?? null }));
  }
});
io.engine.on("connection_error", (err) => {
  out({ type: "engine_connection_error", code: err.code, message: err.message });
});

httpServer.listen(opts.port, opts.host, () => {
  const { port } = httpServer.address();
  require("fs").writeSync(1, JSON.stringify({ port }) + "\n");
});

function shutdown() {
  io.close();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
// --exit-on-stdin-eof: die with the parent (its end of our stdin pipe closed)
// so that no orphan keeps a port
if (opts.exitOnStdinEof) {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}
