"""Generated ideas in bulk, for benchmarks: `flask seed-bulk --ideas 100000`."""

import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert, select

from app.accounts.passwords import hash_password
from app.extensions import db
from app.models import (
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    Source,
    User,
    utcnow,
)

SUBJECTS = ["potholes", "missed bin collections", "bus delays", "damp and mould", "fly-tipping",
            "broken street lights", "blocked drains", "late school transport",
            "hospital discharge delays", "cold homes", "noise complaints", "unlicensed landlords",
            "empty shops", "rough sleeping", "gritting routes", "falls at home",
            "air pollution near schools", "flooded underpasses", "housing repairs",
            "library opening hours", "social care waiting lists", "overgrown verges",
            "bike theft", "youth club closures", "benefit take-up", "food hygiene",
            "speeding traffic", "care home vacancies", "recycling contamination",
            "loneliness among older people"]
PLACES = ["Northgate Central", "Riverside", "Eastfield", "Millbrook", "Hartley Moor",
          "Southport Docks", "the estate near the station", "our high street", "the ring road",
          "the retail park", "the new housing estate", "the old mill area"]
GROUPS = ["older residents", "families with young children", "disabled people",
          "people who work shifts", "students", "tenants", "small businesses",
          "carers", "people without a car", "new arrivals to the area"]
VERBS = ["Tackle", "Stop", "Reduce", "Predict", "Fix", "Spot", "Prevent", "Sort out",
         "Understand", "Get ahead of"]
ACTIONS = ["send crews to the worst places first", "contact people before things get worse",
           "plan routes using live reports", "test which letter gets the best response",
           "give staff one view of the case", "find the few properties causing most problems",
           "move staff to where demand is", "warn people earlier"]
DATA = ["council reports and complaints", "repairs records", "bus operator data",
        "sensor readings", "hospital admissions data", "council tax and benefits records",
        "311-style service requests", "inspection histories"]


def _bulk_authors(count: int) -> list[int]:
    existing = list(db.session.scalars(
        select(User.id).where(User.email.like("bulk-%@bulk.example.org")).order_by(User.id)))
    if len(existing) >= count:
        return existing[:count]
    password_hash = hash_password(secrets.token_urlsafe(24))  # one hash: nobody signs in
    now = utcnow()
    db.session.execute(insert(User), [
        {"email": f"bulk-{n}@bulk.example.org", "display_name": f"Resident {n}",
         "password_hash": password_hash, "email_verified_at": now, "created_at": now}
        for n in range(len(existing), count)])
    db.session.commit()
    return _bulk_authors(count)


def _idea_text(rng: random.Random) -> dict[str, str]:
    subject, place, group = rng.choice(SUBJECTS), rng.choice(PLACES), rng.choice(GROUPS)
    title = f"{rng.choice(VERBS)} {subject} in {place}"[:120]
    problem = (f"{subject.capitalize()} in {place} keep coming back and hit {group} hardest. "
               f"It happens {rng.choice(['every week', 'every winter', 'most days', 'monthly'])} "
               f"and nobody seems to act until it is too late.")
    return {"title": title, "problem": problem,
            "action": f"The council could {rng.choice(ACTIONS)}.",
            "data": f"There are {rng.choice(DATA)} that might help."}


def add_bulk_ideas(window: IdeaWindow, count: int, chunk: int = 2000, seed: int = 1,
                   progress: Callable[[int], None] | None = None) -> None:
    """Insert `count` generated resident ideas into `window`, in chunks, with timelines."""
    rng = random.Random(seed)
    authors = _bulk_authors(200)
    area_ids = [a.id for a in window.areas] or [None]
    start = window.submissions_open_at
    span = max((window.submissions_close_at - start).total_seconds(), 1)
    done = 0
    while done < count:
        size = min(chunk, count - done)
        rows = []
        for _ in range(size):
            published = start + timedelta(seconds=rng.uniform(0, span))
            rows.append({"window_id": window.id, "author_id": rng.choice(authors),
                         "source": Source.RESIDENT, "area_id": rng.choice(area_ids),
                         "status": IdeaStatus.SUBMITTED, "published_at": published,
                         "created_at": published, "datasets": "", **_idea_text(rng)})
        ids = db.session.scalars(insert(Idea).returning(Idea.id, sort_by_parameter_order=True),
                                 rows).all()
        db.session.execute(insert(IdeaStatusChange), [
            {"idea_id": idea_id, "status": IdeaStatus.SUBMITTED, "changed_at": row["published_at"]}
            for idea_id, row in zip(ids, rows, strict=True)])
        db.session.commit()
        done += size
        if progress:
            progress(size)
