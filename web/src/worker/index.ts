// The dedicated worker that owns the Rust device (web/client), the socket to
// the relay and IndexedDB. It only drives: every decision about documents,
// sync and what counts as saved is made by the wasm. Each call's effects are
// carried out in order — store, wait for IndexedDB to commit, then send —
// and calls are queued so no frame overtakes an earlier call's store.

import init, { WebDevice, newDeviceKey } from "../wasm/linli_web_client.js";
import wasmUrl from "../wasm/linli_web_client_bg.wasm?url";
import type { Me, OfficeAnswer, OfficeCall, Reply, Request, Session } from "../api";
import * as store from "./store";

interface Effects {
  store: { doc: string; chunk: Uint8Array }[];
  confirmed: { doc: string; heads: string[] }[];
  frames: Uint8Array[];
  changed: boolean;
  problems: string[];
}

/** The relay's close code for a revoked token (see the relay's close codes). */
const CLOSE_REVOKED = 4403;

/** Documents with more stored chunks than this are compacted at start. */
const COMPACT_AFTER = 32;

let db: IDBDatabase | null = null;
let device: WebDevice | null = null;
let session: Session | null = null;
let me: Me | null = null;
let lastConfirmed: number | null = null;
let signedOut: string | null = null;
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

let lastNotice = 0;
let noticeTimer: ReturnType<typeof setTimeout> | null = null;

/** Tells the page that what it shows may be stale: at once when it has not
 * been told in the last 100 ms (a saved visit turns the status line at
 * once), otherwise once at the end of those 100 ms — a first sync brings
 * hundreds of messages, and each redraw asks the worker again. */
function changed(): void {
  if (noticeTimer) return;
  const wait = lastNotice + 100 - Date.now();
  const notify = () => {
    noticeTimer = null;
    lastNotice = Date.now();
    post({ kind: "changed" });
  };
  if (wait <= 0) notify();
  else noticeTimer = setTimeout(notify, wait);
}

async function apply(effects: Effects): Promise<void> {
  if (db) await store.write(db, effects.store, effects.confirmed);
  if (db && effects.confirmed.length > 0) {
    lastConfirmed = Date.now();
    await store.setMeta(db, "lastConfirmed", lastConfirmed);
  }
  for (const frame of effects.frames) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
  }
  for (const p of effects.problems) console.warn("linli:", p);
  if (effects.changed || effects.store.length > 0) changed();
}

/** Reads who is signed in: enough to answer the status line and the
 * office pages before the documents are loaded. */
async function readSession(): Promise<void> {
  await init({ module_or_path: wasmUrl });
  db = await store.open();
  session = (await store.getMeta<Session>(db, "session")) ?? null;
  me = (await store.getMeta<Me>(db, "me")) ?? null;
  lastConfirmed = (await store.getMeta<number>(db, "lastConfirmed")) ?? null;
  signedOut = (await store.getMeta<string>(db, "signedOut")) ?? null;
}

/** Chunks loaded between two breaks in `openDevice`, so the worker can
 * answer the status line and the office pages meanwhile (a street-admin's
 * PC may hold the whole street). */
const CHUNKS_PER_BREAK = 200;

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
  let sinceBreak = 0;
  for (const { doc, chunk } of loaded.chunks) {
    d.loadChunk(doc, chunk);
    counts.set(doc, (counts.get(doc) ?? 0) + 1);
    if (++sinceBreak >= CHUNKS_PER_BREAK) {
      sinceBreak = 0;
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  for (const { doc, heads } of loaded.confirmed) d.loadConfirmed(doc, heads);
  for (const [doc, n] of counts) {
    const snapshot = n > COMPACT_AFTER ? d.snapshot(doc) : undefined;
    if (snapshot) await store.compact(db, doc, snapshot);
  }
  device = d;
  changed();
  await apply(d.discover() as Effects);
  connect();
}

/** Asks the relay what this phone's token is: its role for the screens,
 * and, after a refused connection, whether it was revoked. A browser
 * cannot read why a websocket upgrade was refused, so this is how. */
async function checkToken(): Promise<void> {
  const s = session;
  if (!s || !db) return;
  let answer: Response;
  try {
    answer = await fetch("/api/me", { headers: { Authorization: `Bearer ${s.token}` } });
  } catch {
    return; // offline: the relay will be asked again on the next connection
  }
  if (session !== s) return;
  if (answer.ok) {
    me = (await answer.json()) as Me;
    await store.setMeta(db, "me", me);
    changed();
    return;
  }
  const body = (await answer.json().catch(() => ({}))) as { error?: string };
  if (answer.status === 401 && body.error === "revoked") await serial(() => wipe("revoked"));
}

/** A call to the relay's office pages with this session's token. */
async function officeCall(c: OfficeCall): Promise<OfficeAnswer> {
  const s = session;
  if (!s) return { status: 401, json: { error: "signed out" }, bytes: null };
  const headers: Record<string, string> = { Authorization: `Bearer ${s.token}` };
  if (c.body !== null && c.body !== undefined) headers["Content-Type"] = "application/json";
  const answer = await fetch(`/api/office/${c.path}`, {
    method: c.method,
    headers,
    body: c.body === null || c.body === undefined ? undefined : JSON.stringify(c.body),
    cache: "no-store",
  });
  if (c.file && answer.ok) return { status: answer.status, json: null, bytes: await answer.arrayBuffer() };
  const json = await answer.json().catch(() => ({ error: `HTTP ${answer.status}` }));
  return { status: answer.status, json, bytes: null };
}

/** Sends a spreadsheet to the relay's import and passes each line of its
 * answer to the page as it arrives (call `id`). */
async function officeImport(id: number, file: ArrayBuffer): Promise<null> {
  const s = session;
  if (!s) throw new Error("signed out");
  const answer = await fetch("/api/office/import", {
    method: "POST",
    headers: { Authorization: `Bearer ${s.token}`, "Content-Type": "text/csv" },
    body: file,
    cache: "no-store",
  });
  if (!answer.ok || !answer.body) {
    const body = (await answer.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `HTTP ${answer.status}`);
  }
  const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += value;
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) post({ kind: "progress", id, value: JSON.parse(line) });
      nl = buffered.indexOf("\n");
    }
    if (done) return null;
  }
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
  let opened = false;
  ws.onopen = () => {
    opened = true;
    retry = 1000;
    if (device) ws.send(device.join());
    void checkToken();
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
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    if (event.code === CLOSE_REVOKED) {
      void serial(() => wipe("revoked"));
      return;
    }
    void serial(() => {
      device?.disconnected();
      changed();
    });
    if (!opened) void checkToken();
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
    changed();
  });
}

/** Forgets the session and deletes every document on this phone: residents'
 * data must not stay on a phone whose token was revoked (it may be lost),
 * nor on one its person signed out of. */
async function wipe(reason: string): Promise<void> {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  const ws = socket;
  socket = null;
  ws?.close();
  device?.free();
  device = null;
  session = null;
  me = null;
  lastConfirmed = null;
  signedOut = reason;
  if (db) {
    await store.clearAll(db);
    await store.setMeta(db, "signedOut", reason);
  }
  changed();
}

function need(): WebDevice {
  if (!device) throw new Error("not signed in");
  return device;
}

async function edit(result: { id: string; effects: Effects }): Promise<string> {
  await apply(result.effects);
  return result.id;
}

async function handle(req: Request): Promise<unknown> {
  const now = Date.now();
  switch (req.method) {
    case "signIn": {
      const [s] = req.args;
      if (!db) throw new Error("storage is not open");
      if (session && (session.person !== s.person || session.directory !== s.directory)) {
        // Another person's (or street's) link on this phone: the first
        // one's data goes. A new link for the same person on the same
        // street (a token the office replaced) keeps everything,
        // unsent changes included.
        await wipe("signed-out");
      }
      await store.setMeta(db, "session", s);
      await store.setMeta(db, "signedOut", null);
      session = s;
      signedOut = null;
      disconnect();
      device?.free();
      device = null;
      await openDevice(s);
      void checkToken();
      return null;
    }
    case "signOut":
      await wipe("signed-out");
      return null;
    case "status": {
      const base = device
        ? JSON.parse(device.status())
        : { pending: 0, oldest_ms: null, connected: false, has_directory: false, conflicts: 0 };
      return {
        ...base,
        signed_in: !!session,
        person: session?.person ?? null,
        last_confirmed_ms: lastConfirmed,
        role: me?.role ?? null,
        signed_out: signedOut,
        opening: !!session && !device,
      };
    }
    case "buildings":
      return device ? JSON.parse(device.buildings()) : [];
    case "households":
      return device ? JSON.parse(device.households(req.args[0], JSON.stringify(req.args[1]), now)) : [];
    case "household":
      return device ? JSON.parse(device.household(req.args[0])) : null;
    case "logVisit":
      await apply(need().logVisit(req.args[0], req.args[1], now) as Effects);
      return null;
    case "saveHousehold":
      return edit(
        need().saveHousehold(req.args[0], req.args[1], JSON.stringify(req.args[2]), now) as {
          id: string;
          effects: Effects;
        },
      );
    case "saveMember":
      return edit(
        need().saveMember(req.args[0], req.args[1], JSON.stringify(req.args[2]), now) as {
          id: string;
          effects: Effects;
        },
      );
    case "askForHelp":
      return edit(
        need().askForHelp(req.args[0], JSON.stringify(req.args[1]), now) as { id: string; effects: Effects },
      );
    case "tasks":
      return device ? JSON.parse(device.tasks(now)) : [];
    case "task":
      return device ? JSON.parse(device.task(req.args[0], now)) : null;
    case "progress":
      await apply(need().progress(req.args[0], req.args[1], req.args[2], now) as Effects);
      return null;
    case "logHours":
      return edit(need().logHours(req.args[0], req.args[1], req.args[2], now) as { id: string; effects: Effects });
    case "rate":
      await apply(need().rate(req.args[0], req.args[1], req.args[2], now) as Effects);
      return null;
    case "services":
      return device ? JSON.parse(device.services()) : [];
    case "notices":
      return device ? JSON.parse(device.notices()) : [];
    case "publishService":
      return edit(need().publishService(JSON.stringify(req.args[0]), now) as { id: string; effects: Effects });
    case "requestService":
      return edit(
        need().requestService(req.args[0], req.args[1], req.args[2], now) as { id: string; effects: Effects },
      );
    case "decideRequest":
      await apply(need().decideRequest(req.args[0], req.args[1], now) as Effects);
      return null;
    case "readNotice":
      await apply(need().readNotice(req.args[0], now) as Effects);
      return null;
    case "conflicts":
      return device ? JSON.parse(device.conflicts()) : [];
    case "resolve":
      await apply(need().resolve(req.args[0], req.args[1], req.args[2], req.args[3], now) as Effects);
      return null;
    case "office":
      return officeCall(req.args[0]);
    case "officeImport":
      throw new Error("officeImport is answered by onmessage");
    case "setOnline": {
      online = req.args[0];
      if (online) connect();
      else disconnect();
      return null;
    }
  }
}

const sessionRead = readSession();
const ready = sessionRead.then(() => (session ? openDevice(session) : undefined));

/** Calls that only read what is shown. They are answered at once rather
 * queued behind the relay's messages: on opening, hundreds of those arrive
 * together, and the person waiting for a list should not wait for them.
 * (What they read may be newer than what IndexedDB has committed, which is
 * fine for showing; every edit still goes through the queue.) */
const READS = new Set<Request["method"]>([
  "status",
  "buildings",
  "households",
  "household",
  "tasks",
  "task",
  "conflicts",
  // The office pages ask the relay, not this phone's documents.
  "office",
]);

/** Calls answered as soon as the session is read, before the documents
 * are loaded: the status line (which says "opening" meanwhile) and the
 * office pages (which ask the relay, not this device). */
const EARLY = new Set<Request["method"]>(["status", "office", "officeImport"]);

self.onmessage = (event: MessageEvent<Request & { id: number }>) => {
  const { id, method } = event.data;
  (EARLY.has(method) ? sessionRead : ready)
    .then(() =>
      event.data.method === "officeImport"
        ? officeImport(id, event.data.args[0])
        : READS.has(method)
          ? handle(event.data)
          : serial(() => handle(event.data)),
    )
    .then(
      (value) => post({ kind: "answer", id, value }),
      (e: unknown) => post({ kind: "answer", id, error: e instanceof Error ? e.message : String(e) }),
    );
};
