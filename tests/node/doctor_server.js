#!/usr/bin/env node
// A server set up for `siocli doctor`'s tests: healthy, or failing in one way.
//
//   node doctor_server.js [--port N] [--host H] [--path P] [--v2]
//                         [--transports polling[,websocket]] [--cors ORIGIN]
//                         [--exit-on-stdin-eof]
//
// --v2: npm socket.io 2.x (Engine.IO 3), from the "socket.io-v2" alias in package.json;
// else socket.io 4.x. Namespaces: `/` (open) and `/private`, whose middleware rejects
// every connection with an error carrying data ({"content": "Please retry later"}), and
// `/silent`, whose middleware never calls next() (the CONNECT is never answered).
// Events: `echo` acknowledges its arguments. --transports: what the server allows
// (polling only: the websocket upgrade is refused). --cors: the only allowed origin
// (default: any). stdout: exactly one line {"port": N} once listening, then one JSON
// line per connection ({"type": "connection", "namespace", "id"}).
"use strict";

const http = require("http");

function parseArgs(argv) {
  const opts = { port: 0, host: "127.0.0.1", path: "/socket.io", v2: false,
                 transports: ["polling", "websocket"], cors: null, exitOnStdinEof: false };
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
      case "--v2": opts.v2 = true; break;
      case "--transports": opts.transports = next().split(","); break;
      case "--cors": opts.cors = next(); break;
      case "--exit-on-stdin-eof": opts.exitOnStdinEof = true; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const out = (rec) => require("fs").writeSync(1, JSON.stringify(rec) + "\n");

const httpServer = http.createServer((req, res) => {
  res.writeHead(404);
  res.end("not here");
});

let io;
if (opts.v2) {
  const v2 = require("socket.io-v2");
  io = v2(httpServer, { path: opts.path, transports: opts.transports });
} else {
  const { Server } = require("socket.io");
  io = new Server(httpServer, {
    path: opts.path,
    transports: opts.transports,
    cors: { origin: opts.cors || "*" },
    perMessageDeflate: false,
    httpCompression: false,
  });
}

function setup(nsp) {
  nsp.on("connection", (socket) => {
    out({ type: "connection", namespace: nsp.name, id: socket.id });
    socket.on("echo", (...args) => {
      const cb = args.length && typeof args[args.length - 1] === "function" ? args.pop() : null;
      if (cb) cb(...args);
    });
    socket.on("hello", () => socket.emit("hi", "there"));
  });
}

setup(io.of("/"));
const priv = io.of("/private");
priv.use((socket, next) => {
  const err = new Error("not authorized");
  err.data = { content: "Please retry later" };
  next(err);
});
setup(priv);
// /silent: a middleware that never calls next(), so the CONNECT is never answered
io.of("/silent").use(() => {});

httpServer.listen(opts.port, opts.host, () => {
  out({ port: httpServer.address().port });
});

const shutdown = () => process.exit(0);
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
if (opts.exitOnStdinEof) {
  process.stdin.on("end", shutdown);
  process.stdin.on("error", shutdown);
  process.stdin.resume();
}
