"""Demo content for a lived-in product: the region's areas, three idea windows (past, open,
upcoming) and the ideas in app/demo/ideas.json, with their authors and timelines."""

import json
import random
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from app import audit
from app.accounts.passwords import hash_password
from app.extensions import db
from app.filters import LONDON
from app.models import (
    Area,
    Follow,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    Membership,
    MembershipStatus,
    Organisation,
    Role,
    ShortlistOverride,
    Source,
    Support,
    User,
    utcnow,
)

IDEAS_FILE = Path(__file__).with_name("ideas.json")
AREAS = ["Northgate Central", "Riverside", "Eastfield", "Millbrook", "Hartley Moor",
         "Southport Docks"]

PAST_DESCRIPTION = """We asked for ideas that would help people in Northshire feel safer and
stay healthier where they live: fires at home, rogue landlords, fly-tipping, damp and mould.

The shortlist is published. Every idea shows the decision on it and the reason."""

OPEN_DESCRIPTION = """This winter we want ideas about **getting around and staying well**:

- roads, pavements, gritting and buses in cold weather
- cold, damp homes and the cost of heating them
- loneliness, falls and hospital admissions among older people

Tell us the problem you see. You do not need to know what data exists: we will find out."""

UPCOMING_DESCRIPTION = """In spring we will ask for ideas about children and young people:
school attendance, youth services, SEND support and early help for families."""


def _window(title: str, theme: str, description: str, opens: datetime, closes: datetime,
            voting_opens: datetime, voting_closes: datetime, areas: list[Area]) -> IdeaWindow:
    window = db.session.scalar(select(IdeaWindow).where(IdeaWindow.title == title))
    if window is None:
        window = IdeaWindow(title=title, theme=theme, description=description,
                            submissions_open_at=opens, submissions_close_at=closes,
                            voting_open_at=voting_opens, voting_close_at=voting_closes,
                            support_limit=10, published_at=opens - timedelta(days=14))
        window.areas = areas
        db.session.add(window)
    return window


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")


def _author(name: str, organisation: Organisation | None, domain: str) -> User:
    email = f"{_slug(name)}@{domain}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        # Demo authors never sign in; their password is random and never shown.
        user = User(email=email, display_name=name, email_verified_at=utcnow(),
                    password_hash=hash_password(secrets.token_urlsafe(24)))
        db.session.add(user)
        if organisation is not None:
            db.session.add(Membership(user=user, organisation=organisation,
                                      status=MembershipStatus.APPROVED, job_title="Officer",
                                      decided_at=utcnow()))
            user.role = Role.OFFICER
    return user


def seed_windows_and_ideas(mayors_office_user: User, now: datetime | None = None) -> int:
    """Create the demo windows and ideas once; returns how many ideas it added."""
    now = now or utcnow()
    areas = []
    for name in AREAS:
        area = db.session.scalar(select(Area).where(Area.name == name))
        if area is None:
            area = Area(name=name)
            db.session.add(area)
        areas.append(area)
    def opening(days: int) -> datetime:  # 9am UK time, `days` from today
        local = now.astimezone(LONDON) + timedelta(days=days)
        return local.replace(hour=9, minute=0, second=0, microsecond=0)

    def closing(days: int) -> datetime:  # 11:59pm UK time
        return opening(days).replace(hour=23, minute=59)

    past = _window("Spring 2026 ideas", "Safer, healthier neighbourhoods", PAST_DESCRIPTION,
                   opening(-265), closing(-225), opening(-224), closing(-195), areas)
    past.shortlist_published_at = past.shortlist_published_at or opening(-170)
    past.closed_at = past.closed_at or opening(-120)
    # Voting overlaps: it opened a week ago, while ideas are still coming in.
    current = _window("Winter 2026 ideas", "Getting around and staying well this winter",
                      OPEN_DESCRIPTION, opening(-28), closing(21), opening(-7), closing(42),
                      areas)
    _window("Spring 2027 ideas", "Growing up well: children and young people",
            UPCOMING_DESCRIPTION, opening(90), closing(130), opening(131), closing(160), areas)
    db.session.flush()
    if db.session.scalar(select(Idea.id).where(Idea.window_id.in_([past.id, current.id]))):
        db.session.commit()
        return 0

    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    areas_by_name = {a.name: a for a in areas}
    added, wanted_supports, by_title = 0, [], {}
    entries = []
    for number, entry in enumerate(json.loads(IDEAS_FILE.read_text())):
        window = past if entry["window"] == "past" else current
        posted = now - timedelta(days=entry["days_ago"], hours=number % 9)
        # Keep every idea inside the time its window took ideas.
        posted = min(max(posted, window.submissions_open_at + timedelta(hours=3)),
                     window.submissions_close_at - timedelta(hours=3))
        entries.append((posted, number, entry))
    # Oldest first, so that idea numbers follow the order ideas were posted, as they would.
    entries.sort(key=lambda item: item[:2])
    for posted, _number, entry in entries:
        window = past if entry["window"] == "past" else current
        source = Source(entry["source"])
        organisation = organisations.get(entry["organisation"] or "")
        if source == Source.MAYORAL:
            author = mayors_office_user
        elif source == Source.COUNCIL:
            author = _author(entry["author"], organisation, "officers.example.org")
        else:
            author = _author(entry["author"], None, "residents.example.org")
        idea = Idea(window=window, author=author, source=source, organisation=organisation,
                    title=entry["title"], problem=entry["problem"], action=entry["action"],
                    data=entry["data"], datasets="\n".join(entry["datasets"]),
                    area=areas_by_name.get(entry["area"] or ""),
                    pledge_reference=entry["pledge_reference"], pledge_url=entry["pledge_url"],
                    status=IdeaStatus.SUBMITTED, published_at=posted, created_at=posted)
        _timeline(idea, entry, window, posted)
        db.session.add(idea)
        db.session.add(Follow(idea=idea, user=author))
        wanted_supports.append((idea, entry["supports"]))
        by_title[idea.title] = idea
        added += 1
    for _posted, _number, entry in entries:  # merged ideas point to the idea they live on in
        if entry.get("merged_into"):
            by_title[entry["title"]].merged_into = by_title[entry["merged_into"]]
    db.session.flush()
    _supports(wanted_supports, now)
    db.session.commit()
    return added


def _supports(wanted: list[tuple[Idea, int]], now: datetime) -> None:
    """Demo supports from demo residents, within each window's limit per person; each
    supporter follows the idea, as supporting does in the app."""
    supporters = _supporters(300)
    rng = random.Random(2026)
    capacity: dict[tuple[int, int], int] = {}
    rows = []
    for idea, count in sorted(wanted, key=lambda pair: -pair[1]):
        window = idea.window
        start = window.voting_open_at
        end = min(now, window.voting_close_at)
        order = supporters[:]
        rng.shuffle(order)
        chosen = [u for u in order
                  if capacity.get((u, window.id), 0) < (window.support_limit or 10**6)
                  and u != idea.author_id][:count]
        for user_id in chosen:
            capacity[(user_id, window.id)] = capacity.get((user_id, window.id), 0) + 1
            at = start + (end - start) * rng.random()
            rows.append({"idea_id": idea.id, "user_id": user_id, "window_id": window.id,
                         "created_at": at})
    if rows:  # the database's triggers count them on the ideas and in the ledgers
        db.session.execute(insert(Support), rows)
        # Authors never support their own demo ideas, so none of these follows exists yet.
        db.session.execute(insert(Follow), [
            {"idea_id": row["idea_id"], "user_id": row["user_id"], "created_at": row["created_at"]}
            for row in rows])


def _supporters(count: int) -> list[int]:
    """Demo residents who support ideas; they never sign in."""
    existing = list(db.session.scalars(select(User.id).where(
        User.email.like("supporter-%@residents.example.org")).order_by(User.id)))
    if len(existing) < count:
        password_hash = hash_password(secrets.token_urlsafe(24))
        now = utcnow() - timedelta(days=300)
        db.session.execute(insert(User), [
            {"email": f"supporter-{n}@residents.example.org", "display_name": f"Supporter {n}",
             "password_hash": password_hash, "email_verified_at": now, "created_at": now}
            for n in range(len(existing), count)])
        existing = list(db.session.scalars(select(User.id).where(
            User.email.like("supporter-%@residents.example.org")).order_by(User.id)))
    return existing[:count]


# What staff wrote, publishing the past window's shortlist, for the ideas left off it.
LEFT_OFF_REASON = ("Other ideas had more public support or a clearer route to the data and to "
                   "action. Thank you for taking part: you can post it again in a later window.")


# When staff did each part of reviewing a window, as a share of the time from voting closing
# to the shortlist being published: the timelines and the audit log both follow these.
REVIEW_STEPS = {"types": 0.1, "scores": 0.2, "merges": 0.4, "decisions": 0.5,
                "formula": 0.8, "overrides": 0.9}


def review_moment(window: IdeaWindow, step: str, offset: timedelta = timedelta()) -> datetime:
    """When staff did `step` of reviewing the window (see REVIEW_STEPS), plus `offset`."""
    end = window.shortlist_published_at or window.voting_close_at + timedelta(days=20)
    return window.voting_close_at + (end - window.voting_close_at) * REVIEW_STEPS[step] + offset


def _timeline(idea: Idea, entry: dict, window: IdeaWindow, posted: datetime) -> None:
    """The status changes an idea of this kind would have had by now."""
    idea.status_changes.append(IdeaStatusChange(status=IdeaStatus.SUBMITTED, changed_at=posted))
    final = IdeaStatus(entry["status"])
    left_off = window.shortlist_published_at is not None and final in (
        IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW)
    if left_off:  # publishing decided every idea still waiting, as it does in the app
        final = IdeaStatus.NOT_TAKEN_FORWARD
    if final == IdeaStatus.WITHDRAWN:
        idea.status_changes.append(IdeaStatusChange(
            status=final, changed_at=posted + timedelta(days=2),
            reason="I found out the council is already piloting this."))
    elif final != IdeaStatus.SUBMITTED:
        idea.status_changes.append(IdeaStatusChange(status=IdeaStatus.UNDER_REVIEW,
                                                    changed_at=window.voting_close_at))
        if final != IdeaStatus.UNDER_REVIEW:
            reason = LEFT_OFF_REASON if left_off else entry["decision_reason"] or (
                "Strong public support and a clear route to data and action."
                if final == IdeaStatus.SHORTLISTED else None)
            from_shortlist = left_off or final == IdeaStatus.SHORTLISTED
            # Only publishing shortlists; merges and other decisions come before it, as staff
            # review the window.
            changed_at = window.shortlist_published_at if from_shortlist else review_moment(
                window, "merges" if final == IdeaStatus.MERGED else "decisions")
            idea.status_changes.append(IdeaStatusChange(
                status=final, changed_at=changed_at, reason=reason,
                from_shortlist=from_shortlist))
    idea.status = final


def seed_triage(staff: User) -> None:
    """Confirm the written types of the past window's ideas (as staff would have), train the
    type model on them and the seed set, suggest types for every idea, and look for
    duplicates, so that the staff pages have something to show."""
    from app.models import ConfirmedType, TriageRun, TypeModel
    from app.triage import services

    if db.session.scalar(select(TypeModel.id)) is not None:
        return
    entries = {entry["title"]: entry for entry in json.loads(IDEAS_FILE.read_text())}
    past = db.session.scalar(select(IdeaWindow).where(IdeaWindow.title == "Spring 2026 ideas"))
    for number, idea in enumerate(db.session.scalars(select(Idea).where(
            Idea.window_id == past.id).order_by(Idea.id))):
        keys = entries.get(idea.title, {}).get("opportunity_types") or ["none"]
        at = review_moment(past, "types", timedelta(minutes=10 * number))
        for key in keys:
            db.session.add(ConfirmedType(idea_id=idea.id, type_key=key, confirmed_by_id=staff.id,
                                         confirmed_at=at))
        # As confirm_types records it, when staff did it.
        audit.record(staff, "idea.types", idea,
                     f"Confirmed the opportunity types of idea {idea.id}",
                     before={"types": []}, after={"types": keys}, occurred_at=at)
    db.session.commit()
    services.train_types(staff)
    ideas = list(db.session.scalars(select(Idea).where(
        services.indexed())))
    services.suggest_types(ideas)
    db.session.commit()
    if db.session.scalar(select(TriageRun.id)) is None:
        current = db.session.scalar(select(IdeaWindow).where(
            IdeaWindow.title == "Winter 2026 ideas"))
        services.run_clustering(current, staff)


# Feasibility scores (of 2, for the nine criteria) a reviewer gave ideas of each outcome.
DEMO_SCORES = {
    IdeaStatus.SHORTLISTED: [2, 2, 2, 2, 1, 2, 2, 1, 2],
    IdeaStatus.NOT_TAKEN_FORWARD: [1, 1, 0, 1, 0, 1, 0, 0, 1],
}


def seed_review(staff: User, admin: User, resident: User) -> None:
    """Assess the past window's ideas and record its published shortlist (as it would have
    been published), and leave a report and an assessment in the current window, so that
    the review, moderation and open data pages have something to show."""
    from app.models import Assessment, Report, ReportReason, ShortlistEntry
    from app.review import assessments, shortlist

    past = db.session.scalar(select(IdeaWindow).where(IdeaWindow.title == "Spring 2026 ideas"))
    if past is None or db.session.scalar(select(Assessment.id)) is not None:
        return
    ideas = list(db.session.scalars(select(Idea).where(Idea.window_id == past.id)
                                    .order_by(Idea.id)))
    criteria = assessments.criteria_for(past)
    for number, idea in enumerate(ideas):
        scores = DEMO_SCORES.get(idea.status)
        if scores is None:
            continue
        for reviewer, shift in ((staff, 0), (admin, number % 2)):
            marks = [max(0, s - (shift if i == number % 9 else 0)) for i, s in enumerate(scores)]
            # Sam scores first and so becomes each idea's reviewer, as scoring does.
            assessments.save_assessment(reviewer, idea, {
                c.id: (mark, "") for c, mark in zip(criteria, marks, strict=True)},
                at=review_moment(past, "scores", timedelta(hours=number, minutes=shift * 30
                                                           + (reviewer is admin) * 20)))
    chosen = [i for i in ideas if i.status == IdeaStatus.SHORTLISTED]
    _set_size(staff, past, max(1, len(chosen)))
    # Where the formula and the decisions taken disagree, the override says why, in public.
    on_list = {row.idea_id for row in shortlist.ranking(past) if row.on_list}
    for idea in ideas:
        if idea.status == IdeaStatus.SHORTLISTED and idea.id not in on_list:
            _override(staff, idea, True, "A partner offered the data this needs, so it can "
                                         "start straight away.")
        elif idea.status != IdeaStatus.SHORTLISTED and idea.id in on_list:
            _override(staff, idea, False, "A council team is already doing this.")
    db.session.flush()
    rows = [row for row in shortlist.ranking(past) if row.on_list]
    for rank, row in enumerate(rows, start=1):
        db.session.add(ShortlistEntry(window_id=past.id, idea_id=row.idea_id, rank=rank,
                                      score=row.score, support_share=row.support_share,
                                      feasibility_share=row.feasibility_share,
                                      override_reason=row.override.reason if row.override
                                      else None))
    _audit_past_window(staff, past, ideas, [row.idea_id for row in rows])
    current = db.session.scalar(select(IdeaWindow).where(IdeaWindow.title == "Winter 2026 ideas"))
    first = db.session.scalar(select(Idea).where(Idea.window_id == current.id,
                                                 Idea.status == IdeaStatus.SUBMITTED,
                                                 Idea.author_id != resident.id)
                              .order_by(Idea.id).limit(1))
    if first is not None:
        db.session.add(Report(idea_id=first.id, reporter_id=resident.id,
                              reason=ReportReason.NOT_AN_IDEA,
                              details="This is a complaint about one bus driver."))
        assessments.assign(staff, [first], staff)  # commits, with its audit entry
    db.session.commit()


def _set_size(staff: User, window: IdeaWindow, size: int) -> None:
    """The shortlist size staff chose before publishing, recorded as set_weights records it."""
    before = {"support_weight": window.support_weight,
              "feasibility_weight": window.feasibility_weight, "size": window.shortlist_size}
    window.shortlist_size = size
    audit.record(staff, "shortlist.weights", window, f"Changed the shortlist formula of window "
                 f"{window.id}", before=before, after={**before, "size": size},
                 occurred_at=review_moment(window, "formula"))


def _override(staff: User, idea: Idea, include: bool, reason: str) -> None:
    """Staff going against the formula for an idea, recorded as shortlist.override records it."""
    at = review_moment(idea.window, "overrides")
    db.session.add(ShortlistOverride(idea_id=idea.id, include=include, decided_by_id=staff.id,
                                     reason=reason, decided_at=at))
    audit.record(staff, "shortlist.override", idea, f"Shortlist override for idea {idea.id}",
                 after={"include": include, "reason": reason}, occurred_at=at)


def _audit_past_window(staff: User, window: IdeaWindow, ideas: list[Idea],
                       shortlisted: list[int]) -> None:
    """The audit entries of the decisions on the past window's ideas, from their timelines, so
    that the audit log tells the story the timelines tell: each decision by Sam when it was
    made, worded as decide and merge word theirs, then publishing, then closing."""
    changes = sorted((change for idea in ideas for change in idea.status_changes),
                     key=lambda c: (c.changed_at, c.idea_id, c.id))
    status_before = {idea.id: IdeaStatus.SUBMITTED for idea in ideas}
    by_id = {idea.id: idea for idea in ideas}
    left_off = 0
    for change in changes:
        idea, before = by_id[change.idea_id], status_before[change.idea_id]
        if change.status in (IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN):
            continue  # the author's doing, not staff's, and not in the audit log
        change.changed_by_id = staff.id
        status_before[idea.id] = change.status
        if change.status == IdeaStatus.MERGED:
            audit.record(staff, "idea.merge", idea,
                         f"Merged idea {idea.id} into idea {idea.merged_into_id}",
                         before={"status": before.value, "merged_into": None},
                         after={"status": change.status.value,
                                "merged_into": idea.merged_into_id},
                         occurred_at=change.changed_at)
            continue
        summary = f"Moved idea {idea.id} to {change.status.label}"
        if change.from_shortlist:
            summary += " by publishing the shortlist"
            left_off += change.status == IdeaStatus.NOT_TAKEN_FORWARD
        audit.record(staff, "idea.decide", idea, summary, before={"status": before.value},
                     after={"status": change.status.value, "reason": change.reason or ""},
                     occurred_at=change.changed_at)
    audit.record(staff, "shortlist.publish", window, f"Published the shortlist of window "
                 f"{window.id}: {len(shortlisted)} shortlisted, {left_off} not taken forward",
                 before={"stage": "under_review", "shortlist": []},
                 after={"stage": "shortlist_published", "shortlist": shortlisted,
                        "not_taken_forward": left_off,
                        "not_taken_forward_reason": LEFT_OFF_REASON if left_off else None,
                        "support_weight": window.support_weight,
                        "feasibility_weight": window.feasibility_weight},
                 occurred_at=window.shortlist_published_at)
    if window.closed_at is not None:
        audit.record(staff, "window.close", window, f"Closed window {window.title}",
                     occurred_at=window.closed_at)
