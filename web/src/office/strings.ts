// The street office's words, Chinese first. Kept beside the office pages
// so the field app's table stays the phones' own.

import type { Lang } from "../strings";

export interface OfficeStrings {
  tab: string;
  sections: Record<Section, string>;
  from: string;
  to: string;
  show: string;
  street: string;
  tasksRaised: string;
  tasksDone: string;
  tasksCancelled: string;
  completionRate: string;
  firstResponse: string;
  timeToClose: string;
  median: string;
  p90: string;
  onTime: string;
  inTarget: string;
  servicesDelivered: string;
  newNotice: string;
  noticeFor: string;
  noticeTitle: string;
  noticeBody: string;
  noticeDeadline: string;
  publishNotice: string;
  readCount: (read: number, of: number) => string;
  unreadBy: (names: string) => string;
  rating: string;
  ratings: (n: number) => string;
  serviceHours: string;
  byCommunity: string;
  byTeam: string;
  byVolunteer: string;
  name: string;
  trend: string;
  none: string;
  duration: (ms: number | null) => string;
  percent: (x: number | null) => string;
  stars: (x: number | null) => string;
  hours: (minutes: number) => string;
  notVisitedIn: (days: number) => string;
  households: string;
  keyHouseholds: string;
  notVisited: string;
  heads: string;
  noHead: string;
  community: string;
  building: string;
  showHouseholds: string;
  onlyNotVisited: string;
  allHouseholds: string;
  address: string;
  phones: string;
  lastVisit: string;
  never: string;
  overdue: string;
  unclaimed: string;
  held: string;
  nothing: string;
  raisedOn: (date: string) => string;
  dueOn: (date: string) => string;
  devicesHint: string;
  device: string;
  role: string;
  scope: string;
  connectedNow: string;
  lastSeen: string;
  lastChange: string;
  silentFor: (days: number) => string;
  recentDocuments: string;
  who: string;
  when: string;
  roles: Record<string, string>;
  newToken: string;
  tokenName: string;
  tokenNameHint: string;
  person: string;
  personHint: string;
  pickScope: string;
  buildings: string;
  communities: string;
  teams: string;
  create: string;
  createdOnce: string;
  signInLink: string;
  copy: string;
  copied: string;
  secret: string;
  tokens: string;
  revoke: string;
  revokeConfirm: (name: string) => string;
  revoked: string;
  changeScope: string;
  saveScope: string;
  cancel: string;
  connections: (n: number) => string;
  exportTitle: string;
  exportHint: string;
  exportWhat: Record<"households" | "volunteers" | "tasks", string>;
  csv: string;
  xlsx: string;
  failed: (m: string) => string;
  importTitle: string;
  importHint: string;
  importPick: string;
  importing: (done: number, total: number, what: string) => string;
  imported: (total: number) => string;
  importSummary: (changes: number, rejected: number) => string;
  rejectedLine: (line: number, reasons: string) => string;
  importDetails: string;
  notForYou: string;
  viewerNote: string;
}

export type Section = "figures" | "key-groups" | "tasks" | "notices" | "devices" | "people" | "sheets";

function days(ms: number): number {
  return ms / 86_400_000;
}

const zh: OfficeStrings = {
  tab: "街道办",
  sections: {
    figures: "数据",
    "key-groups": "重点人群",
    tasks: "任务",
    notices: "通知",
    devices: "设备",
    people: "人员与令牌",
    sheets: "表格",
  },
  from: "从",
  to: "到",
  show: "查看",
  street: "全街道",
  tasksRaised: "提出的需求",
  tasksDone: "完成",
  tasksCancelled: "取消",
  completionRate: "完成率",
  firstResponse: "首次响应",
  timeToClose: "办结用时",
  median: "中位数",
  p90: "90%在此之内",
  onTime: "按期完成",
  inTarget: "按时响应",
  servicesDelivered: "服务清单完成情况",
  newNotice: "发布通知",
  noticeFor: "发给哪些社区",
  noticeTitle: "标题",
  noticeBody: "内容",
  noticeDeadline: "请在此日期前阅读（可不填）",
  publishNotice: "发布",
  readCount: (r, of) => `已读 ${r} / ${of}`,
  unreadBy: (n) => `未读：${n}`,
  rating: "评价",
  ratings: (n) => `${n} 条评价`,
  serviceHours: "服务时长",
  byCommunity: "按社区",
  byTeam: "按队伍",
  byVolunteer: "按志愿者",
  name: "名称",
  trend: "每月趋势",
  none: "—",
  duration: (ms) => {
    if (ms === null) return "—";
    const h = ms / 3_600_000;
    if (ms < 60_000) return "不到 1 分钟";
    if (h < 1) return `${Math.round(ms / 60000)} 分钟`;
    if (h < 48) return `${h.toFixed(1)} 小时`;
    return `${days(ms).toFixed(1)} 天`;
  },
  percent: (x) => (x === null ? "—" : `${Math.round(x * 100)}%`),
  stars: (x) => (x === null ? "—" : `${x.toFixed(1)} 星`),
  hours: (m) => `${(m / 60).toFixed(1)} 小时`,
  notVisitedIn: (d) => `${d} 天未走访`,
  households: "户数",
  keyHouseholds: "重点户",
  notVisited: "未走访",
  heads: "楼栋长",
  noHead: "未指定",
  community: "社区",
  building: "楼栋",
  showHouseholds: "看住户",
  onlyNotVisited: "只看未走访的重点户",
  allHouseholds: "全部住户",
  address: "房号",
  phones: "电话",
  lastVisit: "上次走访",
  never: "从未",
  overdue: "已超期",
  unclaimed: "无人认领（最早的在前）",
  held: "谁在办",
  nothing: "没有",
  raisedOn: (d) => `${d} 提出`,
  dueOn: (d) => `期限 ${d}`,
  devicesHint: "一周以上没有同步的手机标成红色。",
  device: "令牌（人或设备）",
  role: "角色",
  scope: "范围",
  connectedNow: "在线",
  lastSeen: "最近同步",
  lastChange: "最近修改",
  silentFor: (d) => (d < 1 ? "今天" : `${Math.floor(d)} 天前`),
  recentDocuments: "最近一周有修改的文档",
  who: "谁",
  when: "时间",
  roles: {
    "street-admin": "街道管理员",
    "grid-worker": "网格员",
    "building-head": "楼栋长",
    volunteer: "志愿者",
    "team-leader": "队长",
    viewer: "只读查看",
  },
  newToken: "给一个人发令牌",
  tokenName: "名称（人名或手机，不能重复）",
  tokenNameHint: "例如：王桂兰-手机",
  person: "登录身份（可不填，默认同名称；志愿者填志愿者编号）",
  personHint: "例如：v00007",
  pickScope: "管哪些（点选）",
  buildings: "楼栋",
  communities: "社区",
  teams: "队伍",
  create: "生成令牌和登录二维码",
  createdOnce: "请现在就把链接或二维码发给本人。它只显示这一次，关闭后无法再看到。",
  signInLink: "登录链接",
  copy: "复制",
  copied: "已复制",
  secret: "令牌",
  tokens: "已发的令牌",
  revoke: "收回",
  revokeConfirm: (n) => `确定收回「${n}」的令牌吗？这台手机会立刻断开，并删除手机上的住户资料。`,
  revoked: "已收回",
  changeScope: "改范围",
  saveScope: "保存范围",
  cancel: "取消",
  connections: (n) => (n > 0 ? `${n} 台在线` : "不在线"),
  exportTitle: "导出表格",
  exportHint: "CSV 可以用 Excel 或 WPS 直接打开（已带 BOM，中文不会乱码），也可以再导入。",
  exportWhat: { households: "住户（residents.csv）", volunteers: "志愿者（volunteers.csv）", tasks: "任务" },
  csv: "CSV",
  xlsx: "Excel",
  failed: (m) => `出错了：${m}`,
  importTitle: "导入表格",
  importHint: "选择 residents.csv（住户）或 volunteers.csv（志愿者）。有问题的行会列出行号和原因，其余照常导入；同一个文件再导入一次不会改动任何东西。",
  importPick: "选择 CSV 文件导入",
  importing: (d, t, w) => `正在导入 ${d}/${t}：${w}`,
  imported: (t) => `已处理 ${t} 个楼栋或队伍`,
  importSummary: (c, r) => (c === 0 && r === 0 ? "导入完成：没有需要改动的内容" : `导入完成：${c} 处改动，${r} 行未导入`),
  rejectedLine: (l, why) => `第 ${l} 行未导入：${why}`,
  importDetails: "每个楼栋的明细",
  notForYou: "这些页面只给街道管理员和只读查看的令牌。",
  viewerNote: "只读查看：可以看数据，不能发令牌、收回或导入。",
};

const en: OfficeStrings = {
  tab: "Office",
  sections: {
    figures: "Figures",
    "key-groups": "Key groups",
    tasks: "Tasks",
    notices: "Notices",
    devices: "Devices",
    people: "People & tokens",
    sheets: "Spreadsheets",
  },
  from: "From",
  to: "To",
  show: "Show",
  street: "Whole street",
  tasksRaised: "Needs raised",
  tasksDone: "Done",
  tasksCancelled: "Cancelled",
  completionRate: "Completion rate",
  firstResponse: "First response",
  timeToClose: "Time to close",
  median: "median",
  p90: "90% within",
  onTime: "Done by the deadline",
  inTarget: "Answered in target",
  servicesDelivered: "Services delivered",
  newNotice: "New notice",
  noticeFor: "For which communities",
  noticeTitle: "Title",
  noticeBody: "Text",
  noticeDeadline: "Read by (optional)",
  publishNotice: "Publish",
  readCount: (r, of) => `Read by ${r} of ${of}`,
  unreadBy: (n) => `Not read yet: ${n}`,
  rating: "Rating",
  ratings: (n) => `${n} rated`,
  serviceHours: "Service hours",
  byCommunity: "By community",
  byTeam: "By team",
  byVolunteer: "By volunteer",
  name: "Name",
  trend: "Month by month",
  none: "—",
  duration: (ms) => {
    if (ms === null) return "—";
    const h = ms / 3_600_000;
    if (ms < 60_000) return "< 1 min";
    if (h < 1) return `${Math.round(ms / 60000)} min`;
    if (h < 48) return `${h.toFixed(1)} h`;
    return `${days(ms).toFixed(1)} days`;
  },
  percent: (x) => (x === null ? "—" : `${Math.round(x * 100)}%`),
  stars: (x) => (x === null ? "—" : `${x.toFixed(1)}★`),
  hours: (m) => `${(m / 60).toFixed(1)} h`,
  notVisitedIn: (d) => `Not visited in ${d} days`,
  households: "Households",
  keyHouseholds: "In key groups",
  notVisited: "Not visited",
  heads: "Building heads",
  noHead: "none",
  community: "Community",
  building: "Building",
  showHouseholds: "Households",
  onlyNotVisited: "Only key households not visited",
  allHouseholds: "All households",
  address: "Room",
  phones: "Phone",
  lastVisit: "Last visit",
  never: "never",
  overdue: "Overdue",
  unclaimed: "Nobody has claimed (oldest first)",
  held: "Who holds what",
  nothing: "None",
  raisedOn: (d) => `raised ${d}`,
  dueOn: (d) => `due ${d}`,
  devicesHint: "Phones that have not synced for a week are shown in red.",
  device: "Token (person or device)",
  role: "Role",
  scope: "Scope",
  connectedNow: "Online",
  lastSeen: "Last synced",
  lastChange: "Last change",
  silentFor: (d) => (d < 1 ? "today" : `${Math.floor(d)} days ago`),
  recentDocuments: "Documents changed in the last week",
  who: "Who",
  when: "When",
  roles: {
    "street-admin": "Street admin",
    "grid-worker": "Grid worker",
    "building-head": "Building head",
    volunteer: "Volunteer",
    "team-leader": "Team leader",
    viewer: "Viewer (read only)",
  },
  newToken: "Give someone a token",
  tokenName: "Name (person or phone, unique)",
  tokenNameHint: "e.g. wang-guilan-phone",
  person: "Signs in as (optional; default the name; a volunteer's id for volunteers)",
  personHint: "e.g. v00007",
  pickScope: "Responsible for (tap to pick)",
  buildings: "Buildings",
  communities: "Communities",
  teams: "Teams",
  create: "Make token and sign-in code",
  createdOnce: "Send the link or the code to the person now. It is shown only this once.",
  signInLink: "Sign-in link",
  copy: "Copy",
  copied: "Copied",
  secret: "Token",
  tokens: "Tokens given out",
  revoke: "Revoke",
  revokeConfirm: (n) => `Revoke "${n}"? That phone is disconnected at once and deletes the residents' data it holds.`,
  revoked: "revoked",
  changeScope: "Change scope",
  saveScope: "Save scope",
  cancel: "Cancel",
  connections: (n) => (n > 0 ? `${n} online` : "offline"),
  exportTitle: "Export",
  exportHint: "CSV opens in Excel and WPS (it has a BOM, so Chinese shows correctly) and imports back.",
  exportWhat: { households: "Households (residents.csv)", volunteers: "Volunteers (volunteers.csv)", tasks: "Tasks" },
  csv: "CSV",
  xlsx: "Excel",
  failed: (m) => `Something went wrong: ${m}`,
  importTitle: "Import",
  importHint: "Pick residents.csv or volunteers.csv. Rows with problems are listed with their line and reason; the rest are imported. Importing the same file again changes nothing.",
  importPick: "Choose a CSV file to import",
  importing: (d, t, w) => `Importing ${d}/${t}: ${w}`,
  imported: (t) => `${t} buildings or teams done`,
  importSummary: (c, r) => (c === 0 && r === 0 ? "Done: nothing needed changing" : `Done: ${c} change(s), ${r} row(s) not imported`),
  rejectedLine: (l, why) => `Line ${l} not imported: ${why}`,
  importDetails: "Each building",
  notForYou: "These pages are for street-admin and viewer tokens.",
  viewerNote: "Viewer: you can read the figures, not give out tokens, revoke or import.",
};

export const officeTables: Record<Lang, OfficeStrings> = { "zh-CN": zh, en };
