// Small helpers shared by the linli JS interop scripts.
import { Encoder, decode } from "cbor-x"

/** Only ever talk to the local machine. Throws on any other host. */
export function assertLocalWsUrl(raw) {
  let url
  try {
    url = new URL(raw)
  } catch {
    throw new Error(`not a URL: ${raw}`)
  }
  if (url.protocol !== "ws:") {
    throw new Error(`only ws:// URLs are allowed, got ${url.protocol}`)
  }
  if (url.hostname !== "127.0.0.1") {
    throw new Error(`only 127.0.0.1 is allowed, got host ${url.hostname}`)
  }
  return url.toString()
}

/** Encoder configured the way automerge-repo 2.5.6 encodes wire messages. */
const wireEncoder = new Encoder({ tagUint8Array: false, useRecords: false })

export function encodeWire(obj) {
  return wireEncoder.encode(obj)
}

export function decodeWire(bytes) {
  return decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
}

export function toHex(bytes) {
  return Buffer.from(bytes).toString("hex")
}

/**
 * Turn a decoded CBOR value into something JSON can show: byte strings become
 * {"$bytes": "<hex>", "len": n}, undefined becomes {"$undefined": true}.
 */
export function jsonable(value) {
  if (value === undefined) return { $undefined: true }
  if (value instanceof Uint8Array) {
    return { $bytes: toHex(value), len: value.byteLength }
  }
  if (Array.isArray(value)) return value.map(jsonable)
  if (value instanceof Map) {
    const out = {}
    for (const [k, v] of value) out[String(k)] = jsonable(v)
    return out
  }
  if (value && typeof value === "object") {
    const out = {}
    for (const [k, v] of Object.entries(value)) out[k] = jsonable(v)
    return out
  }
  return value
}

export function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Reject after ms with an Error carrying `what`. The timer does not keep node alive. */
export function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms: ${what}`)), ms)
    timer.unref?.()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export class TimeoutError extends Error {}
