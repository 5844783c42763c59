//! Chinese personal and place names for synthetic data.

use rand::Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
    "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
    "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
];
const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩",
    "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "建", "国", "峰", "晨", "志", "海", "东", "文", "成", "亮", "德",
];
const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "英", "红", "梅", "琳", "婷", "雪", "慧", "颖", "倩",
    "洁", "萍", "兰", "琴", "云", "月", "凤", "秀", "晶", "欣", "悦", "佳", "怡", "蓉", "素",
];
const PLACE: &[&str] = &[
    "青", "山", "河", "东", "西", "南", "北", "平", "安", "宁", "丰", "乐", "兴", "和", "福", "清", "泉", "林", "溪", "石",
    "桥", "阳", "新", "华", "长", "永", "定", "远", "凤", "龙", "金", "玉", "云", "湖", "江", "松", "柏", "梅", "桃", "柳",
    "家", "营", "庄", "坪", "岭", "湾", "塘", "集", "坝", "寨", "坊", "港", "源", "茶", "竹", "望", "鹿", "马", "双", "三",
];
const TRADE: &[&str] = &["科技", "机械", "纺织", "建材", "食品", "物流", "电子", "新材料", "农业开发", "商贸", "包装", "服饰", "生物", "化工", "家居"];
const SOCIAL: &[&str] = &["个体劳动者协会", "志愿者协会", "养老服务中心", "商会", "社会工作服务站", "慈善协会", "书画协会", "篮球协会"];

pub fn person<R: Rng>(rng: &mut R, female: bool) -> String {
    let s = SURNAMES[weighted_index(rng, SURNAMES.len())];
    let pool = if female { FEMALE } else { MALE };
    let a = pool[rng.gen_range(0..pool.len())];
    if rng.gen_bool(0.35) {
        format!("{s}{a}")
    } else {
        format!("{s}{a}{}", pool[rng.gen_range(0..pool.len())])
    }
}

/// Earlier surnames are more common (roughly Zipf).
fn weighted_index<R: Rng>(rng: &mut R, n: usize) -> usize {
    let x: f64 = rng.gen();
    ((x * x) * n as f64) as usize % n
}

pub fn place<R: Rng>(rng: &mut R) -> String {
    let a = PLACE[rng.gen_range(0..PLACE.len())];
    let mut b = PLACE[rng.gen_range(0..PLACE.len())];
    while b == a {
        b = PLACE[rng.gen_range(0..PLACE.len())];
    }
    format!("{a}{b}")
}

pub fn enterprise<R: Rng>(rng: &mut R, place: &str) -> String {
    format!("{place}{}有限公司", TRADE[rng.gen_range(0..TRADE.len())])
}

pub fn social_org<R: Rng>(rng: &mut R, place: &str) -> String {
    format!("{place}{}", SOCIAL[rng.gen_range(0..SOCIAL.len())])
}
