// The dedicated worker that owns the Rust device (web/client), the socket to
// the relay and IndexedDB. It only drives: every decision about documents,
// sync and what counts as saved is made by the wasm. Each call's effects are
// carried out in order — store, wait for IndexedDB to commit, then send —
// and calls are queued so no frame overtakes an earlier call's store.

import init, { WebDevice, newDeviceKey } from "../wasm/linli_web_client.js";
import wasmUrl from "../wasm/linli_web_client_bg.wasm?url";
import type { Reply, Request, Session } from "../api";
import * as store from "./store";

interface Effects {
  store: { doc: string; chunk: Uint8Array }[];
  confirmed: { doc: string; heads: string[] }[];
  frames: Uint8Array[];
  changed: boolean;
  problems: string[];
}

/** Documents with more stored chunks than this are compacted at start. */
const COMPACT_AFTER = 32;

let db: IDBDatabase | null = null;
let device: WebDevice | null = null;
let session: Session | null = null;
let socket: WebSocket | null = null;
let online = true;
let retry = 1000;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `job` after every earlier job. */
function serial<T>(job: () => Promise<T> | T): Promise<T> {
  const next = queue.then(job);
  queue = next.catch(() => undefined);
  return next;
}

function post(reply: Reply): void {
  (self as unknown as Worker).postMessage(reply);
}

async function apply(effects: Effects): Promise<void> {
  if (db) await store.write(db, effects.store, effects.confirmed);
  for (const frame of effects.frames) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
  }
  for (const p of effects.problems) console.warn("linli:", p);
  if (effects.changed || effects.store.length > 0) post({ kind: "changed" });
}

async function start(): Promise<void> {
  await init({ module_or_path: wasmUrl });
  db = await store.open();
  session = (await store.getMeta<Session>(db, "session")) ?? null;
  if (session) await openDevice(session);
}

async function openDevice(s: Session): Promise<void> {
  if (!db) return;
  let key = await store.getMeta<string>(db, "deviceKey");
  if (!key) {
    key = newDeviceKey();
    await store.setMeta(db, "deviceKey", key);
  }
  const d = new WebDevice(key, s.person, s.directory);
  const loaded = await store.loadAll(db);
  const counts = new Map<string, number>();
  for (const { doc, chunk } of loaded.chunks) {
    d.loadChunk(doc, chunk);
    counts.set(doc, (counts.get(doc) ?? 0) + 1);
  }
  for (const { doc, heads } of loaded.confirmed) d.loadConfirmed(doc, heads);
  for (const [doc, n] of counts) {
    const snapshot = n > COMPACT_AFTER ? d.snapshot(doc) : undefined;
    if (snapshot) await store.compact(db, doc, snapshot);
  }
  device = d;
  await apply(d.discover() as Effects);
  connect();
}

function connect(): void {
  if (!device || !session || !online || socket) return;
  if (retryTimer) {
    clearTimeout(retryTimer);
    retryTimer = null;
  }
  const scheme = self.location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(
    `${scheme}://${self.location.host}/sync?token=${encodeURIComponent(session.token)}`,
  );
  ws.binaryType = "arraybuffer";
  socket = ws;
  ws.onopen = () => {
    retry = 1000;
    if (device) ws.send(device.join());
  };
  ws.onmessage = (event) => {
    if (!(event.data instanceof ArrayBuffer)) return;
    const frame = new Uint8Array(event.data);
    void serial(async () => {
      if (!device || socket !== ws) return;
      try {
        await apply(device.receive(frame) as Effects);
      } catch (e) {
        console.warn("linli: closing after", e);
        ws.close();
      }
    });
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    void serial(() => {
      device?.disconnected();
      post({ kind: "changed" });
    });
    if (online) {
      retryTimer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    }
  };
}

function disconnect(): void {
  const ws = socket;
  socket = null;
  ws?.close();
  void serial(() => {
    device?.disconnected();
    post({ kind: "changed" });
  });
}

async function handle(req: Request): Promise<unknown> {
  switch (req.method) {
    case "signIn": {
      const [s] = req.args;
      if (!db) throw new Error("storage is not open");
      await store.setMeta(db, "session", s);
      session = s;
      disconnect();
      await openDevice(s);
      return null;
    }
    case "status": {
      if (!device) {
        return { pending: 0, oldest_ms: null, connected: false, has_directory: false, signed_in: !!session };
      }
      return { ...JSON.parse(device.status()), signed_in: true };
    }
    case "buildings":
      return device ? JSON.parse(device.buildings()) : [];
    case "households":
      return device ? JSON.parse(device.households(req.args[0], req.args[1])) : [];
    case "household":
      return device ? JSON.parse(device.household(req.args[0])) : null;
    case "logVisit": {
      if (!device) throw new Error("not signed in");
      await apply(device.logVisit(req.args[0], req.args[1], Date.now()) as Effects);
      return null;
    }
    case "setOnline": {
      online = req.args[0];
      if (online) connect();
      else disconnect();
      return null;
    }
  }
}

const ready = start();

self.onmessage = (event: MessageEvent<Request & { id: number }>) => {
  const { id } = event.data;
  ready
    .then(() => serial(() => handle(event.data)))
    .then(
      (value) => post({ kind: "answer", id, value }),
      (e: unknown) => post({ kind: "answer", id, error: e instanceof Error ? e.message : String(e) }),
    );
};
