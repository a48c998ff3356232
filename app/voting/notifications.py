"""Telling followers what happened: in-app notifications and a queue of emails.

Requests never send email themselves. A status change adds a notification for each follower
and, for those who want email, a row in the outbox, in the same transaction as the change.
`flask notifications send` (cron or a worker loop) sends what is due: it claims each row with
a conditional UPDATE (so two senders never take the same one), marks it sent after the mail
server accepts it, and retries failures with growing gaps. A row left "sending" by a sender
that died is never resent automatically, because it may already have gone: the command lists
such rows and `--requeue-stuck` resends them when a person decides to.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import case, delete, func, select, update

from app.accounts import personal_data
from app.email import EmailNotSent, build_message, deliver, external_url
from app.extensions import db
from app.models import (
    Follow,
    Idea,
    Notification,
    OutboxEmail,
    OutboxStatus,
    Support,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2), timedelta(hours=6)]
STUCK_AFTER = timedelta(minutes=15)


def follower_ids(idea: Idea) -> set[int]:
    """Who follows an idea."""
    return set(db.session.scalars(select(Follow.user_id).where(Follow.idea_id == idea.id)))


def followers_by_idea(idea_ids: list[int]) -> dict[int, list[User]]:
    """The people (with an account) who follow each of these ideas, read in a few queries
    however many ideas there are, for telling them about many ideas at once."""
    followers: dict[int, list[User]] = {}
    for start in range(0, len(idea_ids), 500):  # SQLite takes a limited number of values
        for idea_id, person in db.session.execute(
                select(Follow.idea_id, User).join(User, User.id == Follow.user_id)
                .where(Follow.idea_id.in_(idea_ids[start:start + 500]),
                       User.deleted_at.is_(None))):
            followers.setdefault(idea_id, []).append(person)
    return followers


def notify_followers(idea: Idea, message: str, actor: User | None = None) -> int:
    """Tell everyone following `idea` (but the person who acted) what happened; the caller
    commits. Returns how many people were told."""
    return notify_people(idea, message, follower_ids(idea), actor)


@dataclass
class Audience:
    """Who a change to an idea would be told to now: people in the app, how many of them by
    email too, and whether its author is one of them; and of its supporters, how many there
    are and how many are not told because they do not follow it."""

    people: int
    by_email: int
    author: bool
    supporters: int = 0
    supporters_not_following: int = 0


def audience_of_many(ideas, actor: User) -> tuple[int, int]:
    """How many different people following any idea that matches the SQL condition ``ideas``
    would be told about them (but the person acting), and how many of them by email too."""
    wants_email = User.email_notifications.is_(True) & User.email.is_not(None)
    people, by_email = db.session.execute(
        select(func.count(func.distinct(User.id)),
               func.count(func.distinct(case((wants_email, User.id)))))
        .join(Follow, Follow.user_id == User.id).join(Idea, Idea.id == Follow.idea_id)
        .where(ideas, User.deleted_at.is_(None), User.id != actor.id)).one()
    return people, by_email


def audience(idea: Idea, actor: User | None = None) -> Audience:
    """Who `notify_followers` would tell about `idea` now, by the same rules (followers with
    an account, but the person acting; email for those who want it), without telling anyone."""
    wants_email = User.email_notifications.is_(True) & User.email.is_not(None)
    statement = (select(func.count(User.id), func.count(case((wants_email, 1))),
                        func.count(case((User.id == idea.author_id, 1))))
                 .join(Follow, Follow.user_id == User.id)
                 .where(Follow.idea_id == idea.id, User.deleted_at.is_(None)))
    # Supporting follows an idea, but people who stopped following it, or supported it before
    # supporting did that, are not told: staff see how many.
    following = select(Follow.id).where(Follow.idea_id == Support.idea_id,
                                        Follow.user_id == Support.user_id).exists()
    supporters = (select(func.count(Support.id), func.count(case((~following, 1))))
                  .join(User, User.id == Support.user_id)
                  .where(Support.idea_id == idea.id, User.deleted_at.is_(None)))
    if actor is not None:
        statement = statement.where(User.id != actor.id)
        supporters = supporters.where(User.id != actor.id)
    people, by_email, author = db.session.execute(statement).one()
    supporting, not_following = db.session.execute(supporters).one()
    return Audience(people, by_email, author > 0, supporting, not_following)


QUOTED = re.compile(r"“([^”]{1,500})”")
QUOTED_LIMITS = (40, 30, 20)  # tried in turn until the sentence fits


def headline(message: str, limit: int = 100) -> str:
    """The first sentence of a notification, to say in an email's subject what happened: when
    it is too long, the ideas' titles quoted in it are shortened first, so that what happened
    to them stays in view, and any cut falls between words."""
    quoted = [(m.start(), m.end()) for m in QUOTED.finditer(message)]
    end = next((i for i in _sentence_ends(message)
                if not any(a < i < b for a, b in quoted)), len(message))
    first = message[:end].rstrip(".")
    for quoted_limit in QUOTED_LIMITS:
        if len(first) <= limit:
            break
        first = QUOTED.sub(lambda m, n=quoted_limit: f"“{_cut(m.group(1), n)}”", first)
    return _cut(first, limit)


def _sentence_ends(text: str) -> Iterable[int]:
    start = 0
    while (found := text.find(". ", start)) >= 0:
        yield found
        start = found + 1


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters between two words, with "…"."""
    if len(text) <= limit:
        return text
    words = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return words.rstrip(" ,;:–-") + "…"


def email_subject(message: str) -> str:
    """The subject of the email that carries a notification's message."""
    return f"{headline(message)} – {current_app.config['SERVICE_NAME']}"


def notify_people(idea: Idea, message: str, user_ids: set[int] | list[int],
                  actor: User | None = None) -> int:
    """Tell these people (but the person who acted) what happened to `idea`, in the app and,
    if they want, by email; the caller commits. Returns how many people were told."""
    if not user_ids:
        return 0
    return tell(idea, message, db.session.scalars(select(User).where(
        User.id.in_(list(user_ids)), User.deleted_at.is_(None))), actor)


def tell(idea: Idea, message: str, people: Iterable[User], actor: User | None = None,
         links: Sequence[tuple[str, str]] = ()) -> int:
    """Tell these accounts (but the person who acted) what happened to `idea`, in the app and,
    if they want, by email with `links` ((text, absolute URL) pairs) above the idea's own;
    the caller commits. Returns how many people were told."""
    told = 0
    for follower in people:
        if actor is not None and follower.id == actor.id:
            continue
        notification = Notification(user_id=follower.id, idea_id=idea.id, message=message)
        db.session.add(notification)
        if follower.email_notifications and follower.email:
            body = render_template("email/idea_update.txt", user=follower, idea=idea,
                                   message=message, links=links,
                                   idea_url=external_url("intake.idea", idea_id=idea.id),
                                   settings_url=external_url("voting.notifications_page"))
            # Linked through the relationship, not the id: no flush for each email.
            db.session.add(OutboxEmail(
                user_id=follower.id, notification=notification,
                to_address=follower.email, subject=email_subject(message), body=body))
        told += 1
    return told


def unread_count(user: User) -> int:
    """How many of a person's notifications they have not seen."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def notifications_query(user: User):
    """A person's notifications, newest first."""
    return select(Notification).where(Notification.user_id == user.id).order_by(
        Notification.created_at.desc(), Notification.id.desc())


FOLLOWED_SHOWN = 50


def followed_ideas(user: User, limit: int | None = None) -> tuple[list[Idea], int]:
    """The ideas a person follows that they can still see, most recently followed first (up
    to `limit`, default FOLLOWED_SHOWN), and how many there are in all."""
    limit = limit or FOLLOWED_SHOWN
    visible = select(Follow.idea_id).join(Idea, Idea.id == Follow.idea_id).where(
        Follow.user_id == user.id, (Idea.hidden_at.is_(None)) | (Idea.author_id == user.id))
    total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    ideas = list(db.session.scalars(
        select(Idea).join(Follow, Follow.idea_id == Idea.id)
        .where(Follow.idea_id.in_(visible), Follow.user_id == user.id)
        .order_by(Follow.id.desc()).limit(limit)))
    return ideas, total


def mark_all_read(user: User) -> None:
    """Mark every notification as seen."""
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()


def set_email_preference(user: User, wants_email: bool) -> None:
    """Turn emails about followed ideas on or off (off also drops those not yet sent)."""
    user.email_notifications = wants_email
    if not wants_email:
        forget_unsent(user)
    db.session.commit()


def forget_unsent(user: User) -> None:
    """Drop the emails queued for this person that have not gone yet."""
    db.session.execute(delete(OutboxEmail).where(
        OutboxEmail.user_id == user.id,
        OutboxEmail.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRY])))


@dataclass
class SendReport:
    """What one pass of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0  # no longer wanted: emails turned off or the account deleted
    stuck: list[int] = field(default_factory=list)


def _claim(email_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id,
               OutboxEmail.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRY]),
               OutboxEmail.next_attempt_at <= now)
        .values(status=OutboxStatus.SENDING, claimed_at=now)).rowcount
    db.session.commit()
    return claimed == 1


def _message_for(email: OutboxEmail):
    message = build_message(email.to_address, "", "plain", body=email.body)
    del message["Subject"]
    message["Subject"] = email.subject
    # The same id on every attempt, so that mail systems can spot a repeat.
    del message["Message-ID"]
    message["Message-ID"] = f"<outbox-{email.id}@oda-ideas>"
    return message


def _still_wanted(email: OutboxEmail) -> bool:
    """Whether the person still wants this email, at the address they have now: between
    queueing and sending they may have turned emails off, changed address or left."""
    if email.user_id is None:
        return email.to_address is not None  # not tied to an account
    person = db.session.get(User, email.user_id)
    if person is None or person.deleted_at is not None or not person.email \
            or not person.email_notifications:
        return False
    email.to_address = person.email
    return True


def _left_while_sending(email: OutboxEmail) -> bool:
    """Whether the person deleted their account while their email was being sent (read
    afresh from the database, not from this session's copy)."""
    return email.user_id is not None and db.session.scalar(
        select(User.deleted_at).where(User.id == email.user_id)) is not None


def send_due(batch: int = 100) -> SendReport:
    """Send the emails that are due, at most `batch` of them."""
    report = SendReport()
    now = utcnow()
    due = list(db.session.scalars(
        select(OutboxEmail.id)
        .where(OutboxEmail.status.in_([OutboxStatus.QUEUED, OutboxStatus.RETRY]),
               OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(batch)))
    for email_id in due:
        if not _claim(email_id):
            continue  # another sender took it
        email = db.session.get(OutboxEmail, email_id)
        if email is None:
            continue
        if not _still_wanted(email):
            db.session.delete(email)  # deleted account or emails turned off since it was queued
            db.session.commit()
            report.dropped += 1
            continue
        try:
            deliver(_message_for(email))
        except EmailNotSent as error:
            email.attempts += 1
            email.last_error = str(error)[:1000]
            if email.attempts >= len(RETRY_DELAYS):
                email.status = OutboxStatus.FAILED
                report.failed += 1
            else:
                email.status = OutboxStatus.RETRY
                email.next_attempt_at = utcnow() + RETRY_DELAYS[email.attempts - 1]
                report.retrying += 1
        else:
            email.attempts += 1
            email.status = OutboxStatus.SENT
            email.sent_at = utcnow()
            report.sent += 1
            if _left_while_sending(email):
                db.session.delete(email)  # the account was deleted while this was going out
        db.session.commit()
    report.stuck = stuck_emails()
    return report


def stuck_emails() -> list[int]:
    """Emails claimed by a sender that never finished: they may or may not have gone."""
    return list(db.session.scalars(select(OutboxEmail.id).where(
        OutboxEmail.status == OutboxStatus.SENDING,
        OutboxEmail.claimed_at < utcnow() - STUCK_AFTER)))


def requeue_stuck() -> int:
    """Put stuck emails back in the queue, on a person's say-so."""
    ids = stuck_emails()
    if ids:
        db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_(ids))
                           .values(status=OutboxStatus.RETRY, next_attempt_at=utcnow()))
        db.session.commit()
    return len(ids)


@personal_data.section("notifications")
def _notification_data(user: User) -> list[dict]:
    return [{"message": n.message, "created_at": n.created_at.isoformat(),
             "read": n.read_at is not None}
            for n in db.session.scalars(notifications_query(user))]
