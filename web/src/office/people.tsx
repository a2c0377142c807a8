// 人员与令牌 (street-admin only): give a person a token with a role and a
// scope picked from the directory, show its sign-in link and QR code once,
// and list, rescope and revoke tokens. The relay does what `linli-relay
// token …` does and closes a revoked or rescoped token's connections.

import { useState } from "preact/hooks";
import type { Created, Directory, TokenRow } from "./api";
import { post, useOffice } from "./api";
import type { Strings } from "../strings";
import type { OfficeStrings } from "./strings";

const ROLES = ["building-head", "grid-worker", "volunteer", "team-leader", "viewer", "street-admin"];

/** Which kinds of scope item a role takes. */
function kinds(role: string): ("building" | "community" | "team")[] {
  switch (role) {
    case "building-head":
    case "grid-worker":
      return ["building"];
    case "volunteer":
    case "team-leader":
      return ["team", "community"];
    case "viewer":
      return ["community", "building", "team"];
    default:
      return [];
  }
}

function ScopePicker({
  o,
  dir,
  role,
  picked,
  set,
}: {
  o: OfficeStrings;
  dir: Directory;
  role: string;
  picked: Set<string>;
  set: (s: Set<string>) => void;
}) {
  const toggle = (item: string) => {
    const next = new Set(picked);
    if (next.has(item)) next.delete(item);
    else next.add(item);
    set(next);
  };
  const box = (item: string, label: string) => (
    <label key={item} class={picked.has(item) ? "pick on" : "pick"}>
      <input type="checkbox" checked={picked.has(item)} onChange={() => toggle(item)} data-scope-item={item} />
      {label}
    </label>
  );
  const communities = Object.entries(dir.communities).sort((a, b) => a[1].name.localeCompare(b[1].name, "zh"));
  return (
    <div class="scope-picker">
      {kinds(role).includes("building") &&
        communities.map(([cid, c]) => {
          const buildings = Object.entries(dir.buildings)
            .filter(([, b]) => b.community === cid)
            .sort((a, b) => {
              const ca = a[1].compound ? dir.compounds[a[1].compound]?.name ?? "" : "";
              const cb = b[1].compound ? dir.compounds[b[1].compound]?.name ?? "" : "";
              return ca.localeCompare(cb, "zh") || a[1].name.localeCompare(b[1].name, "zh", { numeric: true });
            });
          if (buildings.length === 0) return null;
          return (
            <fieldset key={cid}>
              <legend>
                {o.buildings} · {c.name}
              </legend>
              {buildings.map(([bid, b]) =>
                box(`building:${bid}`, `${b.compound ? `${dir.compounds[b.compound]?.name ?? ""} ` : ""}${b.name}`),
              )}
            </fieldset>
          );
        })}
      {kinds(role).includes("community") && (
        <fieldset>
          <legend>{o.communities}</legend>
          {communities.map(([cid, c]) => box(`community:${cid}`, c.name))}
        </fieldset>
      )}
      {kinds(role).includes("team") && (
        <fieldset>
          <legend>{o.teams}</legend>
          {Object.entries(dir.teams).map(([tid, team]) => box(`team:${tid}`, team.name))}
        </fieldset>
      )}
    </div>
  );
}

function NewToken({ o, dir, made }: { o: OfficeStrings; dir: Directory; made: (c: Created) => void }) {
  const [name, setName] = useState("");
  const [person, setPerson] = useState("");
  const [role, setRole] = useState("building-head");
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await post<Created>("tokens", {
        name,
        role,
        scope: [...picked],
        person: person || null,
        public_url: location.origin,
      });
      setName("");
      setPerson("");
      setPicked(new Set());
      made(c);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} data-form="new-token">
      <h2>{o.newToken}</h2>
      <label class="field">
        <span>{o.tokenName}</span>
        <input class="search" name="name" value={name} placeholder={o.tokenNameHint} required onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{o.role}</span>
        <select
          class="search"
          name="role"
          value={role}
          onChange={(e) => {
            setRole(e.currentTarget.value);
            setPicked(new Set());
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {o.roles[r]}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>{o.person}</span>
        <input class="search" name="person" value={person} placeholder={o.personHint} onInput={(e) => setPerson(e.currentTarget.value)} />
      </label>
      {kinds(role).length > 0 && (
        <div class="field">
          <span>{o.pickScope}</span>
          <ScopePicker o={o} dir={dir} role={role} picked={picked} set={setPicked} />
        </div>
      )}
      {error && <p class="error">{o.failed(error)}</p>}
      <button class="primary" type="submit" disabled={busy || !name.trim()}>
        {o.create}
      </button>
    </form>
  );
}

function Shown({ o, c, close }: { o: OfficeStrings; c: Created; close: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = c.link ?? c.token;
  return (
    <section class="created" data-created={c.name}>
      <h2>
        {c.name} · {o.roles[c.role] ?? c.role}
      </h2>
      <p class="warn-text">{o.createdOnce}</p>
      {/* The SVG is drawn by the relay's QR encoder from the link alone. */}
      {c.qr_svg && <div class="qr" dangerouslySetInnerHTML={{ __html: c.qr_svg }} />}
      <label class="field">
        <span>{c.link ? o.signInLink : o.secret}</span>
        <input class="search" readOnly value={text} data-link={text} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="row-actions">
        <button
          class="small"
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => setCopied(true));
          }}
        >
          {copied ? o.copied : o.copy}
        </button>
        <button class="small" onClick={close}>
          {o.cancel}
        </button>
      </div>
    </section>
  );
}

export function PeopleSection({ o }: { o: OfficeStrings; t: Strings }) {
  const dir = useOffice<Directory>("directory", []);
  const list = useOffice<TokenRow[]>("tokens", []);
  const [created, setCreated] = useState<Created | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (dir.error) return <p class="error">{o.failed(dir.error)}</p>;
  if (!dir.data) return <p class="hint">…</p>;
  return (
    <div data-section="people">
      {created ? (
        <Shown o={o} c={created} close={() => setCreated(null)} />
      ) : (
        <NewToken
          o={o}
          dir={dir.data}
          made={(c) => {
            setCreated(c);
            list.reload();
          }}
        />
      )}
      <h2>{o.tokens}</h2>
      {error && <p class="error">{o.failed(error)}</p>}
      {list.error && <p class="error">{o.failed(list.error)}</p>}
      <ul class="rows" data-list="tokens">
        {(list.data ?? []).map((tk) => (
          <li key={tk.name} data-token={tk.name} class={tk.revoked_at !== null ? "revoked" : ""}>
            <span>
              <span class="big">{tk.name}</span>
              <span class="sub">
                {" "}
                {o.roles[tk.role] ?? tk.role} · {tk.revoked_at !== null ? o.revoked : o.connections(tk.connected)}
              </span>
              <span class="sub" style={{ display: "block" }}>
                {tk.scope.map((s) => scopeLabel(dir.data as Directory, s)).join("、")}
              </span>
            </span>
            {tk.revoked_at === null && tk.role !== "street-admin" && (
              <span class="row-actions">
                <button
                  class="small"
                  onClick={() => {
                    setEditing(tk.name);
                    setPicked(new Set(tk.scope));
                  }}
                >
                  {o.changeScope}
                </button>
                <button
                  class="small danger-small"
                  data-revoke={tk.name}
                  onClick={() => {
                    if (confirm(o.revokeConfirm(tk.name))) void act(() => post(`tokens/${encodeURIComponent(tk.name)}/revoke`, {}));
                  }}
                >
                  {o.revoke}
                </button>
              </span>
            )}
            {editing === tk.name && (
              <div style={{ width: "100%" }}>
                <ScopePicker o={o} dir={dir.data as Directory} role={tk.role} picked={picked} set={setPicked} />
                <div class="row-actions">
                  <button
                    class="small"
                    onClick={() =>
                      void act(async () => {
                        await post(`tokens/${encodeURIComponent(tk.name)}/scope`, { scope: [...picked] });
                        setEditing(null);
                      })
                    }
                  >
                    {o.saveScope}
                  </button>
                  <button class="small" onClick={() => setEditing(null)}>
                    {o.cancel}
                  </button>
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function scopeLabel(dir: Directory, item: string): string {
  const [kind, id] = item.split(":");
  if (kind === "building") {
    const b = dir.buildings[id];
    if (!b) return item;
    const compound = b.compound ? dir.compounds[b.compound]?.name ?? "" : "";
    return `${dir.communities[b.community]?.name ?? ""} ${compound} ${b.name}`.trim();
  }
  if (kind === "community") return dir.communities[id]?.name ?? item;
  if (kind === "team") return dir.teams[id]?.name ?? item;
  return item;
}
