"""Building records for tests directly in the database."""

import itertools

from app.accounts.passwords import hash_password
from app.extensions import db
from app.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)
from app.organisations.services import slugify

PASSWORD = "correct-horse-battery-staple-42"
_numbers = itertools.count(1)


def make_user(email: str | None = None, *, role: Role = Role.RESIDENT, verified: bool = True,
              display_name: str | None = None, password: str = PASSWORD) -> User:
    """An account that can sign in with `password`."""
    number = next(_numbers)
    user = User(
        email=email or f"person{number}@example.org",
        display_name=display_name or f"Person {number}",
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_organisation(name: str | None = None,
                      kind: OrganisationKind = OrganisationKind.COUNCIL) -> Organisation:
    """An organisation officers can ask to join."""
    name = name or f"Council {next(_numbers)}"
    organisation = Organisation(name=name, slug=slugify(name), kind=kind)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_membership(user: User, organisation: Organisation, *,
                    status: MembershipStatus = MembershipStatus.PENDING,
                    is_lead: bool = False) -> Membership:
    """A membership in the given state (approved ones set the person's role, as in the app)."""
    from app.organisations.services import sync_role

    membership = Membership(user=user, organisation=organisation, status=status,
                            is_lead=is_lead, job_title="Data analyst")
    db.session.add(membership)
    db.session.flush()
    sync_role(user)
    db.session.commit()
    return membership
