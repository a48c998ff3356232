"""Staff decisions on duplicates: confirm a cluster, take an idea out, merge an idea into a
canonical one, and undo each; and supporters moving their support after a merge, which only
they can do."""

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db
from app.intake.services import record_status, status_message
from app.models import (
    ClusterMember,
    ClusterStatus,
    DuplicateCluster,
    Idea,
    IdeaStatus,
    Support,
    User,
    utcnow,
)
from app.triage.services import cluster_state
from app.voting.notifications import follower_ids, notify_people
from app.voting.services import INSERT_FOLLOW, INSERT_SUPPORT, LIMIT_REACHED, timestamp


class MergeError(Exception):
    """A duplicate decision that cannot be made, with the reason for staff."""


def confirm_cluster(actor: User, cluster: DuplicateCluster, confirmed: bool = True) -> None:
    """Confirm that a cluster's ideas ask for the same thing (or undo that)."""
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
    before = cluster_state(member.cluster)
    member.removed = removed
    member.removed_by_id = actor.id if removed else None
    audit.record(actor, "cluster.remove_idea" if removed else "cluster.restore_idea",
                 member.cluster, f"{'Took' if removed else 'Put'} idea {member.idea_id} "
                 f"{'out of' if removed else 'back in'} duplicate group {member.cluster_id}",
                 before=before, after=cluster_state(member.cluster))
    db.session.commit()


def supporter_ids(idea: Idea) -> list[int]:
    return list(db.session.scalars(select(Support.user_id).where(Support.idea_id == idea.id)))


def check_merge(duplicate: Idea, canonical: Idea) -> None:
    """Raise MergeError unless `duplicate` may be merged into `canonical` now: the same window,
    neither merged, withdrawn nor a draft, and neither hidden nor waiting for moderation (a
    merged idea's page links its target, and notifications name it)."""
    if duplicate.id == canonical.id:
        raise MergeError("Choose a different idea to merge into")
    if duplicate.window_id != canonical.window_id:
        raise MergeError("Ideas can only be merged within one window")
    if duplicate.status in (IdeaStatus.MERGED, IdeaStatus.WITHDRAWN, IdeaStatus.DRAFT):
        raise MergeError(f"This idea is {duplicate.status.label.lower()} and cannot be merged")
    if canonical.status in (IdeaStatus.MERGED, IdeaStatus.WITHDRAWN, IdeaStatus.DRAFT):
        raise MergeError(f"“{canonical.title}” is {canonical.status.label.lower()}: choose "
                         "another idea to merge into")
    if not duplicate.is_listed:
        raise MergeError("This idea is hidden or waiting for moderation: restore or approve it "
                         "before merging it")
    if not canonical.is_listed:
        raise MergeError("The idea to merge into is hidden or waiting for moderation: choose "
                         "another idea, or restore or approve it first")


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


def unmerge(actor: User, idea: Idea) -> None:
    """Undo a merge: the idea gets back the status it had. Moved supports stay where their
    supporters put them."""
    if idea.status != IdeaStatus.MERGED:
        raise MergeError("This idea is not merged")
    canonical_id = idea.merged_into_id
    restored = previous_status(idea)
    idea.merged_into_id = None
    record_status(idea, restored, actor, reason="Staff decided it is not a duplicate after all.")
    audit.record(actor, "idea.unmerge", idea, f"Unmerged idea {idea.id}",
                 before={"status": IdeaStatus.MERGED.value, "merged_into": canonical_id},
                 after={"status": restored.value, "merged_into": None})
    db.session.commit()


def move_support(user: User, duplicate: Idea) -> Idea:
    """Move this person's support from a merged idea to the one it was merged into."""
    canonical = duplicate.merged_into
    if duplicate.status != IdeaStatus.MERGED or canonical is None:
        raise MergeError("This idea has not been merged, so there is nothing to move")
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
