// What the relay's /api/office/… answers (see the relay's office module),
// and a hook to ask it.

import { useEffect, useState } from "preact/hooks";
import * as bridge from "../bridge";

export interface Figures {
  tasks_raised: number;
  tasks_done: number;
  tasks_cancelled: number;
  completion_rate: number | null;
  median_close_ms: number | null;
  p90_close_ms: number | null;
  responses: number;
  median_first_response_ms: number | null;
  p90_first_response_ms: number | null;
  within_response_target_share: number | null;
  services_delivered: Record<string, number>;
  within_deadline_share: number | null;
  average_rating: number | null;
  ratings: number;
  service_minutes: number;
}

export interface Row {
  id: string;
  name: string;
  figures: Figures;
}

export interface FiguresPage {
  from: string;
  to: string;
  street: Figures;
  communities: Row[];
  teams: Row[];
  volunteers: Row[];
  months: { month: string; figures: Figures }[];
}

export interface Counts {
  households: number;
  key_households: number;
  not_visited: number;
  tags: Record<string, number>;
}

export interface KeyGroups {
  days: number;
  key_tags: string[];
  street: Counts;
  communities: (Counts & { id: string; name: string })[];
  buildings: (Counts & {
    id: string;
    name: string;
    community: string;
    community_name: string;
    compound_name: string;
    heads: string[];
  })[];
}

export interface HouseholdRow {
  id: string;
  unit: string;
  floor: number | null;
  room: string;
  names: string[];
  phones: string[];
  tags: string[];
  key: boolean;
  last_visit: number | null;
}

export interface TaskRow {
  id: string;
  kind: string;
  title: string;
  community_name: string;
  building_name: string;
  created_at: number;
  deadline: number | null;
  status: string;
  assignee: string | null;
  assignee_name: string | null;
}

export interface Tasks {
  overdue: TaskRow[];
  unclaimed: TaskRow[];
  held: { volunteer: string; name: string; tasks: TaskRow[] }[];
}

export interface Devices {
  now: number;
  devices: {
    name: string;
    role: string;
    scope: string[];
    connected: number;
    last_seen: number | null;
    last_change_at: number | null;
    changes: number;
  }[];
  recent_documents: { doc: string; what: string; token_name: string; at: number }[];
}

export interface TokenRow {
  name: string;
  role: string;
  scope: string[];
  created_at: number;
  revoked_at: number | null;
  connected: number;
}

export interface Created {
  name: string;
  role: string;
  token: string;
  link: string | null;
  qr_svg: string | null;
}

export interface NoticeRow {
  id: string;
  community: string;
  community_name: string;
  period: string;
  title: string;
  body: string;
  by: string;
  at: number;
  deadline: number | null;
  read: [string, number][];
  unread: string[];
}

export interface Directory {
  street: string;
  communities: Record<string, { name: string }>;
  compounds: Record<string, { name: string; community: string }>;
  buildings: Record<string, { name: string; community: string; compound: string | null }>;
  teams: Record<string, { name: string }>;
}

/** A GET of `path`, asked again whenever `deps` change. */
export function useOffice<T>(path: string, deps: unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState({});
    get<T>(path).then(
      (data) => live && setState({ data }),
      (e: Error) => live && setState({ error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [...deps, path, round]);
  return { ...state, reload: () => setRound(round + 1) };
}

async function check(a: { status: number; json: unknown }): Promise<unknown> {
  if (a.status >= 200 && a.status < 300) return a.json;
  const e = (a.json as { error?: string } | null)?.error ?? `HTTP ${a.status}`;
  throw new Error(e);
}

export async function get<T>(path: string): Promise<T> {
  return (await check(await bridge.office({ method: "GET", path, body: null, file: false }))) as T;
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return (await check(await bridge.office({ method: "POST", path, body, file: false }))) as T;
}

/** Downloads `path` as the file `name`. */
export async function download(path: string, name: string): Promise<void> {
  const a = await bridge.office({ method: "GET", path, body: null, file: true });
  if (!a.bytes) {
    await check(a);
    return;
  }
  const url = URL.createObjectURL(new Blob([a.bytes]));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
