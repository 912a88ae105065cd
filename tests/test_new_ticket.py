"""What a new ticket needs before it is filed, said in the agent's language."""

from __future__ import annotations

import pytest

from cs_console.text.strings import Strings
from cs_console.usecases.new_ticket import TicketDraft, TicketIncomplete, check_draft, create_ticket

EN, ZH = Strings("en"), Strings("zh")
FULL = TicketDraft(subject="Radio silent since Busan", first_message="Our VSAT has been down since noon.",
                   new_customer_name="Ocean Star")


@pytest.mark.parametrize(("draft", "field", "sentence"), [
    (TicketDraft("Radio silent", "down since noon"), "customer", "choose a customer first"),
    (TicketDraft("  ", "down since noon", new_customer_name="Ocean Star"), "subject", "the subject is empty"),
    (TicketDraft("Radio silent", " \n ", customer_id="c1"), "first_message", "the customer's first message is empty"),
])
def test_a_draft_missing_a_field_is_refused_with_a_sentence_naming_it(draft, field, sentence):
    with pytest.raises(TicketIncomplete) as refused:
        check_draft(draft, EN)
    assert refused.value.field == field and str(refused.value).startswith(sentence)


def test_the_sentence_comes_in_the_interface_language():
    with pytest.raises(TicketIncomplete, match="主题为空"):
        check_draft(TicketDraft("", "down", customer_id="c1"), ZH)


def test_a_complete_draft_passes():
    check_draft(FULL, EN)


def test_nothing_is_saved_without_a_first_message(store):
    with pytest.raises(TicketIncomplete):
        create_ticket(store, TicketDraft("Radio silent", "", new_customer_name="Ocean Star"), None, EN)
    assert store.search_customers(["Ocean"], 8) == [], "no customer is left behind either"
    ticket = create_ticket(store, FULL, None, EN)
    assert ticket.subject == "Radio silent since Busan" and ticket.number.endswith("0001")
