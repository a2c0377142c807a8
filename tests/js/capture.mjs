#!/usr/bin/env node
// Capture real automerge-repo wire messages as fixtures for linli's Rust
// decoder tests. Each fixture file holds the raw bytes of exactly one binary
// websocket message. Everything runs on 127.0.0.1 and the script exits by
// itself (hard limit 90 s).
//
//   node capture.mjs [--out=DIR]
//
// Default DIR is ../../protocol/tests/fixtures/js (relative to this file). The
// script (re)writes the *.cbor files, manifest.json and README.md there.
//
// Scenarios:
//  A  raw `ws` server  <-  real 2.5.6 client Repo (WebSocketClientAdapter).
//     Records join, sync (create), request (find of an unknown doc), ephemeral
//     (handle.broadcast). The server answers join with a hand-built `peer` and
//     request with a hand-built `doc-unavailable`.
//  B  raw `ws` client  ->  real 2.5.6 server Repo (ref-relay.mjs, a child
//     process: NodeWSServerAdapter + NodeFS, sharePolicy false). Records peer,
//     doc-unavailable (request for an unknown doc), sync (answer to a request
//     for a doc that a real client stored there first), error (join offering
//     only protocol "2"). Also probes a few edge cases and logs what happens.
//  C  real 2.5.6 repos with enableRemoteHeadsGossiping, through a recording
//     proxy: server S (NodeFS), writer C (NodeFS, so it has a storageId),
//     watcher D (no storage). D subscribes to C's storageId and finds C's doc.
//     Records remote-subscription-change (D->S and S->D) and
//     remote-heads-changed (S->D).
//  D  real automerge-repo 1.2.1 client adapter (only if tests/js/legacy-v1 has
//     been installed) -> raw `ws` server. Records join (1.x) and leave.

import { spawn } from "node:child_process"
import { once } from "node:events"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { createInterface } from "node:readline"
import { WebSocketServer, WebSocket } from "ws"
import { Repo, generateAutomergeUrl } from "@automerge/automerge-repo"
import {
  WebSocketClientAdapter,
  NodeWSServerAdapter,
} from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import * as A from "@automerge/automerge"
import { decode as cborDecode } from "cbor-x"
import { encodeWire, decodeWire, jsonable, toHex, sleep, withTimeout } from "./lib.mjs"
import { walk, describe } from "./cbor-walk.mjs"

const HERE = path.dirname(fileURLToPath(import.meta.url))
let OUT = path.resolve(HERE, "../../protocol/tests/fixtures/js")
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--out=")) OUT = path.resolve(a.slice("--out=".length))
  else {
    console.error(`usage: node capture.mjs [--out=DIR]`)
    process.exit(1)
  }
}

const hardStop = setTimeout(() => {
  console.error("capture.mjs: hard timeout (90 s), giving up")
  killChildren()
  process.exit(2)
}, 90_000)

const children = []
function killChildren() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM")
}
process.on("uncaughtException", e => {
  console.error(`capture.mjs: uncaught: ${e?.stack ?? e}`)
  killChildren()
  process.exit(1)
})
process.on("unhandledRejection", e => {
  console.error(`capture.mjs: unhandled rejection: ${e?.stack ?? e}`)
  killChildren()
  process.exit(1)
})

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "linli-capture-"))
const log = (...a) => console.error("[capture]", ...a)

// Fixed ids so that re-captures differ only where they must (document ids,
// change hashes, timestamps, session ids).
const IDS = {
  rawServer: "capture-raw-server",
  rawServerStorage: "00000000-0000-4000-8000-000000000001",
  jsClient: "js-client",
  relay: "js-relay",
  seeder: "js-seeder",
  rawClient: "capture-raw-client",
  rawClientBadVersion: "capture-raw-client-v2-only",
  gossipServer: "js-gossip-server",
  gossipWriter: "js-gossip-writer",
  gossipWatcher: "js-gossip-watcher",
  v1Client: "js-v1-client",
}

// ---- fixture bookkeeping ----------------------------------------------------

const fixtures = new Map() // file name -> {bytes, producer, how, binary}
const observations = [] // free-text notes for the README / report
const trace = [] // every frame seen: scenario, direction, type

function keep(file, bytes, producer, how, binary = true) {
  if (fixtures.has(file)) return
  fixtures.set(file, { bytes: new Uint8Array(bytes), producer, how, binary })
  log(`kept ${file} (${bytes.byteLength} bytes) from ${producer}`)
}

function note(text) {
  observations.push(text)
  log(`NOTE ${text}`)
}

function traceFrame(scenario, direction, msg, bytes, isBinary) {
  trace.push({
    scenario,
    direction,
    type: msg?.type,
    bytes: bytes.byteLength,
    binary: isBinary,
    keys: msg && typeof msg === "object" ? Object.keys(msg) : [],
  })
}

async function waitFor(pred, ms, what) {
  return withTimeout(
    (async () => {
      for (;;) {
        const v = pred()
        if (v) return v
        await sleep(10)
      }
    })(),
    ms,
    what,
  )
}

function emptyDocRequestData() {
  const [, msg] = A.generateSyncMessage(A.init(), A.initSyncState())
  return msg
}

// ---- scenario A: raw server, real client ------------------------------------

async function scenarioA() {
  log("scenario A: raw ws server <- real automerge-repo 2.5.6 client")
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(wss, "listening")
  const url = `ws://127.0.0.1:${wss.address().port}/sync`
  const got = [] // {msg, bytes, isBinary}
  wss.on("connection", ws => {
    ws.on("message", (data, isBinary) => {
      const bytes = new Uint8Array(data)
      const msg = decodeWire(bytes)
      got.push({ msg, bytes, isBinary })
      traceFrame("A", "js-client -> raw-server", msg, bytes, isBinary)
      if (msg.type === "join") {
        ws.send(
          encodeWire({
            type: "peer",
            senderId: IDS.rawServer,
            targetId: msg.senderId,
            selectedProtocolVersion: "1",
            peerMetadata: { storageId: IDS.rawServerStorage, isEphemeral: false },
          }),
        )
      } else if (msg.type === "request") {
        ws.send(
          encodeWire({
            type: "doc-unavailable",
            senderId: IDS.rawServer,
            targetId: msg.senderId,
            documentId: msg.documentId,
          }),
        )
      }
    })
  })

  const adapter = new WebSocketClientAdapter(url)
  const repo = new Repo({ network: [adapter], peerId: IDS.jsClient })
  await waitFor(() => repo.peers.length > 0, 5000, "A: client accepted our peer message")
  const join = got.find(g => g.msg.type === "join")
  keep("join.cbor", join.bytes, "automerge-repo 2.5.6 client Repo (no storage)", "first frame after connecting", join.isBinary)

  const handle = repo.create({ hello: "world", n: 1 })
  const sync = await waitFor(
    () => got.find(g => g.msg.type === "sync" && g.msg.documentId === handle.documentId),
    5000,
    "A: sync for created doc",
  )
  if (got.some(g => g.msg.type === "request" && g.msg.documentId === handle.documentId))
    note("A: client sent `request` for a doc it created")
  else note("A: on repo.create() the client sends `sync` (not `request`), unprompted (announce policy true by default)")
  keep("sync.cbor", sync.bytes, "automerge-repo 2.5.6 client Repo", "repo.create({hello:'world',n:1}): first message for the new doc", sync.isBinary)

  const unknownUrl = generateAutomergeUrl()
  let findError
  try {
    await withTimeout(repo.find(unknownUrl), 5000, "A: find unknown")
  } catch (e) {
    findError = e
  }
  if (!findError || !/unavailable/.test(findError.message))
    throw new Error(`A: expected unavailable, got ${findError ?? "a document"}`)
  note("A: the client accepted our hand-built doc-unavailable: repo.find() rejected with: " + findError.message)
  const request = got.find(g => g.msg.type === "request")
  keep("request.cbor", request.bytes, "automerge-repo 2.5.6 client Repo", "repo.find(<random unknown url>)", request.isBinary)

  handle.broadcast({ cursor: 42, user: "alice" })
  const eph = await waitFor(() => got.find(g => g.msg.type === "ephemeral"), 5000, "A: ephemeral")
  keep("ephemeral.cbor", eph.bytes, "automerge-repo 2.5.6 client Repo", "handle.broadcast({cursor:42,user:'alice'}) on the created doc", eph.isBinary)

  const before = got.length
  await repo.shutdown()
  await sleep(300)
  const after = got.slice(before).map(g => g.msg.type)
  note(`A: frames sent by the 2.5.6 client on repo.shutdown(): ${after.length ? after.join(",") : "none (no leave)"}`)
  const types = [...new Set(got.map(g => g.msg.type))]
  note(`A: message types the 2.5.6 client sent in total: ${types.join(", ")}`)
  if (got.some(g => !g.isBinary)) note("A: WARNING some client frames were TEXT frames")
  for (const c of wss.clients) c.terminate()
  wss.close()
}

// ---- scenario B: raw client, real server ------------------------------------

async function startRefRelay(dataDir, peerId) {
  const child = spawn(
    process.execPath,
    [path.join(HERE, "ref-relay.mjs"), "0", dataDir, "--lifetime=60", `--peer-id=${peerId}`],
    { stdio: ["ignore", "pipe", "inherit"] },
  )
  children.push(child)
  const rl = createInterface({ input: child.stdout })
  const line = await withTimeout(
    new Promise((resolve, reject) => {
      rl.once("line", resolve)
      child.once("exit", code => reject(new Error(`ref-relay exited early (${code})`)))
    }),
    10000,
    "ref-relay start",
  )
  const m = /^listening on (ws:\/\/127\.0\.0\.1:\d+\/sync)$/.exec(line)
  if (!m) throw new Error(`unexpected ref-relay output: ${line}`)
  return { child, url: m[1] }
}

async function stopChild(child) {
  if (child.exitCode !== null) return
  child.kill("SIGTERM")
  await withTimeout(once(child, "exit"), 5000, "child exit").catch(() => child.kill("SIGKILL"))
}

/** A raw websocket client that records everything it receives. */
async function rawClient(url, scenario, label) {
  const ws = new WebSocket(url)
  const got = []
  let closed = null
  ws.on("message", (data, isBinary) => {
    const bytes = new Uint8Array(data)
    let msg
    try {
      msg = decodeWire(bytes)
    } catch (e) {
      msg = { undecodable: String(e) }
    }
    got.push({ msg, bytes, isBinary })
    traceFrame(scenario, `${label} <- server`, msg, bytes, isBinary)
  })
  ws.on("close", (code, reason) => (closed = { code, reason: reason.toString() }))
  await withTimeout(once(ws, "open"), 5000, `${label}: open`)
  return {
    ws,
    got,
    closed: () => closed,
    send(obj) {
      const bytes = encodeWire(obj)
      traceFrame(scenario, `${label} -> server`, obj, bytes, true)
      ws.send(bytes)
    },
  }
}

async function seedDoc(url) {
  // A real client stores a doc on the relay so that a request can be answered with sync.
  const adapter = new WebSocketClientAdapter(url)
  const repo = new Repo({ network: [adapter], peerId: IDS.seeder })
  await waitFor(() => repo.peers.length > 0, 5000, "B: seeder connected")
  const handle = repo.create({ seeded: true, title: "fixture" })
  let acked = false
  repo.synchronizer.on("sync-state", ({ documentId, syncState }) => {
    const ours = A.getHeads(handle.doc())
    if (documentId === handle.documentId && syncState.theirHeads && ours.every(h => syncState.theirHeads.includes(h)))
      acked = true
  })
  await waitFor(() => acked, 5000, "B: relay acked the seeded doc")
  await repo.shutdown()
  return handle
}

async function scenarioB() {
  log("scenario B: raw ws client -> real automerge-repo 2.5.6 server (ref-relay.mjs)")
  const dataDir = path.join(tmpRoot, "relay-b")
  const { child, url } = await startRefRelay(dataDir, IDS.relay)
  try {
    const seeded = await seedDoc(url)

    const c = await rawClient(url, "B", IDS.rawClient)
    c.send({
      type: "join",
      senderId: IDS.rawClient,
      supportedProtocolVersions: ["1"],
      peerMetadata: { isEphemeral: true },
    })
    const peer = await waitFor(() => c.got.find(g => g.msg.type === "peer"), 5000, "B: peer")
    keep("peer.cbor", peer.bytes, "automerge-repo 2.5.6 server Repo (ref-relay.mjs, NodeFS storage)", `reply to a join from ${IDS.rawClient}`, peer.isBinary)

    const unknownId = generateAutomergeUrl().slice("automerge:".length)
    c.send({ type: "request", senderId: IDS.rawClient, targetId: IDS.relay, documentId: unknownId, data: emptyDocRequestData() })
    const unav = await waitFor(() => c.got.find(g => g.msg.type === "doc-unavailable"), 5000, "B: doc-unavailable")
    keep("doc-unavailable.cbor", unav.bytes, "automerge-repo 2.5.6 server Repo (ref-relay.mjs)", "reply to a request (empty-doc sync message) for a random unknown document", unav.isBinary)

    c.send({ type: "request", senderId: IDS.rawClient, targetId: IDS.relay, documentId: seeded.documentId, data: emptyDocRequestData() })
    const srvSync = await waitFor(
      () => c.got.find(g => g.msg.type === "sync" && g.msg.documentId === seeded.documentId),
      5000,
      "B: sync reply",
    )
    keep("sync-from-server.cbor", srvSync.bytes, "automerge-repo 2.5.6 server Repo (ref-relay.mjs)", "reply to a request (empty-doc sync message) for a document a real client stored on it", srvSync.isBinary)
    await sleep(300)
    const extra = c.got.filter(g => g.msg.type === "sync" && g.msg.documentId === seeded.documentId).length
    note(`B: server answered one request for a stored doc with ${extra} sync message(s) within 300 ms`)

    // Non-join message from an unbound socket: the JS server drops it silently.
    const stray = await rawClient(url, "B", "stray")
    stray.send({ type: "request", senderId: "stray-peer", targetId: IDS.relay, documentId: unknownId, data: emptyDocRequestData() })
    await sleep(500)
    note(`B: a request before join -> server sent ${stray.got.length} frame(s), socket ${stray.closed() ? "closed " + JSON.stringify(stray.closed()) : "left open"}`)
    stray.ws.terminate()

    // Join without supportedProtocolVersions: the JS server treats it as "1".
    const nover = await rawClient(url, "B", "no-version")
    nover.send({ type: "join", senderId: "capture-raw-client-noversion" })
    await sleep(500)
    note(`B: join without supportedProtocolVersions -> server sent: ${nover.got.map(g => g.msg.type).join(",") || "nothing"}`)
    nover.ws.terminate()

    // Join offering only an unsupported version: error + close.
    const bad = await rawClient(url, "B", IDS.rawClientBadVersion)
    bad.send({ type: "join", senderId: IDS.rawClientBadVersion, supportedProtocolVersions: ["2"], peerMetadata: { isEphemeral: true } })
    const err = await waitFor(() => bad.got.find(g => g.msg.type === "error"), 5000, "B: error")
    keep("error.cbor", err.bytes, "automerge-repo 2.5.6 server Repo (ref-relay.mjs)", `reply to a join offering supportedProtocolVersions ["2"]`, err.isBinary)
    await waitFor(() => bad.closed(), 3000, "B: server closes after error").catch(() => {})
    note(`B: after the version error the server ${bad.closed() ? "closed the socket " + JSON.stringify(bad.closed()) : "did NOT close within 3 s"}; frames: ${bad.got.map(g => g.msg.type).join(",")}`)
    bad.ws.terminate()

    // Duplicate peer id: a second socket joining with the same senderId.
    const dup = await rawClient(url, "B", "dup")
    dup.send({ type: "join", senderId: IDS.rawClient, supportedProtocolVersions: ["1"], peerMetadata: { isEphemeral: true } })
    await waitFor(() => dup.got.length > 0, 3000, "B: dup peer").catch(() => {})
    await sleep(300)
    note(`B: second socket joining with an already-bound senderId -> new socket got ${dup.got.map(g => g.msg.type).join(",") || "nothing"}; old socket ${c.closed() ? "closed " + JSON.stringify(c.closed()) : "still open"}`)
    dup.ws.terminate()
    c.ws.terminate()
  } finally {
    await stopChild(child)
  }
}

// ---- scenario C: remote heads gossip through a recording proxy ---------------

async function scenarioC() {
  log("scenario C: remote-heads gossip between real 2.5.6 repos via a recording proxy")
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(server, "listening")
  const S = new Repo({
    network: [new NodeWSServerAdapter(server)],
    storage: new NodeFSStorageAdapter(path.join(tmpRoot, "gossip-server")),
    peerId: IDS.gossipServer,
    enableRemoteHeadsGossiping: true,
  })
  const upstream = `ws://127.0.0.1:${server.address().port}`
  // the adapter attaches its connection handler only after the storage id is known
  await waitFor(() => server.listenerCount("connection") > 0, 5000, "C: server adapter attached")

  const proxy = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(proxy, "listening")
  const seen = [] // {from, to, msg, bytes, isBinary}
  proxy.on("connection", down => {
    const up = new WebSocket(upstream)
    const queue = []
    let label = "?"
    down.on("message", (data, isBinary) => {
      const bytes = new Uint8Array(data)
      const msg = decodeWire(bytes)
      if (msg.type === "join") label = msg.senderId
      seen.push({ from: label, to: "server", msg, bytes, isBinary })
      traceFrame("C", `${label} -> ${IDS.gossipServer}`, msg, bytes, isBinary)
      if (up.readyState === WebSocket.OPEN) up.send(data, { binary: isBinary })
      else queue.push([data, isBinary])
    })
    up.on("open", () => {
      for (const [d, b] of queue) up.send(d, { binary: b })
      queue.length = 0
    })
    up.on("message", (data, isBinary) => {
      const bytes = new Uint8Array(data)
      const msg = decodeWire(bytes)
      seen.push({ from: "server", to: label, msg, bytes, isBinary })
      traceFrame("C", `${IDS.gossipServer} -> ${label}`, msg, bytes, isBinary)
      if (down.readyState === WebSocket.OPEN) down.send(data, { binary: isBinary })
    })
    up.on("close", () => down.close())
    down.on("close", () => up.close())
    up.on("error", () => down.terminate())
    down.on("error", () => up.terminate())
  })
  const proxyUrl = `ws://127.0.0.1:${proxy.address().port}/sync`

  const C = new Repo({
    network: [new WebSocketClientAdapter(proxyUrl)],
    storage: new NodeFSStorageAdapter(path.join(tmpRoot, "gossip-writer")),
    peerId: IDS.gossipWriter,
    enableRemoteHeadsGossiping: true,
  })
  const D = new Repo({
    network: [new WebSocketClientAdapter(proxyUrl)],
    peerId: IDS.gossipWatcher,
    enableRemoteHeadsGossiping: true,
  })
  await waitFor(() => C.peers.length > 0 && D.peers.length > 0, 5000, "C: clients connected")
  const writerStorageId = await C.storageId()
  log(`C: writer storageId ${writerStorageId}`)

  const h = C.create({ title: "gossip" })
  await waitFor(() => S.handles[h.documentId]?.isReady(), 5000, "C: server has the doc")

  const withChanges = seen.find(
    s => s.from === IDS.gossipWriter && s.msg.type === "sync" && A.decodeSyncMessage(s.msg.data).changes.length > 0,
  )
  if (withChanges)
    keep("sync-with-changes.cbor", withChanges.bytes, "automerge-repo 2.5.6 client Repo (NodeFS storage)", "repo.create({title:'gossip'}): the client's sync message that carries the changes (after the server's first reply)", withChanges.isBinary)

  D.subscribeToRemotes([writerStorageId])
  const rsc = await waitFor(
    () => seen.find(s => s.from === IDS.gossipWatcher && s.msg.type === "remote-subscription-change"),
    5000,
    "C: watcher sends remote-subscription-change",
  )
  keep("remote-subscription-change.cbor", rsc.bytes, "automerge-repo 2.5.6 client Repo with enableRemoteHeadsGossiping (no storage)", "repo.subscribeToRemotes([<writer storageId>])", rsc.isBinary)

  const dh = await withTimeout(D.find(h.url), 5000, "C: watcher finds doc")
  h.change(d => {
    d.title = "gossip 2"
  })
  const rhc = await waitFor(
    () => seen.find(s => s.to === IDS.gossipWatcher && s.msg.type === "remote-heads-changed"),
    5000,
    "C: server sends remote-heads-changed to the watcher",
  )
  keep("remote-heads-changed.cbor", rhc.bytes, "automerge-repo 2.5.6 server Repo with enableRemoteHeadsGossiping (NodeFS)", "the writer (storageId subscribed by the watcher) synced the doc; sent to the watcher", rhc.isBinary)

  const srvRsc = seen.find(s => s.from === "server" && s.msg.type === "remote-subscription-change")
  if (srvRsc)
    keep("remote-subscription-change-from-server.cbor", srvRsc.bytes, "automerge-repo 2.5.6 server Repo with enableRemoteHeadsGossiping", "server propagating the watcher's subscription to its generous peers", srvRsc.isBinary)
  void dh
  await sleep(300)
  const kinds = {}
  for (const s of seen) {
    const k = `${s.from}->${s.to}:${s.msg.type}`
    kinds[k] = (kinds[k] ?? 0) + 1
  }
  note(`C: frames through the proxy: ${Object.entries(kinds).map(([k, n]) => `${k} x${n}`).join("; ")}`)

  await C.shutdown()
  await D.shutdown()
  await S.shutdown()
  for (const c of proxy.clients) c.terminate()
  proxy.close()
  for (const c of server.clients) c.terminate()
  server.close()
}

// ---- scenario D: automerge-repo 1.x client sends leave ----------------------

async function scenarioD() {
  const v1Dir = path.join(HERE, "legacy-v1", "node_modules", "@automerge")
  const wsPkg = path.join(v1Dir, "automerge-repo-network-websocket", "dist", "index.js")
  const repoPkg = path.join(v1Dir, "automerge-repo", "dist", "index.js")
  if (!fs.existsSync(wsPkg) || !fs.existsSync(repoPkg)) {
    note("D: skipped (run `npm ci` in tests/js/legacy-v1 to capture a real 1.x `leave`)")
    return false
  }
  log("scenario D: raw ws server <- real automerge-repo 1.2.1 client")
  const v1ws = await import(pathToFileURL(wsPkg).href)
  const v1repo = await import(pathToFileURL(repoPkg).href)
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await once(wss, "listening")
  const url = `ws://127.0.0.1:${wss.address().port}/sync`
  const got = []
  wss.on("connection", ws => {
    ws.on("message", (data, isBinary) => {
      const bytes = new Uint8Array(data)
      const msg = decodeWire(bytes)
      got.push({ msg, bytes, isBinary })
      traceFrame("D", "v1-client -> raw-server", msg, bytes, isBinary)
      if (msg.type === "join")
        ws.send(encodeWire({ type: "peer", senderId: IDS.rawServer, targetId: msg.senderId, selectedProtocolVersion: "1", peerMetadata: { isEphemeral: true } }))
    })
  })
  const adapter = new v1ws.BrowserWebSocketClientAdapter(url)
  const repo = new v1repo.Repo({ network: [adapter], peerId: IDS.v1Client })
  await waitFor(() => repo.peers.length > 0, 5000, "D: v1 client connected")
  const join = got.find(g => g.msg.type === "join")
  keep("join-v1.cbor", join.bytes, "automerge-repo 1.2.1 client Repo (BrowserWebSocketClientAdapter, no storage)", "first frame after connecting", join.isBinary)
  adapter.disconnect() // 1.x: sends leave, does not close the socket
  const leave = await waitFor(() => got.find(g => g.msg.type === "leave"), 5000, "D: leave")
  keep("leave.cbor", leave.bytes, "automerge-repo 1.2.1 client network adapter", "adapter.disconnect()", leave.isBinary)
  await sleep(200)
  note("D: automerge-repo 1.2.1 adapter.disconnect() sends `leave` but leaves the socket open and keeps its retry timer")
  adapter.socket?.terminate?.()
  for (const c of wss.clients) c.terminate()
  wss.close()
  return true
}

// ---- README / manifest -------------------------------------------------------

function summarize(msg) {
  const s = {}
  for (const k of ["type", "senderId", "targetId", "documentId", "sessionId", "count", "selectedProtocolVersion", "message"]) {
    if (msg[k] !== undefined) s[k] = msg[k]
  }
  if (msg.data instanceof Uint8Array) s.dataLength = msg.data.byteLength
  return s
}

// An entry of a sync message's `changes` is an automerge storage chunk:
// magic 85 6f 4a 83, 4-byte checksum, chunk type (0 document, 1 change,
// 2 deflated change), LEB128 length, payload.
function describeChunk(c) {
  const kinds = { 0: "document", 1: "change", 2: "compressed change" }
  const out = { length: c.byteLength, magic: toHex(c.subarray(0, 4)), chunkType: kinds[c[8]] ?? `unknown ${c[8]}` }
  if (c[8] === 1 || c[8] === 2) {
    const d = A.decodeChange(c)
    Object.assign(out, { hash: d.hash, actor: d.actor, seq: d.seq, startOp: d.startOp, deps: d.deps, ops: d.ops.length })
  } else if (c[8] === 0) {
    const doc = A.load(c)
    Object.assign(out, { heads: A.getHeads(doc), content: A.toJS(doc) })
  }
  return out
}

function decodeInner(msg) {
  const extra = {}
  if ((msg.type === "sync" || msg.type === "request") && msg.data instanceof Uint8Array) {
    const sm = A.decodeSyncMessage(msg.data)
    extra.syncMessage = {
      firstByte: `0x${msg.data[0].toString(16)}`,
      heads: sm.heads,
      need: sm.need,
      have: sm.have.map(h => ({ lastSync: h.lastSync, bloomLength: h.bloom.byteLength })),
      changes: sm.changes.map(describeChunk),
    }
  }
  if (msg.type === "ephemeral" && msg.data instanceof Uint8Array) {
    extra.ephemeralPayload = cborDecode(msg.data)
  }
  return extra
}

function writeOutputs(vInfo) {
  fs.mkdirSync(OUT, { recursive: true })
  for (const f of fs.readdirSync(OUT)) {
    if (f.endsWith(".cbor")) fs.unlinkSync(path.join(OUT, f))
  }
  const manifest = {}
  const order = [
    "join.cbor", "peer.cbor", "request.cbor", "sync.cbor", "sync-with-changes.cbor", "sync-from-server.cbor", "doc-unavailable.cbor",
    "ephemeral.cbor", "error.cbor", "remote-subscription-change.cbor", "remote-subscription-change-from-server.cbor",
    "remote-heads-changed.cbor", "join-v1.cbor", "leave.cbor",
  ]
  const names = [...fixtures.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b))
  let md = ""
  md += "# Wire fixtures captured from real automerge-repo peers\n\n"
  md += "Generated by `tests/js/capture.mjs` (run `npm ci && node capture.mjs` in `tests/js`; for `join-v1.cbor` and\n"
  md += "`leave.cbor` also run `npm ci` in `tests/js/legacy-v1` first). Do not edit by hand;\n"
  md += "re-running the capture rewrites every file here, and document ids, change hashes, timestamps and\n"
  md += "session ids change on each run (peer ids are fixed), so this README and `manifest.json` are regenerated\n"
  md += "together with the `.cbor` files.\n\n"
  md += "Each `.cbor` file is the exact payload of ONE binary websocket message: a single definite-length\n"
  md += "CBOR map with text keys; byte fields are untagged CBOR byte strings (major type 2).\n\n"
  const allLines = names.map(n => describe(walk(fixtures.get(n).bytes)).join("\n")).join("\n")
  const encNotes = []
  if (/map\(\d+\) \(2-byte argument, NON-MINIMAL/.test(allLines))
    encNotes.push("cbor-x writes every **map** header as `0xb9` + a 2-byte length (e.g. `b9 00 04` for a 4-entry map) instead of the minimal `0xa4`: a Rust decoder must accept non-minimal (non-canonical) length encodings. Arrays, strings and integers are minimal.")
  if (/float64/.test(allLines))
    encNotes.push("Integers that do not fit in 32 bits (the millisecond `timestamp` in `remote-heads-changed`) are written as **float64** (`0xfb`), not as uint64; small integers (`count`) are minimal uints.")
  if (/undefined \(simple 23/.test(allLines))
    encNotes.push("JavaScript `undefined` is written as CBOR simple value 23 (`0xf7`), with the key present (e.g. `peerMetadata.storageId` of a peer without storage, `remove` in a client's `remote-subscription-change`). Treat it like an absent key.")
  const idLens = [...new Set(names.map(n => decodeWire(fixtures.get(n).bytes).documentId).filter(Boolean).map(d => d.length))].sort()
  encNotes.push(`\`documentId\` is the bs58check text form; its length is not fixed (${idLens.join(" and ")} characters in this capture). Heads in \`remote-heads-changed\` are bs58check text of 32-byte change hashes, not hex.`)
  encNotes.push("Key order differs per message and per sender (the network subsystem adds `senderId` last for repo messages), so decoders must not depend on it.")
  if (encNotes.length) md += "Encoding details seen in these captures:\n\n" + encNotes.map(n => `- ${n}`).join("\n") + "\n\n"
  md += `Versions: ${vInfo}.\n\n`
  md += "`manifest.json` has, per file, the decoded message (bytes as `{\"$bytes\": hex, \"len\": n}`, CBOR\n"
  md += "undefined as `{\"$undefined\": true}`) and the summary fields below, for use by the Rust tests.\n\n"
  md += "| file | bytes | type | producer | senderId | targetId | documentId | data len |\n|---|---|---|---|---|---|---|---|\n"
  for (const name of names) {
    const f = fixtures.get(name)
    const msg = decodeWire(f.bytes)
    md += `| \`${name}\` | ${f.bytes.byteLength} | \`${msg.type}\` | ${f.producer} | \`${msg.senderId ?? "-"}\` | \`${msg.targetId ?? "-"}\` | \`${msg.documentId ?? "-"}\` | ${msg.data instanceof Uint8Array ? msg.data.byteLength : "-"} |\n`
  }
  md += "\n"
  for (const name of names) {
    const f = fixtures.get(name)
    fs.writeFileSync(path.join(OUT, name), f.bytes)
    const msg = decodeWire(f.bytes)
    const structure = describe(walk(f.bytes))
    const inner = decodeInner(msg)
    manifest[name] = {
      producer: f.producer,
      how: f.how,
      websocketFrame: f.binary ? "binary" : "text",
      length: f.bytes.byteLength,
      sha256: null,
      summary: summarize(msg),
      decoded: jsonable(msg),
      ...inner,
    }
    md += `## \`${name}\`\n\n`
    md += `- producer: ${f.producer}\n- how: ${f.how}\n- websocket frame: ${f.binary ? "binary" : "TEXT"}, ${f.bytes.byteLength} bytes\n`
    const s = summarize(msg)
    for (const [k, v] of Object.entries(s)) md += `- ${k}: \`${typeof v === "string" ? v : JSON.stringify(v)}\`\n`
    md += "\nDecoded (cbor-x; bytes shown as hex):\n\n```json\n" + JSON.stringify(jsonable(msg), null, 2) + "\n```\n\n"
    if (Object.keys(inner).length) {
      md += "Inner payload:\n\n```json\n" + JSON.stringify(inner, null, 2) + "\n```\n\n"
    }
    md += "CBOR encoding (in wire order):\n\n```\n" + structure.join("\n") + "\n```\n\n"
    md += "Raw bytes (hex):\n\n```\n" + toHex(f.bytes).replace(/(.{64})/g, "$1\n").trim() + "\n```\n\n"
  }
  const skipped = ["join.cbor", "peer.cbor", "request.cbor", "sync.cbor", "doc-unavailable.cbor", "ephemeral.cbor", "error.cbor", "leave.cbor", "remote-subscription-change.cbor", "remote-heads-changed.cbor"].filter(n => !fixtures.has(n))
  if (skipped.length) md += `## Not captured\n\n${skipped.map(s => `- \`${s}\``).join("\n")}\n\n`
  md += "## Observations made during the capture\n\n" + observations.map(o => `- ${o}`).join("\n") + "\n"
  for (const [name, entry] of Object.entries(manifest)) {
    entry.sha256 = createHashHex(fixtures.get(name).bytes)
  }
  fs.writeFileSync(path.join(OUT, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n")
  fs.writeFileSync(path.join(OUT, "README.md"), md)
}

import { createHash } from "node:crypto"
function createHashHex(bytes) {
  return createHash("sha256").update(bytes).digest("hex")
}

function versions() {
  const read = p => JSON.parse(fs.readFileSync(p, "utf8")).version
  const nm = path.join(HERE, "node_modules")
  const v = [
    `@automerge/automerge-repo ${read(path.join(nm, "@automerge/automerge-repo/package.json"))}`,
    `@automerge/automerge-repo-network-websocket ${read(path.join(nm, "@automerge/automerge-repo-network-websocket/package.json"))}`,
    `@automerge/automerge ${read(path.join(nm, "@automerge/automerge/package.json"))}`,
    `cbor-x ${read(path.join(nm, "cbor-x/package.json"))}`,
    `node ${process.version}`,
  ]
  const v1 = path.join(HERE, "legacy-v1/node_modules/@automerge/automerge-repo/package.json")
  if (fs.existsSync(v1)) v.push(`legacy: @automerge/automerge-repo ${read(v1)} (join-v1.cbor, leave.cbor)`)
  return v.join(", ")
}

// ---- main ------------------------------------------------------------------

try {
  await scenarioA()
  await scenarioB()
  await scenarioC()
  await scenarioD()
  writeOutputs(versions())
  log(`wrote ${fixtures.size} fixtures to ${OUT}`)
  for (const t of trace) log(`trace ${t.scenario} ${t.direction} ${t.type} ${t.bytes}B ${t.binary ? "bin" : "TEXT"} keys=${t.keys.join(",")}`)
  fs.rmSync(tmpRoot, { recursive: true, force: true })
  clearTimeout(hardStop)
  killChildren()
  process.exit(0)
} catch (e) {
  console.error(`capture.mjs: failed: ${e?.stack ?? e}`)
  killChildren()
  fs.rmSync(tmpRoot, { recursive: true, force: true })
  process.exit(1)
}
