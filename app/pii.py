"""Spotting text that looks like personal information, so staff can check it. A flag is a
prompt for a person, never a decision: the patterns are simple on purpose."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers: 07... mobiles, 01/02/03 landlines, with or without +44 or +44 (0), and with
# spaces, dashes or brackets between the digits: "(0161) 496 0000", "0161-496-0000".
PHONE = re.compile(r"(?<![\d\w])(?:\+44\s?(?:\(0\)\s?)?|\(0|0)(?:\d[\s\-)]{0,2}){8,10}\d(?!\d)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
# A house number and a street name somewhere in the text with a full postcode...
HOUSE_NUMBER = re.compile(r"\b\d{1,4}[a-z]?\s+[A-Za-z][A-Za-z' -]{2,40}\b"
                          r"(?:road|street|avenue|lane|close|drive|way|court|crescent|terrace|"
                          r"grove|place|gardens|rd|st|ave)\b", re.IGNORECASE)
# ...or a house number shortly before a full postcode ("27, SW1A 2AA", "Flat 3b Oak House
# NG7 2QP").
NUMBER_THEN_POSTCODE = re.compile(r"\b\d{1,4}[a-z]?\b[^.\n\d]{0,40}\b[A-Z]{1,2}\d[A-Z\d]?\s*"
                                  r"\d[A-Z]{2}\b", re.IGNORECASE)

LABELS = {"email": "an email address", "phone": "a phone number",
          "address": "a house number and postcode"}


def find_personal_information(text: str) -> list[str]:
    """Which kinds of personal information the text seems to contain."""
    found = []
    if EMAIL.search(text):
        found.append("email")
    if PHONE.search(text):
        found.append("phone")
    if (HOUSE_NUMBER.search(text) and POSTCODE.search(text)) \
            or NUMBER_THEN_POSTCODE.search(text):
        found.append("address")
    return found


def personal_information_in(idea) -> list[str]:
    """Which kinds of personal information an idea's text seems to contain."""
    text = "\n".join(part for part in (idea.title, idea.problem, idea.action, idea.data,
                                       idea.datasets) if part)
    return find_personal_information(text)


def flag_personal_information(idea) -> None:
    """Note on an idea what in its text looks like personal information (the caller commits)."""
    idea.pii_flags = personal_information_in(idea) or None
