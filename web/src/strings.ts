// Every word the app shows, one table per language. Chinese first, in the
// plain words building heads use; English second. Components never write
// text inline: they take it from here.

export type Lang = "zh-CN" | "en";

export interface Strings {
  appName: string;
  switchLang: string;
  back: string;
  signInNeeded: string;
  signInHint: string;
  signingIn: string;
  loading: string;
  myBuildings: string;
  noBuildings: string;
  householdsCount: (n: number) => string;
  searchPlaceholder: string;
  noHouseholds: string;
  room: (unit: string, floor: number | null, room: string) => string;
  lastVisit: (when: string) => string;
  neverVisited: string;
  members: string;
  call: string;
  bornIn: (year: number) => string;
  tags: string;
  notes: string;
  visits: string;
  noVisits: string;
  logVisit: string;
  visitNote: string;
  saveVisit: string;
  visitSaved: string;
  allSaved: string;
  pending: (n: number, age: string) => string;
  online: string;
  offline: string;
  age: (ms: number) => string;
  date: (ms: number) => string;
  tag: (tag: string) => string;
  relation: (r: string) => string;
  error: (message: string) => string;
}

const zhTags: Record<string, string> = {
  "elderly-alone": "独居老人",
  elderly: "老人",
  disabled: "残疾",
  "low-income": "低保",
  renter: "租户",
  "needs-regular-visit": "需定期走访",
};
const enTags: Record<string, string> = {
  "elderly-alone": "elderly, alone",
  elderly: "elderly",
  disabled: "disabled",
  "low-income": "low income",
  renter: "renter",
  "needs-regular-visit": "needs regular visits",
};
const zhRelations: Record<string, string> = {
  head: "户主",
  spouse: "配偶",
  child: "子女",
  parent: "父母",
  grandchild: "孙子女",
  other: "其他",
};

function pad(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
function ymd(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const zh: Strings = {
  appName: "邻里",
  switchLang: "English",
  back: "返回",
  signInNeeded: "还没有登录",
  signInHint: "请用社区发给您的登录链接或二维码打开本页。",
  signingIn: "正在登录…",
  loading: "正在读取…",
  myBuildings: "我的楼栋",
  noBuildings: "这台手机上还没有楼栋。联网后会自动下载。",
  householdsCount: (n) => `${n} 户`,
  searchPlaceholder: "搜索房号或姓名",
  noHouseholds: "没有找到住户",
  room: (unit, floor, room) => `${unit ? `${unit}单元 ` : ""}${floor !== null ? `${floor}楼 ` : ""}${room}室`,
  lastVisit: (when) => `上次走访 ${when}`,
  neverVisited: "还没有走访",
  members: "家庭成员",
  call: "拨打",
  bornIn: (y) => `${y}年生`,
  tags: "标签",
  notes: "备注",
  visits: "走访记录",
  noVisits: "还没有走访记录",
  logVisit: "记录走访",
  visitNote: "情况说明（可不填）",
  saveVisit: "保存走访",
  visitSaved: "走访已记录",
  allSaved: "全部已保存到服务器",
  pending: (n, age) => `${n} 条修改仅在本机，最早 ${age}前`,
  online: "已联网",
  offline: "未联网",
  age: (ms) => {
    const min = Math.floor(ms / 60000);
    if (min < 1) return "不到 1 分钟";
    if (min < 60) return `${min} 分钟`;
    const h = Math.floor(min / 60);
    if (h < 48) return `${h} 小时`;
    return `${Math.floor(h / 24)} 天`;
  },
  date: ymd,
  tag: (t) => zhTags[t] ?? t,
  relation: (r) => zhRelations[r] ?? r,
  error: (m) => `出错了：${m}`,
};

const en: Strings = {
  appName: "linli",
  switchLang: "中文",
  back: "Back",
  signInNeeded: "Not signed in",
  signInHint: "Open this page with the sign-in link or QR code your community office gave you.",
  signingIn: "Signing in…",
  loading: "Loading…",
  myBuildings: "My buildings",
  noBuildings: "No buildings on this phone yet. They download when online.",
  householdsCount: (n) => `${n} households`,
  searchPlaceholder: "Search room or name",
  noHouseholds: "No households found",
  room: (unit, floor, room) => `${unit ? `unit ${unit}, ` : ""}${floor !== null ? `floor ${floor}, ` : ""}room ${room}`,
  lastVisit: (when) => `last visit ${when}`,
  neverVisited: "not visited yet",
  members: "Members",
  call: "Call",
  bornIn: (y) => `born ${y}`,
  tags: "Tags",
  notes: "Notes",
  visits: "Visits",
  noVisits: "No visits yet",
  logVisit: "Log a visit",
  visitNote: "What you found (optional)",
  saveVisit: "Save visit",
  visitSaved: "Visit logged",
  allSaved: "All saved on the relay",
  pending: (n, age) => `${n} change${n === 1 ? "" : "s"} only on this phone, oldest ${age} ago`,
  online: "online",
  offline: "offline",
  age: (ms) => {
    const min = Math.floor(ms / 60000);
    if (min < 1) return "under a minute";
    if (min < 60) return `${min} min`;
    const h = Math.floor(min / 60);
    if (h < 48) return `${h} h`;
    return `${Math.floor(h / 24)} days`;
  },
  date: ymd,
  tag: (t) => enTags[t] ?? t,
  relation: (r) => r,
  error: (m) => `Something went wrong: ${m}`,
};

export const tables: Record<Lang, Strings> = { "zh-CN": zh, en };

export function savedLang(): Lang {
  return localStorage.getItem("linli-lang") === "en" ? "en" : "zh-CN";
}

export function saveLang(lang: Lang): void {
  localStorage.setItem("linli-lang", lang);
}
