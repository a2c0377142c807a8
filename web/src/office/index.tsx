// The street office's pages, in the same app, for street-admin and viewer
// tokens: figures, key groups, tasks, devices, people and tokens (admin
// only), spreadsheets. Made for an office PC's wide screen; they read on a
// phone too. Everything here is asked of the relay (see the relay's office
// module for why), so it needs the network.

import { useState } from "preact/hooks";
import type { Strings } from "../strings";
import { DevicesSection } from "./devices";
import { FiguresSection } from "./figures";
import { KeyGroupsSection } from "./key-groups";
import { NoticesSection } from "./notices";
import { PeopleSection } from "./people";
import { SheetsSection } from "./sheets";
import type { OfficeStrings, Section } from "./strings";
import { TasksSection } from "./tasks";

export function Office({ t, o, role }: { t: Strings; o: OfficeStrings; role: string | null }) {
  const admin = role === "street-admin";
  const sections: Section[] = admin
    ? ["figures", "key-groups", "tasks", "notices", "devices", "people", "sheets"]
    : ["figures", "key-groups", "tasks", "notices", "devices", "sheets"];
  const [section, setSection] = useState<Section>("figures");
  if (role !== "street-admin" && role !== "viewer") return <p class="hint">{o.notForYou}</p>;
  return (
    <div class="office" data-office-role={role}>
      {!admin && <p class="readonly">{o.viewerNote}</p>}
      <nav class="office-nav">
        {sections.map((s) => (
          <button key={s} class={s === section ? "chip on" : "chip"} data-section-tab={s} onClick={() => setSection(s)}>
            {o.sections[s]}
          </button>
        ))}
      </nav>
      {section === "figures" && <FiguresSection o={o} initial={{ from: "", to: "" }} />}
      {section === "key-groups" && <KeyGroupsSection o={o} t={t} />}
      {section === "tasks" && <TasksSection o={o} t={t} />}
      {section === "notices" && <NoticesSection o={o} t={t} admin={admin} />}
      {section === "devices" && <DevicesSection o={o} t={t} />}
      {section === "people" && admin && <PeopleSection o={o} t={t} />}
      {section === "sheets" && <SheetsSection o={o} admin={admin} />}
    </div>
  );
}
