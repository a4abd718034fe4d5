#!/usr/bin/env node
// The JS client leaving and joining a namespace again on a live connection.
//
//   node ns_rejoin.js URL [--times N] [--sync] [--transport websocket|polling]
//
// One Manager with two Sockets, "/" and "/chat". N times: chat.disconnect(), then
// (with --sync) a call `echo` on "/" whose ack comes back, then chat.connect(), then
// an emit of `echo` on /chat, waiting for /chat's connect before the next round.
// Without --sync the rejoin is back to back, as `chat.disconnect(); chat.connect();`.
// Prints one JSON line: {"rounds": [...], "lost": [...], "engine_ids": [...]} where
// "lost" lists the disconnects other than the deliberate ones.
"use strict";

const { io } = require("socket.io-client");

const args = process.argv.slice(2);
const url = args[0];
const opt = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : args[at + 1];
};
const times = Number(opt("--times", "5"));
const sync = args.includes("--sync");
const transport = opt("--transport", "websocket");

const root = io(url, { transports: [transport], forceNew: true, reconnection: false });
const chat = root.io.socket("/chat");
const lost = [];
const engineIds = new Set();
const rounds = [];
let leaving = false;

root.on("disconnect", (reason) => { if (!leaving) lost.push({ namespace: "/", reason }); });
chat.on("disconnect", (reason) => {
  if (!leaving && reason !== "io client disconnect") lost.push({ namespace: "/chat", reason });
});
const connected = (socket) => new Promise((resolve) => {
  if (socket.connected) resolve(); else socket.once("connect", resolve);
});
const finish = () => {
  leaving = true;
  process.stdout.write(JSON.stringify({ rounds, lost, engine_ids: [...engineIds] }) + "\n");
  root.disconnect();
  chat.disconnect();
  setTimeout(() => process.exit(0), 50);
};
setTimeout(finish, 4000 + times * 500);

(async () => {
  chat.connect();
  await Promise.all([connected(root), connected(chat)]);
  for (let i = 0; i < times && lost.length === 0; i++) {
    engineIds.add(root.io.engine.id);
    chat.disconnect();
    if (sync) await root.timeout(2000).emitWithAck("echo", "sync-" + i);
    chat.connect();
    chat.emit("echo", "round-" + i);
    await connected(chat);
    rounds.push({ round: i, chat_id: chat.id, engine_id: root.io.engine.id });
  }
  engineIds.add(root.io.engine.id);
  setTimeout(finish, 200);
})().catch((err) => { lost.push({ error: String(err) }); finish(); });
