"""`cs-console review` from the shell: sample the team's finished conversations, score one,
list an agent's reviews; bad input gets one sentence, exit status 2, and nothing saved."""

from __future__ import annotations

import json

from sqlmodel import select

from cs_console.commands.review import FILTER_NAMES
from cs_console.lead.review_sample import FILTERS
from cs_console.storage.models import Review
from cs_console.store import Store
from tests.test_lead_cli import cli


def demo_home(tmp_path):
    home = tmp_path / "home"
    assert cli("demo", home=home).returncode == 0
    return home


def stored_reviews(home) -> list[Review]:
    store = Store.open(home / "cs-console.db")
    try:
        with store.read() as session:
            return list(session.exec(select(Review)))
    finally:
        store.close()


def test_the_command_offers_every_sample_filter():
    assert FILTER_NAMES == tuple(FILTERS)


def test_a_lead_samples_scores_and_the_agent_lists_it(tmp_path):
    home = demo_home(tmp_path)
    sampled = cli("--agent", "zhao.min", "review", "sample", "--count", "3", "--seed", "5", home=home)
    assert sampled.returncode == 0, sampled.stderr
    lines = sampled.stdout.splitlines()
    assert lines[0] == "Review · random · 3 finished conversations to review"
    assert all(line.startswith("DEMO-") for line in lines[1:])
    assert cli("review", "sample", "--count", "3", "--seed", "5", home=home).stdout == sampled.stdout
    number = lines[1].split()[0]
    before = len(stored_reviews(home))
    scored = cli("review", "score", number, "4352", "--comment", "解答准确，语气可更温和", home=home)
    assert scored.returncode == 0, scored.stderr
    assert f"Review of {number}" in scored.stdout and "Empathy 2" in scored.stdout
    reviews = stored_reviews(home)
    assert len(reviews) == before + 1
    new = next(r for r in reviews if r.comment == "解答准确，语气可更温和")
    assert json.loads(new.scores) == {"dialogue": 4, "correctness": 3, "policy": 5, "empathy": 2}
    agent_part = lines[1].split(" · ")[1].split()[-1].lower()
    listed = cli("review", "list", "--agent", agent_part, home=home)
    assert listed.returncode == 0, listed.stderr
    assert number in listed.stdout and "解答准确，语气可更温和" in listed.stdout


def test_bad_input_is_refused_by_name_and_saves_nothing(tmp_path):
    home = demo_home(tmp_path)
    before = len(stored_reviews(home))
    for args, message in (
        (("--agent", "zhao.min", "review", "score", "DEMO-0007", "45"),
         "review score: DIGITS must be 4 digits, one per rubric item (Dialogue quality, Correctness"),
        (("review", "score", "DEMO-0007", "4596"), "review score: Policy compliance: 9 is not from 1 to 5"),
        (("review", "score", "DEMO-9999", "4444"), "no ticket numbered DEMO-9999 on this device"),
        (("--agent", "lin.wei", "review", "score", "DEMO-0007", "4444"),
         "only a lead or admin reviews conversations; 林伟 Lin Wei is agent"),
        (("--agent", "lin.wei", "review", "sample"), "only a lead or admin reviews conversations"),
    ):
        result = cli(*args, home=home)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert len(stored_reviews(home)) == before
