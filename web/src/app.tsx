// The app's frame: the language switch, the always-visible status line,
// and one screen at a time (her buildings → households → a household →
// logging a visit), with a back button.

import { useEffect, useState } from "preact/hooks";
import type { BuildingCard } from "./api";
import * as bridge from "./bridge";
import { Buildings } from "./buildings";
import { Household } from "./household";
import { Households } from "./households";
import { LogVisit } from "./log-visit";
import { SignInScreen } from "./sign-in-screen";
import { StatusLine } from "./status-line";
import { type Lang, saveLang, savedLang, tables } from "./strings";
import { useWorker } from "./use-worker";

type Screen =
  | { kind: "buildings" }
  | { kind: "households"; building: BuildingCard }
  | { kind: "household"; id: string }
  | { kind: "visit"; id: string };

export function App({ signingIn }: { signingIn: Promise<void> }) {
  const [lang, setLang] = useState<Lang>(savedLang());
  const [stack, setStack] = useState<Screen[]>([{ kind: "buildings" }]);
  const [busy, setBusy] = useState(true);
  useEffect(() => {
    signingIn.finally(() => setBusy(false));
  }, []);
  const status = useWorker(() => bridge.status(), [busy]);
  const t = tables[lang];
  const screen = stack[stack.length - 1];
  const push = (s: Screen) => setStack([...stack, s]);
  const back = () => setStack(stack.slice(0, -1));
  const switchLang = () => {
    const other: Lang = lang === "zh-CN" ? "en" : "zh-CN";
    saveLang(other);
    document.documentElement.lang = other;
    setLang(other);
  };

  let body;
  if (busy || !status?.signed_in) {
    body = <SignInScreen t={t} busy={busy} />;
  } else if (screen.kind === "buildings") {
    body = <Buildings t={t} open={(building) => push({ kind: "households", building })} />;
  } else if (screen.kind === "households") {
    body = <Households t={t} building={screen.building} open={(id) => push({ kind: "household", id })} />;
  } else if (screen.kind === "household") {
    body = <Household t={t} id={screen.id} logVisit={() => push({ kind: "visit", id: screen.id })} />;
  } else {
    body = <LogVisit t={t} id={screen.id} done={back} />;
  }

  return (
    <div class="app">
      <header>
        {stack.length > 1 ? (
          <button class="back" onClick={back}>
            ‹ {t.back}
          </button>
        ) : (
          <span class="title">{t.appName}</span>
        )}
        <button class="lang" onClick={switchLang}>
          {t.switchLang}
        </button>
      </header>
      {status?.signed_in && <StatusLine t={t} />}
      <main>{body}</main>
    </div>
  );
}
