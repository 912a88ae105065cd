"""A synthetic knowledge base for benchmarking the search index at scale.

The demo set is a few dozen documents; the index has to stay quick at a hundred thousand. This
module composes Chinese, English and bilingual articles and templates from the maritime,
offshore, telecom and tender-hotline vocabulary the agents work with, from a fixed seed, so
every run sees the same corpus. It writes nothing and is no demo data: titles are plausible,
bodies are filler made of the same words.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

# (Chinese, English) pairs per domain: the topics a title is about.
TOPICS: dict[str, list[tuple[str, str]]] = {
    "maritime": [
        ("台风", "typhoon"), ("船期", "sailing schedule"), ("靠泊", "berthing"),
        ("离港", "departure"), ("锚地", "anchorage"), ("引航", "pilotage"),
        ("集装箱", "container"), ("提单", "bill of lading"), ("滞期费", "demurrage"),
        ("订舱", "booking"), ("货物", "cargo"), ("清关", "customs clearance"),
        ("码头", "terminal"), ("船舶", "vessel"), ("航次", "voyage"),
        ("冷藏箱", "reefer"), ("危险品", "dangerous goods"), ("海关查验", "customs inspection"),
        ("甩柜", "rolled container"), ("船员换班", "crew change"), ("检疫", "quarantine"),
        ("保险理赔", "insurance claim"), ("改港", "port change"), ("退关", "shut out"),
    ],
    "offshore": [
        ("海上平台", "offshore platform"), ("钻井", "drilling"), ("供应船", "supply vessel"),
        ("直升机", "helicopter"), ("人员登记", "personnel on board"), ("安全培训", "safety training"),
        ("救生艇", "lifeboat"), ("气象预警", "weather warning"), ("作业许可", "permit to work"),
        ("停工", "shutdown"), ("复工", "restart"), ("物资补给", "resupply"),
        ("应急撤离", "emergency evacuation"), ("应急演练", "emergency drill"),
        ("海况", "sea state"), ("风电运维", "wind farm maintenance"),
    ],
    "telecom": [
        ("卫星电话", "satellite phone"), ("信号", "signal"), ("基站", "base station"),
        ("流量套餐", "data plan"), ("话费", "phone bill"), ("欠费停机", "overdue suspension"),
        ("复机", "reconnection"), ("国际漫游", "international roaming"), ("宽带", "broadband"),
        ("网络故障", "network outage"), ("掉线", "dropped connection"), ("短信验证码", "sms code"),
        ("携号转网", "number porting"), ("实名认证", "identity verification"),
        ("海事卫星", "inmarsat"), ("船载宽带", "vsat"), ("5G", "5g"),
    ],
    "tender": [
        ("招标公告", "tender notice"), ("投标", "bid"), ("标书", "bid document"),
        ("开标", "bid opening"), ("评标", "bid evaluation"), ("中标", "award"),
        ("资格预审", "prequalification"), ("投标保证金", "bid bond"), ("澄清答疑", "clarification"),
        ("截止时间", "deadline"), ("电子签章", "e-signature"), ("CA证书", "ca certificate"),
        ("报名", "registration"), ("异议投诉", "objection"), ("流标", "failed tender"),
    ],
}

ISSUES: list[tuple[str, str]] = [
    ("延误", "delay"), ("赔偿", "compensation"), ("退款", "refund"), ("费用", "charges"),
    ("申请", "application"), ("变更", "change"), ("取消", "cancellation"), ("查询", "status"),
    ("故障", "fault"), ("中断", "interruption"), ("投诉", "complaint"), ("异常", "exception"),
    ("时效", "lead time"), ("减免", "waiver"), ("材料", "documents"), ("规定", "rules"),
]

ACTIONS: list[tuple[str, str]] = [
    ("处理流程", "procedure"), ("说明", "explained"), ("常见问题", "faq"),
    ("回复模板", "reply"), ("操作指引", "how to"), ("注意事项", "checklist"),
    ("升级路径", "escalation"), ("安抚话术", "reassurance script"), ("", ""),
]

PLACES: list[tuple[str, str]] = [
    ("上海港", "shanghai"), ("宁波港", "ningbo"), ("深圳", "shenzhen"), ("青岛", "qingdao"),
    ("天津", "tianjin"), ("广州", "guangzhou"), ("厦门", "xiamen"), ("大连", "dalian"),
    ("新加坡", "singapore"), ("鹿特丹", "rotterdam"), ("南海", "south china sea"),
    ("渤海", "bohai"), ("香港", "hong kong"), ("釜山", "busan"),
]

VESSEL_WORDS_EN = [
    "ocean", "pacific", "golden", "northern", "star", "pioneer", "harmony", "spirit", "glory",
    "eagle", "dragon", "pearl", "fortune", "horizon", "liberty", "voyager", "trader", "express",
    "champion", "emerald", "crystal", "phoenix", "atlas", "orient", "jade", "lotus", "aurora",
    "breeze", "coral", "falcon", "galaxy", "island", "jupiter", "kestrel", "lagoon", "mariner",
]
VESSEL_WORDS_ZH = list("海洋金星龙凤安泰远航明珠祥瑞东方华夏长荣新世纪胜利和平富强光辉顺达宏图")
SYLLABLES = ["ka", "lo", "mi", "ren", "tor", "va", "zen", "qui", "bel", "dor", "fin", "gar",
             "hal", "jun", "kor", "lin", "mar", "nor", "pel", "ros", "sal", "tan", "ul", "wen"]
COMPANY_ZH = list("中远招商华润振华宏达鑫源恒通瑞丰泰和永盛昌隆嘉禾海通天宇博远")
COMPANY_KINDS = [("海运", "shipping"), ("物流", "logistics"), ("通信", "telecom"),
                 ("海洋工程", "offshore"), ("船务", "marine"), ("电子", "electronics")]

ZH_SENTENCES = [
    "客户反映{t}{i}，请先核实{p}的最新情况。",
    "根据公司规定，{t}相关的{i}需在三个工作日内回复客户。",
    "如遇{t}{i}，坐席应记录船名、航次和联系人电话。",
    "请告知客户{p}方面已收到{t}{i}的申请，正在处理中。",
    "{t}{i}通常由值班主管审批，紧急情况可直接升级。",
    "涉及{t}的{i}，需附上相关单据和照片。",
    "若客户对{t}{i}有异议，按投诉流程登记并在二十四小时内回访。",
]

EN_SENTENCES = [
    "The customer reports a {t} {i}; check the latest status for {p} first.",
    "Per company policy, any {t} {i} must be answered within three working days.",
    "For a {t} {i}, record the vessel name, voyage number and a contact phone.",
    "Tell the customer that {p} has received the {t} {i} request and is working on it.",
    "A {t} {i} is normally approved by the duty supervisor; escalate if urgent.",
    "Attach the relevant documents and photos to every {t} {i}.",
    "If the customer disputes the {t} {i}, log a complaint and call back within 24 hours.",
]


def documents(count: int, seed: int = 7) -> Iterator[dict]:
    """`count` documents in the index's input form, the same ones for the same seed."""
    rng = random.Random(seed)
    domains = list(TOPICS)
    for number in range(count):
        domain = rng.choice(domains)
        topic = rng.choice(TOPICS[domain])
        issue = rng.choice(ISSUES)
        action = rng.choice(ACTIONS)
        place = rng.choice(PLACES)
        kind = "template" if rng.random() < 0.3 else "article"
        roll = rng.random()
        lang = "zh" if roll < 0.55 else "en"
        bilingual = 0.45 <= roll < 0.55
        vessel, company = _vessel(rng, lang), _company(rng, lang)
        title = _title(rng, lang, topic, issue, action, place, bilingual)
        if rng.random() < 0.3:
            title += f" {rng.choice((vessel, company))}"
        body = _body(rng, lang, topic, issue, place) + _details(rng, lang, vessel, company)
        tags = [domain, topic[0] if lang == "zh" else topic[1], issue[0] if lang == "zh" else issue[1]]
        if bilingual:
            tags.append(topic[1])
        uses = int(rng.paretovariate(1.2)) - 1 if kind == "template" else 0
        yield {
            "id": f"{kind[:3]}-{number:06d}",
            "kind": kind,
            "title": title,
            "body": body,
            "tags": tags,
            "lang": lang,
            "uses": uses,
        }


def _title(rng: random.Random, lang: str, topic, issue, action, place, bilingual: bool) -> str:
    with_place = rng.random() < 0.4
    serial = f" {rng.randint(1, 999)}" if rng.random() < 0.3 else ""
    if lang == "zh":
        title = (place[0] if with_place else "") + topic[0] + issue[0] + action[0] + serial
        if bilingual:
            title += f" {topic[1].title()} {issue[1]}"
        return title
    words = [topic[1].capitalize(), issue[1]]
    if action[1]:
        words.append(f"- {action[1]}")
    if with_place:
        words.append(f"({place[1].title()})")
    return " ".join(words) + serial


def _body(rng: random.Random, lang: str, topic, issue, place) -> str:
    sentences = ZH_SENTENCES if lang == "zh" else EN_SENTENCES
    picked = rng.sample(sentences, rng.randint(2, 4))
    if lang == "zh":
        return "".join(s.format(t=topic[0], i=issue[0], p=place[0]) for s in picked)
    return " ".join(s.format(t=topic[1], i=issue[1], p=place[1].title()) for s in picked)


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _vessel(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return "".join(rng.sample(VESSEL_WORDS_ZH, 2)) + f"{rng.randint(1, 99)}号"
    return f"MV {rng.choice(VESSEL_WORDS_EN).title()} {_pseudo_word(rng).title()}"


def _company(rng: random.Random, lang: str) -> str:
    kind = rng.choice(COMPANY_KINDS)
    if lang == "zh":
        return "".join(rng.sample(COMPANY_ZH, rng.randint(2, 3))) + kind[0] + "有限公司"
    return f"{_pseudo_word(rng).title()} {kind[1].title()} Ltd"


def _details(rng: random.Random, lang: str, vessel: str, company: str) -> str:
    reference = f"REF-{rng.randint(10000, 99999)}"
    if lang == "zh":
        return f"相关船舶：{vessel}，客户：{company}，编号 {reference}。"
    return f" Vessel: {vessel}; customer: {company}; reference {reference}."
