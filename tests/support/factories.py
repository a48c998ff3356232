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


def make_area(name: str | None = None):
    """An area of the region."""
    from app.models import Area

    area = Area(name=name or f"Ward {next(_numbers)}")
    db.session.add(area)
    db.session.commit()
    return area


def make_window(*, stage: str = "open", title: str | None = None, areas=(), sources=None,
                support_limit=None, published: bool = True):
    """A window whose dates put it in `stage` now: upcoming, open, overlap, voting, gap,
    review or closed."""
    from datetime import timedelta

    from app.models import IdeaWindow, Source

    now, day = utcnow(), timedelta(days=1)
    offsets = {  # submissions open, close, voting open, close (days from now)
        "upcoming": (10, 40, 41, 60),
        "open": (-10, 20, 5, 40),
        "overlap": (-10, 20, -5, 40),  # open for ideas and for voting at once
        "voting": (-40, -10, -5, 20),
        "gap": (-40, -10, 5, 30),  # ideas closed, voting opens later
        "review": (-60, -40, -39, -20),
        "closed": (-90, -60, -59, -40),
    }[stage]
    sources = set(sources or Source)
    window = IdeaWindow(
        title=title or f"Window {next(_numbers)}", theme="Getting around",
        description="Ideas about **transport**.",
        submissions_open_at=now + offsets[0] * day, submissions_close_at=now + offsets[1] * day,
        voting_open_at=now + offsets[2] * day, voting_close_at=now + offsets[3] * day,
        accepts_residents=Source.RESIDENT in sources, accepts_councils=Source.COUNCIL in sources,
        accepts_mayoral=Source.MAYORAL in sources, support_limit=support_limit,
        published_at=now - 20 * day if published else None,
        closed_at=now - day if stage == "closed" else None)
    window.areas = [db.session.get(type(a), a.id) for a in areas]
    db.session.add(window)
    db.session.commit()
    return window


def make_idea(window, author, *, title: str = "Fix the potholes on Millbrook Road",
              problem: str = "The same potholes come back every winter.", status=None,
              source=None, organisation=None, area=None, published_days_ago: float = 1,
              pledge_reference=None, action: str = "", data: str = ""):
    """A published idea (or a draft, with status=IdeaStatus.DRAFT) with its timeline."""
    from datetime import timedelta

    from app.models import Idea, IdeaStatus, IdeaStatusChange, Source

    status = status or IdeaStatus.SUBMITTED
    published = None if status == IdeaStatus.DRAFT else (
        utcnow() - timedelta(days=published_days_ago))
    idea = Idea(window_id=window.id, author_id=author.id, source=source or Source.RESIDENT,
                organisation_id=organisation.id if organisation else None,
                area_id=area.id if area else None, title=title, problem=problem,
                action=action, data=data, status=status, published_at=published,
                pledge_reference=pledge_reference)
    if published:
        idea.status_changes.append(IdeaStatusChange(status=status, changed_at=published))
    db.session.add(idea)
    db.session.commit()
    return idea
