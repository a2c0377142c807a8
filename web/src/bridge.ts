// The page's only way to the worker: each worker call as an async function,
// and a subscription to "what is shown may have changed". Components use
// these and never touch the worker, the wasm or IndexedDB themselves.

import type {
  BuildingCard,
  ConflictLine,
  HelpRequest,
  HouseholdFields,
  HouseholdFilter,
  HouseholdLine,
  HouseholdPage,
  MemberFields,
  NoticeLine,
  OfficeAnswer,
  OfficeCall,
  Reply,
  Request,
  ServiceLine,
  ServiceOffer,
  Session,
  Status,
  TaskLine,
  TaskPage,
} from "./api";

const worker = new Worker(new URL("./worker/index.ts", import.meta.url), { type: "module" });
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const listeners = new Set<() => void>();
const progressOf = new Map<number, (p: unknown) => void>();
let next = 1;

worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  if (reply.kind === "changed") {
    for (const l of listeners) l();
    return;
  }
  if (reply.kind === "progress") {
    progressOf.get(reply.id)?.(reply.value);
    return;
  }
  const w = waiting.get(reply.id);
  if (!w) return;
  waiting.delete(reply.id);
  progressOf.delete(reply.id);
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

/** An edit: once it is stored, everything shown is read again. */
async function change<T>(req: Request): Promise<T> {
  const value = await call<T>(req);
  for (const l of listeners) l();
  return value;
}

export const signIn = (s: Session) => change<null>({ method: "signIn", args: [s] });
export const signOut = () => change<null>({ method: "signOut", args: [] });
export const status = () => call<Status>({ method: "status", args: [] });
export const buildings = () => call<BuildingCard[]>({ method: "buildings", args: [] });
export const households = (building: string, filter: HouseholdFilter) =>
  call<HouseholdLine[]>({ method: "households", args: [building, filter] });
export const household = (id: string) => call<HouseholdPage | null>({ method: "household", args: [id] });
export const logVisit = (householdId: string, note: string) =>
  change<null>({ method: "logVisit", args: [householdId, note] });
export const saveHousehold = (building: string, id: string, fields: HouseholdFields) =>
  change<string>({ method: "saveHousehold", args: [building, id, fields] });
export const saveMember = (householdId: string, id: string, member: MemberFields) =>
  change<string>({ method: "saveMember", args: [householdId, id, member] });
export const askForHelp = (householdId: string, request: HelpRequest) =>
  change<string>({ method: "askForHelp", args: [householdId, request] });
export const tasks = () => call<TaskLine[]>({ method: "tasks", args: [] });
export const task = (id: string) => call<TaskPage | null>({ method: "task", args: [id] });
export const progress = (id: string, step: string, note: string) =>
  change<null>({ method: "progress", args: [id, step, note] });
export const logHours = (task: string, minutes: number, note: string) =>
  change<string>({ method: "logHours", args: [task, minutes, note] });
export const rate = (task: string, stars: number, feedback: string) =>
  change<null>({ method: "rate", args: [task, stars, feedback] });
export const services = () => call<ServiceLine[]>({ method: "services", args: [] });
export const publishService = (offer: ServiceOffer) =>
  change<string>({ method: "publishService", args: [offer] });
export const notices = () => call<NoticeLine[]>({ method: "notices", args: [] });
export const requestService = (service: string, household: string, note: string) =>
  change<string>({ method: "requestService", args: [service, household, note] });
export const decideRequest = (request: string, accept: boolean) =>
  change<null>({ method: "decideRequest", args: [request, accept] });
export const readNotice = (notice: string) => change<null>({ method: "readNotice", args: [notice] });
export const conflicts = () => call<ConflictLine[]>({ method: "conflicts", args: [] });
export const resolve = (doc: string, path: string[], keep: string, value: string) =>
  change<null>({ method: "resolve", args: [doc, path, keep, value] });
export const setOnline = (online: boolean) => call<null>({ method: "setOnline", args: [online] });
export const office = (c: OfficeCall) => call<OfficeAnswer>({ method: "office", args: [c] });

/** Sends a spreadsheet to the relay's import; `onLine` gets each line of
 * its answer (progress, then the report or the error) as it arrives. */
export function officeImport(file: ArrayBuffer, onLine: (line: unknown) => void): Promise<null> {
  const id = next++;
  progressOf.set(id, onLine);
  return new Promise<null>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ method: "officeImport", args: [file], id }, [file]);
  });
}

/** Calls `listener` whenever the worker's documents or connection changed. */
export function onChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
