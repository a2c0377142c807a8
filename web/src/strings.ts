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
  // Navigation
  tabBuildings: string;
  tabTasks: string;
  tabMe: string;
  // Status line
  syncing: string;
  lastConfirmed: (when: string) => string;
  conflictsWaiting: (n: number) => string;
  // Household list filters
  allTags: string;
  notVisitedIn: (days: number) => string;
  anyVisit: string;
  addHousehold: string;
  // Household and member forms
  editHousehold: string;
  unit: string;
  floor: string;
  roomNo: string;
  tagsHint: string;
  save: string;
  cancel: string;
  addMember: string;
  editMember: string;
  name: string;
  birthYear: string;
  phone: string;
  relationLabel: string;
  relations: string[];
  memberNote: string;
  saved: string;
  // Asking for help
  askForHelp: string;
  helpKinds: Record<string, string>;
  helpKind: string;
  helpTitle: string;
  helpDetail: string;
  helpDetailHint: string;
  sendHelp: string;
  helpRaised: string;
  householdTasks: string;
  // Tasks
  myTasks: string;
  openNeeds: string;
  otherTasks: string;
  noTasks: string;
  status: (s: string) => string;
  deadline: (when: string) => string;
  overdue: string;
  claim: string;
  start: string;
  done: string;
  claimedBy: (who: string) => string;
  youHoldIt: string;
  lostTo: (who: string) => string;
  progressNote: string;
  logHours: string;
  minutes: (n: number) => string;
  hoursLogged: string;
  history: string;
  event: (kind: string) => string;
  ignored: (reason: string) => string;
  // Conflicts
  conflicts: string;
  noConflicts: string;
  conflictField: (path: string[]) => string;
  writtenBy: (who: string, when: string) => string;
  shownNow: string;
  keepThis: string;
  typeNew: string;
  useNew: string;
  // Me
  signedInAs: (who: string) => string;
  role: (r: string | null) => string;
  storageUsed: (used: string, persisted: boolean) => string;
  signOut: string;
  signOutConfirm: (n: number) => string;
  signedOutRevoked: string;
  signedOutRevokedHint: string;
  signedOutSelf: string;
  readOnly: string;
  // Services list and notices
  tabServices: string;
  tabNotices: string;
  noServices: string;
  placesLeft: (left: number, of: number) => string;
  cost: (c: string) => string;
  offeredBy: (team: string, when: string) => string;
  requestService: string;
  requestFor: string;
  requestSent: string;
  pickService: string;
  requestStatus: (s: string) => string;
  accept: string;
  decline: string;
  requests: string;
  noNotices: string;
  unread: string;
  markRead: string;
  readOn: (when: string) => string;
  readBy: (n: number) => string;
  readBefore: (when: string) => string;
  publishService: string;
  publish: string;
  serviceWhen: string;
  serviceCapacity: string;
  rateIt: string;
  rated: (stars: number) => string;
  feedbackHint: string;
}

const zhTags: Record<string, string> = {
  "elderly-alone": "独居老人",
  elderly: "老人",
  disabled: "残疾",
  "low-income": "低保",
  renter: "租户",
  "needs-regular-visit": "需定期走访",
  "chronic-illness": "慢性病",
  "left-behind-child": "留守儿童",
  veteran: "退役军人",
  "party-member": "党员",
};
const enTags: Record<string, string> = {
  "elderly-alone": "elderly, alone",
  elderly: "elderly",
  disabled: "disabled",
  "low-income": "low income",
  renter: "renter",
  "needs-regular-visit": "needs regular visits",
  "chronic-illness": "chronic illness",
  "left-behind-child": "left-behind child",
  veteran: "veteran",
  "party-member": "party member",
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
  tabBuildings: "楼栋",
  tabTasks: "任务",
  tabMe: "我的",
  syncing: "正在同步",
  lastConfirmed: (w) => `服务器上次确认 ${w}`,
  conflictsWaiting: (n) => `${n} 处信息有两种写法，请选择`,
  allTags: "全部",
  notVisitedIn: (d) => `${d}天未走访`,
  anyVisit: "不限走访",
  addHousehold: "新增住户",
  editHousehold: "修改住户信息",
  unit: "单元",
  floor: "楼层",
  roomNo: "房号",
  tagsHint: "标签（用逗号分开，如 独居老人）",
  save: "保存",
  cancel: "取消",
  addMember: "新增家庭成员",
  editMember: "修改",
  name: "姓名",
  birthYear: "出生年份",
  phone: "电话",
  relationLabel: "与户主关系",
  relations: ["head", "spouse", "child", "parent", "grandchild", "other"],
  memberNote: "备注",
  saved: "已保存",
  askForHelp: "一键求助",
  helpKinds: {
    errand: "代买代办",
    "home-care": "居家照护",
    repair: "维修",
    visit: "探访陪伴",
    "meal-help": "助餐",
    haircut: "理发",
    "legal-aid": "法律援助",
    other: "其他",
  },
  helpKind: "需要什么帮助",
  helpTitle: "简单说明",
  helpDetail: "详细情况（不要写姓名电话）",
  helpDetailHint: "如：周五前需要降压药",
  sendHelp: "发出求助",
  helpRaised: "求助已发到社区任务板",
  householdTasks: "求助记录",
  myTasks: "我的任务",
  openNeeds: "待认领的需求",
  otherTasks: "其他任务",
  noTasks: "现在没有任务",
  status: (st) =>
    ({ open: "待认领", claimed: "已认领", "in-progress": "进行中", done: "已完成", cancelled: "已取消" })[st] ?? st,
  deadline: (w) => `截止 ${w}`,
  overdue: "已超期",
  claim: "我来认领",
  start: "开始服务",
  done: "服务完成",
  claimedBy: (w) => `由 ${w} 负责`,
  youHoldIt: "这是您的任务",
  lostTo: (w) => `${w} 先认领了这个任务，已由对方负责`,
  progressNote: "说明（可不填）",
  logHours: "记录服务时长",
  minutes: (n) => (n % 60 === 0 ? `${n / 60} 小时` : n > 60 ? `${Math.floor(n / 60)} 小时 ${n % 60} 分钟` : `${n} 分钟`),
  hoursLogged: "服务时长",
  history: "经过",
  event: (k) =>
    ({ created: "发布", claimed: "认领", started: "开始", done: "完成", cancelled: "取消", rated: "评价" })[k] ?? k,
  ignored: (r) => (r === "claim-lost" ? "（认领晚了，未生效）" : "（未生效）"),
  conflicts: "待确认的信息",
  noConflicts: "没有需要确认的信息",
  conflictField: (path) => {
    const last = path[path.length - 1] ?? "";
    const names: Record<string, string> = { phone: "电话", name: "姓名", notes: "备注", note: "备注", room: "房号", unit: "单元", birth_year: "出生年份", relation: "关系" };
    return names[last] ?? last;
  },
  writtenBy: (who, when) => `${who} 写于 ${when}`,
  shownNow: "现在显示的",
  keepThis: "用这个",
  typeNew: "都不对？输入正确的",
  useNew: "用我输入的",
  signedInAs: (w) => `当前用户：${w}`,
  role: (r) =>
    r === null
      ? "身份未确认（联网后确认）"
      : ({ "building-head": "楼栋长", "grid-worker": "网格员", volunteer: "志愿者", "team-leader": "志愿队长", viewer: "只读查看", "street-admin": "街道管理员" } as Record<string, string>)[r] ?? r,
  storageUsed: (u, p) => `本机已用 ${u}${p ? "，已设为持久保存" : "，浏览器空间不足时可能被清理"}`,
  signOut: "退出登录",
  signOutConfirm: (n) =>
    n > 0 ? `还有 ${n} 条修改没有发到服务器，退出会丢失。确定退出吗？` : "退出后本机的住户资料会被删除。确定退出吗？",
  signedOutRevoked: "您已被退出登录",
  signedOutRevokedHint: "社区已停用这台手机的登录。为保护居民信息，本机上的住户资料已删除。请向社区要新的登录链接。",
  signedOutSelf: "已退出登录，本机上的住户资料已删除。",
  readOnly: "只读：您可以查看，不能修改",
  tabServices: "服务",
  tabNotices: "通知",
  noServices: "还没有可申请的服务",
  placesLeft: (l, of) => (l > 0 ? `还剩 ${l} 个名额（共 ${of} 个）` : `名额已满（共 ${of} 个）`),
  cost: (c) => (c === "free" ? "免费" : "低偿"),
  offeredBy: (team, when) => (when ? `${team} 提供 · ${when}` : `${team} 提供`),
  requestService: "申请服务",
  requestFor: "为这户申请",
  requestSent: "已申请，等待服务方确认",
  pickService: "选择要申请的服务",
  requestStatus: (s) =>
    ({ waiting: "等待确认", accepted: "已接单", declined: "已婉拒", full: "名额已满，未排上" })[s] ?? s,
  accept: "接单",
  decline: "婉拒",
  requests: "申请",
  noNotices: "没有通知",
  unread: "未读",
  markRead: "我已阅读",
  readOn: (w) => `已读 ${w}`,
  readBy: (n) => `${n} 人已读`,
  readBefore: (w) => `请在 ${w} 前阅读`,
  publishService: "发布服务",
  publish: "发布",
  serviceWhen: "服务时间（如：每周六上午）",
  serviceCapacity: "本月可接几户",
  rateIt: "居民评价",
  rated: (n) => `居民评价 ${"★".repeat(n)}`,
  feedbackHint: "居民的话（可不填）",
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
  tabBuildings: "Buildings",
  tabTasks: "Tasks",
  tabMe: "Me",
  syncing: "syncing",
  lastConfirmed: (w) => `relay last confirmed ${w}`,
  conflictsWaiting: (n) => `${n} field${n === 1 ? " has" : "s have"} two values: choose`,
  allTags: "All",
  notVisitedIn: (d) => `not visited in ${d} days`,
  anyVisit: "any visit",
  addHousehold: "Add a household",
  editHousehold: "Edit household",
  unit: "Unit",
  floor: "Floor",
  roomNo: "Room",
  tagsHint: "Tags (comma separated, e.g. elderly-alone)",
  save: "Save",
  cancel: "Cancel",
  addMember: "Add a member",
  editMember: "Edit",
  name: "Name",
  birthYear: "Year of birth",
  phone: "Phone",
  relationLabel: "Relation to the head",
  relations: ["head", "spouse", "child", "parent", "grandchild", "other"],
  memberNote: "Note",
  saved: "Saved",
  askForHelp: "Ask for help",
  helpKinds: {
    errand: "Errand",
    "home-care": "Home care",
    repair: "Repair",
    visit: "Company",
    "meal-help": "Meal help",
    haircut: "Haircut",
    "legal-aid": "Legal aid",
    other: "Other",
  },
  helpKind: "What help",
  helpTitle: "In a few words",
  helpDetail: "Details (no names or phone numbers)",
  helpDetailHint: "e.g. blood pressure pills by Friday",
  sendHelp: "Send",
  helpRaised: "Sent to the community's task board",
  householdTasks: "Help asked",
  myTasks: "My tasks",
  openNeeds: "Open needs",
  otherTasks: "Other tasks",
  noTasks: "No tasks now",
  status: (st) =>
    ({ open: "open", claimed: "claimed", "in-progress": "in progress", done: "done", cancelled: "cancelled" })[st] ?? st,
  deadline: (w) => `due ${w}`,
  overdue: "overdue",
  claim: "I'll take it",
  start: "Start",
  done: "Done",
  claimedBy: (w) => `held by ${w}`,
  youHoldIt: "This task is yours",
  lostTo: (w) => `claimed first by ${w}; it is theirs`,
  progressNote: "Note (optional)",
  logHours: "Log hours",
  minutes: (n) => (n < 60 ? `${n} min` : `${Math.floor(n / 60)} h${n % 60 ? ` ${n % 60} min` : ""}`),
  hoursLogged: "Service hours",
  history: "History",
  event: (k) => k,
  ignored: (r) => (r === "claim-lost" ? "(claimed later; not counted)" : "(not counted)"),
  conflicts: "Fields to settle",
  noConflicts: "Nothing to settle",
  conflictField: (path) => path.join(" / "),
  writtenBy: (who, when) => `${who}, ${when}`,
  shownNow: "shown now",
  keepThis: "Keep this",
  typeNew: "Neither? Type the right value",
  useNew: "Use what I typed",
  signedInAs: (w) => `Signed in as ${w}`,
  role: (r) => (r === null ? "role not yet confirmed (confirmed when online)" : r),
  storageUsed: (u, p) => `${u} used on this phone${p ? ", kept persistently" : "; the browser may clear it when short of space"}`,
  signOut: "Sign out",
  signOutConfirm: (n) =>
    n > 0
      ? `${n} change${n === 1 ? " is" : "s are"} not on the relay yet and will be lost. Sign out anyway?`
      : "Signing out deletes the residents' data on this phone. Sign out?",
  signedOutRevoked: "You were signed out",
  signedOutRevokedHint:
    "The office stopped this phone's sign-in. To protect residents, their data on this phone was deleted. Ask the office for a new link.",
  signedOutSelf: "Signed out; the residents' data on this phone was deleted.",
  readOnly: "Read only: you can look but not change",
  tabServices: "Services",
  tabNotices: "Notices",
  noServices: "No services on offer yet",
  placesLeft: (l, of) => (l > 0 ? `${l} of ${of} places left` : `Full (${of} places)`),
  cost: (c) => (c === "free" ? "Free" : "Low cost"),
  offeredBy: (team, when) => (when ? `by ${team} · ${when}` : `by ${team}`),
  requestService: "Request a service",
  requestFor: "Request for this household",
  requestSent: "Requested; waiting for the provider",
  pickService: "Pick a service to request",
  requestStatus: (s) =>
    ({ waiting: "Waiting", accepted: "Accepted", declined: "Declined", full: "Full: no place" })[s] ?? s,
  accept: "Accept",
  decline: "Decline",
  requests: "Requests",
  noNotices: "No notices",
  unread: "Unread",
  markRead: "I have read it",
  readOn: (w) => `Read ${w}`,
  readBy: (n) => `${n} read`,
  readBefore: (w) => `Read by ${w}`,
  publishService: "Offer a service",
  publish: "Publish",
  serviceWhen: "When (e.g. Saturday mornings)",
  serviceCapacity: "How many households this month",
  rateIt: "Resident's rating",
  rated: (n) => `Rated ${"★".repeat(n)}`,
  feedbackHint: "The resident's words (optional)",
};

export const tables: Record<Lang, Strings> = { "zh-CN": zh, en };

export function savedLang(): Lang {
  return localStorage.getItem("linli-lang") === "en" ? "en" : "zh-CN";
}

export function saveLang(lang: Lang): void {
  localStorage.setItem("linli-lang", lang);
}
