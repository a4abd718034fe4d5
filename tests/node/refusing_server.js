// A socket.io server whose allowRequest refuses every handshake with a message
// (HTTP 403 and {"code":4,"message":MESSAGE}, as engine.io answers), for the tests of
// how siocli words a refused handshake.
//   node refusing_server.js [MESSAGE]     prints {"port": N} once listening
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const message = process.argv[2] || "not allowed";
const httpServer = http.createServer();
const io = new Server(httpServer, {
  allowRequest: (req, callback) => callback(message, false),
});
io.on("connection", () => {});
httpServer.listen(0, "127.0.0.1", () => {
  require("fs").writeSync(1, JSON.stringify({ port: httpServer.address().port }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
process.on("SIGTERM", () => process.exit(0));
