"""What a person typed in the idea form, kept when they sent it after their session had
timed out, so that they can check it and send it again instead of writing it from memory.

A form sent without a valid session is refused by the CSRF check before any view runs, and
by then nobody is signed in. So that the answers go back only to the person who wrote them
(not to whoever signs in next on a shared computer), the form carries its author's account
id signed with the app's key (`author_field`): the row records that account, the session
holds a random token and the row its hash, the page the form was on and the answers (its
fields only, each cut to a length no real answer needs; never files, passwords or tokens).
They fill the form only for that account, in that browser. They are kept for a day, or until
the form is sent (`flask notifications send` deletes older ones), and only for a request
from this site's own pages: another site's form cannot put words in someone's idea form.

Session cookies hold about 4KB, less than one long answer, which is why the answers are
kept here and not in the session.
"""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from markupsafe import Markup
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


AUTHOR_FIELD = "kept_author"
AUTHOR_SALT = "kept-answers-author"
# A form may be left open for days before it is sent: longer than a session, which is the point.
AUTHOR_MAX_AGE = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=AUTHOR_SALT)


def author_field() -> Markup:
    """The hidden input that tells a timed-out idea form's answers whose they are."""
    if not current_user.is_authenticated:
        return Markup("")
    value = _signer().dumps(current_user.id)
    return Markup('<input type="hidden" name="{}" value="{}">').format(AUTHOR_FIELD, value)


def _author(form: dict) -> int | None:
    """The account id the form was written under, if its signature holds."""
    try:
        author = _signer().loads(form.get(AUTHOR_FIELD) or "",
                                 max_age=int(AUTHOR_MAX_AGE.total_seconds()))
    except BadSignature:
        return None
    return author if isinstance(author, int) else None


def declared_origin() -> str:
    """Where the browser says the request came from: Origin, else Referer ("null", sent by
    some privacy settings, says nothing)."""
    origin = request.headers.get("Origin") or ""
    return origin if origin and origin != "null" else (request.referrer or "")


def from_this_site() -> bool:
    """Whether the request came from one of this site's pages, by its host: the scheme is
    left out, because behind a proxy that ends TLS the app may see http for https. The
    public address counts too (a proxy may also rewrite the Host header)."""
    netloc = urlsplit(declared_origin()).netloc
    public = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").netloc
    return bool(netloc) and netloc in {request.host, public}


def keep(form: dict) -> bool:
    """Keep the answers posted to this form's page, in place of any kept before; False when
    this form's answers are not kept or the request did not come from this site."""
    fields = FORMS.get(request.endpoint)
    if not fields or not from_this_site():
        return False
    author = _author(form)
    # NUL is no character anyone types, and PostgreSQL's JSON refuses it.
    answers = {name: form.get(name, "")[:MAX_ANSWER].replace("\x00", "")
               for name in fields if name in form}
    if author is None or not any(answers.values()):
        return False
    if limiter.enabled and not limiter.limiter.hit(PER_ADDRESS, "kept-answers",
                                                   get_remote_address()):
        return False
    token = secrets.token_urlsafe(32)
    _forget_kept()
    purge_expired()
    db.session.add(KeptAnswers(token_hash=_hash(token), user_id=author, path=request.path,
                               answers=answers))
    db.session.commit()
    session[SESSION_KEY] = token
    return True


def purge_expired() -> int:
    """Delete answers kept longer than a day (not committed); return how many went."""
    return db.session.execute(
        delete(KeptAnswers).where(KeptAnswers.created_at < utcnow() - KEPT_FOR)).rowcount


def kept_for(path: str) -> MultiDict | None:
    """The answers this person wrote, kept in this browser for the form on `path`, if any,
    to fill it with: never another account's, on a computer people share."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not current_user.is_authenticated:
        return None
    kept = db.session.scalar(select(KeptAnswers).where(
        KeptAnswers.token_hash == _hash(token), KeptAnswers.path == path,
        KeptAnswers.user_id == current_user.id,
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
