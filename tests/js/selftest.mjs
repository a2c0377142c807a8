#!/usr/bin/env node
// End-to-end check of peer.mjs against a relay, each peer in its own process.
//
//   node selftest.mjs                 spawn ref-relay.mjs (temp dir, free port) and test against it,
//                                     including a relay restart (documents must survive on disk)
//   node selftest.mjs --url=WSURL     test against an already running relay (e.g. linli), no restart
//
// Exits 0 when every check passed, 1 otherwise. Hard limit: 120 s.

import { spawn } from "node:child_process"
import { once } from "node:events"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { createInterface } from "node:readline"
import { generateAutomergeUrl } from "@automerge/automerge-repo"
import { assertLocalWsUrl } from "./lib.mjs"

const HERE = path.dirname(fileURLToPath(import.meta.url))
let externalUrl
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--url=")) externalUrl = assertLocalWsUrl(a.slice("--url=".length))
  else {
    console.error("usage: node selftest.mjs [--url=ws://127.0.0.1:PORT/sync]")
    process.exit(1)
  }
}

let relay
const hardStop = setTimeout(() => {
  console.error("selftest: hard timeout (120 s)")
  if (relay && relay.exitCode === null) relay.kill("SIGTERM")
  process.exit(1)
}, 120_000)

function run(args) {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [path.join(HERE, "peer.mjs"), ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", d => (stdout += d))
    child.stderr.on("data", d => (stderr += d))
    const started = Date.now()
    child.on("exit", code => resolve({ code, stdout, stderr, ms: Date.now() - started }))
  })
}

async function startRelay(dir) {
  const child = spawn(process.execPath, [path.join(HERE, "ref-relay.mjs"), "0", dir, "--lifetime=120"], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve)
    child.once("exit", c => reject(new Error(`ref-relay exited (${c})`)))
  })
  const m = /^listening on (ws:\/\/127\.0\.0\.1:\d+\/sync)$/.exec(line)
  if (!m) throw new Error(`unexpected ref-relay line: ${line}`)
  return { child, url: m[1] }
}

async function stopRelay(child) {
  if (child.exitCode !== null) return
  child.kill("SIGTERM")
  await once(child, "exit")
}

let failures = 0
function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`)
  if (!ok) failures++
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "linli-selftest-"))
try {
  let url = externalUrl
  const dir = path.join(tmp, "relay")
  if (!url) {
    const r = await startRelay(dir)
    relay = r.child
    url = r.url
  }
  console.log(`relay: ${url}`)

  const created = await run(["create", url, '{"hello":"world","n":1}'])
  const docUrl = created.stdout.trim().split("\n").pop()
  check("create exits 0 and prints an automerge URL", created.code === 0 && /^automerge:\w+$/.test(docUrl), `exit ${created.code}, ${created.ms} ms, ${docUrl}`)
  if (created.code !== 0) console.error(created.stderr)

  const found = await run(["find", url, docUrl])
  check("find (another process) returns the content", found.code === 0 && found.stdout.trim() === '{"hello":"world","n":1}', `exit ${found.code}, ${found.ms} ms, ${found.stdout.trim()}`)

  const changed = await run(["change", url, docUrl, "n", '{"nested":[1,2,3]}'])
  check("change exits 0", changed.code === 0, `exit ${changed.code}, ${changed.ms} ms`)

  const found2 = await run(["find", url, docUrl])
  check("find sees the change", found2.code === 0 && found2.stdout.trim() === '{"hello":"world","n":{"nested":[1,2,3]}}', found2.stdout.trim())

  const unknown = await run(["find", url, generateAutomergeUrl()])
  check("find of an unknown document exits 3 with 'unavailable'", unknown.code === 3 && /unavailable/.test(unknown.stderr), `exit ${unknown.code}, ${unknown.ms} ms`)

  if (!externalUrl) {
    await stopRelay(relay)
    const r = await startRelay(dir)
    relay = r.child
    const afterRestart = await run(["find", r.url, docUrl])
    check("document survives a relay restart (NodeFS storage)", afterRestart.code === 0 && afterRestart.stdout.trim() === '{"hello":"world","n":{"nested":[1,2,3]}}', afterRestart.stdout.trim())
    await stopRelay(relay)
    const down = await run(["find", r.url, docUrl, "--timeout=2000"])
    check("find with the relay down exits 2 (timeout), not 3", down.code === 2, `exit ${down.code}, ${down.ms} ms`)
  }
} catch (e) {
  check(`unexpected error: ${e?.stack ?? e}`, false)
} finally {
  if (relay && relay.exitCode === null) await stopRelay(relay)
  fs.rmSync(tmp, { recursive: true, force: true })
}

clearTimeout(hardStop)
console.log(failures ? `${failures} check(s) failed` : "all checks passed")
process.exit(failures ? 1 : 0)
