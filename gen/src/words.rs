//! The words a street's roster is made of. Names are invented from common
//! surnames and given-name characters; every closed vocabulary (relations,
//! tags, skills, affiliations, availability) uses the words linli's CSV
//! import expects (`linli_records::vocab`, `records/SHAPES.md`).

/// Common surnames, one character each.
pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
    "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜", "范", "方", "石", "姚",
    "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康", "毛", "邱", "秦", "江", "史",
    "顾", "侯", "邵", "孟", "龙", "万", "段", "雷", "钱", "汤", "尹", "黎", "易", "常", "武", "乔",
    "贺", "赖", "龚", "文", "牟", "倪", "柏", "桂", "时", "甄", "欧阳", "司马",
];

/// Characters of given names (one or two per name).
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "兰", "霞", "平", "刚", "桂", "英", "玉", "华", "红", "梅", "建", "国", "志", "文", "晓",
    "海", "燕", "春", "德", "淑", "珍", "秀", "凤", "学", "永", "宏", "振", "欣", "怡", "子", "涵",
    "浩", "然", "梓", "轩", "雨", "桐", "一", "诺", "思", "远", "佳", "琪", "博", "宇", "鑫", "婷",
];

/// Community name stems; a community is `{stem}社区`, its compounds
/// `{stem}{n}区`.
pub(crate) const COMMUNITIES: &[&str] = &[
    "东湖", "青山", "新桥", "红旗", "滨江", "幸福", "和平", "光明", "长春", "朝阳", "民主", "团结",
];

/// Relations of a member born after 2000 who is not the head.
pub(crate) const YOUNG_RELATIONS: &[&str] = &["child", "grandchild"];

/// Relations of an older member who is not the head.
pub(crate) const OLDER_RELATIONS: &[&str] = &["spouse", "parent", "child", "other"];

/// Household tags and how often each is set on a member, per mille.
pub(crate) const TAGS: &[(&str, u32)] = &[
    ("elderly-alone", 60),
    ("disabled", 30),
    ("low-income", 40),
    ("left-behind-child", 10),
    ("veteran", 20),
    ("party-member", 80),
    ("chronic-illness", 70),
    ("renter", 150),
];

/// A member's note: most are empty.
pub(crate) const NOTES: &[&str] = &["", "", "", "需定期走访", "行动不便", "子女在外地", "新迁入"];

/// Household sizes 1 to 5 and their weights, per cent.
pub(crate) const HOUSEHOLD_SIZE_WEIGHTS: [u32; 5] = [12, 30, 30, 18, 10];

/// Volunteer skills.
pub(crate) const SKILLS: &[&str] = &[
    "elderly-care",
    "home-repair",
    "errands",
    "tutoring",
    "medical",
    "legal-aid",
    "mediation",
    "cleaning",
    "driving",
    "counselling",
    "it-help",
    "cooking",
];

/// Volunteer teams; volunteer `n` joins team `n % 6`.
pub(crate) const TEAMS: &[&str] = &[
    "党员先锋队",
    "巾帼志愿队",
    "五老宣讲团",
    "青年突击队",
    "平安巡逻队",
    "便民服务队",
];

/// Where volunteers come from.
pub(crate) const AFFILIATIONS: &[&str] = &[
    "resident",
    "in-service-party-member",
    "company",
    "school",
    "retired-cadre",
    "student",
];

/// When volunteers are available.
pub(crate) const AVAILABILITY: &[&str] = &["weekends", "evenings", "weekdays", "any", "on-call"];
