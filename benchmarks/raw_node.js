// The minimal socket.io-client script siocli is measured against (the official JS client).
//
//   node benchmarks/raw_node.js URL WORK [N] [CONCURRENCY]
//
// WORK is one of calls, emits, receive, oneshot, pipelined: the same work as
// benchmarks/raw_python.py (see there). Prints one JSON line: the work, N and `seconds`,
// the time of the work itself (after connecting, before disconnecting).
// socket.io-client is the one installed for the test peer (npm ci --prefix tests/node).
"use strict";

const path = require("path");
const { createRequire } = require("module");

const peer = createRequire(path.join(__dirname, "..", "tests", "node", "package.json"));
const { io } = peer("socket.io-client");

const [url, work] = [process.argv[2], process.argv[3]];
const n = Number(process.argv[4] || 1);
const concurrency = Number(process.argv[5] || 1);
const PAYLOAD = { i: 1 };

const WORKS = {
  async calls(socket) {
    for (let i = 0; i < n; i++) await socket.emitWithAck("echo", PAYLOAD);
  },
  async emits(socket) {
    for (let i = 0; i < n; i++) socket.emit("noop", PAYLOAD);
    await socket.emitWithAck("echo", "done");
  },
  async receive(socket) {
    await new Promise((resolve) => {
      let seen = 0;
      socket.on("tick", () => { if (++seen >= n) resolve(); });
      socket.emit("burst", n);
    });
  },
  async oneshot(socket) {
    socket.emit("x");
  },
  async pipelined(socket) {
    let left = n;
    const worker = async () => {
      while (left > 0) {
        left -= 1;
        await socket.emitWithAck("echo", PAYLOAD);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  },
};

if (!WORKS[work]) {
  process.stderr.write("usage: node raw_node.js URL calls|emits|receive|oneshot|pipelined [N] [C]\n");
  process.exit(2);
}
const options = work === "oneshot" ? {} : { transports: ["websocket"] };
const socket = io(url, options);
socket.on("connect", async () => {
  const started = process.hrtime.bigint();
  await WORKS[work](socket);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ work, n, concurrency, seconds }) + "\n");
  socket.disconnect(); // what is still buffered is sent; node exits once the socket closes
});
socket.on("connect_error", (err) => {
  process.stderr.write(`connect_error: ${err.message}\n`);
  process.exit(1);
});
