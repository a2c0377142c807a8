// The shapes the worker reports (JSON from web/client/src/view.rs) and the
// calls it takes. Shared by the bridge and the worker.

export interface Session {
  token: string;
  directory: string;
  person: string;
}

export interface Status {
  pending: number;
  oldest_ms: number | null;
  connected: boolean;
  has_directory: boolean;
  signed_in: boolean;
}

export interface BuildingCard {
  id: string;
  doc: string;
  name: string;
  community: string;
  compound: string;
  households: number;
}

export interface HouseholdLine {
  id: string;
  unit: string;
  floor: number | null;
  room: string;
  names: string[];
  tags: string[];
  last_visit: number | null;
}

export interface MemberLine {
  id: string;
  name: string;
  gender: string | null;
  birth_year: number;
  phone: string | null;
  relation: string;
  tags: string[];
  note: string;
}

export interface VisitLine {
  id: string;
  by: string;
  at: number;
  note: string;
}

export interface HouseholdPage {
  id: string;
  building: string;
  unit: string;
  floor: number | null;
  room: string;
  tags: string[];
  notes: string;
  members: MemberLine[];
  visits: VisitLine[];
}

/** Page → worker. */
export type Request =
  | { method: "signIn"; args: [Session] }
  | { method: "status"; args: [] }
  | { method: "buildings"; args: [] }
  | { method: "households"; args: [string, string] }
  | { method: "household"; args: [string] }
  | { method: "logVisit"; args: [string, string] }
  | { method: "setOnline"; args: [boolean] };

/** Worker → page: an answer, or a notice that what is shown may be stale. */
export type Reply =
  | { kind: "answer"; id: number; value?: unknown; error?: string }
  | { kind: "changed" };
