"""What may change about an idea window once things have happened in it.

A window's dates are the public record of when it took ideas and supports: its page, the
open data and the shortlist repeat them, and its stage is worked out from them. So:

- dates must come in order (ideas open, then close; voting opens after ideas open, closes
  after it opens and not before ideas close);
- a date typed for a new window or a draft cannot have passed: a start may be earlier today
  (the window opens at once when it is published), a close must be still to come; and a
  draft is not published once ideas or voting would already be over (`why_cannot_publish`);
- after the shortlist is published no date changes;
- a start (ideas open, voting opens) that has passed is history and cannot change: moving it
  into the future would send the stage back, and moving it to another past time would
  misstate when it happened;
- a close (ideas close, voting closes) that has passed may move into the future, which takes
  ideas or supports again (how a closed window is reopened for more), but not to another
  past time;
- a date still to come cannot be moved into the past, which would say something happened
  that did not (ideas and voting close early through "Close ideas now" and "Close voting
  now", which ask first and move only the closes, so that the order above still holds);
- what a window holds still fits it: a source or area its ideas use stays ticked, the support
  limit is not lower than what someone has given, and authors who supported their own ideas
  keep being allowed to;
- pre-moderation can be switched on at any time, and then holds back only the ideas posted
  from then on (ideas already public stay public: people may have read and supported them);
  it cannot be switched off while ideas wait to be checked, because that would either
  publish them unchecked or leave them waiting in a window that no longer checks ideas.
  Moderators approve or hide them first (`PREMODERATION_SWITCHED` says what a switch does).

The stage a window reached is read from its rows as well as its dates, because windows
edited before these rules could have a start date in the future with ideas or supports
already in them. Such a window has to have the date put back before it can be saved.

Nothing here writes; `app.intake.services` calls it and refuses the change.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import distinct, exists, func, select

from app.extensions import db
from app.filters import LONDON, london_date, london_datetime, plural
from app.models import (
    Idea,
    IdeaStatus,
    IdeaWindow,
    Source,
    Support,
    SupportLedger,
    utcnow,
)

MOMENTS = ("submissions_open", "submissions_close", "voting_open", "voting_close")
STARTS = ("submissions_open", "voting_open")
# How each moment is named in messages, as the form names it.
WHAT = {"submissions_open": "the date ideas open", "submissions_close": "the date ideas close",
        "voting_open": "the date voting opens", "voting_close": "the date voting closes"}
# How ideas of each source are described: "3 ideas in this window are mayoral pledges".
SOURCE_IDEAS = {Source.RESIDENT: ("is from a resident", "are from residents"),
                Source.COUNCIL: ("is from a council or public body",
                                 "are from councils or public bodies"),
                Source.MAYORAL: ("is a mayoral pledge", "are mayoral pledges")}


def order_problems(moments: dict[str, datetime | None]) -> dict[str, str]:
    """Which of the four moments are out of order, each with the message for its field
    (one a field: the first problem). A check with a moment that is None (one the form
    could not read) is left out, so that the others are still reported."""
    checks = [
        ("submissions_close", "submissions_open", "submissions_close", lambda a, b: a > b,
         "Ideas must close after they open"),
        ("voting_close", "voting_open", "voting_close", lambda a, b: a > b,
         "Voting must close after it opens"),
        ("voting_open", "submissions_open", "voting_open", lambda a, b: a >= b,
         "Voting cannot open before ideas open"),
        # Voting may overlap the last weeks of submissions, but ideas posted after it
        # closed could never be supported.
        ("voting_close", "submissions_close", "voting_close", lambda a, b: a >= b,
         "Voting must close after ideas close, so that every idea can be supported"),
    ]
    problems: dict[str, str] = {}
    for name, earlier, later, ok, message in checks:
        first, second = moments.get(earlier), moments.get(later)
        if first is not None and second is not None and not ok(second, first):
            problems.setdefault(name, message)
    return problems


def start_of_today(now: datetime) -> datetime:
    """Midnight at the start of `now`'s day in the UK, the earliest a new start may be."""
    return datetime.combine(now.astimezone(LONDON).date(), time(), tzinfo=LONDON)


def passed_problems(moments: dict[str, datetime | None], now: datetime) -> dict[str, str]:
    """Which moments typed for a new window or a draft have already passed, each with the
    message for its field. A start may be earlier today: published, the window opens at once,
    as it would if staff had typed the minute they publish. A close must be after `now`."""
    today = start_of_today(now)
    problems: dict[str, str] = {}
    for name, at in moments.items():
        if at is None:
            continue
        if name in STARTS and at < today:
            problems[name] = f"{WHAT[name].capitalize()} must be today or in the future"
        elif name not in STARTS and at <= now:
            problems[name] = f"{WHAT[name].capitalize()} must be in the future"
    return problems


def why_cannot_publish(window: IdeaWindow, now: datetime | None = None) -> str | None:
    """Why the draft `window` cannot be published now, naming the dates to change, or None
    when it can. Its starts may have passed (it opens at once); its closes may not, because
    it would go public with ideas or voting already over."""
    if window.published_at is not None:
        return "This window is already published"
    now = now or utcnow()
    over = [name for name in ("submissions_close", "voting_close")
            if getattr(window, f"{name}_at") <= now]
    if not over:
        return None
    dates = _names([f"{WHAT[name]} ({london_datetime(getattr(window, f'{name}_at'))})"
                    for name in over])
    stages = _names(["ideas" if name == "submissions_close" else "voting" for name in over])
    one = len(over) == 1
    return (f"“{window.title}” cannot be published: {dates} {'has' if one else 'have'} "
            f"passed, so {stages} would already be over. Change "
            f"{'it to a time' if one else 'them to times'} in the future first")


@dataclass
class History:
    """What has happened in a window, read from its rows: its ideas and its supports."""

    ideas: int = 0  # published ideas, of any status
    first_idea_at: datetime | None = None  # the first idea saved, drafts included
    supporters: int = 0  # people supporting an idea in it now
    first_support_at: datetime | None = None
    ever_supported: bool = False  # supports now, or given and withdrawn (ledgers remain)
    most_given: int = 0  # the most ideas one person supports in it now
    authors_supporting_own: int = 0
    by_source: dict[Source, int] = field(default_factory=dict)
    by_area: dict[int, int] = field(default_factory=dict)
    awaiting_moderation: int = 0  # published ideas waiting for pre-moderation


def history(window: IdeaWindow) -> History:
    """What has happened in `window`, in a handful of aggregate queries."""
    if window.id is None:
        return History()
    public = (Idea.window_id == window.id) & (Idea.status != IdeaStatus.DRAFT)
    by_source = dict(db.session.execute(
        select(Idea.source, func.count()).where(public).group_by(Idea.source)).all())
    by_area = dict(db.session.execute(
        select(Idea.area_id, func.count()).where(public, Idea.area_id.is_not(None))
        .group_by(Idea.area_id)).all())
    first_idea_at = db.session.scalar(
        select(func.min(Idea.created_at)).where(Idea.window_id == window.id))
    supporters, first_support_at = db.session.execute(
        select(func.count(distinct(Support.user_id)), func.min(Support.created_at))
        .where(Support.window_id == window.id)).one()
    ledgers, most_given = db.session.execute(
        select(func.count(SupportLedger.user_id), func.max(SupportLedger.used))
        .where(SupportLedger.window_id == window.id)).one()
    own = db.session.scalar(
        select(func.count(distinct(Support.user_id))).join(Idea, Idea.id == Support.idea_id)
        .where(Support.window_id == window.id, Support.user_id == Idea.author_id))
    return History(ideas=sum(by_source.values()), first_idea_at=first_idea_at,
                   supporters=supporters, first_support_at=first_support_at,
                   ever_supported=bool(supporters or ledgers), most_given=most_given or 0,
                   authors_supporting_own=own or 0,
                   by_source={Source(k): v for k, v in by_source.items()}, by_area=by_area,
                   awaiting_moderation=awaiting_moderation(window))


def awaiting_moderation(window: IdeaWindow) -> int:
    """How many of `window`'s ideas wait for moderators to approve or hide them (the
    moderation page's "Waiting for approval")."""
    if window.id is None:
        return 0
    return db.session.scalar(select(func.count(Idea.id)).where(
        Idea.window_id == window.id, Idea.awaiting_moderation.is_(True))) or 0


# What the edit page says when a save switches pre-moderation on or off.
PREMODERATION_SWITCHED = {
    True: "Pre-moderation is on: ideas posted from now on wait for staff to approve them "
          "before anyone else sees them. Ideas already public stay public.",
    False: "Pre-moderation is off: ideas posted from now on appear straight away.",
}


def _premoderation_problem(window: IdeaWindow, premoderation: bool | None, past: History
                           ) -> str | None:
    if premoderation is not False or not window.premoderation:
        return None
    count = past.awaiting_moderation
    if not count:
        return None
    return (f"“Check each idea before it appears” must stay ticked: {plural(count, 'idea')} "
            f"in this window {'is' if count == 1 else 'are'} waiting to be checked. Approve "
            f"or hide {'it' if count == 1 else 'them'} on the moderation page first")


def voting_reached(window: IdeaWindow, now: datetime | None = None) -> bool:
    """Whether voting has opened in `window`: by its dates, because its shortlist is out, or
    because people have supported ideas in it (whatever its dates say now)."""
    if window.voting_has_opened(now) or window.shortlist_published_at is not None:
        return True
    if window.id is None:
        return False
    return bool(db.session.scalar(select(
        exists().where(Support.window_id == window.id)
        | exists().where(SupportLedger.window_id == window.id))))


def _same_minute(a: datetime, b: datetime) -> bool:
    # The form shows times to the minute; a moment set to the second ("Close voting now")
    # comes back from it a few seconds out, and that is not a change.
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def unchanged_moments(window: IdeaWindow, moments: dict[str, datetime | None]) -> set[str]:
    """The moments the form sent back as they are stored (to the minute)."""
    return {name for name in MOMENTS if moments.get(name) is not None
            and _same_minute(getattr(window, f"{name}_at"), moments[name])}


def _started(name: str, at: datetime, past: History) -> str:
    """Why a start that has passed cannot change."""
    if name == "voting_open":
        done = (f" and {plural(past.supporters, 'person', 'people')} "
                f"{'has' if past.supporters == 1 else 'have'} supported ideas"
                if past.supporters else "")
        return (f"Voting opened on {london_datetime(at)}{done}, so the date voting opens "
                f"cannot change")
    done = (f" and {plural(past.ideas, 'idea')} {'has' if past.ideas == 1 else 'have'} been "
            f"published" if past.ideas else "")
    return f"Ideas opened on {london_datetime(at)}{done}, so the date ideas open cannot change"


def _too_late(name: str, first: datetime, past: History) -> str:
    """Why a start date in the future is wrong when ideas or supports came before it."""
    if name == "voting_open":
        who = (f"{plural(past.supporters, 'person', 'people')} "
               f"{'has' if past.supporters == 1 else 'have'} supported ideas"
               if past.supporters else "People have supported ideas")
        return (f"{who} in this window since {london_datetime(first)}, so voting cannot open "
                f"later than that")
    return (f"Ideas have been submitted to this window since {london_datetime(first)}, so "
            f"ideas cannot open later than that")


def _date_problems(window: IdeaWindow, moments: dict[str, datetime | None], past: History,
                   now: datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    same = unchanged_moments(window, moments)
    # Ideas or supports that came while a start date said "not yet" (set before these rules):
    # the date must go back to no later than the first of them.
    evidence = {"submissions_open": past.first_idea_at,
                "voting_open": past.first_support_at}
    for name in MOMENTS:
        stored, wanted = getattr(window, f"{name}_at"), moments[name]
        if wanted is None:  # the form could not read it, and says so
            continue
        first = evidence.get(name)
        if (name in STARTS and first is not None and stored > now and stored > first
                and wanted > first and window.shortlist_published_at is None):
            problems[name] = _too_late(name, first, past)
            continue
        if name in same:
            continue
        if window.shortlist_published_at is not None:
            problems[name] = (f"The shortlist was published on "
                              f"{london_date(window.shortlist_published_at)}, so the window’s "
                              f"dates cannot change")
        elif stored <= now and name in STARTS:
            problems[name] = _started(name, stored, past)
        elif stored <= now and wanted <= now:
            what = "Ideas closed" if name == "submissions_close" else "Voting closed"
            again = "take ideas" if name == "submissions_close" else "open voting"
            problems[name] = (f"{what} on {london_datetime(stored)}. You can move "
                              f"{WHAT[name]} into the future to {again} again, but not to "
                              f"another time in the past")
        elif stored > now and wanted <= now and not (first is not None and wanted <= first):
            problems[name] = _not_yet(name, window, now)
    return problems


def _not_yet(name: str, window: IdeaWindow, now: datetime) -> str:
    """Why a date still to come cannot move into the past."""
    if name == "voting_close":
        return ("The date voting closes must be in the future. To end voting now, go back "
                "to the idea windows and choose “Close voting now”, which says what will "
                "happen first")
    if name == "submissions_close" and window.submissions_open_at <= now:
        return ("The date ideas close must be in the future, because ideas are still open. "
                "To stop taking ideas now, go back to the idea windows and choose “Close "
                "ideas now”, which says what will happen first")
    if name == "submissions_close":
        return ("The date ideas close must be in the future, because ideas have not opened "
                "yet. To take ideas for less time, choose an earlier time after they open")
    happened = "ideas have not opened" if name == "submissions_open" else \
        "voting has not opened"
    return f"{WHAT[name].capitalize()} must be in the future, because {happened} yet"


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _source_problem(window: IdeaWindow, accepts: dict[Source, bool], past: History
                    ) -> str | None:
    dropped = [s for s in Source if window.accepts(s) and not accepts[s]
               and past.by_source.get(s)]
    if not dropped:
        return None
    counts = []
    for number, source in enumerate(dropped):
        count = past.by_source[source]
        one, many = SOURCE_IDEAS[source]
        noun = plural(count, "idea") + " in this window " if number == 0 else f"{count:,} "
        counts.append(f"{noun}{one if count == 1 else many}")
    labels = [f"“{s.label}”" for s in dropped]
    return f"{_names(labels)} must stay ticked: {_names(counts)}"


def _area_problem(window: IdeaWindow, area_ids: list[int], past: History) -> str | None:
    dropped = [a for a in window.areas if a.id not in set(area_ids) and past.by_area.get(a.id)]
    if not dropped:
        return None
    if len(dropped) == 1:
        count = past.by_area[dropped[0].id]
        return (f"{dropped[0].name} must stay ticked: {plural(count, 'idea')} in this window "
                f"{'is' if count == 1 else 'are'} tagged with it")
    counts = _names([f"{past.by_area[a.id]:,} with {a.name}" for a in dropped])
    return (f"{_names([a.name for a in dropped])} must stay ticked: ideas in this window are "
            f"tagged with them ({counts})")


def problems(window: IdeaWindow | None, moments: dict[str, datetime | None],
             accepts: dict[Source, bool], area_ids: list[int], support_limit: int | None,
             authors_may_support_own: bool, now: datetime | None = None,
             premoderation: bool | None = None) -> dict[str, str]:
    """Why these details cannot be saved for `window` (None: a new window), as a message for
    each field that must change ("submissions_open" ... "voting_close", "sources", "areas",
    "support_limit", "authors_may_support_own", "premoderation"; None for `premoderation`
    leaves it unchecked; a moment that is None, one the form could not read, is left to the
    form). Empty when they can."""
    found = order_problems(moments)
    now = now or utcnow()
    if window is None or window.published_at is None:
        # A draft's dates have not happened to anyone, but a date typed for it must not have
        # passed. One it keeps as it was is checked when it is published.
        same = unchanged_moments(window, moments) if window is not None else set()
        typed = {name: at for name, at in moments.items() if name not in same}
        for name, message in passed_problems(typed, now).items():
            found.setdefault(name, message)
    if window is None:
        return found
    past = history(window)
    if window.published_at is not None:
        for name, message in _date_problems(window, moments, past, now).items():
            found.setdefault(name, message)
    if message := _source_problem(window, accepts, past):
        found["sources"] = message
    if message := _area_problem(window, area_ids, past):
        found["areas"] = message
    if support_limit is not None and support_limit < past.most_given \
            and support_limit != window.support_limit:
        found["support_limit"] = (f"Someone is already supporting {past.most_given:,} ideas "
                                  f"in this window, so the limit cannot be lower than "
                                  f"{past.most_given:,}")
    if window.authors_may_support_own and not authors_may_support_own \
            and past.authors_supporting_own:
        count = past.authors_supporting_own
        found["authors_may_support_own"] = (
            f"“Authors may support their own ideas” must stay ticked: "
            f"{plural(count, 'author')} {'has' if count == 1 else 'have'} already supported "
            f"their own ideas in this window")
    if message := _premoderation_problem(window, premoderation, past):
        found["premoderation"] = message
    return found


def what_is_fixed(window: IdeaWindow, now: datetime | None = None) -> list[str]:
    """What can no longer change about `window` and why, for the top of its form."""
    if window.published_at is None:
        return []
    now = now or utcnow()
    past = history(window)
    fixed = []
    if window.shortlist_published_at is not None:
        fixed.append(f"The shortlist was published on "
                     f"{london_date(window.shortlist_published_at)}, so the dates cannot "
                     f"change.")
    else:
        for name in STARTS:
            at = getattr(window, f"{name}_at")
            if at <= now:
                fixed.append(_started(name, at, past) + ".")
        if any(getattr(window, f"{name}_at") <= now for name in ("submissions_close",
                                                                  "voting_close")):
            fixed.append("A closing date that has passed can move into the future, to open "
                         "again, but not to another time in the past.")
    used = [s.label for s in Source if past.by_source.get(s)]
    if used:
        fixed.append(f"Ideas in this window come from: {', '.join(used)}, so "
                     f"{'that' if len(used) == 1 else 'those'} cannot be unticked.")
    areas = [a.name for a in window.areas if past.by_area.get(a.id)]
    if areas:
        fixed.append(f"Ideas are tagged with {_names(areas)}, so "
                     f"{'it' if len(areas) == 1 else 'they'} cannot be unticked.")
    if window.premoderation and past.awaiting_moderation:
        count = past.awaiting_moderation
        fixed.append(f"{plural(count, 'idea')} {'is' if count == 1 else 'are'} waiting to be "
                     f"checked, so pre-moderation cannot be switched off until moderators "
                     f"approve or hide {'it' if count == 1 else 'them'}.")
    return fixed


# ---- Ending ideas or voting early --------------------------------------------------------

@dataclass(frozen=True)
class EarlyClose:
    """A stage staff may end before its date ("Close ideas now", "Close voting now"), with
    the moments it runs between and why it cannot be ended in each case."""

    opens: str  # as MOMENTS names them
    closes: str
    draft: str
    shortlisted: str
    closed: str
    not_yet: str  # {at}: when it opens
    ended: str  # {at}: when it closed
    # Closes that must not come after this one's (voting may not close before ideas do), so
    # that ending it now ends them too when they are still to come.
    ends_too: tuple[str, ...] = ()


VOTING = EarlyClose(
    "voting_open", "voting_close",
    draft="This window is a draft, so nobody can vote in it.",
    shortlisted="The shortlist is published, so voting has already closed.",
    closed="This window is closed, so nobody can support ideas in it.",
    not_yet="Voting has not opened yet: it opens on {at}. To make it shorter, change the "
            "window’s dates.",
    ended="Voting closed on {at}.", ends_too=("submissions_close",))
IDEAS = EarlyClose(
    "submissions_open", "submissions_close",
    draft="This window is a draft, so nobody can submit ideas to it.",
    shortlisted="The shortlist is published, so ideas have already closed.",
    closed="This window is closed, so nobody can submit ideas to it.",
    not_yet="Ideas have not opened yet: they open on {at}. To take ideas for less time, "
            "change the window’s dates.",
    ended="Ideas closed on {at}.")


def why_cannot_close(stage: EarlyClose, window: IdeaWindow, now: datetime | None = None
                     ) -> str | None:
    """Why `stage` of `window` cannot be ended now, or None when it can."""
    now = now or utcnow()
    opens, closes = getattr(window, f"{stage.opens}_at"), getattr(window, f"{stage.closes}_at")
    if window.published_at is None:
        return stage.draft
    if window.shortlist_published_at is not None:
        return stage.shortlisted
    if window.closed_at is not None:
        return stage.closed
    # Strictly after it opened: a stage must close after it opens.
    if now <= opens:
        return stage.not_yet.format(at=london_datetime(opens))
    if now >= closes:
        return stage.ended.format(at=london_datetime(closes))
    return None


def closing_now(stage: EarlyClose, window: IdeaWindow, now: datetime) -> dict[str, datetime]:
    """The moments that ending `stage` at `now` moves, as they are now: its close, and the
    closes that must not come after it that are still to come. Each moves to `now`, which
    keeps the dates in order (`order_problems`) and every start where it was."""
    return {name: getattr(window, f"{name}_at") for name in (stage.closes, *stage.ends_too)
            if name == stage.closes or getattr(window, f"{name}_at") > now}


def why_cannot_close_voting(window: IdeaWindow, now: datetime | None = None) -> str | None:
    """Why voting in `window` cannot be closed now, or None when it can."""
    return why_cannot_close(VOTING, window, now)


def why_cannot_close_submissions(window: IdeaWindow, now: datetime | None = None
                                 ) -> str | None:
    """Why ideas in `window` cannot be closed now, or None when they can."""
    return why_cannot_close(IDEAS, window, now)


def what_closing_voting_does(window: IdeaWindow, now: datetime | None = None) -> list[str]:
    """What closing voting in `window` now would do, paragraph by paragraph, for the staff
    who ask for it."""
    now = now or utcnow()
    past = history(window)
    supports = db.session.scalar(
        select(func.count(Support.id)).where(Support.window_id == window.id)) or 0
    said = [f"Voting will close now instead of on {london_datetime(window.voting_close_at)}. "
            f"After that nobody can support an idea or take a support back, so the counts "
            f"are final."]
    if supports:
        said.append(f"So far {plural(past.supporters, 'person', 'people')} "
                    f"{'has' if past.supporters == 1 else 'have'} given "
                    f"{plural(supports, 'support')}.")
    if window.submissions_close_at > now:
        said.append(f"Ideas are open until {london_datetime(window.submissions_close_at)}. "
                    f"They will close now too, because an idea posted after voting closes "
                    f"could never be supported.")
    return said + _afterwards("voting closes", "The window’s page, its ideas and its open data",
                              "open voting again", "the date voting closes to a later one")


def _afterwards(closing: str, pages: str, again: str, change: str) -> list[str]:
    """What the confirmation of an early close says last: who is told, and the way back."""
    return [f"Nobody is sent a message about it, just as nobody is when {closing} on its "
            f"date. {pages} will show the new closing date.",
            f"Until the shortlist is published you can {again} by changing {change}."]


def what_closing_submissions_does(window: IdeaWindow, now: datetime | None = None
                                  ) -> list[str]:
    """What closing ideas in `window` now would do, paragraph by paragraph, for the staff
    who ask for it. Voting keeps its dates: it may open later or be open already."""
    now = now or utcnow()
    past = history(window)
    drafts = db.session.scalar(select(func.count(Idea.id)).where(
        Idea.window_id == window.id, Idea.status == IdeaStatus.DRAFT)) or 0
    said = [f"Ideas will close now instead of on "
            f"{london_datetime(window.submissions_close_at)}. After that nobody can post a "
            f"new idea, and drafts can no longer be posted."]
    if past.ideas:
        said.append(f"So far {plural(past.ideas, 'idea')} "
                    f"{'has' if past.ideas == 1 else 'have'} been posted.")
    if drafts:
        one = drafts == 1
        said.append(f"{plural(drafts, 'draft')} {'has' if one else 'have'} not been posted. "
                    f"{'It stays' if one else 'They stay'} private: "
                    f"{'its author' if one else 'their authors'} can still read or delete "
                    f"{'it' if one else 'them'}, and nobody else can see "
                    f"{'it' if one else 'them'}.")
    if window.voting_open_at <= now:
        said.append(f"Voting is open and stays open until "
                    f"{london_datetime(window.voting_close_at)}: people can go on "
                    f"supporting the ideas already posted.")
    else:
        said.append(f"Voting keeps its dates, {london_datetime(window.voting_open_at)} to "
                    f"{london_datetime(window.voting_close_at)}: closing ideas does not move "
                    f"them. Until voting opens, authors can still change the ideas they have "
                    f"posted.")
    return said + _afterwards("ideas close", "The window’s page and its open data",
                              "take ideas again",
                              "the date ideas close to a later one, no later than the date "
                              "voting closes")

