// Signing in by link: the office's link carries the token in the URL
// fragment (`/#token=…&directory=automerge:…&as=person`), which browsers
// never send to a server. It is handed to the worker to keep, then removed
// from the address bar and history.

import type { Session } from "./api";

export function sessionFromFragment(hash: string): Session | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const token = params.get("token");
  const directory = params.get("directory");
  const person = params.get("as");
  if (!token || !directory || !person) return null;
  return { token, directory, person };
}

export function clearFragment(): void {
  history.replaceState(null, "", location.pathname + location.search);
}
