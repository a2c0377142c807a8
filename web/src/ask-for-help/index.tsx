// "Ask for help" on a household: pick what kind (one tap), say it in a few
// words, send. The need goes on the community's task board with the
// building and household filled in; names and phones stay in the building.

import { useState } from "preact/hooks";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { Field, KindChips } from "../form";

export function AskForHelp({ t, household, done }: { t: Strings; household: string; done: () => void }) {
  const [kind, setKind] = useState("errand");
  const [title, setTitle] = useState("");
  const [detail, setDetail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const send = () => {
    const words = title.trim() || t.helpKinds[kind] || kind;
    bridge
      .askForHelp(household, { kind, title: words, detail, deadline: null })
      .then(done, (e: Error) => setError(e.message));
  };
  return (
    <div>
      <h1>{t.askForHelp}</h1>
      <p class="sub">{t.helpKind}</p>
      <KindChips kinds={t.helpKinds} kind={kind} set={setKind} />
      <Field label={t.helpTitle} value={title} set={setTitle} name="title" />
      <Field label={t.helpDetail} value={detail} set={setDetail} name="detail" multiline />
      <button class="primary" onClick={send} data-testid="send-help">
        {t.sendHelp}
      </button>
      {error && <p class="error">{t.error(error)}</p>}
    </div>
  );
}
