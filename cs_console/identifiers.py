"""The identifiers an organisation's records carry, checked as their issuers define them.

An IMO ship number is seven digits whose last is a check digit: the first six, weighted 7
down to 2, summed, and the sum's last digit (SOLAS XI-1/3; 9074729: 9×7 + 0×6 + 7×5 + 4×4 +
7×3 + 2×2 = 139, so 9). An email address is checked for its shape only (one @, a dot in
the domain, no spaces): whether a mailbox exists is the mail server's to say. Pure: both the
device (before it saves) and the server (before it applies an operation) ask it, and the
store's migration asks it to recognise IMO numbers in old site names. Phone numbers are
`cs_console.channels.phone`'s.
"""

from __future__ import annotations

import re

IMO_IN_TEXT = re.compile(r"\bIMO[\s:.#-]*(\d{7})\b", re.IGNORECASE)
"""An IMO number as people write it in a site or vessel name: "MV Blue Whale (IMO 9400001)"."""
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def imo_check_digit(first_six: str) -> int:
    """The check digit of an IMO number's first six digits."""
    return sum(int(digit) * weight for digit, weight in zip(first_six, range(7, 1, -1), strict=True)) % 10


def imo_problem(text: str) -> str | None:
    """Why `text` is not an IMO number (7 digits, "IMO " before them allowed), or None."""
    digits = text.strip().upper().removeprefix("IMO").strip()
    if not re.fullmatch(r"\d{7}", digits):
        return f"{text!r} is not an IMO number: it has 7 digits"
    expected = imo_check_digit(digits[:6])
    if int(digits[6]) != expected:
        return f"{text!r} is not an IMO number: its check digit would be {expected}, not {digits[6]}"
    return None


def imo_number(text: str) -> str:
    """The seven digits of a valid IMO number written with or without "IMO "."""
    return text.strip().upper().removeprefix("IMO").strip()


def imo_in(text: str) -> str | None:
    """The first valid IMO number written in `text`, or None."""
    for found in IMO_IN_TEXT.finditer(text):
        if imo_problem(found.group(1)) is None:
            return found.group(1)
    return None


def email_problem(text: str) -> str | None:
    """Why `text` is not shaped like an email address, or None."""
    return None if EMAIL_SHAPE.match(text) else f"{text!r} is not an email address"
