// The app's frame: the language switch, the always-visible status line,
// one screen at a time with a back button, and three big tabs (buildings,
// tasks, me). A volunteer starts on tasks, everyone else on buildings. A
// viewer's token gets no edit controls; the relay refuses its changes anyway.

import { useEffect, useState } from "preact/hooks";
import type { BuildingCard, MemberLine } from "./api";
import * as bridge from "./bridge";
import { Buildings } from "./buildings";
import { Conflicts } from "./conflicts";
import { AskForHelp } from "./ask-for-help";
import { Household } from "./household";
import { HouseholdForm } from "./household-form";
import { Households } from "./households";
import { LogVisit } from "./log-visit";
import { MeScreen } from "./me";
import { MemberForm } from "./member-form";
import { Notices } from "./notices";
import { Office } from "./office";
import { officeTables } from "./office/strings";
import { Services } from "./services";
import { SignInScreen } from "./sign-in-screen";
import { StatusLine } from "./status-line";
import { type Lang, saveLang, savedLang, tables } from "./strings";
import { Task } from "./task";
import { Tasks } from "./tasks";
import { useWorker } from "./use-worker";

export type Screen =
  | { kind: "buildings" }
  | { kind: "households"; building: BuildingCard }
  | { kind: "household"; id: string }
  | { kind: "visit"; id: string }
  | { kind: "household-form"; building: string; id: string | null }
  | { kind: "member-form"; household: string; member: MemberLine | null }
  | { kind: "help"; household: string }
  | { kind: "request-service"; household: string }
  | { kind: "services" }
  | { kind: "notices" }
  | { kind: "tasks" }
  | { kind: "task"; id: string }
  | { kind: "conflicts" }
  | { kind: "me" }
  | { kind: "office" };

type Tab = "office" | "buildings" | "tasks" | "services" | "notices" | "me";

export function App({ signingIn }: { signingIn: Promise<void> }) {
  const [lang, setLang] = useState<Lang>(savedLang());
  const [stack, setStack] = useState<Screen[] | null>(null);
  const [busy, setBusy] = useState(true);
  useEffect(() => {
    signingIn.finally(() => setBusy(false));
  }, []);
  const status = useWorker(() => bridge.status(), [busy]);
  const t = tables[lang];
  const o = officeTables[lang];
  const volunteer = status?.role === "volunteer" || status?.role === "team-leader";
  // The street office's people work on an office PC: their pages come
  // first. A viewer starts on the buildings, and has the office tab too.
  const officeRole = status?.role === "street-admin" || status?.role === "viewer";
  const home: Screen = volunteer
    ? { kind: "tasks" }
    : status?.role === "street-admin"
      ? { kind: "office" }
      : { kind: "buildings" };
  // Volunteers serve and are not sent notices (those go to heads); the
  // services tab is where a team leader accepts requests.
  const tabs: Tab[] = officeRole
    ? ["office", "buildings", "tasks", "me"]
    : volunteer
      ? ["tasks", "services", "me"]
      : ["buildings", "tasks", "services", "notices", "me"];
  const screens = stack ?? [home];
  const screen = screens[screens.length - 1];
  const push = (s: Screen) => setStack([...screens, s]);
  const back = () => setStack(screens.slice(0, -1));
  const tab = (s: Tab) => setStack([{ kind: s }]);
  const canEdit = status?.role !== "viewer";
  const switchLang = () => {
    const other: Lang = lang === "zh-CN" ? "en" : "zh-CN";
    saveLang(other);
    document.documentElement.lang = other;
    setLang(other);
  };

  let body;
  if (busy || !status?.signed_in) {
    body = <SignInScreen t={t} busy={busy} signedOut={status?.signed_out ?? null} />;
  } else if (screen.kind === "buildings") {
    body = <Buildings t={t} open={(building) => push({ kind: "households", building })} />;
  } else if (screen.kind === "households") {
    body = (
      <Households
        t={t}
        building={screen.building}
        canEdit={canEdit}
        open={(id) => push({ kind: "household", id })}
        add={() => push({ kind: "household-form", building: screen.building.id, id: null })}
      />
    );
  } else if (screen.kind === "household") {
    body = <Household t={t} id={screen.id} canEdit={canEdit} go={push} />;
  } else if (screen.kind === "visit") {
    body = <LogVisit t={t} id={screen.id} done={back} />;
  } else if (screen.kind === "household-form") {
    body = <HouseholdForm t={t} building={screen.building} id={screen.id} done={back} />;
  } else if (screen.kind === "member-form") {
    body = <MemberForm t={t} household={screen.household} member={screen.member} done={back} />;
  } else if (screen.kind === "help") {
    body = <AskForHelp t={t} household={screen.household} done={back} />;
  } else if (screen.kind === "request-service") {
    body = <Services t={t} household={screen.household} canDecide={false} done={back} />;
  } else if (screen.kind === "services") {
    body = <Services t={t} household={null} canDecide={status?.role === "team-leader"} done={back} />;
  } else if (screen.kind === "notices") {
    body = <Notices t={t} canEdit={canEdit} />;
  } else if (screen.kind === "tasks") {
    body = <Tasks t={t} open={(id) => push({ kind: "task", id })} />;
  } else if (screen.kind === "task") {
    body = <Task t={t} id={screen.id} canEdit={canEdit} />;
  } else if (screen.kind === "office") {
    body = <Office t={t} o={o} role={status?.role ?? null} />;
  } else if (screen.kind === "conflicts") {
    body = <Conflicts t={t} canEdit={canEdit} />;
  } else {
    body = <MeScreen t={t} status={status} />;
  }
  const signedIn = !busy && !!status?.signed_in;

  return (
    <div class={screen.kind === "office" && signedIn ? "app wide" : "app"}>
      <header>
        {screens.length > 1 ? (
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
      {signedIn && <StatusLine t={t} openConflicts={() => push({ kind: "conflicts" })} />}
      {signedIn && !canEdit && <div class="readonly">{t.readOnly}</div>}
      <main>{body}</main>
      {signedIn && (
        <nav class="tabs">
          {tabs.map((name) => (
            <button
              key={name}
              class={screens[0].kind === name ? "tab active" : "tab"}
              onClick={() => tab(name)}
              data-tab={name}
            >
              {
                {
                  office: o.tab,
                  buildings: t.tabBuildings,
                  tasks: t.tabTasks,
                  services: t.tabServices,
                  notices: t.tabNotices,
                  me: t.tabMe,
                }[name]
              }
            </button>
          ))}
        </nav>
      )}
    </div>
  );
}
