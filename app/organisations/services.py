"""Organisations and membership: asking to join, approving, leads, and the roles that follow."""

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app import audit
from app.accounts import personal_data
from app.email import EmailNotSent, external_url, send_email
from app.extensions import db
from app.models import (
    STAFF_ROLES,
    Idea,
    IdeaStatus,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)

log = logging.getLogger(__name__)


class MembershipError(Exception):
    """A membership request or decision that cannot go ahead, with a message for the person."""


class OrganisationError(Exception):
    """An organisation that cannot be saved as asked, with the field at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def slugify(name: str) -> str:
    """A URL-safe name: 'Northgate City Council' becomes 'northgate-city-council'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "organisation"


def _unique_slug(name: str, exclude_id: int | None = None) -> str:
    base = slugify(name)
    slug, number = base, 2
    while True:
        clash = db.session.scalar(select(Organisation.id).where(Organisation.slug == slug))
        if clash is None or clash == exclude_id:
            return slug
        slug, number = f"{base}-{number}", number + 1


def _name_taken(name: str, exclude_id: int | None = None) -> bool:
    """Whether another organisation has this name, ignoring case and extra spaces: officers
    choosing whom to join could not tell "Northgate City Council" and "northgate city
    council" apart."""
    statement = select(Organisation.id).where(
        func.lower(Organisation.name) == " ".join(name.split()).lower())
    if exclude_id is not None:
        statement = statement.where(Organisation.id != exclude_id)
    return db.session.scalar(statement.limit(1)) is not None


def _organisation_state(organisation: Organisation) -> dict[str, Any]:
    return {"name": organisation.name, "kind": organisation.kind.value,
            "website": organisation.website}


def create_organisation(actor: User, name: str, kind: OrganisationKind,
                        website: str | None) -> Organisation:
    """Add an organisation that officers can ask to join."""
    if _name_taken(name):
        raise OrganisationError("An organisation with that name already exists", "name")
    organisation = Organisation(name=" ".join(name.split()), slug=_unique_slug(name), kind=kind,
                                website=(website or "").strip() or None)
    db.session.add(organisation)
    audit.record(actor, "organisation.create", organisation,
                 f"Created organisation {organisation.name}",
                 after=_organisation_state(organisation))
    db.session.commit()
    return organisation


def update_organisation(actor: User, organisation: Organisation, name: str,
                        kind: OrganisationKind, website: str | None) -> None:
    """Change an organisation's details; its members' roles follow a change of kind."""
    if _name_taken(name, exclude_id=organisation.id):
        raise OrganisationError("An organisation with that name already exists", "name")
    before = _organisation_state(organisation)
    organisation.name = " ".join(name.split())
    organisation.slug = _unique_slug(name, exclude_id=organisation.id)
    organisation.kind = kind
    organisation.website = (website or "").strip() or None
    for membership in organisation.memberships:
        sync_role(membership.user)
    audit.record(actor, "organisation.update", organisation,
                 f"Changed organisation {organisation.name}",
                 before=before, after=_organisation_state(organisation))
    db.session.commit()


def list_organisations() -> list[Organisation]:
    """Every organisation, by name."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def get_by_slug(slug: str) -> Organisation | None:
    """The organisation with this URL name."""
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def memberships_of(user: User) -> list[Membership]:
    """A person's memberships, newest first."""
    return sorted(user.memberships, key=lambda m: m.requested_at, reverse=True)


def joinable_organisations(user: User) -> list[Organisation]:
    """Organisations a person has not already joined or asked to join."""
    taken = {m.organisation_id for m in user.memberships
             if m.status != MembershipStatus.REJECTED}
    return [org for org in list_organisations() if org.id not in taken]


def pending_requests(organisation: Organisation | None = None) -> list[Membership]:
    """Requests waiting for a decision, oldest first, for one organisation or all."""
    statement = select(Membership).where(Membership.status == MembershipStatus.PENDING)
    if organisation is not None:
        statement = statement.where(Membership.organisation_id == organisation.id)
    return list(db.session.scalars(statement.order_by(Membership.requested_at)))


def role_from_memberships(user: User, without: Membership | None = None) -> Role:
    """The role a non-staff person's approved memberships give them (leaving one out, if
    asked)."""
    kinds = {m.organisation.kind for m in user.approved_memberships() if m is not without}
    if OrganisationKind.MAYORS_OFFICE in kinds:
        return Role.MAYORS_OFFICE
    return Role.OFFICER if kinds else Role.RESIDENT


def sync_role(user: User) -> None:
    """Bring a resident, officer or mayor's office role into line with their memberships."""
    if user.role not in STAFF_ROLES and user.is_active:
        user.role = role_from_memberships(user)


def request_membership(user: User, organisation_id: int, job_title: str,
                       reason: str | None) -> Membership:
    """Ask to act for an organisation; its leads (or the admins) are emailed."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise MembershipError("Select the organisation you work for")
    membership = next((m for m in user.memberships if m.organisation_id == organisation_id), None)
    if membership is not None and membership.status == MembershipStatus.APPROVED:
        raise MembershipError(f"You already belong to {organisation.name}")
    if membership is not None and membership.status == MembershipStatus.PENDING:
        raise MembershipError(f"You have already asked to join {organisation.name}")
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
        db.session.add(membership)
    membership.status = MembershipStatus.PENDING
    membership.job_title = job_title.strip()
    membership.reason = (reason or "").strip() or None
    membership.requested_at = utcnow()
    membership.decided_at = None
    membership.decided_by_id = None
    membership.decline_reason = None
    db.session.commit()
    _tell_approvers(membership)
    return membership


def _approvers(organisation: Organisation) -> list[User]:
    leads = [m.user for m in organisation.memberships if m.is_lead and m.user.is_active]
    if leads:
        return leads
    return list(db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.deleted_at.is_(None))
    ))


def _tell_approvers(membership: Membership) -> None:
    url = external_url("organisations.members", slug=membership.organisation.slug)
    for approver in _approvers(membership.organisation):
        try:
            send_email(approver.email, f"Request to join {membership.organisation.name}",
                       "membership_requested", approver=approver, membership=membership, url=url)
        except EmailNotSent:
            log.warning("approver %s not told of membership %s", approver.id, membership.id)


ALREADY_DECIDED = "This request has already been decided"


def approve_membership(actor: User, membership: Membership) -> bool:
    """Approve a pending request, set the person's role, and email them (True if sent)."""
    return _decide(actor, membership, MembershipStatus.APPROVED)


def turn_down_membership(actor: User, membership: Membership, reason: str) -> bool:
    """Turn down a pending request and email the person the reason (True if sent)."""
    if not reason.strip():
        raise MembershipError("Enter a reason for turning down the request")
    return _decide(actor, membership, MembershipStatus.REJECTED, reason.strip())


def _decide(actor: User, membership: Membership, status: MembershipStatus,
            reason: str | None = None) -> bool:
    if membership.status != MembershipStatus.PENDING:
        raise MembershipError(ALREADY_DECIDED)
    approve = status == MembershipStatus.APPROVED
    membership.status = status
    membership.decline_reason = reason
    membership.decided_at = utcnow()
    membership.decided_by_id = actor.id
    role_before = membership.user.role
    sync_role(membership.user)
    verb = "Approved" if approve else "Turned down"
    after = {"status": status.value, "role": membership.user.role.value}
    audit.record(
        actor, "membership.approve" if approve else "membership.reject", membership,
        f"{verb} user {membership.user_id}'s request to join {membership.organisation.name}",
        before={"status": "pending", "role": role_before.value},
        after=after if approve else {**after, "reason": reason},
    )
    db.session.commit()
    try:
        send_email(
            membership.user.email,
            f"Your request to join {membership.organisation.name}",
            "membership_decided", membership=membership, approved=approve,
            account_url=external_url("accounts.account"),
        )
    except EmailNotSent:
        log.warning("user %s not told of decision on membership %s",
                    membership.user_id, membership.id)
        return False
    return True


def set_lead(actor: User, membership: Membership, is_lead: bool) -> None:
    """Make an approved member a lead of their organisation (leads approve requests), or not."""
    if not membership.is_approved:
        raise MembershipError("Only approved members can be leads")
    before = membership.is_lead
    membership.is_lead = is_lead
    audit.record(actor, "membership.lead", membership,
                 f"{'Made' if is_lead else 'Removed'} user {membership.user_id} as lead of "
                 f"{membership.organisation.name}",
                 before={"is_lead": before}, after={"is_lead": is_lead})
    db.session.commit()


@dataclass
class RemovalEffects:
    """What taking a person out of an organisation means for them, to say before doing it."""

    role_after: Role
    ideas: int  # published on the organisation's behalf: they stay
    drafts: int  # started on its behalf: they can no longer be published


def removal_effects(membership: Membership) -> RemovalEffects:
    """The role a person would have without this membership, and their ideas on its behalf."""
    user = membership.user
    role_after = user.role if user.role in STAFF_ROLES else role_from_memberships(user, membership)
    counts = dict(db.session.execute(
        select(Idea.status, func.count(Idea.id))
        .where(Idea.author_id == user.id, Idea.organisation_id == membership.organisation_id)
        .group_by(Idea.status)).all())
    drafts = counts.pop(IdeaStatus.DRAFT, 0)
    return RemovalEffects(role_after, ideas=sum(counts.values()), drafts=drafts)


def remove_membership(actor: User, membership: Membership) -> None:
    """Take a person out of an organisation; their role follows their remaining memberships."""
    user, organisation = membership.user, membership.organisation
    before = {"status": membership.status.value, "is_lead": membership.is_lead,
              "role": user.role.value}
    user.memberships.remove(membership)
    db.session.flush()
    sync_role(user)
    audit.record(actor, "membership.remove", membership,
                 f"Removed user {user.id} from {organisation.name}",
                 before=before, after={"role": user.role.value})
    db.session.commit()


def is_lead_of_slug(user: User, slug: str) -> bool:
    """True when `user` is an approved lead of the organisation with this slug."""
    return any(m.is_lead and m.is_approved and m.organisation.slug == slug
               for m in user.memberships)


@personal_data.section("organisation_memberships")
def _membership_data(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organisation": m.organisation.name,
            "status": m.status.value,
            "is_lead": m.is_lead,
            "job_title": m.job_title,
            "reason": m.reason,
            "decline_reason": m.decline_reason,
            "requested_at": m.requested_at.isoformat(),
            "decided_at": m.decided_at.isoformat() if m.decided_at else None,
        }
        for m in user.memberships
    ]
