"""The rules about how the coordinator and the plan can be reached: an e-mail address and a phone number that
can be used (the phone by the same rule intake normalises numbers with, `shared.thai.is_thai_phone`), and a plan
link a reviewer can open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from services.validation.rules.case import Case, text_of
from services.validation.rules.catalogue import finding
from shared import thai
from shared.events import Issue

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(thai.clean_text(text)))


# --- (f) contact formats ---------------------------------------------------------------------------------


def check_contact_formats(case: Case) -> Iterator[Issue]:
    contact = case.submission.contact
    if contact is None:
        return
    email, phone = text_of(contact.email), text_of(contact.phone)
    if email and not is_email(email):
        yield finding("CONTACT_EMAIL_INVALID", value=email)
    if phone and not thai.is_thai_phone(phone):
        yield finding("CONTACT_PHONE_INVALID", value=phone)


# --- (g) readiness ---------------------------------------------------------------------------------------


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def is_web_url(text: str) -> bool:
    """An http(s) address naming a host with a dot in it (Thai domain names too): what a reviewer can open."""
    if not text or any(character.isspace() for character in text):
        return False
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return False
    labels = host.split(".")
    return (parts.scheme in ("http", "https") and len(labels) >= 2 and all(_HOST_LABEL.match(x) for x in labels)
            and labels[-1].isalpha() and len(labels[-1]) >= 2)


def check_plan_link(case: Case) -> Iterator[Issue]:
    readiness = case.submission.readiness
    if readiness is None:
        return
    if readiness.has_plan is True and not readiness.plan_url:
        yield finding("PLAN_URL_MISSING")
    elif readiness.plan_url and not is_web_url(text_of(readiness.plan_url)):
        yield finding("PLAN_URL_INVALID", value=readiness.plan_url)
