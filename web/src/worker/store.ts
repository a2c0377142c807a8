// IndexedDB, the phone's store: each document as the chunks the Rust device
// asked to keep (like the CLI's SQLite), the heads the relay confirmed, and
// the session (token, street, device key). One write transaction per call,
// resolved only once the browser says it is committed.

const DB = "linli";

export interface Loaded {
  chunks: { doc: string; chunk: Uint8Array }[];
  confirmed: { doc: string; heads: string[] }[];
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB write failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB write aborted"));
  });
}

function result<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function open(): Promise<IDBDatabase> {
  const req = indexedDB.open(DB, 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    db.createObjectStore("meta");
    const chunks = db.createObjectStore("chunks", { autoIncrement: true });
    chunks.createIndex("doc", "doc");
    db.createObjectStore("confirmed");
  };
  return result(req);
}

export async function getMeta<T>(db: IDBDatabase, key: string): Promise<T | undefined> {
  return result(db.transaction("meta").objectStore("meta").get(key)) as Promise<T | undefined>;
}

export async function setMeta(db: IDBDatabase, key: string, value: unknown): Promise<void> {
  const tx = db.transaction("meta", "readwrite");
  tx.objectStore("meta").put(value, key);
  return done(tx);
}

export async function loadAll(db: IDBDatabase): Promise<Loaded> {
  const tx = db.transaction(["chunks", "confirmed"]);
  const chunks = (await result(tx.objectStore("chunks").getAll())) as Loaded["chunks"];
  const store = tx.objectStore("confirmed");
  const [keys, values] = await Promise.all([result(store.getAllKeys()), result(store.getAll())]);
  const confirmed = keys.map((k, i) => ({ doc: String(k), heads: values[i] as string[] }));
  return { chunks, confirmed };
}

/** Appends chunks and sets confirmed heads, atomically. */
export async function write(
  db: IDBDatabase,
  chunks: { doc: string; chunk: Uint8Array }[],
  confirmed: { doc: string; heads: string[] }[],
): Promise<void> {
  if (chunks.length === 0 && confirmed.length === 0) return;
  const tx = db.transaction(["chunks", "confirmed"], "readwrite");
  for (const c of chunks) tx.objectStore("chunks").add({ doc: c.doc, chunk: c.chunk });
  for (const c of confirmed) tx.objectStore("confirmed").put(c.heads, c.doc);
  return done(tx);
}

/** Replaces every chunk of `doc` with one snapshot. */
export async function compact(db: IDBDatabase, doc: string, snapshot: Uint8Array): Promise<void> {
  const tx = db.transaction("chunks", "readwrite");
  const store = tx.objectStore("chunks");
  const keys = await result(store.index("doc").getAllKeys(doc));
  for (const k of keys) store.delete(k);
  store.add({ doc, chunk: snapshot });
  return done(tx);
}

/** Deletes everything this phone holds: documents, confirmations and the
 * session. What a revoked or signed-out phone must do; one transaction, so
 * a crash leaves either all or nothing. */
export async function clearAll(db: IDBDatabase): Promise<void> {
  const tx = db.transaction(["chunks", "confirmed", "meta"], "readwrite");
  for (const name of ["chunks", "confirmed", "meta"]) tx.objectStore(name).clear();
  return done(tx);
}
