#!/usr/bin/env node
// A real automerge-repo 2.5.6 client peer, driven from the command line.
//
//   node peer.mjs create <wsurl> '<json>'                 -> prints the automerge URL (last stdout line)
//   node peer.mjs find   <wsurl> <automerge-url>          -> prints the document as JSON
//   node peer.mjs change <wsurl> <automerge-url> <key> '<json>'
//
// Options (anywhere on the command line):
//   --timeout=MS    total time budget, default 30000
//   --no-verify     create/change: skip the check through a second, fresh Repo
//   --peer-id=ID    peer id to use (default: automerge-repo's random "peer-...")
//
// Exit codes: 0 ok, 1 usage or other error, 2 timeout / no connection,
// 3 the repo reported the document unavailable ("unavailable" on stderr).
//
// The Repo has no storage, so it joins with peerMetadata
// {storageId: undefined, isEphemeral: true}. Only ws://127.0.0.1 URLs are accepted.

import { Repo, isValidAutomergeUrl } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import * as A from "@automerge/automerge"
import { assertLocalWsUrl, sleep, withTimeout, TimeoutError } from "./lib.mjs"

const EXIT_ERROR = 1
const EXIT_TIMEOUT = 2
const EXIT_UNAVAILABLE = 3

function usage(msg) {
  if (msg) console.error(`peer.mjs: ${msg}`)
  console.error(
    "usage:\n" +
      "  node peer.mjs create <wsurl> '<json object>'\n" +
      "  node peer.mjs find <wsurl> <automerge-url>\n" +
      "  node peer.mjs change <wsurl> <automerge-url> <key> '<json>'\n" +
      "options: --timeout=MS (default 30000) --no-verify --peer-id=ID",
  )
  process.exit(EXIT_ERROR)
}

// ---- argument parsing -------------------------------------------------------

const opts = { timeout: 30000, verify: true, peerId: undefined }
const args = []
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--timeout=")) opts.timeout = Number(a.slice("--timeout=".length))
  else if (a === "--no-verify") opts.verify = false
  else if (a.startsWith("--peer-id=")) opts.peerId = a.slice("--peer-id=".length)
  else if (a.startsWith("--")) usage(`unknown option ${a}`)
  else args.push(a)
}
if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) usage("bad --timeout")

const [cmd, rawUrl, ...rest] = args
if (!cmd || !rawUrl) usage()
let wsUrl
try {
  wsUrl = assertLocalWsUrl(rawUrl)
} catch (e) {
  usage(e.message)
}

function parseJson(text, what) {
  try {
    return JSON.parse(text)
  } catch (e) {
    usage(`${what} is not valid JSON: ${e.message}`)
  }
}

function parseDocUrl(text) {
  if (!isValidAutomergeUrl(text)) usage(`not a valid automerge URL: ${text}`)
  return text
}

// ---- time budget ------------------------------------------------------------

const started = Date.now()
const remaining = () => Math.max(1, opts.timeout - (Date.now() - started))
// Hard stop: whatever happens, this process ends within the budget (+1 s grace).
const hardStop = setTimeout(() => {
  console.error(`peer.mjs: timeout: gave up after ${opts.timeout} ms`)
  process.exit(EXIT_TIMEOUT)
}, opts.timeout + 1000)

process.on("uncaughtException", err => {
  console.error(`peer.mjs: uncaught exception: ${err?.stack ?? err}`)
  process.exit(EXIT_ERROR)
})
process.on("unhandledRejection", err => {
  console.error(`peer.mjs: unhandled rejection: ${err?.stack ?? err}`)
  process.exit(EXIT_ERROR)
})

// ---- repo helpers -----------------------------------------------------------

const openRepos = []

function newRepo(peerId) {
  const adapter = new WebSocketClientAdapter(wsUrl)
  const repo = new Repo({ network: [adapter], peerId })
  openRepos.push({ repo, adapter })
  return { repo, adapter }
}

/** Wait until the relay answered our join with `peer`. */
async function waitForPeer(repo) {
  await withTimeout(
    (async () => {
      while (repo.peers.length === 0) await sleep(20)
    })(),
    remaining(),
    `connecting to ${wsUrl} (no "peer" reply)`,
  )
  return repo.peers[0]
}

/**
 * Wait until some connected peer has told us (in a sync message) heads that
 * include all of our current heads, i.e. the relay has our changes. Returns
 * the heads that were acknowledged.
 */
async function waitForAck(repo, handle) {
  const theirHeadsByPeer = new Map()
  const onSyncState = ({ documentId, peerId, syncState }) => {
    if (documentId !== handle.documentId) return
    if (syncState.theirHeads) theirHeadsByPeer.set(peerId, syncState.theirHeads)
  }
  repo.synchronizer.on("sync-state", onSyncState)
  try {
    return await withTimeout(
      (async () => {
        for (;;) {
          const ours = A.getHeads(handle.doc())
          for (const peerId of repo.peers) {
            const theirs = theirHeadsByPeer.get(peerId)
            if (theirs && ours.length > 0 && ours.every(h => theirs.includes(h))) return ours
          }
          await sleep(20)
        }
      })(),
      remaining(),
      "waiting for the relay to acknowledge our heads",
    )
  } finally {
    repo.synchronizer.off("sync-state", onSyncState)
  }
}

/** Fetch the doc with a second, fresh Repo and check it contains `heads`. */
async function verifyThroughFreshRepo(url, heads) {
  for (;;) {
    const { repo } = newRepo(undefined)
    try {
      await waitForPeer(repo)
      const handle = await withTimeout(repo.find(url), remaining(), `verify: find ${url}`)
      if (A.hasHeads(handle.doc(), heads)) return
      console.error("peer.mjs: verify: fresh repo does not have our heads yet, retrying")
    } catch (e) {
      if (e instanceof TimeoutError) throw e
      console.error(`peer.mjs: verify: ${e.message}; retrying`)
    } finally {
      await closeRepo(repo)
    }
    await sleep(100)
  }
}

async function closeRepo(repo) {
  const entry = openRepos.find(r => r.repo === repo)
  const socket = entry?.adapter.socket
  try {
    await repo.shutdown()
  } catch {
    /* ignore */
  }
  // give the close frame a moment to go out
  if (socket && socket.readyState !== socket.CLOSED) {
    await new Promise(resolve => {
      const t = setTimeout(resolve, 300)
      socket.addEventListener?.("close", () => {
        clearTimeout(t)
        resolve()
      })
    })
  }
}

async function finish(code) {
  for (const { repo } of openRepos) await closeRepo(repo)
  clearTimeout(hardStop)
  process.exit(code)
}

function isUnavailable(err) {
  return /is unavailable/.test(err?.message ?? "")
}

// ---- commands ---------------------------------------------------------------

async function cmdCreate([json]) {
  if (json === undefined) usage("create needs '<json>'")
  const initial = parseJson(json, "initial value")
  if (initial === null || typeof initial !== "object" || Array.isArray(initial))
    usage("initial value must be a JSON object")
  const { repo } = newRepo(opts.peerId)
  const relay = await waitForPeer(repo)
  console.error(`peer.mjs: connected to ${relay} as ${repo.peerId}`)
  const handle = repo.create(initial)
  const heads = await waitForAck(repo, handle)
  console.error(`peer.mjs: relay acknowledged heads ${heads.join(",")}`)
  if (opts.verify) {
    await verifyThroughFreshRepo(handle.url, heads)
    console.error("peer.mjs: verified through a fresh repo")
  }
  console.log(handle.url)
}

async function cmdFind([docUrl]) {
  const url = parseDocUrl(docUrl)
  const { repo } = newRepo(opts.peerId)
  const relay = await waitForPeer(repo)
  console.error(`peer.mjs: connected to ${relay} as ${repo.peerId}`)
  const handle = await withTimeout(repo.find(url), remaining(), `find ${url}`)
  console.log(JSON.stringify(handle.doc()))
}

async function cmdChange([docUrl, key, json]) {
  const url = parseDocUrl(docUrl)
  if (key === undefined || json === undefined) usage("change needs <key> '<json>'")
  const value = parseJson(json, "value")
  const { repo } = newRepo(opts.peerId)
  const relay = await waitForPeer(repo)
  console.error(`peer.mjs: connected to ${relay} as ${repo.peerId}`)
  const handle = await withTimeout(repo.find(url), remaining(), `find ${url}`)
  handle.change(d => {
    d[key] = value
  })
  const heads = await waitForAck(repo, handle)
  console.error(`peer.mjs: relay acknowledged heads ${heads.join(",")}`)
  if (opts.verify) {
    await verifyThroughFreshRepo(url, heads)
    console.error("peer.mjs: verified through a fresh repo")
  }
}

const commands = { create: cmdCreate, find: cmdFind, change: cmdChange }
if (!commands[cmd]) usage(`unknown command ${cmd}`)

try {
  await commands[cmd](rest)
  await finish(0)
} catch (err) {
  if (isUnavailable(err)) {
    console.error(`peer.mjs: unavailable: ${err.message}`)
    await finish(EXIT_UNAVAILABLE)
  } else if (err instanceof TimeoutError) {
    console.error(`peer.mjs: timeout: ${err.message}`)
    await finish(EXIT_TIMEOUT)
  } else {
    console.error(`peer.mjs: error: ${err?.stack ?? err}`)
    await finish(EXIT_ERROR)
  }
}
