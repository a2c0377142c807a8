// The services list (服务清单): what volunteer teams offer the community,
// with places left at a glance. Opened from a household, each service has
// one big "request" button for that household. A team leader sees the
// requests for her team's services and accepts (the task is hers to serve)
// or declines. Two requests for the last place made offline settle the
// same way on every phone: the later one reads "full".

import { useState } from "preact/hooks";
import type { ServiceLine } from "../api";
import { Field, KindChips } from "../form";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Services({
  t,
  household,
  canDecide,
  done,
}: {
  t: Strings;
  /** Requesting for this household. */
  household: string | null;
  canDecide: boolean;
  done: () => void;
}) {
  const list = useWorker(() => bridge.services(), []);
  const [error, setError] = useState<string | null>(null);
  if (!list) return <p class="hint">{t.loading}</p>;
  const request = (s: ServiceLine) => {
    setError(null);
    bridge.requestService(s.id, household ?? "", "").then(done, (e: Error) => setError(e.message));
  };
  const decide = (id: string, accept: boolean) => {
    setError(null);
    bridge.decideRequest(id, accept).catch((e: Error) => setError(e.message));
  };
  return (
    <div>
      <h1>{household ? t.pickService : t.tabServices}</h1>
      {canDecide && !household && <Publish t={t} />}
      {list.length === 0 && <p class="hint">{t.noServices}</p>}
      {error && <p class="error">{t.error(error)}</p>}
      <ul class="cards">
        {list.map((s) => (
          <li key={s.id} class="card" data-service={s.id}>
            <span class="big">{s.title}</span>
            <span class="sub">
              {t.helpKinds[s.kind] ?? s.kind} · {t.cost(s.cost)} · {t.offeredBy(s.provider_name, s.when)}
            </span>
            {s.detail && <span>{s.detail}</span>}
            <span class={s.places_left > 0 ? "places" : "places full"} data-testid="places">
              {t.placesLeft(s.places_left, s.capacity)}
            </span>
            {household && (
              <button class="primary" onClick={() => request(s)} data-testid="request">
                {t.requestFor}
              </button>
            )}
            {!household && s.requests.length > 0 && (
              <ul class="rows" data-testid="requests">
                {s.requests
                  .filter((r) => r.mine || (canDecide && s.ours))
                  .map((r) => (
                    <li key={r.id} data-request={r.id} data-status={r.status}>
                      <div>
                        <span class={`state ${r.status}`}>{t.requestStatus(r.status)}</span>{" "}
                        <span class="sub">
                          {r.building} · {r.by} · {t.date(r.at)}
                        </span>
                      </div>
                      {canDecide && s.ours && r.status === "waiting" && (
                        <div class="chips">
                          <button class="chip on" onClick={() => decide(r.id, true)} data-testid="accept">
                            {t.accept}
                          </button>
                          <button class="chip" onClick={() => decide(r.id, false)} data-testid="decline">
                            {t.decline}
                          </button>
                        </div>
                      )}
                    </li>
                  ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A team leader offers a service: kind (one tap), title, when, places. */
function Publish({ t }: { t: Strings }) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState("haircut");
  const [title, setTitle] = useState("");
  const [when, setWhen] = useState("");
  const [capacity, setCapacity] = useState("5");
  const [cost, setCost] = useState<"free" | "low-cost">("free");
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return (
      <button class="primary" onClick={() => setOpen(true)} data-testid="publish-service">
        {t.publishService}
      </button>
    );
  }
  const send = () => {
    setError(null);
    const words = title.trim() || t.helpKinds[kind] || kind;
    bridge
      .publishService({ kind, title: words, detail: "", when, capacity: Number(capacity) || 0, cost })
      .then(
        () => setOpen(false),
        (e: Error) => setError(e.message),
      );
  };
  return (
    <section class="form">
      <h2>{t.publishService}</h2>
      <KindChips kinds={t.helpKinds} kind={kind} set={setKind} />
      <Field label={t.helpTitle} value={title} set={setTitle} name="title" />
      <Field label={t.serviceWhen} value={when} set={setWhen} name="when" />
      <Field label={t.serviceCapacity} value={capacity} set={setCapacity} name="capacity" numeric />
      <div class="chips">
        {(["free", "low-cost"] as const).map((c) => (
          <button key={c} class={cost === c ? "chip on" : "chip"} onClick={() => setCost(c)} data-cost={c}>
            {t.cost(c)}
          </button>
        ))}
      </div>
      <button class="primary" onClick={send} data-testid="send-service">
        {t.publish}
      </button>
      {error && <p class="error">{t.error(error)}</p>}
    </section>
  );
}
