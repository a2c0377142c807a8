#!/usr/bin/env node
// Reference relay: a real automerge-repo 2.5.6 "sync server" (WebSocket server
// adapter + NodeFS storage, sharePolicy false), listening on 127.0.0.1 only and
// upgrading websockets on path /sync.
//
//   node ref-relay.mjs <port> <data-dir> [--lifetime=SECONDS] [--peer-id=ID]
//
// Port 0 picks a free port. When ready it prints exactly one stdout line:
//   listening on ws://127.0.0.1:PORT/sync
// It exits on SIGINT/SIGTERM, and by itself after --lifetime seconds
// (default 600; 0 = no limit) so that a forgotten relay does not linger.

import http from "node:http"
import fs from "node:fs"
import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

function usage(msg) {
  if (msg) console.error(`ref-relay.mjs: ${msg}`)
  console.error("usage: node ref-relay.mjs <port> <data-dir> [--lifetime=SECONDS] [--peer-id=ID]")
  process.exit(1)
}

let lifetime = 600
let peerId = "ref-relay"
const args = []
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--lifetime=")) lifetime = Number(a.slice("--lifetime=".length))
  else if (a.startsWith("--peer-id=")) peerId = a.slice("--peer-id=".length)
  else if (a.startsWith("--")) usage(`unknown option ${a}`)
  else args.push(a)
}
const [portArg, dataDir] = args
const port = Number(portArg)
if (!Number.isInteger(port) || port < 0 || port > 65535) usage("bad port")
if (!dataDir) usage("missing data dir")
if (!Number.isFinite(lifetime) || lifetime < 0) usage("bad --lifetime")

fs.mkdirSync(dataDir, { recursive: true })

const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain" })
  res.end("linli reference relay (automerge-repo 2.5.6)\n")
})
const wss = new WebSocketServer({ noServer: true })
server.on("upgrade", (req, socket, head) => {
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname
  if (path !== "/sync") {
    socket.write("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n")
    socket.destroy()
    return
  }
  wss.handleUpgrade(req, socket, head, ws => wss.emit("connection", ws, req))
})

const repo = new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dataDir),
  peerId,
  sharePolicy: async () => false,
})

let stopping = false
async function stop(code, why) {
  if (stopping) return
  stopping = true
  console.error(`ref-relay.mjs: stopping (${why})`)
  const force = setTimeout(() => process.exit(code), 2000)
  force.unref()
  try {
    // flush() throws on handles that never became ready (e.g. unavailable docs)
    const ready = Object.values(repo.handles)
      .filter(h => h.isReady())
      .map(h => h.documentId)
    await repo.flush(ready)
  } catch (e) {
    console.error(`ref-relay.mjs: flush failed: ${e}`)
  }
  for (const client of wss.clients) client.terminate()
  wss.close()
  server.close()
  process.exit(code)
}

process.on("SIGINT", () => stop(0, "SIGINT"))
process.on("SIGTERM", () => stop(0, "SIGTERM"))
if (lifetime > 0) {
  setTimeout(() => stop(0, `lifetime of ${lifetime} s reached`), lifetime * 1000).unref()
}

server.on("error", err => {
  console.error(`ref-relay.mjs: ${err.message}`)
  process.exit(1)
})
// The server adapter only installs its "connection" handler once the repo has
// resolved its own peer metadata (which needs the storage id from disk). A
// socket accepted before that gets no message handler and its join is lost, so
// do not listen (and do not announce readiness) until the handler is there.
const deadline = Date.now() + 10000
while (wss.listenerCount("connection") === 0) {
  if (Date.now() > deadline) {
    console.error("ref-relay.mjs: network adapter did not attach within 10 s")
    process.exit(1)
  }
  await new Promise(resolve => setTimeout(resolve, 5))
}

server.listen(port, "127.0.0.1", () => {
  const actual = server.address().port
  console.log(`listening on ws://127.0.0.1:${actual}/sync`)
})
