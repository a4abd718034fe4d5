#!/usr/bin/env node
// The JS client (socket.io-client 4.x) for the differential fuzzer (tests/oracle/fuzz.py):
// one Manager, the namespace `/` and optionally more over it, printing one JSON line per
// lifecycle observation in siocli's record shape. It runs until SIGINT/SIGTERM or stdin
// EOF; it then disconnects every socket (as siocli does at the end of a run: `io client
// disconnect` records for the connected ones) and exits 0.
//
//   node fuzz_client.js URL [--namespace NS]... [--transport websocket|polling]...
//        [--reconnection-delay MS] [--reconnection-delay-max MS]
//        [--randomization-factor F] [--reconnection-attempts N] [--timeout MS]
//
// Records (each also has `ts` (ISO) and `t` (ms since start)), as oracle.js:
//   connect {namespace, id, connected, transport, attempt}   attempt: 0 on the first
//                   connection, else the Manager's attempt that reconnected
//   connect_error {namespace, message, data}
//   disconnect {namespace, reason, description, will_reconnect: socket.active}
//   reconnect_attempt {namespace: "/", attempt, delay}   reconnect_failed {namespace: "/", attempts}
//   exit {}   the last line
"use strict";

const fs = require("fs");
const { io } = require("socket.io-client");

function usage(msg) {
  process.stderr.write(`fuzz_client.js: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    url: null,
    namespaces: [],
    transports: [],
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    randomizationFactor: 0.5,
    reconnectionAttempts: null,
    timeout: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case "--namespace": case "-n": o.namespaces.push(next()); break;
      case "--transport": case "-t": o.transports.push(next()); break;
      case "--reconnection-delay": o.reconnectionDelay = Number(next()); break;
      case "--reconnection-delay-max": o.reconnectionDelayMax = Number(next()); break;
      case "--randomization-factor": o.randomizationFactor = Number(next()); break;
      case "--reconnection-attempts": o.reconnectionAttempts = Number(next()); break;
      case "--timeout": o.timeout = Number(next()); break;
      default:
        if (a.startsWith("-")) usage(`unknown option ${a}`);
        if (o.url) usage(`unexpected argument ${a}`);
        o.url = a;
    }
  }
  if (!o.url) usage("URL required");
  for (const t of o.transports) {
    if (!["websocket", "polling"].includes(t)) usage(`bad --transport ${t}`);
  }
  return o;
}

const o = parseArgs(process.argv.slice(2));
const T0 = Date.now();
const base = o.url.replace(/\/+$/, "");

function jsonable(v) {
  if (v instanceof Error) return { message: v.message };
  if (Array.isArray(v)) return v.map(jsonable);
  if (v && typeof v === "object") {
    const r = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "context") continue; // XHR / ws objects
      r[k] = jsonable(x);
    }
    return r;
  }
  return v === undefined ? null : v;
}

function out(rec) {
  rec.ts = new Date().toISOString();
  rec.t = Date.now() - T0;
  fs.writeSync(1, JSON.stringify(jsonable(rec)) + "\n");
}

function describe(description) {
  if (description === undefined || description === null) return null;
  if (description instanceof Error) {
    const d = { message: description.message };
    if (description.description !== undefined) {
      const x = description.description;
      d.description = x && typeof x === "object" ? (x.message ?? String(x)) : x;
    }
    return d;
  }
  if (typeof description === "object") {
    const d = {};
    if ("description" in description) {
      const x = description.description;
      d.description = x && typeof x === "object" ? (x.message ?? String(x)) : x ?? null;
    }
    if (description.context && typeof description.context.code === "number") {
      d.code = description.context.code;
    }
    return d;
  }
  return String(description);
}

const opts = {
  reconnectionDelay: o.reconnectionDelay,
  reconnectionDelayMax: o.reconnectionDelayMax,
  randomizationFactor: o.randomizationFactor,
};
if (o.transports.length) opts.transports = o.transports;
if (o.reconnectionAttempts !== null) opts.reconnectionAttempts = o.reconnectionAttempts;
if (o.timeout !== null) opts.timeout = o.timeout;

// io(url) and io(url + "/b") share one Manager (the cache of io(), multiplex on)
const names = ["/", ...o.namespaces.filter((n) => n !== "/")];
const sockets = names.map((name) => io(name === "/" ? base : base + name, opts));
const manager = sockets[0].io;
for (const s of sockets) {
  if (s.io !== manager) usage("the sockets do not share one Manager");
}

let attemptOfConnection = 0; // 0: the first connection; else the reconnecting attempt
manager.on("reconnect", (attempt) => { attemptOfConnection = attempt; });

function engineTransport() {
  return manager.engine && manager.engine.transport ? manager.engine.transport.name : null;
}

for (const socket of sockets) {
  const namespace = socket.nsp;
  socket.on("connect", () =>
    out({ type: "connect", namespace, id: socket.id, connected: socket.connected,
          transport: engineTransport(), attempt: attemptOfConnection }));
  socket.on("connect_error", (err) =>
    out({ type: "connect_error", namespace, message: err.message, data: err.data ?? null }));
  socket.on("disconnect", (reason, description) =>
    out({ type: "disconnect", namespace, reason, description: describe(description),
          will_reconnect: socket.active }));
}

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
  out({ type: "reconnect_attempt", namespace: "/", attempt, delay: lastDelay / 1000 });
});
manager.on("reconnect_failed", () =>
  out({ type: "reconnect_failed", namespace: "/", attempts: lastAttempt }));

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const socket of sockets) socket.disconnect();
  out({ type: "exit" });
  // let the DISCONNECT packets leave
  setTimeout(() => process.exit(0), 50);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
