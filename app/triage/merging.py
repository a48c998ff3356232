"""Staff decisions on duplicates: confirm a cluster, take an idea out, merge an idea into a
canonical one, and undo each; and supporters moving their support after a merge, which only
they can do."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app import audit
from app.accounts import personal_data
from app.extensions import db
from app.filters import london_date
from app.intake.services import record_status, status_message
from app.models import (
    ClusterMember,
    ClusterStatus,
    DuplicateCluster,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    Notification,
    Support,
    SupportMove,
    User,
    utcnow,
)
from app.triage.services import cluster_state
from app.voting.notifications import follower_ids, notify_people, tell
from app.voting.services import INSERT_FOLLOW, INSERT_SUPPORT, LIMIT_REACHED, timestamp


class MergeError(Exception):
    """A duplicate decision that cannot be made, with the reason for staff."""


def why_groups_locked(window: IdeaWindow | None) -> str | None:
    """Why staff can no longer change a window's duplicate groups, or None while they can."""
    if window is None or window.shortlist_published_at is None:
        return None
    # Unique supporters count an idea with those merged into it, so a merge or its undo would
    # change the figures the published shortlist was chosen from, and the open data shows.
    return (f"The shortlist for this window was published on "
            f"{london_date(window.shortlist_published_at)}, so its duplicate groups can no "
            f"longer change: merging ideas, or undoing a merge, would change the support "
            f"counts it was chosen from.")


def cluster_window(cluster: DuplicateCluster) -> IdeaWindow | None:
    """The window a cluster's ideas are in (a run over every window groups each apart)."""
    return cluster.members[0].idea.window if cluster.members else cluster.run.window


def _refuse_if_locked(window: IdeaWindow | None) -> None:
    """Raise MergeError if the window's shortlist is published, as read now."""
    reason = why_groups_locked(window)
    if reason:
        raise MergeError(reason)
    if window is not None:
        # Publishing claims the window row first with a conditional UPDATE; this claims it
        # the same way (a write that changes nothing), so each waits for the other. On
        # PostgreSQL it waits for a publication under way and then sees it; the lock is a
        # NO KEY UPDATE one, so supports (whose foreign key shares the row) never wait on it.
        # On SQLite a SELECT ... FOR UPDATE would hold nothing, where a write takes the
        # database's write lock until this change commits.
        still_open = db.session.execute(
            update(IdeaWindow).where(IdeaWindow.id == window.id,
                                     IdeaWindow.shortlist_published_at.is_(None))
            .values(shortlist_published_at=None)
            .execution_options(synchronize_session=False)).rowcount
        if not still_open:
            db.session.rollback()
            raise MergeError(why_groups_locked(db.session.get(IdeaWindow, window.id))
                             or "The shortlist for this window is published, so its "
                             "duplicate groups can no longer change")


def confirm_cluster(actor: User, cluster: DuplicateCluster, confirmed: bool = True) -> None:
    """Confirm that a cluster's ideas ask for the same thing (or undo that)."""
    _refuse_if_locked(cluster_window(cluster))
    before = cluster_state(cluster)
    cluster.status = ClusterStatus.CONFIRMED if confirmed else ClusterStatus.SUGGESTED
    cluster.confirmed_by_id = actor.id if confirmed else None
    cluster.confirmed_at = utcnow() if confirmed else None
    audit.record(actor, "cluster.confirm" if confirmed else "cluster.unconfirm", cluster,
                 f"{'Confirmed' if confirmed else 'Unconfirmed'} duplicate group {cluster.id}",
                 before=before, after=cluster_state(cluster))
    db.session.commit()


def set_member_removed(actor: User, member: ClusterMember, removed: bool) -> None:
    """Take an idea out of its cluster (it is not a duplicate), or put it back."""
    _refuse_if_locked(member.idea.window)
    before = cluster_state(member.cluster)
    member.removed = removed
    member.removed_by_id = actor.id if removed else None
    audit.record(actor, "cluster.remove_idea" if removed else "cluster.restore_idea",
                 member.cluster, f"{'Took' if removed else 'Put'} idea {member.idea_id} "
                 f"{'out of' if removed else 'back in'} duplicate group {member.cluster_id}",
                 before=before, after=cluster_state(member.cluster))
    db.session.commit()


def supporter_ids(idea: Idea) -> list[int]:
    """Who supports an idea now."""
    return list(db.session.scalars(select(Support.user_id).where(Support.idea_id == idea.id)))


# Ideas in these statuses can be neither merged nor merged into.
UNMERGEABLE = (IdeaStatus.MERGED, IdeaStatus.WITHDRAWN, IdeaStatus.DRAFT)


def why_not_mergeable(duplicate: Idea) -> str | None:
    """Why `duplicate` cannot be merged into any idea now, or None if it can."""
    if duplicate.status in UNMERGEABLE:
        return f"This idea is {duplicate.status.label.lower()} and cannot be merged"
    if not duplicate.is_listed:
        return ("This idea is hidden or waiting for moderation: restore or approve it before "
                "merging it")
    return None


def why_not_target(canonical: Idea) -> str | None:
    """Why no idea can be merged into `canonical` now, or None if one can."""
    if canonical.status in UNMERGEABLE:
        return (f"“{canonical.title}” is {canonical.status.label.lower()}: choose another idea "
                "to merge into")
    if not canonical.is_listed:
        return ("The idea to merge into is hidden or waiting for moderation: choose another "
                "idea, or restore or approve it first")
    return None


def check_merge(duplicate: Idea, canonical: Idea) -> None:
    """Raise MergeError unless `duplicate` may be merged into `canonical` now: the same window,
    neither merged, withdrawn nor a draft, and neither hidden nor waiting for moderation (a
    merged idea's page links its target, and notifications name it)."""
    if duplicate.id == canonical.id:
        raise MergeError("Choose a different idea to merge into")
    if duplicate.window_id != canonical.window_id:
        raise MergeError("Ideas can only be merged within one window")
    reason = (why_groups_locked(duplicate.window) or why_not_mergeable(duplicate)
              or why_not_target(canonical))
    if reason:
        raise MergeError(reason)


@dataclass
class MemberChoices:
    """What staff can do with one idea of a duplicate group, so the page offers no button that
    could only be refused: the ideas it can be merged into (most supported first), whether it
    can be taken out of the group, and a note when there is nothing to merge it into."""

    targets: list[Idea] = field(default_factory=list)
    can_take_out: bool = False
    note: str | None = None


def member_choices(cluster: DuplicateCluster) -> dict[int, MemberChoices]:
    """For each member of `cluster` (by member id), what staff can do with its idea now."""
    if why_groups_locked(cluster_window(cluster)):
        return {member.id: MemberChoices() for member in cluster.members}
    members = [m for m in cluster.members if not m.removed]
    choices = {}
    for member in cluster.members:
        idea = member.idea
        others = [m.idea for m in members if m.idea_id != idea.id]
        # Taking an idea out only means something while another idea, not merged, remains:
        # merged ideas are undone instead, and the idea they went into is not their duplicate.
        open_others = [o for o in others if o.status != IdeaStatus.MERGED]
        choice = MemberChoices(can_take_out=(not member.removed and idea.status != IdeaStatus.MERGED
                                             and bool(open_others)))
        if not member.removed and why_not_mergeable(idea) is None:
            choice.targets = sorted((o for o in open_others if why_not_target(o) is None),
                                    key=lambda o: (-o.support_count, o.id))
            if not choice.targets:
                choice.note = "There is no other idea in this group to merge it into."
        choices[member.id] = choice
    return choices


def merged_into_it(canonical: Idea) -> list[Idea]:
    """The ideas merged into `canonical`, oldest first."""
    return list(db.session.scalars(select(Idea).where(
        Idea.merged_into_id == canonical.id, Idea.status == IdeaStatus.MERGED).order_by(Idea.id)))


def people_to_tell(duplicate: Idea, actor: User) -> list[User]:
    """Who a merge of `duplicate` notifies (as notify_people does: its followers and
    supporters, not deleted accounts, not the person merging)."""
    ids = (follower_ids(duplicate) | set(supporter_ids(duplicate))) - {actor.id}
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids),
                                                      User.deleted_at.is_(None))))


def merge(actor: User, duplicate: Idea, canonical: Idea) -> int:
    """Mark `duplicate` as asking for the same as `canonical`. Its followers and supporters
    are told; supporters may move their support, but nothing moves without them. Returns how
    many people were told."""
    check_merge(duplicate, canonical)
    _refuse_if_locked(duplicate.window)
    before = {"status": duplicate.status.value, "merged_into": None}
    duplicate.merged_into_id = canonical.id
    # The public timeline names no title: the idea's banner links the one it went into, and
    # leaves its title out if that idea is ever hidden.
    reason = ("Merged into another idea that asks for the same thing. Supporters can move "
              "their support there.")
    # Each person is told once. Supporters (who mostly follow too, since supporting follows)
    # get the message that says where to move their support; other followers the status.
    supporters = set(supporter_ids(duplicate))
    record_status(duplicate, IdeaStatus.MERGED, actor, reason=reason, notify=False)
    told = notify_people(duplicate, status_message(duplicate, IdeaStatus.MERGED, reason),
                         follower_ids(duplicate) - supporters, actor)
    told += notify_people(duplicate, f"“{duplicate.title}”, an idea you support, was merged "
                          f"into “{canonical.title}”. You can move your support to it in one "
                          "click.", supporters, actor)
    audit.record(actor, "idea.merge", duplicate,
                 f"Merged idea {duplicate.id} into idea {canonical.id}", before=before,
                 after={"status": IdeaStatus.MERGED.value, "merged_into": canonical.id})
    db.session.commit()
    return told


def previous_status(idea: Idea) -> IdeaStatus:
    """The status an idea had before it was merged."""
    changes = [c.status for c in idea.status_changes]
    for status in reversed(changes[:-1] if changes and changes[-1] == IdeaStatus.MERGED
                           else changes):
        if status != IdeaStatus.MERGED:
            return status
    return IdeaStatus.SUBMITTED


def merged_at(idea: Idea) -> datetime | None:
    """When an idea was last merged (None if never, or merged before timelines existed)."""
    return db.session.scalar(select(func.max(IdeaStatusChange.changed_at)).where(
        IdeaStatusChange.idea_id == idea.id, IdeaStatusChange.status == IdeaStatus.MERGED))


def was_merged(idea: Idea) -> bool:
    """Whether an idea that is not merged now was merged once (and staff undid it)."""
    return idea.status != IdeaStatus.MERGED and merged_at(idea) is not None


def told_of_merge(idea: Idea, since: datetime | None, actor: User) -> list[User]:
    """Who hears that the merge of `idea` is undone: everyone told about the idea since it was
    merged (the merge message went to its followers and supporters then, and some have since
    moved their support or stopped following), and its followers and supporters now; not
    deleted accounts, not the person undoing it."""
    ids = follower_ids(idea) | set(supporter_ids(idea))
    if since is not None:
        ids |= set(db.session.scalars(select(Notification.user_id).where(
            Notification.idea_id == idea.id, Notification.created_at >= since)))
    ids.discard(actor.id)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids),
                                                      User.deleted_at.is_(None))))


def unmerge_message(idea: Idea, canonical: Idea | None, support: str) -> str:
    """What a person is told when the merge of `idea` into `canonical` is undone, for its new
    status: whether it can be supported, and where their own support is (`support`: "kept" on
    the idea, "moved" to the canonical idea, or "none")."""
    # Titles of hidden ideas are never repeated: they may be why moderators hid them.
    name = f"“{idea.title}”" if idea.is_listed else "An idea you follow or support"
    shown = canonical is not None and canonical.is_listed
    into = f"“{canonical.title}”" if shown else "the idea it was merged into"
    window = idea.window
    parts = [f"{name} is no longer merged into {into if shown else 'another idea'}.",
             "Staff decided the two ideas do not ask for the same thing."]
    if idea.is_supportable and window.is_open_for_voting():
        parts.append("It is an idea of its own again, open for support.")
    elif idea.is_supportable and not window.voting_has_opened():
        parts.append("It is an idea of its own again, and can be supported when voting opens "
                     f"on {london_date(window.voting_open_at)}.")
    elif idea.is_supportable:
        parts.append("It is an idea of its own again. Voting has closed, so it can no longer "
                     "be supported.")
    elif not idea.is_listed:
        parts.append("It is an idea of its own again, but moderators have hidden it or not "
                     "yet approved it, so it cannot be supported for now.")
    else:
        parts.append(f"It is an idea of its own again, with the status it had before: "
                     f"{idea.status.label}.")
    if support == "kept":
        parts.append("You still support it.")
    elif support == "moved":
        parts.append(f"You moved your support to {into}, and it stays there: nothing moves "
                     "back unless you do.")
        if idea.is_supportable and window.is_open_for_voting():
            parts.append("If you want to support this idea again, you can do so on its page.")
    return " ".join(parts)


def _unmerge_audience(idea: Idea, actor: User) -> tuple[list[User], set[int], set[int]]:
    """Who undoing the merge of `idea` tells, who of everyone still supports it, and who moved
    their support from it to the idea it went into (since this merge, and not back)."""
    since = merged_at(idea)
    people = told_of_merge(idea, since, actor)
    kept = set(supporter_ids(idea))
    moves = select(SupportMove.user_id).where(SupportMove.from_idea_id == idea.id,
                                              SupportMove.to_idea_id == idea.merged_into_id)
    if since is not None:
        moves = moves.where(SupportMove.moved_at >= since)
    return people, kept, set(db.session.scalars(moves)) - kept


@dataclass
class UnmergePreview:
    """What undoing a merge would do now, for staff to read before they confirm it."""

    canonical: Idea | None
    restored: IdeaStatus  # the status the idea gets back
    people: int  # told in the app
    by_email: int  # of them, told by email too
    moved: int  # of them, people who moved their support to `canonical`, where it stays
    kept: int  # of them, people who still support the idea


def unmerge_preview(actor: User, idea: Idea) -> UnmergePreview:
    """How many people undoing the merge of `idea` would tell (as `unmerge` counts them), and
    what it means for their supports."""
    if idea.status != IdeaStatus.MERGED:
        raise MergeError("This idea is not merged")
    reason = why_groups_locked(idea.window)
    if reason:
        raise MergeError(reason)
    people, kept, moved = _unmerge_audience(idea, actor)
    told = {person.id for person in people}
    return UnmergePreview(idea.merged_into, previous_status(idea), len(people),
                          sum(1 for p in people if p.email_notifications and p.email),
                          len(moved & told), len(kept & told))


def unmerge(actor: User, idea: Idea) -> int:
    """Undo a merge: the idea gets back the status it had, and the people told about the merge
    are told it is undone. Moved supports stay where their supporters put them. Returns how
    many people were told."""
    if idea.status != IdeaStatus.MERGED:
        raise MergeError("This idea is not merged")
    _refuse_if_locked(idea.window)
    canonical = idea.merged_into
    canonical_id = idea.merged_into_id
    people, kept, moved = _unmerge_audience(idea, actor)
    restored = previous_status(idea)
    idea.merged_into_id = None
    # Followers are told below with everyone else, in words that say what the undo means for
    # each of them, rather than by the plain status message.
    record_status(idea, restored, actor, reason="Staff decided it is not a duplicate after all.",
                  notify=False)
    groups: dict[str, list[User]] = {}
    for person in people:
        support = "kept" if person.id in kept else "moved" if person.id in moved else "none"
        groups.setdefault(support, []).append(person)
    told = sum(tell(idea, unmerge_message(idea, canonical, support), group, actor)
               for support, group in groups.items())
    audit.record(actor, "idea.unmerge", idea, f"Unmerged idea {idea.id}",
                 before={"status": IdeaStatus.MERGED.value, "merged_into": canonical_id},
                 after={"status": restored.value, "merged_into": None})
    db.session.commit()
    return told


def move_support(user: User, duplicate: Idea, into: int | None = None) -> Idea:
    """Move this person's support from a merged idea to the one it was merged into (`into`,
    when given: the idea their page named)."""
    canonical = duplicate.merged_into
    if duplicate.status != IdeaStatus.MERGED or canonical is None:
        if was_merged(duplicate):  # a page or notification from before the undo
            raise MergeError("Staff have undone the merge of this idea, so there is nothing "
                             "to move. Your support has not changed.")
        raise MergeError("This idea has not been merged, so there is nothing to move")
    if into is not None and into != canonical.id:
        # Undone and merged again elsewhere since the page was shown: they agreed to another.
        raise MergeError("This idea has since been merged into a different idea, so your "
                         "support has not moved. Check the idea it is merged into now before "
                         "you move it.")
    # Not refused as a staff change to the groups is: moving is the supporter's own choice, a
    # support given like any other. It needs voting open, and publishing the shortlist waits
    # for voting to close (and is_open_for_voting is false once it is out), so no support
    # moves behind a published shortlist either.
    if not canonical.window.is_open_for_voting():
        raise MergeError("Voting has closed, so supports can no longer be moved")
    # The database's triggers move the counters and the person's ledger (migration 0007).
    had = db.session.execute(delete(Support).where(
        Support.idea_id == duplicate.id, Support.user_id == user.id)).rowcount
    if not had:
        db.session.rollback()
        raise MergeError("You do not support this idea")
    # If they already support the canonical idea, one support stays and their ledger is one
    # lower; ON CONFLICT also covers a support given in another tab a moment ago.
    now = timestamp(utcnow())
    try:
        db.session.execute(INSERT_SUPPORT, {
            "idea_id": canonical.id, "user_id": user.id, "window_id": canonical.window_id,
            "created_at": now, "network": None})
        # Kept so that undoing the merge can tell them where their support went.
        db.session.add(SupportMove(user_id=user.id, from_idea_id=duplicate.id,
                                   to_idea_id=canonical.id))
        db.session.flush()
    except IntegrityError as error:  # staff lowered the window's limit below what they used
        db.session.rollback()
        if LIMIT_REACHED not in str(error.orig):
            raise
        raise MergeError("The window’s limit on supports is now lower than the number you "
                         "have given, so this support cannot be moved") from None
    # Supporting follows, here as in add_support: they hear what happens to the idea now.
    db.session.execute(INSERT_FOLLOW, {"idea_id": canonical.id, "user_id": user.id,
                                       "created_at": now})
    db.session.commit()
    return canonical


@personal_data.section("supports_moved")
def _support_move_data(user: User) -> list[dict[str, str]]:
    moved_from, moved_to = aliased(Idea), aliased(Idea)

    def title(idea):  # a hidden title may hold someone's personal information
        return case((or_(idea.hidden_at.is_(None), idea.author_id == user.id), idea.title),
                    else_=literal("An idea moderators have hidden"))

    rows = db.session.execute(
        select(title(moved_from), title(moved_to), SupportMove.moved_at)
        .join(moved_from, moved_from.id == SupportMove.from_idea_id)
        .join(moved_to, moved_to.id == SupportMove.to_idea_id)
        .where(SupportMove.user_id == user.id).order_by(SupportMove.id))
    return [{"from_idea": from_title, "to_idea": to_title, "moved_at": at.isoformat()}
            for from_title, to_title, at in rows]
