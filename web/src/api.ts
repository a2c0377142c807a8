// The shapes the worker reports (JSON from web/client/src/view/*.rs) and the
// calls it takes. Shared by the bridge and the worker.

export interface Session {
  token: string;
  directory: string;
  person: string;
}

/** What the relay says this phone's token is (`GET /api/me`). */
export interface Me {
  name: string;
  role: string;
  scope: string[];
}

export interface Status {
  pending: number;
  oldest_ms: number | null;
  connected: boolean;
  has_directory: boolean;
  conflicts: number;
  signed_in: boolean;
  person: string | null;
  /** When the relay last confirmed holding this phone's documents. */
  last_confirmed_ms: number | null;
  /** The token's role, once the relay has told it. */
  role: string | null;
  /** Why this phone was signed out, if it was: "revoked" or "signed-out". */
  signed_out: string | null;
  /** Signed in, and the documents are still being read from storage. */
  opening: boolean;
}

export interface BuildingCard {
  id: string;
  doc: string;
  name: string;
  community: string;
  compound: string;
  households: number;
  tags: string[];
}

export interface HouseholdFilter {
  query: string;
  tag: string | null;
  not_visited_days: number | null;
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

export type TaskStatus = "open" | "claimed" | "in-progress" | "done" | "cancelled";

export interface HelpLine {
  id: string;
  title: string;
  status: TaskStatus;
  assignee: string | null;
  created_at: number;
}

export interface HouseholdPage {
  id: string;
  building_id: string;
  building: string;
  unit: string;
  floor: number | null;
  room: string;
  tags: string[];
  notes: string;
  members: MemberLine[];
  visits: VisitLine[];
  tasks: HelpLine[];
}

export interface HouseholdFields {
  unit: string;
  floor: number | null;
  room: string;
  tags: string[];
  notes: string;
}

export interface MemberFields {
  name: string;
  gender: string | null;
  birth_year: number;
  phone: string | null;
  relation: string;
  tags: string[];
  note: string;
}

export interface HelpRequest {
  kind: string;
  title: string;
  detail: string;
  deadline: number | null;
}

export interface TaskLine {
  id: string;
  kind: string;
  title: string;
  status: TaskStatus;
  assignee: string | null;
  assignee_name: string | null;
  deadline: number | null;
  created_at: number;
  building: string;
  community: string;
  mine: boolean;
  lost_to: string | null;
  overdue: boolean;
}

export interface EventLine {
  kind: string;
  by: string;
  at: number;
  note: string;
  ignored: string | null;
}

export interface TaskPage extends TaskLine {
  detail: string;
  household: string | null;
  created_by: string;
  events: EventLine[];
  can: ("claim" | "start" | "done" | "hours" | "rate")[];
  hours: HoursLine[];
  rating: number | null;
}

export interface ServiceOffer {
  kind: string;
  title: string;
  detail: string;
  when: string;
  capacity: number;
  cost: "free" | "low-cost";
}

export type RequestStatus = "waiting" | "accepted" | "declined" | "full";

export interface RequestLine {
  id: string;
  household: string | null;
  building: string;
  by: string;
  at: number;
  status: RequestStatus;
  task: string | null;
  mine: boolean;
}

export interface ServiceLine {
  id: string;
  provider: string;
  provider_name: string;
  kind: string;
  title: string;
  detail: string;
  when: string;
  cost: "free" | "low-cost";
  capacity: number;
  places_left: number;
  community: string;
  ours: boolean;
  requests: RequestLine[];
}

export interface NoticeLine {
  id: string;
  title: string;
  body: string;
  by: string;
  at: number;
  deadline: number | null;
  community: string;
  read_at: number | null;
  reads: number;
}

export interface HoursLine {
  id: string;
  volunteer: string;
  minutes: number;
  start: number;
  note: string;
}

export interface ValueLine {
  text: string;
  op: string;
  author: string | null;
  at: number | null;
  winner: boolean;
}

export interface ConflictLine {
  doc: string;
  path: string[];
  place: string | null;
  values: ValueLine[];
}

/** Page → worker. */
export type Request =
  | { method: "signIn"; args: [Session] }
  | { method: "signOut"; args: [] }
  | { method: "status"; args: [] }
  | { method: "buildings"; args: [] }
  | { method: "households"; args: [string, HouseholdFilter] }
  | { method: "household"; args: [string] }
  | { method: "logVisit"; args: [string, string] }
  | { method: "saveHousehold"; args: [string, string, HouseholdFields] }
  | { method: "saveMember"; args: [string, string, MemberFields] }
  | { method: "askForHelp"; args: [string, HelpRequest] }
  | { method: "tasks"; args: [] }
  | { method: "task"; args: [string] }
  | { method: "progress"; args: [string, string, string] }
  | { method: "logHours"; args: [string, number, string] }
  | { method: "rate"; args: [string, number, string] }
  | { method: "services"; args: [] }
  | { method: "publishService"; args: [ServiceOffer] }
  | { method: "notices"; args: [] }
  | { method: "requestService"; args: [string, string, string] }
  | { method: "decideRequest"; args: [string, boolean] }
  | { method: "readNotice"; args: [string] }
  | { method: "conflicts"; args: [] }
  | { method: "resolve"; args: [string, string[], string, string] }
  | { method: "setOnline"; args: [boolean] }
  | { method: "office"; args: [OfficeCall] }
  | { method: "officeImport"; args: [ArrayBuffer] };

/** A request to the relay's `/api/office/…`, made by the worker with the
 * session's token (the page never holds the token). */
export interface OfficeCall {
  method: "GET" | "POST";
  /** After `/api/office/`, with its query string. */
  path: string;
  body: unknown;
  /** Return the body as bytes (a spreadsheet), not JSON. */
  file: boolean;
}

export interface OfficeAnswer {
  status: number;
  json: unknown;
  bytes: ArrayBuffer | null;
}

/** Worker → page: an answer, or a notice that what is shown may be stale. */
export type Reply =
  | { kind: "answer"; id: number; value?: unknown; error?: string }
  | { kind: "progress"; id: number; value: unknown }
  | { kind: "changed" };
