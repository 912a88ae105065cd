"""The sites of a customer of an earlier release, as the upgrade to assets reads them from the JSON it kept."""

from __future__ import annotations

import pytest

from cs_console.storage.organisation_upgrade import site_names


def test_sites_come_in_their_stored_order():
    assert site_names('["Busan", "鹿特丹 Rotterdam", "Singapore"]') == ["Busan", "鹿特丹 Rotterdam", "Singapore"]


@pytest.mark.parametrize("stored", ["", "  ", "[]", None])
def test_a_customer_without_sites_shows_none(stored):
    assert site_names(stored) == []


def test_blank_names_are_left_out():
    assert site_names('["Busan", " ", ""]') == ["Busan"]


def test_a_damaged_value_is_shown_as_text_instead_of_breaking_the_profile():
    assert site_names("Busan, Ulsan") == ["Busan, Ulsan"]
    assert site_names('"Busan"') == ["Busan"]
