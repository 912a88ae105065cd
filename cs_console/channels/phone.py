"""Phone numbers as one comparable form (E.164, `+8613800138000`), whatever way they were typed.

`+86 138 0013 8000`, `13800138000` and `0086-138 0013 8000` are the same caller: a number
without its country code is read in the desk's home region (`DEFAULT_REGION`, or the
config's `phone_region`), an international prefix (00 in China) like a `+`. The parsing is
Google's libphonenumber rules (the `phonenumbers` package); this module refuses to guess
beyond them, so text that is not a possible number gives None rather than a near miss.

`phonenumbers` is imported on first use, in each function: at import it costs about 25 ms,
7% of the console's start to the first queue row (`bench_start`), which reads no number.
"""

from __future__ import annotations

TAIL_DIGITS = 7
"""How many final digits narrow the stored numbers to a few candidates before they are
compared whole: enough to leave few, short enough that any national prefix is left out."""
DEFAULT_REGION = "CN"
"""Where a number written without its country code is read, unless the config says otherwise:
the hotline's home country."""


def normalise_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """`text` as E.164 (`+8613800138000`), or None when it is not a possible phone number."""
    if not text or not any(char.isdigit() for char in text):
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_region(code: str) -> bool:
    """Whether `code` is a region libphonenumber knows (CN, NO, SG...)."""
    import phonenumbers

    return code in phonenumbers.SUPPORTED_REGIONS


def display_phone(e164: str) -> str:
    """An E.164 number as people read it: `+8613800138000` gives `+86 138 0013 8000`."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
