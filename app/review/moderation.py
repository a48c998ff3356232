"""Moderation: reports, hiding and restoring ideas, pre-moderation, and personal data flags."""

from sqlalchemy import String, cast, delete, func, or_, select, update

from app import audit
from app.accounts import personal_data
from app.email import external_url
from app.extensions import db
from app.intake.services import suggest_types_quietly
from app.models import (
    AuditEvent,
    Idea,
    IdeaStatusChange,
    Notification,
    OutboxEmail,
    OutboxStatus,
    Report,
    ReportReason,
    ReportStatus,
    TypeSuggestion,
    User,
    utcnow,
)
from app.pii import flag_personal_information
from app.voting.notifications import email_subject, follower_ids, notify_people, tell


class ModerationError(Exception):
    """A moderation step that cannot be taken, with the reason."""


def report(reporter: User, idea: Idea, reason: ReportReason, details: str) -> Report:
    """Tell staff an idea should not be public. One open report per person per idea."""
    existing = db.session.scalar(select(Report).where(Report.idea_id == idea.id,
                                                      Report.reporter_id == reporter.id))
    if existing is not None and existing.status == ReportStatus.OPEN:
        raise ModerationError("You have already reported this idea. Staff will look at it.")
    row = existing or Report(idea_id=idea.id, reporter_id=reporter.id)
    row.reason, row.details, row.status = reason, details.strip(), ReportStatus.OPEN
    row.created_at, row.decided_at, row.decided_by_id = utcnow(), None, None
    db.session.add(row)
    db.session.commit()
    return row


def open_reports_by_idea(limit: int) -> list[tuple[Idea, list[Report]]]:
    """Ideas with open reports (the oldest reports first, up to `limit`), the most reported
    first."""
    reports = list(db.session.scalars(select(Report).where(Report.status == ReportStatus.OPEN)
                                      .order_by(Report.created_at).limit(limit)))
    grouped: dict[int, list[Report]] = {}
    for row in reports:
        grouped.setdefault(row.idea_id, []).append(row)
    ideas = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(grouped)))}
    return sorted(((ideas[i], rows) for i, rows in grouped.items()),
                  key=lambda pair: (-len(pair[1]), pair[1][0].created_at))


def likely_reason(reports: list[Report]) -> str:
    """The reason most of these reports give (the earliest of equals), to suggest when hiding."""
    counts: dict[str, int] = {}
    for row in reports:
        counts[row.reason.value] = counts.get(row.reason.value, 0) + 1
    return max(counts, key=counts.get) if counts else ""


def flagged_ideas(limit: int) -> list[Idea]:
    """Published ideas whose text looks like it holds personal information, still visible,
    the newest first."""
    return list(db.session.scalars(select(Idea).where(
        Idea.pii_flags.is_not(None), Idea.hidden_at.is_(None), Idea.published_at.is_not(None))
        .order_by(Idea.published_at.desc()).limit(limit)))


def awaiting_approval(limit: int) -> list[Idea]:
    """Ideas in pre-moderated windows that staff have not approved yet, oldest first."""
    return list(db.session.scalars(select(Idea).where(Idea.awaiting_moderation.is_(True))
                                   .order_by(Idea.published_at).limit(limit)))


def hidden_ideas(limit: int) -> list[Idea]:
    """Ideas moderators have hidden, the most recent first."""
    return list(db.session.scalars(select(Idea).where(Idea.hidden_at.is_not(None))
                                   .order_by(Idea.hidden_at.desc()).limit(limit)))


def _close_reports(idea: Idea, actor: User, status: ReportStatus) -> None:
    db.session.execute(update(Report).where(Report.idea_id == idea.id,
                                            Report.status == ReportStatus.OPEN)
                       .values(status=status, decided_at=utcnow(), decided_by_id=actor.id))


def hide(actor: User, idea: Idea, reason: ReportReason) -> None:
    """Hide an idea; the public sees only why. Its supports are frozen."""
    if idea.hidden_at is not None:
        raise ModerationError("This idea is already hidden")
    idea.hidden_at, idea.hidden_reason = utcnow(), reason.value
    idea.awaiting_moderation = False  # hiding is the decision on a pre-moderated idea
    _close_reports(idea, actor, ReportStatus.ACTIONED)
    # The author is always told, even if they stopped following their idea; followers are
    # told without the title, which may be the very thing that was hidden.
    author = db.session.get(User, idea.author_id)
    tell(idea, f"Your idea “{idea.title}” has been hidden by moderators: "
         f"{reason.public_label}. Read our house rules to see why. If you can take out what "
         f"breaks them, you can post the idea again.",
         [author] if author is not None and author.is_active else [], actor,
         links=[("Read the house rules", external_url("main.house_rules"))])
    notify_people(idea, f"An idea you follow has been hidden by moderators: "
                  f"{reason.public_label}.", follower_ids(idea) - {idea.author_id}, actor)
    audit.record(actor, "idea.hide", idea, f"Hid idea {idea.id}: {reason.public_label}",
                 before={"hidden": False}, after={"hidden": True, "reason": reason.value})
    db.session.commit()


def restore(actor: User, idea: Idea) -> None:
    """Show a hidden idea again."""
    if idea.hidden_at is None:
        raise ModerationError("This idea is not hidden")
    before = {"hidden": True, "reason": idea.hidden_reason}
    idea.hidden_at, idea.hidden_reason = None, None
    notify_people(idea, f"Your idea “{idea.title}” is visible again: moderators have reviewed "
                  f"it.", {idea.author_id}, actor)
    audit.record(actor, "idea.restore", idea, f"Restored idea {idea.id}", before=before,
                 after={"hidden": False})
    db.session.commit()


def dismiss_reports(actor: User, idea: Idea) -> int:
    """Close an idea's open reports without hiding it."""
    report_ids = list(db.session.scalars(select(Report.id).where(
        Report.idea_id == idea.id, Report.status == ReportStatus.OPEN)))
    count = len(report_ids)
    _close_reports(idea, actor, ReportStatus.DISMISSED)
    audit.record(actor, "reports.dismiss", idea, f"Dismissed {count} reports on idea {idea.id}",
                 before={"open_reports": report_ids}, after={"open_reports": []})
    db.session.commit()
    return count


EDITABLE_ANSWERS = {"title": "title", "problem": "problem", "action": "what could change",
                    "data": "data that might help"}


def remove_personal_information(actor: User, idea: Idea, answers: dict[str, str]) -> list[str]:
    """Change an idea's words to take personal information out; return the names of the
    answers changed (none: nothing is written). The author is told; the audit log records
    which answers changed, never the words, which are what had to go. The old words are
    also replaced in the stored copies the app wrote of them (see `_replace_old_words`);
    emails already sent, or being sent, cannot be recalled and are left as they went."""
    if idea.published_at is None:
        raise ModerationError("Only published ideas are moderated")
    changed = [name for name in EDITABLE_ANSWERS
               if (answers.get(name) or "") != (getattr(idea, name) or "")]
    if not changed:
        return []
    old = {name: getattr(idea, name) or "" for name in changed}
    for name in changed:
        setattr(idea, name, answers.get(name) or "")
    _replace_old_words(idea, old)
    now = utcnow()
    # updated_at also tells every worker's similar-ideas index to read the idea again.
    idea.moderator_edited_at = idea.updated_at = now
    flag_personal_information(idea)
    labels = [EDITABLE_ANSWERS[name] for name in changed]
    notify_people(idea, f"Moderators edited your idea “{idea.title}” to take out personal "
                  f"information ({', '.join(labels)}). Nothing else about it has changed.",
                  {idea.author_id}, actor)
    audit.record(actor, "idea.redact", idea, f"Took personal information out of idea {idea.id}",
                 before={"changed": changed}, after={"flags": idea.pii_flags})
    db.session.commit()
    # Made again from the new words, as publishing makes it (a failure is logged, and staff
    # pages make one when they find none).
    suggest_types_quietly([idea])
    return labels


# Emails whose words can still change: not sent yet, or never to be (failed). Those sent, or
# being sent, have gone (or may have) and cannot be recalled.
UNSENT = (OutboxStatus.QUEUED, OutboxStatus.RETRY, OutboxStatus.FAILED)
# Shorter old answers are not looked for in messages, where they could be ordinary words.
SHORTEST_SWAPPED = 10


def _replace_old_words(idea: Idea, old: dict[str, str]) -> None:
    """Put an idea's new words in place of the `old` ones of its changed answers wherever the
    app stored a copy, in the caller's transaction: the idea's notifications, their emails not
    sent yet and its public timeline's reasons; and the old title, quoted as “…”, in those
    about other ideas of its window (merges name the idea they went into). Its type
    suggestion, which quotes its words, is deleted.

    Not rewritten: emails sent or being sent, which cannot be recalled; words staff typed
    themselves (notes, reports' details, shortlist reasons), which they edit by hand; theme
    words, the top words of many ideas, found again by the next duplicate check. Nothing else
    keeps a copy: the search index follows the row (triggers on SQLite, a generated column on
    PostgreSQL), the similar-ideas index reads it again as `updated_at` moved, audit entries
    name ideas by number and the open data cache holds numbers only."""
    # Messages quote a title as “…”: swapping only that form leaves alone a longer title
    # that merely contains this one.
    swaps = sorted(((f"“{was}”", f"“{idea.title}”") if name == "title"
                    else (was, getattr(idea, name) or "")
                    for name, was in old.items()
                    if was and (name == "title" or len(was) >= SHORTEST_SWAPPED)),
                   key=lambda pair: -len(pair[0]))  # a longer answer may hold a shorter one
    targets = [(Notification.idea_id == idea.id, swaps)]
    if old.get("title"):
        # Other ideas' messages quote this title only where they were merged into it (and
        # perhaps unmerged since): not every idea of the window, one of which may share it.
        merged_here = select(AuditEvent.target_id).where(
            AuditEvent.action == "idea.merge",
            AuditEvent.summary.endswith(f" into idea {idea.id}", autoescape=True))
        others = select(Idea.id).where(Idea.window_id == idea.window_id, Idea.id != idea.id,
                                       cast(Idea.id, String).in_(merged_here))
        targets.append((Notification.idea_id.in_(others),
                        [(f"“{old['title']}”", f"“{idea.title}”")]))
    for about, pairs in targets:
        if not pairs:
            continue
        quoting = about & or_(*(Notification.message.contains(was, autoescape=True)
                                for was, _ in pairs))
        emails = list(db.session.scalars(
            select(OutboxEmail).join(Notification, Notification.id == OutboxEmail.notification_id)
            .where(quoting, OutboxEmail.status.in_(UNSENT))))
        for email in emails:
            # The subject is made again: it may hold a shortened title, which a swap misses.
            # Conditional: a sender that claimed the email since it was read sends the old
            # words, and its row must go on saying so.
            db.session.execute(
                update(OutboxEmail)
                .where(OutboxEmail.id == email.id, OutboxEmail.status.in_(UNSENT))
                .values(subject=email_subject(_swap(email.notification.message, pairs)),
                        body=_swap(email.body, pairs))
                .execution_options(synchronize_session=False))
        db.session.execute(update(Notification).where(quoting)
                           .values(message=_sql_swap(Notification.message, pairs))
                           .execution_options(synchronize_session=False))
    if swaps:
        db.session.execute(update(IdeaStatusChange).where(
            IdeaStatusChange.idea_id == idea.id,
            or_(*(IdeaStatusChange.reason.contains(was, autoescape=True) for was, _ in swaps)))
            .values(reason=_sql_swap(IdeaStatusChange.reason, swaps))
            .execution_options(synchronize_session=False))
    db.session.execute(delete(TypeSuggestion).where(TypeSuggestion.idea_id == idea.id))


def _swap(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def _sql_swap(column, pairs: list[tuple[str, str]]):
    """`_swap` in SQL (replace() is the same function on SQLite and PostgreSQL)."""
    for old, new in pairs:
        column = func.replace(column, old, new)
    return column


def clear_flags(actor: User, idea: Idea) -> None:
    """Staff checked the personal-information flag and the idea is fine as it is."""
    before = idea.pii_flags
    idea.pii_flags = None
    audit.record(actor, "idea.clear_flags", idea, f"Cleared personal data flags on idea "
                 f"{idea.id}", before={"flags": before}, after={"flags": None})
    db.session.commit()


def approve(actor: User, idea: Idea) -> None:
    """Let a pre-moderated idea appear."""
    if not idea.awaiting_moderation:
        raise ModerationError("This idea is not waiting for approval")
    idea.awaiting_moderation = False
    notify_people(idea, f"“{idea.title}” has been checked by staff and is now public.",
                  follower_ids(idea) | {idea.author_id}, actor)
    audit.record(actor, "idea.approve", idea, f"Approved idea {idea.id} for publication",
                 before={"awaiting_moderation": True}, after={"awaiting_moderation": False})
    db.session.commit()


@personal_data.section("reports")
def _report_data(user: User) -> list[dict]:
    # By idea number, not title: a reported idea may since be hidden for what its title says.
    return [{"idea_id": r.idea_id, "reason": r.reason.value, "details": r.details,
             "status": r.status.value, "made_at": r.created_at.isoformat()}
            for r in db.session.scalars(select(Report).where(Report.reporter_id == user.id)
                                        .order_by(Report.id))]
