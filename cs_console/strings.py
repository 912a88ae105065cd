"""Every sentence the interface says, in English and Chinese, in one place.

Screens and commands ask for a string by key (`strings("lead.moved", count=3, agent="Lin
Wei")`) and never write user-facing text inline, so a translation is one edit here and a
test can check that every key has both languages with the same placeholders. The language
comes from the config file's `language` when it sets one, else from the locale
(LC_ALL, LC_MESSAGES, LANG: "zh_CN.UTF-8" speaks Chinese), else English.

Keys name where a string is used: `lead.*` the team view, `kpi.*` its KPI pane, `staffing.*`
the Erlang C pane and command, `assign.*` the reassign dialog, `routing.*` the reasons of a
routing suggestion, `metric.*` and `report.*` the reports, `cli.*` the commands, `key.*`
the footer's key labels (by binding id). Only the screens and commands written since this
module exist use it so far; the older screens still carry their English inline.

It refuses to guess: an unknown key or a missing placeholder raises, and tests catch it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from string import Formatter

LANGUAGES = ("en", "zh")
"""English first: the fallback."""
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Read in this order, as POSIX does; the first one set decides."""

CATALOG: dict[str, tuple[str, str]] = {
    # -- the team view --------------------------------------------------------------------
    "lead.title": ("Team · {team} · {lead}", "团队 · {team} · {lead}"),
    "lead.all_teams": ("all teams", "全部团队"),
    "lead.summary": (
        "{agents} agents · {active} active · ✖ {breached} overdue · ! {at_risk} at risk · ☹ {upset} upset",
        "{agents} 名坐席 · {active} 个处理中 · ✖ {breached} 超时 · ! {at_risk} 临近超时 · ☹ {upset} 需安抚",
    ),
    "lead.readonly": ("read-only", "只读"),
    "lead.loading": ("loading…", "加载中…"),
    "lead.tab.team": ("Team", "团队"),
    "lead.tab.breaches": ("Breaches", "超时"),
    "lead.tab.escalations": ("Escalations", "升级"),
    "lead.tab.kpis": ("KPIs", "指标"),
    "lead.tab.staffing": ("Staffing", "排班"),
    "lead.col.agent": ("Agent", "坐席"),
    "lead.col.active": ("Active", "处理中"),
    "lead.col.breached": ("✖ Over", "✖ 超时"),
    "lead.col.at_risk": ("! Risk", "! 临近"),
    "lead.col.upset": ("☹", "☹"),
    "lead.col.oldest": ("Oldest waiting", "等待最久"),
    "lead.col.load": ("Load", "负荷"),
    "lead.col.ticket": ("Ticket", "工单"),
    "lead.col.priority": ("Pri", "优先"),
    "lead.col.due": ("Next due", "下一时限"),
    "lead.col.expert_clock": ("48h answer", "48小时答复"),
    "lead.col.customer": ("Customer", "客户"),
    "lead.col.subject": ("Subject", "主题"),
    "lead.unassigned": ("— unassigned", "— 未分配"),
    "lead.nobody": ("unassigned", "未分配"),
    "lead.role.lead": ("lead", "组长"),
    "lead.role.admin": ("admin", "管理员"),
    "lead.role.agent": ("agent", "坐席"),
    "lead.queue_title": ("Queue of {agent} · {count} active · {selected} selected",
                         "{agent} 的队列 · {count} 个处理中 · 已选 {selected} 个"),
    "lead.not_lead": ("The team view is for leads and admins; {agent} works as {role}.",
                      "团队视图仅供组长和管理员使用；{agent} 的角色是{role}。"),
    "lead.no_agent": ("Choose who you work as first (ctrl+p, Switch agent).", "请先选择工作身份（ctrl+p，切换坐席）。"),
    "lead.readonly_refused": ("Read-only session: nothing can be changed (started with --readonly).",
                              "只读会话：不能修改任何内容（以 --readonly 启动）。"),
    "lead.nothing_chosen": ("Put the cursor on a ticket, or select some with space, first.",
                            "请先把光标移到工单上，或用空格选择工单。"),
    "lead.confirm_move": ("Move {count} ticket(s) to {agent}?\n{numbers}",
                          "把 {count} 个工单转给 {agent}？\n{numbers}"),
    "lead.moved": ("Moved {count} ticket(s) to {agent}.", "已把 {count} 个工单转给 {agent}。"),
    "lead.move_failed": ("Nothing moved: {reason}", "未转派：{reason}"),
    "lead.route_none": ("No unassigned ticket to route.", "没有待分配的工单。"),
    "lead.route_nobody": ("No active agent in the team to route to.", "团队里没有可分配的在岗坐席。"),
    "lead.confirm_route": ("Route {count} unassigned ticket(s) as suggested?\n{plan}",
                           "按建议分配 {count} 个未分配工单？\n{plan}"),
    "lead.route_line": ("{number} → {agent} ({why})", "{number} → {agent}（{why}）"),
    "lead.route_more": ("… and {count} more", "…… 还有 {count} 个"),
    "lead.routed": ("Routed {count} ticket(s).", "已分配 {count} 个工单。"),
    # -- the reassign dialog ----------------------------------------------------------------
    "assign.title": ("Reassign {count} ticket(s): {numbers}", "转派 {count} 个工单：{numbers}"),
    "assign.hint": ("Best first for {number}. Enter picks, Escape cancels.",
                    "按 {number} 的匹配度排序。回车选择，Esc 取消。"),
    "assign.option": ("{name} · {score:+.1f} · load {load}", "{name} · {score:+.1f} · 负荷 {load}"),
    # -- routing reasons --------------------------------------------------------------------
    "routing.skill": ("knows {value} ({points:+g})", "熟悉 {value}（{points:+g}）"),
    "routing.no_skill": ("no {value} skill (0)", "不熟悉 {value}（0）"),
    "routing.language": ("speaks {value} ({points:+g})", "会说 {value}（{points:+g}）"),
    "routing.no_language": ("does not speak {value} ({points:+g})", "不会说 {value}（{points:+g}）"),
    "routing.team": ("same team ({points:+g})", "同一团队（{points:+g}）"),
    "routing.load": ("load {value} ({points:+g})", "负荷 {value}（{points:+g}）"),
    "routing.lead": ("{value}: keeps time for escalations ({points:+g})", "{value}：留时间处理升级（{points:+g}）"),
    # -- the KPI pane ---------------------------------------------------------------------
    "kpi.heading": ("{kind} {period} · against {previous} · w: week/month/quarter/year · [ ]: earlier, later",
                    "{kind} {period} · 对比 {previous} · w：周/月/季/年 · [ ]：前后翻"),
    "kpi.this": ("This", "本期"),
    "kpi.before": ("Before", "上期"),
    "kpi.change": ("Change", "变化"),
    "kpi.trends": ("Trends", "趋势"),
    "kpi.categories": ("Top categories", "主要问题类别"),
    "kpi.rising": ("Rising fastest", "增长最快"),
    "kpi.agents": ("Agents", "坐席"),
    "kpi.none": ("no data", "无数据"),
    # -- staffing -----------------------------------------------------------------------
    "staffing.heading": (
        "Erlang C · {day} · {target:.0%} answered within {answer:g} min · {handle:g} min per ticket · "
        "arrivals averaged over {weeks} weeks · d: next day",
        "Erlang C · {day} · {target:.0%} 在 {answer:g} 分钟内首次响应 · 每单 {handle:g} 分钟 · "
        "到达量取最近 {weeks} 周平均 · d：下一天",
    ),
    "staffing.hour": ("Hour", "时段"),
    "staffing.arrivals": ("Tickets/h", "工单/小时"),
    "staffing.agents": ("Agents", "坐席"),
    "staffing.occupancy": ("Occupancy", "占用率"),
    "staffing.wait": ("Avg wait", "平均等待"),
    "staffing.service": ("Answered in time", "按时响应"),
    "staffing.peak": ("Agents needed at the busiest hour: {peaks}", "各天最忙时段所需坐席：{peaks}"),
    "staffing.weekday.0": ("Mon", "周一"),
    "staffing.weekday.1": ("Tue", "周二"),
    "staffing.weekday.2": ("Wed", "周三"),
    "staffing.weekday.3": ("Thu", "周四"),
    "staffing.weekday.4": ("Fri", "周五"),
    "staffing.weekday.5": ("Sat", "周六"),
    "staffing.weekday.6": ("Sun", "周日"),
    # -- reports -------------------------------------------------------------------------
    "period.weekly": ("Weekly", "周"),
    "period.monthly": ("Monthly", "月度"),
    "period.quarterly": ("Quarterly", "季度"),
    "period.annual": ("Annual", "年度"),
    "report.title": ("{kind} service report {period}", "{kind}服务报告 {period}"),
    "report.subtitle": (
        "{start} to {end} ({zone}) · {team} · compared with {previous} · made {generated}",
        "{start} 至 {end}（{zone}）· {team} · 对比 {previous} · 生成于 {generated}",
    ),
    "report.all_teams": ("all teams", "全部团队"),
    "report.kpis": ("Key figures", "关键指标"),
    "report.metric": ("Metric", "指标"),
    "report.change": ("Change", "变化"),
    "report.trends": ("Trends", "趋势"),
    "report.voice": ("Voice of the customer", "客户之声"),
    "report.top_categories": ("Most frequent categories", "最常见问题类别"),
    "report.rising_categories": ("Categories rising fastest", "增长最快的类别"),
    "report.top_tags": ("Most frequent tags", "最常见标签"),
    "report.rising_tags": ("Tags rising fastest", "增长最快的标签"),
    "report.name": ("Name", "名称"),
    "report.agents": ("Agents", "坐席"),
    "report.agent": ("Agent", "坐席"),
    "report.none": ("Nothing to show.", "无内容。"),
    "metric.created": ("Tickets created", "新建工单"),
    "metric.solved": ("Tickets solved", "已解决工单"),
    "metric.first_response_median": ("First response, median (min)", "首次响应中位数（分钟）"),
    "metric.first_response_p90": ("First response, p90 (min)", "首次响应 P90（分钟）"),
    "metric.first_response_met": ("1h first response met", "1小时首次响应达标率"),
    "metric.solution_met": ("3d solution met", "3天解决方案达标率"),
    "metric.closure_met": ("7d closure met", "7天闭环达标率"),
    "metric.escalation_met": ("48h expert answer met", "48小时专家答复达标率"),
    "metric.fcr": ("First contact resolution", "首次联系解决率"),
    "metric.escalation_rate": ("Escalation rate", "升级率"),
    "metric.reopen_rate": ("Reopen rate", "重开率"),
    "metric.csat": ("CSAT (callbacks 4-5 of 5)", "满意度（回访4-5分占比）"),
    "metric.csat_mean": ("Callback score, mean of 5", "回访平均分（满分5）"),
    "metric.nps": ("NPS", "净推荐值"),
    "metric.backlog": ("Backlog at period end", "期末积压"),
    "metric.backlog_median_age": ("Backlog age, median (h)", "积压时长中位数（小时）"),
    "metric.backlog_oldest_age": ("Backlog age, oldest (h)", "最久积压（小时）"),
    # -- commands ------------------------------------------------------------------------
    "cli.agent_unknown": ("no agent matches {name!r}; known agents: {known}",
                          "没有与 {name!r} 匹配的坐席；已知坐席：{known}"),
    "cli.agent_ambiguous": ("{name!r} matches several agents: {matches}; give more of the name",
                            "{name!r} 匹配多个坐席：{matches}；请输入更完整的名字"),
    "cli.agent_none": ("there are no agents yet; run `cs-console demo` or sync first",
                       "还没有坐席；请先运行 `cs-console demo` 或同步"),
    "cli.agent_now": ("Working as {name} ({role}, {team}) on this device.", "本机工作身份：{name}（{role}，{team}）。"),
    "cli.report_written": ("Wrote the {kind} report {period} to {path}", "已把{kind}报告 {period} 写入 {path}"),
    "cli.cannot_write": ("cannot write {path}: {reason}", "无法写入 {path}：{reason}"),
    "cli.staffing_heading": ("{day}  agents needed per hour ({target:.0%} within {answer:g} min, {handle:g} min per ticket)",
                             "{day}  每小时所需坐席（{target:.0%} 在 {answer:g} 分钟内响应，每单 {handle:g} 分钟）"),
    "cli.route_not_lead": ("Only a lead or admin moves work; {agent} works as {role}.",
                           "只有组长或管理员可以分配工单；{agent} 的角色是{role}。"),
    "cli.route_nothing": ("No unassigned active ticket to route.", "没有待分配的处理中工单。"),
    "cli.route_plan": ("{number}  →  {agent}  ({why})", "{number}  →  {agent}（{why}）"),
    "cli.route_applied": ("Assigned {count} ticket(s).", "已分配 {count} 个工单。"),
    "cli.route_dry_run": ("Nothing assigned yet: run again with --apply to assign as shown.",
                          "尚未分配：加 --apply 再运行即按上述分配。"),
    "cli.readonly": ("read-only session (--readonly): nothing was changed", "只读会话（--readonly）：未做任何修改"),
    # -- the app and its command palette -----------------------------------------------------
    "app.team_view": ("Team view", "团队视图"),
    "app.team_view_help": ("Every agent's load, breaches, escalations, KPIs and staffing",
                           "每位坐席的负荷、超时、升级、指标和排班"),
    "app.switch_agent": ("Switch agent", "切换坐席"),
    "app.switch_agent_help": ("Work as another agent on this device", "在本机以其他坐席身份工作"),
    "app.switch_title": ("Work as", "切换为"),
    "app.switched": ("Working as {name}.", "当前身份：{name}。"),
    # -- footer key labels, by binding id ---------------------------------------------------
    "key.team": ("Team", "团队"),
    "key.select": ("Select", "选择"),
    "key.reassign": ("Reassign", "转派"),
    "key.auto_route": ("Route new", "自动分配"),
    "key.back": ("Back", "返回"),
    "key.refresh": ("Refresh", "刷新"),
    "key.period_kind": ("Period", "周期"),
    "key.next_day": ("Next day", "下一天"),
}
"""Key to (English, Chinese)."""


class Strings:
    """The catalogue in one language: `strings(key, **values)` gives the filled sentence."""

    def __init__(self, language: str = "en") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language: {language!r} is not one of {', '.join(LANGUAGES)}")
        self.language = language
        self._index = LANGUAGES.index(language)

    def __call__(self, key: str, **values: object) -> str:
        """Raises KeyError for an unknown key or a placeholder left without a value."""
        return CATALOG[key][self._index].format(**values)


def english(key: str, **values: object) -> str:
    """The English string, for texts fixed at import time (binding descriptions, help)."""
    return Strings("en")(key, **values)


def interface_language(config_raw: Mapping, config_language: str, environ: Mapping[str, str] = os.environ) -> str:
    """The config file's `language` when it sets one, else the locale's, else English."""
    if "language" in config_raw:
        return config_language
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def placeholders(text: str) -> frozenset[str]:
    """The names a catalogue string needs filled, for the tests that keep languages aligned."""
    return frozenset(name for _, name, _, _ in Formatter().parse(text) if name)
