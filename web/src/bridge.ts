// The page's only way to the worker: each worker call as an async function,
// and a subscription to "what is shown may have changed". Components use
// these and never touch the worker, the wasm or IndexedDB themselves.

import type {
  BuildingCard,
  HouseholdLine,
  HouseholdPage,
  Reply,
  Request,
  Session,
  Status,
} from "./api";

const worker = new Worker(new URL("./worker/index.ts", import.meta.url), { type: "module" });
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const listeners = new Set<() => void>();
let next = 1;

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  if (reply.kind === "changed") {
    for (const l of listeners) l();
    return;
  }
  const w = waiting.get(reply.id);
  if (!w) return;
  waiting.delete(reply.id);
  if (reply.error !== undefined) w.reject(new Error(reply.error));
  else w.resolve(reply.value);
};

function call<T>(req: Request): Promise<T> {
  const id = next++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ ...req, id });
  });
}

export const signIn = (s: Session) => call<null>({ method: "signIn", args: [s] });
export const status = () => call<Status>({ method: "status", args: [] });
export const buildings = () => call<BuildingCard[]>({ method: "buildings", args: [] });
export const households = (building: string, query: string) =>
  call<HouseholdLine[]>({ method: "households", args: [building, query] });
export const household = (id: string) => call<HouseholdPage | null>({ method: "household", args: [id] });
export const logVisit = (householdId: string, note: string) =>
  call<null>({ method: "logVisit", args: [householdId, note] });
export const setOnline = (online: boolean) => call<null>({ method: "setOnline", args: [online] });

/** Calls `listener` whenever the worker's documents or connection changed. */
export function onChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
