#!/usr/bin/env node
// The ORACLE: the official JS client (socket.io-client 4.x) reporting what it
// observes as siocli-style records, one JSON object per line on stdout.
//
//   node oracle.js URL [--transport websocket|polling] [--token T]
//        [--auth JSON] [--path P] [--emit 'EVENT ARG...'] [--call 'EVENT ARG...']
//        [--disconnect-after MS] [--wait-ms N] [--grace-ms N] [--stay]
//        [--no-reconnect] [--reconnection-delay MS] [--reconnection-delay-max MS]
//        [--reconnection-attempts N] [--timeout MS] [--until TYPE[:N]] [--trace]
//        [--ack-timeout MS] [--retries N] [--never-ack | --ack-reply 'ARG...']
//        [--parser default|msgpack]
//
// URL may carry a namespace (http://127.0.0.1:PORT/chat).
// --emit / --call may be repeated; they run once, in order, after the first
// connect. Each ARG is parsed as JSON when it is valid JSON, else taken as a
// string: --emit 'scenario block 1500' emits ("scenario", "block", 1500).
// --call waits for the ack (--ack-timeout MS, default 5000) and records
// {"type":"ack",...}; --retries N is the client's `retries` option.
// An event the server sends with an ack callback is acknowledged with its own
// arguments, or never (--never-ack), or with the ARGs of --ack-reply.
//
// The process exits after --wait-ms (default 5000) or --grace-ms (default 300)
// after: the first disconnect (unless --stay or --until), a connect_error that
// ends the attempts (middleware error; unless --stay or --until), reconnect_failed,
// or the N-th (default 1st) record of type TYPE with --until TYPE[:N]
// (e.g. --until connect:2 = the first reconnection). Exit code 0; 2 on usage error.
"use strict";

const { io } = require("socket.io-client");

function usage(msg) {
  process.stderr.write(`oracle.js: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    url: null,
    transport: null,
    token: null,
    auth: null,
    path: "/socket.io",
    actions: [],
    disconnectAfter: null,
    waitMs: 5000,
    graceMs: 300,
    stay: false,
    reconnection: true,
    reconnectionDelay: null,
    reconnectionDelayMax: null,
    reconnectionAttempts: null,
    timeout: null,
    trace: false,
    parser: "default",
    until: null,
    untilCount: 1,
    ackTimeout: 5000,
    retries: null,
    ackMode: "echo",
    ackReply: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case "--transport": o.transport = next(); break;
      case "--token": o.token = next(); break;
      case "--auth": o.auth = JSON.parse(next()); break;
      case "--path": o.path = next(); break;
      case "--emit": o.actions.push({ kind: "emit", spec: next() }); break;
      case "--call": o.actions.push({ kind: "call", spec: next() }); break;
      case "--disconnect-after": o.disconnectAfter = Number(next()); break;
      case "--wait-ms": o.waitMs = Number(next()); break;
      case "--grace-ms": o.graceMs = Number(next()); break;
      case "--stay": o.stay = true; break;
      case "--no-reconnect": o.reconnection = false; break;
      case "--reconnection-delay": o.reconnectionDelay = Number(next()); break;
      case "--reconnection-delay-max": o.reconnectionDelayMax = Number(next()); break;
      case "--reconnection-attempts": o.reconnectionAttempts = Number(next()); break;
      case "--timeout": o.timeout = Number(next()); break;
      case "--trace": o.trace = true; break;
      case "--ack-timeout": o.ackTimeout = Number(next()); break;
      case "--retries": o.retries = Number(next()); break;
      case "--never-ack": o.ackMode = "never"; break;
      case "--ack-reply": o.ackMode = "reply"; o.ackReply = parseSpec("x " + next()).args; break;
      case "--parser": o.parser = next(); break;
      case "--until": {
        const [t, n] = next().split(":");
        o.until = t;
        o.untilCount = n === undefined ? 1 : Number(n);
        o.stay = true;
        break;
      }
      default:
        if (a.startsWith("--")) usage(`unknown option ${a}`);
        if (o.url) usage(`unexpected argument ${a}`);
        o.url = a;
    }
  }
  if (!o.url) usage("URL required");
  if (o.transport && !["websocket", "polling"].includes(o.transport)) {
    usage(`bad --transport ${o.transport}`);
  }
  return o;
}

function parseSpec(spec) {
  const parts = spec.trim().split(/\s+/);
  const event = parts.shift();
  const args = parts.map((p) => {
    try { return JSON.parse(p); } catch (_) { return p; }
  });
  return { event, args };
}

function jsonable(v) {
  if (Buffer.isBuffer(v)) return { $binary: v.toString("base64") };
  if (v instanceof ArrayBuffer) return { $binary: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (v instanceof Error) return { message: v.message, ...(v.description !== undefined ? { description: String(v.description && v.description.message || v.description) } : {}) };
  if (typeof v === "function") return { $function: true };
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === "object") {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "context") continue; // XHR / ws objects: not serialisable
      o[k] = jsonable(x);
    }
    return o;
  }
  return v === undefined ? null : v;
}

const o = parseArgs(process.argv.slice(2));
const T0 = Date.now();

const seen = {};
function out(rec) {
  rec.ts = new Date().toISOString();
  rec.t = Date.now() - T0; // ms since the oracle started
  require("fs").writeSync(1, JSON.stringify(jsonable(rec)) + "\n");
  seen[rec.type] = (seen[rec.type] || 0) + 1;
  if (o.until === rec.type && seen[rec.type] === o.untilCount) exitSoon(o.graceMs);
}

function describe(description) {
  // JS gives an Error (transport error), a {description, context} object
  // (transport close), or undefined.
  if (description === undefined || description === null) return null;
  if (description instanceof Error) {
    const d = { message: description.message };
    if (description.description !== undefined) {
      d.description = String(description.description && description.description.message || description.description);
    }
    if (description.type !== undefined) d.type = description.type;
    if (description.code !== undefined) d.code = description.code;
    return d;
  }
  if (typeof description === "object") {
    const d = {};
    if ("description" in description) {
      const x = description.description;
      d.description = x && typeof x === "object" ? (x.message ?? String(x)) : x ?? null;
    }
    if (description.context && typeof description.context === "object") {
      // ws close event detail where available
      const c = description.context;
      if (typeof c.code === "number") d.code = c.code;
    }
    return d;
  }
  return String(description);
}

const opts = {
  path: o.path,
  reconnection: o.reconnection,
  forceNew: true,
};
if (o.transport) opts.transports = [o.transport];
if (o.parser === "msgpack") opts.parser = require("socket.io-msgpack-parser");
if (o.token !== null || o.auth !== null) opts.auth = { ...(o.auth || {}), ...(o.token !== null ? { token: o.token } : {}) };
if (o.reconnectionDelay !== null) opts.reconnectionDelay = o.reconnectionDelay;
if (o.reconnectionDelayMax !== null) opts.reconnectionDelayMax = o.reconnectionDelayMax;
if (o.reconnectionAttempts !== null) opts.reconnectionAttempts = o.reconnectionAttempts;
if (o.timeout !== null) opts.timeout = o.timeout;
if (o.retries !== null) opts.retries = o.retries;

const socket = io(o.url, opts);
const manager = socket.io;
let connects = 0;
let disconnected = false;

let exiting = false;
function exitSoon(ms) {
  if (exiting) return;
  exiting = true;
  setTimeout(() => {
    out({ type: "exit" });
    process.exit(0);
  }, ms);
}

function engineTransport() {
  return manager.engine && manager.engine.transport ? manager.engine.transport.name : null;
}

manager.on("open", () => {
  const engine = manager.engine;
  if (o.trace) {
    engine.on("packet", (p) => out({ type: "packet", direction: "in", namespace: socket.nsp,
                                     packet_type: p.type, data: p.data ?? null }));
    engine.on("packetCreate", (p) => out({ type: "packet", direction: "out", namespace: socket.nsp,
                                           packet_type: p.type, data: p.data ?? null }));
  }
  engine.on("upgrade", (t) => out({ type: "upgrade", namespace: socket.nsp, transport: t.name }));
});

socket.on("connect", () => {
  out({ type: "connect", namespace: socket.nsp, id: socket.id, connected: socket.connected,
        transport: engineTransport(), attempt: connects, recovered: !!socket.recovered });
  connects++;
  if (connects !== 1) return;
  // run the actions once, after the first connect
  for (const act of o.actions) {
    const { event, args } = parseSpec(act.spec);
    out({ type: "emit", namespace: socket.nsp, event, args });
    if (act.kind === "emit") {
      socket.emit(event, ...args);
    } else {
      const sent = Date.now();
      socket.timeout(o.ackTimeout).emit(event, ...args, (err, ...reply) => {
        if (err) out({ type: "ack_timeout", namespace: socket.nsp, event, timeout: o.ackTimeout });
        else out({ type: "ack", namespace: socket.nsp, event, args: reply, rtt_ms: Date.now() - sent });
      });
    }
  }
  if (o.disconnectAfter !== null) {
    setTimeout(() => {
      out({ type: "client_disconnect_called", namespace: socket.nsp });
      socket.disconnect();
    }, o.disconnectAfter);
  }
});

socket.on("connect_error", (err) => {
  out({ type: "connect_error", namespace: socket.nsp, message: err.message,
        data: err.data ?? null, active: socket.active });
  // a middleware error (err.data or no transport type) ends the attempts, as in JS
  if (!socket.active && !o.stay) exitSoon(o.graceMs);
});

socket.on("disconnect", (reason, description) => {
  out({ type: "disconnect", namespace: socket.nsp, reason,
        description: describe(description),
        will_reconnect: socket.active && o.reconnection });
  if (!disconnected && !o.stay) exitSoon(o.graceMs);
  disconnected = true;
});

socket.onAny((event, ...args) => {
  const hasAck = args.length > 0 && typeof args[args.length - 1] === "function";
  const ack = hasAck ? args.pop() : null;
  out({ type: "event", namespace: socket.nsp, event, args, ack: hasAck });
  if (!ack || o.ackMode === "never") return;
  const reply = o.ackMode === "reply" ? o.ackReply : args; // default: its own arguments
  ack(...reply);
  out({ type: "reply", namespace: socket.nsp, event, args: reply });
});

// the JS client does not expose the delay of an attempt: record what its backoff computed
let lastDelay = null;
let lastAttempt = 0;
{
  const backoff = manager.backoff;
  const duration = backoff.duration.bind(backoff);
  backoff.duration = () => (lastDelay = duration());
}
manager.on("reconnect_attempt", (attempt) => {
  lastAttempt = attempt;
  out({ type: "reconnect_attempt", namespace: socket.nsp, attempt, delay: lastDelay });
});
manager.on("reconnect", (attempt) =>
  out({ type: "reconnect", namespace: socket.nsp, attempt }));
manager.on("reconnect_error", (err) =>
  out({ type: "reconnect_error", namespace: socket.nsp, message: err.message }));
manager.on("reconnect_failed", () => {
  out({ type: "reconnect_failed", namespace: socket.nsp, attempts: lastAttempt });
  exitSoon(o.graceMs);
});

setTimeout(() => {
  out({ type: "exit" });
  process.exit(0);
}, o.waitMs);
