#!/usr/bin/env node
// Raw wire probe: a minimal hand-written Engine.IO v4 / Socket.IO v5 client that
// logs exactly what goes over the wire (frames, HTTP bodies, close codes, TCP
// FIN / RST) while a server.js scenario is triggered. Used to write ORACLE.md.
//
//   node wire_probe.js URL --transport websocket|polling --scenario 'NAME ARG...'
//        [--path P] [--wait-ms N] [--grace-ms N] [--client-disconnect]
//
// Exits after --wait-ms (default 3000), or --grace-ms after the first thing
// (other than PING/PONG and POST answers) that happens after the trigger.
//
// --client-disconnect: instead of a scenario, do what socket.disconnect() of the
// JS client does (Socket.IO DISCONNECT "41", then the Engine.IO close).
"use strict";

const http = require("http");
let WebSocket;
try { WebSocket = require("ws"); } catch (_) {
  WebSocket = require(require.resolve("ws", { paths: [require.resolve("engine.io-client")] }));
}

const argv = process.argv.slice(2);
const o = { url: null, transport: "websocket", scenario: null, path: "/socket.io", waitMs: 3000, graceMs: null, clientDisconnect: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--transport") o.transport = argv[++i];
  else if (a === "--scenario") o.scenario = argv[++i];
  else if (a === "--path") o.path = argv[++i];
  else if (a === "--wait-ms") o.waitMs = Number(argv[++i]);
  else if (a === "--grace-ms") o.graceMs = Number(argv[++i]);
  else if (a === "--client-disconnect") o.clientDisconnect = true;
  else o.url = a;
}
const T0 = Date.now();
let exitScheduled = false;
function finish() { log({ ev: "exit" }); process.exit(0); }
function log(rec) {
  rec.t = Date.now() - T0;
  process.stdout.write(JSON.stringify(rec) + "\n");
  const boring = ["2", "3", "ok"].includes(rec.raw ?? rec.body) || ["post", "post_response", "frame_out", "exit"].includes(rec.ev);
  if (triggered && !boring && o.graceMs !== null && !exitScheduled) {
    exitScheduled = true;
    setTimeout(finish, o.graceMs);
  }
}
const u = new URL(o.url);
const base = `${u.hostname}:${u.port}`;
let triggered = false;

function scenarioPacket() {
  const parts = o.scenario.split(/\s+/).map((p) => { try { return JSON.parse(p); } catch (_) { return p; } });
  return "42" + JSON.stringify(["scenario", ...parts]);
}

// Returns the frames to send in reply to one incoming Engine.IO packet.
function react(pkt) {
  const replies = [];
  if (pkt === "2") replies.push("3");
  if (pkt.startsWith("0{")) replies.push("40");
  if (pkt.startsWith("40{") && !triggered) {
    triggered = true;
    if (o.clientDisconnect) replies.push("41", "CLOSE");
    else replies.push(scenarioPacket());
  }
  return replies;
}

setTimeout(finish, o.waitMs);

if (o.transport === "websocket") {
  const ws = new WebSocket(`ws://${base}${o.path}/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  ws.on("open", () => {
    log({ ev: "ws_open" });
    ws._socket.on("end", () => log({ ev: "tcp_fin_received" }));
    ws._socket.on("error", (e) => log({ ev: "tcp_error", code: e.code }));
    ws._socket.on("close", (hadError) => log({ ev: "tcp_close", hadError }));
  });
  ws.on("message", (data, isBinary) => {
    const raw = isBinary ? { $binary: Buffer.from(data).toString("base64") } : data.toString();
    log({ ev: "frame_in", raw });
    if (isBinary) return;
    for (const r of react(raw)) {
      if (r === "CLOSE") { log({ ev: "ws_close_sent" }); ws.close(); continue; }
      log({ ev: "frame_out", raw: r });
      ws.send(r);
    }
  });
  ws.on("ping", () => log({ ev: "ws_ping_frame" }));
  ws.on("close", (code, reason) => log({ ev: "ws_close", code, reason: reason.toString() }));
  ws.on("error", (e) => log({ ev: "ws_error", message: e.message, code: e.code || null }));
} else {
  let sid = null;
  let closed = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const q = () => `${o.path}/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ""}&t=${Date.now()}`;
  function post(body) {
    log({ ev: "post", body });
    const req = http.request({ host: u.hostname, port: u.port, path: q(), method: "POST", agent,
                               headers: { "Content-Type": "text/plain;charset=UTF-8" } }, (res) => {
      let b = "";
      res.on("data", (c) => (b += c));
      res.on("end", () => log({ ev: "post_response", status: res.statusCode, body: b }));
    });
    req.on("error", (e) => log({ ev: "post_error", code: e.code, message: e.message }));
    req.end(body);
  }
  function poll() {
    if (closed) return;
    const req = http.get({ host: u.hostname, port: u.port, path: q(), agent }, (res) => {
      let b = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (b += c));
      res.on("end", () => {
        log({ ev: "poll_response", status: res.statusCode, body: b });
        if (res.statusCode !== 200) { closed = true; return; }
        const pkts = b.split("\x1e");
        const replies = [];
        for (const p of pkts) {
          if (p.startsWith("0{")) sid = JSON.parse(p.slice(1)).sid;
          if (p === "1") closed = true;
          replies.push(...react(p));
        }
        const normal = replies.filter((r) => r !== "CLOSE");
        if (normal.length) post(normal.join("\x1e"));
        if (replies.includes("CLOSE")) { post("1"); closed = true; }
        poll();
      });
      res.on("error", (e) => log({ ev: "poll_res_error", code: e.code, message: e.message }));
    });
    req.on("error", (e) => { log({ ev: "poll_error", code: e.code, message: e.message }); closed = true; });
    req.on("socket", (s) => {
      if (!s._probed) {
        s._probed = true;
        s.on("end", () => log({ ev: "tcp_fin_received" }));
      }
    });
  }
  poll();
}
