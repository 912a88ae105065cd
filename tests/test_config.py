"""Settings: the README's example is valid, and a wrong setting is refused by name."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cs_console.config import ConfigError, from_mapping, load

README = Path(__file__).parent.parent / "README.md"


def test_the_readme_example_is_a_valid_config():
    example = README.read_text(encoding="utf-8").split("```toml", 1)[1].split("```", 1)[0]
    config = from_mapping(tomllib.loads(example))
    assert config.timezone == "Asia/Shanghai" and config.key("new_ticket") == "f2"
    assert config.policy.at_risk_share == 0.2 and config.calendar.close == "18:00"
    assert "not in my contract" in config.red_lines and "不归我管" in config.red_lines


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not a time zone"),
        ({"language": "fr"}, "language: 'fr' is not one of en, zh"),
        ({"keys": {"launch": "l"}}, "keys.launch: no such binding"),
        ({"sla": {"normal": {"solution": "3x"}}}, "sla.normal.solution: '3x' is not a duration"),
        ({"calendar": {"open": "25:00"}}, "calendar.open: '25:00' is not a time"),
        ({"calendar": {"country": "XX"}}, "calendar.country: 'XX' is not a country code"),
        ({"composer": {"red_lines": "not a list"}}, "composer.red_lines: expected a list"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it(data, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        from_mapping(data)


def test_a_broken_config_file_stops_the_console_with_its_name(isolated_home, tmp_path):
    isolated_home.mkdir(parents=True)
    (isolated_home / "config.toml").write_text('timezone = "Asia/Shanghai"\nlow_bandwidth = maybe\n')
    with pytest.raises(ConfigError, match="config.toml"):
        load(isolated_home / "config.toml")
    result = subprocess.run([sys.executable, "-m", "cs_console", "--db", str(tmp_path / "x.db"), "demo"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "config.toml" in result.stderr
    assert not (tmp_path / "x.db").exists(), "nothing written when the settings are wrong"


@pytest.mark.parametrize(("keys", "message"), [
    ({"reply": "s"}, "keys.reply = 's' clashes with keys.set_status, also 's' on the ticket screen"),
    ({"help": "n"}, "keys.help = 'n' clashes with keys.new_ticket, also 'n' on the queue screen"),
    ({"send": "ctrl+q"}, "keys.send = 'ctrl+q' clashes with the fixed quit key"),
    ({"reply": "f5", "note": "f5"}, "keys.note = 'f5' clashes with keys.reply"),
    ({"expert_answer": "s"}, "keys.expert_answer = 's' clashes with keys.set_status, also 's' on the ticket screen"),
    ({"set_priority": "e"}, "keys.set_priority = 'e' clashes with keys.escalate, also 'e' on the ticket screen"),
    ({"snooze": "d"}, "keys.snooze = 'd' clashes with keys.reminder_done, also 'd' on the reminders screen"),
    ({"send": "ctrl+r"}, "keys.send = 'ctrl+r' clashes with the fixed run a macro key, also 'ctrl+r' on the ticket"),
    ({"auto_route": "v"}, "keys.auto_route = 'v' clashes with the fixed review key, also 'v' on the team screen"),
])
def test_a_key_that_takes_another_bindings_key_is_refused_naming_both(keys, message):
    with pytest.raises(ConfigError, match=message.replace("+", r"\+")):
        from_mapping({"keys": keys})


def test_one_key_may_serve_bindings_of_different_screens():
    assert from_mapping({"keys": {"reply": "n", "new_ticket": "f2"}}).key("reply") == "n"
    assert from_mapping({}).key("filter_status") == from_mapping({}).key("set_status") == "s"


def test_a_key_clash_stops_the_console_with_a_message(isolated_home, tmp_path):
    isolated_home.mkdir(parents=True)
    (isolated_home / "config.toml").write_text('[keys]\nreply = "s"\n')
    result = subprocess.run([sys.executable, "-m", "cs_console", "--db", str(tmp_path / "x.db"), "agent", "list"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "config.toml: keys.reply = 's' clashes with keys.set_status" in result.stderr


def test_a_glossary_table_extends_the_shipped_glossary_and_a_bad_term_is_named():
    from cs_console.usecases.kb_catalog import shipped_glossary

    config = from_mapping({"glossary": {"gangway": "舷梯", "oily water": "含油废水"}})
    glossary = shipped_glossary(config.glossary)
    assert glossary.translations("gangway net") == ["舷梯"]
    assert glossary.translations("oily water") == ["含油废水"], "a configured term overrides the shipped one"
    with pytest.raises(ConfigError, match="glossary.gangway: expected a term in the other language"):
        from_mapping({"glossary": {"gangway": ""}})


def test_every_key_a_screen_binds_is_configurable_or_known_as_fixed():
    """The clash check knows each screen's keys: a binding the config cannot move is listed
    in `SCREEN_FIXED_KEYS`, so a configured key is refused if it would take it."""
    from cs_console.config import APP_WIDE_KEYS, DEFAULT_KEYS, FIXED_KEYS, KEY_SCOPES, SCREEN_FIXED_KEYS
    from cs_console.screens.lead import LeadScreen
    from cs_console.screens.queue import QueueScreen
    from cs_console.screens.ticket import TicketScreen

    for scope, screen in (("queue", QueueScreen), ("ticket", TicketScreen), ("team", LeadScreen)):
        configurable = {DEFAULT_KEYS[binding_id] for binding_id in (*KEY_SCOPES[scope], *APP_WIDE_KEYS)}
        known = configurable | set(FIXED_KEYS.values()) | set(SCREEN_FIXED_KEYS.get(scope, {}).values())
        fixed = {binding.key for binding in screen.BINDINGS if binding.id not in DEFAULT_KEYS}
        assert fixed <= known, f"the {scope} screen binds {sorted(fixed - known)}, unknown to the clash check"
