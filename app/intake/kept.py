"""What a person typed in the idea form, kept when they sent it after their session had
timed out, so that they can check it and send it again instead of writing it from memory.

A form sent without a valid session is refused by the CSRF check before any view runs, and
by then nobody is signed in, so the answers belong to the browser: the session holds a
random token, and the row holds its hash, the page the form was on and the answers (its
fields only, each cut to a length no real answer needs; never files, passwords or tokens).
They are kept for a day, or until the form is sent, and only for a request from this site's
own pages: another site's form cannot put words in someone's idea form.

Session cookies hold about 4KB, less than one long answer, which is why the answers are
kept here and not in the session.
"""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import request, session
from flask_limiter.util import get_remote_address
from limits import parse
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from app.extensions import db, limiter
from app.models import KeptAnswers, utcnow

SESSION_KEY = "kept_answers"
KEPT = ("Your session timed out, so we could not save your idea. We have kept what you wrote: "
        "check it and send it again.")
SIGN_IN_FIRST = ("Your session timed out, so we could not save your idea. We have kept what "
                 "you wrote: sign in again to check it and send it.")
KEPT_FOR = timedelta(days=1)
# Each form whose answers are kept, by endpoint, and the fields kept.
FORMS = {
    endpoint: ("title", "problem", "action", "data", "datasets", "pledge_reference",
               "pledge_url", "area", "consent")
    for endpoint in ("intake.new_idea", "intake.edit_idea")
}
MAX_ANSWER = 10_000  # twice the longest answer the form takes: enough to fix one too long
# Requests without a session cost nothing to make: bound the rows one address can add.
PER_ADDRESS = parse("20 per hour")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def from_this_site() -> bool:
    """Whether the request came from one of this site's pages (Origin, else Referer)."""
    origin = request.headers.get("Origin") or request.referrer or ""
    parts = urlsplit(origin)
    return parts.scheme == request.scheme and parts.netloc == request.host


def keep(form: dict) -> bool:
    """Keep the answers posted to this form's page, in place of any kept before; False when
    this form's answers are not kept or the request did not come from this site."""
    fields = FORMS.get(request.endpoint)
    if not fields or not from_this_site():
        return False
    answers = {name: form.get(name, "")[:MAX_ANSWER] for name in fields if name in form}
    if not any(answers.values()):
        return False
    if limiter.enabled and not limiter.limiter.hit(PER_ADDRESS, "kept-answers",
                                                   get_remote_address()):
        return False
    token = secrets.token_urlsafe(32)
    _forget_kept()
    db.session.execute(delete(KeptAnswers).where(KeptAnswers.created_at < utcnow() - KEPT_FOR))
    db.session.add(KeptAnswers(token_hash=_hash(token), path=request.path, answers=answers))
    db.session.commit()
    session[SESSION_KEY] = token
    return True


def kept_for(path: str) -> MultiDict | None:
    """The answers kept in this browser for the form on `path`, if any, to fill it with."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    kept = db.session.scalar(select(KeptAnswers).where(
        KeptAnswers.token_hash == _hash(token), KeptAnswers.path == path,
        KeptAnswers.created_at >= utcnow() - KEPT_FOR))
    return MultiDict(kept.answers) if kept else None


def _forget_kept() -> None:
    token = session.pop(SESSION_KEY, None)
    if isinstance(token, str):
        db.session.execute(delete(KeptAnswers).where(KeptAnswers.token_hash == _hash(token)))


def forget() -> None:
    """Drop this browser's kept answers: the form they were for has been sent."""
    if SESSION_KEY in session:
        _forget_kept()
        db.session.commit()


def carry_over() -> dict:
    """What of the kept answers a new session (signing in) must carry: only their token."""
    token = session.get(SESSION_KEY)
    return {SESSION_KEY: token} if isinstance(token, str) else {}
