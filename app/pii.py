"""Spotting text that looks like personal information, so staff can check it. A flag is a
prompt for a person, never a decision: the patterns are simple on purpose."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers: 07... mobiles, 01/02/03 landlines, with or without +44, spaces or dashes.
PHONE = re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)")
# A house number followed (within a few words) by a full UK postcode.
POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}", re.IGNORECASE)
HOUSE_NUMBER = re.compile(r"\b\d{1,4}[a-z]?\s+[A-Za-z][A-Za-z' -]{2,40}\b"
                          r"(?:road|street|avenue|lane|close|drive|way|court|crescent|terrace|"
                          r"grove|place|gardens|rd|st|ave)\b", re.IGNORECASE)

LABELS = {"email": "an email address", "phone": "a phone number",
          "address": "a house number and postcode"}


def find_personal_information(text: str) -> list[str]:
    """Which kinds of personal information the text seems to contain."""
    found = []
    if EMAIL.search(text):
        found.append("email")
    if PHONE.search(text):
        found.append("phone")
    if HOUSE_NUMBER.search(text) and POSTCODE.search(text):
        found.append("address")
    return found


def flag_personal_information(idea) -> None:
    """Note on an idea what in its text looks like personal information (the caller commits)."""
    text = "\n".join(part for part in (idea.title, idea.problem, idea.action, idea.data,
                                       idea.datasets) if part)
    idea.pii_flags = find_personal_information(text) or None
